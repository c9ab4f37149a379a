// Typed failures of the UCWA client. Everything below the app layer throws one of these; the app
// maps them to AppError (app/errors.ts) so the user reads one sentence, never a stack trace.

/** A UCWA (or proxy) error response: status plus the error body when it was JSON. */
export class UcwaError extends Error {
  readonly status: number;
  /** ErrorCode of the body, or a name derived from the status when the body was not JSON. */
  readonly code: string;
  readonly subcode: string | undefined;
  /** Seconds, from Retry-After. */
  readonly retryAfter: number | undefined;
  readonly url: string;
  constructor(init: { status: number; code: string; subcode?: string; message: string; retryAfter?: number; url: string }) {
    super(init.message);
    this.name = 'UcwaError';
    this.status = init.status;
    this.code = init.code;
    this.subcode = init.subcode;
    this.retryAfter = init.retryAfter;
    this.url = init.url;
  }
  is(status: number, subcode?: string): boolean {
    return this.status === status && (subcode === undefined || this.subcode === subcode);
  }
}

export type NetworkErrorKind = 'network' | 'timeout' | 'aborted';

/** No HTTP answer: refused, reset, DNS, TLS, or our own timeout/abort. */
export class NetworkError extends Error {
  readonly kind: NetworkErrorKind;
  readonly url: string;
  constructor(kind: NetworkErrorKind, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
    this.kind = kind;
    this.url = url;
  }
}

export type BadResponseKind = 'tooLarge' | 'malformed' | 'missingLink';

/** The server answered, but with something we cannot use (too big, not JSON, a link missing). */
export class BadResponseError extends Error {
  readonly kind: BadResponseKind;
  constructor(kind: BadResponseKind, message: string) {
    super(message);
    this.name = 'BadResponseError';
    this.kind = kind;
  }
}

export function isNetworkError(err: unknown): err is NetworkError {
  return err instanceof NetworkError && err.kind !== 'aborted';
}

export function isAbort(err: unknown): boolean {
  return err instanceof NetworkError && err.kind === 'aborted';
}

/** Application gone: recreate silently (404 ApplicationNotFound, 410 InactiveApplicationExpired). */
export function isApplicationGone(err: unknown): boolean {
  return err instanceof UcwaError && (err.is(404, 'ApplicationNotFound') || err.is(410, 'InactiveApplicationExpired'));
}
