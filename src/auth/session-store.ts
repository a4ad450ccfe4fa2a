import session from 'express-session';
import type { Db } from '../db/database';
import type { Clock } from '../clock';

const IDLE_MS = 30 * 60 * 1000;

/** Sessions live in the database so that several app instances share them. */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Idle expiry, counted by the application's clock (the cookie's own expiry is the browser's). */
  private expiry(_sess: session.SessionData): Date {
    return new Date(this.clock.now().getTime() + IDLE_MS);
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.db
      .selectFrom('sessions')
      .select(['sess', 'expiresAt'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || row.expiresAt.getTime() <= this.clock.now().getTime()) return callback(null, null);
        callback(null, row.sess as session.SessionData);
      }, callback);
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const values = {
      sid,
      sess: JSON.stringify(sess),
      userId: sess.userId ?? null,
      expiresAt: this.expiry(sess),
    };
    this.db
      .insertInto('sessions')
      .values(values)
      .onConflict((oc) =>
        oc.column('sid').doUpdateSet({ sess: values.sess, userId: values.userId, expiresAt: values.expiresAt }),
      )
      .execute()
      .then(() => callback?.(), callback);
  }

  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    this.db
      .updateTable('sessions')
      .set({ expiresAt: this.expiry(sess) })
      .where('sid', '=', sid)
      .execute()
      .then(() => callback?.(), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(() => callback?.(), callback);
  }
}

export const SESSION_IDLE_MS = IDLE_MS;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

/** Removes expired sessions; run periodically by the server. */
export async function pruneSessions(db: Db, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expiresAt', '<', clock.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
