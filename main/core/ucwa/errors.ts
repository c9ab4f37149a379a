// Typed failures of the UCWA client. Everything in ucwa/ throws one of these (never an app type);
// the app maps them to AppError (app/errors.ts) so the user reads one sentence, never a stack trace.

/** The longest wait a Retry-After may impose (a larger value is clamped to this). */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * A Retry-After header value (RFC 9110 §10.2.3) as milliseconds from `now`: delta-seconds ("120")
 * or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"; a date already past is 0). Clamped to
 * [0, MAX_RETRY_AFTER_MS]; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    // Only a date that names a weekday or month and a time, never a bare number or garbage.
    if (!/[a-z]{3}/i.test(v) || !/\d{1,2}:\d{2}/.test(v)) return undefined;
    const at = Date.parse(v);
    if (!Number.isFinite(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** A UCWA (or proxy) error response: status plus the error body when it was JSON. */
export class UcwaError extends Error {
  readonly status: number;
  /** ErrorCode of the body, or a name derived from the status when the body was not JSON. */
  readonly code: string;
  readonly subcode: string | undefined;
  /** Seconds, from Retry-After (either form; rounded up). Kept for compatibility: prefer retryAfterMs. */
  readonly retryAfter: number | undefined;
  /** Milliseconds to wait before trying again, from Retry-After (either form), at most MAX_RETRY_AFTER_MS. */
  readonly retryAfterMs: number | undefined;
  readonly url: string;
  constructor(init: { status: number; code: string; subcode?: string; message: string; retryAfter?: number; retryAfterMs?: number; url: string }) {
    super(init.message);
    this.name = 'UcwaError';
    this.status = init.status;
    this.code = init.code;
    this.subcode = init.subcode;
    const ms = init.retryAfterMs ?? (init.retryAfter !== undefined ? init.retryAfter * 1000 : undefined);
    this.retryAfterMs = ms === undefined || !Number.isFinite(ms) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
    this.retryAfter = init.retryAfter ?? (this.retryAfterMs !== undefined ? Math.ceil(this.retryAfterMs / 1000) : undefined);
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

/**
 * The wait the server asked for (Retry-After, in ms) anywhere in an error's cause chain — a
 * UcwaError, or an error wrapping one (AppError keeps it as its cause). Undefined when none did.
 */
export function retryAfterMsOf(err: unknown): number | undefined {
  let c: unknown = err;
  for (let depth = 0; c && typeof c === 'object' && depth < 5; depth++, c = (c as { cause?: unknown }).cause) {
    const ms = (c as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return Math.min(MAX_RETRY_AFTER_MS, ms);
  }
  return undefined;
}

/** What the client refuses or concludes on its own while signing in or following links. */
export type SignInErrorCode =
  | 'wrongPassword' // the token service said invalid_grant
  | 'serverNotFound' // autodiscovery found no UCWA server (or too many redirects)
  | 'certificate' // the server named by the user has a certificate this computer does not trust
  | 'network' // the server named by the user cannot be reached
  | 'poolUnavailable' // too many pool redirects
  | 'insecureUrl' // http:// to a non-loopback host, a link outside the user's domain or the token's origin
  | 'invalidInput' // not a server address, not a SIP address
  | 'methodNotOffered' // the server offers no sign-in method this app (or this front end) can use
  | 'signInCancelled' // the user closed the organisation's sign-in page (or the browser said access_denied)
  | 'accountLocked' // the identity provider said the account is locked or disabled
  | 'mfaFailed' // the second step (a code, an approval) failed or timed out
  | 'server'; // the sign-in service refused the request, or does not allow password sign-in

/**
 * A sign-in or hypermedia-guard failure decided in ucwa/, with the sentence the user reads. The
 * code values are those of the app's AppErrorCode, so the app maps it one to one (app/errors.ts).
 */
export class SignInError extends Error {
  readonly code: SignInErrorCode;
  /** HTTP status and UCWA error code when the server's answer caused it (wrongPassword: 400 invalid_grant). */
  readonly status: number | undefined;
  readonly ucwaCode: string | undefined;
  constructor(init: { code: SignInErrorCode; message: string; status?: number; ucwaCode?: string }, options?: { cause?: unknown }) {
    super(init.message, options);
    this.name = 'SignInError';
    this.code = init.code;
    this.status = init.status;
    this.ucwaCode = init.ucwaCode;
  }
}
