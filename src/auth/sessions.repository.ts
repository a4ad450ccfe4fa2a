import type { Db } from '../db/database';
import { withAgencyColumns, type UserWithAgency } from '../users/user-columns';

export interface SessionRow {
  sid: string;
  sess: string;
  userId: number | null;
  expiresAt: Date;
}

/**
 * A session, with the user it is signed in as and their agency when there is one: the one read
 * that each signed-in request makes before its page's own.
 */
export async function findWithUser(db: Db, sid: string) {
  const row = await db
    .selectFrom('sessions')
    .leftJoin('users', 'users.id', 'sessions.userId')
    .leftJoin('agencies', 'agencies.id', 'users.agencyId')
    .select(['sessions.sess', 'sessions.expiresAt', ...withAgencyColumns])
    .where('sessions.sid', '=', sid)
    .executeTakeFirst();
  if (!row) return undefined;
  const { sess, expiresAt, ...user } = row;
  return { sess, expiresAt, user: user.id === null ? undefined : (user as UserWithAgency) };
}

export async function save(db: Db, row: SessionRow): Promise<void> {
  await db
    .insertInto('sessions')
    .values(row)
    .onConflict((oc) => oc.column('sid').doUpdateSet({ sess: row.sess, userId: row.userId, expiresAt: row.expiresAt }))
    .execute();
}

export async function extend(db: Db, sid: string, expiresAt: Date): Promise<void> {
  await db.updateTable('sessions').set({ expiresAt }).where('sid', '=', sid).execute();
}

export async function remove(db: Db, sid: string): Promise<void> {
  await db.deleteFrom('sessions').where('sid', '=', sid).execute();
}

export async function removeExpired(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expiresAt', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Every session of a user, except the one with id `keepSid` when given. */
export async function removeForUser(db: Db, userId: number, keepSid?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('userId', '=', userId);
  if (keepSid) q = q.where('sid', '!=', keepSid);
  await q.execute();
}
