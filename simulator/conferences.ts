// The server-side conference (PROTOCOL-2 §2.1, §2.7, §2.8): who is in it and in its IM, what was
// said, and the fan-out of roster, IM-membership, message and typing events to every joined
// application's conversation (each sees the others through its own participant hrefs).

import type { TimerId } from './clock.ts';
import { participantMessagingEvent } from './conferenceEvents.ts';
import { addMessage, messageEvent, newThreadId, participantEvent, typingEvent } from './conversations.ts';
import type { UcwaEvent } from './eventChannel.ts';
import { toSip } from './hrefs.ts';
import { conferenceId, focusUri, joinUrl, phoneName } from './meetingUris.ts';
import type { Conference, Conv, Member } from './model.ts';
import type { Sim } from './sim.ts';

export interface NewConference {
  organizer: string;
  subject?: string;
  threadId?: string;
  importance?: string;
  /** A scheduled meeting's id (its URIs then match the meeting's). */
  id?: string;
}

/** A focus id no conference and no scheduled meeting has. */
export function freshConferenceId(sim: Sim): string {
  let id = conferenceId(Math.random);
  while (sim.conferences.has(id) || sim.world.meetings.some((m) => m.id === id)) id = conferenceId(Math.random);
  return id;
}

export function createConference(sim: Sim, o: NewConference): Conference {
  const id = o.id ?? freshConferenceId(sim);
  const conf: Conference = {
    id,
    uri: focusUri(o.organizer, id),
    joinUrl: joinUrl(o.organizer, id),
    organizer: o.organizer,
    subject: o.subject ?? '',
    threadId: o.threadId ?? newThreadId(),
    importance: o.importance ?? 'Normal',
    members: new Map(),
    everyone: new Map(),
    invited: new Set(),
    messages: [],
    convs: new Set(),
    timers: new Set(),
    ended: false,
    createdAt: sim.clock.now(),
    replySeq: 0,
  };
  sim.conferences.set(id, conf);
  return conf;
}

/** By focus id or conference URI (case-insensitive), live ones first. */
export function findConference(sim: Sim, idOrUri: string): Conference | undefined {
  const key = idOrUri.trim().toLowerCase();
  const all = [...sim.conferences.values()].filter((c) => c.id.toLowerCase() === key || c.uri.toLowerCase() === key);
  return all.find((c) => !c.ended) ?? all[0];
}

/** "sip:x" / "x@domain" / "tel:+1…" → the URI members are keyed by. */
export function memberUri(raw: string): string {
  const t = raw.trim();
  return /^tel:/i.test(t) ? 'tel:' + t.slice(4).replace(/[^\d+]/g, '') : toSip(t);
}

/** A timer owned by the conference: cleared when it ends. */
export function confTimer(sim: Sim, conf: Conference, ms: number, fn: () => void): TimerId {
  const t = sim.clock.after(ms, () => {
    conf.timers.delete(t);
    if (!conf.ended) fn();
  });
  conf.timers.add(t);
  return t;
}

/** The conversations that see the conference's roster and IM: those of applications in it. */
export function joinedConvs(conf: Conference): Conv[] {
  return [...conf.convs].filter((c) => c.state === 'Conferenced' && c.app.state === 'active');
}

/** Everyone but `uri` itself (an account's own applications see it as their localParticipant). */
function audience(conf: Conference, uri: string): Conv[] {
  return joinedConvs(conf).filter((c) => c.app.user.sip !== uri);
}

export interface MemberSpec {
  role?: Member['role'];
  inIm: boolean;
  account: boolean;
  name?: string;
}

function nameFor(sim: Sim, uri: string, given?: string): string {
  if (given) return given;
  if (/^tel:/i.test(uri)) return phoneName(uri);
  return sim.world.name(uri);
}

/** Someone joins (or an account's first application does): participant (+ participantMessaging) added for the others. */
export function addMember(sim: Sim, conf: Conference, uri: string, spec: MemberSpec): Member {
  const existing = conf.members.get(uri);
  if (existing) return existing;
  const m: Member = {
    uri,
    name: nameFor(sim, uri, spec.name),
    role: spec.role ?? (uri === conf.organizer ? 'Leader' : 'Attendee'),
    account: spec.account,
    inIm: spec.inIm,
    joinedAt: sim.clock.now(),
  };
  conf.members.set(uri, m);
  conf.everyone.set(uri, m.name);
  for (const c of audience(conf, uri)) {
    const events: UcwaEvent[] = [participantEvent(sim, c, uri, 'added')];
    if (m.inIm && c.im === 'Connected') events.push(participantMessagingEvent(sim, c, uri, 'added'));
    sim.emit(c.app, ...events);
  }
  return m;
}

/** Someone leaves: their typing stops, participantMessaging and participant deleted for the others. */
export function removeMember(sim: Sim, conf: Conference, uri: string): void {
  const m = conf.members.get(uri);
  if (!m) return;
  conf.members.delete(uri);
  for (const c of audience(conf, uri)) {
    const events: UcwaEvent[] = [];
    if (c.typing.delete(uri)) events.push(typingEvent(sim, c, uri, 'deleted'));
    if (m.inIm && c.im === 'Connected') events.push(participantMessagingEvent(sim, c, uri, 'deleted'));
    events.push(participantEvent(sim, c, uri, 'deleted'));
    sim.emit(c.app, ...events);
  }
  endIfEmpty(sim, conf);
}

/**
 * An ad hoc conference lives while anyone is in it — simulated people and phones count — or is
 * being rung into it; after the last one it is over (there is nobody left to tell).
 */
export function endIfEmpty(sim: Sim, conf: Conference): void {
  if (conf.ended || conf.members.size > 0) return;
  if ([...conf.convs].some((c) => c.state !== 'Disconnected' && c.app.state === 'active')) return;
  conf.ended = true;
  for (const t of conf.timers) sim.clock.cancel(t);
  conf.timers.clear();
}

/** A member joins or leaves the IM (participantMessaging added/deleted, `in` = participant). */
export function setMemberIm(sim: Sim, conf: Conference, uri: string, inIm: boolean): void {
  const m = conf.members.get(uri);
  if (!m || m.inIm === inIm) return;
  m.inIm = inIm;
  for (const c of audience(conf, uri)) {
    if (c.im !== 'Connected') continue;
    const events: UcwaEvent[] = [];
    if (!inIm && c.typing.delete(uri)) events.push(typingEvent(sim, c, uri, 'deleted'));
    events.push(participantMessagingEvent(sim, c, uri, inIm ? 'added' : 'deleted'));
    sim.emit(c.app, ...events);
  }
}

/**
 * An account takes part through its applications: it is a member while one of its conversations
 * is joined, and in the IM while one of them has messaging Connected.
 */
export function refreshAccount(sim: Sim, conf: Conference, sip: string): void {
  const mine = joinedConvs(conf).filter((c) => c.app.user.sip === sip);
  if (mine.length === 0) {
    removeMember(sim, conf, sip);
    return;
  }
  const inIm = mine.some((c) => c.im === 'Connected');
  if (!conf.members.has(sip)) addMember(sim, conf, sip, { inIm, account: true });
  else setMemberIm(sim, conf, sip, inIm);
}

/** Deliver a member's message to every other conversation in the IM, and keep it for the archive. */
export function memberSays(sim: Sim, conf: Conference, from: string, text: string, html?: string): void {
  const at = sim.clock.now();
  conf.messages.push({ from, text, html, at });
  for (const c of audience(conf, from)) {
    if (c.im !== 'Connected') continue;
    const events: UcwaEvent[] = [];
    if (c.typing.delete(from)) events.push(typingEvent(sim, c, from, 'deleted'));
    const msg = addMessage(sim, c, { from, text, html, at, direction: 'Incoming', operationId: undefined });
    events.push(messageEvent(sim, c, msg));
    sim.emit(c.app, ...events);
  }
}

/** A member starts/stops typing: participant added/deleted in typingParticipants for the others in the IM. */
export function memberTyping(sim: Sim, conf: Conference, from: string, typing: boolean): void {
  for (const c of audience(conf, from)) {
    if (c.im !== 'Connected' || c.typing.has(from) === typing) continue;
    if (typing) c.typing.add(from);
    else c.typing.delete(from);
    sim.emit(c.app, typingEvent(sim, c, from, typing ? 'added' : 'deleted'));
  }
}

