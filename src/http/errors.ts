import { parseId } from './forms';

/** The one family of HTTP errors. Services throw these; the central error handler renders them. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Page not found') {
    super(404, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'You do not have permission to see this page') {
    super(403, message);
  }
}

export class BadRequestError extends HttpError {
  constructor(message = 'The request could not be understood') {
    super(400, message);
  }
}

/**
 * A change the rules refuse, with a message for each field (or for the page, under `''`) that says
 * what to put right. A route showing a form catches it and shows the form again with what was typed
 * and these messages; anywhere else the error handler answers 400 with the first message.
 */
export class RefusedError extends HttpError {
  constructor(
    readonly fieldErrors: Record<string, string>,
    readonly reason?: string,
  ) {
    super(400, Object.values(fieldErrors)[0] ?? 'The change was refused');
    this.name = 'RefusedError';
  }
}

/** A save made against an old version of a record: refused so that nobody's work is silently lost. */
export class StaleVersionError extends HttpError {
  constructor(message = 'Someone else changed this record while you were editing it') {
    super(409, message);
  }
}

/** Parses a positive integer route parameter; anything else is an unknown id, so 404. */
export function idParam(value: unknown): number {
  const id = parseId(value);
  if (id === null) throw new NotFoundError();
  return id;
}
