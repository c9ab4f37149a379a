// GETs gathered into multipart/batching POSTs (PROTOCOL.md §8.4; PROTOCOL-2 §1.11 step 5: "GET
// each contactPresence (batch them)"). Callers ask for one href and get its resource or its error,
// as from client.getJson; underneath, the GETs that become due within `windowMs` of each other go
// as one batch of at most `maxParts`, and a lone one as a plain GET.
//   - One batch in flight at a time: the server's limit is on OUTSTANDING requests per user, so two
//     batches at once would cost what one twice the size costs. GETs due meanwhile wait and join the
//     next batch.
//   - 429 TooManyRequests: nothing was executed. The parts go back to the front of the queue, the
//     batch size halves (the next tries are the two halves, one after the other), and the queue waits
//     `retryMs` doubling per try, or the Retry-After when longer. A part refused `maxAttempts` times
//     fails with the 429. The size grows back by a quarter after each full-size request that succeeds.
//   - No batch link, or a server that answers 404/405/415/501 or a non-multipart success to the
//     batch, or a multipart answer of which no part can be read: no batching, one line in the log,
//     until clear() (a new application) — those parts, and the next, go as single GETs.
//   - Any other failure of the batch (5xx, network, timeout): every part fails with that same error
//     object (the caller can log it once).
// Single GETs run within `concurrency`, as before batching.
import { Semaphore } from './semaphore.ts';
import type { UcwaClient } from '../ucwa/client.ts';
import type { LogFn } from '../ucwa/transport.ts';
import { BadResponseError, NetworkError, UcwaError } from '../ucwa/errors.ts';
import { asResource, type Resource } from '../ucwa/links.ts';
import { partError, postBatchGets } from '../ucwa/batch.ts';
import { describeError, safeUrl } from '../logSafe.ts';

export interface BatchGetsOptions {
  client: () => UcwaClient | null;
  /** The application's `batch` link (null/undefined: the server offers none). */
  batchHref: () => string | null | undefined;
  log: LogFn;
  /** Parts of one batch (1: never batch). */
  maxParts: number;
  windowMs: number;
  retryMs: number;
  /** Single GETs in flight at once. */
  concurrency: number;
  /** Tries of one part against 429 before it fails (default 4). */
  maxAttempts?: number;
}

export interface BatchGetsStats {
  /** Batch POSTs sent, parts in them, plain GETs, batches refused with 429. */
  batches: number;
  batchedParts: number;
  singles: number;
  tooMany: number;
}

interface Item {
  href: string;
  attempts: number;
  resolve(r: Resource): void;
  reject(err: unknown): void;
}

/** Statuses that say "this server does not do batching here" (not: "this batch failed"). */
const NO_BATCHING = new Set([404, 405, 415, 501]);
const MAX_RETRY_WAIT_FACTOR = 32;

export class BatchGets {
  readonly #o: BatchGetsOptions;
  readonly #limit: Semaphore;
  readonly #maxParts: number;
  readonly #maxAttempts: number;
  #queue: Item[] = [];
  #cap: number;
  #inFlight = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #holdUntil = 0;
  /** The batch href that refused batching ('' = none offered), until clear(). */
  #noBatch: string | null = null;
  /** Bumped by clear(): a batch that comes back after it changes nothing of the new state. */
  #gen = 0;
  readonly stats: BatchGetsStats = { batches: 0, batchedParts: 0, singles: 0, tooMany: 0 };

  constructor(o: BatchGetsOptions) {
    this.#o = o;
    this.#limit = new Semaphore(o.concurrency);
    this.#maxParts = Math.max(1, Math.floor(o.maxParts) || 1);
    this.#maxAttempts = Math.max(1, o.maxAttempts ?? 4);
    this.#cap = this.#maxParts;
  }

  /** The resource at `href`, or the error its GET (or its part of a batch) ended with. */
  get(href: string): Promise<Resource> {
    return new Promise<Resource>((resolve, reject) => {
      this.#queue.push({ href, attempts: 0, resolve, reject });
      this.#arm(this.#o.windowMs);
    });
  }

  /**
   * The hrefs are stale (a new application, a sign-out): what waits fails as aborted, the batch in
   * flight finishes for its callers, and batching is tried afresh with the next application.
   */
  clear(): void {
    this.#gen++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#holdUntil = 0;
    this.#cap = this.#maxParts;
    this.#noBatch = null;
    const waiting = this.#queue;
    this.#queue = [];
    const err = new NetworkError('aborted', '', 'the presence reads were reset');
    for (const it of waiting) it.reject(err);
  }

  #arm(ms: number): void {
    if (this.#timer || this.#inFlight) return; // the running batch pumps when it ends
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, Math.max(0, ms));
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#inFlight) {
      const wait = this.#holdUntil - Date.now();
      if (wait > 0) {
        this.#arm(wait);
        return;
      }
      const client = this.#o.client();
      if (!client) {
        const err = new NetworkError('aborted', '', 'signed out');
        for (const it of this.#queue.splice(0)) it.reject(err);
        return;
      }
      const href = this.#batchHref();
      if (href === null || this.#cap <= 1) {
        for (const it of this.#queue.splice(0)) this.#single(client, it);
        return;
      }
      const take = this.#queue.splice(0, this.#cap);
      if (take.length === 1) {
        this.#single(client, take[0]!);
        continue;
      }
      this.#inFlight = true;
      void this.#batch(client, href, take).finally(() => {
        this.#inFlight = false;
        this.#pump();
      });
    }
  }

  /** The batch link to use, or null: none offered, it refused batching, or batches are off. */
  #batchHref(): string | null {
    const href = this.#o.batchHref() ?? '';
    if (this.#maxParts <= 1) return null;
    if (this.#noBatch !== null && this.#noBatch === href) return null;
    if (href === '') {
      this.#noBatching('', 'the application has no batch link');
      return null;
    }
    return href;
  }

  #noBatching(href: string, why: string): void {
    if (this.#noBatch === href) return;
    this.#noBatch = href;
    this.#o.log(`batch: ${why}; people's presence, notes and locations are read one GET at a time for this application`);
  }

  #single(client: UcwaClient, it: Item): void {
    this.stats.singles++;
    this.#limit.use(() => client.getJson(it.href)).then((r) => {
      this.#grew(1);
      it.resolve(r);
    }, it.reject);
  }

  /** A request of `n` parts succeeded: after a 429 the size grows back by a quarter per full one. */
  #grew(n: number): void {
    if (n >= this.#cap && this.#cap < this.#maxParts) this.#cap = Math.min(this.#maxParts, this.#cap + Math.max(1, Math.floor(this.#cap / 4)));
  }

  async #batch(client: UcwaClient, href: string, items: Item[]): Promise<void> {
    try {
      client.resolve(href);
    } catch {
      // A batch link the origin guard refuses (it points off the pool) is no batch link.
      this.#noBatching(href, 'the batch link is not on the pool');
      this.#queue.unshift(...items);
      return;
    }
    // Each part passes the client's origin guard alone: a foreign href fails by itself, not the batch.
    const parts: Item[] = [];
    const urls: string[] = [];
    for (const it of items) {
      try {
        urls.push(client.resolve(it.href));
        parts.push(it);
      } catch (err) {
        it.reject(err);
      }
    }
    if (parts.length <= 1) {
      for (const it of parts) this.#single(client, it);
      return;
    }
    this.stats.batches++;
    this.stats.batchedParts += parts.length;
    const gen = this.#gen;
    const stale = () => {
      // clear() came while the batch was out: its callers have gone, nothing is tried again.
      const err = new NetworkError('aborted', '', 'the presence reads were reset');
      for (const it of parts) it.reject(err);
    };
    let answer: Awaited<ReturnType<typeof postBatchGets>>;
    try {
      answer = await postBatchGets(client, href, urls);
    } catch (err) {
      if (gen !== this.#gen) return stale();
      if (err instanceof UcwaError && err.status === 429) return this.#tooMany(parts, err);
      if (err instanceof UcwaError && NO_BATCHING.has(err.status)) {
        this.#noBatching(href, `the server answered ${err.status} to a batch`);
        this.#queue.unshift(...parts); // nothing was executed: they go again, one GET each
        return;
      }
      for (const it of parts) it.reject(err);
      return;
    }
    if (gen !== this.#gen) return stale();
    if (answer.kind === 'notBatching') {
      this.#noBatching(href, `the server answered a batch with ${answer.status} and no multipart body`);
      this.#queue.unshift(...parts);
      return;
    }
    if (answer.parts.every((p) => !p.ok)) {
      // Nothing readable at all: a server whose batches this parser cannot read, not one bad part.
      // GETs are safe to repeat, so those parts go again one by one.
      const first = answer.parts[0];
      this.#noBatching(href, `no part of a batch answer could be read (${answer.problem ?? (first && !first.ok ? first.problem : 'no parts')})`);
      this.#queue.unshift(...parts);
      return;
    }
    if (answer.problem) this.#o.log(`batch: the answer to ${parts.length} GETs was not whole (${answer.problem}); the parts missing are skipped`);
    this.#grew(parts.length);
    parts.forEach((it, i) => {
      const part = answer.parts[i];
      const url = urls[i] ?? '';
      if (!part || !part.ok) {
        it.reject(new BadResponseError('malformed', `part ${i + 1} of the batch answer for ${safeUrl(url)}: ${part?.problem ?? 'missing'}`));
      } else if (part.status >= 400) {
        it.reject(partError(part, url));
      } else {
        const body = part.status >= 200 && part.status < 300 ? asResource(part.json) : null;
        if (body) it.resolve(body);
        else it.reject(new BadResponseError('malformed', `part ${i + 1} of the batch answer for ${safeUrl(url)}: ${part.status} without a JSON resource`));
      }
    });
  }

  #tooMany(parts: Item[], err: UcwaError): void {
    this.stats.tooMany++;
    this.#cap = Math.max(1, Math.ceil(parts.length / 2));
    const again: Item[] = [];
    for (const it of parts) {
      if (++it.attempts >= this.#maxAttempts) it.reject(err);
      else again.push(it);
    }
    this.#queue.unshift(...again);
    const tries = Math.max(1, ...again.map((it) => it.attempts));
    const wait = Math.max(err.retryAfterMs ?? 0, this.#o.retryMs * Math.min(MAX_RETRY_WAIT_FACTOR, 2 ** (tries - 1)));
    this.#holdUntil = Date.now() + wait;
    this.#o.log(`batch: ${parts.length} GETs refused with 429 (${describeError(err)}); ${again.length} tried again in batches of ${this.#cap} after ${wait} ms`);
  }
}
