// 'message' events: an outgoing one completes an outbox item (or the message an invitation
// carried); an incoming one is stored — once, even when the server re-delivers it — in its live
// conversation, or in the conversation it belongs to when the service was not following it.
import { abs, requireClient, resourceOf, type Live, type ServiceContext } from './context.ts';
import { attachHref, liveForSender, makeLive } from './liveConversations.ts';
import { failItem, markSent } from './outboxDelivery.ts';
import type { UcwaEvent } from '../ucwa/events.ts';
import { str, type Resource } from '../ucwa/links.ts';
import * as R from '../ucwa/resources.ts';
import type { MessageInput, Person } from '../store/types.ts';

/** The incoming messages of one event batch, written together at its end per conversation — one
 * store transaction with addMessages where the store has it, else pipelined addMessage calls (the
 * SQLite worker runs them in order) — not one round trip after another. */
export type BatchMessages = Map<string, { conversationId: number; threadId: string | null; items: MessageInput[] }>;

export async function writeBatchMessages(ctx: ServiceContext, messages: BatchMessages): Promise<void> {
  const { store } = ctx;
  const writes: Promise<unknown>[] = [];
  for (const g of messages.values()) {
    if (store.addMessages) writes.push(store.addMessages(g.conversationId, g.threadId, g.items, { markUnread: true }));
    else for (const m of g.items) writes.push(store.addMessage(g.conversationId, g.threadId, m, { markUnread: true }));
  }
  messages.clear();
  for (const r of await Promise.allSettled(writes)) {
    if (r.status === 'rejected') ctx.log(`storing a message failed: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
  }
}

/** A long session must not grow the set of seen hrefs forever: re-deliveries come soon after. */
const SEEN_MAX = 20_000;
const SEEN_DROP = 10_000;

export async function onMessageEvent(ctx: ServiceContext, ev: UcwaEvent, batch: BatchMessages | null): Promise<void> {
  const href = abs(ctx, ev.href);
  const r = ev.resource ?? (ev.phase === 'end' || ev.phase === 'start' ? await resourceOf(ctx, ev) : null);
  const m = R.parseMessage(href, r);
  const failed = ev.status === 'Failure' || m.status === 'Failed';
  if (m.direction === 'Outgoing') {
    if (ev.phase !== 'end') return;
    const clientId = ctx.hrefToClient.get(href) ?? (m.operationId ? ctx.opToClient.get(m.operationId) : undefined);
    const carrier = !clientId && m.operationId ? ctx.invitationsByOp.get(m.operationId) : undefined;
    if (carrier?.carriesClientId) {
      carrier.carriedAt = failed ? null : m.at;
      return;
    }
    if (!clientId) {
      // The completion came before sendMessage's answer told us its href: deliver() picks it up.
      ctx.earlyCompletions.set(href, { ok: !failed, at: m.at });
      if (m.operationId) ctx.earlyCompletions.set(m.operationId, { ok: !failed, at: m.at });
      return;
    }
    const live = liveForSender(ctx, ev);
    if (failed) await failItem(ctx, clientId, ev.reason?.message ?? 'The message was not delivered.');
    else await markSent(ctx, clientId, m.at, live?.threadId ?? null);
    return;
  }
  // Incoming: `completed` + Success in the traces, `started` in the reference: accept both once.
  if (failed || m.text === null) return;
  const seen = ctx.seenIncoming;
  if (seen.has(href)) return;
  seen.add(href);
  if (seen.size > SEEN_MAX) {
    let drop = SEEN_DROP;
    for (const old of seen) {
      if (drop-- <= 0) break;
      seen.delete(old);
    }
  }
  const author = m.authorSip ? R.personFromSip(m.authorSip, m.authorName ?? undefined) : null;
  const live = liveForSender(ctx, ev) ?? await adoptConversation(ctx, ev, author);
  if (!live) {
    ctx.log(`message ${href}: no conversation to store it in; history sync will bring it`);
    return;
  }
  if (live.firstText !== null) {
    const same = live.firstText === m.text || live.firstText.trim() === m.text.trim();
    const firstId = live.firstMessageId;
    live.firstText = null;
    live.firstMessageId = null;
    if (same) {
      // The invitation's first message, re-delivered after accept (§6.3): now with the server's
      // timestamp, which the stored copy lacked. Restamped, it meets its transcript copy through
      // the store's exact dedupe key (sync.ts keeps a narrow heuristic for stores without it).
      if (firstId !== null && m.at !== null && ctx.store.restampMessage) {
        await ctx.store.restampMessage(firstId, m.at, live.threadId).catch((err: unknown) => ctx.log(`restamp: ${String(err)}`));
      }
      return;
    }
  }
  if (author) live.typing = live.typing.filter((p) => p.sip !== author.sip);
  const input: MessageInput = { author, direction: 'Incoming', at: m.at ?? ctx.now(), text: m.text, html: m.html, origin: 'live' };
  if (!batch) {
    await ctx.store.addMessage(live.conversationId, live.threadId, input, { markUnread: true });
    return;
  }
  const key = `${live.conversationId}\u0000${live.threadId ?? ''}`;
  let g = batch.get(key);
  if (!g) batch.set(key, (g = { conversationId: live.conversationId, threadId: live.threadId, items: [] }));
  g.items.push(input);
}

/**
 * A message from a conversation we do not track (its invitation went unseen, or its end was
 * reported while the server kept it): rather than drop what someone wrote, look the conversation
 * up (its threadId ties it to the store's conversation) and track it from now on. Once per
 * sender href: a conversation that cannot be read is not asked for again for every message.
 */
async function adoptConversation(ctx: ServiceContext, ev: UcwaEvent, author: Person | null): Promise<Live | null> {
  if (ev.senderRel !== 'conversation' || !ev.senderHref || !ctx.me) return null;
  const href = abs(ctx, ev.senderHref);
  if (ctx.unknownSenders.has(href)) return null;
  ctx.unknownSenders.add(href);
  let r: Resource;
  try {
    r = await requireClient(ctx).getJson(ev.senderHref);
  } catch (err) {
    ctx.log(`GET conversation ${href} failed: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
  const threadId = str(r, 'threadId');
  if (!threadId || str(r, 'state') === 'Disconnected') return null;
  const conv = await ctx.store.findConversationByThread(threadId)
    ?? await ctx.store.ensureLiveConversation({ threadId, subject: str(r, 'subject') ?? '', direction: 'Incoming', participants: author ? [author] : [], startedAt: ctx.now() });
  const live = makeLive(ctx, conv.id, threadId);
  if (live.convHref && live.convHref !== href) ctx.livesByHref.delete(live.convHref);
  attachHref(ctx, live, href);
  ctx.unknownSenders.delete(href);
  return live;
}
