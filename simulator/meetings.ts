// startOnlineMeeting / joinOnlineMeeting (PROTOCOL-2 §2.2, §2.11): POST …/onlineMeetingInvitations
// (`?onlineMeetingUri=adhoc` or no URI → a new ad hoc meeting; a conference URI → that meeting;
// unknown → 404 DestinationNotFound) → 201 + Location of an outgoing onlineMeetingInvitation, and
// the sequence by which an application's conversation joins a conference.

import { onlineMeetingEvent, settleOperation } from './conferenceEvents.ts';
import { createConference, findConference, refreshAccount } from './conferences.ts';
import {
  conversationEvent, convTimer, createConversation, invitationEvent, localParticipantEvent, messagingEvent, participantEvent,
} from './conversations.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { personArrives } from './groupBehaviours.ts';
import { h } from './hrefs.ts';
import { requireChannel, validateOperationId } from './messaging.ts';
import type { Conference, Conv, Ctx, Invitation, Reply } from './model.ts';
import type { Sim } from './sim.ts';

/** Protocol ms between an operation's `started` batch and the server's next step. */
export const STEP_MS = 50;

const IMPORTANCE = ['Normal', 'Urgent', 'Emergency'];

/** A live conference for this URI: a running one, or a scheduled meeting that starts now (its people come). */
export function liveConference(sim: Sim, uri: string): Conference | undefined {
  const key = uri.trim().toLowerCase();
  const running = findConference(sim, uri);
  if (running && !running.ended && running.uri.toLowerCase() === key) return running;
  const meeting = sim.world.meeting(uri);
  if (!meeting) return undefined;
  const conf = createConference(sim, { id: meeting.id, organizer: meeting.organizer, subject: meeting.subject, threadId: meeting.threadId });
  for (const uri of [meeting.organizer, ...meeting.members]) {
    const u = sim.world.user(uri);
    // Accounts come through their own applications; everyone else is simulated.
    if (u?.password === undefined) personArrives(sim, conf, uri);
  }
  return conf;
}

export function startOrJoin(sim: Sim, ctx: Ctx): Reply {
  const input = ctx.input();
  const operationId = validateOperationId(input.str('operationId'));
  const subject = input.str('subject');
  if (subject !== undefined && subject.length > 250) throw invalidParam('subject must be at most 250 characters.');
  const threadId = input.str('threadId');
  if (threadId !== undefined && threadId.length > 250) throw invalidParam('threadId must be at most 250 characters.');
  const rawImportance = input.str('importance');
  const importance = rawImportance === undefined ? undefined : IMPORTANCE.find((i) => i.toLowerCase() === rawImportance.toLowerCase());
  if (rawImportance !== undefined && !importance) throw invalidParam('importance must be Normal, Urgent or Emergency.');
  // The URI may come as a query parameter too (joinOnlineMeeting_ref); Input merges both.
  const uri = input.str('onlineMeetingUri')?.trim();
  requireChannel(sim, ctx.app);
  const adhoc = !uri || uri.toLowerCase() === 'adhoc';
  if (adhoc && !ctx.app.adHocMeetings) throw new UcwaError(403, undefined, 'Ad hoc meetings are not enabled for this user.');
  const conf = adhoc
    ? createConference(sim, { organizer: ctx.app.user.sip, subject, threadId: threadId || undefined, importance })
    : liveConference(sim, uri);
  if (!conf) throw new UcwaError(404, 'DestinationNotFound', 'The meeting does not exist.');
  const conv = createConversation(sim, ctx.app, {
    direction: 'Outgoing', remotes: [], conf, threadId: conf.threadId, subject: conf.subject, importance: conf.importance, operationId,
  });
  sim.emit(ctx.app, invitationEvent(sim, conv.invitation, 'started'), conversationEvent(conv, 'added'));
  convTimer(sim, conv, STEP_MS, () => joinConv(sim, conv, conv.invitation));
  return { status: 201, headers: { Location: h.invitation(conv.invitation) } };
}

/**
 * The user's conversation is admitted: localParticipant added, onlineMeeting added, conversation
 * Conferenced, a participant added for everyone already there, messaging (still Disconnected, with
 * addMessaging: joining a meeting does not join its IM), then the invitation's Success — after the
 * user is in the roster (onlineMeetingInvitation_ref). `announce: false` for an internal invitation.
 */
export function joinConv(sim: Sim, conv: Conv, inv: Invitation, announce = true): void {
  const conf = inv.conf as Conference;
  if (conf.ended) {
    settleOperation(sim, inv, { code: 'RemoteFailure', subcode: 'Ended', message: 'The meeting has ended.' });
    return;
  }
  const me = conv.app.user.sip;
  conv.state = 'Conferenced';
  conv.logStatus = 'Archived';
  const events = [localParticipantEvent(sim, conv), onlineMeetingEvent(sim, conv), conversationEvent(conv, 'updated')];
  for (const uri of conf.members.keys()) if (uri !== me) events.push(participantEvent(sim, conv, uri, 'added'));
  events.push(messagingEvent(conv));
  sim.emit(conv.app, ...events);
  refreshAccount(sim, conf, me);
  if (announce) settleOperation(sim, inv, 'Success', inv.direction === 'Incoming' ? [me] : undefined);
  else {
    inv.completed = true;
    inv.state = 'Connected';
  }
}
