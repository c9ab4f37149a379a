// The event channel (PROTOCOL.md §3): exactly one P-GET parked at all times. The GET for `next`
// goes out BEFORE the batch is processed (that GET is the ack), and batches are processed strictly
// in order through one serial queue. A failed P-GET pauses the loop on the SAME url (same ack: the
// server re-delivers the unacknowledged batch); the owner decides when to resume (backoff lives in
// the session machine). Every failure but our own abort is reported through onFailure with its
// kind (channelFailureKind): a paused channel waits for resume(); any other kind stops it for good,
// and the owner must act (recreate the application, sign in again from discovery, or give up).
import { isAbort, SignInError, UcwaError } from './errors.ts';
import { parseBatch, type EventBatch } from './events.ts';
import type { UcwaClient } from './client.ts';
import type { LogFn } from './transport.ts';
import { redact } from './redact.ts';

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
  }

  stop(): void {
    this.state = 'stopped';
    this.generation++;
    this.controller?.abort();
  }

  /** Resolves when every batch received so far has been processed. */
  drain(): Promise<void> {
    return this.queue;
  }

  /** Feed a batch through the same processing queue (the bench pushes in-process batches). */
  enqueue(batch: EventBatch): Promise<void> {
    this.queue = this.queue.then(() => this.o.onBatch(batch)).catch((err: unknown) => {
      this.o.log?.(`event batch processing failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    return this.queue;
  }

  private get(url: string, gen: number): Promise<EventBatch> {
    const controller = new AbortController();
    if (gen === this.generation) this.controller = controller;
    return this.o.client
      .getJson(url, { query: { timeout: String(this.o.timeoutSec) }, timeoutMs: this.o.clientTimeoutMs, signal: controller.signal })
      .then(parseBatch);
  }

  private async loop(gen: number): Promise<void> {
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
        this.o.log?.(redact(`event channel ${paused ? 'paused' : 'stopped'} (${kind}): ${err instanceof Error ? err.message : String(err)}`));
        this.o.onFailure(err, paused, kind);
        return;
      }
      if (gen !== this.generation) return;
      this.received++;
      this.o.onHealthy?.();
      const nextUrl = batch.next ?? batch.resume ?? batch.resync;
      if (!nextUrl) return; // parseBatch guarantees one; keeps the type checker honest
      this.url = nextUrl;
      // Ack first: the next P-GET is on the wire before this batch is processed.
      pending = this.get(nextUrl, gen);
      pending.catch(() => undefined); // handled on the next turn; avoid an unhandled rejection meanwhile
      if (!batch.next && (batch.resume || batch.resync)) {
        const kind = batch.resume ? 'resume' : 'resync';
        this.queue = this.queue.then(() => this.o.onReset(kind)).catch(() => undefined);
      }
      if (batch.events.length > 0) void this.enqueue(batch);
    }
  }
}
