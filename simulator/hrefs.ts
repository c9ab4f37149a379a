// URL layout (trace style, PROTOCOL §11.1). Hrefs are relative to the pool host.

import type { App, Conv, Invitation } from './model.ts';

export const APPLICATIONS_PATH = '/ucwa/oauth/v1/applications';
export const ROOT_PATH = '/autodiscover/autodiscoverservice.svc/root';
export const USER_PATH = `${ROOT_PATH}/oauth/user`;
export const TOKEN_PATH = '/WebTicket/oauthtoken';
export const XFRAME_PATH = '/autodiscover/xframe/xframe.html';

/** "sip:alice@contoso.com" → "alice@contoso.com" (the form used in participant/people paths). */
export const userPart = (sip: string): string => sip.replace(/^sip:/i, '');
export const toSip = (s: string): string => (/^sip:/i.test(s) ? 'sip:' + s.slice(4) : 'sip:' + s).toLowerCase();

/** Group and subscription ids are opaque (base64 with '+', '/', '='): always encoded in hrefs. */
const enc = encodeURIComponent;

/** Opaque participant ids are numbers, as in Microsoft's reference samples (participants/196). */
let participantSeq = 195;

/**
 * The last path segment of a participant: the SIP user (trace style) unless the conversation uses
 * opaque ids (conferences by default), where each URI gets a number the first time it is named.
 */
export function participantKey(c: Conv, uri: string): string {
  const ids = c.pids;
  if (!ids) return userPart(uri);
  let id = ids.get(uri);
  if (id === undefined) {
    participantSeq += 1;
    id = String(participantSeq);
    ids.set(uri, id);
  }
  return id;
}

const INVITATIONS: Record<Invitation['kind'], string> = {
  messaging: 'messagingInvitations',
  onlineMeeting: 'onlineMeetingInvitations',
  participant: 'participantInvitations',
};

export const h = {
  me: (a: App) => `${a.base}/me`,
  people: (a: App) => `${a.base}/people`,
  // Per-contact resources in the trace style of PROTOCOL-2 §1.4 (…/people/<user>/presence, …).
  contact: (a: App, sip: string) => `${a.base}/people/${userPart(sip)}`,
  contactPresence: (a: App, sip: string) => `${a.base}/people/${userPart(sip)}/presence`,
  contactNote: (a: App, sip: string) => `${a.base}/people/${userPart(sip)}/note`,
  contactLocation: (a: App, sip: string) => `${a.base}/people/${userPart(sip)}/location`,
  contactModalities: (a: App, sip: string) => `${a.base}/people/${userPart(sip)}/supportedMedia`,
  contactPrivacy: (a: App, sip: string) => `${a.base}/people/${userPart(sip)}/privacyRelationship`,
  photo: (a: App, sip: string) => `${a.base}/photos/${userPart(sip)}`,
  search: (a: App) => `${a.base}/people/search`,
  // Contact list (PROTOCOL-2 §1.6): groupContacts is myContacts filtered by ?groupId= (trace style).
  myContacts: (a: App) => `${a.base}/people/contacts`,
  groupContacts: (a: App, gid: string) => `${a.base}/people/contacts?groupId=${enc(gid)}`,
  myGroups: (a: App) => `${a.base}/people/groups`,
  group: (a: App, gid: string) => `${a.base}/people/groups/${enc(gid)}`,
  expandGroup: (a: App, gid: string) => `${a.base}/people/groups/${enc(gid)}/expandDistributionGroup`,
  myGroupMemberships: (a: App) => `${a.base}/people/groupMemberships`,
  groupMemberships: (a: App, gid: string) => `${a.base}/people/groupMemberships?groupId=${enc(gid)}`,
  groupMembership: (a: App, gid: string, sip: string) => `${a.base}/people/groupMemberships/${enc(gid)},${userPart(sip)}`,
  privacyRelationships: (a: App) => `${a.base}/people/privacyRelationships`,
  // Subscriptions (PROTOCOL-2 §1.7, §1.8).
  contactsSubscription: (a: App) => `${a.base}/people/contactsAndGroupsSubscription`,
  contactsSubscriptionStart: (a: App) => `${a.base}/people/contactsAndGroupsSubscription/startOrRefresh`,
  contactsSubscriptionStop: (a: App) => `${a.base}/people/contactsAndGroupsSubscription/stop`,
  presenceSubscriptions: (a: App) => `${a.base}/people/presenceSubscriptions`,
  presenceSubscription: (a: App, id: string) => `${a.base}/people/presenceSubscriptions/${enc(id)}`,
  subscribeToGroup: (a: App, gid: string) => `${a.base}/people/presenceSubscriptions?groupId=${enc(gid)}`,
  psMemberships: (a: App, id?: string) => `${a.base}/people/presenceSubscriptionMemberships${id === undefined ? '' : `?presenceSubscriptionId=${enc(id)}`}`,
  psMembership: (a: App, id: string, sip: string) => `${a.base}/people/presenceSubscriptionMemberships/${enc(id)},${userPart(sip)}`,
  subscribedContacts: (a: App) => `${a.base}/people/subscribedContacts`,
  communication: (a: App) => `${a.base}/communication`,
  events: (a: App) => `${a.base}/events`,
  missedItems: (a: App) => `${a.base}/communication/missedItems`,
  logs: (a: App) => `${a.base}/communication/conversationLogs`,
  log: (a: App, id: string) => `${a.base}/communication/conversationLogs/${id}`,
  invitation: (i: Invitation) => `${i.conv.app.base}/communication/${INVITATIONS[i.kind]}/${i.id}`,
  onlineMeetingInvitations: (a: App) => `${a.base}/communication/onlineMeetingInvitations`,
  conv: (c: Conv) => `${c.app.base}/communication/conversations/${c.id}`,
  messaging: (c: Conv) => `${h.conv(c)}/messaging`,
  messages: (c: Conv) => `${h.conv(c)}/messaging/messages`,
  message: (c: Conv, n: number) => `${h.conv(c)}/messaging/messages/${n}`,
  typing: (c: Conv) => `${h.conv(c)}/messaging/typing`,
  typingParticipants: (c: Conv) => `${h.conv(c)}/messaging/typingParticipants`,
  terminate: (c: Conv) => `${h.conv(c)}/messaging/terminate`,
  participants: (c: Conv) => `${h.conv(c)}/participants`,
  participant: (c: Conv, sip: string) => `${h.conv(c)}/participants/${participantKey(c, sip)}`,
  participantMessaging: (c: Conv, sip: string) => `${h.conv(c)}/participants/${participantKey(c, sip)}/messaging`,
  // Conference-only resources of a conversation (PROTOCOL-2 §2.1, §2.4, §2.9).
  onlineMeeting: (c: Conv) => `${h.conv(c)}/onlineMeeting`,
  addParticipant: (c: Conv) => `${h.conv(c)}/addParticipant`,
  addMessaging: (c: Conv) => `${h.conv(c)}/messaging/addMessaging`,
  leaders: (c: Conv) => `${h.conv(c)}/leaders`,
  attendees: (c: Conv) => `${h.conv(c)}/attendees`,
  lobby: (c: Conv) => `${h.conv(c)}/lobby`,
};

/** Event senders (PROTOCOL §3.2). */
export const commSender = (app: App) => ({ rel: 'communication', href: h.communication(app) });
export const convSender = (c: Conv) => ({ rel: 'conversation', href: h.conv(c) });
