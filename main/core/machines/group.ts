// One actor per group conversation this app is in (PROTOCOL-2 §2): how its IM comes up and goes.
//   start / join a meeting:  starting → joining (→ lobby) → addingMessaging → connected
//   an invitation accepted:              joining → addingMessaging → connected
//   a 1:1 grown into a group:                        addingMessaging | connected
//   connected → addingMessaging when the IM drops while the meeting goes on (escalation, §2.5)
//   any → leaving → left (DELETE conversation) | ended (the meeting ended, you were removed) | failed
// The timers are the safety net for a server that never answers; its own ~30 s limits come first.
import { assign, setup } from 'xstate';

/** Why it failed or ended, in words (the app's GroupError; machines import nothing of the app). */
export interface GroupError { code: string; message: string; subcode?: string; status?: number; ucwaCode?: string }

export interface GroupContext {
  start: GroupStart;
  timeoutMs: number;
  error: GroupError | null;
}

export type GroupEvent =
  | { type: 'POSTED' } // the server took startOnlineMeeting / joinOnlineMeeting (201)
  | { type: 'LOBBY' } // waiting to be admitted
  | { type: 'JOINED' } // the meeting invitation completed with Success
  | { type: 'IM_CONNECTED' } // messaging Connected with sendMessage
  | { type: 'IM_DROPPED' } // messaging Disconnected while the meeting goes on
  | { type: 'FAILED'; error: GroupError }
  | { type: 'ENDED'; error: GroupError }
  | { type: 'LEAVE' }
  | { type: 'LEFT' };

export type GroupStart = 'start' | 'accepted' | 'escalated' | 'escalatedWithIm';

export const groupMachine = setup({
  types: {
    context: {} as GroupContext,
    events: {} as GroupEvent,
    input: {} as { start: GroupStart; timeoutMs?: number },
  },
  delays: { groupTimeout: ({ context }) => context.timeoutMs },
  actions: {
    setError: assign({ error: ({ event }) => ('error' in event ? event.error : null) }),
    timedOut: assign({ error: () => ({ code: 'network', message: 'The server did not answer in time.' }) }),
  },
}).createMachine({
  id: 'group',
  context: ({ input }) => ({ start: input.start, timeoutMs: input.timeoutMs ?? 60_000, error: null }),
  initial: 'init',
  on: {
    ENDED: { target: '.ended', actions: 'setError' },
    LEAVE: '.leaving',
  },
  states: {
    init: {
      always: [
        { guard: ({ context }) => context.start === 'accepted', target: 'joining' },
        { guard: ({ context }) => context.start === 'escalated', target: 'addingMessaging' },
        { guard: ({ context }) => context.start === 'escalatedWithIm', target: 'connected' },
        { target: 'starting' },
      ],
    },
    starting: {
      after: { groupTimeout: { target: 'failed', actions: 'timedOut' } },
      // LOBBY: an InLobby update may come before our 201 is read.
      on: { POSTED: 'joining', LOBBY: 'lobby', JOINED: 'addingMessaging', FAILED: { target: 'failed', actions: 'setError' } },
    },
    joining: {
      after: { groupTimeout: { target: 'failed', actions: 'timedOut' } },
      on: { LOBBY: 'lobby', JOINED: 'addingMessaging', IM_CONNECTED: 'connected', FAILED: { target: 'failed', actions: 'setError' } },
    },
    // No timer: a lobby waits for a leader (the server ends it, §2.11).
    lobby: {
      on: { JOINED: 'addingMessaging', IM_CONNECTED: 'connected', FAILED: { target: 'failed', actions: 'setError' } },
    },
    addingMessaging: {
      after: { groupTimeout: { target: 'failed', actions: 'timedOut' } },
      on: { IM_CONNECTED: 'connected', FAILED: { target: 'failed', actions: 'setError' } },
    },
    connected: {
      on: { IM_DROPPED: 'addingMessaging' },
    },
    leaving: {
      after: { groupTimeout: 'left' },
      on: { LEFT: 'left', ENDED: 'left', LEAVE: {} },
    },
    left: { type: 'final' },
    ended: { type: 'final' },
    failed: { type: 'final' },
  },
});
