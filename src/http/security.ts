import { randomBytes, timingSafeEqual } from 'node:crypto';
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

/** The CSRF token of this session, created on first use. */
export function csrfToken(req: Request): string {
  if (!req.session.csrfToken) req.session.csrfToken = randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every state-changing request must come from this site (Sec-Fetch-Site and Origin, when the
 * browser sends them) and carry the session's token (synchroniser token pattern).
 */
export function csrfProtection(baseUrl: string): RequestHandler {
  const allowedOrigin = new URL(baseUrl).origin;
  return (req, res, next) => {
    // Made only when a page with a form asks for it, so that requests without a form (health
    // checks, static-like routes, crawlers) never create a session row.
    Object.defineProperty(res.locals, 'csrfToken', { get: () => csrfToken(req), configurable: true, enumerable: true });
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') return next(new CsrfError('cross-site request'));
    const origin = req.get('origin');
    if (origin && origin !== allowedOrigin && origin !== `${req.protocol}://${req.get('host')}`) {
      return next(new CsrfError('foreign origin'));
    }
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
    if (typeof sent !== 'string' || !req.session.csrfToken || !sameToken(sent, req.session.csrfToken)) {
      return next(new CsrfError('missing or wrong token'));
    }
    next();
  };
}
