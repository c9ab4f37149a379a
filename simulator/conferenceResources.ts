// JSON shapes of a conference conversation's resources (PROTOCOL-2 §2.3, §2.4, §2.7, §2.9):
// conversation, messaging, participant, participants / leaders / attendees / lobby, onlineMeeting and
// the onlineMeetingInvitation / participantInvitation / messagingInvitation (addMessaging) bodies.
// resources.ts hands conference conversations to these builders; events embed the same objects.

import { encodeHtml, encodePlain } from './dataUrl.ts';
import { h } from './hrefs.ts';
import type { Conference, Conv, Invitation } from './model.ts';
import type { World } from './world.ts';

type Json = Record<string, unknown>;
const l = (href: string, title?: string) => (title === undefined ? { href } : { href, title });
// Same "/Date(ms)/" shape as resources.ts (which imports this file, so it cannot be imported here).
const date = (ms: number): string => `/Date(${ms})/`;

/** In the conference (Conferencing while escalating, Conferenced after). */
export function joined(c: Conv): boolean {
  return c.state === 'Conferenced' || c.state === 'Conferencing';
}

/** A participant's display name: the conference's record (phone numbers), else the directory. */
export function nameIn(conf: Conference | undefined, world: World, uri: string): string {
  return conf?.members.get(uri)?.name ?? conf?.everyone.get(uri) ?? world.name(uri);
}

/** Directory users have a contact (and presence, photo); phone participants and strangers do not. */
export function hasContact(world: World, uri: string): boolean {
  return /^sip:/i.test(uri) && world.user(uri) !== undefined;
}

export function confParticipantJson(c: Conv, conf: Conference, world: World, uri: string): Json {
  const local = uri === c.app.user.sip;
  const m = conf.members.get(uri);
  const links: Json = { self: l(h.participant(c, uri)), conversation: l(h.conv(c)) };
  if (local) links.me = l(h.me(c.app));
  else if (hasContact(world, uri)) {
    links.contact = l(h.contact(c.app, uri));
    links.contactPresence = l(h.contactPresence(c.app, uri));
    links.contactPhoto = l(h.photo(c.app, uri));
  }
  const inIm = local ? c.im === 'Connected' : Boolean(m?.inIm) && c.im === 'Connected';
  if (inIm) links.participantMessaging = l(h.participantMessaging(c, uri));
  const body: Json = {
    rel: 'participant',
    name: nameIn(conf, world, uri),
    uri,
    role: m?.role ?? (uri === conf.organizer ? 'Leader' : 'Attendee'),
    organizer: uri === conf.organizer,
    anonymous: false,
    local,
    inLobby: false,
    sourceNetwork: 'SameEnterprise',
  };
  if (/^tel:/i.test(uri)) body.otherPhoneNumber = uri;
  body._links = links;
  return body;
}

export function confConversationJson(c: Conv): Json {
  const conf = c.conf as Conference;
  const me = c.app.user;
  const links: Json = { self: l(h.conv(c)) };
  if (c.state !== 'Incoming') links.messaging = l(h.messaging(c));
  // The roster is the server's: an invitee may look at who is in it before answering.
  if (c.state !== 'Disconnected') links.participants = l(h.participants(c));
  if (joined(c)) links.localParticipant = l(h.participant(c, me.sip), me.name);
  if (c.state === 'Conferenced') {
    links.onlineMeeting = l(h.onlineMeeting(c));
    links.addParticipant = l(h.addParticipant(c));
    links.leaders = l(h.leaders(c));
    links.attendees = l(h.attendees(c));
    links.lobby = l(h.lobby(c));
  }
  return {
    rel: 'conversation',
    state: c.state,
    threadId: c.threadId,
    subject: c.subject,
    activeModalities: c.im === 'Connected' ? ['Messaging'] : [],
    importance: c.importance,
    recording: false,
    participantCount: conf.members.size + (conf.members.has(me.sip) ? 0 : 1),
    created: date(c.createdAt),
    audienceMessaging: 'Enabled',
    audienceMute: 'Disabled',
    _links: links,
  };
}

export function confMessagingJson(c: Conv): Json {
  const links: Json = { self: l(h.messaging(c)), conversation: l(h.conv(c)) };
  const body: Json = { rel: 'messaging', state: c.im };
  if (c.im === 'Connected') {
    body.negotiatedMessageFormats = c.app.messageFormats;
    links.sendMessage = l(h.messages(c));
    links.setIsTyping = l(h.typing(c));
    links.typingParticipants = l(h.typingParticipants(c));
    links.stopMessaging = l(h.terminate(c));
  } else if (c.im === 'Connecting') {
    links.stopMessaging = l(h.terminate(c));
  } else if (c.state === 'Conferenced') {
    // IM can be (re-)added while the user is in the conference (addMessaging_ref).
    links.addMessaging = l(h.addMessaging(c));
  }
  body._links = links;
  return body;
}

export function onlineMeetingJson(c: Conv, world: World): Json {
  const conf = c.conf as Conference;
  const members = [...conf.members.values()];
  return {
    rel: 'onlineMeeting',
    onlineMeetingId: conf.id,
    onlineMeetingUri: conf.uri,
    joinUrl: conf.joinUrl,
    subject: conf.subject,
    description: '',
    organizerUri: conf.organizer,
    organizerName: nameIn(conf, world, conf.organizer),
    accessLevel: 'SameEnterprise',
    automaticLeaderAssignment: 'Disabled',
    entryExitAnnouncement: 'Disabled',
    lobbyBypassForPhoneUsers: 'Disabled',
    phoneUserAdmission: 'Disabled',
    largeMeeting: false,
    leaders: members.filter((m) => m.role === 'Leader').map((m) => m.uri),
    attendees: members.filter((m) => m.role === 'Attendee').map((m) => m.uri),
    _links: { self: l(h.onlineMeeting(c)), conversation: l(h.conv(c)) },
  };
}

/** The conference's participants as this conversation sees them (the user is the localParticipant, not among them). */
export function confParticipantsJson(c: Conv, world: World, view: 'participants' | 'leaders' | 'attendees' | 'lobby'): Json {
  const conf = c.conf as Conference;
  const me = c.app.user.sip;
  const self = { participants: h.participants(c), leaders: h.leaders(c), attendees: h.attendees(c), lobby: h.lobby(c) }[view];
  // Nobody waits in a lobby here: every meeting admits the enterprise directly.
  let uris = view === 'lobby' ? [] : [...conf.members.keys()].filter((u) => u !== me);
  if (view === 'leaders') uris = uris.filter((u) => conf.members.get(u)?.role === 'Leader');
  if (view === 'attendees') uris = uris.filter((u) => conf.members.get(u)?.role === 'Attendee');
  const links: Json = { self: l(self), participant: uris.map((u) => l(h.participant(c, u), nameIn(conf, world, u))) };
  if (view === 'participants' && joined(c)) links.localParticipant = l(h.participant(c, me), c.app.user.name);
  return { rel: view, _links: links, _embedded: { participant: uris.map((u) => confParticipantJson(c, conf, world, u)) } };
}

/** onlineMeetingInvitation (onlineMeetingInvitation_ref): outgoing (start/join) or incoming (someone invites the user). */
export function meetingInvitationJson(inv: Invitation, world: World): Json {
  const c = inv.conv;
  const conf = inv.conf as Conference;
  const app = c.app;
  const body: Json = {
    rel: 'onlineMeetingInvitation',
    direction: inv.direction,
    state: inv.state,
    importance: conf.importance,
    availableModalities: ['Messaging'],
    onlineMeetingUri: conf.uri,
    subject: conf.subject,
    threadId: conf.threadId,
  };
  if (inv.operationId !== undefined) body.operationId = inv.operationId;
  const links: Json = { self: l(h.invitation(inv)), conversation: l(h.conv(c)) };
  const pending = !inv.completed && inv.state === 'Connecting';
  if (inv.direction === 'Incoming') {
    const from = inv.from ?? conf.organizer;
    body.to = app.user.sip;
    links.from = l(h.participant(c, from), nameIn(conf, world, from));
    links.to = l(h.contact(app, app.user.sip));
    if (pending && inv.showAnswerLinks) {
      links.accept = l(`${h.invitation(inv)}/accept`);
      links.decline = l(`${h.invitation(inv)}/decline`);
    }
    if (inv.first) links.message = l(inv.first.html !== undefined ? encodeHtml(inv.first.html) : encodePlain(inv.first.text));
    body._links = links;
    const embedded: Json = { from: confParticipantJson(c, conf, world, from) };
    if (inv.accepted?.length && c.conf) embedded.acceptedByParticipant = inv.accepted.map((u) => confParticipantJson(c, conf, world, u));
    body._embedded = embedded;
    return body;
  }
  links.from = l(h.participant(c, app.user.sip), app.user.name);
  body._links = links;
  return body;
}

/** participantInvitation (participantInvitation_ref): always outgoing; the invitee embedded once accepted. */
export function participantInvitationJson(inv: Invitation, world: World): Json {
  const c = inv.conv;
  const conf = c.conf as Conference;
  const to = inv.to ?? '';
  const body: Json = {
    rel: 'participantInvitation',
    direction: 'Outgoing',
    state: inv.state,
    importance: c.importance,
    subject: c.subject,
    threadId: c.threadId,
    to,
  };
  if (inv.operationId !== undefined) body.operationId = inv.operationId;
  const links: Json = { self: l(h.invitation(inv)), conversation: l(h.conv(c)), from: l(h.participant(c, c.app.user.sip), c.app.user.name) };
  if (hasContact(world, to)) links.to = l(h.contact(c.app, to));
  if (!inv.completed && inv.state === 'Connecting') links.cancel = l(`${h.invitation(inv)}/cancel`);
  if (inv.accepted?.length) links.participant = l(h.participant(c, to), nameIn(conf, world, to));
  body._links = links;
  if (inv.accepted?.length) body._embedded = { acceptedByParticipant: inv.accepted.map((u) => confParticipantJson(c, conf, world, u)) };
  return body;
}

/** The messagingInvitation of addMessaging into a conference: no `to` (the conference is the target). */
export function confMessagingInvitationJson(inv: Invitation): Json {
  const c = inv.conv;
  const body: Json = {
    rel: 'messagingInvitation',
    direction: 'Outgoing',
    importance: c.importance,
    threadId: c.threadId,
    state: inv.state,
    subject: c.subject,
  };
  if (inv.operationId !== undefined) body.operationId = inv.operationId;
  const links: Json = {
    self: l(h.invitation(inv)),
    from: l(h.participant(c, c.app.user.sip), c.app.user.name),
    conversation: l(h.conv(c)),
    messaging: l(h.messaging(c)),
  };
  if (!inv.completed && inv.state === 'Connecting') links.cancel = l(h.terminate(c));
  body._links = links;
  return body;
}
