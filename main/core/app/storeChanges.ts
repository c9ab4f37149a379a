// Store changes become service events (one direction of data: store → change events → UI).
// Conversation and unread changes go through the emitter's coalescing while a batch runs.
import type { ServiceContext } from './context.ts';
import { forgetLives } from './liveConversations.ts';
import { isOnline, scheduleSync } from './sessionLifecycle.ts';

export function forwardStoreChanges(ctx: ServiceContext): () => void {
  const { events } = ctx;
  return ctx.store.onChange((change) => {
    if (change.kind === 'conversation') events.conversation(change.conversation);
    else if (change.kind === 'message') events.emit('message', change.message);
    else if (change.kind === 'delivery') events.emit('delivery', change.item);
    else if (change.kind === 'messageRemoved') events.emit('messageRemoved', { conversationId: change.conversationId, messageId: change.messageId });
    else if (change.kind === 'unread') events.unread(change.summary);
    else if (change.kind === 'reset') onStoreReset(ctx, change.reason);
  });
}

/** The store started over with an empty database: every conversation id we hold is gone. */
function onStoreReset(ctx: ServiceContext, reason: string): void {
  ctx.log(`store reset (${reason}): dropping live state, resyncing`);
  forgetLives(ctx);
  ctx.sync.clearLinks();
  if (isOnline(ctx)) scheduleSync(ctx, 0);
}
