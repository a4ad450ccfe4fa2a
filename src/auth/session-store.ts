import session from 'express-session';
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { HttpError } from '../http/errors';
import type { Clock } from '../clock';
import * as sessions from './sessions.repository';

const IDLE_MS = 30 * 60 * 1000;

type Done = (err?: unknown) => void;

/** Hands a store operation's outcome to express-session's callback, which may be absent. */
function settle(work: Promise<unknown>, callback?: Done): void {
  work.then(
    () => callback?.(),
    (err: unknown) => callback?.(err),
  );
}

/**
 * A session that could not be read (the database restarting, its connections ended) is an error
 * for this request, 503, and never a reason to end the session: the next request reads it again.
 */
export class SessionUnavailableError extends HttpError {
  constructor(cause: unknown) {
    super(503, 'The database cannot be reached. Try again in a few minutes.');
    this.name = 'SessionUnavailableError';
    this.cause = cause;
  }
}

/** Sessions live in the database so that several app instances share them. */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {
    super();
  }

  /** Idle expiry, counted by the application's clock (the cookie's own expiry is the browser's). */
  private expiry(): Date {
    return new Date(this.clock.now().getTime() + IDLE_MS);
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    sessions.find(this.db, sid).then(
      (row) => {
        if (!row || row.expiresAt.getTime() <= this.clock.now().getTime()) return callback(null, null);
        callback(null, row.sess as session.SessionData);
      },
      (err: unknown) => callback(new SessionUnavailableError(err)),
    );
  }

  override set(sid: string, sess: session.SessionData, callback?: Done): void {
    settle(
      sessions.save(this.db, {
        sid,
        sess: JSON.stringify(sess),
        userId: sess.userId ?? null,
        expiresAt: this.expiry(),
      }),
      callback,
    );
  }

  /**
   * Extends the idle expiry as a response finishes. A failure is logged and not passed on: the page
   * has been answered, and the next request extends it again.
   */
  override touch(sid: string, _sess: session.SessionData, callback?: Done): void {
    sessions.extend(this.db, sid, this.expiry()).then(
      () => callback?.(),
      (err: unknown) => {
        this.logger?.warn({ err }, 'session expiry not extended');
        callback?.();
      },
    );
  }

  override destroy(sid: string, callback?: Done): void {
    settle(sessions.remove(this.db, sid), callback);
  }
}

export const SESSION_IDLE_MS = IDLE_MS;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

/** Removes expired sessions; run periodically by the server. */
export function pruneSessions(db: Db, clock: Clock): Promise<number> {
  return sessions.removeExpired(db, clock.now());
}
