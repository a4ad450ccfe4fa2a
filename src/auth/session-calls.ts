import type { Request } from 'express';

/** express-session reports failures through callbacks with an untyped error: this makes it a promise of an Error. */
function settle(call: (callback: (err: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) =>
    call((err) => {
      if (!err) resolve();
      else reject(err instanceof Error ? err : new Error('The session store failed', { cause: err }));
    }),
  );
}

/** A new session id for the request (sign-in), the old session's data dropped. */
export function regenerateSession(req: Request): Promise<void> {
  return settle((callback) => req.session.regenerate(callback));
}

/**
 * Stores the session now. Left to itself, express-session sends a redirect's headers before the
 * session row is written, so the browser can ask for the next page before it is signed in.
 */
export function saveSession(req: Request): Promise<void> {
  return settle((callback) => req.session.save(callback));
}

export function destroySession(req: Request): Promise<void> {
  return settle((callback) => req.session.destroy(callback));
}
