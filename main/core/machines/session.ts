// Session machine (DESIGN.md §4). The work of each step is an injected promise actor (the service
// provides real UCWA calls, tests provide fakes), so the machine holds only decisions:
// signedOut → discovering → authenticating → creatingApplication → makingAvailable → online
// { activity ticks only while the user is really active; Away when idle or locked }
// online → reauthenticating (token renewal) → online; online → recreatingApplication (404
// ApplicationNotFound / 410 InactiveApplicationExpired) → online; online → reconnecting (backoff
// with full jitter, then a probe) → online; signOut → signingOut (DELETE application) → signedOut.
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
  error: AppErrorShape | null;
  idleSec: number;
  locked: boolean;
  away: boolean;
}

export type SessionEvent =
  | { type: 'SIGN_IN' }
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

const isNetwork = ({ event }: { event: { error?: unknown } }) => errorShape(event.error).code === 'network';
const isAppGone = ({ event }: { event: { error?: unknown } }) => {
  const e = errorShape(event.error);
  return e.code === 'server' && (e.subcode === 'ApplicationNotFound' || e.subcode === 'InactiveApplicationExpired');
};

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
      on: { SIGN_IN: { target: 'discovering', actions: assign({ error: null, attempt: 0 }) } },
    },
    discovering: {
      invoke: {
        src: 'discover',
        onDone: 'authenticating',
        onError: { target: 'error', actions: assign({ error: ({ event }) => errorShape(event.error) }) },
      },
      on: { SIGN_OUT: 'signedOut' },
    },
    authenticating: {
      invoke: {
        src: 'authenticate',
        onDone: 'creatingApplication',
        onError: { target: 'error', actions: assign({ error: ({ event }) => errorShape(event.error) }) },
      },
      on: { SIGN_OUT: 'signedOut' },
    },
    creatingApplication: {
      invoke: {
        src: 'createApplication',
        onDone: 'makingAvailable',
        onError: { target: 'error', actions: assign({ error: ({ event }) => errorShape(event.error) }) },
      },
      on: { SIGN_OUT: 'signingOut' },
    },
    makingAvailable: {
      invoke: {
        src: 'makeAvailable',
        onDone: 'online',
        onError: [
          { guard: isAppGone, target: 'recreatingApplication' },
          { target: 'error', actions: assign({ error: ({ event }) => errorShape(event.error) }) },
        ],
      },
      on: { SIGN_OUT: 'signingOut' },
    },
    online: {
      entry: [assign({ attempt: 0, error: null }), 'enterOnline'],
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
        src: 'recreateApplication',
        onDone: 'online',
        onError: [
          { guard: isNetwork, target: 'reconnecting' },
          { target: 'error', actions: assign({ error: ({ event }) => errorShape(event.error) }) },
        ],
      },
      on: { SIGN_OUT: 'signingOut', FATAL: { target: 'error', actions: assign({ error: ({ event }) => event.error }) } },
    },
    reconnecting: {
      entry: assign({
        retryDelayMs: ({ context }) => backoffDelay(context.attempt, context.timing.backoffBaseMs, context.timing.backoffMaxMs, context.random),
        attempt: ({ context }) => context.attempt + 1,
      }),
      initial: 'waiting',
      states: {
        waiting: {
          after: { retryDelay: 'probing' },
          on: { NUDGE: 'probing' },
        },
        probing: {
          invoke: {
            src: 'probe',
            onDone: [
              { guard: ({ event }) => event.output === 'applicationGone', target: '#session.recreatingApplication' },
              { target: '#session.online' },
            ],
            onError: [
              { guard: isAppGone, target: '#session.recreatingApplication' },
              { guard: isNetwork, target: '#session.reconnecting', reenter: true },
              { target: '#session.error', actions: assign({ error: ({ event }) => errorShape(event.error) }) },
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
      invoke: { src: 'deleteApplication', onDone: 'signedOut', onError: 'signedOut' },
    },
    error: {
      entry: 'stopAll',
      on: { SIGN_IN: { target: 'discovering', actions: assign({ error: null, attempt: 0 }) }, SIGN_OUT: 'signedOut' },
    },
  },
});

/** The SessionStatus of app/types.ts for a machine state value. */
export function sessionStatusOf(value: unknown): SessionStatus {
  if (typeof value === 'string') return value as SessionStatus;
  if (value && typeof value === 'object') {
    const key = Object.keys(value)[0];
    if (key) return key as SessionStatus;
  }
  return 'signedOut';
}
