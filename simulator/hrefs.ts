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

export const h = {
  me: (a: App) => `${a.base}/me`,
  people: (a: App) => `${a.base}/people`,
  contact: (a: App, sip: string) => `${a.base}/people/${userPart(sip)}`,
  contactPresence: (a: App, sip: string) => `${a.base}/people/${userPart(sip)}/presence`,
  photo: (a: App, sip: string) => `${a.base}/photos/${userPart(sip)}`,
  communication: (a: App) => `${a.base}/communication`,
  events: (a: App) => `${a.base}/events`,
  missedItems: (a: App) => `${a.base}/communication/missedItems`,
  logs: (a: App) => `${a.base}/communication/conversationLogs`,
  log: (a: App, id: string) => `${a.base}/communication/conversationLogs/${id}`,
  invitation: (i: Invitation) => `${i.conv.app.base}/communication/${i.conv.meetingUri ? 'onlineMeetingInvitations' : 'messagingInvitations'}/${i.id}`,
  conv: (c: Conv) => `${c.app.base}/communication/conversations/${c.id}`,
  messaging: (c: Conv) => `${h.conv(c)}/messaging`,
  messages: (c: Conv) => `${h.conv(c)}/messaging/messages`,
  message: (c: Conv, n: number) => `${h.conv(c)}/messaging/messages/${n}`,
  typing: (c: Conv) => `${h.conv(c)}/messaging/typing`,
  typingParticipants: (c: Conv) => `${h.conv(c)}/messaging/typingParticipants`,
  terminate: (c: Conv) => `${h.conv(c)}/messaging/terminate`,
  participants: (c: Conv) => `${h.conv(c)}/participants`,
  participant: (c: Conv, sip: string) => `${h.conv(c)}/participants/${userPart(sip)}`,
  participantMessaging: (c: Conv, sip: string) => `${h.conv(c)}/participants/${userPart(sip)}/messaging`,
};
