// A contact's presence, note and location read again when the server says they changed
// (PROTOCOL-2 §1.5, §1.11 step 6): the embedded copy when the event carries one, else one GET —
// bursts coalesced per contact and part (ten presence events for Mei while her GET waits are one
// GET), parts of one contact applied to the store in the order their events came, different contacts
// in parallel. The GETs of many contacts that fall due together (the burst after a subscription,
// §1.8) go as multipart/batching POSTs (batchGets.ts, PROTOCOL.md §8.4); a lane still waits for its
// own part before asking for its next, so batching changes the number of requests, not the order.
// Never throws: a failed GET is a log line.
import { BatchGets } from './batchGets.ts';
import { defaultTiming, type ServiceTiming } from './deps.ts';
import type { LogFn } from '../ucwa/transport.ts';
import type { UcwaClient } from '../ucwa/client.ts';
import { isAbort, UcwaError } from '../ucwa/errors.ts';
import type { Resource } from '../ucwa/links.ts';
import { parseLocation, parseNote, parsePresence, presencePatch } from '../ucwa/presence.ts';
import type { PersonPatch, Store } from '../store/types.ts';
import { describeError } from '../logSafe.ts';

export type ContactPart = 'contactPresence' | 'contactNote' | 'contactLocation';

interface Pending { href: string; resource: Resource | null }

interface Lane {
  /** Parts waiting, in the order their first event came; a later event only refreshes its entry. */
  pending: Map<ContactPart, Pending>;
  running: boolean;
}

export interface ContactPartsOptions {
  store: Store;
  client: () => UcwaClient | null;
  /** The application's `batch` link, when it has one (none: single GETs). */
  batchHref?: () => string | null | undefined;
  /** presenceFetchConcurrency bounds single GETs; the batch knobs default to defaultTiming's. The
   * service hands the people layer its whole timing, so they arrive here through People's `timing`. */
  timing: Pick<Required<ServiceTiming>, 'presenceFetchConcurrency'> & Pick<ServiceTiming, 'presenceBatchParts' | 'presenceBatchWindowMs' | 'presenceBatchRetryMs'>;
  log: LogFn;
}

export function patchOf(part: ContactPart, r: Resource): PersonPatch {
  if (part === 'contactPresence') return { presence: presencePatch(parsePresence(r)) };
  if (part === 'contactNote') {
    const n = parseNote(r);
    return { note: { message: n.message, type: n.type } };
  }
  return { location: parseLocation(r).location };
}

export class ContactParts {
  readonly #o: ContactPartsOptions;
  readonly #lanes = new Map<string, Lane>();
  readonly #gets: BatchGets;
  #gen = 0;
  #idle: (() => void)[] = [];
  readonly #idleFor = new Map<string, (() => void)[]>();
  /** The last error logged: the parts of one failed batch share it, and are one log line. */
  #lastLogged: unknown = null;
  /** GETs asked for, batched or not (tests and the bench count them; batches: `batchStats`). */
  gets = 0;

  constructor(o: ContactPartsOptions) {
    this.#o = o;
    const t = o.timing;
    this.#gets = new BatchGets({
      client: o.client,
      batchHref: o.batchHref ?? (() => null),
      log: o.log,
      concurrency: t.presenceFetchConcurrency,
      maxParts: t.presenceBatchParts ?? defaultTiming.presenceBatchParts,
      windowMs: t.presenceBatchWindowMs ?? defaultTiming.presenceBatchWindowMs,
      retryMs: t.presenceBatchRetryMs ?? defaultTiming.presenceBatchRetryMs,
    });
  }

  /** Batch POSTs, parts in them, plain GETs, 429s (tests). */
  get batchStats(): Readonly<BatchGets['stats']> {
    return this.#gets.stats;
  }

  /** The server said this part of this person changed (`resource`: its embedded copy, if any). */
  enqueue(sip: string, part: ContactPart, href: string, resource: Resource | null): void {
    let lane = this.#lanes.get(sip);
    if (!lane) this.#lanes.set(sip, (lane = { pending: new Map(), running: false }));
    const known = lane.pending.get(part);
    // An embedded copy is the newest value; a bare "updated" over a waiting one changes nothing.
    if (!known || resource) lane.pending.set(part, { href, resource: resource ?? known?.resource ?? null });
    if (!lane.running) void this.#run(sip, lane, this.#gen);
  }

  /** The hrefs are stale: waiting work is dropped (running GETs finish, their results unused). */
  reset(): void {
    this.#gen++;
    this.#lanes.clear();
    this.#gets.clear();
    this.#settle();
  }

  /** Resolves when nothing is waiting or running (tests). */
  idle(): Promise<void> {
    if (this.#lanes.size === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  /** Resolves when nothing is waiting or running for this person (a card opened): other people's
   * reads — the sign-in's thousand — are not waited for. */
  idleFor(sip: string): Promise<void> {
    if (!this.#lanes.has(sip)) return Promise.resolve();
    return new Promise((r) => {
      let list = this.#idleFor.get(sip);
      if (!list) this.#idleFor.set(sip, (list = []));
      list.push(r);
    });
  }

  #settle(): void {
    for (const [sip, waiting] of this.#idleFor) {
      if (this.#lanes.has(sip)) continue;
      this.#idleFor.delete(sip);
      for (const r of waiting) r();
    }
    if (this.#lanes.size > 0) return;
    for (const r of this.#idle.splice(0)) r();
  }

  async #run(sip: string, lane: Lane, gen: number): Promise<void> {
    lane.running = true;
    try {
      while (lane.pending.size > 0 && gen === this.#gen) {
        const [part, job] = lane.pending.entries().next().value as [ContactPart, Pending];
        lane.pending.delete(part);
        const body = job.resource ?? await this.#get(job.href);
        if (!body || gen !== this.#gen) continue;
        try {
          await this.#o.store.patchPerson(sip, patchOf(part, body));
        } catch (err) {
          this.#o.log(`${part}: storing it failed: ${describeError(err)}`);
        }
      }
    } finally {
      lane.running = false;
      if (this.#lanes.get(sip) === lane && lane.pending.size === 0) this.#lanes.delete(sip);
      this.#settle();
    }
  }

  async #get(href: string): Promise<Resource | null> {
    const client = this.#o.client();
    if (!client) return null;
    try {
      this.gets++;
      return await this.#gets.get(href);
    } catch (err) {
      // 403 (no permission to see this person), 404 (gone), the network: skip, the next event retries.
      // Aborted: reset() or a sign-out dropped it, nothing to say.
      if (isAbort(err) || err === this.#lastLogged) return null;
      this.#lastLogged = err;
      const status = err instanceof UcwaError ? ` (${err.status})` : '';
      this.#o.log(`GET of a contact's presence/note/location failed${status}, skipped: ${describeError(err)}`);
      return null;
    }
  }
}
