// One actor per messagingInvitation (DESIGN.md §4).
// outgoing: requesting → connecting → connected | failed(reason) | cancelled | timedOut
// incoming: ringing → accepting → connected | declined | missed
// The server's own ~30 s timeout normally ends an unanswered invitation with a failure event; the
// local timer is the safety net for a server (or network) that never says so.
import { assign, setup } from 'xstate';

export interface InvitationContext {
  direction: 'Incoming' | 'Outgoing';
  timeoutMs: number;
  reason: { code?: string; subcode?: string; message?: string } | null;
}

export type InvitationEvent =
  | { type: 'STARTED' } // outgoing: server confirmed (201 or `started` event)
  | { type: 'SUCCESS' } // `completed` with status Success
  | { type: 'FAILURE'; reason?: { code?: string; subcode?: string; message?: string } }
  | { type: 'CANCEL' }
  | { type: 'ACCEPT' }
  | { type: 'ACCEPT_FAILED'; reason?: { code?: string; subcode?: string; message?: string } }
  | { type: 'DECLINE' };

export const invitationMachine = setup({
  types: {
    context: {} as InvitationContext,
    events: {} as InvitationEvent,
    input: {} as { direction: 'Incoming' | 'Outgoing'; timeoutMs?: number },
  },
  delays: { invitationTimeout: ({ context }) => context.timeoutMs },
  actions: {
    setReason: assign({ reason: ({ event }) => ('reason' in event && event.reason ? event.reason : null) }),
  },
}).createMachine({
  id: 'invitation',
  context: ({ input }) => ({ direction: input.direction, timeoutMs: input.timeoutMs ?? 45_000, reason: null }),
  initial: 'start',
  states: {
    start: {
      always: [{ guard: ({ context }) => context.direction === 'Incoming', target: 'ringing' }, { target: 'requesting' }],
    },
    // --- outgoing ---
    requesting: {
      after: { invitationTimeout: 'timedOut' },
      on: {
        STARTED: 'connecting',
        SUCCESS: 'connected',
        FAILURE: { target: 'failed', actions: 'setReason' },
        CANCEL: 'cancelled',
      },
    },
    connecting: {
      after: { invitationTimeout: 'timedOut' },
      on: {
        SUCCESS: 'connected',
        FAILURE: { target: 'failed', actions: 'setReason' },
        CANCEL: 'cancelled',
      },
    },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
    timedOut: { type: 'final' },
    // --- incoming ---
    ringing: {
      after: { invitationTimeout: 'missed' },
      on: {
        ACCEPT: 'accepting',
        DECLINE: 'declined',
        // Completed before we acted: answered elsewhere, caller gave up, or the server timed out.
        FAILURE: { target: 'missed', actions: 'setReason' },
        SUCCESS: 'connected',
      },
    },
    accepting: {
      after: { invitationTimeout: 'missed' },
      on: {
        SUCCESS: 'connected',
        FAILURE: { target: 'missed', actions: 'setReason' },
        ACCEPT_FAILED: { target: 'missed', actions: 'setReason' },
      },
    },
    declined: { type: 'final' },
    missed: { type: 'final' },
    connected: { type: 'final' },
  },
});
