// What a failed request means for the outbox (DESIGN-2 §2): try again by itself (transient), or
// stop and tell the user (refused for good). One pure function, so the outbox, the connector and
// the tests agree on the same table; the wait before the next try is full-jitter backoff that
// never undercuts the server's Retry-After.
import type { AppError } from './types.ts';
import { toAppError } from './errors.ts';
import { isApplicationGone, NetworkError, retryAfterMsOf, UcwaError } from '../ucwa/errors.ts';
import { backoffDelay } from '../machines/backoff.ts';

export type FailureKind =
  /** Network, timeout, 5xx, 429, token expiry, 409 AlreadyExists left by a dead instance…: wait, then again. */
  | 'transient'
  /** 404 ApplicationNotFound / 410 InactiveApplicationExpired: recreate the application, then again. */
  | 'applicationGone'
  /** 500 CallbackChannelError: park a fresh P-GET, then again. */
  | 'callbackChannel'
  /** Refused for good (declined, person not found, TooManyGroups, 409 None, 403, 410 CannotRedirect…). */
  | 'permanent';

export interface Failure {
  kind: FailureKind;
  error: AppError;
  /** The server's Retry-After, in ms, when it sent one. */
  retryAfterMs?: number;
}

const TRANSIENT_CODES = new Set<string>(['network', 'poolUnavailable', 'notSignedIn', 'continueCallbackChannel', 'continueAlreadyExists']);

export function classifyFailure(err: unknown): Failure {
  const error = toAppError(err);
  const retryAfterMs = retryAfterMsOf(err); // through the cause chain: an AppError keeps its UcwaError
  const out = (kind: FailureKind): Failure => (retryAfterMs !== undefined ? { kind, error, retryAfterMs } : { kind, error });
  if (err instanceof NetworkError) return out('transient'); // our own timeouts and aborts included
  if (err instanceof UcwaError) {
    if (isApplicationGone(err)) return out('applicationGone');
    if (err.is(500, 'CallbackChannelError')) return out('callbackChannel');
    if (err.is(409, 'AlreadyExists')) return out('transient'); // a dead instance's conversation: it expires
    if (err.status === 401 || err.status === 408 || err.status === 429) return out('transient');
    if (err.status >= 500 && err.status !== 501) return out('transient');
    return out('permanent');
  }
  // Everything else by what it means to the user (AppError, a sign-in error during token renewal…).
  // A bug or a store failure ('internal', 'storage') is never retried in a loop by itself.
  return out(TRANSIENT_CODES.has(error.code) ? 'transient' : 'permanent');
}

/** The wait before attempt `attempt` (0-based) of one item: full jitter, at least Retry-After. */
export function retryDelay(attempt: number, opts: { baseMs: number; maxMs: number; random: () => number; retryAfterMs?: number }): number {
  const d = backoffDelay(attempt, opts.baseMs, opts.maxMs, opts.random);
  return Math.max(d, opts.retryAfterMs ?? 0);
}

/** An invitation that ended without connecting: declined or not found is an answer; the rest is not. */
export function invitationFailureKind(reason: { code?: string; subcode?: string; message?: string } | null | undefined): 'transient' | 'permanent' {
  const sub = (reason?.subcode ?? '').toLowerCase();
  const code = (reason?.code ?? '').toLowerCase();
  if (sub === 'declined' || sub === 'donotdisturb' || sub === 'usernotfound' || sub === 'notfound' || code === 'forbidden') return 'permanent';
  if (code === 'notfound' && sub === '') return 'permanent';
  return 'transient';
}

/** A request that failed without an answer may still have been taken by the server — unless the
 * connection was refused or the host not found (nothing was sent). */
export function mayHaveReached(err: unknown): boolean {
  if (!(err instanceof NetworkError)) return false;
  if (err.kind === 'timeout') return true;
  if (err.kind === 'aborted') return false;
  let c: unknown = err.cause;
  for (let depth = 0; c && typeof c === 'object' && depth < 5; depth++, c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT') return false;
  }
  return true;
}
