import type { Request } from 'express';
import type { Role } from '../db/schema';

/** The signed-in user as every layer sees them. */
export interface CurrentUser {
  id: number;
  name: string;
  email: string;
  role: Role;
  agencyId: number;
  agencyName: string;
  agencyShortName: string;
  /** Agencies for which this user is the single point of contact. */
  spocForAgencyId: number | null;
}

/** Who did something and from where: what an audit row needs, and nothing personal. */
export interface Actor {
  userId: number | null;
  agencyId: number | null;
  ip: string | null;
  requestId: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: CurrentUser;
  }
}

declare module 'express-session' {
  interface SessionData {
    userId: number;
    signedInAt: number;
    csrfToken: string;
    flash: { type: 'success' | 'important'; heading: string; body?: string };
  }
}

export function actorOf(req: Request): Actor {
  return {
    userId: req.user?.id ?? null,
    agencyId: req.user?.agencyId ?? null,
    ip: req.ip ?? null,
    requestId: requestIdOf(req),
  };
}

export function currentUser(req: Request): CurrentUser {
  if (!req.user) throw new Error('currentUser() called on a route that allows signed-out visitors');
  return req.user;
}

export function flash(req: Request, heading: string, type: 'success' | 'important' = 'success', body?: string): void {
  req.session.flash = { type, heading, body };
}

/** The request's id as pino-http assigned it (a string or a number), for the audit row and the error page. */
export function requestIdOf(req: Request): string | null {
  return typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : null;
}
