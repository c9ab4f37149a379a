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
import { classifyFailure, mayHaveReached, retryDelay, type Failure } from './retryPolicy.ts';
import type { Session } from './session.ts';
import type { Lives, Live } from './lives.ts';
import { CARRIED_OP_PREFIX, type Connector } from './connector.ts';
import { UcwaError } from '../ucwa/errors.ts';
import { newOperationId } from '../ucwa/operationId.ts';
import { link, links as linkList, str } from '../ucwa/links.ts';
import * as R from '../ucwa/resources.ts';
import type { OutboxItem, OutboxUpdate, Store } from '../store/types.ts';
import { describeError } from '../logSafe.ts';


export interface OutboxOptions {
  store: Store;
  session: Session;
  lives: Lives;
  connector: Connector;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A request's timeout: how long the server may still be working on a POST whose answer was lost. */
  requestTimeoutMs: number;
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
/** At most this many of a conversation's messages are read to find a POST whose answer was lost. */
const MESSAGES_LOOKED_AT = 100;
export const MAYBE_TWICE = 'It may have arrived twice: the app stopped while sending it.';
export const UNANSWERED = 'They will find it as a missed message.';
const UNANSWERED_LATE = `The conversation did not connect. ${UNANSWERED}`;
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
  /** Location of an accepted message → clientId, until its completion event (in the order sent). */
  readonly #accepted = new Map<string, string>();
  /** The conversation of each accepted item (to put it back in its lane after a reset). */
  readonly #acceptedIn = new Map<string, number>();
  /** Accepted items whose completion a reset took: checked before their lane goes on. */
  readonly #toVerify = new Map<string, string>();
  /** Completions that came before the 201 told us whose they are (by href and operationId). */
  readonly #early = new Map<string, { ok: boolean; at: number | null }>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Server timestamps already written for delivered items (a later, better one restamps). */
  readonly #deliveredAt = new Map<string, number | null>();
  #generation = 0;
  #running = false;
  /** A pick-up of the stored queue under way (resume): lanes wait for it. */
  #resuming: Promise<void> | null = null;
  /** sendMessage POSTs that got no answer: looked up by operationId before the item goes again. */
  readonly #lostAnswers = new Map<string, { operationId: string; target: string; since: number }>();

  constructor(o: OutboxOptions) {
    this.#o = o;
  }

  // --- what the service calls ---------------------------------------------------------------------
  async enqueue(conversationId: number, text: string, html?: string | null): Promise<Sending> {
    checkText(text);
    const me = this.#o.session.me;
    if (!me) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
    const item = await this.#o.store.enqueueOutbox({ conversationId, text, html: html ?? null, author: me });
    const delivered = this.#waiter(item.clientId); // just queued: nothing to look up
    const lane = this.#lane(conversationId);
    if (!lane.items.includes(item.clientId)) lane.items.push(item.clientId);
    this.#run(lane);
    return { clientId: item.clientId, conversationId, item, delivered };
  }

  #waiter(clientId: string): Promise<OutboxItem> {
    const p = new Promise<OutboxItem>((resolve, reject) => {
      const list = this.#waiters.get(clientId) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(clientId, list);
    });
    p.catch(() => undefined); // nobody has to wait for it
    return p;
  }

  /** A promise of an item's delivery (rejects if it fails for good or is discarded). */
  delivered(clientId: string): Promise<OutboxItem> {
    const p = this.#waiter(clientId);
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
  resume(): Promise<void> {
    this.#running = true;
    // One pick-up at a time; lanes wait for it (a message typed meanwhile goes after the old ones).
    const next = (this.#resuming ?? Promise.resolve()).then(() => this.#pickUp()).catch((err: unknown) => {
      this.#o.log(`outbox: picking up the queue failed: ${describeError(err)}`);
    });
    this.#resuming = next;
    void next.finally(() => {
      if (this.#resuming === next) this.#resuming = null;
      for (const lane of this.#lanes.values()) {
        lane.wake?.();
        this.#run(lane);
      }
    });
    return next;
  }

  async #pickUp(): Promise<void> {
    const gen = this.#generation;
    const pending = await this.#o.store.pendingOutbox();
    if (gen !== this.#generation) return;
    const byLane = new Map<number, string[]>();
    for (const listed of pending) {
      const lane = this.#lanes.get(listed.conversationId);
      const keep = lane?.inFlight === listed.clientId || await this.#recover(listed.clientId).catch((err: unknown) => {
        this.#o.log(`outbox ${listed.clientId}: ${describeError(err)}`);
        return true;
      });
      if (gen !== this.#generation) return;
      if (!keep) continue;
      const list = byLane.get(listed.conversationId) ?? [];
      list.push(listed.clientId);
      byLane.set(listed.conversationId, list);
    }
    for (const [conversationId, ids] of byLane) {
      const lane = this.#lane(conversationId);
      // The store's order for what it knows; what was typed since (not in that read) stays behind.
      lane.items = [...ids, ...lane.items.filter((c) => !ids.includes(c))];
    }
  }

  /**
   * One item as the store has it now (not as the list read a moment ago said): left 'sending' or
   * 'accepted' by a crash or an earlier session, it is settled or made ready to go again. Returns
   * whether it still has to go through its lane.
   */
  async #recover(clientId: string): Promise<boolean> {
    const it = await this.#o.store.outboxItem(clientId);
    if (!it || it.state === 'delivered' || it.state === 'failed') return false;
    if (it.state === 'sending') {
      const found = await this.#lookUp(it, it.location, it.operationId);
      if (found === 'absent') await this.#setIf(it, 'queued', {});
      else if (found) {
        await this.#settle(it.clientId, true, found.at, null);
        return false;
      } else await this.#setIf(it, 'uncertain', { error: 'The app stopped while sending this message.' });
    } else if (it.state === 'accepted' && this.#toVerify.has(it.clientId)) {
      return true; // checked by its lane (#verify), in order
    } else if (it.state === 'accepted' && !this.#isAwaited(it)) {
      if (!it.operationId?.startsWith(CARRIED_OP_PREFIX)) {
        await this.#settle(it.clientId, true, null, null); // the server had it; its completion was lost
        return false;
      }
      if (await this.#resolveCarried(it.clientId)) return false;
    }
    return true;
  }

  /**
   * An invitation carrying this item was taken by the server (its 201 recorded), and this app lost
   * track of it (a crash, a reset). The server has the text: the other side got it in the
   * conversation, or will find it as a missed one — offering it again would be a second copy. The
   * invitation's own resource (the Location) tells (InvitationState: Connected, Declined, Failed,
   * Cancelled…) while its application lives: Declined fails the item; one still ringing is
   * cancelled (the server then settles it as missed now). Returns false when the server no longer
   * knows the invitation: then nothing says the text reached them.
   */
  async #resolveCarried(clientId: string): Promise<boolean> {
    const it = await this.#o.store.outboxItem(clientId);
    if (!it || it.state === 'delivered' || it.state === 'failed') return true;
    const client = this.#o.session.client;
    let state: string | undefined;
    if (client && it.location) {
      try {
        const inv = await client.getJson(it.location);
        state = str(inv, 'state');
        const cancel = link(inv, 'cancel');
        if ((state === 'Connecting' || state === 'Alerting') && cancel) {
          // Still ringing where nobody follows it: end it, so the server settles it as a missed
          // conversation for them now rather than some time later (or connected, unseen, here).
          await R.cancelInvitation(client, cancel);
          state = 'Cancelled';
        }
      } catch (err) {
        this.#o.log(`outbox ${clientId}: its invitation cannot be read (${describeError(err)})`);
      }
    }
    if (state === 'Declined') {
      await this.#fail(clientId, new AppError({ code: 'invitationFailed', message: 'The other person declined.' }));
      return true;
    }
    if (!state) {
      // The server no longer knows it (restarted, or its application is gone): nothing says the
      // text reached them. It goes once more, flagged "may have arrived twice".
      await this.#set(clientId, 'queued', { maybeDuplicate: true });
      return false;
    }
    await this.#settle(clientId, true, null, null, state === 'Connected' ? undefined : UNANSWERED_LATE);
    return true;
  }

  /** A state change only if the item is still in the state it was read in (nothing moved it meanwhile). */
  async #setIf(read: OutboxItem, state: OutboxItem['state'], extra: OutboxUpdate): Promise<void> {
    const now = await this.#o.store.outboxItem(read.clientId);
    if (now?.state === read.state) await this.#set(read.clientId, state, extra);
  }

  /** Signed out: every lane lets go (items stay queued in the store for the next sign-in). */
  stop(): void {
    this.#running = false;
    this.#generation++;
    this.#flushAccepted('the session ended');
    // Nothing of this session is awaited any more: the next pick-up decides about what is left.
    this.#ops.clear();
    // #lostAnswers stays: a POST whose answer was lost is looked up before it goes again, even
    // after signing in again (an application that is gone by then makes it 'undecided').
    for (const lane of this.#lanes.values()) lane.wake?.();
  }

  /** The event channel or the application started over: completions of the old one never come. */
  onReset(): void {
    // Accepted, completion not seen, and the application may be gone with whatever it had not
    // passed on yet (a server restart): each is checked at the head of its lane, in the order
    // they were sent, before anything newer goes (#verify).
    const back = new Map<number, string[]>();
    for (const [loc, clientId] of this.#accepted) {
      this.#toVerify.set(clientId, loc);
      const conversationId = this.#acceptedIn.get(clientId);
      if (conversationId === undefined) continue;
      back.set(conversationId, [...(back.get(conversationId) ?? []), clientId]);
    }
    this.#accepted.clear();
    this.#acceptedIn.clear();
    for (const [conversationId, ids] of back) {
      const lane = this.#lane(conversationId);
      lane.items = [...ids, ...lane.items.filter((c) => !ids.includes(c))];
    }
    this.#early.clear();
    for (const lane of this.#lanes.values()) {
      lane.wake?.();
      this.#run(lane);
    }
  }

  /**
   * The message resource of an accepted item whose completion was lost in a reset: still there
   * (or Succeeded) is delivered, Failed goes again; gone with its application is undecided — it
   * goes once more, flagged "may have arrived twice".
   */
  async #verify(item: OutboxItem, location: string): Promise<'done' | 'again'> {
    this.#toVerify.delete(item.clientId);
    const client = this.#o.session.client;
    let status: string | undefined;
    let readable = false;
    try {
      if (client) {
        status = str(await client.getJson(location), 'status');
        readable = true;
      }
    } catch (err) {
      this.#o.log(`outbox ${item.clientId}: accepted, completion lost, the message cannot be read (${describeError(err)})`);
    }
    if (readable && status !== 'Failed') {
      await this.#settle(item.clientId, true, null, null);
      return 'done';
    }
    await this.#set(item.clientId, 'queued', readable ? { error: 'The message was not delivered.' } : { maybeDuplicate: true });
    return 'again';
  }

  /** Accepted by sendMessage (the server's 201) and the completion will not come: delivered (the
   * session ended by the user's choice; the server that took it was healthy). */
  #flushAccepted(why: string): void {
    this.#toVerify.clear();
    this.#acceptedIn.clear();
    for (const [loc, clientId] of [...this.#accepted]) {
      this.#accepted.delete(loc);
      this.#o.log(`outbox ${clientId}: accepted by the server; its completion was lost (${why})`);
      void this.#settle(clientId, true, null, null);
    }
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
    this.#acceptedIn.delete(clientId);
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
    this.#lostAnswers.clear();
    this.#acceptedIn.clear();
    this.#toVerify.clear();
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
      .catch((err: unknown) => this.#o.log(`outbox lane ${lane.conversationId}: ${describeError(err)}`))
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
    const drop = (clientId: string) => {
      lane.items = lane.items.filter((c) => c !== clientId);
    };
    while (lane.items.length && gen === this.#generation) {
      if (this.#resuming) {
        await this.#resuming;
        continue;
      }
      if (!session.isOnline()) {
        await this.#pause(lane, null);
        continue;
      }
      const clientId = lane.items[0] as string;
      let item: OutboxItem | null;
      try {
        item = await store.outboxItem(clientId);
      } catch (err) {
        // The database failing is no reason to spin: wait as for any other failure.
        this.#o.log(`outbox ${clientId}: reading it failed: ${describeError(err)}`);
        await this.#pause(lane, this.#delay(lane.attempt++));
        continue;
      }
      if (gen !== this.#generation) return;
      const verifyAt = item?.state === 'accepted' ? this.#toVerify.get(clientId) : undefined;
      if (item && verifyAt) {
        lane.inFlight = clientId;
        const r = await this.#verify(item, verifyAt).catch(() => 'again' as const).finally(() => { lane.inFlight = null; });
        if (r === 'done') drop(clientId);
        continue;
      }
      if (!item || item.state === 'delivered' || item.state === 'failed' || item.state === 'accepted') {
        // Discarded, done, or accepted by the server (never POSTed again; its completion will come).
        drop(clientId);
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
      if (gen !== this.#generation) {
        // Signed out mid-attempt: a failed POST is known not to have gone (not 'sending' for ever).
        if (result !== 'done' && result !== 'again') await this.#setIf({ ...item, state: 'sending' }, 'queued', { error: result.error.message }).catch(() => undefined);
        return;
      }
      if (result === 'done') {
        drop(clientId);
        lane.attempt = 0;
      } else if (result === 'again') {
        continue;
      } else if (result.kind === 'permanent') {
        drop(clientId);
        lane.attempt = 0;
        await this.#fail(clientId, result.error);
      } else {
        if (result.kind === 'applicationGone') session.applicationGone();
        this.#forgetOps(clientId);
        await this.#set(clientId, 'queued', { error: result.error.message }).catch(() => undefined);
        const ms = this.#delay(lane.attempt++, result.retryAfterMs);
        this.#o.log(`outbox ${clientId}: ${result.kind} (${describeError(result.error)}); next try in ${ms} ms`);
        await this.#pause(lane, ms);
      }
    }
  }

  #delay(attempt: number, retryAfterMs?: number): number {
    return retryDelay(attempt, {
      baseMs: this.#o.backoffBaseMs, maxMs: this.#o.backoffMaxMs, random: this.#o.random,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
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
    const lost = this.#lostAnswers.get(item.clientId);
    if (lost) {
      // A POST whose answer was lost: did it land? Absent is believed only once the server has had
      // time to finish it (a slow server may still be working on it); undecided goes once more, flagged.
      const found = await this.#lookUp(item, lost.target, lost.operationId);
      if (found && found !== 'absent') {
        this.#lostAnswers.delete(item.clientId);
        await this.#settle(item.clientId, true, found.at, lives.get(item.conversationId)?.threadId ?? null);
        return 'done';
      }
      if (found === 'absent' && this.#o.now() - lost.since < 2 * this.#o.requestTimeoutMs) {
        return { kind: 'transient', error: new AppError({ code: 'network', message: 'Checking whether the server has the message.' }) };
      }
      this.#lostAnswers.delete(item.clientId);
      if (found === null) {
        await this.#set(item.clientId, item.state, { maybeDuplicate: true });
        item = { ...item, maybeDuplicate: true };
      }
    }
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
    if (outcome.kind === 'offered') {
      if (await this.#resolveCarried(item.clientId)) return 'done';
      return { kind: 'transient', error: new AppError({ code: 'network', message: 'The server no longer knows the invitation; sending again.' }) };
    }
    // A message that may have reached them already goes again flagged, and is shown as such.
    if (outcome.kind === 'failed' && outcome.maybeReceived) await this.#set(item.clientId, 'queued', { maybeDuplicate: true });
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
    const target = session.abs(live.sendHref);
    // While 'sending', `location` is where the POST goes (the messages collection): after a crash
    // or a lost answer the item is looked up there by its operationId.
    await this.#set(item.clientId, 'sending', { operationId, location: target, ...(again ? { maybeDuplicate: true } : {}) });
    this.#ops.set(operationId, item.clientId);
    let loc: string | null;
    try {
      loc = await R.sendMessage(session.requireClient(), live.sendHref, { text: item.text, html: live.html ? item.html : null, operationId });
    } catch (err) {
      if (mayHaveReached(err)) {
        // The server may have taken it (or still be working on it) and the answer got lost: it is
        // looked up by its operationId before any new POST (#attempt).
        this.#lostAnswers.set(item.clientId, { operationId, target, since: this.#o.now() });
      }
      this.#ops.delete(operationId);
      if (err instanceof UcwaError && (err.status === 404 || err.status === 410) && !['ApplicationNotFound', 'InactiveApplicationExpired'].includes(err.subcode ?? '')) {
        // The conversation or its messaging ended under us: connect again (continue) and go on.
        lives.ended(live);
        return { ...classifyFailure(err), kind: 'transient' };
      }
      const f = classifyFailure(err);
      if (f.kind === 'callbackChannel') await session.restartChannel();
      // A link of an application that is not the current one says nothing about the current one.
      if (f.kind === 'applicationGone' && !session.isCurrentApplication(err)) return { ...f, kind: 'transient' };
      return f;
    }
    const href = loc ? session.abs(loc) : null;
    await this.#set(item.clientId, 'accepted', { location: href });
    const early = (href ? this.#early.get(href) : undefined) ?? this.#early.get(operationId);
    if (early) {
      if (href) this.#early.delete(href);
      this.#early.delete(operationId);
      this.#ops.delete(operationId);
      await this.#settle(item.clientId, early.ok, early.at, live.threadId);
    } else if (href) {
      this.#accepted.set(href, item.clientId);
      this.#acceptedIn.set(item.clientId, item.conversationId);
      this.#ops.delete(operationId); // the Location names it from now on
    }
    return 'done';
  }

  /**
   * Did a POST whose answer this app never saw reach the server? The conversation's messages tell
   * (message_ref: the collection lists the message links; a message carries its operationId) while
   * the application that posted lives — a dead instance's does for minutes. 'absent' only when the
   * whole list was read and the server does show operationIds on our messages; null: undecided.
   */
  async #lookUp(it: OutboxItem, collection: string | null, operationId: string | null): Promise<{ at: number | null } | 'absent' | null> {
    const client = this.#o.session.client;
    if (!client || !collection || !operationId || operationId.startsWith(CARRIED_OP_PREFIX)) return null;
    try {
      const hrefs = linkList(await client.getJson(collection), 'message');
      const complete = hrefs.length <= MESSAGES_LOOKED_AT;
      let idsShown = false;
      for (const href of hrefs.slice(-MESSAGES_LOOKED_AT).reverse()) {
        const m = R.parseMessage(href, await client.getJson(href));
        if (m.direction !== 'Outgoing') continue;
        if (m.operationId) idsShown = true;
        if (m.operationId === operationId) return { at: m.at };
      }
      return complete && idsShown ? 'absent' : null;
    } catch (err) {
      this.#o.log(`outbox ${it.clientId}: cannot tell whether it arrived (${describeError(err)})`);
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
    if (at !== null) this.#forgetOps(clientId); // a carried message's op is kept until its server time is known
    this.#deliveredAt.set(clientId, at);
    if (this.#deliveredAt.size > EARLY_MAX) this.#deliveredAt.delete(this.#deliveredAt.keys().next().value as string);
    try {
      // Sent once more after an uncertain end: the user is told it may have arrived twice.
      const dup = (await this.#o.store.outboxItem(clientId))?.maybeDuplicate === true;
      const said = note ?? (dup ? MAYBE_TWICE : undefined);
      const item = await this.#set(clientId, 'delivered', { sentAt: at ?? this.#o.now(), threadId, ...(said ? { error: said } : {}) });
      this.#resolve(item);
    } catch (err) {
      this.#o.log(`outbox ${clientId}: ${describeError(err)}`);
    }
  }

  async #fail(clientId: string, error: AppError): Promise<void> {
    this.#forgetOps(clientId);
    try {
      await this.#set(clientId, 'failed', { error: error.message });
    } catch (err) {
      this.#o.log(`outbox ${clientId}: ${describeError(err)}`);
    }
    this.#reject(clientId, error);
  }

  #forgetOps(clientId: string): void {
    for (const [op, c] of this.#ops) if (c === clientId) this.#ops.delete(op);
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
