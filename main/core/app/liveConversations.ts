// Live conversations: one conversation actor per conversation with an IM modality, its hrefs,
// who is typing, and the 'live' / 'typing' events the UI draws from them. Hrefs belong to one
// application and one event channel, so they are dropped whenever either starts over.
import { createActor } from 'xstate';
import type { LiveConversationState } from './types.ts';
import { abs, type Live, type ServiceContext } from './context.ts';
import { connectConversation, deliver } from './outboxDelivery.ts';
import type { UcwaEvent } from '../ucwa/events.ts';
import * as R from '../ucwa/resources.ts';
import { connectionOf, conversationMachine } from '../machines/conversation.ts';
import type { Person } from '../store/types.ts';

export function liveForSender(ctx: ServiceContext, ev: UcwaEvent): Live | null {
  return ctx.livesByHref.get(abs(ctx, ev.senderHref)) ?? null;
}

export function attachHref(ctx: ServiceContext, live: Live, convHref: string | undefined): void {
  if (!convHref) return;
  const h = abs(ctx, convHref);
  live.convHref = h;
  ctx.livesByHref.set(h, live);
}

/** The live record of a conversation, made (and its actor started) on first use. */
export function makeLive(ctx: ServiceContext, conversationId: number, threadId: string | null): Live {
  const existing = ctx.lives.get(conversationId);
  if (existing) return existing;
  const actor = createActor(conversationMachine.provide({
    actions: {
      deliver: (_a, p: { clientId: string }) => void deliver(ctx, live, p.clientId),
      connect: () => void connectConversation(ctx, conversationId),
      typingChanged: () => undefined,
    },
  }), { input: {} });
  const live: Live = {
    convHref: null, conversationId, threadId, actor, sendHref: null, typingHref: null, stopHref: null,
    html: false, invitation: null, typing: [], firstText: null, firstMessageId: null, lastTypingPost: 0,
  };
  actor.subscribe(() => emitLive(ctx, live));
  actor.start();
  ctx.lives.set(conversationId, live);
  return live;
}

export function isConnected(live: Live): boolean {
  return connectionOf(live.actor.getSnapshot().value) === 'connected';
}

export function liveState(live: Live): LiveConversationState {
  return {
    conversationId: live.conversationId,
    connection: connectionOf(live.actor.getSnapshot().value),
    typing: [...live.typing],
    invitation: live.invitation ? { ...live.invitation.info } : null,
  };
}

/** Emit 'live' when what the UI shows of this conversation changed. */
export function emitLive(ctx: ServiceContext, live: Live): void {
  const s = liveState(live);
  const key = JSON.stringify(s);
  if (ctx.lastLive.get(live.conversationId) === key) return;
  ctx.lastLive.set(live.conversationId, key);
  ctx.events.emit('live', s);
}

export function setTyping(ctx: ServiceContext, live: Live, typing: Person[]): void {
  live.typing = typing;
  ctx.events.emit('typing', { conversationId: live.conversationId, participants: [...typing] });
  emitLive(ctx, live);
}

/** The user is typing: tell the server, at most once per throttle period. */
export function postTyping(ctx: ServiceContext, conversationId: number): void {
  const live = ctx.lives.get(conversationId);
  if (!live || !live.typingHref || !ctx.client) return;
  const t = ctx.now();
  if (t - live.lastTypingPost < ctx.timing.typingThrottleMs) return;
  live.lastTypingPost = t;
  void R.setIsTyping(ctx.client, live.typingHref).catch(() => undefined);
}

/** End the live IM: cancel an outgoing invitation still under way, then stopMessaging. */
export async function hangUp(ctx: ServiceContext, conversationId: number): Promise<void> {
  const live = ctx.lives.get(conversationId);
  if (!live) return;
  const client = ctx.client;
  const inv = live.invitation;
  if (inv && inv.direction === 'Outgoing' && (inv.info.state === 'requesting' || inv.info.state === 'connecting')) {
    inv.actor.send({ type: 'CANCEL' });
    if (inv.cancelHref && client) await R.cancelInvitation(client, inv.cancelHref).catch(() => undefined);
  }
  if (live.stopHref && client) await R.stopMessaging(client, live.stopHref).catch((err: unknown) => ctx.log(`stop: ${String(err)}`));
  live.actor.send({ type: 'DISCONNECTED' });
}

/** The event channel or the application started over: every href and pending match is stale. */
export function dropTransientState(ctx: ServiceContext, _why: string): void {
  for (const live of ctx.lives.values()) {
    live.actor.send({ type: 'DISCONNECTED' });
    live.sendHref = live.typingHref = live.stopHref = null;
    live.convHref = null;
    live.firstText = null;
    live.firstMessageId = null;
    if (live.invitation) {
      const st = live.invitation.info.state;
      if (st === 'ringing' || st === 'accepting' || st === 'requesting' || st === 'connecting') {
        live.invitation.actor.send({ type: 'FAILURE', reason: { message: 'The connection to the server was reset.' } });
      }
    }
    if (live.typing.length) setTyping(ctx, live, []);
  }
  ctx.livesByHref.clear();
  ctx.invitationsByHref.clear();
  ctx.invitationsByOp.clear();
  ctx.hrefToClient.clear();
  ctx.opToClient.clear();
  ctx.earlyCompletions.clear();
  ctx.seenIncoming.clear();
  ctx.unknownSenders.clear();
}

/** The store started over: the conversation ids the live records hold are gone with it. */
export function forgetLives(ctx: ServiceContext): void {
  dropTransientState(ctx, 'storeReset');
  for (const live of ctx.lives.values()) live.actor.stop();
  ctx.lives.clear();
  ctx.lastLive.clear();
  ctx.outboxCache.clear();
}
