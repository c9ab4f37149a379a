// Event batches from the channel: each event goes to the part that owns its rel; the state of
// conversations, their messaging modality and typing participants are handled here.
import { abs, resourceOf, type ServiceContext } from './context.ts';
import { onInvitationEvent } from './invitations.ts';
import { liveForSender, setTyping } from './liveConversations.ts';
import { onMessageEvent, writeBatchMessages, type BatchMessages } from './messageEvents.ts';
import { scheduleSync } from './sessionLifecycle.ts';
import type { EventBatch, UcwaEvent } from '../ucwa/events.ts';
import { link, str } from '../ucwa/links.ts';
import * as R from '../ucwa/resources.ts';

export async function processBatch(ctx: ServiceContext, batch: EventBatch): Promise<void> {
  const messages: BatchMessages = new Map();
  await ctx.events.coalesce(async () => {
    for (const ev of batch.events) {
      try {
        await dispatch(ctx, ev, messages);
      } catch (err) {
        // Bad server input for one event must not stop the others (or the channel).
        ctx.log(`event ${ev.rel} ${ev.type} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await writeBatchMessages(ctx, messages);
  });
}

async function dispatch(ctx: ServiceContext, ev: UcwaEvent, messages: BatchMessages): Promise<void> {
  switch (ev.rel) {
    case 'messagingInvitation':
    case 'onlineMeetingInvitation':
    case 'audioVideoInvitation':
    case 'phoneAudioInvitation':
      return onInvitationEvent(ctx, ev);
    case 'conversation':
      if (ev.senderRel === 'communication') return onConversationEvent(ctx, ev);
      return;
    case 'messaging':
      return onMessagingEvent(ctx, ev);
    case 'message':
      return onMessageEvent(ctx, ev, messages);
    case 'participant':
      return onParticipantEvent(ctx, ev);
    case 'missedItems':
      scheduleSync(ctx, 0);
      return;
    default:
      return; // unknown rels are ignored (PROTOCOL.md §0.1)
  }
}

async function onConversationEvent(ctx: ServiceContext, ev: UcwaEvent): Promise<void> {
  const href = abs(ctx, ev.href);
  const live = ctx.livesByHref.get(href);
  if (!live) return;
  if (ev.phase === 'end') {
    live.actor.send({ type: 'DISCONNECTED' });
    ctx.livesByHref.delete(href);
    live.convHref = null;
    live.sendHref = live.typingHref = live.stopHref = null;
    if (live.typing.length) setTyping(ctx, live, []);
    // Exchange archives the log a little after the conversation ends.
    scheduleSync(ctx, ctx.timing.syncAfterConversationEndMs);
    return;
  }
  const r = ev.resource;
  const state = str(r, 'state');
  if (state === 'Disconnected') live.actor.send({ type: 'DISCONNECTED' });
  const threadId = str(r, 'threadId');
  if (threadId && !live.threadId) live.threadId = threadId;
}

async function onMessagingEvent(ctx: ServiceContext, ev: UcwaEvent): Promise<void> {
  const live = liveForSender(ctx, ev);
  if (!live) return;
  const r = await resourceOf(ctx, ev);
  if (!r) return;
  const state = str(r, 'state');
  live.sendHref = link(r, 'sendMessage') ?? null;
  live.typingHref = link(r, 'setIsTyping') ?? null;
  live.stopHref = link(r, 'stopMessaging') ?? live.stopHref;
  const formats = Array.isArray(r.negotiatedMessageFormats) ? r.negotiatedMessageFormats : [];
  live.html = formats.includes('Html');
  if (state === 'Connected' && live.sendHref) live.actor.send({ type: 'CONNECTED' });
  else if (state === 'Connecting') live.actor.send({ type: 'CONNECTING' });
  else if (state === 'Disconnected') {
    live.actor.send({ type: 'DISCONNECTED' });
    if (live.typing.length) setTyping(ctx, live, []);
  }
}

async function onParticipantEvent(ctx: ServiceContext, ev: UcwaEvent): Promise<void> {
  if (ev.inRel !== 'typingParticipants') return;
  const live = liveForSender(ctx, ev);
  if (!live) return;
  const sip = R.sipFromHref(ev.href) ?? str(ev.resource, 'uri');
  if (!sip) return;
  const person = R.personFromSip(sip, ev.title ?? str(ev.resource, 'name'));
  if (person.sip === ctx.me?.sip) return;
  const others = live.typing.filter((p) => p.sip !== person.sip);
  setTyping(ctx, live, ev.phase === 'start' ? [...others, person] : others);
}
