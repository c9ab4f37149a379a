// IM in a conference (PROTOCOL-2 §2.2 step 6, §2.8, §2.10): addMessaging → an outgoing
// messagingInvitation that joins the conference's IM; sendMessage / setIsTyping fan out to the
// other members; stopMessaging leaves the IM only, DELETE the conference. The messaging routes are
// shared with 1:1 conversations: the handlers here pass those on to messaging.ts.

import { participantMessagingEvent, settleOperation } from './conferenceEvents.ts';
import { joined } from './conferenceResources.ts';
import { memberSays, memberTyping, refreshAccount } from './conferences.ts';
import { addMessage, convTimer, endConversation, invitationEvent, messageEvent, messagingEvent, typingEvent } from './conversations.ts';
import { htmlToText } from './dataUrl.ts';
import type { UcwaEvent } from './eventChannel.ts';
import { UcwaError } from './errors.ts';
import { reactInGroup } from './groupBehaviours.ts';
import { declineInvitation, pendingEscalation } from './groupInvites.ts';
import { h } from './hrefs.ts';
import { leaveConversation } from './leaving.ts';
import { STEP_MS } from './meetings.ts';
import {
  deleteConversation, findConv, firstMessageInput, requireChannel, sendMessage, setIsTyping, terminate, validateOperationId,
} from './messaging.ts';
import type { OutgoingSpec } from './messaging.ts';
import type { Conference, Conv, Ctx, Invitation, Msg, Reply } from './model.ts';
import { TYPING_MS } from './routing.ts';
import type { Sim } from './sim.ts';

const redelivered = new WeakSet<Conv>();
const typingGen = new WeakMap<Conv, number>();

/** POST messaging/addMessaging {operationId, _links.message?} → 201 + Location of a messagingInvitation. */
export function addMessaging(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  if (!conv.conf || conv.state !== 'Conferenced') throw new UcwaError(409, 'None', 'Messaging can be added to a conference the user is in.');
  if (conv.im === 'Connecting') throw new UcwaError(409, 'AnotherOperationPending', 'Messaging is being added already.');
  if (conv.im === 'Connected') throw new UcwaError(409, 'None', 'Messaging is connected already.');
  const operationId = validateOperationId(ctx.input().str('operationId'));
  const first = firstMessageInput(ctx);
  requireChannel(sim, ctx.app);
  const inv = startIm(sim, conv, operationId, first);
  return { status: 201, headers: { Location: h.invitation(inv) } };
}

/** messagingInvitation started + messaging Connecting now; Connected, participantMessaging for everyone in the IM and Success a step later. */
export function startIm(sim: Sim, conv: Conv, operationId: string | undefined, first: OutgoingSpec['first']): Invitation {
  const inv: Invitation = {
    id: sim.id('i'), kind: 'messaging', conv, direction: 'Outgoing', operationId, state: 'Connecting', first: undefined,
    showAnswerLinks: false, completed: false, timer: undefined,
  };
  conv.app.invitations.set(inv.id, inv);
  conv.im = 'Connecting';
  sim.emit(conv.app, invitationEvent(sim, inv, 'started'), messagingEvent(conv));
  convTimer(sim, conv, STEP_MS, () => connectIm(sim, conv, inv, first));
  return inv;
}

function connectIm(sim: Sim, conv: Conv, inv: Invitation, first: OutgoingSpec['first']): void {
  const conf = conv.conf as Conference;
  if (inv.completed || conv.im !== 'Connecting' || conf.ended) return;
  const me = conv.app.user.sip;
  conv.im = 'Connected';
  const events = [messagingEvent(conv), participantMessagingEvent(sim, conv, me, 'added')];
  for (const m of conf.members.values()) if (m.uri !== me && m.inIm) events.push(participantMessagingEvent(sim, conv, m.uri, 'added'));
  sim.emit(conv.app, ...events);
  settleOperation(sim, inv, 'Success');
  refreshAccount(sim, conf, me);
  // The invitation's first message arrives again as a message, as after accepting an IM (PROTOCOL §6.3).
  const invited = conv.invitation.first;
  if (invited && conv.invitation.direction === 'Incoming' && sim.cfg.redeliverFirstMessage && !redelivered.has(conv)) {
    redelivered.add(conv);
    sim.emit(conv.app, messageEvent(sim, conv, invited));
  }
  if (first) userSays(sim, conv, first.text, first.html, first.contentType, inv.operationId);
}

/** The user's message: the `message` completed event to this application, the others get it as incoming. */
function userSays(sim: Sim, conv: Conv, text: string, html: string | undefined, contentType: string, operationId: string | undefined): Msg {
  const conf = conv.conf as Conference;
  const me = conv.app.user.sip;
  const msg = addMessage(sim, conv, { from: me, text, html, at: sim.clock.now(), direction: 'Outgoing', operationId });
  const to = [...conf.members.keys()].filter((u) => u !== me);
  sim.world.received.push({ from: me, to, threadId: conf.threadId, text: html ?? text, contentType, at: msg.at });
  sim.emit(conv.app, messageEvent(sim, conv, msg));
  memberSays(sim, conf, me, text, html);
  reactInGroup(sim, conf, me);
  return msg;
}

function bodyOf(ctx: Ctx): { text: string; html: string | undefined; contentType: string; operationId: string | undefined } {
  const ct = String(ctx.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (ct !== 'text/plain' && ct !== 'text/html') throw new UcwaError(415, undefined, 'Messages must be text/plain or text/html.');
  let operationId: string | undefined;
  for (const [k, v] of ctx.url.searchParams) if (k.toLowerCase() === 'operationid' || k.toLowerCase() === 'operationcontext') operationId = v;
  validateOperationId(operationId);
  const body = ctx.body.toString('utf8');
  return ct === 'text/html' ? { text: htmlToText(body), html: body, contentType: ct, operationId } : { text: body, html: undefined, contentType: ct, operationId };
}

/** POST messages: into the conference, or a 1:1 (messaging.ts). */
export function sendMessageAny(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  const pending = !conv.conf && conv.state === 'Connected' ? pendingEscalation(conv) : undefined;
  if (pending?.conf && !pending.conf.ended) {
    // The peer escalated this 1:1 and the user has not joined yet: the words still reach the conference.
    const b = bodyOf(ctx);
    const msg = addMessage(sim, conv, { from: conv.app.user.sip, text: b.text, html: b.html, at: sim.clock.now(), direction: 'Outgoing', operationId: b.operationId });
    sim.emit(conv.app, messageEvent(sim, conv, msg));
    sim.world.received.push({ from: msg.from, to: [...pending.conf.members.keys()].filter((u) => u !== msg.from), threadId: pending.conf.threadId, text: b.html ?? b.text, contentType: b.contentType, at: msg.at });
    memberSays(sim, pending.conf, conv.app.user.sip, b.text, b.html);
    return { status: 201, headers: { Location: h.message(conv, msg.n) } };
  }
  if (!conv.conf) return sendMessage(sim, ctx);
  const b = bodyOf(ctx);
  if (conv.im !== 'Connected') throw new UcwaError(409, 'None', 'Messaging is not connected.');
  const msg = userSays(sim, conv, b.text, b.html, b.contentType, b.operationId);
  return { status: 201, headers: { Location: h.message(conv, msg.n) } };
}

/** POST typing: the others see the user in typingParticipants for TYPING_MS (PROTOCOL §5.8). */
export function setIsTypingAny(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  if (!conv.conf) return setIsTyping(sim, ctx);
  if (conv.im !== 'Connected') throw new UcwaError(409, 'None', 'Messaging is not connected.');
  const conf = conv.conf;
  const me = conv.app.user.sip;
  const gen = (typingGen.get(conv) ?? 0) + 1;
  typingGen.set(conv, gen);
  memberTyping(sim, conf, me, true);
  sim.clock.after(TYPING_MS, () => {
    if (typingGen.get(conv) === gen && !conf.ended) memberTyping(sim, conf, me, false);
  });
  return { status: 204 };
}

/** stopMessaging in a conference: leave its IM only (stopMessaging_ref), or cancel a pending addMessaging. */
export function stopIm(sim: Sim, conv: Conv): void {
  const conf = conv.conf as Conference;
  const me = conv.app.user.sip;
  if (conv.im === 'Connecting') {
    for (const inv of conv.app.invitations.values()) {
      if (inv.conv === conv && inv.kind === 'messaging' && !inv.completed) settleOperation(sim, inv, { code: 'LocalFailure', subcode: 'Canceled', state: 'Cancelled' });
    }
    conv.im = 'Disconnected';
    sim.emit(conv.app, messagingEvent(conv));
    return;
  }
  if (conv.im !== 'Connected') return;
  const events: UcwaEvent[] = [];
  for (const u of conv.typing) events.push(typingEvent(sim, conv, u, 'deleted'));
  conv.typing.clear();
  for (const m of conf.members.values()) if (m.uri !== me && m.inIm) events.push(participantMessagingEvent(sim, conv, m.uri, 'deleted'));
  events.push(participantMessagingEvent(sim, conv, me, 'deleted'));
  conv.im = 'Disconnected';
  events.push(messagingEvent(conv));
  sim.emit(conv.app, ...events);
  refreshAccount(sim, conf, me);
}

/** A conference conversation that is not in yet: ringing → declined; starting → cancelled. */
function abortJoin(sim: Sim, conv: Conv): void {
  const inv = conv.invitation;
  if (inv.direction === 'Incoming' && !inv.completed) {
    declineInvitation(sim, inv);
    return;
  }
  settleOperation(sim, inv, { code: 'LocalFailure', subcode: 'Canceled', state: 'Cancelled' });
  conv.logStatus = undefined;
  endConversation(sim, conv);
}

/** POST messaging/terminate: stopMessaging / cancel (1:1 → messaging.ts). */
export function terminateAny(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  if (!conv.conf) return terminate(sim, ctx);
  if (joined(conv)) stopIm(sim, conv);
  else abortJoin(sim, conv);
  return { status: 204 };
}

/** DELETE conversation: leave the conference, the others carry on (1:1 → messaging.ts). */
export function deleteConversationAny(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  if (!conv.conf) return deleteConversation(sim, ctx);
  if (joined(conv)) leaveConversation(sim, conv);
  else abortJoin(sim, conv);
  return { status: 204 };
}
