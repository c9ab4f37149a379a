// Event builders that only conference conversations need (PROTOCOL-2 §2.2, §2.7, §2.10); the
// shared ones (conversation, messaging, participant, message, typing) are in conversations.ts.

import { nameIn, onlineMeetingJson } from './conferenceResources.ts';
import { invitationEvent } from './conversations.ts';
import type { UcwaEvent } from './eventChannel.ts';
import { convSender, h } from './hrefs.ts';
import type { Conv, Invitation } from './model.ts';
import type { Sim } from './sim.ts';

export function onlineMeetingEvent(sim: Sim, c: Conv): UcwaEvent {
  return {
    sender: convSender(c),
    link: { rel: 'onlineMeeting', href: h.onlineMeeting(c) },
    in: { rel: 'conversation', href: h.conv(c) },
    embedded: onlineMeetingJson(c, sim.world),
    type: 'added',
  };
}

/** participantMessaging added/deleted: that participant joined/left IM (`in` = participant or localParticipant). */
export function participantMessagingEvent(sim: Sim, c: Conv, uri: string, type: 'added' | 'deleted'): UcwaEvent {
  const local = uri === c.app.user.sip;
  return {
    sender: convSender(c),
    link: { rel: 'participantMessaging', href: h.participantMessaging(c, uri) },
    in: { rel: local ? 'localParticipant' : 'participant', href: h.participant(c, uri), title: nameIn(c.conf, sim.world, uri) },
    type,
  };
}

export function localParticipantDeleted(c: Conv): UcwaEvent {
  return { sender: convSender(c), link: { rel: 'localParticipant', href: h.participant(c, c.app.user.sip), title: c.app.user.name }, type: 'deleted' };
}

/** Server-initiated changes carry a reason (PROTOCOL-2 §2.10: Ended, Ejected, Removed …). */
export function withReason(e: UcwaEvent, reason: UcwaEvent['reason']): UcwaEvent {
  return reason ? { ...e, reason } : e;
}

export interface Outcome {
  code: string;
  subcode: string;
  message?: string;
  state?: Invitation['state'];
}

/**
 * An operation of a conference conversation (onlineMeetingInvitation, participantInvitation,
 * addMessaging's messagingInvitation) completes: Success (with who accepted) or a failure reason.
 * Unlike a 1:1 invitation's failure, this does not end the conversation.
 */
export function settleOperation(sim: Sim, inv: Invitation, outcome: 'Success' | Outcome, accepted?: string[]): void {
  if (inv.completed) return;
  sim.clock.cancel(inv.timer);
  inv.completed = true;
  if (outcome === 'Success') {
    inv.state = 'Connected';
    if (accepted) inv.accepted = accepted;
    sim.emit(inv.conv.app, invitationEvent(sim, inv, 'completed', { status: 'Success' }));
    return;
  }
  inv.abort?.();
  inv.state = outcome.state ?? 'Failed';
  const reason = { code: outcome.code, subcode: outcome.subcode, message: outcome.message ?? `The invitation failed: ${outcome.subcode}.` };
  sim.emit(inv.conv.app, invitationEvent(sim, inv, 'completed', { status: 'Failure', reason }));
}
