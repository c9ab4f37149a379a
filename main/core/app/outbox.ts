// The outbox (DESIGN-2 §2): a durable job queue, the single owner of every outgoing message's
// state. An item is persisted before any network call and moves, persisted at each step,
//   queued → sending (operationId recorded first) → accepted (the 201 and its Location) → delivered
// or failed (refused for good, the reason in words). A process that died mid-POST leaves
// 'sending': on the next start the item is 'uncertain' and is sent once more, shown as "may have
// arrived twice". Transient failures (network, 5xx, 429, a gone application, AlreadyExists left by
// a dead instance, token expiry, an unanswered invitation) are retried by themselves with
// full-jitter backoff that honours Retry-After, for as long as the user is signed in.
//
// One lane per conversation: one attempt at a time, in the order the user wrote, and a message
// refused for good leaves its lane without holding up the ones behind it. An accepted message is
// never POSTed again. Shape after Signal Desktop's JobQueue: private state, a queue per key,
// `add()` returns a completion, `stop()` lets the lanes go.
import { AppError, type Sending } from './types.ts';
export type { Sending } from './types.ts';
import { classifyFailure, retryDelay, type Failure } from './retryPolicy.ts';
import type { Session } from './session.ts';
import type { Lives, Live } from './lives.ts';
import { CARRIED_OP_PREFIX, type Connector } from './connector.ts';
import { UcwaError } from '../ucwa/errors.ts';
import { newOperationId } from '../ucwa/operationId.ts';
import { links as linkList } from '../ucwa/links.ts';
import * as R from '../ucwa/resources.ts';
import type { OutboxItem, OutboxUpdate, Store } from '../store/types.ts';


export interface OutboxOptions {
  store: Store;
  session: Session;
  lives: Lives;
  connector: Connector;
  backoffBaseMs: number;
  backoffMaxMs: number;
  random: () => number;
  now: () => number;
  log: (line: string) => void;
}

interface Lane {
  readonly conversationId: number;
  /** clientIds, oldest first. */
  items: string[];
  running: boolean;
  /** The head is on the wire (a POST under way): never touched by resume(). */
  inFlight: string | null;
  attempt: number;
  wake: (() => void) | null;
}

interface Waiter { resolve: (item: OutboxItem) => void; reject: (err: AppError) => void }

const EARLY_MAX = 2000;
/** Newest messages of a conversation read to find a crash-left POST (it was among the last sent). */
const MESSAGES_LOOKED_AT = 20;
export const MAYBE_TWICE = 'It may have arrived twice: the app stopped while sending it.';
export const UNANSWERED = 'They will find it as a missed message.';
export const MAX_TEXT = 100_000;

export function checkText(text: string): void {
  if (typeof text !== 'string' || text.trim().length === 0) throw new AppError({ code: 'invalidInput', message: 'The message is empty.' });
  if (text.length > MAX_TEXT) throw new AppError({ code: 'invalidInput', message: 'The message is too long.' });
}

export class Outbox {
  readonly #o: OutboxOptions;
  readonly #lanes = new Map<number, Lane>();
  /** operationId of a POST of ours → clientId (a completion may name only the operationId). */
  readonly #ops = new Map<string, string>();
  /** Location of an accepted message → clientId, until its completion event. */
  readonly #accepted = new Map<string, string>();
  /** Completions that came before the 201 told us whose they are (by href and operationId). */
  readonly #early = new Map<string, { ok: boolean; at: number | null }>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Server timestamps already written for delivered items (a later, better one restamps). */
  readonly #deliveredAt = new Map<string, number | null>();
  #generation = 0;
  #running = false;
  /** Items whose last attempt may have reached the other side unseen (an invitation lost in a reset). */
  readonly #maybeReceived = new Set<string>();

  constructor(o: OutboxOptions) {
    this.#o = o;
  }

  // --- what the service calls ---------------------------------------------------------------------
  async enqueue(conversationId: number, text: string, html?: string | null): Promise<Sending> {
    checkText(text);
    const me = this.#o.session.me;
    if (!me) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
    const item = await this.#o.store.enqueueOutbox({ conversationId, text, html: html ?? null, author: me });
    const delivered = this.delivered(item.clientId);
    const lane = this.#lane(conversationId);
    if (!lane.items.includes(item.clientId)) lane.items.push(item.clientId);
    this.#run(lane);
    return { clientId: item.clientId, conversationId, item, delivered };
  }

  /** A promise of an item's delivery (rejects if it fails for good or is discarded). */
  delivered(clientId: string): Promise<OutboxItem> {
    const p = new Promise<OutboxItem>((resolve, reject) => {
      const list = this.#waiters.get(clientId) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(clientId, list);
    });
    p.catch(() => undefined); // nobody has to wait for it
    void this.#o.store.outboxItem(clientId).then((it) => {
      if (!it) this.#reject(clientId, new AppError({ code: 'notFound', message: 'This message is no longer in the outbox.' }));
      else if (it.state === 'delivered') this.#resolve(it);
      else if (it.state === 'failed') this.#reject(clientId, new AppError({ code: 'invitationFailed', message: it.lastError ?? 'The message was not delivered.' }));
    }, () => undefined);
    return p;
  }

  /**
   * Online (again): pick up every item not yet delivered, in order. 'sending' items that no lane
   * of this run has on the wire were left by a crash: uncertain. Accepted items whose completion
   * this run does not wait for are delivered when a sendMessage took them (the server had it), and
   * uncertain when they rode an invitation whose outcome is unknown.
   */
  async resume(): Promise<void> {
    this.#running = true;
    const gen = this.#generation;
    let pending: OutboxItem[];
    try {
      pending = await this.#o.store.pendingOutbox();
    } catch (err) {
      this.#o.log(`outbox: reading the queue failed: ${String(err)}`);
      return;
    }
    if (gen !== this.#generation) return;
    const byLane = new Map<number, string[]>();
    for (const it of pending) {
      const lane = this.#lanes.get(it.conversationId);
      const onWire = lane?.inFlight === it.clientId;
      if (!onWire && it.state === 'sending') {
        const found = await this.#lookUp(it);
        if (found === 'absent') await this.#set(it.clientId, 'queued', {});
        else if (found) {
          await this.#settle(it.clientId, true, found.at, null);
          continue;
        } else await this.#set(it.clientId, 'uncertain', { error: 'The app stopped while sending this message.' });
      } else if (!onWire && it.state === 'accepted' && !this.#isAwaited(it)) {
        if (it.operationId?.startsWith(CARRIED_OP_PREFIX)) await this.#set(it.clientId, 'uncertain', { error: 'The app stopped before the conversation connected.' });
        else {
          await this.#settle(it.clientId, true, null, null);
          continue;
        }
      }
      const list = byLane.get(it.conversationId) ?? [];
      list.push(it.clientId);
      byLane.set(it.conversationId, list);
    }
    for (const [conversationId, ids] of byLane) {
      const lane = this.#lane(conversationId);
      // The store's order for what it knows; what was typed since (not in that read) stays behind.
      lane.items = [...ids, ...lane.items.filter((c) => !ids.includes(c))];
    }
    for (const lane of this.#lanes.values()) {
      lane.wake?.();
      this.#run(lane);
    }
  }

  /** Signed out: every lane lets go (items stay queued in the store for the next sign-in). */
  stop(): void {
    this.#running = false;
    this.#generation++;
    for (const lane of this.#lanes.values()) lane.wake?.();
  }

  /** The event channel or the application started over: completions of the old one never come. */
  onReset(): void {
    for (const [loc, clientId] of [...this.#accepted]) {
      this.#accepted.delete(loc);
      this.#o.log(`outbox ${clientId}: accepted by the server; its completion was lost with the channel`);
      void this.#settle(clientId, true, null, null);
    }
    this.#early.clear();
    for (const lane of this.#lanes.values()) lane.wake?.();
  }

  /** Something changed for a conversation (connected, an invitation rang): go now, not after the backoff. */
  kick(conversationId: number): void {
    const lane = this.#lanes.get(conversationId);
    if (!lane || !lane.items.length) return;
    lane.wake?.();
    this.#run(lane);
  }

  /** An outgoing 'message' event ended: the completion of a sendMessage or of a carried first message. */
  onCompletion(href: string, operationId: string | null, ok: boolean, at: number | null, threadId: string | null): void {
    const clientId = this.#accepted.get(href) ?? (operationId ? this.#ops.get(operationId) : undefined);
    if (!clientId) {
      if (this.#early.size > EARLY_MAX) this.#early.clear();
      this.#early.set(href, { ok, at });
      if (operationId) this.#early.set(operationId, { ok, at });
      return;
    }
    this.#accepted.delete(href);
    // A carried message's completion only gives it its server time; the invitation decides.
    if (operationId?.startsWith(CARRIED_OP_PREFIX)) {
      if (ok) this.#early.set(operationId, { ok, at });
      if (ok && this.#deliveredAt.has(clientId)) void this.#settle(clientId, true, at, threadId);
      return;
    }
    void this.#settle(clientId, ok, at, threadId);
  }

  async retry(clientId: string): Promise<OutboxItem> {
    const it = typeof clientId === 'string' && clientId ? await this.#o.store.outboxItem(clientId) : null;
    if (!it || it.state === 'delivered' || it.state === 'accepted') throw new AppError({ code: 'notFound', message: 'This message is no longer waiting to be sent.' });
    const item = it.state === 'failed' ? await this.#set(clientId, 'queued', {}) : it;
    const lane = this.#lane(item.conversationId);
    if (!lane.items.includes(clientId)) lane.items.push(clientId);
    lane.attempt = 0;
    lane.wake?.();
    this.#run(lane);
    return item;
  }

  async discard(clientId: string): Promise<void> {
    const it = await this.#o.store.outboxItem(clientId);
    if (it) {
      const lane = this.#lanes.get(it.conversationId);
      if (lane?.inFlight === clientId) throw new AppError({ code: 'invalidInput', message: 'This message is being sent right now.' });
      if (lane) lane.items = lane.items.filter((c) => c !== clientId);
    }
    await this.#o.store.discardOutbox(clientId);
    this.#reject(clientId, new AppError({ code: 'notFound', message: 'The message was discarded.' }));
  }

  /** The store started over: nothing held here refers to anything any more. */
  forgetAll(): void {
    this.stop();
    this.#lanes.clear();
    this.#ops.clear();
    this.#accepted.clear();
    this.#early.clear();
    this.#deliveredAt.clear();
  }

  close(): void {
    this.stop();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  // --- the lanes ----------------------------------------------------------------------------------
  #lane(conversationId: number): Lane {
    let lane = this.#lanes.get(conversationId);
    if (!lane) this.#lanes.set(conversationId, (lane = { conversationId, items: [], running: false, inFlight: null, attempt: 0, wake: null }));
    return lane;
  }

  #run(lane: Lane): void {
    if (lane.running || !this.#running || !lane.items.length) return;
    lane.running = true;
    void this.#loop(lane, this.#generation)
      .catch((err: unknown) => this.#o.log(`outbox lane ${lane.conversationId}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`))
      .finally(() => {
        lane.running = false;
        lane.inFlight = null;
        // Something may have arrived while the loop was finishing, or a resume() found this lane
        // still busy with the old generation: go on with the current one.
        if (lane.items.length && this.#running) this.#run(lane);
      });
  }

  async #loop(lane: Lane, gen: number): Promise<void> {
    const { session, store } = this.#o;
    while (lane.items.length && gen === this.#generation) {
      if (!session.isOnline()) {
        await this.#pause(lane, null);
        continue;
      }
      const clientId = lane.items[0] as string;
      const item = await store.outboxItem(clientId);
      if (gen !== this.#generation) return;
      if (!item || item.state === 'delivered' || item.state === 'failed' || item.state === 'accepted') {
        // Discarded, done, or accepted by the server (never POSTed again; its completion will come).
        lane.items.shift();
        continue;
      }
      lane.inFlight = clientId;
      let result: 'done' | 'again' | Failure;
      try {
        result = await this.#attempt(item);
      } catch (err) {
        result = classifyFailure(err);
      } finally {
        lane.inFlight = null;
      }
      if (gen !== this.#generation) return;
      if (result === 'done') {
        lane.items.shift();
        lane.attempt = 0;
      } else if (result === 'again') {
        continue;
      } else if (result.kind === 'permanent') {
        lane.items.shift();
        lane.attempt = 0;
        await this.#fail(clientId, result.error);
      } else {
        if (result.kind === 'applicationGone') session.applicationGone();
        // A message that may have reached them already goes again flagged, and is shown as such.
        const maybe = this.#maybeReceived.delete(clientId);
        await this.#set(clientId, 'queued', { error: result.error.message, ...(maybe ? { maybeDuplicate: true } : {}) }).catch(() => undefined);
        const ms = retryDelay(lane.attempt++, {
          baseMs: this.#o.backoffBaseMs, maxMs: this.#o.backoffMaxMs, random: this.#o.random,
          ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
        });
        this.#o.log(`outbox ${clientId}: ${result.kind} (${result.error.message}); next try in ${ms} ms`);
        await this.#pause(lane, ms);
      }
    }
  }

  /** Wait `ms` (null: until woken) or until kicked, resumed or stopped. */
  #pause(lane: Lane, ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      let t: ReturnType<typeof setTimeout> | null = null;
      const done = () => {
        if (t) {
          clearTimeout(t);
          this.#timers.delete(t);
        }
        if (lane.wake === done) lane.wake = null;
        resolve();
      };
      lane.wake = done;
      if (ms !== null) {
        t = setTimeout(done, ms);
        this.#timers.add(t);
      }
    });
  }

  /** One try at the head of a lane. */
  async #attempt(item: OutboxItem): Promise<'done' | 'again' | Failure> {
    const { lives, connector } = this.#o;
    const again = item.state === 'uncertain' || item.maybeDuplicate;
    const live = lives.get(item.conversationId);
    if (lives.isReady(live)) return this.#sendMessage(item, live, again);
    const outcome = await connector.connect(item.conversationId, item, {
      posting: async (operationId) => {
        await this.#set(item.clientId, 'sending', { operationId, location: null, ...(again ? { maybeDuplicate: true } : {}) });
        this.#ops.set(operationId, item.clientId);
      },
      accepted: async (location) => {
        await this.#set(item.clientId, 'accepted', { location });
      },
    });
    if (outcome.kind === 'connected') return 'again';
    if (outcome.kind === 'unanswered') {
      await this.#settle(item.clientId, true, null, lives.get(item.conversationId)?.threadId ?? null, `${outcome.reason} ${UNANSWERED}`);
      return 'done';
    }
    if (outcome.kind === 'failed' && outcome.maybeReceived) this.#maybeReceived.add(item.clientId);
    if (outcome.kind === 'carried') {
      const early = this.#early.get(outcome.operationId);
      this.#early.delete(outcome.operationId);
      await this.#settle(item.clientId, true, early?.ok ? early.at : null, lives.get(item.conversationId)?.threadId ?? null);
      return 'done';
    }
    return outcome.failure;
  }

  async #sendMessage(item: OutboxItem, live: Live & { sendHref: string }, again: boolean): Promise<'done' | 'again' | Failure> {
    const { session, lives } = this.#o;
    const operationId = newOperationId();
    // While 'sending', `location` is where the POST goes (the messages collection): after a crash
    // the item is looked up there by its operationId.
    await this.#set(item.clientId, 'sending', { operationId, location: session.abs(live.sendHref), ...(again ? { maybeDuplicate: true } : {}) });
    this.#ops.set(operationId, item.clientId);
    let loc: string | null;
    try {
      loc = await R.sendMessage(session.requireClient(), live.sendHref, { text: item.text, html: live.html ? item.html : null, operationId });
    } catch (err) {
      this.#ops.delete(operationId);
      if (err instanceof UcwaError && (err.status === 404 || err.status === 410) && !['ApplicationNotFound', 'InactiveApplicationExpired'].includes(err.subcode ?? '')) {
        // The conversation or its messaging ended under us: connect again (continue) and go on.
        lives.ended(live);
        return { ...classifyFailure(err), kind: 'transient' };
      }
      const f = classifyFailure(err);
      if (f.kind === 'callbackChannel') await session.restartChannel();
      return f;
    }
    const href = loc ? session.abs(loc) : null;
    await this.#set(item.clientId, 'accepted', { location: href });
    const early = (href ? this.#early.get(href) : undefined) ?? this.#early.get(operationId);
    if (early) {
      if (href) this.#early.delete(href);
      this.#early.delete(operationId);
      await this.#settle(item.clientId, early.ok, early.at, live.threadId);
    } else if (href) this.#accepted.set(href, item.clientId);
    return 'done';
  }

  /**
   * Did the POST of a message left 'sending' by a crash reach the server? Its conversation's
   * messages (message_ref: the collection lists the message links; each message carries its
   * operationId) tell, while the old application lives — a dead instance's does for minutes.
   * 'absent': the collection answered without it (send it normally); null: cannot be decided.
   */
  async #lookUp(it: OutboxItem): Promise<{ at: number | null } | 'absent' | null> {
    const client = this.#o.session.client;
    if (!client || !it.location || !it.operationId || it.operationId.startsWith(CARRIED_OP_PREFIX)) return null;
    try {
      const list = await client.getJson(it.location);
      const hrefs = linkList(list, 'message').slice(-MESSAGES_LOOKED_AT);
      for (const href of hrefs.reverse()) {
        const m = R.parseMessage(href, await client.getJson(href));
        if (m.direction === 'Outgoing' && m.operationId === it.operationId) return { at: m.at };
      }
      return 'absent';
    } catch (err) {
      this.#o.log(`outbox ${it.clientId}: cannot tell whether it arrived (${err instanceof Error ? err.message : String(err)})`);
      return null;
    }
  }

  #isAwaited(it: OutboxItem): boolean {
    if (it.location && this.#accepted.get(it.location) === it.clientId) return true;
    return !!it.operationId && this.#ops.get(it.operationId) === it.clientId;
  }

  // --- state changes, each persisted ---------------------------------------------------------------
  #set(clientId: string, state: OutboxItem['state'], extra: OutboxUpdate): Promise<OutboxItem> {
    return this.#o.store.setOutboxState(clientId, state, extra);
  }

  async #settle(clientId: string, ok: boolean, at: number | null, threadId: string | null, note?: string): Promise<void> {
    if (!ok) {
      await this.#fail(clientId, new AppError({ code: 'invitationFailed', message: 'The message was not delivered.' }));
      return;
    }
    const known = this.#deliveredAt.get(clientId);
    if (this.#deliveredAt.has(clientId) && (at === null || known === at)) return;
    this.#deliveredAt.set(clientId, at);
    if (this.#deliveredAt.size > EARLY_MAX) this.#deliveredAt.delete(this.#deliveredAt.keys().next().value as string);
    try {
      // Sent once more after an uncertain end: the user is told it may have arrived twice.
      const dup = (await this.#o.store.outboxItem(clientId))?.maybeDuplicate === true;
      const said = note ?? (dup ? MAYBE_TWICE : undefined);
      const item = await this.#set(clientId, 'delivered', { sentAt: at ?? this.#o.now(), threadId, ...(said ? { error: said } : {}) });
      this.#resolve(item);
    } catch (err) {
      this.#o.log(`outbox ${clientId}: ${String(err)}`);
    }
  }

  async #fail(clientId: string, error: AppError): Promise<void> {
    try {
      await this.#set(clientId, 'failed', { error: error.message });
    } catch (err) {
      this.#o.log(`outbox ${clientId}: ${String(err)}`);
    }
    this.#reject(clientId, error);
  }

  #resolve(item: OutboxItem): void {
    const list = this.#waiters.get(item.clientId);
    this.#waiters.delete(item.clientId);
    for (const w of list ?? []) w.resolve(item);
  }

  #reject(clientId: string, err: AppError): void {
    const list = this.#waiters.get(clientId);
    this.#waiters.delete(clientId);
    for (const w of list ?? []) w.reject(err);
  }
}
