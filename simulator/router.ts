// Route table of an application's resources (paths relative to /ucwa/oauth/v1/applications/{id}).
// Unknown path → 404; known path with another method → 405 (PROTOCOL §8.2).

import { deleteApplication, photoCookie, policiesJson } from './applications.ts';
import { continueMessaging } from './continueMessaging.ts';
import { UcwaError } from './errors.ts';
import {
  deleteLog, getLog, getLogs, getMissedItems, getRecipient, getTranscript, getTranscripts, markAsRead,
} from './history.ts';
import { acceptMeeting, declineMeeting, getOperation } from './groupInvites.ts';
import { addMessaging, deleteConversationAny, sendMessageAny, setIsTypingAny, terminateAny } from './groupMessaging.ts';
import { getAttendees, getLeaders, getLobby, getOnlineMeeting, getParticipantAny, getParticipantsAny } from './groupRoster.ts';
import { accept, decline } from './incoming.ts';
import { startOrJoin } from './meetings.ts';
import { addParticipant, cancelParticipantInvitation } from './participantInvitations.ts';
import { getLocation, getNote, getPresence, makeMeAvailable, reportMyActivity, setLocation, setNote, setPresence } from './me.ts';
import { getConversation, getConversations, getInvitation, getMessage, getMessaging, listMessages, startMessaging } from './messaging.ts';
import type { Ctx, Reply } from './model.ts';
import {
  addGroupMembership, deleteGroupMembership, expandDistributionGroup, getContacts, getGroup, getGroupMembership,
  getGroupMemberships, getGroups,
} from './contactListRoutes.ts';
import { getContactsSubscription, startContactsSubscription, stopContactsSubscription } from './contactsSubscription.ts';
import {
  getContact, getContactLocation, getContactModalities, getContactNote, getContactPresence, getContactPrivacy,
  getPrivacyRelationships, search,
} from './people.ts';
import { getPhoto } from './photos.ts';
import {
  addMemberships, createPresenceSubscription, deleteMembership, deletePresenceSubscription, extendPresenceSubscription,
  getMembership, getMemberships, getPresenceSubscription, getPresenceSubscriptions, getSubscribedContacts,
} from './presenceSubscriptions.ts';
import { applicationJson, communicationJson, meJson, onlineMeetingsJson, peopleJson } from './resources.ts';
import type { Sim } from './sim.ts';

type Handler = (sim: Sim, ctx: Ctx) => Reply;

interface Route {
  method: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

const routes: Route[] = [];

function route(method: string, pattern: string, handler: Handler): void {
  const names: string[] = [];
  const src = pattern.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  routes.push({ method, re: new RegExp(`^${src}/?$`, 'i'), names, handler });
}

const C = '/communication';
const CONV = `${C}/conversations/{conv}`;
const LOG = `${C}/conversationLogs/{log}`;

route('GET', '', (_s, c) => ({ status: 200, headers: photoCookie(c.app, c.headers.authorization), body: applicationJson(c.app) }));
route('DELETE', '', (s, c) => deleteApplication(s, c.app));
route('GET', '/policies', (s, c) => ({ status: 200, body: policiesJson(c.app, s.cfg.photosPolicy) }));
route('GET', '/me', (_s, c) => ({ status: 200, body: meJson(c.app) }));
route('POST', '/me/makeMeAvailable', makeMeAvailable);
route('GET', '/me/presence', getPresence);
route('POST', '/me/presence', setPresence);
route('POST', '/me/reportMyActivity', reportMyActivity);
route('GET', '/me/note', getNote);
route('POST', '/me/note', setNote);
route('GET', '/me/location', getLocation);
route('POST', '/me/location', setLocation);
route('GET', '/people', (_s, c) => ({ status: 200, body: peopleJson(c.app) }));
// The fixed people paths come before /people/{who}, which would match them too.
const P = '/people';
route('GET', `${P}/search`, search);
route('GET', `${P}/contacts`, getContacts); // ?groupId= → groupContacts
route('GET', `${P}/groups`, getGroups);
route('GET', `${P}/groups/{gid}`, getGroup);
route('GET', `${P}/groups/{gid}/expandDistributionGroup`, expandDistributionGroup);
route('GET', `${P}/groupMemberships`, getGroupMemberships);
route('POST', `${P}/groupMemberships`, addGroupMembership);
route('GET', `${P}/groupMemberships/{key}`, getGroupMembership);
route('DELETE', `${P}/groupMemberships/{key}`, deleteGroupMembership);
route('GET', `${P}/privacyRelationships`, getPrivacyRelationships);
route('GET', `${P}/contactsAndGroupsSubscription`, getContactsSubscription);
route('POST', `${P}/contactsAndGroupsSubscription/startOrRefresh`, startContactsSubscription);
route('POST', `${P}/contactsAndGroupsSubscription/stop`, stopContactsSubscription);
route('GET', `${P}/presenceSubscriptions`, getPresenceSubscriptions);
route('POST', `${P}/presenceSubscriptions`, createPresenceSubscription); // ?groupId= → subscribeToGroupPresence
route('GET', `${P}/presenceSubscriptions/{id}`, getPresenceSubscription);
route('POST', `${P}/presenceSubscriptions/{id}`, extendPresenceSubscription);
route('DELETE', `${P}/presenceSubscriptions/{id}`, deletePresenceSubscription);
route('GET', `${P}/presenceSubscriptionMemberships`, getMemberships);
route('POST', `${P}/presenceSubscriptionMemberships`, addMemberships);
route('GET', `${P}/presenceSubscriptionMemberships/{key}`, getMembership);
route('DELETE', `${P}/presenceSubscriptionMemberships/{key}`, deleteMembership);
route('GET', `${P}/subscribedContacts`, getSubscribedContacts);
route('GET', `${P}/{who}`, getContact);
route('GET', `${P}/{who}/presence`, getContactPresence);
route('GET', `${P}/{who}/note`, getContactNote);
route('GET', `${P}/{who}/location`, getContactLocation);
route('GET', `${P}/{who}/supportedMedia`, getContactModalities);
route('GET', `${P}/{who}/privacyRelationship`, getContactPrivacy);
route('GET', '/photos/{who}', getPhoto);
route('GET', '/onlineMeetings', (_s, c) => ({ status: 200, body: onlineMeetingsJson(c.app) }));
route('GET', C, (_s, c) => ({ status: 200, headers: { ETag: `"${c.app.commEtag}"` }, body: communicationJson(c.app) }));
route('PUT', C, putCommunication);
route('GET', `${C}/conversations`, getConversations);
route('POST', `${C}/messagingInvitations`, startMessaging);
route('GET', `${C}/messagingInvitations/{inv}`, getInvitation);
route('POST', `${C}/messagingInvitations/{inv}/accept`, accept);
route('POST', `${C}/messagingInvitations/{inv}/decline`, decline);
// startOnlineMeeting (…?onlineMeetingUri=adhoc) and joinOnlineMeeting share the collection (PROTOCOL-2 §2.2).
route('POST', `${C}/onlineMeetingInvitations`, startOrJoin);
route('GET', `${C}/onlineMeetingInvitations/{inv}`, getOperation('onlineMeeting'));
route('POST', `${C}/onlineMeetingInvitations/{inv}/accept`, acceptMeeting);
route('POST', `${C}/onlineMeetingInvitations/{inv}/decline`, declineMeeting);
route('GET', `${C}/participantInvitations/{inv}`, getOperation('participant'));
route('POST', `${C}/participantInvitations/{inv}/cancel`, cancelParticipantInvitation);
route('GET', CONV, getConversation);
route('DELETE', CONV, deleteConversationAny);
route('POST', `${CONV}/addParticipant`, addParticipant);
route('GET', `${CONV}/onlineMeeting`, getOnlineMeeting);
route('GET', `${CONV}/leaders`, getLeaders);
route('GET', `${CONV}/attendees`, getAttendees);
route('GET', `${CONV}/lobby`, getLobby);
route('GET', `${CONV}/messaging`, getMessaging);
route('POST', `${CONV}/messaging/addMessaging`, addMessaging);
route('POST', `${CONV}/messaging/messages`, sendMessageAny);
route('GET', `${CONV}/messaging/messages`, listMessages);
route('GET', `${CONV}/messaging/messages/{n}`, getMessage);
route('POST', `${CONV}/messaging/typing`, setIsTypingAny);
route('POST', `${CONV}/messaging/terminate`, terminateAny);
route('GET', `${CONV}/participants`, getParticipantsAny);
route('GET', `${CONV}/participants/{who}`, getParticipantAny);
route('GET', `${C}/conversationLogs`, getLogs);
route('GET', LOG, getLog);
route('DELETE', LOG, deleteLog);
route('POST', `${LOG}/continueMessaging`, continueMessaging);
route('POST', `${LOG}/markAsRead`, markAsRead);
route('GET', `${LOG}/conversationLogTranscripts`, getTranscripts);
route('GET', `${LOG}/conversationLogTranscripts/{n}`, getTranscript);
route('GET', `${LOG}/conversationLogRecipients/{who}`, getRecipient);
route('GET', `${C}/missedItems`, getMissedItems);

/** PUT communication: If-Match required (428) and current (412); the sentinel must be echoed (PROTOCOL §0.2). */
function putCommunication(_sim: Sim, ctx: Ctx): Reply {
  const ifMatch = ctx.headers['if-match'];
  if (ifMatch === undefined || String(ifMatch).trim() === '') throw new UcwaError(428, undefined, 'PUT requires an If-Match header.');
  const tags = String(ifMatch).split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
  if (!tags.includes('*') && !tags.includes(String(ctx.app.commEtag))) throw new UcwaError(412, undefined, 'The resource has changed; GET it again.');
  const input = ctx.input();
  if (input.str('4d221db7-4af0-476b-9443-8bc874283085') === undefined) {
    throw new UcwaError(400, 'ParameterValidationFailure', 'Send back every property of the resource.');
  }
  const formats = input.list('supportedMessageFormats');
  if (formats) ctx.app.messageFormats = formats.map((f) => (f.toLowerCase() === 'html' ? 'Html' : 'Plain'));
  ctx.app.commEtag += 1;
  return { status: 200, headers: { ETag: `"${ctx.app.commEtag}"` }, body: communicationJson(ctx.app) };
}

/** Dispatch a path relative to the application base. */
export function dispatch(sim: Sim, ctx: Ctx, rest: string): Reply {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.re.exec(rest);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== ctx.method) continue;
    r.names.forEach((n, i) => {
      ctx.params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    return r.handler(sim, ctx);
  }
  if (pathMatched) throw new UcwaError(405, undefined, `${ctx.method} is not allowed here.`);
  throw new UcwaError(404, undefined, 'The resource does not exist.');
}
