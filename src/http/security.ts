import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { ForbiddenError } from './errors';

/** Security headers for every response, static files and errors included. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on form posts,
    // which the CSRF origin check must refuse. same-origin still never leaks a URL to another site.
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
  });
}

/** Pages built from case data must never be kept by a browser or proxy cache. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  next();
}

export class CsrfError extends ForbiddenError {
  constructor(readonly reason: string) {
    super('This form could not be accepted. Go back, reload the page and try again.');
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface PreSessionOptions {
  /** Signs the form token of visitors who are not signed in (the session secret). */
  secret: string;
  /** Secure cookies with the __Host- prefix (behind https). */
  secure: boolean;
}

/**
 * Small cookies for visitors who are not signed in, so that they never need a session row: the
 * nonce that the sign-in form's token is bound to, and the page to return to after signing in.
 */
export interface PreSessionCookies {
  get(name: string): string | undefined;
  set(name: string, value: string, maxAgeMs?: number): void;
  clear(name: string): void;
}

declare module 'express-serve-static-core' {
  interface Request {
    preSession: PreSessionCookies;
  }
}

function readCookie(req: Request, name: string): string | undefined {
  for (const pair of (req.get('cookie') ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function preSessionCookies(req: Request, res: Response, options: PreSessionOptions): PreSessionCookies {
  const fullName = (name: string) => (options.secure ? `__Host-asbrac.${name}` : `asbrac.${name}`);
  const attributes = { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/' } as const;
  return {
    get: (name) => readCookie(req, fullName(name)),
    set: (name, value, maxAgeMs) => res.cookie(fullName(name), value, { ...attributes, maxAge: maxAgeMs }),
    clear: (name) => res.clearCookie(fullName(name), attributes),
  };
}

const FORM_NONCE = 'form';

/** The token of a visitor who is not signed in: bound to a random nonce in their own cookie, signed. */
function preSessionToken(req: Request, secret: string, create: boolean): string | undefined {
  let nonce = req.preSession.get(FORM_NONCE);
  if (!nonce || !/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
    if (!create) return undefined;
    nonce = randomBytes(32).toString('base64url');
    req.preSession.set(FORM_NONCE, nonce);
  }
  return createHmac('sha256', secret).update(`csrf-form:${nonce}`).digest('base64url');
}

/**
 * The CSRF token for the forms of this page. A signed-in user's is kept in their session; a visitor
 * who is not signed in (the sign-in form, one-click attendance answers) gets one bound to a cookie
 * (the signed double-submit pattern), so that no session row is stored for anonymous visitors.
 */
export function csrfToken(req: Request, secret?: string): string {
  if (req.session.csrfToken) return req.session.csrfToken;
  if (!req.session.userId && secret) return preSessionToken(req, secret, true)!;
  req.session.csrfToken = randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function tokenMatches(req: Request, sent: unknown, secret: string): boolean {
  if (typeof sent !== 'string') return false;
  if (req.session.csrfToken) return sameToken(sent, req.session.csrfToken);
  if (req.session.userId) return false;
  const expected = preSessionToken(req, secret, false);
  return expected !== undefined && sameToken(sent, expected);
}

/**
 * Every state-changing request must come from this site (Sec-Fetch-Site and Origin, when the
 * browser sends them) and carry the session's token (synchroniser token pattern), or, before
 * signing in, the token bound to the visitor's cookie.
 */
export function csrfProtection(baseUrl: string, options: PreSessionOptions): RequestHandler {
  const allowedOrigin = new URL(baseUrl).origin;
  return (req, res, next) => {
    req.preSession = preSessionCookies(req, res, options);
    // Made only when a page with a form asks for it, so that requests without a form (health
    // checks, static-like routes, crawlers) set no cookie at all.
    Object.defineProperty(res.locals, 'csrfToken', {
      get: () => csrfToken(req, options.secret),
      configurable: true,
      enumerable: true,
    });
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') return next(new CsrfError('cross-site request'));
    const origin = req.get('origin');
    if (origin && origin !== allowedOrigin && origin !== `${req.protocol}://${req.get('host')}`) {
      return next(new CsrfError('foreign origin'));
    }
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
    if (!tokenMatches(req, sent, options.secret)) return next(new CsrfError('missing or wrong token'));
    next();
  };
}
