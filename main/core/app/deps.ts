// What createMessengerService needs from its host. Everything with a side effect comes in here.
import type { FetchLike, LogFn } from '../ucwa/transport.ts';
import type { Store } from '../store/types.ts';
import type { Secrets } from '../secrets/types.ts';

export interface ServiceTiming {
  /** reportMyActivity period while the user is active (< 4 min). */
  reportActivityMs?: number;
  /** Idle seconds (or locked) before the presence goes Away. */
  awayAfterSec?: number;
  typingThrottleMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Wait this long after a conversation ends before looking for its log (Exchange is slow). */
  syncAfterConversationEndMs?: number;
  /** P-GET `timeout` parameter in seconds (server range 180..1800). */
  eventTimeoutSec?: number;
  /** Client-side limit of one P-GET; must exceed the server's release time. */
  pgetClientTimeoutMs?: number;
  /** Local safety timeout of an invitation (the server's own is ~30 s). */
  invitationTimeoutMs?: number;
  /** Timeout of ordinary requests. */
  requestTimeoutMs?: number;
  /** After a CallbackChannelError, how long to wait for the restarted channel before retrying. */
  channelRestartWaitMs?: number;
  /** History sync: parallel log fetches. */
  syncConcurrency?: number;
  /** conversationLogs `limit`. */
  syncLogLimit?: number;
}

export interface MessengerDeps {
  fetch: FetchLike;
  store: Store;
  secrets?: Secrets;
  /** Stable per install (UCWA: one endpointId per running app instance for this user). */
  endpointId: string;
  userAgent?: string;
  culture?: string;
  /** ms since epoch (tests may inject a fake). */
  clock?: () => number;
  timing?: ServiceTiming;
  /** Jitter source for reconnect backoff (tests make it deterministic). */
  random?: () => number;
  log?: LogFn;
  /** Advertise Html in makeMeAvailable (default true). */
  html?: boolean;
}

export const defaultTiming: Required<ServiceTiming> = {
  reportActivityMs: 3 * 60_000,
  awayAfterSec: 5 * 60,
  typingThrottleMs: 3000,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  syncAfterConversationEndMs: 15_000,
  eventTimeoutSec: 180,
  pgetClientTimeoutMs: 210_000,
  invitationTimeoutMs: 45_000,
  requestTimeoutMs: 30_000,
  channelRestartWaitMs: 1500,
  syncConcurrency: 6,
  syncLogLimit: 1000,
};
