// Leaving a conference (PROTOCOL-2 §2.10): DELETE conversation → the user leaves, the others carry
// on; the conference ends when its last member leaves (conferences.ts endIfEmpty), or for
// everyone by endConference (reason Ended). The user's part becomes a ConferenceLog
// (conversations.ts archive).

import { localParticipantDeleted, settleOperation, withReason } from './conferenceEvents.ts';
import { joined } from './conferenceResources.ts';
import { endIfEmpty, refreshAccount } from './conferences.ts';
import { abandonConversations, archive, conversationEvent, messagingEvent, typingEvent } from './conversations.ts';
import type { UcwaEvent } from './eventChannel.ts';
import { withdrawAll } from './groupInvites.ts';
import type { App, Conference, Conv } from './model.ts';
import type { Sim } from './sim.ts';

export const ENDED = { code: 'Informational', subcode: 'Ended', message: 'The conference has ended.' };

/** The user's pending operations in this conversation (adding people, adding IM) end with it. */
function cancelOperations(sim: Sim, conv: Conv, reason: { code: string; subcode: string; message?: string }): void {
  for (const inv of conv.app.invitations.values()) {
    if (inv.conv !== conv || inv.completed || inv === conv.invitation) continue;
    settleOperation(sim, inv, { ...reason, state: 'Cancelled' });
  }
}

/**
 * The user's conversation leaves its conference: messaging Disconnected, localParticipant deleted,
 * conversation Disconnected and deleted (with `reason` when the server ends it); the others see the
 * user's participant deleted once none of the user's applications is left in it.
 */
export function leaveConversation(sim: Sim, conv: Conv, reason?: UcwaEvent['reason']): void {
  const conf = conv.conf;
  if (!conf || !joined(conv)) return;
  cancelOperations(sim, conv, reason ? { code: reason.code, subcode: reason.subcode ?? 'Ended' } : { code: 'LocalFailure', subcode: 'Canceled' });
  const events: UcwaEvent[] = [];
  for (const u of conv.typing) events.push(typingEvent(sim, conv, u, 'deleted'));
  conv.typing.clear();
  conv.im = 'Disconnected';
  conv.state = 'Disconnected';
  for (const t of conv.timers) sim.clock.cancel(t);
  conv.timers.clear();
  events.push(withReason(messagingEvent(conv), reason), localParticipantDeleted(conv), withReason(conversationEvent(conv, 'updated'), reason), conversationEvent(conv, 'deleted'));
  sim.emit(conv.app, ...events);
  detach(sim, conv);
}

/** Out of the conference and the application's state, archived; ends the conference when no signed-in member is left. */
function detach(sim: Sim, conv: Conv): void {
  const conf = conv.conf as Conference;
  conv.state = 'Disconnected';
  conv.app.conversations.delete(conv.id);
  conf.convs.delete(conv);
  archive(sim, conv);
  if (conf.ended) return;
  refreshAccount(sim, conf, conv.app.user.sip);
  endIfEmpty(sim, conf);
}

/** endConference: everyone's conversations end with reason Ended; invitations to it are withdrawn. */
export function endConference(sim: Sim, conf: Conference): void {
  if (conf.ended) return;
  conf.ended = true;
  for (const t of conf.timers) sim.clock.cancel(t);
  conf.timers.clear();
  withdrawAll(sim, conf);
  for (const c of [...conf.convs]) leaveConversation(sim, c, ENDED);
  conf.members.clear();
}

/** The application went away (deleted, expired, resume teardown): it leaves its conferences without events to itself. */
export function abandonApp(sim: Sim, app: App): void {
  for (const conv of [...app.conversations.values()]) {
    if (!conv.conf || !joined(conv)) continue;
    cancelOperations(sim, conv, { code: 'LocalFailure', subcode: 'Canceled' });
    for (const t of conv.timers) sim.clock.cancel(t);
    conv.timers.clear();
    conv.im = 'Disconnected';
    detach(sim, conv);
  }
  abandonConversations(sim, app);
}
