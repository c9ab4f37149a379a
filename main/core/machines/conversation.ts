// Conversation machine: disconnected ⇄ connecting ⇄ connected, an ordered outbox and typing.
// Messages queued while not connected wait; once connected they are handed out one at a time
// (`deliver` action with the head item) and the next only after SENT/SEND_FAILED for the head, so
// the server sees them in the order the user typed them.
import { assign, setup } from 'xstate';

export interface ConversationContext {
  outbox: string[]; // clientIds, oldest first
  inFlight: string | null;
  typing: string[]; // sip of remote participants typing
}

export type ConversationEvent =
  | { type: 'CONNECTING' }
  | { type: 'CONNECTED' }
  | { type: 'DISCONNECTED' }
  | { type: 'ENQUEUE'; clientId: string }
  | { type: 'SENT'; clientId: string }
  | { type: 'SEND_FAILED'; clientId: string; retry: boolean }
  | { type: 'TYPING'; sip: string; typing: boolean }
  | { type: 'RESUME' }
  /** The item left the queue another way (it travels with a continue/start invitation). */
  | { type: 'DROP'; clientId: string };

export const conversationMachine = setup({
  types: {
    context: {} as ConversationContext,
    events: {} as ConversationEvent,
    input: {} as { outbox?: string[] },
  },
  actions: {
    // Provided by the service: POST the message with this clientId.
    deliver: (_args, _params: { clientId: string }) => undefined,
    // Provided by the service: the conversation needs a connection (continue / accept / start).
    connect: () => undefined,
    typingChanged: () => undefined,
  },
  guards: {
    canDeliver: ({ context }) => context.inFlight === null && context.outbox.length > 0,
  },
}).createMachine({
  id: 'conversation',
  context: ({ input }) => ({ outbox: input.outbox ?? [], inFlight: null, typing: [] }),
  initial: 'disconnected',
  on: {
    DROP: { actions: assign({ outbox: ({ context, event }) => context.outbox.filter((c) => c !== event.clientId || c === context.inFlight) }) },
    ENQUEUE: { actions: assign({ outbox: ({ context, event }) => (context.outbox.includes(event.clientId) ? context.outbox : [...context.outbox, event.clientId]) }) },
    TYPING: {
      actions: [
        assign({
          typing: ({ context, event }) => event.typing
            ? (context.typing.includes(event.sip) ? context.typing : [...context.typing, event.sip])
            : context.typing.filter((s) => s !== event.sip),
        }),
        'typingChanged',
      ],
    },
  },
  states: {
    disconnected: {
      entry: assign({ inFlight: null, typing: [] }),
      on: {
        CONNECTING: 'connecting',
        CONNECTED: 'connected',
        ENQUEUE: {
          actions: [assign({ outbox: ({ context, event }) => (context.outbox.includes(event.clientId) ? context.outbox : [...context.outbox, event.clientId]) }), 'connect'],
        },
      },
    },
    connecting: {
      on: { CONNECTED: 'connected', DISCONNECTED: 'disconnected' },
    },
    connected: {
      initial: 'idle',
      on: {
        DISCONNECTED: 'disconnected',
        CONNECTING: 'connecting',
      },
      states: {
        idle: {
          always: {
            guard: 'canDeliver',
            target: 'sending',
          },
        },
        sending: {
          entry: [
            assign({ inFlight: ({ context }) => context.outbox[0] ?? null }),
            { type: 'deliver', params: ({ context }) => ({ clientId: context.outbox[0] ?? '' }) },
          ],
          on: {
            SENT: {
              guard: ({ context, event }) => event.clientId === context.inFlight,
              actions: assign({ outbox: ({ context, event }) => context.outbox.filter((c) => c !== event.clientId), inFlight: null }),
              target: 'idle',
            },
            SEND_FAILED: [
              {
                // retry=true (network, server busy, session lost): the item stays at the head and
                // goes out again once the session is back (RESUME).
                guard: ({ context, event }) => event.clientId === context.inFlight && event.retry,
                actions: assign({ inFlight: null }),
                target: 'paused',
              },
              {
                // retry=false: this item was refused for good and leaves the queue; the next ones
                // go on at once (pausing here left them queued until the next reconnection).
                guard: ({ context, event }) => event.clientId === context.inFlight,
                actions: assign({ outbox: ({ context, event }) => context.outbox.filter((c) => c !== event.clientId), inFlight: null }),
                target: 'idle',
              },
            ],
          },
        },
        // After a failure: wait for RESUME (the session is back) instead of hammering the server.
        paused: { on: { RESUME: 'idle' } },
      },
    },
  },
});

export function connectionOf(value: unknown): 'disconnected' | 'connecting' | 'connected' {
  if (value === 'connecting' || value === 'disconnected') return value;
  return 'connected';
}
