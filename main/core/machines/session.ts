// Session machine (DESIGN.md §4, issue 9 item 3). The work of each step is an injected promise
// actor (the service provides real UCWA calls, tests provide fakes), so the machine holds only
// decisions, and imports nothing of the app (it owns SessionStatus and its error shape):
// signedOut → discovering → authenticating → creatingApplication → makingAvailable → online
// { reportMyActivity on every tick, whether or not the user is active — the server expires an
//   application that stops reporting; Away when idle or locked (presence only) }
// online → reauthenticating (token renewal) → online; online → recreatingApplication (404
// ApplicationNotFound / 410 InactiveApplicationExpired) → online; online → reconnecting (backoff
// with full jitter, never shorter than the server's Retry-After, then a probe) → online;
// online / reauthenticating / reconnecting → discovering on REDISCOVER (a P-GET refused with 403 or
// another unexpected 4xx: "clear the cache and start autodiscovery again"); signOut → signingOut
// (DELETE application) → signedOut.
// A persistent sign-in (the remembered account at launch, or a session that has been online) that
// fails on something transient (network, pool unavailable, 5xx, timeout) goes to retryingSignIn
// (SessionStatus 'reconnecting': backoff with full jitter, then discovering again, or at once on
// NUDGE) instead of error; an interactive sign-in still fails fast with the reason.
//
// Never "online" while deaf, and no flapping:
// - The backoff attempt counter starts over only on CHANNEL_HEALTHY (the event channel has delivered
//   normally for a while) or a new SIGN_IN, never merely because a probe succeeded: a session whose
//   P-GET keeps failing waits 1 s, 2 s, … 60 s between tries instead of bouncing online/reconnecting.
// - A channel failure (NETWORK_LOST, APPLICATION_GONE, REDISCOVER) reported while the application is
//   being created, made available or recreated is noted (context.pendingLoss) and acted on when
//   that step is done: reconnecting (whose probe finds a gone application) or rediscovering instead
//   of online. FATAL there is an error at once.
// - REDISCOVER goes straight to discovering the first time; again before the channel has been
//   healthy, it waits its backoff in retryingSignIn first (no tight loop of new applications).
import { and, assign, fromPromise, setup } from 'xstate';
import { backoffDelay } from './backoff.ts';

/** The session's states as the UI names them (app/types.ts re-exports it). */
export type SessionStatus =
  | 'signedOut'
  | 'discovering'
  | 'authenticating'
  | 'creatingApplication'
  | 'makingAvailable'
  | 'online'
  | 'reauthenticating'
  | 'recreatingApplication'
  | 'reconnecting'
  | 'signingOut'
  | 'error';

/**
 * The machine's view of a failure: structural, so any error with a code and a message fits (the app
 * sends its AppErrorShape; the code values are the app's, the machine compares a few of them).
 */
export interface SessionError {
  code: string;
  message: string;
  status?: number;
  ucwaCode?: string;
  subcode?: string;
}

/** The longest Retry-After the machine honours (ucwa/ bounds it the same way). */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface SessionTiming {
  reportActivityMs: number; // < 4 min
  awayAfterSec: number; // idle this long (or locked) → Away
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const defaultSessionTiming: SessionTiming = {
  reportActivityMs: 3 * 60_000,
  awayAfterSec: 5 * 60,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
};

export type ProbeResult = 'ok' | 'applicationGone';

/** A channel failure noted while the application was being set up, acted on when that step is done. */
export type PendingLoss = 'reconnect' | 'rediscover';

export interface SessionContext {
  timing: SessionTiming;
  random: () => number;
  /** Backoff attempts since the channel was last healthy (or since SIGN_IN). */
  attempt: number;
  retryDelayMs: number;
  /** The server's Retry-After (ms) the next armed retry must not undercut; 0 once used. */
  retryAfterMs: number;
  /** A transient failure while signing in means retry (retryingSignIn), not error. */
  persistent: boolean;
  error: SessionError | null;
  /** See PendingLoss; null outside creatingApplication / makingAvailable / recreatingApplication. */
  pendingLoss: PendingLoss | null;
  idleSec: number;
  locked: boolean;
  away: boolean;
}

export type SessionEvent =
  | { type: 'SIGN_IN'; persistent?: boolean }
  | { type: 'SIGN_OUT' }
  | { type: 'RENEWING' }
  | { type: 'RENEWED' }
  | { type: 'APPLICATION_GONE' }
  /** The channel or a request failed on the network / a 5xx / 429: reconnect with backoff, and wait at
   * least `retryAfterMs` (the server's Retry-After; also read from `error`'s cause chain). */
  | { type: 'NETWORK_LOST'; error?: SessionError; retryAfterMs?: number }
  /** The P-GET was refused (403, or a 4xx other than 404 ApplicationNotFound / 409 PGetReplaced /
   * 410): sign in again from discovery, keeping the sign-in persistent. */
  | { type: 'REDISCOVER'; error?: SessionError; retryAfterMs?: number }
  /** The event channel has delivered normally for a while: the backoff starts over. */
  | { type: 'CHANNEL_HEALTHY' }
  | { type: 'FATAL'; error: SessionError }
  | { type: 'IDLE'; idleSec: number; locked: boolean; awayAfterSec?: number }
  | { type: 'NUDGE' };

/** Errors from actors are SessionError-like; 'network' errors while online mean reconnect. */
function errorShape(err: unknown): SessionError {
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const e = err as SessionError;
    return { code: e.code, message: e.message, status: e.status, ucwaCode: e.ucwaCode, subcode: e.subcode };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** A finite, non-negative wait, bounded by MAX_RETRY_AFTER_MS; 0 for anything else. */
function boundedWait(ms: unknown): number {
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? Math.min(MAX_RETRY_AFTER_MS, ms) : 0;
}

/** The server's Retry-After (`retryAfterMs`, ms) on an error or anywhere in its cause chain; 0 if none. */
export function retryAfterOfError(err: unknown): number {
  let c: unknown = err;
  for (let depth = 0; c && typeof c === 'object' && depth < 5; depth++, c = (c as { cause?: unknown }).cause) {
    const ms = boundedWait((c as { retryAfterMs?: unknown }).retryAfterMs);
    if (ms > 0) return ms;
  }
  return 0;
}

/** The Retry-After an event carries: its own `retryAfterMs`, else its error's. */
function retryAfterOfEvent(event: { retryAfterMs?: unknown; error?: unknown }): number {
  return boundedWait(event.retryAfterMs) || retryAfterOfError(event.error);
}

/** A NetworkError (DNS, refused, reset, timeout — not an abort) somewhere in the cause chain. */
function causedByNetwork(err: unknown): boolean {
  let c: unknown = err;
  for (let depth = 0; c && typeof c === 'object' && depth < 5; depth++, c = (c as { cause?: unknown }).cause) {
    const e = c as { name?: unknown; kind?: unknown };
    if (e.name === 'NetworkError' && e.kind !== 'aborted') return true;
  }
  return false;
}

/**
 * Worth trying again later rather than an error screen: the network is down or the pool is
 * unavailable (network — timeouts included —, poolUnavailable, 5xx other than 500
 * CallbackChannelError and 501), or autodiscovery found nothing because nothing could be reached
 * (serverNotFound caused by a network error: DNS fails while offline). Never a wrong password, an
 * untrusted certificate, an insecure URL, too many applications or a refused user agent.
 */
export function isTransientError(err: unknown): boolean {
  const e = errorShape(err);
  switch (e.code) {
    case 'network':
    case 'poolUnavailable':
      return true;
    case 'server':
      return e.status !== undefined && e.status >= 500 && e.status !== 501 && !(e.status === 500 && e.subcode === 'CallbackChannelError');
    case 'serverNotFound':
      return causedByNetwork(err);
    default:
      return false;
  }
}

const transient = ({ event }: { event: { error?: unknown } }) => isTransientError(event.error);
/** A persistent sign-in failing on something transient: retry with backoff instead of error. */
const retrySignIn = ({ context, event }: { context: SessionContext; event: { error?: unknown } }) =>
  context.persistent && isTransientError(event.error);
const isAppGone = ({ event }: { event: { error?: unknown } }) => {
  const e = errorShape(event.error);
  return e.code === 'server' && (e.subcode === 'ApplicationNotFound' || e.subcode === 'InactiveApplicationExpired');
};

/** The error an event carries (kept: the last reason, for the UI) and the Retry-After to honour. */
function noteOf(context: SessionContext, event: SessionEvent): Pick<SessionContext, 'error' | 'retryAfterMs'> {
  const e = event as { error?: SessionError; retryAfterMs?: number };
  return { error: e.error ? errorShape(e.error) : context.error, retryAfterMs: Math.max(context.retryAfterMs, retryAfterOfEvent(e)) };
}

/** A sign-in step failed: a persistent sign-in retries transient failures, anything else is an error. */
function signInFailed() {
  return [
    { guard: retrySignIn, target: 'retryingSignIn', actions: 'noteError' },
    { target: 'error', actions: 'noteError' },
  ] as const;
}

/**
 * REDISCOVER: sign in again from discovery, kept persistent — at once the first time since the
 * channel was healthy, after the backoff (retryingSignIn) when it repeats.
 */
function rediscover() {
  return [
    { guard: 'firstTry', target: 'discovering', actions: ['noteEventError', 'stopAll', 'countRediscovery'] },
    { target: 'retryingSignIn', actions: ['noteEventError', 'keepPersistent'] },
  ] as const;
}

/** The end of a set-up step (makingAvailable, recreatingApplication): online unless a loss was noted. */
function setUpDone() {
  return [
    { guard: and(['pendingRediscover', 'firstTry']), target: 'discovering', actions: ['stopAll', 'countRediscovery'] },
    { guard: 'pendingRediscover', target: 'retryingSignIn', actions: 'keepPersistent' },
    { guard: 'pendingReconnect', target: 'reconnecting' },
    { target: 'online' },
  ] as const;
}

/** While the application is being set up, a channel failure waits for the step to finish; FATAL does not. */
const noteLossWhileSettingUp = {
  NETWORK_LOST: { actions: 'notePendingReconnect' },
  APPLICATION_GONE: { actions: 'notePendingReconnect' },
  REDISCOVER: { actions: 'notePendingRediscover' },
  FATAL: { target: 'error', actions: 'noteEventError' },
} as const;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as { timing?: Partial<SessionTiming>; random?: () => number },
  },
  actors: {
    discover: fromPromise<void>(async () => undefined),
    authenticate: fromPromise<void>(async () => undefined),
    createApplication: fromPromise<void>(async () => undefined),
    makeAvailable: fromPromise<void>(async () => undefined),
    recreateApplication: fromPromise<void>(async () => undefined),
    probe: fromPromise<ProbeResult>(async () => 'ok'),
    deleteApplication: fromPromise<void>(async () => undefined),
  },
  actions: {
    // The host reports idle time with the user's own Away threshold (a setting that can change).
    noteIdle: assign(({ context, event }) => {
      if (event.type !== 'IDLE') return {};
      const awayAfterSec = event.awayAfterSec !== undefined && Number.isFinite(event.awayAfterSec) && event.awayAfterSec > 0
        ? event.awayAfterSec : context.timing.awayAfterSec;
      return { idleSec: event.idleSec, locked: event.locked, timing: { ...context.timing, awayAfterSec } };
    }),
    startSignIn: assign(({ event }) => ({
      error: null,
      attempt: 0,
      retryAfterMs: 0,
      pendingLoss: null,
      persistent: event.type === 'SIGN_IN' && event.persistent === true,
    })),
    // An actor's error (xstate.error.actor.*), with the Retry-After in its cause chain.
    noteError: assign(({ context, event }) => {
      const error = (event as { error?: unknown }).error;
      return { error: errorShape(error), retryAfterMs: Math.max(context.retryAfterMs, retryAfterOfError(error)) };
    }),
    // NETWORK_LOST / REDISCOVER / FATAL: the error the event carries (if any) and its Retry-After.
    noteEventError: assign(({ context, event }) => noteOf(context, event)),
    // A loss while setting up; a noted rediscovery wins over a reconnection.
    notePendingReconnect: assign(({ context, event }) => ({
      pendingLoss: context.pendingLoss ?? 'reconnect',
      ...noteOf(context, event),
    })),
    notePendingRediscover: assign(({ context, event }) => ({ pendingLoss: 'rediscover' as const, ...noteOf(context, event) })),
    clearPending: assign({ pendingLoss: null }),
    keepPersistent: assign({ persistent: true }),
    // Going straight to discovering counts as an attempt: the next REDISCOVER backs off.
    countRediscovery: assign(({ context }) => ({ persistent: true, attempt: context.attempt + 1 })),
    resetBackoff: assign({ attempt: 0 }),
    armRetry: assign(({ context }) => ({
      // Full-jitter backoff, never shorter than what the server asked for (then forgotten).
      retryDelayMs: Math.max(backoffDelay(context.attempt, context.timing.backoffBaseMs, context.timing.backoffMaxMs, context.random), context.retryAfterMs),
      retryAfterMs: 0,
      attempt: context.attempt + 1,
    })),
    // Overridden by the service; no-ops keep the machine testable on its own.
    reportActivity: () => undefined,
    goAway: () => undefined,
    comeBack: () => undefined,
    enterOnline: () => undefined,
    leaveOnline: () => undefined,
    stopAll: () => undefined,
  },
  guards: {
    firstTry: ({ context }) => context.attempt === 0,
    pendingReconnect: ({ context }) => context.pendingLoss === 'reconnect',
    pendingRediscover: ({ context }) => context.pendingLoss === 'rediscover',
    shouldBeAway: ({ context }) => !context.away && (context.locked || context.idleSec > context.timing.awayAfterSec),
    shouldComeBack: ({ context }) => context.away && !context.locked && context.idleSec <= context.timing.awayAfterSec,
  },
  delays: {
    reportActivityMs: ({ context }) => context.timing.reportActivityMs,
    retryDelay: ({ context }) => context.retryDelayMs,
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({
    timing: { ...defaultSessionTiming, ...input.timing },
    random: input.random ?? Math.random,
    attempt: 0,
    retryDelayMs: 0,
    retryAfterMs: 0,
    persistent: false,
    error: null,
    pendingLoss: null,
    idleSec: 0,
    locked: false,
    away: false,
  }),
  initial: 'signedOut',
  on: {
    IDLE: { actions: 'noteIdle' },
  },
  states: {
    signedOut: {
      entry: 'stopAll',
      on: { SIGN_IN: { target: 'discovering', actions: 'startSignIn' } },
    },
    // Invokes have explicit ids, so their events are xstate.done.actor.<id> / xstate.error.actor.<id>.
    discovering: {
      invoke: {
        id: 'discover',
        src: 'discover',
        onDone: 'authenticating',
        onError: signInFailed(),
      },
      on: { SIGN_OUT: 'signedOut' },
    },
    authenticating: {
      invoke: {
        id: 'authenticate',
        src: 'authenticate',
        onDone: 'creatingApplication',
        onError: signInFailed(),
      },
      on: { SIGN_OUT: 'signedOut' },
    },
    // From here to online, the application's event channel runs: its failures are noted (pendingLoss).
    creatingApplication: {
      entry: 'clearPending',
      invoke: {
        id: 'createApplication',
        src: 'createApplication',
        onDone: 'makingAvailable',
        onError: signInFailed(),
      },
      on: { SIGN_OUT: 'signingOut', ...noteLossWhileSettingUp },
    },
    makingAvailable: {
      invoke: {
        id: 'makeAvailable',
        src: 'makeAvailable',
        onDone: setUpDone(),
        onError: [{ guard: isAppGone, target: 'recreatingApplication' }, ...signInFailed()],
      },
      on: { SIGN_OUT: 'signingOut', ...noteLossWhileSettingUp },
    },
    // A persistent sign-in that failed on something transient: wait (backoff with full jitter,
    // 1 s → 60 s; re-armed on entry) and sign in again from discovery, at once on NUDGE (resume,
    // network change). The last error stays in the context for the UI.
    retryingSignIn: {
      entry: ['stopAll', 'armRetry'],
      after: { retryDelay: 'discovering' },
      on: {
        NUDGE: 'discovering',
        SIGN_IN: { target: 'discovering', actions: 'startSignIn' },
        SIGN_OUT: 'signedOut',
      },
    },
    online: {
      // A session that has been online retries a later sign-in (from retryingSignIn) on its own.
      // The attempt counter is NOT reset here: only CHANNEL_HEALTHY does (see the top of the file).
      entry: [assign({ error: null, persistent: true, pendingLoss: null, retryAfterMs: 0 }), 'enterOnline'],
      exit: 'leaveOnline',
      type: 'parallel',
      states: {
        activity: {
          initial: 'ticking',
          states: {
            ticking: {
              // Re-armed on entry: a restored session starts a fresh timer instead of a stale one.
              // Every tick, active or not: the server expires an application that reports nothing.
              after: {
                reportActivityMs: { actions: 'reportActivity', target: 'ticking', reenter: true },
              },
            },
          },
        },
        presence: {
          initial: 'auto',
          states: {
            auto: {
              on: {
                IDLE: {
                  actions: [
                    'noteIdle',
                  ],
                  target: 'check',
                },
              },
            },
            check: {
              always: [
                { guard: 'shouldBeAway', actions: [assign({ away: true }), 'goAway'], target: 'auto' },
                { guard: 'shouldComeBack', actions: [assign({ away: false }), 'comeBack', 'reportActivity'], target: 'auto' },
                { target: 'auto' },
              ],
            },
          },
        },
      },
      on: {
        RENEWING: 'reauthenticating',
        APPLICATION_GONE: 'recreatingApplication',
        NETWORK_LOST: { target: 'reconnecting', actions: 'noteEventError' },
        REDISCOVER: rediscover(),
        CHANNEL_HEALTHY: { actions: 'resetBackoff' },
        FATAL: { target: 'error', actions: 'noteEventError' },
        SIGN_OUT: 'signingOut',
      },
    },
    reauthenticating: {
      on: {
        RENEWED: 'online',
        APPLICATION_GONE: 'recreatingApplication',
        NETWORK_LOST: { target: 'reconnecting', actions: 'noteEventError' },
        REDISCOVER: rediscover(),
        CHANNEL_HEALTHY: { actions: 'resetBackoff' },
        FATAL: { target: 'error', actions: 'noteEventError' },
        SIGN_OUT: 'signingOut',
      },
    },
    recreatingApplication: {
      entry: 'clearPending',
      invoke: {
        id: 'recreateApplication',
        src: 'recreateApplication',
        onDone: setUpDone(),
        onError: [
          { guard: transient, target: 'reconnecting', actions: 'noteError' },
          { target: 'error', actions: 'noteError' },
        ],
      },
      on: { SIGN_OUT: 'signingOut', ...noteLossWhileSettingUp },
    },
    reconnecting: {
      entry: ['clearPending', 'armRetry'],
      initial: 'waiting',
      states: {
        waiting: {
          after: { retryDelay: 'probing' },
          on: { NUDGE: 'probing' },
        },
        probing: {
          invoke: {
            id: 'probe',
            src: 'probe',
            onDone: [
              { guard: ({ event }) => event.output === 'applicationGone', target: '#session.recreatingApplication' },
              { target: '#session.online' },
            ],
            onError: [
              { guard: isAppGone, target: '#session.recreatingApplication' },
              { guard: transient, target: '#session.reconnecting', reenter: true, actions: 'noteError' },
              { target: '#session.error', actions: 'noteError' },
            ],
          },
        },
      },
      on: {
        SIGN_OUT: 'signingOut',
        FATAL: { target: 'error', actions: 'noteEventError' },
        APPLICATION_GONE: 'recreatingApplication',
        REDISCOVER: rediscover(),
      },
    },
    signingOut: {
      invoke: { id: 'deleteApplication', src: 'deleteApplication', onDone: 'signedOut', onError: 'signedOut' },
    },
    error: {
      entry: 'stopAll',
      on: { SIGN_IN: { target: 'discovering', actions: 'startSignIn' }, SIGN_OUT: 'signedOut' },
    },
  },
});

/** The top-level state of a machine state value. */
export function sessionStateKey(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return Object.keys(value)[0] ?? 'signedOut';
  return 'signedOut';
}

/** The SessionStatus of a machine state value (retryingSignIn is 'reconnecting'). */
export function sessionStatusOf(value: unknown): SessionStatus {
  const key = sessionStateKey(value);
  if (key === 'retryingSignIn') return 'reconnecting';
  return key as SessionStatus;
}
