// continueMessaging (seed page, PROTOCOL §7.7): resume IM with a log's participants and threadId.
// Errors of the seed's table: natural 500 CallbackChannelError and 409 AlreadyExists; every row
// (including TooManyGroups, None, CannotRedirect) is also reproducible with faults. A ConferenceLog
// answers 409 None (a server that cannot continue a group) unless continueConferenceLogs is on:
// then a new conference with the log's people and threadId, joined with IM at once.

import { addMember, createConference } from './conferences.ts';
import { conversationEvent, createConversation, liveConversations } from './conversations.ts';
import { personJoins } from './groupBehaviours.ts';
import { ringConference } from './groupInvites.ts';
import { startIm } from './groupMessaging.ts';
import { joinConv } from './meetings.ts';
import { UcwaError } from './errors.ts';
import { findLog } from './history.ts';
import { h } from './hrefs.ts';
import { firstMessageInput, requireChannel, startOutgoing, validateOperationId } from './messaging.ts';
import type { Ctx, LogRec, Reply } from './model.ts';
import type { OutgoingSpec } from './messaging.ts';
import type { Sim } from './sim.ts';

export function continueMessaging(sim: Sim, ctx: Ctx): Reply {
  const log = findLog(sim, ctx);
  if (log.type === 'ConferenceLog' && !sim.cfg.continueConferenceLogs) throw new UcwaError(409, 'None', 'A conference log cannot be continued as an IM.');
  const operationId = validateOperationId(ctx.input().str('operationId'));
  const first = firstMessageInput(ctx);
  requireChannel(sim, ctx.app);
  if (liveConversations(sim, ctx.sip).some((c) => c.threadId === log.threadId)) {
    throw new UcwaError(409, 'AlreadyExists', 'A conversation with this thread is already in progress.');
  }
  if (log.type === 'ConferenceLog') return continueConference(sim, ctx, log, operationId, first);
  const conv = startOutgoing(sim, ctx.app, {
    remotes: [...log.recipients],
    threadId: log.threadId,
    subject: log.subject,
    importance: log.importance,
    operationId,
    first,
  });
  return { status: 201, headers: { Location: h.invitation(conv.invitation) } };
}

/**
 * A new conference for a ConferenceLog: conversation added, the join sequence (meetings.ts, no
 * onlineMeetingInvitation of its own), then the messagingInvitation that the 201 points at — as
 * addMessaging. Simulated people of the log come at once; accounts among them are rung.
 */
function continueConference(sim: Sim, ctx: Ctx, log: LogRec, operationId: string | undefined, first: OutgoingSpec['first']): Reply {
  const me = ctx.app.user.sip;
  const conf = createConference(sim, { organizer: me, subject: log.subject, threadId: log.threadId, importance: log.importance });
  addMember(sim, conf, me, { role: 'Leader', inIm: false, account: true });
  for (const uri of log.recipients) {
    const u = sim.world.user(uri);
    if (u?.password === undefined) personJoins(sim, conf, uri, log.recipientNames?.[uri] ? { name: log.recipientNames[uri] } : {});
  }
  const conv = createConversation(sim, ctx.app, { direction: 'Outgoing', remotes: [], conf, threadId: conf.threadId, subject: conf.subject, importance: conf.importance });
  sim.emit(ctx.app, conversationEvent(conv, 'added'));
  joinConv(sim, conv, conv.invitation, false);
  const inv = startIm(sim, conv, operationId, first);
  for (const uri of log.recipients) if (sim.world.user(uri)?.password !== undefined) ringConference(sim, conf, uri, { from: me });
  return { status: 201, headers: { Location: h.invitation(inv) } };
}
