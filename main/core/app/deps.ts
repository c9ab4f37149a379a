// What createMessengerService needs from its host. Everything with a side effect comes in here.
import type { SignInMethods } from '../ucwa/grants.ts';
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
  /** Parts of one batch of presence / note / location GETs (PROTOCOL.md §8.4); 1 = no batches. */
  presenceBatchParts?: number;
  /** How long a due GET waits for others to join its batch (the events of one P-GET answer come
   * within a tick; this also catches the ones a slow store write spreads over a few ms). */
  presenceBatchWindowMs?: number;
  /** Wait after a batch refused with 429 before its halves are tried (doubling; a Retry-After wins). */
  presenceBatchRetryMs?: number;
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
  /**
   * The photo folder (`<dataDir>/photos`): people's photos are cached there (files 0600, created on
   * the first photo). Without one, no photo is fetched and personPhoto answers null.
   */
  photoDir?: string;
  /**
   * Ask for the photos of the people listed (contact list, search results, an opened group) in the
   * background, once a session, so that their cards say whether there is one (default true: what
   * the app's windows show). A one-shot command (the CLI) turns it off and asks only for what it shows.
   */
  prefetchPhotos?: boolean;
  /**
   * Sign-in methods beyond the password grant that this program offers (PROTOCOL-2 §3.3–3.6): the
   * CLI's NTLM and browser sign-in, the app's Windows session, AD FS window and browser sign-in.
   */
  signInMethods?: SignInMethods;
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
  // 50, not the documented 100: the server counts 100 OUTSTANDING requests per user across all
  // batches (§8.4) — this application's other requests and the user's other endpoints (a phone, a
  // second PC) draw on the same budget, and going over by one fails the whole batch with 429 and
  // nothing executed. Half the budget leaves room for them (only one batch is in flight at a time,
  // app/batchGets.ts) while 1 000 people still take 20 requests instead of 1 000; a server with a
  // lower limit is found by the 429s (the batch size halves), so 100 is never assumed either.
  presenceBatchParts: 50,
  presenceBatchWindowMs: 10,
  presenceBatchRetryMs: 1000,
};
