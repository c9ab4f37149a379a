// What the server received, across simulator restarts: each incarnation's list is polled often
// (the latest poll replaces the previous one) and, when the incarnation ends, replaced by its exact
// final dump and committed. Fired-fault counters are carried over the same way.
import type { SimDump } from './simServer.ts';

export type Received = SimDump['received'][number];

export class Ledger {
  #committed: Received[] = [];
  #committedFired: Record<string, number> = {};
  #current: Received[] = [];
  #currentFired: Record<string, number> = {};
  /** Incarnations that ended without a final dump (only the last poll of them is counted). */
  lostDumps = 0;

  poll(received: Received[], fired: Record<string, number> | undefined): void {
    // A poll may race a restart and see the new, empty incarnation: never shrink.
    if (received.length >= this.#current.length) this.#current = received;
    if (fired) this.#currentFired = fired;
  }

  /** The incarnation ended: commit its final dump (or the last poll if there is none). */
  endIncarnation(dump: SimDump | undefined): void {
    if (dump) this.poll(dump.received, dump.fired);
    else this.lostDumps += 1;
    this.#committed.push(...this.#current);
    for (const [k, v] of Object.entries(this.#currentFired)) this.#committedFired[k] = (this.#committedFired[k] ?? 0) + v;
    this.#current = [];
    this.#currentFired = {};
  }

  received(): Received[] {
    return [...this.#committed, ...this.#current];
  }

  fired(): Record<string, number> {
    const out = { ...this.#committedFired };
    for (const [k, v] of Object.entries(this.#currentFired)) out[k] = (out[k] ?? 0) + v;
    return out;
  }
}
