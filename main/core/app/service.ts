// createMessengerService: the one object the shell, the CLI and the tests talk to — the façade
// and the composition root of the core's pipeline (DESIGN-2 §1), top to bottom:
//   router.ts       UCWA events → the layers below; de-duplication of incoming events
//   outbox.ts       the durable job queue: every outgoing message's state, one owner
//   connector.ts    continue / start / accept / reuse; the seed's error table → an outcome value
//   invitations.ts  invitation actors
//   groups.ts       group conversations: meetings, their IM, the roster, Add people, Leave
//   lives.ts        live conversations: messaging links, connection, typing
//   people.ts       contact list, presence subscriptions, contacts' and your own status
//   session.ts      client, application, event channel, retries; history sync
// Nothing imports upward: what flows up is a port handed in here at construction. Every user
// action that sends text goes through the outbox first (persisted before any network call).
import { AppError, type AnyServiceEventName, type AnyServiceEvents, type FullMessengerService, type SyncProgress } from './types.ts';
import type { MessengerDeps } from './deps.ts';
import { defaultTiming } from './deps.ts';
import { ServiceEmitter } from './events.ts';
import { Session, type ResetReason } from './session.ts';
import { Lives } from './lives.ts';
import { Invitations } from './invitations.ts';
import { Groups } from './groups.ts';
import { meetingUriCandidates } from '../ucwa/conference.ts';
import { Connector } from './connector.ts';
import { checkText, Outbox, type Sending } from './outbox.ts';
import { Router } from './router.ts';
import { createTransport } from '../ucwa/transport.ts';
import { NetworkError } from '../ucwa/errors.ts';
import { normaliseSip, sipDomain } from '../ucwa/hypermedia.ts';
import { newOperationId } from '../ucwa/operationId.ts';
import * as R from '../ucwa/resources.ts';
import type { Conversation, Person } from '../store/types.ts';
import { describeError } from '../logSafe.ts';
import { Reading } from './reading.ts';
import { People } from './people.ts';

export type { MessengerDeps } from './deps.ts';
export type { Sending } from './outbox.ts';

export function createMessengerService(deps: MessengerDeps): FullMessengerService {
  const timing = { ...defaultTiming, ...deps.timing };
  const log = deps.log ?? (() => undefined);
  const now = deps.clock ?? Date.now;
  const { store } = deps;
  const events = new ServiceEmitter(log);
  const transport = createTransport({ fetch: deps.fetch, log, defaultTimeoutMs: timing.requestTimeoutMs });

  // conversation → chat, from the store's change events (and looked up for a conversation a window
  // reads): Reading asks synchronously, in the middle of storing an event batch.
  const chatOf = new Map<number, number>();
  const reading = new Reading((id) => chatOf.get(id));
  const isReading = (id: number) => reading.isReading(id);
  // Late-bound: the layers are made bottom-up, and the ports of the lower ones call the upper ones.
  let router: Router | null = null;
  let outbox: Outbox | null = null;
  let invitations: Invitations | null = null;
  let lives: Lives | null = null;
  let groups: Groups | null = null;
  let people: People | null = null;
  const resetLive = (reason: ResetReason) => {
    people?.onReset(reason);
    router?.reset();
    invitations?.dropTransient();
    groups?.dropTransient();
    lives?.dropTransient();
    if (reason === 'signedOut') outbox?.stop();
    else outbox?.onReset();
  };
  const session = new Session({
    deps, timing, now, log, store, transport, events,
    ports: {
      onBatch: (b) => router?.processBatch(b) ?? Promise.resolve(),
      onReset: resetLive,
      onOnline: () => {
        people?.onOnline();
        void outbox?.resume().catch((err: unknown) => log(`outbox: ${describeError(err)}`));
      },
    },
  });
  people = new People({
    session, store, log, timing,
    onMyStatus: (status) => events.emit('myStatus', status),
    ...(deps.photoDir ? { photoDir: deps.photoDir, prefetchPhotos: deps.prefetchPhotos !== false } : {}),
  });
  const pp = people;
  lives = new Lives({ session, events, now, typingThrottleMs: timing.typingThrottleMs, log, onConnected: (id) => outbox?.kick(id) });
  groups = new Groups({
    session, lives, now, log, timeoutMs: timing.invitationTimeoutMs,
    // Who joined a group takes part in its conversation: its chat is theirs too (never shrinks as they leave).
    onJoined: (id, people) => void store.addConversationParticipants(id, people).catch((err: unknown) => log(`group participants: ${describeError(err)}`)),
  });
  invitations = new Invitations({ session, lives, groups, store, events, now, invitationTimeoutMs: timing.invitationTimeoutMs, log, isReading, onIncoming: (id) => outbox?.kick(id) });
  const connector = new Connector({ session, lives, invitations, groups, store, readyTimeoutMs: timing.invitationTimeoutMs, lostAnswerWaitMs: timing.requestTimeoutMs, log });
  outbox = new Outbox({ store, session, lives, connector, backoffBaseMs: timing.backoffBaseMs, backoffMaxMs: timing.backoffMaxMs, requestTimeoutMs: timing.requestTimeoutMs, random: deps.random ?? Math.random, now, log });
  router = new Router({ session, lives, invitations, groups, outbox, store, events, now, syncAfterConversationEndMs: timing.syncAfterConversationEndMs, log, isReading, people: pp });
  const ob = outbox, lv = lives, inv = invitations, rt = router, gr = groups;

  // Store changes become service events (one direction of data: store → change events → UI).
  const offStore = store.onChange((change) => {
    if (change.kind === 'conversation') {
      chatOf.set(change.conversation.id, change.conversation.chatId);
      events.conversation(change.conversation);
    } else if (change.kind === 'chat') events.chat(change.chat);
    else if (change.kind === 'chatRemoved') events.emit('chatRemoved', { chatId: change.chatId });
    else if (change.kind === 'message') events.emit('message', change.message);
    else if (change.kind === 'delivery') events.emit('delivery', change.item);
    else if (change.kind === 'messageRemoved') events.emit('messageRemoved', { conversationId: change.conversationId, messageId: change.messageId });
    else if (change.kind === 'unread') events.unread(change.summary);
    else if (change.kind === 'person') events.emit('person', change.person);
    else if (change.kind === 'contactList') events.emit('contactList', { groups: change.groups });
    else if (change.kind === 'reset') {
      // The store started over with an empty database: every conversation id held is gone.
      log(`store reset (${change.reason}): dropping live state, resyncing`);
      ob.forgetAll();
      inv.forgetAll();
      gr.forgetAll();
      lv.forgetAll();
      session.sync.clearLinks();
      if (session.isOnline()) {
        session.scheduleSync(0);
        pp.contacts.changed();
        void ob.resume().catch((err: unknown) => log(`outbox: ${describeError(err)}`));
      }
    }
  });

  // The people of the conversations in front of the user — connected, or open in a window — are
  // watched (presence subscribed) while they are; recomputed when either changes.
  let watchingConversations = Promise.resolve();
  const watchConversations = () => {
    watchingConversations = watchingConversations.then(async () => {
      const ids = new Set([...lv.connected(), ...reading.conversationIds()]);
      const sips = new Set<string>();
      for (const id of ids) {
        const c = await store.getConversation(id).catch(() => null);
        for (const p of c?.participants ?? []) if (p.sip !== session.me?.sip) sips.add(p.sip);
      }
      pp.presence.setGroup('conversations', sips);
    }).catch((err: unknown) => log(`presence: ${describeError(err)}`));
  };
  const offLive = events.on('live', watchConversations);

  async function conversationOrThrow(conversationId: number): Promise<Conversation> {
    const c = await store.getConversation(conversationId);
    if (!c) throw new AppError({ code: 'notFound', message: 'This conversation does not exist.' });
    return c;
  }

  /** A SIP address the user typed or picked, as the person they picked (their name, not the bare address). */
  async function personOf(to: string): Promise<Person> {
    let sip: string;
    try {
      sipDomain(to);
      sip = normaliseSip(to);
    } catch {
      throw new AppError({ code: 'invalidInput', message: `"${to}" is not a SIP address like alice@contoso.com.` });
    }
    const known = (await store.listContacts(sip, 5).catch(() => [])).find((p) => p.sip === sip);
    return known && known.name.trim() ? known : R.personFromSip(sip);
  }

  /** The others of a group the user named: distinct, never the user. */
  async function othersOf(to: string[]): Promise<Person[]> {
    const out: Person[] = [];
    for (const t of to) {
      const p = await personOf(t);
      if (p.sip !== session.me?.sip && !out.some((o) => o.sip === p.sip)) out.push(p);
    }
    return out;
  }

  function liveOrThrow(conversationId: number) {
    const live = lv.get(conversationId);
    if (!live || (live.connection !== 'connected' && !live.group)) throw new AppError({ code: 'notFound', message: 'This conversation is not live now.' });
    return live;
  }

  async function send(conversationId: number, text: string, html?: string): Promise<Sending> {
    checkText(text);
    await conversationOrThrow(conversationId);
    return ob.enqueue(conversationId, text, html ?? null);
  }

  let closed = false;
  const service: FullMessengerService = {
    signIn: (req) => session.signIn(req),
    signInRemembered: (sip, opts) => session.signInRemembered(sip, opts),
    signOut: (opts) => session.signOut(opts),
    state: () => session.state(),
    setAvailability: (a) => session.setAvailability(a),
    reportIdle(idleSeconds, locked = false, awayAfterSec) {
      session.reportIdle(idleSeconds, locked, awayAfterSec);
    },
    nudge() {
      session.nudge();
    },
    async searchPeople(query, limit = 20) {
      if (query.trim()) {
        try {
          const found = await pp.search(query, limit);
          if (found) {
            await store.upsertContacts(found);
            return found;
          }
        } catch (err) {
          // Never the error's message: it may quote the search term (logSafe.ts).
          log(`people search failed, answering from the local contacts: ${describeError(err)}`);
        }
      }
      // Offline, or the directory failed: the people this account has met.
      return store.listContacts(query, limit);
    },
    async startConversation(to, text) {
      checkText(text);
      if (!session.me) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
      // Our own threadId (startMessaging accepts one): the conversation exists locally at once.
      const person = await personOf(to);
      const conv = await store.ensureLiveConversation({ threadId: newOperationId(), subject: '', direction: 'Outgoing', participants: [person], startedAt: now() });
      return ob.enqueue(conv.id, text, null);
    },
    // The core decides continue, start, reuse or accept: continuing is sending.
    continueConversation: (conversationId, text) => send(conversationId, text),
    send: (conversationId, text, opts) => send(conversationId, text, opts?.html),
    delivery: (clientId) => ob.delivered(clientId),
    accept: (conversationId) => inv.accept(conversationId),
    decline: (conversationId) => inv.decline(conversationId),
    typing: (conversationId) => lv.postTyping(conversationId),
    async hangUp(conversationId) {
      await inv.cancel(conversationId);
      // A group's IM stopped alone would be joined again (it drops on escalation too): ending is leaving.
      const live = lv.get(conversationId);
      if (live && gr.isGroup(conversationId)) await gr.leave(live);
      else await lv.stop(conversationId);
    },
    async startGroup(to, text, opts) {
      checkText(text);
      if (!session.me) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
      const others = await othersOf(to);
      if (others.length < 2) throw new AppError({ code: 'invalidInput', message: 'A group needs at least two other people.' });
      const subject = R.clipLine((opts?.subject ?? '').trim(), 250);
      // The text is in the outbox before anything goes out; the connector starts the meeting, joins
      // its IM and invites the others (a past group with no log is restarted the same way).
      const conv = await store.ensureLiveConversation({ threadId: newOperationId(), subject, direction: 'Outgoing', participants: others, startedAt: now() });
      return ob.enqueue(conv.id, text, null);
    },
    async addParticipants(conversationId, sips) {
      const live = liveOrThrow(conversationId);
      const people = await othersOf(sips);
      if (!people.length) throw new AppError({ code: 'invalidInput', message: 'Nobody to add.' });
      await gr.addParticipants(live, people);
    },
    async leave(conversationId) {
      const live = liveOrThrow(conversationId);
      await inv.cancel(conversationId);
      await gr.leave(live);
    },
    async joinMeeting(urlOrUri) {
      if (!session.me) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
      const uris = meetingUriCandidates(urlOrUri, sipDomain(session.me.sip));
      if (!uris.length) throw new AppError({ code: 'invalidInput', message: 'That is not a meeting link (https://meet.…/name/ID) or a conference address.' });
      const conv = await store.ensureLiveConversation({ threadId: newOperationId(), subject: '', direction: 'Outgoing', participants: [], startedAt: now() });
      const live = lv.ensure(conv.id, conv.threadId);
      await gr.join(live, uris);
      if (!(await gr.waitConnected(conv.id, timing.invitationTimeoutMs * 2))) {
        const e = live.group?.error;
        throw new AppError(e ? { code: e.code, message: e.message } : { code: 'network', message: 'Joining the meeting did not finish in time.' });
      }
      return { conversationId: conv.id };
    },
    liveState: (conversationId) => lv.state(conversationId),
    connectedConversations: () => lv.connected(),
    listConversations: (q) => store.listConversations(q),
    getConversation: (id) => store.getConversation(id),
    listChats: (q) => store.listChats(q),
    getChat: (id) => store.getChat(id),
    chatConversationIds: (id) => store.chatConversationIds(id),
    listChatMessages: (id, q) => store.listChatMessages(id, q),
    firstUnreadMessage: (id) => store.firstUnreadMessage(id),
    listMessages: (id, q) => store.listMessages(id, q),
    messagesAround: (id) => store.messagesAround(id),
    // Newest first unless asked: in a messenger one looks for what was said lately.
    search: (text, limit) => store.search(text, { limit, sort: 'newest' }),
    searchMessages: (text, query) => store.searchPage(text, { ...query, sort: query?.sort ?? 'newest' }),
    async markRead(conversationId) {
      // Reading a conversation is reading its chat: every conversation with these people.
      const conv = await store.getConversation(conversationId);
      const ids = conv ? await store.markChatRead(conv.chatId) : [];
      const client = session.client;
      for (const id of ids) {
        const href = session.sync.logLinks.get(id)?.markAsReadHref;
        if (client && href) await R.markAsRead(client, href).catch((err: unknown) => log(`markAsRead: ${describeError(err)}`));
      }
    },
    async markAllRead() {
      const ids = await store.markAllRead();
      // Tell the server too, one log at a time in the background: the local read is what counts now.
      const client = session.client;
      if (!client) return;
      void (async () => {
        for (const id of ids) {
          const href = session.sync.logLinks.get(id)?.markAsReadHref;
          if (href) await R.markAsRead(client, href).catch((err: unknown) => log(`markAsRead: ${describeError(err)}`));
        }
      })();
    },
    unreadSummary: (limit) => store.unreadSummary(limit),
    setReading(window, conversationId) {
      reading.set(window, conversationId);
      watchConversations();
      if (conversationId !== null && !chatOf.has(conversationId)) {
        void store.getConversation(conversationId).then((c) => { if (c) chatOf.set(c.id, c.chatId); }, () => undefined);
      }
    },
    isReading,
    syncNow: () => session.syncNow(),
    syncProgress: (): SyncProgress => ({ ...session.sync.progress }),
    retryOutbox: (clientId) => ob.retry(clientId),
    discardOutbox: (clientId) => ob.discard(clientId),
    // --- people (issue 13) ---
    contactList: () => pp.contactList(),
    refreshContacts: () => pp.refreshContacts(),
    person: (sip) => pp.person(sip),
    findPeople: (query, opts) => store.findPeople(query, opts),
    watchPeople: (sips, reason) => pp.watch(sips, reason),
    setNote: (text) => pp.me.setNote(text),
    setLocation: (text) => pp.me.setLocation(text),
    myStatus: () => (session.client && session.app ? pp.me.read() : Promise.resolve(pp.me.current)),
    async resetAvailability() {
      // UCWA has no "automatic" to set: Available is it, with idle decay (Away after the threshold)
      // applying again — the session lets only a chosen Available decay.
      await session.setAvailability('Online');
    },
    setGroupCollapsed: (groupId, collapsed) => store.setGroupCollapsed(groupId, collapsed),
    setFavourite: (sip, favourite) => pp.setFavourite(sip, favourite),
    personPhoto: (sip) => pp.personPhoto(sip),
    expandGroup: (groupId) => pp.expandGroup(groupId),
    on: <E extends AnyServiceEventName>(event: E, listener: (payload: AnyServiceEvents[E]) => void) => events.on(event, listener),
    async close() {
      if (closed) return;
      closed = true;
      offLive();
      pp.close();
      await session.close();
      ob.close();
      inv.forgetAll();
      gr.forgetAll({ closing: true });
      lv.forgetAll();
      offStore();
      await store.close();
    },
  };

  return Object.assign(service, {
    /** Test/bench hooks (not part of MessengerService). */
    _internals: {
      processBatch: (batch: Parameters<Router['processBatch']>[0]) => rt.processBatch(batch),
      liveHrefs: () => lv.hrefs(),
      liveHref: (conversationId: number) => lv.get(conversationId)?.convHref ?? null,
      channel: () => session.channel,
      client: () => session.client,
      sync: session.sync,
      people: pp,
    },
  });
}

export { NetworkError };
