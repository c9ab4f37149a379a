// Connecting a conversation that has no live IM: continueMessaging on a past conversation (the
// seed, DESIGN.md §3) or startMessaging on a new one, the first queued message travelling with
// the invitation; the seed's error outcomes mapped to behaviour (restart the channel and retry,
// reuse the live conversation, or stop and say why in plain words).
import { AppError } from './types.ts';
import { toAppError } from './errors.ts';
import { notSignedIn, requireClient, type ServiceContext } from './context.ts';
import { newInvitation } from './invitations.ts';
import { isConnected, makeLive } from './liveConversations.ts';
import { conversationOrThrow, checkText, connectConversation, enqueue, failItem, send } from './outboxDelivery.ts';
import { isOnline } from './sessionLifecycle.ts';
import { UcwaError } from '../ucwa/errors.ts';
import { normaliseSip, sipDomain } from '../ucwa/hypermedia.ts';
import { link } from '../ucwa/links.ts';
import { newOperationId } from '../ucwa/operationId.ts';
import type { UcwaClient } from '../ucwa/client.ts';
import * as R from '../ucwa/resources.ts';
import { connectionOf } from '../machines/conversation.ts';
import type { OutboxItem } from '../store/types.ts';

/** A new conversation with its first message. */
export async function startConversation(ctx: ServiceContext, to: string, text: string): Promise<{ conversationId: number; clientId: string }> {
  checkText(text);
  if (!ctx.me) throw notSignedIn();
  let sip: string;
  try {
    sipDomain(to);
    sip = normaliseSip(to);
  } catch {
    throw new AppError({ code: 'invalidInput', message: `"${to}" is not a SIP address like alice@contoso.com.` });
  }
  // Our own threadId (startMessaging accepts one): the conversation exists locally at once.
  const threadId = newOperationId();
  const conv = await ctx.store.ensureLiveConversation({ threadId, subject: '', direction: 'Outgoing', participants: [R.personFromSip(sip)], startedAt: ctx.now() });
  const item = await enqueue(ctx, conv.id, text);
  void connectConversation(ctx, conv.id);
  return { conversationId: conv.id, clientId: item.clientId };
}

/** continueMessaging on a past conversation; settles when the invitation does (or at once offline). */
export async function continueConversation(ctx: ServiceContext, conversationId: number, text: string): Promise<{ conversationId: number }> {
  await conversationOrThrow(ctx, conversationId);
  const live = ctx.lives.get(conversationId);
  if (live && connectionOf(live.actor.getSnapshot().value) !== 'disconnected') {
    await send(ctx, conversationId, text);
    return { conversationId };
  }
  const item = await enqueue(ctx, conversationId, text);
  if (!isOnline(ctx)) return { conversationId };
  const pending = (await ctx.store.pendingOutbox(conversationId)).filter((i) => i.state !== 'failed');
  const first = pending[0] ?? item;
  for (const it of pending) ctx.outboxCache.set(it.clientId, it);
  let p = ctx.connecting.get(conversationId);
  if (!p) {
    p = continueOrStart(ctx, conversationId, first).finally(() => ctx.connecting.delete(conversationId));
    ctx.connecting.set(conversationId, p);
  }
  await p;
  return { conversationId };
}

/** continueMessaging (past conversation) or startMessaging, the first queued message travelling with it. */
export async function continueOrStart(ctx: ServiceContext, conversationId: number, first: OutboxItem): Promise<void> {
  const { store } = ctx;
  const c = requireClient(ctx);
  const conv = await store.getConversation(conversationId);
  if (!conv) throw new AppError({ code: 'notFound', message: 'This conversation does not exist.' });
  const logLinks = ctx.sync.logLinks.get(conversationId);
  const live = makeLive(ctx, conversationId, conv.threadId);
  live.actor.send({ type: 'DROP', clientId: first.clientId });
  live.actor.send({ type: 'CONNECTING' });
  let done!: { resolve: () => void; reject: (e: AppError) => void };
  const settle = new Promise<void>((resolve, reject) => {
    done = { resolve, reject };
  });
  settle.catch(() => undefined); // the caller may have gone (reused / failed synchronously)
  const rec = newInvitation(ctx, live, {
    href: null, operationId: newOperationId(), direction: 'Outgoing', acceptHref: null, declineHref: null, cancelHref: null,
    carriesClientId: first.clientId,
    info: { conversationId, direction: 'Outgoing', from: ctx.me, text: first.text, subject: conv.subject, unsupported: false, error: null },
    settle: (ok, err) => (ok ? done.resolve() : done.reject(err ?? new AppError({ code: 'invitationFailed', message: 'The invitation failed.' }))),
  });
  const opId = rec.operationId as string;
  await store.setOutboxState(first.clientId, 'sending');
  // Other queued items go through sendMessage once connected, in order.
  const rest = (await store.pendingOutbox(conversationId)).filter((i) => i.clientId !== first.clientId && i.state !== 'failed');
  for (const it of rest) {
    ctx.outboxCache.set(it.clientId, it);
    live.actor.send({ type: 'ENQUEUE', clientId: it.clientId });
  }
  try {
    if (logLinks?.continueHref) {
      await postContinue(ctx, c, logLinks.continueHref, first.text, opId);
    } else {
      const to = conv.participants[0]?.sip;
      const startHref = link(ctx.app?.communication, 'startMessaging');
      if (!to || !startHref) throw new AppError({ code: 'continueNotAvailable', message: 'This conversation cannot be continued from here.' });
      const res = await R.startMessaging(c, startHref, { to, text: first.text, subject: conv.subject, threadId: conv.threadId ?? undefined, operationId: opId });
      if (res.location && !rec.href) {
        rec.href = res.location;
        ctx.invitationsByHref.set(res.location, rec);
      }
    }
  } catch (err) {
    const e = await continueFailure(ctx, err, conversationId, conv.threadId, first);
    rec.carriesClientId = null;
    if (e === 'reused') {
      rec.actor.send({ type: 'CANCEL' });
      return;
    }
    ctx.outboxCache.delete(first.clientId);
    await failItem(ctx, first.clientId, e.message);
    for (const it of rest) await failItem(ctx, it.clientId, e.message);
    rec.info = { ...rec.info, error: e.toJSON() };
    rec.actor.send({ type: 'FAILURE', reason: { code: e.ucwaCode, subcode: e.subcode, message: e.message } });
    live.actor.send({ type: 'DISCONNECTED' });
    throw e;
  }
  return settle;
}

async function postContinue(ctx: ServiceContext, c: UcwaClient, href: string, text: string, operationId: string): Promise<void> {
  try {
    await R.continueMessaging(c, href, { text, operationId });
  } catch (err) {
    if (err instanceof UcwaError && err.is(500, 'CallbackChannelError')) {
      // The server lost our event channel: park a fresh P-GET, then retry once.
      ctx.channel?.restart();
      await new Promise((r) => setTimeout(r, ctx.timing.channelRestartWaitMs));
      try {
        await R.continueMessaging(c, href, { text, operationId });
        return;
      } catch (err2) {
        if (err2 instanceof UcwaError && err2.is(500, 'CallbackChannelError')) {
          throw new AppError({ code: 'continueCallbackChannel', message: 'The server cannot reach this app right now; try again in a moment.', status: 500, ucwaCode: err2.code, subcode: err2.subcode });
        }
        throw err2;
      }
    }
    throw err;
  }
}

async function continueFailure(ctx: ServiceContext, err: unknown, conversationId: number, threadId: string | null, first: OutboxItem): Promise<AppError | 'reused'> {
  if (err instanceof AppError) return err;
  if (err instanceof UcwaError) {
    const base = { status: err.status, ucwaCode: err.code, subcode: err.subcode };
    if (err.is(409, 'AlreadyExists')) {
      // The conversation is still live on the server: send through it if we know it.
      const other = [...ctx.lives.values()].find((l) => l.conversationId !== conversationId && threadId && l.threadId === threadId && isConnected(l));
      const same = ctx.lives.get(conversationId);
      const target = other ?? (same && same.sendHref ? same : undefined);
      if (target) {
        await ctx.store.setOutboxState(first.clientId, 'queued');
        ctx.outboxCache.set(first.clientId, first);
        target.actor.send({ type: 'CONNECTED' });
        target.actor.send({ type: 'ENQUEUE', clientId: first.clientId });
        return 'reused';
      }
      return new AppError({ ...base, code: 'continueAlreadyExists', message: 'This conversation is already open somewhere else; continue it there.' });
    }
    if (err.is(409, 'TooManyGroups')) return new AppError({ ...base, code: 'continueTooManyGroups', message: 'The server has too many conversations open for you; close some and try again.' });
    if (err.status === 409 && (err.subcode === 'None' || err.subcode === undefined)) return new AppError({ ...base, code: 'continueUnsupported', message: 'This server does not support continuing past conversations.' });
    if (err.is(410, 'CannotRedirect')) return new AppError({ ...base, code: 'continueCannotRedirect', message: 'The server cannot reach your home pool for this conversation right now.' });
  }
  return toAppError(err);
}
