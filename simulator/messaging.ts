// Outgoing IM and the conversation/messaging resources (PROTOCOL §5): startMessaging,
// sendMessage, typing, stopMessaging/cancel, and GETs of the live resources.

import { reactToUserMessage, remoteAnswer } from './behaviours.ts';
import {
  addMessage, createConversation, emitOutgoingStarted, endConversation, failInvitation, messageEvent,
} from './conversations.ts';
import { decodeDataUrl, htmlToText } from './dataUrl.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { h } from './hrefs.ts';
import type { App, Conv, Ctx, Msg, Reply } from './model.ts';
import { conversationJson, invitationJson, messageJson, messagingJson, participantJson } from './resources.ts';
import { forwardMessage, forwardTyping, routeToAccount, routed } from './routing.ts';
import type { Sim } from './sim.ts';

export interface OutgoingSpec {
  remotes: string[];
  threadId?: string;
  subject?: string;
  importance?: string;
  operationId?: string;
  first?: { text: string; html?: string; contentType: string };
}

/** 500 CallbackChannelError when no P-GET was parked or released for callbackChannelDeadSec. */
export function requireChannel(sim: Sim, app: App): void {
  if (!app.channel.isAlive(sim.clock.scaled(sim.cfg.callbackChannelDeadSec * 1000))) throw new UcwaError(500, 'CallbackChannelError');
}

export function validateOperationId(v: string | undefined): string | undefined {
  if (v !== undefined && v.length > 50) throw invalidParam('operationId must be at most 50 characters.');
  return v;
}

/** The optional first message: `_links.message.href` (or a `message` parameter) as a data URL. */
export function firstMessageInput(ctx: Ctx): OutgoingSpec['first'] {
  const input = ctx.input();
  const raw = input.link('message') ?? input.str('message');
  if (raw === undefined || raw === '') return undefined;
  if (!/^\s*data\s*:/i.test(raw)) return { text: raw, contentType: 'text/plain' };
  const d = decodeDataUrl(raw);
  if (!d) throw invalidParam('message must be a data URL.');
  if (d.mediaType === 'text/html') return { text: htmlToText(d.text), html: d.text, contentType: 'text/html' };
  return { text: d.text, contentType: 'text/plain' };
}

export function recordSent(sim: Sim, conv: Conv, msg: Msg, contentType: string): void {
  sim.world.received.push({ from: conv.app.user.sip, to: [...conv.remotes], threadId: conv.threadId, text: msg.html ?? msg.text, contentType, at: msg.at });
}

export function startOutgoing(sim: Sim, app: App, spec: OutgoingSpec): Conv {
  const conv = createConversation(sim, app, { direction: 'Outgoing', ...spec });
  if (spec.first) {
    const f = spec.first;
    const msg = addMessage(sim, conv, { from: app.user.sip, text: f.text, html: f.html, at: sim.clock.now(), direction: 'Outgoing', operationId: spec.operationId });
    conv.invitation.first = msg;
    recordSent(sim, conv, msg, f.contentType);
  }
  emitOutgoingStarted(sim, conv);
  conv.invitation.timer = sim.clock.after(sim.cfg.invitationTimeoutSec * 1000, () =>
    failInvitation(sim, conv, 'Failed', { code: 'RemoteFailure', subcode: 'Timeout', message: 'The invitation was not answered in time.' }),
  );
  if (!routeToAccount(sim, conv)) remoteAnswer(sim, conv);
  return conv;
}

const IMPORTANCE = ['Normal', 'Urgent', 'Emergency'];

export function startMessaging(sim: Sim, ctx: Ctx): Reply {
  const input = ctx.input();
  const to = input.str('to');
  if (!to || !/^sip:[^@\s]+@[^@\s]+$/i.test(to.trim())) throw invalidParam('to must be a SIP URI.');
  const operationId = validateOperationId(input.str('operationId'));
  const subject = input.str('subject');
  if (subject !== undefined && subject.length > 250) throw invalidParam('subject must be at most 250 characters.');
  const threadId = input.str('threadId');
  if (threadId !== undefined && threadId.length > 250) throw invalidParam('threadId must be at most 250 characters.');
  let importance = input.str('importance');
  if (importance !== undefined) {
    const found = IMPORTANCE.find((i) => i.toLowerCase() === importance?.toLowerCase());
    if (!found) throw invalidParam('importance must be Normal, Urgent or Emergency.');
    importance = found;
  }
  const first = firstMessageInput(ctx);
  requireChannel(sim, ctx.app);
  const conv = startOutgoing(sim, ctx.app, { remotes: [to.trim().toLowerCase()], threadId: threadId || undefined, subject, importance, operationId, first });
  return { status: 201, headers: { Location: h.invitation(conv.invitation) } };
}

export function findConv(ctx: Ctx): Conv {
  const conv = ctx.app.conversations.get(ctx.params.conv ?? '');
  if (!conv) throw new UcwaError(404, undefined, 'The conversation does not exist.');
  return conv;
}

export function sendMessage(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  const ct = String(ctx.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (ct !== 'text/plain' && ct !== 'text/html') throw new UcwaError(415, undefined, 'Messages must be text/plain or text/html.');
  if (conv.state !== 'Connected') throw new UcwaError(409, 'None', 'Messaging is not connected.');
  const q = ctx.url.searchParams;
  let operationId: string | undefined;
  for (const [k, v] of q) if (k.toLowerCase() === 'operationid' || k.toLowerCase() === 'operationcontext') operationId = v;
  validateOperationId(operationId);
  const body = ctx.body.toString('utf8');
  const msg = addMessage(sim, conv, {
    from: ctx.app.user.sip,
    text: ct === 'text/html' ? htmlToText(body) : body,
    html: ct === 'text/html' ? body : undefined,
    at: sim.clock.now(),
    direction: 'Outgoing',
    operationId,
  });
  recordSent(sim, conv, msg, ct);
  sim.emit(ctx.app, messageEvent(sim, conv, msg));
  if (routed(conv)) forwardMessage(sim, conv, msg);
  else reactToUserMessage(sim, conv, msg);
  return { status: 201, headers: { Location: h.message(conv, msg.n) } };
}

export function setIsTyping(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  if (conv.state !== 'Connected') throw new UcwaError(409, 'None', 'Messaging is not connected.');
  if (routed(conv)) forwardTyping(sim, conv);
  return { status: 204 };
}

/** stopMessaging (Connected) and cancel (outgoing Connecting) share the `terminate` href. */
export function terminate(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  if (conv.state === 'Connecting' && !conv.invitation.completed) {
    failInvitation(sim, conv, 'Cancelled', { code: 'LocalFailure', subcode: 'Canceled', message: 'The invitation was cancelled.' });
  } else {
    endConversation(sim, conv);
  }
  return { status: 204 };
}

export function deleteConversation(sim: Sim, ctx: Ctx): Reply {
  return terminate(sim, ctx);
}

export function getConversations(_sim: Sim, ctx: Ctx): Reply {
  const list = [...ctx.app.conversations.values()].map((c) => ({ href: h.conv(c) }));
  return { status: 200, body: { rel: 'conversations', _links: { self: { href: `${h.communication(ctx.app)}/conversations` }, conversation: list } } };
}

export function getConversation(_sim: Sim, ctx: Ctx): Reply {
  return { status: 200, body: conversationJson(findConv(ctx)) };
}

export function getMessaging(_sim: Sim, ctx: Ctx): Reply {
  return { status: 200, body: messagingJson(findConv(ctx)) };
}

/** GET messages: the message links of the conversation, newest last (message_ref: "messages collection GET lists message links"). */
export function listMessages(_sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  const links = conv.messages.slice(-100).map((m) => ({ href: h.message(conv, m.n) }));
  return { status: 200, body: { rel: 'messages', _links: { self: { href: `${h.messaging(conv)}/messages` }, message: links } } };
}

export function getMessage(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  const msg = conv.messages.find((m) => String(m.n) === ctx.params.n);
  if (!msg) throw new UcwaError(404);
  return { status: 200, body: messageJson(conv, msg, sim.world) };
}

export function getParticipants(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  const links = conv.joined.map((s) => ({ href: h.participant(conv, s), title: sim.world.name(s) }));
  return {
    status: 200,
    body: { rel: 'participants', _links: { self: { href: h.participants(conv) }, localParticipant: { href: h.participant(conv, ctx.app.user.sip) }, participant: links } },
  };
}

export function getParticipant(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  const who = [ctx.app.user.sip, ...conv.remotes].find((s) => s.slice(4) === (ctx.params.who ?? '').toLowerCase());
  if (!who) throw new UcwaError(404);
  return { status: 200, body: participantJson(conv, sim.world, who) };
}

export function getInvitation(sim: Sim, ctx: Ctx): Reply {
  const inv = ctx.app.invitations.get(ctx.params.inv ?? '');
  if (!inv || inv.kind !== 'messaging') throw new UcwaError(404);
  const accepted = inv.state === 'Connected' ? (inv.direction === 'Outgoing' ? inv.conv.joined : [ctx.app.user.sip]) : undefined;
  return { status: 200, body: invitationJson(inv, sim.world, accepted ? { accepted } : {}) };
}
