// Invitations: one invitation actor per messagingInvitation, incoming (ringing → accept /
// decline) or outgoing (start / continue, carrying the first queued message), and the
// 'invitation' / 'invitationProgress' events. Conferences and other modalities are shown, never joined.
import { createActor } from 'xstate';
import { AppError, type InvitationInfo } from './types.ts';
import { toAppError } from './errors.ts';
import { abs, requireClient, resourceOf, type InvitationRec, type Live, type ServiceContext } from './context.ts';
import { attachHref, emitLive, makeLive } from './liveConversations.ts';
import { failItem, markSent } from './outboxDelivery.ts';
import type { UcwaEvent } from '../ucwa/events.ts';
import { embedded, link, linkTitle, str, type Resource } from '../ucwa/links.ts';
import { tryDecodeDataUrl } from '../ucwa/dataUrl.ts';
import * as R from '../ucwa/resources.ts';
import { invitationMachine } from '../machines/invitation.ts';
import type { Person } from '../store/types.ts';

type NewInvitation = Omit<InvitationRec, 'id' | 'actor' | 'info'> & { info: Omit<InvitationInfo, 'id' | 'state'> };

export function newInvitation(ctx: ServiceContext, live: Live | null, init: NewInvitation): InvitationRec {
  const id = `inv-${++ctx.invitationSeq}`;
  const actor = createActor(invitationMachine, { input: { direction: init.direction, timeoutMs: ctx.timing.invitationTimeoutMs } });
  const rec: InvitationRec = { ...init, id, actor, info: { ...init.info, id, state: init.direction === 'Incoming' ? 'ringing' : 'requesting' } };
  actor.subscribe((snap) => {
    const state = snap.value as InvitationInfo['state'];
    if (state === rec.info.state) return;
    rec.info = { ...rec.info, state };
    if (state === 'failed' || state === 'timedOut' || state === 'missed') {
      const reason = snap.context.reason;
      rec.info.error = {
        code: 'invitationFailed',
        message: state === 'timedOut' ? 'Nobody answered.' : reason?.subcode === 'Declined' ? 'The other person declined.' : reason?.message ?? 'The invitation was not answered.',
        subcode: reason?.subcode,
      };
    }
    ctx.events.emit('invitationProgress', { ...rec.info });
    if (live) emitLive(ctx, live);
    if (snap.status === 'done') onInvitationSettled(ctx, rec, live);
  });
  actor.start();
  if (live) live.invitation = rec;
  if (rec.href) ctx.invitationsByHref.set(rec.href, rec);
  if (rec.operationId) ctx.invitationsByOp.set(rec.operationId, rec);
  return rec;
}

function onInvitationSettled(ctx: ServiceContext, rec: InvitationRec, live: Live | null): void {
  const state = rec.info.state;
  const ok = state === 'connected';
  if (rec.carriesClientId) {
    const clientId = rec.carriesClientId;
    rec.carriesClientId = null;
    if (ok) void markSent(ctx, clientId, rec.carriedAt ?? null, live?.threadId ?? null);
    else void failItem(ctx, clientId, rec.info.error?.message ?? 'Not delivered.');
  }
  rec.settle?.(ok, ok ? undefined : new AppError(rec.info.error ?? { code: 'invitationFailed', message: 'The invitation failed.' }));
  if (!ok && live) {
    // The other queued messages of this conversation cannot go either.
    live.actor.send({ type: 'DISCONNECTED' });
  }
}

export async function onInvitationEvent(ctx: ServiceContext, ev: UcwaEvent): Promise<void> {
  const href = abs(ctx, ev.href);
  let rec = ctx.invitationsByHref.get(href) ?? null;
  const r = await resourceOf(ctx, ev);
  const opId = str(r, 'operationId');
  if (!rec && opId) rec = ctx.invitationsByOp.get(opId) ?? null;
  if (rec && !rec.href) {
    rec.href = href;
    ctx.invitationsByHref.set(href, rec);
  }
  if (ev.phase === 'start' && !rec) {
    if (str(r, 'direction') === 'Outgoing') return; // not ours (another endpoint of this user)
    return onIncomingInvitation(ctx, ev, href, r);
  }
  if (!rec) return;
  const live = ctx.lives.get(rec.info.conversationId) ?? null;
  if (live) attachHref(ctx, live, link(r, 'conversation'));
  if (live && str(r, 'threadId') && !live.threadId) live.threadId = str(r, 'threadId') ?? null;
  if (ev.phase === 'start') {
    rec.cancelHref = link(r, 'cancel') ?? rec.cancelHref;
    rec.actor.send({ type: 'STARTED' });
  } else if (ev.phase === 'update') {
    rec.cancelHref = link(r, 'cancel') ?? rec.cancelHref;
  } else if (ev.phase === 'end') {
    if (ev.status === 'Success' || str(r, 'state') === 'Connected') rec.actor.send({ type: 'SUCCESS' });
    else rec.actor.send({ type: 'FAILURE', reason: ev.reason });
  }
}

function personOf(r: Resource | null, fallbackHref?: string, title?: string): Person | null {
  const uri = str(r, 'uri') ?? R.sipFromHref(link(r, 'contact')) ?? R.sipFromHref(fallbackHref) ?? undefined;
  if (!uri) return null;
  return R.personFromSip(uri, str(r, 'name') || title);
}

async function onIncomingInvitation(ctx: ServiceContext, ev: UcwaEvent, href: string, r: Resource | null): Promise<void> {
  if (!ctx.me) return;
  const { store } = ctx;
  const fromRes = embedded(r, 'from');
  const from = personOf(fromRes, link(r, 'from'), linkTitle(r, 'from'));
  const threadId = str(r, 'threadId') ?? `invitation:${href}`;
  const subject = str(r, 'subject') ?? '';
  // Only messaging invitations can be joined; conferences and other modalities are shown, never joined.
  const unsupported = ev.rel !== 'messagingInvitation' || !!link(r, 'onlineMeeting') || !!str(r, 'onlineMeetingUri');
  const conv = await store.ensureLiveConversation({ threadId, subject, direction: 'Incoming', participants: from ? [from] : [], startedAt: ctx.now() });
  const live = makeLive(ctx, conv.id, threadId);
  attachHref(ctx, live, link(r, 'conversation'));
  const first = tryDecodeDataUrl(link(r, 'message'));
  let text: string | null = null;
  if (first) {
    text = first.mimeType === 'text/html' ? R.stripHtml(first.text) : first.text;
    live.firstText = text;
    const added = await store.addMessage(conv.id, threadId, {
      author: from, direction: 'Incoming', at: ctx.now(), text, html: first.mimeType === 'text/html' ? first.text : null, origin: 'live',
    }, { markUnread: true });
    live.firstMessageId = added.message.id;
  }
  const rec = newInvitation(ctx, live, {
    href, operationId: str(r, 'operationId') ?? null, direction: 'Incoming',
    acceptHref: link(r, 'accept') ?? null, declineHref: link(r, 'decline') ?? null, cancelHref: null, carriesClientId: null,
    info: { conversationId: conv.id, direction: 'Incoming', from, text, subject, unsupported, error: unsupported ? { code: 'conferenceNotSupported', message: 'This kind of invitation cannot be joined from this app.' } : null },
  });
  ctx.events.emit('invitation', { ...rec.info });
  // Messages typed before the invitation was noticed are waiting: answer by accepting.
  const pending = await store.pendingOutbox(conv.id);
  if (pending.length > 0 && !unsupported) void acceptLive(ctx, live).catch(() => undefined);
}

export async function acceptLive(ctx: ServiceContext, live: Live): Promise<void> {
  const inv = live.invitation;
  if (!inv || inv.direction !== 'Incoming') throw new AppError({ code: 'notFound', message: 'There is no invitation to accept.' });
  if (inv.info.unsupported) throw new AppError({ code: 'conferenceNotSupported', message: 'This kind of invitation cannot be joined from this app.' });
  if (inv.info.state !== 'ringing') return;
  if (!inv.acceptHref) throw new AppError({ code: 'server', message: 'The server offered no way to accept this invitation.' });
  inv.actor.send({ type: 'ACCEPT' });
  live.actor.send({ type: 'CONNECTING' });
  try {
    await R.acceptInvitation(requireClient(ctx), inv.acceptHref);
  } catch (err) {
    const e = toAppError(err);
    inv.actor.send({ type: 'ACCEPT_FAILED', reason: { code: e.ucwaCode, subcode: e.subcode, message: e.message } });
    live.actor.send({ type: 'DISCONNECTED' });
    throw e;
  }
}

export async function declineInvitation(ctx: ServiceContext, conversationId: number): Promise<void> {
  const live = ctx.lives.get(conversationId);
  const inv = live?.invitation;
  if (!live || !inv || inv.direction !== 'Incoming' || inv.info.state !== 'ringing') throw new AppError({ code: 'notFound', message: 'There is no invitation to decline.' });
  inv.actor.send({ type: 'DECLINE' });
  if (inv.declineHref && ctx.client) await R.declineInvitation(ctx.client, inv.declineHref).catch((err: unknown) => ctx.log(`decline: ${String(err)}`));
}
