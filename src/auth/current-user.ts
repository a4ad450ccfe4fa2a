import type { RequestHandler } from 'express';
import type { Db } from '../db/database';
import type { Clock } from '../clock';
import { recordAudit } from '../audit/audit';
import { actorOf } from '../http/context';
import { ForbiddenError } from '../http/errors';
import type { Access } from '../http/routes';
import { allows } from '../http/routes';
import { userWithAgency } from '../users/users.service';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, type DatabaseSessionStore } from './session-store';
import { regenerateSession } from './session-calls';

/** The cookie holding the page a signed-out visitor asked for: a cookie, so that they need no session row. */
export const RETURN_TO = 'return-to';

/** Ends the signed-in session but leaves the request a fresh, empty one to continue with. */
const endSession = regenerateSession;

/**
 * Loads the signed-in user for the request, ending sessions past their absolute lifetime. The user
 * is the one `store` read with the session, or read now when it has none for this request.
 */
export function loadCurrentUser(
  db: Db,
  clock: Clock,
  store: Pick<DatabaseSessionStore, 'signedInUser'>,
): RequestHandler {
  return async (req, res, next) => {
    const { userId, signedInAt } = req.session;
    if (!userId) return next();
    if (!signedInAt || clock.now().getTime() - signedInAt > SESSION_ABSOLUTE_MS) {
      await endSession(req);
      return next();
    }
    const row = store.signedInUser(req.sessionID, userId) ?? (await userWithAgency(db, userId));
    if (!row || !row.active || !row.agencyActive) {
      await endSession(req);
      return next();
    }
    req.user = {
      id: row.id,
      name: row.name,
      email: row.email,
      role: row.role,
      agencyId: row.agencyId,
      agencyName: row.agencyName,
      agencyShortName: row.agencyShortName,
      spocForAgencyId: row.spocUserId === row.id ? row.agencyId : null,
    };
    res.locals.currentUser = req.user;
    next();
  };
}

/** Enforces a route's declared access. Signed-out visitors go to sign in; others are refused and audited. */
export function authorize(db: Db, access: Access, routePath: string): RequestHandler {
  return async (req, res, next) => {
    if (access === 'public') return next();
    if (!req.user) {
      if (req.method === 'GET') req.preSession.set(RETURN_TO, req.originalUrl, SESSION_IDLE_MS);
      return res.redirect(303, '/login');
    }
    if (allows(access, req.user.role)) return next();
    await recordAudit(db, actorOf(req), {
      action: 'access.denied',
      outcome: 'denied',
      details: { method: req.method, route: routePath },
    });
    throw new ForbiddenError();
  };
}
