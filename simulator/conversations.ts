// Life of a live conversation and its messagingInvitation, and the events each step emits
// (PROTOCOL §5.3, §5.9, §6.2). HTTP handlers and remote behaviours both drive it from here.

import type { TimerId } from './clock.ts';
import { hasContact, nameIn } from './conferenceResources.ts';
import type { UcwaEvent } from './eventChannel.ts';
import { commSender, convSender, h } from './hrefs.ts';
import type { App, Conference, Conv, Invitation, Msg } from './model.ts';
import { conversationJson, invitationJson, messageJson, messagingJson, participantJson } from './resources.ts';
import type { Sim } from './sim.ts';

export interface NewConv {
  direction: 'Incoming' | 'Outgoing';
  remotes: string[];
  threadId?: string;
  subject?: string;
  importance?: string;
  operationId?: string;
  /** A conversation of this conference: its main invitation is an onlineMeetingInvitation. */
  conf?: Conference;
}

export function newThreadId(): string {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  return b.toString('base64');
}

export function createConversation(sim: Sim, app: App, o: NewConv): Conv {
  app.convSeq += 1;
  const conv = {
    id: `${app.convSeq}${sim.id('c')}`,
    app,
    threadId: o.threadId ?? newThreadId(),
    subject: o.subject ?? '',
    importance: o.importance ?? 'Normal',
    direction: o.direction,
    state: o.direction === 'Incoming' ? 'Incoming' : 'Connecting',
    remotes: o.remotes,
    joined: [],
    typing: new Set<string>(),
    messages: [],
    msgSeq: 0,
    invitation: undefined as unknown as Invitation,
    timers: new Set<TimerId>(),
    logStatus: 'Archived',
    group: undefined,
    createdAt: sim.clock.now(),
    peers: [],
    conf: o.conf,
    im: 'Disconnected',
    // Conference participants get opaque ids (participants/196) unless participantHrefs is 'sip'.
    pids: o.conf && sim.cfg.participantHrefs === 'opaque' ? new Map<string, string>() : undefined,
  } satisfies Conv as Conv;
  const inv: Invitation = {
    id: sim.id('i'),
    kind: o.conf ? 'onlineMeeting' : 'messaging',
    conv,
    direction: o.direction,
    operationId: o.operationId,
    state: 'Connecting',
    first: undefined,
    showAnswerLinks: true,
    completed: false,
    timer: undefined,
  };
  if (o.conf) {
    inv.conf = o.conf;
    o.conf.convs.add(conv);
  }
  conv.invitation = inv;
  app.conversations.set(conv.id, conv);
  app.invitations.set(inv.id, inv);
  return conv;
}

export function live(conv: Conv): boolean {
  return conv.state !== 'Disconnected' && conv.app.state === 'active';
}

/** A timer owned by the conversation: cleared when it ends. */
export function convTimer(sim: Sim, conv: Conv, ms: number, fn: () => void): void {
  const t = sim.clock.after(ms, () => {
    conv.timers.delete(t);
    if (live(conv)) fn();
  });
  conv.timers.add(t);
}

export { commSender, convSender };

const INVITATION_RELS: Record<Invitation['kind'], string> = { messaging: 'messagingInvitation', onlineMeeting: 'onlineMeetingInvitation', participant: 'participantInvitation' };

export function addMessage(sim: Sim, conv: Conv, m: Omit<Msg, 'n'>): Msg {
  conv.msgSeq += 1;
  const msg: Msg = { ...m, n: conv.msgSeq };
  conv.messages.push(msg);
  return msg;
}

export function invitationEvent(sim: Sim, inv: Invitation, type: UcwaEvent['type'], extra: Partial<UcwaEvent> = {}, accepted?: string[]): UcwaEvent {
  return {
    sender: commSender(inv.conv.app),
    link: { rel: INVITATION_RELS[inv.kind], href: h.invitation(inv) },
    embedded: invitationJson(inv, sim.world, accepted ? { accepted } : {}),
    type,
    ...extra,
  };
}

export function conversationEvent(conv: Conv, type: UcwaEvent['type']): UcwaEvent {
  const e: UcwaEvent = { sender: commSender(conv.app), link: { rel: 'conversation', href: h.conv(conv) }, type };
  if (type !== 'deleted') e.embedded = conversationJson(conv);
  return e;
}

export function messagingEvent(conv: Conv): UcwaEvent {
  return { sender: convSender(conv), link: { rel: 'messaging', href: h.messaging(conv) }, embedded: messagingJson(conv), type: 'updated' };
}

export function localParticipantEvent(sim: Sim, conv: Conv): UcwaEvent {
  const me = conv.app.user;
  return {
    sender: convSender(conv),
    link: { rel: 'localParticipant', href: h.participant(conv, me.sip), title: me.name },
    embedded: participantJson(conv, sim.world, me.sip),
    type: 'added',
  };
}

export function participantEvent(sim: Sim, conv: Conv, sip: string, type: UcwaEvent['type']): UcwaEvent {
  // As participants_ref's example: the link alone (no title, nothing embedded).
  if (sim.cfg.participantEvents === 'bare') return { sender: convSender(conv), link: { rel: 'participant', href: h.participant(conv, sip) }, type };
  const e: UcwaEvent = { sender: convSender(conv), link: { rel: 'participant', href: h.participant(conv, sip), title: nameIn(conv.conf, sim.world, sip) }, type };
  if (type !== 'deleted') e.embedded = participantJson(conv, sim.world, sip);
  return e;
}

export function participantMessagingEvent(conv: Conv, sip: string, local: boolean): UcwaEvent {
  return {
    sender: convSender(conv),
    link: { rel: 'participantMessaging', href: h.participantMessaging(conv, sip) },
    in: { rel: local ? 'localParticipant' : 'participant', href: h.participant(conv, sip), title: '' },
    type: 'added',
  };
}

export function messageEvent(sim: Sim, conv: Conv, msg: Msg): UcwaEvent {
  return {
    sender: convSender(conv),
    link: { rel: 'message', href: h.message(conv, msg.n) },
    status: 'Success',
    embedded: messageJson(conv, msg, sim.world),
    type: 'completed',
  };
}

/** §5.3 batch 1: invitation started, conversation added, localParticipant added, messaging Connecting. */
export function emitOutgoingStarted(sim: Sim, conv: Conv): void {
  sim.emit(conv.app, invitationEvent(sim, conv.invitation, 'started'), conversationEvent(conv, 'added'), localParticipantEvent(sim, conv), messagingEvent(conv));
}

/** §5.3 batch 2: the remote(s) accepted an outgoing invitation. */
export function connectOutgoing(sim: Sim, conv: Conv, accepted: string[]): void {
  const inv = conv.invitation;
  if (inv.completed || !live(conv)) return;
  sim.clock.cancel(inv.timer);
  conv.state = 'Connected';
  conv.joined = [...accepted];
  inv.state = 'Connected';
  inv.completed = true;
  const events: UcwaEvent[] = [conversationEvent(conv, 'updated')];
  for (const sip of accepted) events.push(participantEvent(sim, conv, sip, 'added'), participantMessagingEvent(conv, sip, false));
  events.push(participantMessagingEvent(conv, conv.app.user.sip, true), messagingEvent(conv));
  events.push(invitationEvent(sim, inv, 'completed', { status: 'Success' }, accepted));
  sim.emit(conv.app, ...events);
}

/** §6.2: the local user accepted an incoming invitation. */
export function connectIncoming(sim: Sim, conv: Conv): void {
  const inv = conv.invitation;
  sim.clock.cancel(inv.timer);
  const remote = conv.remotes[0] as string;
  conv.state = 'Connected';
  conv.joined = [remote];
  inv.state = 'Connected';
  inv.completed = true;
  sim.emit(
    conv.app,
    messagingEvent(conv),
    conversationEvent(conv, 'updated'),
    participantMessagingEvent(conv, conv.app.user.sip, true),
    participantMessagingEvent(conv, remote, false),
    participantEvent(sim, conv, remote, 'updated'),
    invitationEvent(sim, inv, 'completed', { status: 'Success' }, [conv.app.user.sip]),
  );
}

/** Invitation failed (declined, timed out, cancelled, unknown user): completion + teardown. */
export function failInvitation(sim: Sim, conv: Conv, state: Invitation['state'], reason: { code: string; subcode: string; message?: string }): void {
  const inv = conv.invitation;
  if (inv.completed) return;
  sim.clock.cancel(inv.timer);
  inv.completed = true;
  inv.state = state;
  const r = { code: reason.code, subcode: reason.subcode, message: reason.message ?? `The invitation failed: ${reason.subcode}.` };
  sim.emit(conv.app, invitationEvent(sim, inv, 'completed', { status: 'Failure', reason: r }));
  endConversation(sim, conv);
}

/**
 * Teardown events (PROTOCOL §5.9) and archiving into a conversationLog after logDelaySec.
 * `remoteLeft`: the remote participant hung up (participant and participantMessaging deleted first).
 */
export function endConversation(sim: Sim, conv: Conv, remoteLeft?: string): void {
  if (conv.state === 'Disconnected') return;
  const wasConnected = conv.state === 'Connected';
  conv.state = 'Disconnected';
  for (const t of conv.timers) sim.clock.cancel(t);
  conv.timers.clear();
  const events: UcwaEvent[] = [];
  if (wasConnected) {
    for (const sip of conv.typing) events.push(typingEvent(sim, conv, sip, 'deleted'));
    conv.typing.clear();
    if (remoteLeft) {
      events.push(
        { sender: convSender(conv), link: { rel: 'participantMessaging', href: h.participantMessaging(conv, remoteLeft) }, in: { rel: 'participant', href: h.participant(conv, remoteLeft), title: '' }, type: 'deleted' },
        participantEvent(sim, conv, remoteLeft, 'deleted'),
      );
      conv.joined = conv.joined.filter((s) => s !== remoteLeft);
    }
  }
  // A conference conversation that never joined (a declined or missed invitation) had no messaging.
  if (!conv.conf) events.push(messagingEvent(conv));
  events.push(conversationEvent(conv, 'updated'), conversationEvent(conv, 'deleted'));
  sim.emit(conv.app, ...events);
  conv.app.conversations.delete(conv.id);
  conv.conf?.convs.delete(conv);
  archive(sim, conv);
  notifyPeers(sim, conv);
}

/** The application went away (or its transient state was dropped): conversations end without events, but are still archived. */
export function abandonConversations(sim: Sim, app: App): void {
  const convs = [...app.conversations.values()];
  app.conversations.clear();
  for (const conv of convs) {
    sim.clock.cancel(conv.invitation.timer);
    for (const t of conv.timers) sim.clock.cancel(t);
    const ringing = conv.direction === 'Incoming' && !conv.invitation.completed;
    if (ringing) conv.logStatus = conv.group && conv.group.convs.some((c) => c !== conv && live(c)) ? undefined : 'Missed';
    conv.state = 'Disconnected';
    conv.conf?.convs.delete(conv);
    archive(sim, conv);
    notifyPeers(sim, conv);
  }
}

/** Cut the links between conversations routed from one account to another. */
export function unlink(conv: Conv): void {
  for (const p of conv.peers) p.peers = p.peers.filter((x) => x !== conv);
  conv.peers = [];
}

/**
 * Routed conversations (two signed-in accounts): `conv` ended, so the other side learns it —
 * a caller that gave up stops the callee's ringing; a callee endpoint that vanished fails the
 * caller once nobody rings any more; a connected peer sees the remote leave.
 */
function notifyPeers(sim: Sim, conv: Conv): void {
  const peers = conv.peers;
  unlink(conv);
  const me = conv.app.user.sip;
  for (const p of peers) {
    if (!live(p)) continue;
    if (p.invitation.completed) {
      endConversation(sim, p, me);
    } else if (p.direction === 'Incoming') {
      const group = p.group;
      if (group && !group.settled) {
        group.settled = true;
        sim.clock.cancel(group.timer);
        group.convs.forEach((c, i) => {
          c.logStatus = i === 0 ? 'Missed' : undefined;
        });
      }
      failInvitation(sim, p, 'Failed', { code: 'RemoteFailure', subcode: 'Canceled', message: 'The caller cancelled the invitation.' });
    } else if (!p.peers.some(live)) {
      failInvitation(sim, p, 'Failed', { code: 'RemoteFailure', subcode: 'TemporarilyUnavailable', message: 'The callee is no longer reachable.' });
    }
  }
}

/**
 * The conversation becomes a conversationLog after logDelaySec. A conference's log (ConferenceLog)
 * is written even without messages — being in a meeting is history too — and names everyone who
 * ever took part; its transcript is what this application saw.
 */
export function archive(sim: Sim, conv: Conv): void {
  const status = conv.logStatus;
  const conf = conv.conf;
  if (!status || (status === 'Archived' && conv.messages.length === 0 && !conf)) return;
  conv.logStatus = undefined; // archive once
  const user = conv.app.user.sip;
  const messages = conv.messages.map((m) => (m.html !== undefined ? { from: m.from, text: m.text, html: m.html, at: m.at } : { from: m.from, text: m.text, at: m.at }));
  const recipients = conf ? [...conf.everyone.keys()].filter((u) => u !== user) : [...conv.remotes];
  const names: Record<string, string> = {};
  if (conf) for (const u of recipients) if (!hasContact(sim.world, u)) names[u] = nameIn(conf, sim.world, u);
  sim.clock.after(sim.cfg.logDelaySec * 1000, () => {
    sim.world.addLog(user, {
      threadId: conv.threadId,
      subject: conv.subject,
      direction: conv.direction,
      importance: conv.importance,
      status,
      creationTime: sim.clock.now(),
      recipients,
      messages,
      unread: status === 'Missed',
      ...(conf ? { type: 'ConferenceLog' as const, onlineMeetingUri: conf.uri, recipientNames: names } : {}),
    });
    sim.emitMissedItems(user);
  });
}

export function typingEvent(sim: Sim, conv: Conv, sip: string, type: 'added' | 'deleted'): UcwaEvent {
  return {
    sender: convSender(conv),
    link: { rel: 'participant', href: h.participant(conv, sip), title: nameIn(conv.conf, sim.world, sip) },
    in: { rel: 'typingParticipants', href: h.typingParticipants(conv) },
    type,
  };
}

export function setRemoteTyping(sim: Sim, conv: Conv, sip: string, typing: boolean): void {
  if (conv.state !== 'Connected' || typing === conv.typing.has(sip)) return;
  if (typing) conv.typing.add(sip);
  else conv.typing.delete(sip);
  sim.emit(conv.app, typingEvent(sim, conv, sip, typing ? 'added' : 'deleted'));
}

/** A remote participant sends a message into a connected conversation. */
export function remoteMessage(sim: Sim, conv: Conv, from: string, text: string, html?: string): Msg | undefined {
  if (conv.state !== 'Connected') return undefined;
  if (conv.typing.has(from)) setRemoteTyping(sim, conv, from, false);
  const msg = addMessage(sim, conv, { from, text, html, at: sim.clock.now(), direction: 'Incoming', operationId: undefined });
  sim.emit(conv.app, messageEvent(sim, conv, msg));
  return msg;
}

/** Live conversations of a user across applications, for `liveConversations` and AlreadyExists. */
export function liveConversations(sim: Sim, sip: string): Conv[] {
  return sim.activeApps(sip).flatMap((a) => [...a.conversations.values()].filter((c) => c.state !== 'Disconnected'));
}
