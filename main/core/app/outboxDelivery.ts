// The outbox: every text the user sends is persisted first (so a crash or an outage never loses
// it), then delivered in order through the conversation actor — sendMessage once connected, or
// carried by the accept / continue / start that connects it. Pending items resume after sign-in.
import { AppError, type Conversation } from './types.ts';
import { isTransient, toAppError } from './errors.ts';
import { notSignedIn, type Live, type ServiceContext } from './context.ts';
import { acceptLive } from './invitations.ts';
import { continueOrStart } from './continueConversation.ts';
import { isConnected } from './liveConversations.ts';
import { isOnline } from './sessionLifecycle.ts';
import { isApplicationGone, UcwaError } from '../ucwa/errors.ts';
import { newOperationId } from '../ucwa/operationId.ts';
import * as R from '../ucwa/resources.ts';
import { connectionOf } from '../machines/conversation.ts';
import type { OutboxItem } from '../store/types.ts';

export async function conversationOrThrow(ctx: ServiceContext, conversationId: number): Promise<Conversation> {
  const c = await ctx.store.getConversation(conversationId);
  if (!c) throw new AppError({ code: 'notFound', message: 'This conversation does not exist.' });
  return c;
}

export function checkText(text: string): void {
  if (typeof text !== 'string' || text.trim().length === 0) throw new AppError({ code: 'invalidInput', message: 'The message is empty.' });
  if (text.length > 100_000) throw new AppError({ code: 'invalidInput', message: 'The message is too long.' });
}

export async function enqueue(ctx: ServiceContext, conversationId: number, text: string, html?: string): Promise<OutboxItem> {
  checkText(text);
  if (!ctx.me) throw notSignedIn();
  const item = await ctx.store.enqueueOutbox({ conversationId, text, html: html ?? null, author: ctx.me });
  ctx.outboxCache.set(item.clientId, item);
  return item;
}

/** Send in a conversation: queued, then on its way through the live conversation or a new connection. */
export async function send(ctx: ServiceContext, conversationId: number, text: string, html?: string): Promise<OutboxItem> {
  await conversationOrThrow(ctx, conversationId);
  const item = await enqueue(ctx, conversationId, text, html);
  const live = ctx.lives.get(conversationId);
  // In 'disconnected' the machine's ENQUEUE asks for a connection (accept / continue / start).
  if (live) live.actor.send({ type: 'ENQUEUE', clientId: item.clientId });
  else void connectConversation(ctx, conversationId);
  return item;
}

export async function markSent(ctx: ServiceContext, clientId: string, at: number | null, threadId: string | null): Promise<void> {
  try {
    ctx.outboxCache.delete(clientId);
    await ctx.store.setOutboxState(clientId, 'sent', { sentAt: at ?? ctx.now(), threadId });
  } catch (err) {
    ctx.log(`outbox ${clientId}: ${String(err)}`);
  }
}

export async function failItem(ctx: ServiceContext, clientId: string, error: string): Promise<void> {
  try {
    await ctx.store.setOutboxState(clientId, 'failed', { error });
  } catch (err) {
    ctx.log(`outbox ${clientId}: ${String(err)}`);
  }
}

/** The conversation actor's 'deliver': one sendMessage, its outcome back to the actor. */
export async function deliver(ctx: ServiceContext, live: Live, clientId: string): Promise<void> {
  const { store, client } = ctx;
  const item = ctx.outboxCache.get(clientId) ?? null;
  if (!item || !client || !live.sendHref) {
    live.actor.send({ type: 'SEND_FAILED', clientId, retry: !!item });
    return;
  }
  const operationId = newOperationId();
  ctx.opToClient.set(operationId, clientId);
  try {
    await store.setOutboxState(clientId, 'sending');
    const loc = await R.sendMessage(client, live.sendHref, { text: item.text, html: live.html ? item.html : null, operationId });
    if (loc) ctx.hrefToClient.set(loc, clientId);
    const early = (loc ? ctx.earlyCompletions.get(loc) : undefined) ?? ctx.earlyCompletions.get(operationId);
    if (early) {
      if (loc) ctx.earlyCompletions.delete(loc);
      ctx.earlyCompletions.delete(operationId);
      if (early.ok) await markSent(ctx, clientId, early.at, live.threadId);
      else await failItem(ctx, clientId, 'The message was not delivered.');
    }
    live.actor.send({ type: 'SENT', clientId });
  } catch (err) {
    const retry = isTransient(err) || isApplicationGone(err) || (err instanceof UcwaError && err.status === 401);
    if (retry) {
      await store.setOutboxState(clientId, 'queued').catch(() => undefined);
      live.actor.send({ type: 'SEND_FAILED', clientId, retry: true });
      if (isApplicationGone(err)) ctx.session.send({ type: 'APPLICATION_GONE' });
    } else {
      ctx.outboxCache.delete(clientId);
      await failItem(ctx, clientId, toAppError(err).message);
      live.actor.send({ type: 'SEND_FAILED', clientId, retry: false });
    }
  }
}

/** Bring a conversation's queued messages on their way (accept, continue or start as needed). */
export function connectConversation(ctx: ServiceContext, conversationId: number): Promise<void> {
  const running = ctx.connecting.get(conversationId);
  if (running) return running;
  const p = doConnect(ctx, conversationId).finally(() => ctx.connecting.delete(conversationId));
  ctx.connecting.set(conversationId, p);
  return p;
}

async function doConnect(ctx: ServiceContext, conversationId: number): Promise<void> {
  if (!isOnline(ctx)) return; // resumed after sign-in
  const live = ctx.lives.get(conversationId);
  if (live) {
    const conn = connectionOf(live.actor.getSnapshot().value);
    if (conn === 'connected' || conn === 'connecting') return;
    const inv = live.invitation;
    if (inv && inv.direction === 'Incoming' && inv.info.state === 'ringing') return acceptLive(ctx, live);
    if (inv && (inv.info.state === 'requesting' || inv.info.state === 'connecting' || inv.info.state === 'accepting')) return;
  }
  const pending = await ctx.store.pendingOutbox(conversationId);
  const first = pending[0];
  if (!first) return;
  for (const it of pending) ctx.outboxCache.set(it.clientId, it);
  await continueOrStart(ctx, conversationId, first).catch((err: unknown) => {
    ctx.log(`connect ${conversationId}: ${err instanceof Error ? err.message : String(err)}`);
  });
}

/** Queue every pending item again (after sign-in, after recreation). 'sending' left by a crash included. */
export async function resumeOutbox(ctx: ServiceContext): Promise<void> {
  const pending = await ctx.store.pendingOutbox();
  const byConv = new Map<number, OutboxItem[]>();
  for (const it of pending) {
    if (it.state === 'failed') continue;
    ctx.outboxCache.set(it.clientId, it);
    byConv.set(it.conversationId, [...(byConv.get(it.conversationId) ?? []), it]);
  }
  for (const [conversationId, items] of byConv) {
    const live = ctx.lives.get(conversationId);
    if (live && live.sendHref && isConnected(live)) {
      for (const it of items) live.actor.send({ type: 'ENQUEUE', clientId: it.clientId });
      live.actor.send({ type: 'RESUME' });
    } else {
      void connectConversation(ctx, conversationId);
    }
  }
}

/** An unsent outbox item by clientId (queued, sending or failed — in this run or an earlier one). */
async function findOutboxItem(ctx: ServiceContext, clientId: string): Promise<OutboxItem | null> {
  if (typeof clientId !== 'string' || clientId === '') return null;
  const item = await ctx.store.outboxItem(clientId);
  return item && item.state !== 'sent' ? item : null;
}

export async function retryOutbox(ctx: ServiceContext, clientId: string): Promise<OutboxItem> {
  const it = await findOutboxItem(ctx, clientId);
  if (!it) throw new AppError({ code: 'notFound', message: 'This message is no longer waiting to be sent.' });
  const item = await ctx.store.setOutboxState(clientId, 'queued');
  ctx.outboxCache.set(clientId, item);
  const live = ctx.lives.get(item.conversationId);
  if (live && isConnected(live)) {
    live.actor.send({ type: 'ENQUEUE', clientId });
    live.actor.send({ type: 'RESUME' });
  } else void connectConversation(ctx, item.conversationId);
  return item;
}

export async function discardOutbox(ctx: ServiceContext, clientId: string): Promise<void> {
  ctx.outboxCache.delete(clientId);
  await ctx.store.discardOutbox(clientId);
}
