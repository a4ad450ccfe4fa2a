import session from 'express-session';
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { HttpError } from '../http/errors';
import type { Clock } from '../clock';
import type { UserWithAgency } from '../users/user-columns';
import * as sessions from './sessions.repository';

const IDLE_MS = 30 * 60 * 1000;
/**
 * A request extends the idle expiry only when that moves it by at least this much: a busy user
 * writes their session once a minute, not on every page, and is signed out at most this much early.
 */
export const SESSION_TOUCH_AFTER_MS = 60 * 1000;
/** Expiries this process last read or wrote, and users read with sessions, per session id; forgotten oldest first past this many. */
const KNOWN_SESSIONS = 10_000;

/** Sets `key` to `value` as the newest entry of `map`, forgetting the oldest past KNOWN_SESSIONS. */
function remember<V>(map: Map<string, V>, key: string, value: V | undefined): void {
  map.delete(key);
  if (value === undefined) return;
  map.set(key, value);
  if (map.size > KNOWN_SESSIONS) map.delete(map.keys().next().value!);
}

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
  readonly #knownExpiry = new Map<string, number>();
  readonly #usersRead = new Map<string, UserWithAgency>();

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

  /** Notes the expiry the database holds for a session (another instance may since have moved it later). */
  private know(sid: string, expiresAt: number | undefined): void {
    remember(this.#knownExpiry, sid, expiresAt);
  }

  /**
   * The user, with their agency, that session `sid` was signed in as when this request read it, in
   * the same statement as the session; given once, and only when it is the user the session names.
   */
  signedInUser(sid: string, userId: number): UserWithAgency | undefined {
    const user = this.#usersRead.get(sid);
    this.#usersRead.delete(sid);
    return user?.id === userId ? user : undefined;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    sessions.findWithUser(this.db, sid).then(
      (row) => {
        if (!row || row.expiresAt.getTime() <= this.clock.now().getTime()) {
          this.know(sid, undefined);
          remember(this.#usersRead, sid, undefined);
          return callback(null, null);
        }
        this.know(sid, row.expiresAt.getTime());
        remember(this.#usersRead, sid, row.user);
        callback(null, row.sess as session.SessionData);
      },
      (err: unknown) => callback(new SessionUnavailableError(err)),
    );
  }

  override set(sid: string, sess: session.SessionData, callback?: Done): void {
    const expiresAt = this.expiry();
    settle(
      sessions
        .save(this.db, { sid, sess: JSON.stringify(sess), userId: sess.userId ?? null, expiresAt })
        .then(() => this.know(sid, expiresAt.getTime())),
      callback,
    );
  }

  /**
   * Extends the idle expiry as a response finishes. A failure is logged and not passed on: the page
   * has been answered, and the next request extends it again.
   */
  override touch(sid: string, _sess: session.SessionData, callback?: Done): void {
    const expiresAt = this.expiry();
    const known = this.#knownExpiry.get(sid);
    if (known !== undefined && expiresAt.getTime() - known < SESSION_TOUCH_AFTER_MS) return void callback?.();
    sessions.extend(this.db, sid, expiresAt).then(
      () => {
        this.know(sid, expiresAt.getTime());
        callback?.();
      },
      (err: unknown) => {
        this.logger?.warn({ err }, 'session expiry not extended');
        callback?.();
      },
    );
  }

  override destroy(sid: string, callback?: Done): void {
    this.know(sid, undefined);
    remember(this.#usersRead, sid, undefined);
    settle(sessions.remove(this.db, sid), callback);
  }
}

export const SESSION_IDLE_MS = IDLE_MS;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

/** Removes expired sessions; run periodically by the server. */
export function pruneSessions(db: Db, clock: Clock): Promise<number> {
  return sessions.removeExpired(db, clock.now());
}
