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
  /** Renew each presence subscription this long after it was made or last renewed (they last 30 min;
   * the server's "about to expire" event renews earlier when it comes first). */
  presenceRenewMs?: number;
  /** Refresh the contacts-and-groups subscription this often (it lasts 30 min too). */
  contactsRefreshMs?: number;
  /** Parallel GETs of people's presence / note / location. */
  presenceFetchConcurrency?: number;
  /** After a change of who is watched (search results typed, a conversation opened), wait this long
   * for more changes before adding or removing subscription members. */
  presenceWatchDelayMs?: number;
}

/**
 * Where a photo cache plugs in (photos.ts): the people layer tells it every contact's photo link as
 * this application learns them (contact list, search), and when the links go stale (a new
 * application). Optional: without one, no photo is fetched.
 */
export interface PhotoPort {
  photoLink(sip: string, href: string): void;
  reset(): void;
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
  /** The photo cache, when the host has one. */
  photos?: PhotoPort;
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
  presenceRenewMs: 25 * 60_000,
  contactsRefreshMs: 25 * 60_000,
  presenceFetchConcurrency: 8,
  presenceWatchDelayMs: 100,
};
