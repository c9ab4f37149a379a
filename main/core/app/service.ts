// createMessengerService: the one object the shell, the CLI and the tests talk to. It wires the
// UCWA client (ucwa/), the machines (machines/) and the Store: UCWA events → machines → store →
// change events. Every user action that sends text goes through the outbox first (persisted
// before any network call), so a crash or an outage never loses what the user typed.
import { createActor, fromPromise, type ActorRefFrom } from 'xstate';
import {
  AppError, type Availability, type InvitationInfo, type LiveConversationState, type MessengerService,
  type ServiceEventName, type ServiceEvents, type SessionState, type SignInRequest, type SyncProgress,
} from './types.ts';
import { defaultTiming, type MessengerDeps } from './deps.ts';
import { isTransient, toAppError } from './errors.ts';
import { HistorySync } from './sync.ts';
import { createTransport, type Transport } from '../ucwa/transport.ts';
import { discover, signInToPool, type Credentials } from '../ucwa/auth.ts';
import { UcwaClient } from '../ucwa/client.ts';
import { createApplication, deleteApplication, getApplication, meInfo, type AppLinks } from '../ucwa/application.ts';
import { EventChannel } from '../ucwa/eventChannel.ts';
import type { EventBatch, UcwaEvent } from '../ucwa/events.ts';
import { isApplicationGone, NetworkError, UcwaError } from '../ucwa/errors.ts';
import { normaliseSip, sipDomain } from '../ucwa/hypermedia.ts';
import { embedded, link, linkTitle, str, type Resource } from '../ucwa/links.ts';
import { tryDecodeDataUrl } from '../ucwa/dataUrl.ts';
import { newOperationId } from '../ucwa/operationId.ts';
import * as R from '../ucwa/resources.ts';
import { sessionMachine, sessionStatusOf, type ProbeResult } from '../machines/session.ts';
import { invitationMachine } from '../machines/invitation.ts';
import { connectionOf, conversationMachine } from '../machines/conversation.ts';
import type { Conversation, MessageInput, OutboxItem, Person, UnreadSummary } from '../store/types.ts';

type UnreadCounts = Omit<UnreadSummary, 'latest'>;

export type { MessengerDeps } from './deps.ts';

type ConvActor = ActorRefFrom<typeof conversationMachine>;
type InvActor = ActorRefFrom<typeof invitationMachine>;

interface InvitationRec {
  id: string;
  href: string | null;
  operationId: string | null;
  direction: 'Incoming' | 'Outgoing';
  actor: InvActor;
  acceptHref: string | null;
  declineHref: string | null;
  cancelHref: string | null;
  info: InvitationInfo;
  /** Outbox item whose text travels with the invitation (start / continue). */
  carriesClientId: string | null;
  /** Server timestamp of that carried message, when an outgoing message event with the
   * invitation's operationId reported it (otherwise it is stamped with local time when sent). */
  carriedAt?: number | null;
  settle?: (ok: boolean, err?: AppError) => void;
}

interface Live {
  convHref: string | null;
  conversationId: number;
  threadId: string | null;
  actor: ConvActor;
  sendHref: string | null;
  typingHref: string | null;
  stopHref: string | null;
  html: boolean;
  invitation: InvitationRec | null;
  typing: Person[];
  /** Text of the invitation's first message: its re-delivery right after accept is the same message. */
  firstText: string | null;
  /** The stored row of that first message (local time until the re-delivery brings the server's). */
  firstMessageId: number | null;
  lastTypingPost: number;
}

export function createMessengerService(deps: MessengerDeps): MessengerService {
  const timing = { ...defaultTiming, ...deps.timing };
  const now = deps.clock ?? Date.now;
  const log = deps.log ?? (() => undefined);
  const store = deps.store;
  const transport: Transport = createTransport({ fetch: deps.fetch, log, defaultTimeoutMs: timing.requestTimeoutMs });
  const listeners = new Map<ServiceEventName, Set<(p: unknown) => void>>();

  function emit<E extends ServiceEventName>(event: E, payload: ServiceEvents[E]): void {
    for (const l of listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        log(`listener for ${event} threw: ${String(err)}`);
      }
    }
  }

  // --- session-scoped state (reset on sign-out; hrefs reset on application recreation) -------
  let request: SignInRequest | null = null;
  let creds: Credentials | null = null;
  let domain = '';
  let userHref = '';
  let applicationsHref = '';
  let client: UcwaClient | null = null;
  let app: AppLinks | null = null;
  let me: Person | null = null;
  let channel: EventChannel | null = null;
  let availability: Availability | null = null;
  let chosenAvailability: Availability = 'Online';
  let closed = false;
  const lives = new Map<number, Live>(); // by conversationId
  const livesByHref = new Map<string, Live>();
  const invitationsByOp = new Map<string, InvitationRec>();
  const invitationsByHref = new Map<string, InvitationRec>();
  const opToClient = new Map<string, string>(); // sendMessage operationId → clientId
  const hrefToClient = new Map<string, string>(); // message Location → clientId
  const earlyCompletions = new Map<string, { ok: boolean; at: number | null }>(); // by href or opId
  const outboxCache = new Map<string, OutboxItem>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let invitationSeq = 0;

  const sync = new HistorySync({
    store,
    concurrency: timing.syncConcurrency,
    logLimit: timing.syncLogLimit,
    onProgress: (p) => emit('sync', { ...p }),
    log,
  });

  // While an event batch is processed, conversation and unread changes are coalesced: the first
  // change of a conversation goes out at once (listeners learn of it before its messages), later
  // ones only as the latest state at the end of the batch, and the unread summary once. A burst of
  // 1 000 messages is 1 000 'message' events but one list update and one tray recount.
  let coalescing: { seen: Set<number>; conversations: Map<number, Conversation>; unread: UnreadCounts | null } | null = null;
  store.onChange((change) => {
    if (change.kind === 'conversation') {
      const c = change.conversation;
      if (!coalescing) emit('conversation', c);
      else if (!coalescing.seen.has(c.id)) {
        coalescing.seen.add(c.id);
        emit('conversation', c);
      } else coalescing.conversations.set(c.id, c);
    } else if (change.kind === 'message') emit('message', change.message);
    else if (change.kind === 'delivery') emit('delivery', change.item);
    else if (change.kind === 'unread') {
      if (coalescing) coalescing.unread = change.summary;
      else emit('unread', change.summary);
    } else if (change.kind === 'reset') onStoreReset(change.reason);
  });

  /** The store started over with an empty database: every conversation id we hold is gone. */
  function onStoreReset(reason: string): void {
    log(`store reset (${reason}): dropping live state, resyncing`);
    dropTransientState('storeReset');
    for (const live of lives.values()) live.actor.stop();
    lives.clear();
    lastLive.clear();
    outboxCache.clear();
    sync.clearLinks();
    if (isOnline()) scheduleSync(0);
  }

  function flushCoalesced(): void {
    const c = coalescing;
    coalescing = null;
    if (!c) return;
    for (const conv of c.conversations.values()) emit('conversation', conv);
    if (c.unread) emit('unread', c.unread);
  }

  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  // Hrefs key several maps, so they are compared in absolute form. Most are plain server paths
  // ("/ucwa/oauth/v1/..."): those resolve by concatenation, without a URL parse per event.
  const PLAIN_PATH_RE = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
  const DOT_SEGMENT_RE = /\/\.{1,2}(?:\/|$)/;
  const abs = (href: string): string => {
    const base = client?.poolBase;
    if (base && PLAIN_PATH_RE.test(href) && !DOT_SEGMENT_RE.test(href) && base.endsWith('/')) return base + href.slice(1);
    try {
      return new URL(href, client?.poolBase ?? 'http://invalid/').href;
    } catch {
      return href;
    }
  };

  function requireClient(): UcwaClient {
    if (!client || !app) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
    return client;
  }

  // --- event channel -------------------------------------------------------------------------
  function startChannel(): void {
    channel?.stop();
    if (!client || !app) return;
    const ch = new EventChannel({
      client,
      startHref: app.events,
      timeoutSec: timing.eventTimeoutSec,
      clientTimeoutMs: timing.pgetClientTimeoutMs,
      onBatch: (b) => processBatch(b),
      onReset: () => dropTransientState('resume'),
      onFailure: (err) => {
        if (ch !== channel) return;
        if (isApplicationGone(err) || (err instanceof UcwaError && err.is(409, 'PGetReplaced'))) session.send({ type: 'APPLICATION_GONE' });
        else if (err instanceof UcwaError && err.status === 410) session.send({ type: 'FATAL', error: toAppError(err).toJSON() });
        else if (err instanceof AppError && err.code === 'wrongPassword') session.send({ type: 'FATAL', error: err.toJSON() });
        else session.send({ type: 'NETWORK_LOST', error: toAppError(err).toJSON() });
      },
      log,
    });
    channel = ch;
    ch.start();
  }

  /** Per-batch context: the incoming messages of a batch are written together at its end, per
   * conversation — one store transaction with addMessages where the store has it, else pipelined
   * addMessage calls (the SQLite worker runs them in order) — not one round trip after another. */
  interface BatchCtx { messages: Map<string, { conversationId: number; threadId: string | null; items: MessageInput[] }> }

  async function writeBatchMessages(ctx: BatchCtx): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const g of ctx.messages.values()) {
      if (store.addMessages) writes.push(store.addMessages(g.conversationId, g.threadId, g.items, { markUnread: true }));
      else for (const m of g.items) writes.push(store.addMessage(g.conversationId, g.threadId, m, { markUnread: true }));
    }
    ctx.messages.clear();
    for (const r of await Promise.allSettled(writes)) {
      if (r.status === 'rejected') log(`storing a message failed: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    }
  }

  async function processBatch(batch: EventBatch): Promise<void> {
    const ctx: BatchCtx = { messages: new Map() };
    const outer = coalescing === null;
    if (outer) coalescing = { seen: new Set(), conversations: new Map(), unread: null };
    try {
      for (const ev of batch.events) {
        try {
          await dispatch(ev, ctx);
        } catch (err) {
          // Bad server input for one event must not stop the others (or the channel).
          log(`event ${ev.rel} ${ev.type} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      await writeBatchMessages(ctx);
    } finally {
      if (outer) flushCoalesced();
    }
  }

  async function resourceOf(ev: UcwaEvent): Promise<Resource | null> {
    if (ev.resource) return ev.resource;
    if (ev.phase === 'end' && ev.rel !== 'message' && ev.rel !== 'messagingInvitation') return null;
    try {
      return await requireClient().getJson(ev.href);
    } catch (err) {
      log(`GET ${ev.rel} failed: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  async function dispatch(ev: UcwaEvent, ctx: BatchCtx | null = null): Promise<void> {
    switch (ev.rel) {
      case 'messagingInvitation':
      case 'onlineMeetingInvitation':
      case 'audioVideoInvitation':
      case 'phoneAudioInvitation':
        return onInvitationEvent(ev);
      case 'conversation':
        if (ev.senderRel === 'communication') return onConversationEvent(ev);
        return;
      case 'messaging':
        return onMessagingEvent(ev);
      case 'message':
        return onMessageEvent(ev, ctx);
      case 'participant':
        return onParticipantEvent(ev);
      case 'missedItems':
        scheduleSync(0);
        return;
      default:
        return; // unknown rels are ignored (PROTOCOL.md §0.1)
    }
  }

  function liveForSender(ev: UcwaEvent): Live | null {
    return livesByHref.get(abs(ev.senderHref)) ?? null;
  }

  function attachHref(live: Live, convHref: string | undefined): void {
    if (!convHref) return;
    const h = abs(convHref);
    live.convHref = h;
    livesByHref.set(h, live);
  }

  function makeLive(conversationId: number, threadId: string | null): Live {
    const existing = lives.get(conversationId);
    if (existing) return existing;
    const actor = createActor(conversationMachine.provide({
      actions: {
        deliver: (_a, p: { clientId: string }) => void deliver(live, p.clientId),
        connect: () => void connectConversation(conversationId),
        typingChanged: () => undefined,
      },
    }), { input: {} });
    const live: Live = {
      convHref: null, conversationId, threadId, actor, sendHref: null, typingHref: null, stopHref: null,
      html: false, invitation: null, typing: [], firstText: null, firstMessageId: null, lastTypingPost: 0,
    };
    actor.subscribe(() => emitLive(live));
    actor.start();
    lives.set(conversationId, live);
    return live;
  }

  function liveState(live: Live): LiveConversationState {
    return {
      conversationId: live.conversationId,
      connection: connectionOf(live.actor.getSnapshot().value),
      typing: [...live.typing],
      invitation: live.invitation ? { ...live.invitation.info } : null,
    };
  }

  let lastLive = new Map<number, string>();
  function emitLive(live: Live): void {
    const s = liveState(live);
    const key = JSON.stringify(s);
    if (lastLive.get(live.conversationId) === key) return;
    lastLive.set(live.conversationId, key);
    emit('live', s);
  }

  function personOf(r: Resource | null, fallbackHref?: string, title?: string): Person | null {
    const uri = str(r, 'uri') ?? R.sipFromHref(link(r, 'contact')) ?? R.sipFromHref(fallbackHref) ?? undefined;
    if (!uri) return null;
    return R.personFromSip(uri, str(r, 'name') || title);
  }

  // --- invitations ---------------------------------------------------------------------------
  function newInvitation(live: Live | null, init: Omit<InvitationRec, 'id' | 'actor' | 'info'> & { info: Omit<InvitationInfo, 'id' | 'state'> }): InvitationRec {
    const id = `inv-${++invitationSeq}`;
    const actor = createActor(invitationMachine, { input: { direction: init.direction, timeoutMs: timing.invitationTimeoutMs } });
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
      emit('invitationProgress', { ...rec.info });
      if (live) emitLive(live);
      if (snap.status === 'done') onInvitationSettled(rec, live);
    });
    actor.start();
    if (live) live.invitation = rec;
    if (rec.href) invitationsByHref.set(rec.href, rec);
    if (rec.operationId) invitationsByOp.set(rec.operationId, rec);
    return rec;
  }

  function onInvitationSettled(rec: InvitationRec, live: Live | null): void {
    const state = rec.info.state;
    const ok = state === 'connected';
    if (rec.carriesClientId) {
      const clientId = rec.carriesClientId;
      rec.carriesClientId = null;
      if (ok) void markSent(clientId, rec.carriedAt ?? null, live?.threadId ?? null);
      else void failItem(clientId, rec.info.error?.message ?? 'Not delivered.');
    }
    rec.settle?.(ok, ok ? undefined : new AppError(rec.info.error ?? { code: 'invitationFailed', message: 'The invitation failed.' }));
    if (!ok && live) {
      // The other queued messages of this conversation cannot go either.
      live.actor.send({ type: 'DISCONNECTED' });
    }
  }

  async function onInvitationEvent(ev: UcwaEvent): Promise<void> {
    const href = abs(ev.href);
    let rec = invitationsByHref.get(href) ?? null;
    const r = await resourceOf(ev);
    const opId = str(r, 'operationId');
    if (!rec && opId) rec = invitationsByOp.get(opId) ?? null;
    if (rec && !rec.href) {
      rec.href = href;
      invitationsByHref.set(href, rec);
    }
    if (ev.phase === 'start' && !rec) {
      if (str(r, 'direction') === 'Outgoing') return; // not ours (another endpoint of this user)
      return onIncomingInvitation(ev, href, r);
    }
    if (!rec) return;
    const live = lives.get(rec.info.conversationId) ?? null;
    if (live) attachHref(live, link(r, 'conversation'));
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

  async function onIncomingInvitation(ev: UcwaEvent, href: string, r: Resource | null): Promise<void> {
    if (!me) return;
    const fromRes = embedded(r, 'from');
    const from = personOf(fromRes, link(r, 'from'), linkTitle(r, 'from'));
    const threadId = str(r, 'threadId') ?? `invitation:${href}`;
    const subject = str(r, 'subject') ?? '';
    // Only messaging invitations can be joined; conferences and other modalities are shown, never joined.
    const unsupported = ev.rel !== 'messagingInvitation' || !!link(r, 'onlineMeeting') || !!str(r, 'onlineMeetingUri');
    const conv = await store.ensureLiveConversation({ threadId, subject, direction: 'Incoming', participants: from ? [from] : [], startedAt: now() });
    const live = makeLive(conv.id, threadId);
    attachHref(live, link(r, 'conversation'));
    const first = tryDecodeDataUrl(link(r, 'message'));
    let text: string | null = null;
    if (first) {
      text = first.mimeType === 'text/html' ? R.stripHtml(first.text) : first.text;
      live.firstText = text;
      const added = await store.addMessage(conv.id, threadId, {
        author: from, direction: 'Incoming', at: now(), text, html: first.mimeType === 'text/html' ? first.text : null, origin: 'live',
      }, { markUnread: true });
      live.firstMessageId = added.message.id;
    }
    const rec = newInvitation(live, {
      href, operationId: str(r, 'operationId') ?? null, direction: 'Incoming',
      acceptHref: link(r, 'accept') ?? null, declineHref: link(r, 'decline') ?? null, cancelHref: null, carriesClientId: null,
      info: { conversationId: conv.id, direction: 'Incoming', from, text, subject, unsupported, error: unsupported ? { code: 'conferenceNotSupported', message: 'This kind of invitation cannot be joined from this app.' } : null },
    });
    emit('invitation', { ...rec.info });
    // Messages typed before the invitation was noticed are waiting: answer by accepting.
    const pending = await store.pendingOutbox(conv.id);
    if (pending.length > 0 && !unsupported) void acceptLive(live).catch(() => undefined);
  }

  // --- conversations, messaging, messages, participants --------------------------------------
  async function onConversationEvent(ev: UcwaEvent): Promise<void> {
    const href = abs(ev.href);
    const live = livesByHref.get(href);
    if (!live) return;
    if (ev.phase === 'end') {
      live.actor.send({ type: 'DISCONNECTED' });
      livesByHref.delete(href);
      live.convHref = null;
      live.sendHref = live.typingHref = live.stopHref = null;
      if (live.typing.length) setTyping(live, []);
      scheduleSync(timing.syncAfterConversationEndMs);
      return;
    }
    const r = ev.resource;
    const state = str(r, 'state');
    if (state === 'Disconnected') live.actor.send({ type: 'DISCONNECTED' });
    const threadId = str(r, 'threadId');
    if (threadId && !live.threadId) live.threadId = threadId;
  }

  async function onMessagingEvent(ev: UcwaEvent): Promise<void> {
    const live = liveForSender(ev);
    if (!live) return;
    const r = await resourceOf(ev);
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
      if (live.typing.length) setTyping(live, []);
    }
  }

  async function onMessageEvent(ev: UcwaEvent, ctx: BatchCtx | null): Promise<void> {
    const href = abs(ev.href);
    const r = ev.resource ?? (ev.phase === 'end' || ev.phase === 'start' ? await resourceOf(ev) : null);
    const m = R.parseMessage(href, r);
    const failed = ev.status === 'Failure' || m.status === 'Failed';
    if (m.direction === 'Outgoing') {
      if (ev.phase !== 'end') return;
      const clientId = hrefToClient.get(href) ?? (m.operationId ? opToClient.get(m.operationId) : undefined);
      const carrier = !clientId && m.operationId ? invitationsByOp.get(m.operationId) : undefined;
      if (carrier?.carriesClientId) {
        carrier.carriedAt = failed ? null : m.at;
        return;
      }
      if (!clientId) {
        earlyCompletions.set(href, { ok: !failed, at: m.at });
        if (m.operationId) earlyCompletions.set(m.operationId, { ok: !failed, at: m.at });
        return;
      }
      const live = liveForSender(ev);
      if (failed) await failItem(clientId, ev.reason?.message ?? 'The message was not delivered.');
      else await markSent(clientId, m.at, live?.threadId ?? null);
      return;
    }
    // Incoming: `completed` + Success in the traces, `started` in the reference: accept both once.
    if (failed || m.text === null) return;
    if (seenIncoming.has(href)) return;
    seenIncoming.add(href);
    if (seenIncoming.size > 20_000) {
      // A long session must not grow this forever: re-deliveries come soon after, keep the newest.
      let drop = 10_000;
      for (const old of seenIncoming) {
        if (drop-- <= 0) break;
        seenIncoming.delete(old);
      }
    }
    const author = m.authorSip ? R.personFromSip(m.authorSip, m.authorName ?? undefined) : null;
    const live = liveForSender(ev) ?? await adoptConversation(ev, author);
    if (!live) {
      log(`message ${href}: no conversation to store it in; history sync will bring it`);
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
        if (firstId !== null && m.at !== null && store.restampMessage) {
          await store.restampMessage(firstId, m.at, live.threadId).catch((err: unknown) => log(`restamp: ${String(err)}`));
        }
        return;
      }
    }
    if (author) live.typing = live.typing.filter((p) => p.sip !== author.sip);
    const input: MessageInput = { author, direction: 'Incoming', at: m.at ?? now(), text: m.text, html: m.html, origin: 'live' };
    if (!ctx) {
      await store.addMessage(live.conversationId, live.threadId, input, { markUnread: true });
      return;
    }
    const key = `${live.conversationId}\u0000${live.threadId ?? ''}`;
    let g = ctx.messages.get(key);
    if (!g) ctx.messages.set(key, (g = { conversationId: live.conversationId, threadId: live.threadId, items: [] }));
    g.items.push(input);
  }
  const seenIncoming = new Set<string>();
  const unknownSenders = new Set<string>();

  /**
   * A message from a conversation we do not track (its invitation went unseen, or its end was
   * reported while the server kept it): rather than drop what someone wrote, look the conversation
   * up (its threadId ties it to the store's conversation) and track it from now on. Once per
   * sender href: a conversation that cannot be read is not asked for again for every message.
   */
  async function adoptConversation(ev: UcwaEvent, author: Person | null): Promise<Live | null> {
    if (ev.senderRel !== 'conversation' || !ev.senderHref || !me) return null;
    const href = abs(ev.senderHref);
    if (unknownSenders.has(href)) return null;
    unknownSenders.add(href);
    let r: Resource;
    try {
      r = await requireClient().getJson(ev.senderHref);
    } catch (err) {
      log(`GET conversation ${href} failed: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
    const threadId = str(r, 'threadId');
    if (!threadId || str(r, 'state') === 'Disconnected') return null;
    const conv = await store.findConversationByThread(threadId)
      ?? await store.ensureLiveConversation({ threadId, subject: str(r, 'subject') ?? '', direction: 'Incoming', participants: author ? [author] : [], startedAt: now() });
    const live = makeLive(conv.id, threadId);
    if (live.convHref && live.convHref !== href) livesByHref.delete(live.convHref);
    attachHref(live, href);
    unknownSenders.delete(href);
    return live;
  }

  function setTyping(live: Live, typing: Person[]): void {
    live.typing = typing;
    emit('typing', { conversationId: live.conversationId, participants: [...typing] });
    emitLive(live);
  }

  async function onParticipantEvent(ev: UcwaEvent): Promise<void> {
    if (ev.inRel !== 'typingParticipants') return;
    const live = liveForSender(ev);
    if (!live) return;
    const sip = R.sipFromHref(ev.href) ?? str(ev.resource, 'uri');
    if (!sip) return;
    const person = R.personFromSip(sip, ev.title ?? str(ev.resource, 'name'));
    if (person.sip === me?.sip) return;
    const others = live.typing.filter((p) => p.sip !== person.sip);
    setTyping(live, ev.phase === 'start' ? [...others, person] : others);
  }

  // --- outbox delivery ----------------------------------------------------------------------
  async function markSent(clientId: string, at: number | null, threadId: string | null): Promise<void> {
    try {
      outboxCache.delete(clientId);
      await store.setOutboxState(clientId, 'sent', { sentAt: at ?? now(), threadId });
    } catch (err) {
      log(`outbox ${clientId}: ${String(err)}`);
    }
  }

  async function failItem(clientId: string, error: string): Promise<void> {
    try {
      await store.setOutboxState(clientId, 'failed', { error });
    } catch (err) {
      log(`outbox ${clientId}: ${String(err)}`);
    }
  }

  async function itemOf(clientId: string): Promise<OutboxItem | null> {
    const cached = outboxCache.get(clientId);
    if (cached) return cached;
    return null;
  }

  async function deliver(live: Live, clientId: string): Promise<void> {
    const item = await itemOf(clientId);
    if (!item || !client || !live.sendHref) {
      live.actor.send({ type: 'SEND_FAILED', clientId, retry: !!item });
      return;
    }
    const operationId = newOperationId();
    opToClient.set(operationId, clientId);
    try {
      await store.setOutboxState(clientId, 'sending');
      const loc = await R.sendMessage(client, live.sendHref, { text: item.text, html: live.html ? item.html : null, operationId });
      if (loc) hrefToClient.set(loc, clientId);
      const early = (loc ? earlyCompletions.get(loc) : undefined) ?? earlyCompletions.get(operationId);
      if (early) {
        if (loc) earlyCompletions.delete(loc);
        earlyCompletions.delete(operationId);
        if (early.ok) await markSent(clientId, early.at, live.threadId);
        else await failItem(clientId, 'The message was not delivered.');
      }
      live.actor.send({ type: 'SENT', clientId });
    } catch (err) {
      const retry = isTransient(err) || isApplicationGone(err) || (err instanceof UcwaError && err.status === 401);
      if (retry) {
        await store.setOutboxState(clientId, 'queued').catch(() => undefined);
        live.actor.send({ type: 'SEND_FAILED', clientId, retry: true });
        if (isApplicationGone(err)) session.send({ type: 'APPLICATION_GONE' });
      } else {
        outboxCache.delete(clientId);
        await failItem(clientId, toAppError(err).message);
        live.actor.send({ type: 'SEND_FAILED', clientId, retry: false });
      }
    }
  }

  function isOnline(): boolean {
    return sessionStatusOf(session.getSnapshot().value) === 'online';
  }

  /** Bring a conversation's queued messages on their way (accept, continue or start as needed). */
  const connecting = new Map<number, Promise<void>>();
  function connectConversation(conversationId: number): Promise<void> {
    const running = connecting.get(conversationId);
    if (running) return running;
    const p = doConnect(conversationId).finally(() => connecting.delete(conversationId));
    connecting.set(conversationId, p);
    return p;
  }

  async function doConnect(conversationId: number): Promise<void> {
    if (!isOnline()) return; // resumed after sign-in
    const live = lives.get(conversationId);
    if (live) {
      const conn = connectionOf(live.actor.getSnapshot().value);
      if (conn === 'connected' || conn === 'connecting') return;
      const inv = live.invitation;
      if (inv && inv.direction === 'Incoming' && inv.info.state === 'ringing') return acceptLive(live);
      if (inv && (inv.info.state === 'requesting' || inv.info.state === 'connecting' || inv.info.state === 'accepting')) return;
    }
    const pending = await store.pendingOutbox(conversationId);
    const first = pending[0];
    if (!first) return;
    for (const it of pending) outboxCache.set(it.clientId, it);
    await continueOrStart(conversationId, first).catch((err: unknown) => {
      log(`connect ${conversationId}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** continueMessaging (past conversation) or startMessaging, the first queued message travelling with it. */
  async function continueOrStart(conversationId: number, first: OutboxItem): Promise<void> {
    const c = requireClient();
    const conv = await store.getConversation(conversationId);
    if (!conv) throw new AppError({ code: 'notFound', message: 'This conversation does not exist.' });
    const logLinks = sync.logLinks.get(conversationId);
    const live = makeLive(conversationId, conv.threadId);
    live.actor.send({ type: 'DROP', clientId: first.clientId });
    live.actor.send({ type: 'CONNECTING' });
    const settle = new Promise<void>((resolve, reject) => {
      pendingSettle = { resolve, reject };
    });
    settle.catch(() => undefined); // the caller may have gone (reused / failed synchronously)
    const done = pendingSettle as { resolve: () => void; reject: (e: AppError) => void };
    const rec = newInvitation(live, {
      href: null, operationId: newOperationId(), direction: 'Outgoing', acceptHref: null, declineHref: null, cancelHref: null,
      carriesClientId: first.clientId,
      info: { conversationId, direction: 'Outgoing', from: me, text: first.text, subject: conv.subject, unsupported: false, error: null },
      settle: (ok, err) => (ok ? done.resolve() : done.reject(err ?? new AppError({ code: 'invitationFailed', message: 'The invitation failed.' }))),
    });
    const opId = rec.operationId as string;
    await store.setOutboxState(first.clientId, 'sending');
    // Other queued items go through sendMessage once connected, in order.
    const rest = (await store.pendingOutbox(conversationId)).filter((i) => i.clientId !== first.clientId && i.state !== 'failed');
    for (const it of rest) {
      outboxCache.set(it.clientId, it);
      live.actor.send({ type: 'ENQUEUE', clientId: it.clientId });
    }
    try {
      if (logLinks?.continueHref) {
        await postContinue(c, logLinks.continueHref, first.text, opId);
      } else {
        const to = conv.participants[0]?.sip;
        const startHref = link(app?.communication, 'startMessaging');
        if (!to || !startHref) throw new AppError({ code: 'continueNotAvailable', message: 'This conversation cannot be continued from here.' });
        const res = await R.startMessaging(c, startHref, { to, text: first.text, subject: conv.subject, threadId: conv.threadId ?? undefined, operationId: opId });
        if (res.location && !rec.href) {
          rec.href = res.location;
          invitationsByHref.set(res.location, rec);
        }
      }
    } catch (err) {
      const e = await continueFailure(err, conversationId, conv.threadId, first);
      if (e === 'reused') {
        rec.carriesClientId = null;
        rec.actor.send({ type: 'CANCEL' });
        return;
      }
      rec.carriesClientId = null;
      outboxCache.delete(first.clientId);
      await failItem(first.clientId, e.message);
      for (const it of rest) await failItem(it.clientId, e.message);
      rec.info = { ...rec.info, error: e.toJSON() };
      rec.actor.send({ type: 'FAILURE', reason: { code: e.ucwaCode, subcode: e.subcode, message: e.message } });
      live.actor.send({ type: 'DISCONNECTED' });
      throw e;
    }
    return settle;
  }
  let pendingSettle: { resolve: () => void; reject: (e: AppError) => void } | null = null;

  async function postContinue(c: UcwaClient, href: string, text: string, operationId: string): Promise<void> {
    try {
      await R.continueMessaging(c, href, { text, operationId });
    } catch (err) {
      if (err instanceof UcwaError && err.is(500, 'CallbackChannelError')) {
        // The server lost our event channel: park a fresh P-GET, then retry once.
        channel?.restart();
        await new Promise((r) => setTimeout(r, timing.channelRestartWaitMs));
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

  async function continueFailure(err: unknown, conversationId: number, threadId: string | null, first: OutboxItem): Promise<AppError | 'reused'> {
    if (err instanceof AppError) return err;
    if (err instanceof UcwaError) {
      const base = { status: err.status, ucwaCode: err.code, subcode: err.subcode };
      if (err.is(409, 'AlreadyExists')) {
        // The conversation is still live on the server: send through it if we know it.
        const other = [...lives.values()].find((l) => l.conversationId !== conversationId && threadId && l.threadId === threadId && connectionOf(l.actor.getSnapshot().value) === 'connected');
        const same = lives.get(conversationId);
        const target = other ?? (same && same.sendHref ? same : undefined);
        if (target) {
          await store.setOutboxState(first.clientId, 'queued');
          outboxCache.set(first.clientId, first);
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

  async function acceptLive(live: Live): Promise<void> {
    const inv = live.invitation;
    if (!inv || inv.direction !== 'Incoming') throw new AppError({ code: 'notFound', message: 'There is no invitation to accept.' });
    if (inv.info.unsupported) throw new AppError({ code: 'conferenceNotSupported', message: 'This kind of invitation cannot be joined from this app.' });
    if (inv.info.state !== 'ringing') return;
    if (!inv.acceptHref) throw new AppError({ code: 'server', message: 'The server offered no way to accept this invitation.' });
    inv.actor.send({ type: 'ACCEPT' });
    live.actor.send({ type: 'CONNECTING' });
    try {
      await R.acceptInvitation(requireClient(), inv.acceptHref);
    } catch (err) {
      const e = toAppError(err);
      inv.actor.send({ type: 'ACCEPT_FAILED', reason: { code: e.ucwaCode, subcode: e.subcode, message: e.message } });
      live.actor.send({ type: 'DISCONNECTED' });
      throw e;
    }
  }

  /** Queue every pending item again (after sign-in, after recreation). 'sending' left by a crash included. */
  async function resumeOutbox(): Promise<void> {
    const pending = await store.pendingOutbox();
    const byConv = new Map<number, OutboxItem[]>();
    for (const it of pending) {
      if (it.state === 'failed') continue;
      outboxCache.set(it.clientId, it);
      byConv.set(it.conversationId, [...(byConv.get(it.conversationId) ?? []), it]);
    }
    for (const [conversationId, items] of byConv) {
      const live = lives.get(conversationId);
      if (live && live.sendHref && connectionOf(live.actor.getSnapshot().value) === 'connected') {
        for (const it of items) live.actor.send({ type: 'ENQUEUE', clientId: it.clientId });
        live.actor.send({ type: 'RESUME' });
      } else {
        void connectConversation(conversationId);
      }
    }
  }

  // --- transient state and sync -------------------------------------------------------------
  function dropTransientState(_why: string): void {
    for (const live of lives.values()) {
      live.actor.send({ type: 'DISCONNECTED' });
      live.sendHref = live.typingHref = live.stopHref = null;
      live.convHref = null;
      live.firstText = null;
      live.firstMessageId = null;
      if (live.invitation) {
        const st = live.invitation.info.state;
        if (st === 'ringing' || st === 'accepting') live.invitation.actor.send({ type: 'FAILURE', reason: { message: 'The connection to the server was reset.' } });
        else if (st === 'requesting' || st === 'connecting') live.invitation.actor.send({ type: 'FAILURE', reason: { message: 'The connection to the server was reset.' } });
      }
      if (live.typing.length) setTyping(live, []);
    }
    livesByHref.clear();
    invitationsByHref.clear();
    invitationsByOp.clear();
    hrefToClient.clear();
    opToClient.clear();
    earlyCompletions.clear();
    seenIncoming.clear();
    unknownSenders.clear();
  }

  function syncTarget() {
    if (!client || !app || !me) return null;
    return { client, conversationLogsHref: link(app.communication, 'conversationLogs') ?? null, me };
  }

  function scheduleSync(ms: number): void {
    const run = () => {
      if (isOnline()) void sync.run(syncTarget).catch((err: unknown) => log(`sync: ${String(err)}`));
    };
    if (ms <= 0) run();
    else later(ms, run);
  }

  // --- session actors -----------------------------------------------------------------------
  async function bringUpApplication(): Promise<void> {
    const c = requireClientOnly();
    app = await createApplication(c, applicationsHref, { userAgent: deps.userAgent ?? 'UCWA-Tray/0.1', endpointId: deps.endpointId, culture: deps.culture });
    const info = meInfo(app);
    me = R.personFromSip(info.sip || (request ? normaliseSip(request.sip) : ''), info.name);
    startChannel();
  }

  async function makeAvailable(): Promise<void> {
    const c = requireClientOnly();
    if (!app) throw new AppError({ code: 'internal', message: 'No application.' });
    const mma = link(app.me, 'makeMeAvailable');
    if (mma) {
      try {
        await R.makeMeAvailable(c, mma, { html: deps.html !== false });
      } catch (err) {
        if (err instanceof UcwaError && err.is(500, 'CallbackChannelError')) {
          channel?.restart();
          await new Promise((r) => setTimeout(r, timing.channelRestartWaitMs));
          await R.makeMeAvailable(c, mma, { html: deps.html !== false });
        } else throw err;
      }
    }
    // The links that appear after makeMeAvailable (presence, reportMyActivity) need a fresh GET.
    app = await getApplication(c, app.self);
    availability = 'Online';
    if (chosenAvailability !== 'Online') {
      const presence = link(app.me, 'presence');
      if (presence) await R.setPresence(c, presence, chosenAvailability).catch(() => undefined);
      availability = chosenAvailability;
    }
  }

  function requireClientOnly(): UcwaClient {
    if (!client) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
    return client;
  }

  const wrap = <T>(fn: () => Promise<T>) => fromPromise<T>(async () => {
    try {
      return await fn();
    } catch (err) {
      throw toAppError(err);
    }
  });

  const session = createActor(sessionMachine.provide({
    actors: {
      discover: wrap(async () => {
        if (!request) throw new AppError({ code: 'notSignedIn', message: 'No account.' });
        domain = sipDomain(request.sip);
        userHref = await discover(transport, domain, request.server);
      }),
      authenticate: wrap(async () => {
        if (!creds) throw new AppError({ code: 'notSignedIn', message: 'No account.' });
        const res = await signInToPool(transport, userHref, domain, creds, now);
        applicationsHref = res.applicationsHref;
        client = new UcwaClient({ transport, token: res.token, credentials: creds, poolBase: new URL(res.applicationsHref).origin + '/', now });
        client.hooks = {
          onRenewing: () => session.send({ type: 'RENEWING' }),
          onRenewed: () => session.send({ type: 'RENEWED' }),
        };
      }),
      createApplication: wrap(bringUpApplication),
      makeAvailable: wrap(async () => {
        await makeAvailable();
      }),
      recreateApplication: wrap(async () => {
        channel?.stop();
        dropTransientState('recreate');
        sync.clearLinks();
        await bringUpApplication();
        await makeAvailable();
      }),
      probe: fromPromise<ProbeResult>(async () => {
        try {
          if (!client || !app) throw new AppError({ code: 'notSignedIn', message: 'No session.' });
          await getApplication(client, app.self);
          channel?.resume();
          return 'ok';
        } catch (err) {
          if (isApplicationGone(err)) return 'applicationGone';
          throw toAppError(err);
        }
      }),
      deleteApplication: fromPromise<void>(async () => {
        channel?.stop();
        sync.cancel();
        if (client && app) await deleteApplication(client, app.self, 3000).catch(() => undefined);
      }),
    },
    actions: {
      reportActivity: () => {
        const href = link(app?.me, 'reportMyActivity');
        if (client && href) void R.reportMyActivity(client, href).catch((err: unknown) => {
          if (isApplicationGone(err)) session.send({ type: 'APPLICATION_GONE' });
        });
      },
      goAway: () => {
        const href = link(app?.me, 'presence');
        if (client && href) void R.setPresence(client, href, 'Away').then(() => {
          availability = 'Away';
          emitSession();
        }, () => undefined);
      },
      comeBack: () => {
        const href = link(app?.me, 'presence');
        if (client && href) void R.setPresence(client, href, chosenAvailability).then(() => {
          availability = chosenAvailability;
          emitSession();
        }, () => undefined);
      },
      enterOnline: () => {
        // Re-entered after sign-in, renewal, recreation or reconnection: catch up.
        for (const live of lives.values()) live.actor.send({ type: 'RESUME' });
        const resync = !onlineOnce || needResync;
        onlineOnce = true;
        needResync = false;
        // Entry actions run before the snapshot says 'online', and the sync and the outbox only
        // run online (isOnline()): act once the transition is over. (Without this the sync on
        // sign-in never ran, and callers had to ask for it.)
        queueMicrotask(() => {
          void resumeOutbox().catch((err: unknown) => log(`outbox: ${String(err)}`));
          if (resync) scheduleSync(0);
        });
      },
      stopAll: () => {
        channel?.stop();
        sync.cancel();
      },
    },
  }), { input: { timing: { reportActivityMs: timing.reportActivityMs, awayAfterSec: timing.awayAfterSec, backoffBaseMs: timing.backoffBaseMs, backoffMaxMs: timing.backoffMaxMs }, random: deps.random } });
  let onlineOnce = false;
  let needResync = false;

  let lastSessionJson = '';
  function sessionState(): SessionState {
    const snap = session.getSnapshot();
    const status = sessionStatusOf(snap.value);
    return {
      status,
      user: me,
      availability: status === 'online' || status === 'reauthenticating' ? availability : null,
      error: snap.context.error,
      nextRetryAt: status === 'reconnecting' ? now() + snap.context.retryDelayMs : null,
      demo: !!request?.demo,
    };
  }
  function emitSession(): void {
    const s = sessionState();
    const j = JSON.stringify({ ...s, nextRetryAt: s.nextRetryAt !== null });
    if (j === lastSessionJson) return;
    lastSessionJson = j;
    emit('session', s);
  }
  let prevStatus = 'signedOut';
  session.subscribe((snap) => {
    const status = sessionStatusOf(snap.value);
    if (status === 'recreatingApplication') needResync = true;
    if (status !== prevStatus && (status === 'signedOut' || status === 'error')) {
      dropTransientState('signedOut');
    }
    prevStatus = status;
    emitSession();
  });
  session.start();

  function waitForSettled(): Promise<SessionState> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = sessionState();
        if (s.status === 'online') {
          sub.unsubscribe();
          resolve(s);
        } else if (s.status === 'error' || s.status === 'signedOut') {
          sub.unsubscribe();
          reject(new AppError(s.error ?? { code: 'notSignedIn', message: 'Signed out.' }));
        }
      };
      const sub = session.subscribe(() => queueMicrotask(check));
    });
  }

  async function conversationOrThrow(conversationId: number) {
    const c = await store.getConversation(conversationId);
    if (!c) throw new AppError({ code: 'notFound', message: 'This conversation does not exist.' });
    return c;
  }

  function checkText(text: string): void {
    if (typeof text !== 'string' || text.trim().length === 0) throw new AppError({ code: 'invalidInput', message: 'The message is empty.' });
    if (text.length > 100_000) throw new AppError({ code: 'invalidInput', message: 'The message is too long.' });
  }

  async function enqueue(conversationId: number, text: string, html?: string): Promise<OutboxItem> {
    checkText(text);
    if (!me) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
    const item = await store.enqueueOutbox({ conversationId, text, html: html ?? null, author: me });
    outboxCache.set(item.clientId, item);
    return item;
  }

  const service: MessengerService = {
    async signIn(req) {
      if (closed) throw new AppError({ code: 'internal', message: 'The service is closed.' });
      const st = sessionStatusOf(session.getSnapshot().value);
      if (st !== 'signedOut' && st !== 'error') {
        session.send({ type: 'SIGN_OUT' });
        await waitForStatus(['signedOut']);
      }
      request = req;
      creds = { username: normaliseSip(req.sip).slice(4), password: req.password };
      onlineOnce = false;
      const settled = waitForSettled();
      session.send({ type: 'SIGN_IN' });
      const s = await settled;
      if (req.remember && deps.secrets) {
        await deps.secrets.setPassword(normaliseSip(req.sip), req.password).catch((err: unknown) => log(`keychain: ${String(err)}`));
      }
      return s;
    },
    async signInRemembered(sip, opts) {
      if (!deps.secrets) return null;
      const accounts = await deps.secrets.accounts().catch(() => [] as string[]);
      const account = sip ? normaliseSip(sip) : accounts[0];
      if (!account) return null;
      const password = await deps.secrets.getPassword(account).catch((err: unknown) => {
        log(`keychain: ${String(err)}`);
        return null;
      });
      if (!password) return null;
      // The server the user typed is not a secret and is not in the keychain: reuse the last one.
      const last = request && normaliseSip(request.sip) === account ? request : null;
      return service.signIn({ sip: account, password, server: opts?.server ?? last?.server, demo: opts?.server ? undefined : last?.demo });
    },
    async signOut(opts) {
      const st = sessionStatusOf(session.getSnapshot().value);
      if (st !== 'signedOut') {
        session.send({ type: 'SIGN_OUT' });
        await waitForStatus(['signedOut']);
      }
      if (opts?.forget && deps.secrets && request) await deps.secrets.deletePassword(normaliseSip(request.sip)).catch(() => undefined);
      client = null;
      app = null;
    },
    state: () => sessionState(),
    async setAvailability(a) {
      chosenAvailability = a;
      const href = link(app?.me, 'presence');
      if (!client || !href) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
      try {
        await R.setPresence(client, href, a);
      } catch (err) {
        throw toAppError(err);
      }
      availability = a;
      emitSession();
    },
    reportIdle(idleSeconds, locked = false) {
      session.send({ type: 'IDLE', idleSec: Math.max(0, idleSeconds), locked });
    },
    nudge() {
      session.send({ type: 'NUDGE' });
    },
    async searchPeople(query, limit = 20) {
      const href = link(app?.people, 'search');
      if (client && href && query.trim()) {
        try {
          const people = await R.searchPeople(client, href, query, limit);
          await store.upsertContacts(people);
          return people;
        } catch (err) {
          log(`search: ${String(err)}`);
        }
      }
      return store.listContacts(query, limit);
    },
    async startConversation(to, text) {
      checkText(text);
      if (!me) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
      let sip: string;
      try {
        sipDomain(to);
        sip = normaliseSip(to);
      } catch {
        throw new AppError({ code: 'invalidInput', message: `"${to}" is not a SIP address like alice@contoso.com.` });
      }
      // Our own threadId (startMessaging accepts one): the conversation exists locally at once.
      const threadId = newOperationId();
      const conv = await store.ensureLiveConversation({ threadId, subject: '', direction: 'Outgoing', participants: [R.personFromSip(sip)], startedAt: now() });
      const item = await enqueue(conv.id, text);
      void connectConversation(conv.id);
      return { conversationId: conv.id, clientId: item.clientId } as { conversationId: number };
    },
    async continueConversation(conversationId, text) {
      await conversationOrThrow(conversationId);
      const live = lives.get(conversationId);
      if (live && connectionOf(live.actor.getSnapshot().value) !== 'disconnected') {
        await service.send(conversationId, text);
        return { conversationId };
      }
      const item = await enqueue(conversationId, text);
      if (!isOnline()) return { conversationId };
      const pending = (await store.pendingOutbox(conversationId)).filter((i) => i.state !== 'failed');
      const first = pending[0] ?? item;
      for (const it of pending) outboxCache.set(it.clientId, it);
      let p = connecting.get(conversationId);
      if (!p) {
        p = continueOrStart(conversationId, first).finally(() => connecting.delete(conversationId));
        connecting.set(conversationId, p);
      }
      await p;
      return { conversationId };
    },
    async send(conversationId, text, opts) {
      await conversationOrThrow(conversationId);
      const item = await enqueue(conversationId, text, opts?.html);
      const live = lives.get(conversationId);
      // In 'disconnected' the machine's ENQUEUE asks for a connection (accept / continue / start).
      if (live) live.actor.send({ type: 'ENQUEUE', clientId: item.clientId });
      else void connectConversation(conversationId);
      return item;
    },
    async accept(conversationId) {
      const live = lives.get(conversationId);
      if (!live) throw new AppError({ code: 'notFound', message: 'There is no invitation to accept.' });
      await acceptLive(live);
    },
    async decline(conversationId) {
      const live = lives.get(conversationId);
      const inv = live?.invitation;
      if (!live || !inv || inv.direction !== 'Incoming' || inv.info.state !== 'ringing') throw new AppError({ code: 'notFound', message: 'There is no invitation to decline.' });
      inv.actor.send({ type: 'DECLINE' });
      if (inv.declineHref && client) await R.declineInvitation(client, inv.declineHref).catch((err: unknown) => log(`decline: ${String(err)}`));
    },
    typing(conversationId) {
      const live = lives.get(conversationId);
      if (!live || !live.typingHref || !client) return;
      const t = now();
      if (t - live.lastTypingPost < timing.typingThrottleMs) return;
      live.lastTypingPost = t;
      void R.setIsTyping(client, live.typingHref).catch(() => undefined);
    },
    async hangUp(conversationId) {
      const live = lives.get(conversationId);
      if (!live) return;
      const inv = live.invitation;
      if (inv && inv.direction === 'Outgoing' && (inv.info.state === 'requesting' || inv.info.state === 'connecting')) {
        inv.actor.send({ type: 'CANCEL' });
        if (inv.cancelHref && client) await R.cancelInvitation(client, inv.cancelHref).catch(() => undefined);
      }
      if (live.stopHref && client) await R.stopMessaging(client, live.stopHref).catch((err: unknown) => log(`stop: ${String(err)}`));
      live.actor.send({ type: 'DISCONNECTED' });
    },
    liveState(conversationId) {
      const live = lives.get(conversationId);
      return live ? liveState(live) : null;
    },
    listConversations: (q) => store.listConversations(q),
    getConversation: (id) => store.getConversation(id),
    listMessages: (id, q) => store.listMessages(id, q),
    messagesAround: (id) => store.messagesAround(id),
    search: (text, limit) => store.search(text, { limit }),
    async markRead(conversationId) {
      await store.markRead(conversationId);
      const href = sync.logLinks.get(conversationId)?.markAsReadHref;
      if (client && href) await R.markAsRead(client, href).catch((err: unknown) => log(`markAsRead: ${String(err)}`));
    },
    unreadSummary: (limit) => store.unreadSummary(limit),
    async syncNow() {
      if (!isOnline()) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
      await sync.run(syncTarget);
    },
    syncProgress: (): SyncProgress => ({ ...sync.progress }),
    async retryOutbox(clientId) {
      const pending = await store.pendingOutbox();
      const it = pending.find((i) => i.clientId === clientId);
      if (!it) throw new AppError({ code: 'notFound', message: 'This message is no longer waiting to be sent.' });
      const item = await store.setOutboxState(clientId, 'queued');
      outboxCache.set(clientId, item);
      const live = lives.get(item.conversationId);
      if (live && connectionOf(live.actor.getSnapshot().value) === 'connected') {
        live.actor.send({ type: 'ENQUEUE', clientId });
        live.actor.send({ type: 'RESUME' });
      } else void connectConversation(item.conversationId);
      return item;
    },
    async discardOutbox(clientId) {
      outboxCache.delete(clientId);
      await store.discardOutbox(clientId);
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
    async close() {
      if (closed) return;
      await service.signOut().catch(() => undefined);
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const live of lives.values()) live.actor.stop();
      session.stop();
      await store.close();
    },
  };

  function waitForStatus(statuses: string[]): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (statuses.includes(sessionStatusOf(session.getSnapshot().value))) {
          sub.unsubscribe();
          resolve();
        }
      };
      const sub = session.subscribe(() => queueMicrotask(check));
      check();
    });
  }

  void lastLive;
  lastLive = new Map();
  return Object.assign(service, {
    /** Test/bench hooks (not part of MessengerService). */
    _internals: {
      processBatch,
      liveHrefs: () => [...livesByHref.keys()],
      liveHref: (conversationId: number) => lives.get(conversationId)?.convHref ?? null,
      channel: () => channel,
      client: () => client,
      sync,
    },
  });
}

export { NetworkError };
