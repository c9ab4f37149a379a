// Session machine (DESIGN.md §4). The work of each step is an injected promise actor (the service
// provides real UCWA calls, tests provide fakes), so the machine holds only decisions:
// signedOut → discovering → authenticating → creatingApplication → makingAvailable → online
// { activity ticks only while the user is really active; Away when idle or locked }
// online → reauthenticating (token renewal) → online; online → recreatingApplication (404
// ApplicationNotFound / 410 InactiveApplicationExpired) → online; online → reconnecting (backoff
// with full jitter, then a probe) → online; signOut → signingOut (DELETE application) → signedOut.
// A persistent sign-in (the remembered account at launch, or a session that has been online) that
// fails on something transient (network, pool unavailable, 5xx, timeout) goes to retryingSignIn
// (SessionStatus 'reconnecting': backoff with full jitter, then discovering again, or at once on
// NUDGE) instead of error; an interactive sign-in still fails fast with the reason.
import { assign, fromPromise, setup } from 'xstate';
import type { AppErrorShape, SessionStatus } from '../app/types.ts';
import { backoffDelay } from './backoff.ts';

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

export interface SessionContext {
  timing: SessionTiming;
  random: () => number;
  attempt: number;
  retryDelayMs: number;
  /** A transient failure while signing in means retry (retryingSignIn), not error. */
  persistent: boolean;
  error: AppErrorShape | null;
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
  | { type: 'NETWORK_LOST'; error?: AppErrorShape }
  | { type: 'FATAL'; error: AppErrorShape }
  | { type: 'IDLE'; idleSec: number; locked: boolean; awayAfterSec?: number }
  | { type: 'NUDGE' };

/** Errors from actors are AppErrorShape-like; 'network' errors while online mean reconnect. */
function errorShape(err: unknown): AppErrorShape {
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const e = err as AppErrorShape;
    return { code: e.code, message: e.message, status: e.status, ucwaCode: e.ucwaCode, subcode: e.subcode };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
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

/** A sign-in step failed: a persistent sign-in retries transient failures, anything else is an error. */
function signInFailed() {
  return [
    { guard: retrySignIn, target: 'retryingSignIn', actions: 'noteError' },
    { target: 'error', actions: 'noteError' },
  ] as const;
}

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
      persistent: event.type === 'SIGN_IN' && event.persistent === true,
    })),
    noteError: assign({ error: ({ event }) => errorShape((event as { error?: unknown }).error) }),
    armRetry: assign({
      retryDelayMs: ({ context }) => backoffDelay(context.attempt, context.timing.backoffBaseMs, context.timing.backoffMaxMs, context.random),
      attempt: ({ context }) => context.attempt + 1,
    }),
    // Overridden by the service; no-ops keep the machine testable on its own.
    reportActivity: () => undefined,
    goAway: () => undefined,
    comeBack: () => undefined,
    enterOnline: () => undefined,
    leaveOnline: () => undefined,
    stopAll: () => undefined,
  },
  guards: {
    userActive: ({ context }) => !context.locked && context.idleSec < context.timing.reportActivityMs / 1000,
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
    persistent: false,
    error: null,
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
    creatingApplication: {
      invoke: {
        id: 'createApplication',
        src: 'createApplication',
        onDone: 'makingAvailable',
        onError: signInFailed(),
      },
      on: { SIGN_OUT: 'signingOut' },
    },
    makingAvailable: {
      invoke: {
        id: 'makeAvailable',
        src: 'makeAvailable',
        onDone: 'online',
        onError: [{ guard: isAppGone, target: 'recreatingApplication' }, ...signInFailed()],
      },
      on: { SIGN_OUT: 'signingOut' },
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
      entry: [assign({ attempt: 0, error: null, persistent: true }), 'enterOnline'],
      exit: 'leaveOnline',
      type: 'parallel',
      states: {
        activity: {
          initial: 'ticking',
          states: {
            ticking: {
              // Re-armed on entry: a restored session starts a fresh timer instead of a stale one.
              after: {
                reportActivityMs: [
                  { guard: 'userActive', actions: 'reportActivity', target: 'ticking', reenter: true },
                  { target: 'ticking', reenter: true },
                ],
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
        NETWORK_LOST: { target: 'reconnecting', actions: assign({ error: ({ event }) => event.error ?? null }) },
        FATAL: { target: 'error', actions: assign({ error: ({ event }) => event.error }) },
        SIGN_OUT: 'signingOut',
      },
    },
    reauthenticating: {
      on: {
        RENEWED: 'online',
        APPLICATION_GONE: 'recreatingApplication',
        NETWORK_LOST: { target: 'reconnecting', actions: assign({ error: ({ event }) => event.error ?? null }) },
        FATAL: { target: 'error', actions: assign({ error: ({ event }) => event.error }) },
        SIGN_OUT: 'signingOut',
      },
    },
    recreatingApplication: {
      invoke: {
        id: 'recreateApplication',
        src: 'recreateApplication',
        onDone: 'online',
        onError: [
          { guard: transient, target: 'reconnecting', actions: 'noteError' },
          { target: 'error', actions: 'noteError' },
        ],
      },
      on: { SIGN_OUT: 'signingOut', FATAL: { target: 'error', actions: assign({ error: ({ event }) => event.error }) } },
    },
    reconnecting: {
      entry: 'armRetry',
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
        FATAL: { target: 'error', actions: assign({ error: ({ event }) => event.error }) },
        APPLICATION_GONE: 'recreatingApplication',
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

/** The SessionStatus of app/types.ts for a machine state value (retryingSignIn is 'reconnecting'). */
export function sessionStatusOf(value: unknown): SessionStatus {
  const key = sessionStateKey(value);
  if (key === 'retryingSignIn') return 'reconnecting';
  return key as SessionStatus;
}
