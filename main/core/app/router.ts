// Event batches from the channel: each UCWA event goes to the layer that owns its rel —
// invitations, live conversations (conversation / messaging / typing), the outbox (completions of
// outgoing messages) — and incoming messages are stored once, even when the server re-delivers
// them, written together at the end of the batch per conversation (one store transaction each).
// The router owns the de-duplication of incoming events.
import type { ServiceEmitter } from './events.ts';
import type { Session } from './session.ts';
import type { Lives, Live } from './lives.ts';
import type { Invitations } from './invitations.ts';
import type { Groups } from './groups.ts';
import type { Outbox } from './outbox.ts';
import type { EventBatch, UcwaEvent } from '../ucwa/events.ts';
import { link, str, type Resource } from '../ucwa/links.ts';
import * as R from '../ucwa/resources.ts';
import { parseParticipant } from '../ucwa/conference.ts';
import type { MessageInput, Person, Store } from '../store/types.ts';
import { describeError, safeUrl } from '../logSafe.ts';

export interface RouterOptions {
  session: Session;
  lives: Lives;
  invitations: Invitations;
  groups: Groups;
  outbox: Outbox;
  store: Store;
  events: ServiceEmitter;
  now: () => number;
  syncAfterConversationEndMs: number;
  log: (line: string) => void;
  /** The user has this conversation open in front of them: its new messages are read already. */
  isReading(conversationId: number): boolean;
  /** The people layer: takes the people and `me` events (true when the event was one of them). */
  people?: { onEvent(ev: UcwaEvent): boolean };
}

type BatchMessages = Map<string, { conversationId: number; threadId: string | null; items: MessageInput[] }>;

/** A long session must not grow the set of seen hrefs forever: re-deliveries come soon after. */
const SEEN_MAX = 20_000;
const SEEN_DROP = 10_000;

export class Router {
  readonly #o: RouterOptions;
  /** Incoming message hrefs already stored (re-deliveries are dropped). */
  readonly #seen = new Set<string>();
  /** Conversation hrefs that could not be adopted (not asked for again). */
  readonly #unknownSenders = new Set<string>();

  constructor(o: RouterOptions) {
    this.#o = o;
  }

  /** The channel started over: hrefs of the old one mean nothing now. */
  reset(): void {
    this.#seen.clear();
    this.#unknownSenders.clear();
  }

  async processBatch(batch: EventBatch): Promise<void> {
    const messages: BatchMessages = new Map();
    await this.#o.events.coalesce(async () => {
      for (const ev of batch.events) {
        try {
          await this.#dispatch(ev, messages);
        } catch (err) {
          // Bad server input for one event must not stop the others (or the channel).
          this.#o.log(`event ${ev.rel} ${ev.type} failed: ${describeError(err)}`);
        }
      }
      await this.#writeBatch(messages);
    });
  }

  async #dispatch(ev: UcwaEvent, messages: BatchMessages): Promise<void> {
    if (this.#o.people?.onEvent(ev)) return;
    if (await this.#o.groups.onEvent(ev)) return;
    switch (ev.rel) {
      case 'messagingInvitation':
      case 'onlineMeetingInvitation':
      case 'audioVideoInvitation':
      case 'phoneAudioInvitation':
        return this.#o.invitations.onEvent(ev);
      case 'conversation':
        if (ev.senderRel === 'communication') return this.#onConversation(ev);
        return;
      case 'messaging':
        return this.#onMessaging(ev);
      case 'message':
        return this.#onMessage(ev, messages);
      case 'participant':
        return this.#onParticipant(ev);
      case 'missedItems':
        this.#o.session.scheduleSync(0);
        return;
      default:
        return; // unknown rels are ignored (PROTOCOL.md §0.1)
    }
  }

  async #writeBatch(messages: BatchMessages): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const g of messages.values()) writes.push(this.#o.store.addMessages(g.conversationId, g.threadId, g.items, { markUnread: !this.#o.isReading(g.conversationId) }));
    messages.clear();
    for (const r of await Promise.allSettled(writes)) {
      if (r.status === 'rejected') this.#o.log(`storing a message failed: ${describeError(r.reason)}`);
    }
  }

  async #onConversation(ev: UcwaEvent): Promise<void> {
    const { lives, session } = this.#o;
    const live = lives.byHref(ev.href);
    if (!live) return;
    if (ev.phase === 'end') {
      this.#o.groups.onConversation(live, ev);
      lives.ended(live);
      // Exchange archives the log a little after the conversation ends.
      session.scheduleSync(this.#o.syncAfterConversationEndMs);
      return;
    }
    const r = ev.resource;
    if (str(r, 'state') === 'Disconnected') lives.disconnect(live);
    const threadId = str(r, 'threadId');
    if (threadId && !live.threadId) live.threadId = threadId;
    this.#o.groups.onConversation(live, ev);
  }

  async #onMessaging(ev: UcwaEvent): Promise<void> {
    const { lives, session } = this.#o;
    const live = lives.byHref(ev.senderHref);
    if (!live) return;
    const r = await session.resourceOf(ev);
    if (!r) return;
    const formats = Array.isArray(r.negotiatedMessageFormats) ? r.negotiatedMessageFormats : [];
    lives.setMessaging(live, {
      sendHref: link(r, 'sendMessage') ?? null,
      typingHref: link(r, 'setIsTyping') ?? null,
      stopHref: link(r, 'stopMessaging') ?? null,
      html: formats.includes('Html'),
      state: str(r, 'state') ?? null,
    });
    this.#o.groups.onMessaging(live, r, ev.reason);
  }

  async #onMessage(ev: UcwaEvent, batch: BatchMessages): Promise<void> {
    const { session, lives, invitations, outbox } = this.#o;
    const href = session.abs(ev.href);
    const r = ev.resource ?? (ev.phase === 'end' || ev.phase === 'start' ? await session.resourceOf(ev) : null);
    const m = R.parseMessage(href, r);
    const failed = ev.status === 'Failure' || m.status === 'Failed';
    if (m.direction === 'Outgoing') {
      if (ev.phase !== 'end') return;
      // A completion is a success only when it says so (the reference spells failures variously).
      const ok = (ev.status === undefined || ev.status === 'Success') && m.status !== 'Failed';
      outbox.onCompletion(href, m.operationId, ok, m.at, lives.byHref(ev.senderHref)?.threadId ?? null);
      return;
    }
    // Incoming: `completed` + Success in the traces, `started` in the reference: accept both once.
    if (failed || m.text === null) return;
    if (this.#seen.has(href)) return;
    this.#seen.add(href);
    if (this.#seen.size > SEEN_MAX) {
      let drop = SEEN_DROP;
      for (const old of this.#seen) {
        if (drop-- <= 0) break;
        this.#seen.delete(old);
      }
    }
    const known = lives.byHref(ev.senderHref);
    const author = await this.#authorOf(known, m);
    const live = known ?? await this.#adopt(ev, author);
    if (!live) {
      this.#o.log(`message ${safeUrl(href)}: no conversation to store it in; history sync will bring it`);
      return;
    }
    const first = invitations.takeFirstCopy(live.convHref, m.text);
    if (first) {
      // The invitation's first message, re-delivered after accept (§6.3): now with the server's
      // timestamp, which the stored copy lacked; restamped, it meets its transcript copy exactly.
      if (m.at !== null) await this.#o.store.restampMessage(first.messageId, m.at, live.threadId).catch((err: unknown) => this.#o.log(`restamp: ${describeError(err)}`));
      return;
    }
    invitations.dropFirstCopies(live.convHref);
    if (author && live.typing.some((p) => p.sip === author.sip)) lives.setTyping(live, live.typing.filter((p) => p.sip !== author.sip));
    const input: MessageInput = {
      author, direction: 'Incoming', at: m.at ?? this.#o.now(), text: m.text, html: m.html, origin: 'live',
      // A timestamp no Date can hold was rejected: the message keeps the time it arrived, marked.
      ...(m.atRejected ? { atEstimated: true } : {}),
    };
    const key = `${live.conversationId}\u0000${live.threadId ?? ''}`;
    let g = batch.get(key);
    if (!g) batch.set(key, (g = { conversationId: live.conversationId, threadId: live.threadId, items: [] }));
    g.items.push(input);
  }

  /**
   * A message's author (PROTOCOL-2 §2.8): the roster's member named by its participant link, else
   * its contact link, else the participant resource itself (read now), else — a last resort — an
   * address in the participant href. Null when none says who: the message is kept, "Unknown".
   */
  async #authorOf(live: Live | null, m: R.MessageInfo): Promise<Person | null> {
    const member = this.#o.groups.authorOf(live, m.participantHref);
    if (member) return member;
    if (m.contactSip) return R.personFromSip(m.contactSip, m.authorName ?? undefined);
    if (live?.group && m.participantHref) {
      try {
        const info = parseParticipant(await this.#o.session.requireClient().getJson(m.participantHref), m.participantHref, m.authorName ?? undefined);
        if (info?.uri) return { sip: info.uri, name: info.name };
      } catch (err) {
        this.#o.log(`GET participant for a message's author failed: ${describeError(err)}`);
      }
    }
    return m.authorSip ? R.personFromSip(m.authorSip, m.authorName ?? undefined) : null;
  }

  async #onParticipant(ev: UcwaEvent): Promise<void> {
    if (ev.inRel !== 'typingParticipants') return;
    const { lives, session } = this.#o;
    const live = lives.byHref(ev.senderHref);
    if (!live) return;
    // In a group, the roster knows who an opaque participant href is.
    const member = this.#o.groups.authorOf(live, ev.href);
    const sip = member?.sip ?? R.sipFromHref(ev.href) ?? str(ev.resource, 'uri');
    if (!sip) return;
    const person = member ?? R.personFromSip(sip, ev.title ?? str(ev.resource, 'name'));
    if (person.sip === session.me?.sip) return;
    const others = live.typing.filter((p) => p.sip !== person.sip);
    lives.setTyping(live, ev.phase === 'start' ? [...others, person] : others);
  }

  /**
   * A message from a conversation we do not track (its invitation went unseen, or its end was
   * reported while the server kept it): rather than drop what someone wrote, look the conversation
   * up (its threadId ties it to the store's conversation) and track it from now on. Once per
   * sender href: a conversation that cannot be read is not asked for again for every message.
   */
  async #adopt(ev: UcwaEvent, author: Person | null): Promise<Live | null> {
    const { session, store, lives } = this.#o;
    if (ev.senderRel !== 'conversation' || !ev.senderHref || !session.me) return null;
    const href = session.abs(ev.senderHref);
    if (this.#unknownSenders.has(href)) return null;
    this.#unknownSenders.add(href);
    let r: Resource;
    try {
      r = await session.requireClient().getJson(ev.senderHref);
    } catch (err) {
      this.#o.log(`GET conversation ${safeUrl(href)} failed: ${describeError(err)}`);
      return null;
    }
    const threadId = str(r, 'threadId');
    if (!threadId || str(r, 'state') === 'Disconnected') return null;
    const conv = await store.findConversationByThread(threadId)
      ?? await store.ensureLiveConversation({ threadId, subject: str(r, 'subject') ?? '', direction: 'Incoming', participants: author ? [author] : [], startedAt: this.#o.now() });
    const live = lives.ensure(conv.id, threadId);
    lives.attachHref(live, href);
    this.#unknownSenders.delete(href);
    return live;
  }
}
