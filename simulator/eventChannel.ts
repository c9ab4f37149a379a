// One application's event channel (PROTOCOL §3 "Simulator must"): numbered batches, re-delivery
// on the same ack, resync for any other ack, one parked P-GET, empty release on timeout.

import type { ServerResponse } from 'node:http';
import type { Clock, TimerId } from './clock.ts';
import { errorBody } from './errors.ts';

export interface LinkRef {
  rel: string;
  href: string;
  title?: string;
}

export interface UcwaEvent {
  sender: { rel: string; href: string };
  link: LinkRef;
  type: 'added' | 'updated' | 'deleted' | 'started' | 'completed';
  in?: LinkRef;
  embedded?: unknown;
  status?: string;
  reason?: { code: string; subcode?: string; message?: string };
  /** Medium and Low events (presence, subscriptions, system groups) may be held for aggregation; High (the default) release at once. */
  priority?: 'high' | 'medium' | 'low';
}

interface Parked {
  res: ServerResponse;
  timer: TimerId | undefined;
}

/** Real milliseconds a release waits so that a burst of events lands in one batch. */
const COALESCE_MS = 4;

export interface ChannelHooks {
  onPark(): void;
  onRelease(): void;
}

export class EventChannel {
  readonly #clock: Clock;
  readonly #eventsHref: string;
  readonly #hooks: ChannelHooks;
  #queue: UcwaEvent[] = [];
  #delivered = 0; // D: number of the last batch handed out
  #acked = true;
  #last: string | undefined; // JSON of batch D, for re-delivery
  #parked: Parked | undefined;
  #flushTimer: TimerId | undefined;
  #timeoutSec: number;
  #mediumSec = 5;
  /** The server tore down transient state: the next new batch carries `resume`, not `next`. */
  #resume = false;
  /** Last time a P-GET was parked or released (drives CallbackChannelError). */
  lastSeen: number;

  constructor(clock: Clock, eventsHref: string, defaultTimeoutSec: number, hooks: ChannelHooks) {
    this.#clock = clock;
    this.#eventsHref = eventsHref;
    this.#timeoutSec = defaultTimeoutSec;
    this.#hooks = hooks;
    this.lastSeen = clock.now();
  }

  get parked(): boolean {
    return this.#parked !== undefined;
  }

  isAlive(deadMs: number): boolean {
    return this.#parked !== undefined || this.#clock.now() - this.lastSeen <= deadMs;
  }

  #href(ack: number): string {
    return `${this.#eventsHref}?ack=${ack}`;
  }

  push(...all: UcwaEvent[]): void {
    const events = all.filter((e) => !this.#merges(e));
    if (events.length === 0) return;
    this.#queue.push(...events);
    if (!this.#parked) return;
    const high = events.some((e) => (e.priority ?? 'high') === 'high');
    const wait = high ? COALESCE_MS : this.#clock.scaled(this.#mediumSec * 1000);
    if (this.#flushTimer !== undefined && !high) return;
    this.#clock.cancel(this.#flushTimer);
    this.#flushTimer = this.#clock.afterReal(wait, () => {
      this.#flushTimer = undefined;
      this.#release();
    });
  }

  /**
   * A held `updated` without data (contactPresence, contactNote, …) that repeats one still waiting
   * in the queue adds nothing: the client GETs the resource once for the batch anyway. This is the
   * per-resource merging PROTOCOL-2 §1.8 allows for Medium events.
   */
  #merges(e: UcwaEvent): boolean {
    if (e.type !== 'updated' || e.embedded !== undefined || (e.priority ?? 'high') === 'high') return false;
    return this.#queue.some((q) => q.type === 'updated' && q.embedded === undefined && q.sender.href === e.sender.href && q.link.rel === e.link.rel && q.link.href === e.link.href && q.in?.href === e.in?.href);
  }

  /** Idle teardown (PROTOCOL §3.3): drop queued events about dropped state; flag the next batch. */
  markResume(): void {
    this.#queue = [];
    this.#resume = true;
  }

  /** Handle GET events?ack=K. */
  handle(ack: number, query: URLSearchParams, res: ServerResponse): void {
    if (this.#parked) {
      const old = this.#parked;
      this.#unpark();
      sendJson(old.res, 409, errorBody(409, 'PGetReplaced'));
    }
    const timeout = Number(query.get('timeout'));
    if (query.has('timeout') && timeout > 0) this.#timeoutSec = timeout;
    const medium = Number(query.get('medium'));
    if (query.has('medium') && medium > 0) this.#mediumSec = medium;
    this.lastSeen = this.#clock.now();

    if (ack === this.#delivered && this.#last !== undefined) {
      sendRaw(res, 200, this.#last);
      this.#hooks.onRelease();
      return;
    }
    if (ack !== this.#delivered + 1) {
      const first = this.#acked ? this.#delivered + 1 : this.#delivered;
      sendJson(res, 200, { _links: { resync: { href: this.#href(first) } } });
      this.#hooks.onRelease();
      return;
    }
    this.#acked = true;
    this.#last = undefined;
    if (this.#queue.length > 0 || this.#resume) {
      sendRaw(res, 200, this.#build());
      this.#hooks.onRelease();
      return;
    }
    const parked: Parked = { res, timer: undefined };
    parked.timer = this.#clock.after(this.#timeoutSec * 1000, () => {
      if (this.#parked === parked) this.#release();
    });
    this.#parked = parked;
    res.on('close', () => {
      if (this.#parked === parked) {
        this.#unpark();
        this.#hooks.onRelease();
      }
    });
    this.#hooks.onPark();
  }

  #unpark(): void {
    if (!this.#parked) return;
    this.#clock.cancel(this.#parked.timer);
    this.#parked = undefined;
    this.lastSeen = this.#clock.now();
  }

  #release(): void {
    const parked = this.#parked;
    if (!parked) return;
    this.#unpark();
    sendRaw(parked.res, 200, this.#build());
    this.#hooks.onRelease();
  }

  #build(): string {
    this.#delivered += 1;
    this.#acked = false;
    const follow = this.#resume ? 'resume' : 'next';
    this.#resume = false;
    const body: Record<string, unknown> = {
      _links: { self: { href: this.#href(this.#delivered) }, [follow]: { href: this.#href(this.#delivered + 1) } },
    };
    const events = this.#queue;
    this.#queue = [];
    if (events.length > 0) body.sender = groupBySender(events);
    this.#last = JSON.stringify(body);
    return this.#last;
  }

  /** Application terminated/deleted: answer a parked P-GET with the given error (or drop it). */
  close(status?: number, subcode?: string): void {
    const parked = this.#parked;
    this.#clock.cancel(this.#flushTimer);
    if (!parked) return;
    this.#unpark();
    if (status) sendJson(parked.res, status, errorBody(status, subcode));
    else parked.res.destroy();
  }
}

function groupBySender(events: UcwaEvent[]): unknown[] {
  const blocks: { rel: string; href: string; events: unknown[] }[] = [];
  for (const e of events) {
    let block = blocks[blocks.length - 1];
    if (!block || block.rel !== e.sender.rel || block.href !== e.sender.href) {
      block = { rel: e.sender.rel, href: e.sender.href, events: [] };
      blocks.push(block);
    }
    const out: Record<string, unknown> = { link: e.link };
    if (e.in) out.in = e.in;
    if (e.embedded !== undefined) out._embedded = { [e.link.rel]: e.embedded };
    if (e.status) out.status = e.status;
    if (e.reason) out.reason = e.reason;
    out.type = e.type;
    block.events.push(out);
  }
  return blocks;
}

function sendRaw(res: ServerResponse, status: number, json: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(json);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, JSON.stringify(body));
}
