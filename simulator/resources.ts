// JSON shapes of UCWA resources (PROTOCOL §2, §4, §5, §6; the contact of PROTOCOL-2 §1.4). Events embed the same objects the
// GETs return, so one builder serves both.

import {
  confConversationJson, confMessagingInvitationJson, confMessagingJson, confParticipantJson, hasContact, meetingInvitationJson,
  nameIn, participantInvitationJson,
} from './conferenceResources.ts';
import { encodeHtml, encodePlain } from './dataUrl.ts';
import { h, userPart } from './hrefs.ts';
import type { App, Conv, Invitation, Msg } from './model.ts';
import type { World } from './world.ts';

const l = (href: string, title?: string) => (title === undefined ? { href } : { href, title });
export const date = (ms: number): string => `/Date(${ms})/`;

/** PUT sentinel (PROTOCOL §0.2): the property name is a GUID, the value a fixed string. */
export const PUT_SENTINEL: [string, string] = ['4d221db7-4af0-476b-9443-8bc874283085', 'please pass this in a PUT request'];

export function meJson(app: App): Record<string, unknown> {
  const base = app.base;
  const links: Record<string, unknown> = { self: l(`${base}/me`) };
  if (app.available) {
    links.presence = l(`${base}/me/presence`);
    links.note = l(`${base}/me/note`);
    links.location = l(`${base}/me/location`);
    links.reportMyActivity = l(`${base}/me/reportMyActivity`);
  } else {
    links.makeMeAvailable = l(`${base}/me/makeMeAvailable`);
  }
  links.callForwardingSettings = l(`${base}/me/callForwardingSettings`);
  links.phones = l(`${base}/me/phones`);
  links.photo = l(h.photo(app, app.user.sip));
  return {
    rel: 'me',
    name: app.user.name,
    uri: app.user.sip,
    emailAddresses: app.user.email ? [app.user.email] : [],
    title: app.user.title ?? '',
    department: app.user.department ?? '',
    company: app.user.company ?? 'Contoso',
    ...(app.user.office ? { officeLocation: app.user.office } : {}),
    ...(app.user.workPhoneNumber ? { workPhoneNumber: app.user.workPhoneNumber } : {}),
    ...(app.user.mobilePhoneNumber ? { mobilePhoneNumber: app.user.mobilePhoneNumber } : {}),
    endpointUri: `${app.user.sip};opaque=user:epid:${app.endpointId.slice(0, 22)};gruu`,
    _links: links,
  };
}

export function peopleJson(app: App): Record<string, unknown> {
  return {
    rel: 'people',
    _links: {
      self: l(h.people(app)),
      presenceSubscriptions: l(h.presenceSubscriptions(app)),
      subscribedContacts: l(h.subscribedContacts(app)),
      presenceSubscriptionMemberships: l(h.psMemberships(app)),
      myGroups: l(h.myGroups(app)),
      myGroupMemberships: l(h.myGroupMemberships(app)),
      myContacts: l(h.myContacts(app)),
      myPrivacyRelationships: l(h.privacyRelationships(app)),
      myContactsAndGroupsSubscription: l(h.contactsSubscription(app)),
      search: l(h.search(app)),
    },
  };
}

export function communicationJson(app: App): Record<string, unknown> {
  const c = `${app.base}/communication`;
  return {
    rel: 'communication',
    [PUT_SENTINEL[0]]: PUT_SENTINEL[1],
    supportedModalities: app.available ? app.modalities : [],
    supportedMessageFormats: app.messageFormats,
    conversationHistory: 'Enabled',
    etag: String(app.commEtag),
    _links: {
      self: l(c),
      conversations: l(`${c}/conversations?filter=active`),
      startMessaging: l(`${c}/messagingInvitations`),
      conversationLogs: l(`${c}/conversationLogs`),
      missedItems: l(`${c}/missedItems`),
      ...(app.adHocMeetings ? { startOnlineMeeting: l(`${c}/onlineMeetingInvitations?onlineMeetingUri=adhoc`) } : {}),
      joinOnlineMeeting: l(`${c}/onlineMeetingInvitations`),
    },
  };
}

export function onlineMeetingsJson(app: App): Record<string, unknown> {
  const o = `${app.base}/onlineMeetings`;
  return { rel: 'onlineMeetings', _links: { self: l(o), myOnlineMeetings: l(`${o}/myOnlineMeetings`), onlineMeetingDefaultValues: l(`${o}/defaultValues`) } };
}

export function applicationJson(app: App): Record<string, unknown> {
  const body: Record<string, unknown> = {
    rel: 'application',
    id: app.id,
    type: 'Browser',
    culture: app.culture,
    userAgent: app.userAgent,
    endpointId: app.endpointId,
  };
  if (app.instanceId) body.instanceId = app.instanceId;
  body._links = {
    self: l(app.base),
    policies: l(`${app.base}/policies`),
    batch: l(`${app.base}/batch`),
    events: l(`${app.base}/events?ack=1`),
  };
  body._embedded = { me: meJson(app), people: peopleJson(app), onlineMeetings: onlineMeetingsJson(app), communication: communicationJson(app) };
  return body;
}

/** 32-bit FNV-1a as a decimal string: the shape of the trace's contact etags ("2316395199"). */
function etagOf(text: string): string {
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 16777619);
  return String(x >>> 0);
}

/** The same contact shape everywhere (myContacts, groups, search, GET contact; PROTOCOL-2 §1.4). */
export function contactJson(app: App, world: World, sip: string): Record<string, unknown> {
  const u = world.user(sip);
  const body: Record<string, unknown> = {
    rel: 'contact',
    uri: sip,
    name: u?.name ?? userPart(sip),
    type: 'User',
    sourceNetwork: 'SameEnterprise',
    company: u?.company ?? 'Contoso',
    emailAddresses: u?.email ? [u.email] : [],
    title: u?.title ?? '',
    department: u?.department ?? '',
  };
  // Absent rather than empty, as in the traces.
  if (u?.office) body.office = u.office;
  if (u?.workPhoneNumber) body.workPhoneNumber = u.workPhoneNumber;
  if (u?.mobilePhoneNumber) body.mobilePhoneNumber = u.mobilePhoneNumber;
  body.etag = etagOf(JSON.stringify(body));
  body._links = {
    self: l(h.contact(app, sip)),
    contactPresence: l(h.contactPresence(app, sip)),
    contactNote: l(h.contactNote(app, sip)),
    contactLocation: l(h.contactLocation(app, sip)),
    contactSupportedModalities: l(h.contactModalities(app, sip)),
    contactPrivacyRelationship: l(h.contactPrivacy(app, sip)),
    contactPhoto: l(h.photo(app, sip)),
  };
  return body;
}

export function participantJson(c: Conv, world: World, sip: string): Record<string, unknown> {
  if (c.conf) return confParticipantJson(c, c.conf, world, sip);
  const local = sip === c.app.user.sip;
  const links: Record<string, unknown> = { self: l(h.participant(c, sip)), conversation: l(h.conv(c)) };
  if (local) links.me = l(h.me(c.app));
  else {
    links.contact = l(h.contact(c.app, sip));
    links.contactPresence = l(h.contactPresence(c.app, sip));
    links.contactPhoto = l(h.photo(c.app, sip));
  }
  if (c.state === 'Connected') links.messaging = l(h.participantMessaging(c, sip));
  return { rel: 'participant', sourceNetwork: 'SameEnterprise', anonymous: false, name: world.name(sip), uri: sip, _links: links };
}

export function conversationJson(c: Conv): Record<string, unknown> {
  if (c.conf) return confConversationJson(c);
  const links: Record<string, unknown> = { self: l(h.conv(c)), messaging: l(h.messaging(c)), participants: l(h.participants(c)) };
  if (c.state === 'Connected') {
    links.localParticipant = l(h.participant(c, c.app.user.sip), c.app.user.name);
    // Escalation to a conference (PROTOCOL-2 §2.4: present once the 1:1 is Connected).
    links.addParticipant = l(h.addParticipant(c));
  }
  return {
    rel: 'conversation',
    state: c.state,
    threadId: c.threadId,
    subject: c.subject,
    activeModalities: c.state === 'Connected' || c.state === 'Incoming' ? ['Messaging'] : [],
    importance: c.importance,
    recording: false,
    participantCount: c.joined.length + 1,
    created: date(c.createdAt),
    _links: links,
  };
}

export function messagingJson(c: Conv): Record<string, unknown> {
  if (c.conf) return confMessagingJson(c);
  const links: Record<string, unknown> = { self: l(h.messaging(c)), conversation: l(h.conv(c)) };
  const body: Record<string, unknown> = { rel: 'messaging', state: messagingState(c) };
  if (c.state === 'Connected') {
    body.negotiatedMessageFormats = c.app.messageFormats;
    links.sendMessage = l(h.messages(c));
    links.setIsTyping = l(h.typing(c));
    links.typingParticipants = l(h.typingParticipants(c));
  }
  if (c.state !== 'Disconnected') links.stopMessaging = l(h.terminate(c));
  body._links = links;
  return body;
}

export function messagingState(c: Conv): string {
  if (c.conf) return c.im;
  return c.state === 'Connected' ? 'Connected' : c.state === 'Disconnected' ? 'Disconnected' : 'Connecting';
}

export function invitationJson(inv: Invitation, world: World, opts: { accepted?: string[] } = {}): Record<string, unknown> {
  const c = inv.conv;
  const app = c.app;
  const remote = c.remotes[0] ?? '';
  if (inv.kind === 'onlineMeeting') return meetingInvitationJson(inv, world);
  if (inv.kind === 'participant') return participantInvitationJson(inv, world);
  if (c.conf) return confMessagingInvitationJson(inv);
  const body: Record<string, unknown> = {
    rel: 'messagingInvitation',
    direction: inv.direction,
    importance: c.importance,
    threadId: c.threadId,
    state: inv.state,
    subject: c.subject,
  };
  if (inv.operationId !== undefined) body.operationId = inv.operationId;
  if (inv.direction === 'Outgoing') body.to = remote;
  const links: Record<string, unknown> = { self: l(h.invitation(inv)) };
  const pending = !inv.completed && inv.state === 'Connecting';
  if (inv.direction === 'Outgoing') {
    links.from = l(h.participant(c, app.user.sip), app.user.name);
    links.to = l(h.contact(app, remote));
    if (pending) links.cancel = l(h.terminate(c));
  } else {
    links.from = l(h.participant(c, remote), world.name(remote));
    links.to = l(h.contact(app, app.user.sip));
    if (pending && inv.showAnswerLinks) {
      links.accept = l(`${h.invitation(inv)}/accept`);
      links.decline = l(`${h.invitation(inv)}/decline`);
    }
  }
  links.conversation = l(h.conv(c));
  links.messaging = l(h.messaging(c));
  if (inv.first) links.message = l(inv.first.html !== undefined ? encodeHtml(inv.first.html) : encodePlain(inv.first.text));
  body._links = links;
  const embedded: Record<string, unknown> = {};
  if (inv.direction === 'Incoming') embedded.from = participantJson(c, world, remote);
  if (opts.accepted) embedded.acceptedByParticipant = opts.accepted.map((s) => participantJson(c, world, s));
  if (Object.keys(embedded).length) body._embedded = embedded;
  return body;
}

export function messageJson(c: Conv, m: Msg, world: World): Record<string, unknown> {
  const links: Record<string, unknown> = { self: l(h.message(c, m.n)), messaging: l(h.messaging(c)) };
  if (m.direction === 'Incoming') {
    // Phone participants (and strangers) have no contact: the participant link is the author (PROTOCOL-2 §2.8).
    if (hasContact(world, m.from)) links.contact = l(h.contact(c.app, m.from));
    links.participant = l(h.participant(c, m.from), nameIn(c.conf, world, m.from));
  } else {
    links.participant = l(h.participant(c, c.app.user.sip), c.app.user.name);
  }
  links.plainMessage = l(encodePlain(m.text));
  if (m.html !== undefined) links.htmlMessage = l(encodeHtml(m.html));
  const body: Record<string, unknown> = { rel: 'message', direction: m.direction, status: 'Succeeded', timeStamp: date(m.at) };
  if (m.operationId !== undefined) body.operationId = m.operationId;
  body._links = links;
  return body;
}
