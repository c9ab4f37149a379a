// Escalating a 1:1 into a conference in place (PROTOCOL-2 §2.5): the same conversation href goes
// Conferencing → onlineMeeting added → Conferenced; its messaging stays Connected or drops to
// Disconnected (escalationMessaging); the other party keeps its participant href or is deleted and
// re-added with a new one (escalationParticipantHrefs); the threadId stays unless escalationThreadId
// is 'new'. The initiator's side (addParticipant) and the other party's side (accepting the
// onlineMeetingInvitation that targets its existing 1:1) go through the same steps.

import { participantMessagingEvent, onlineMeetingEvent, settleOperation } from './conferenceEvents.ts';
import { addMember, createConference, refreshAccount } from './conferences.ts';
import { conversationEvent, live, messagingEvent, participantEvent, typingEvent, unlink } from './conversations.ts';
import type { UcwaEvent } from './eventChannel.ts';
import { participantKey } from './hrefs.ts';
import type { Conference, Conv, Invitation } from './model.ts';
import type { Sim } from './sim.ts';

/** The conversation becomes a conversation of `conf`; returns its events (the caller emits them). */
function intoConference(sim: Sim, conv: Conv, conf: Conference, peer: string | undefined): UcwaEvent[] {
  const me = conv.app.user.sip;
  const renew = sim.cfg.escalationParticipantHrefs === 'renew';
  // Keys under the 1:1's sip-user style, before any change: surviving hrefs keep them.
  const pids = sim.cfg.participantHrefs === 'opaque' || renew ? new Map<string, string>([[me, participantKey(conv, me)]]) : undefined;
  if (pids && peer && !renew) pids.set(peer, participantKey(conv, peer));
  const peerGone = peer && renew ? participantEvent(sim, conv, peer, 'deleted') : undefined;
  conv.conf = conf;
  conf.convs.add(conv);
  conv.threadId = conf.threadId;
  conv.im = 'Connected';
  conv.logStatus = 'Archived';
  conv.state = 'Conferencing';
  const events: UcwaEvent[] = [conversationEvent(conv, 'updated'), onlineMeetingEvent(sim, conv)];
  conv.state = 'Conferenced';
  events.push(conversationEvent(conv, 'updated'));
  if (sim.cfg.escalationMessaging === 'drops') {
    // The official samples re-add IM whenever messaging turns Disconnected in a live conversation.
    for (const u of conv.typing) events.push(typingEvent(sim, conv, u, 'deleted'));
    conv.typing.clear();
    if (peer) events.push(participantMessagingEvent(sim, conv, peer, 'deleted'));
    events.push(participantMessagingEvent(sim, conv, me, 'deleted'));
    conv.im = 'Disconnected';
  }
  events.push(messagingEvent(conv));
  conv.pids = pids;
  if (peer && peerGone) {
    events.push(peerGone, participantEvent(sim, conv, peer, 'added'));
    if (conv.im === 'Connected' && conf.members.get(peer)?.inIm) events.push(participantMessagingEvent(sim, conv, peer, 'added'));
  }
  return events;
}

export interface Escalation {
  conf: Conference;
  events: UcwaEvent[];
  /** The other party, when it is a signed-in account: its 1:1 must be rung with an onlineMeetingInvitation. */
  routedPeer: Conv | undefined;
  peer: string | undefined;
}

/** addParticipant on a connected 1:1: the user's side. */
export function escalate(sim: Sim, conv: Conv): Escalation {
  const me = conv.app.user.sip;
  const peer = conv.joined[0] ?? conv.remotes[0];
  const routedPeer = conv.peers.find(live);
  unlink(conv);
  const conf = createConference(sim, {
    organizer: me,
    subject: conv.subject,
    importance: conv.importance,
    threadId: sim.cfg.escalationThreadId === 'new' ? undefined : conv.threadId,
  });
  // Members first, while the conversation is not yet Conferenced: nobody is told about them twice.
  addMember(sim, conf, me, { role: 'Leader', inIm: true, account: true });
  if (peer) addMember(sim, conf, peer, { inIm: true, account: routedPeer !== undefined });
  const events = intoConference(sim, conv, conf, peer);
  refreshAccount(sim, conf, me);
  return { conf, events, routedPeer, peer };
}

/** The other party accepted the onlineMeetingInvitation that targets its existing 1:1 (accept_ref: "existing conversation"). */
export function joinInPlace(sim: Sim, conv: Conv, inv: Invitation): void {
  const conf = inv.conf as Conference;
  const me = conv.app.user.sip;
  const peer = inv.from;
  const events = intoConference(sim, conv, conf, peer);
  if (peer && !conf.members.has(peer)) events.push(participantEvent(sim, conv, peer, 'deleted'));
  for (const [uri, m] of conf.members) {
    if (uri === me || uri === peer) continue;
    events.push(participantEvent(sim, conv, uri, 'added'));
    if (m.inIm && conv.im === 'Connected') events.push(participantMessagingEvent(sim, conv, uri, 'added'));
  }
  sim.emit(conv.app, ...events);
  refreshAccount(sim, conf, me);
  settleOperation(sim, inv, 'Success', [me]);
}
