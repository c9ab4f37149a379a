// createMessengerService: the one object the shell, the CLI and the tests talk to. It wires the
// UCWA client (ucwa/), the machines (machines/) and the Store: UCWA events → machines → store →
// change events. Every user action that sends text goes through the outbox first (persisted
// before any network call), so a crash or an outage never loses what the user typed.
//
// This file is the composition and the public API; the parts share one context (context.ts):
//   sessionLifecycle.ts    sign-in, application, makeMeAvailable, activity, reconnect, sync timing
//   eventDispatch.ts       event batches, dispatch by rel; conversation / messaging / typing events
//   messageEvents.ts       'message' events: outgoing completions, incoming messages stored once
//   invitations.ts         incoming / outgoing invitation actors and their events
//   liveConversations.ts   live records, typing, 'live' state
//   outboxDelivery.ts      enqueue, deliver in order, sent / failed, resume, retry / discard
//   continueConversation.ts continueMessaging / startMessaging and the seed's error outcomes
//   storeChanges.ts, events.ts  store changes → service events, with coalescing
import { AppError, type MessengerService, type SyncProgress } from './types.ts';
import type { MessengerDeps } from './deps.ts';
import { createContext } from './context.ts';
import { processBatch } from './eventDispatch.ts';
import { acceptLive, declineInvitation } from './invitations.ts';
import { hangUp, liveState, postTyping } from './liveConversations.ts';
import { discardOutbox, retryOutbox, send } from './outboxDelivery.ts';
import { continueConversation, startConversation } from './continueConversation.ts';
import {
  isOnline, sessionState, setAvailability, signIn, signInRemembered, signOut, startSession, syncTarget,
} from './sessionLifecycle.ts';
import { forwardStoreChanges } from './storeChanges.ts';
import { NetworkError } from '../ucwa/errors.ts';
import { link } from '../ucwa/links.ts';
import * as R from '../ucwa/resources.ts';

export type { MessengerDeps } from './deps.ts';

export function createMessengerService(deps: MessengerDeps): MessengerService {
  const ctx = createContext(deps);
  const { store, sync, log } = ctx;
  forwardStoreChanges(ctx);
  const session = startSession(ctx);

  const service: MessengerService = {
    signIn: (req) => signIn(ctx, req),
    signInRemembered: (sip, opts) => signInRemembered(ctx, sip, opts),
    signOut: (opts) => signOut(ctx, opts),
    state: () => sessionState(ctx),
    setAvailability: (a) => setAvailability(ctx, a),
    reportIdle(idleSeconds, locked = false, awayAfterSec) {
      session.send({ type: 'IDLE', idleSec: Math.max(0, idleSeconds), locked, ...(awayAfterSec !== undefined ? { awayAfterSec } : {}) });
    },
    nudge() {
      session.send({ type: 'NUDGE' });
    },
    async searchPeople(query, limit = 20) {
      const href = link(ctx.app?.people, 'search');
      if (ctx.client && href && query.trim()) {
        try {
          const people = await R.searchPeople(ctx.client, href, query, limit);
          await store.upsertContacts(people);
          return people;
        } catch (err) {
          log(`search: ${String(err)}`);
        }
      }
      // Offline, or the directory failed: the people this account has met.
      return store.listContacts(query, limit);
    },
    startConversation: (to, text) => startConversation(ctx, to, text),
    continueConversation: (conversationId, text) => continueConversation(ctx, conversationId, text),
    send: (conversationId, text, opts) => send(ctx, conversationId, text, opts?.html),
    async accept(conversationId) {
      const live = ctx.lives.get(conversationId);
      if (!live) throw new AppError({ code: 'notFound', message: 'There is no invitation to accept.' });
      await acceptLive(ctx, live);
    },
    decline: (conversationId) => declineInvitation(ctx, conversationId),
    typing: (conversationId) => postTyping(ctx, conversationId),
    hangUp: (conversationId) => hangUp(ctx, conversationId),
    liveState(conversationId) {
      const live = ctx.lives.get(conversationId);
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
      if (ctx.client && href) await R.markAsRead(ctx.client, href).catch((err: unknown) => log(`markAsRead: ${String(err)}`));
    },
    unreadSummary: (limit) => store.unreadSummary(limit),
    async syncNow() {
      if (!isOnline(ctx)) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
      await sync.run(() => syncTarget(ctx));
    },
    syncProgress: (): SyncProgress => ({ ...sync.progress }),
    retryOutbox: (clientId) => retryOutbox(ctx, clientId),
    discardOutbox: (clientId) => discardOutbox(ctx, clientId),
    on: (event, listener) => ctx.events.on(event, listener),
    async close() {
      if (ctx.closed) return;
      await signOut(ctx).catch(() => undefined);
      ctx.closed = true;
      for (const t of ctx.timers) clearTimeout(t);
      ctx.timers.clear();
      for (const live of ctx.lives.values()) live.actor.stop();
      session.stop();
      await store.close();
    },
  };

  return Object.assign(service, {
    /** Test/bench hooks (not part of MessengerService). */
    _internals: {
      processBatch: (batch: Parameters<typeof processBatch>[1]) => processBatch(ctx, batch),
      liveHrefs: () => [...ctx.livesByHref.keys()],
      liveHref: (conversationId: number) => ctx.lives.get(conversationId)?.convHref ?? null,
      channel: () => ctx.channel,
      client: () => ctx.client,
      sync,
    },
  });
}

export { NetworkError };
