// The event channel (PROTOCOL.md §3): exactly one P-GET parked at all times. The GET for `next`
// goes out BEFORE the batch is processed (that GET is the ack), and batches are processed strictly
// in order through one serial queue. A failed P-GET pauses the loop on the SAME url (same ack: the
// server re-delivers the unacknowledged batch); the owner decides when to resume (backoff lives in
// the session machine). Every failure but our own abort is reported through onFailure with its
// kind (channelFailureKind): a paused channel waits for resume(); any other kind stops it for good,
// and the owner must act (recreate the application, sign in again from discovery, or give up).
// Backpressure: while more than LIMITS.eventBacklog received events wait to be processed, the next
// P-GET (the ack) is not sent, so a server flooding the channel keeps its events instead of the
// client's memory filling with them (issue 11: 2 000-event batches took RSS to 2 GB in 30 s).
import { isAbort, SignInError, UcwaError } from './errors.ts';
import { parseBatch, type EventBatch } from './events.ts';
import type { UcwaClient } from './client.ts';
import type { LogFn } from './transport.ts';
import { LIMITS } from '../limits.ts';
import { describeError } from '../logSafe.ts';

export type ChannelState = 'idle' | 'running' | 'paused' | 'stopped';

/** What a failed P-GET means, and so what the owner of the channel must do. */
export type ChannelFailureKind =
  /** Network error, timeout, 5xx, 408, 429, an unreadable batch: paused on the same URL (same ack);
   * reconnect with backoff (honouring Retry-After), then resume(). */
  | 'transient'
  /** 404 ApplicationNotFound, 410 InactiveApplicationExpired, 409 PGetReplaced (another poller took
   * our application over): stopped; recreate the application. */
  | 'applicationGone'
  /** 403 (typically a proxy), 401 after the client's own renewal, or any other 4xx the protocol does
   * not document for the P-GET: stopped. RootURL: "clear the cache and start autodiscovery again"
   * — discovery and sign-in again, never a silent stop. */
  | 'rediscover'
  /** Any other 410 (TooManyApplications, UserAgentNotAllowed, …) or a wrong password on renewal:
   * stopped; signing in again would fail the same way. */
  | 'fatal';

/** Classify a failed P-GET (pure; our own abort is never reported, so it has no kind here). */
export function channelFailureKind(err: unknown): ChannelFailureKind {
  if (err instanceof SignInError) {
    // Renewal inside getJson failed: the token service said the password is wrong, or refused.
    return err.code === 'wrongPassword' ? 'fatal' : err.code === 'network' || err.code === 'poolUnavailable' ? 'transient' : 'rediscover';
  }
  if (!(err instanceof UcwaError)) return 'transient';
  if (err.is(404, 'ApplicationNotFound') || err.is(410, 'InactiveApplicationExpired') || err.is(409, 'PGetReplaced')) return 'applicationGone';
  if (err.status === 410) return 'fatal';
  if (err.status === 408 || err.status === 429) return 'transient';
  if (err.status >= 400 && err.status < 500) return 'rediscover';
  return 'transient';
}

export interface EventChannelOptions {
  client: UcwaClient;
  startHref: string;
  /** P-GET `timeout` query parameter, seconds (server: 180..1800). */
  timeoutSec: number;
  /** Client-side timeout of one P-GET; must exceed the server's release time. */
  clientTimeoutMs: number;
  onBatch: (batch: EventBatch) => Promise<void> | void;
  /** `resume` / `resync`: the server dropped our transient state (conversations, invitations). */
  onReset: (kind: 'resume' | 'resync') => Promise<void> | void;
  /** The loop stopped: paused (kind 'transient': resume() later) or stopped (any other kind). */
  onFailure: (err: unknown, paused: boolean, kind: ChannelFailureKind) => void;
  /** A P-GET answered: the channel is healthy. */
  onHealthy?: () => void;
  log?: LogFn;
  /** Events received but not processed above which the next P-GET waits (default LIMITS.eventBacklog). */
  maxBacklog?: number;
}

export class EventChannel {
  private readonly o: EventChannelOptions;
  private url: string;
  private generation = 0;
  private controller: AbortController | null = null;
  private queue: Promise<void> = Promise.resolve();
  state: ChannelState = 'idle';
  /** Batches received (for tests and the bench). */
  received = 0;
  /** Events received and not yet processed. */
  backlog = 0;
  /** Loops waiting for the backlog to shrink (or for stop()). */
  private readonly waiting = new Set<() => void>();

  constructor(o: EventChannelOptions) {
    this.o = o;
    this.url = o.startHref;
  }

  get currentUrl(): string {
    return this.url;
  }

  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    const gen = ++this.generation;
    void this.loop(gen);
  }

  /** Re-issue the current P-GET (same ack) after a pause. */
  resume(): void {
    if (this.state === 'stopped') return;
    this.state = 'idle';
    this.start();
  }

  /** Replace the parked P-GET with a fresh one on the same url (after CallbackChannelError). */
  restart(): void {
    if (this.state === 'stopped') return;
    this.controller?.abort();
    this.state = 'idle';
    this.start();
    this.wakeAll(); // a loop held by backpressure sees it was replaced
  }

  stop(): void {
    this.state = 'stopped';
    this.generation++;
    this.controller?.abort();
    this.wakeAll();
  }

  /** Resolves when every batch received so far has been processed. */
  drain(): Promise<void> {
    return this.queue;
  }

  /** Feed a batch through the same processing queue (the bench pushes in-process batches). */
  enqueue(batch: EventBatch): Promise<void> {
    const n = batch.events.length;
    this.backlog += n;
    this.queue = this.queue.then(() => this.o.onBatch(batch)).catch((err: unknown) => {
      this.o.log?.(`event batch processing failed: ${describeError(err)}`);
    }).finally(() => {
      this.backlog -= n;
      this.wakeAll();
    });
    return this.queue;
  }

  /** Resolves when a batch finished processing or the channel was stopped/replaced. */
  private lessBacklog(): Promise<void> {
    return new Promise((resolve) => this.waiting.add(resolve));
  }

  private wakeAll(): void {
    const all = [...this.waiting];
    this.waiting.clear();
    for (const w of all) w();
  }

  private get(url: string, gen: number): Promise<EventBatch> {
    const controller = new AbortController();
    if (gen === this.generation) this.controller = controller;
    return this.o.client
      .getJson(url, { query: { timeout: String(this.o.timeoutSec) }, timeoutMs: this.o.clientTimeoutMs, signal: controller.signal })
      .then(parseBatch);
  }

  /** Backpressure: resolves when the backlog is within its bound (false: replaced or stopped meanwhile). */
  private async roomForMore(gen: number): Promise<boolean> {
    const max = this.o.maxBacklog ?? LIMITS.eventBacklog;
    while (this.backlog > max) {
      await this.lessBacklog();
      if (gen !== this.generation) return false;
    }
    return true;
  }

  private async loop(gen: number): Promise<void> {
    // A resume() or restart() comes here too: its first P-GET waits for room like every other.
    if (!(await this.roomForMore(gen))) return;
    let pending = this.get(this.url, gen);
    for (;;) {
      let batch: EventBatch;
      try {
        batch = await pending;
      } catch (err) {
        if (gen !== this.generation || isAbort(err)) return; // replaced or stopped by us
        // (A 409 PGetReplaced is not ours either: we abort what we replace; another process polls.)
        const kind = channelFailureKind(err);
        const paused = kind === 'transient';
        this.state = paused ? 'paused' : 'stopped';
        this.o.log?.(`event channel ${paused ? 'paused' : 'stopped'} (${kind}): ${describeError(err)}`);
        this.o.onFailure(err, paused, kind);
        return;
      }
      if (gen !== this.generation) return;
      this.received++;
      this.o.onHealthy?.();
      const nextUrl = batch.next ?? batch.resume ?? batch.resync;
      if (!nextUrl) return; // parseBatch guarantees one; keeps the type checker honest
      this.url = nextUrl;
      if (batch.skipped > 0) this.o.log?.(`event channel: a batch of ${batch.events.length + batch.skipped} events; the ${batch.skipped} beyond ${batch.events.length} were not read (history sync brings their messages)`);
      if (!batch.next && (batch.resume || batch.resync)) {
        const kind = batch.resume ? 'resume' : 'resync';
        this.queue = this.queue.then(() => this.o.onReset(kind)).catch(() => undefined);
      }
      if (batch.events.length > 0) void this.enqueue(batch);
      // Backpressure: the ack waits while the backlog is over its bound (processing has not begun
      // when this runs — enqueue only chains it — so an ordinary batch is acked at once).
      if (!(await this.roomForMore(gen))) return;
      // Ack before processing: the next P-GET is on the wire while this batch is processed.
      pending = this.get(nextUrl, gen);
      pending.catch(() => undefined); // handled on the next turn; avoid an unhandled rejection meanwhile
    }
  }
}
