import type { NextFunction, Request, Response } from 'express';
import { parse as parseQueryString } from 'node:querystring';
import { HttpError } from './errors';
import { withoutControlCharacters } from './forms';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A post that is not a form: the app has no JSON or text API, so it is refused before anything reads it. */
export class UnsupportedBodyError extends HttpError {
  constructor() {
    super(415, 'This address only accepts forms sent from its pages. Go back, reload the page and try again.');
  }
}

/**
 * Every state-changing request must be a form post (`application/x-www-form-urlencoded`): JSON,
 * text, other types and posts with no body are answered 415 before a session or a handler sees them.
 */
export function formBodiesOnly(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || req.is('application/x-www-form-urlencoded')) return next();
  next(new UnsupportedBodyError());
}

/**
 * Null bytes and other control characters (line breaks and tabs apart) are removed from every
 * field posted, everywhere: PostgreSQL refuses a null byte in text, and none belongs in a record.
 */
export function stripControlCharacters(req: Request, _res: Response, next: NextFunction): void {
  if (req.body !== undefined) req.body = withoutControlCharacters(req.body as unknown);
  next();
}

/** The query string parsed as Express's "simple" parser does, without control characters. */
export function queryWithoutControlCharacters(query: string): Record<string, unknown> {
  return withoutControlCharacters({ ...parseQueryString(query) });
}

/** Paths whose last segment is a secret (a one-click attendance token): logged without it. */
const SECRET_PATHS = /^(\/attend\/)[^/?#]+/;

/** A request's path as the log may keep it: no query string, no token. */
export function redactedPath(url: string): string {
  return url.split('?')[0].replace(SECRET_PATHS, '$1[redacted]');
}
