// continueMessaging (seed page, PROTOCOL §7.7): resume IM with a log's participants and threadId.
// Errors of the seed's table: natural 500 CallbackChannelError and 409 AlreadyExists; every row
// (including TooManyGroups, None, CannotRedirect) is also reproducible with faults.

import { liveConversations } from './conversations.ts';
import { UcwaError } from './errors.ts';
import { findLog } from './history.ts';
import { h } from './hrefs.ts';
import { firstMessageInput, requireChannel, startOutgoing, validateOperationId } from './messaging.ts';
import type { Ctx, Reply } from './model.ts';
import type { Sim } from './sim.ts';

export function continueMessaging(sim: Sim, ctx: Ctx): Reply {
  const log = findLog(sim, ctx);
  if (log.type === 'ConferenceLog') throw new UcwaError(409, 'None', 'A conference log cannot be continued as an IM.');
  const operationId = validateOperationId(ctx.input().str('operationId'));
  const first = firstMessageInput(ctx);
  requireChannel(sim, ctx.app);
  if (liveConversations(sim, ctx.sip).some((c) => c.threadId === log.threadId)) {
    throw new UcwaError(409, 'AlreadyExists', 'A conversation with this thread is already in progress.');
  }
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
