import type { Db } from '../db/database';

export interface SessionRow {
  sid: string;
  sess: string;
  userId: number | null;
  expiresAt: Date;
}

export function find(db: Db, sid: string) {
  return db.selectFrom('sessions').select(['sess', 'expiresAt']).where('sid', '=', sid).executeTakeFirst();
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
