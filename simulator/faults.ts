// Injected faults (types.ts Fault): matched on method + path before any routing, so every
// endpoint (and the event channel) can be made to fail on demand.

import type { Fault } from './types.ts';

interface Entry {
  fault: Fault;
  left: number;
  re: RegExp | undefined;
}

export class Faults {
  #entries: Entry[] = [];
  // Firings per label survive clear(): a soak reads them to count the faults that really happened.
  #fired = new Map<string, number>();

  add(fault: Fault): () => void {
    let re: RegExp | undefined;
    try {
      re = new RegExp(fault.route, 'i');
    } catch {
      re = undefined;
    }
    const entry: Entry = { fault, left: fault.times ?? Infinity, re };
    this.#entries.push(entry);
    return () => {
      this.#entries = this.#entries.filter((e) => e !== entry);
    };
  }

  clear(): void {
    this.#entries = [];
  }

  fired(): Record<string, number> {
    return Object.fromEntries(this.#fired);
  }

  /** The first matching fault with firings left; consumes one firing. */
  take(method: string, path: string): Fault | undefined {
    const lower = path.toLowerCase();
    for (const e of this.#entries) {
      if (e.left <= 0) continue;
      if (e.fault.method && e.fault.method.toUpperCase() !== method) continue;
      const hit = lower.includes(e.fault.route.toLowerCase()) || (e.re?.test(path) ?? false);
      if (!hit) continue;
      e.left -= 1;
      if (e.left <= 0) this.#entries = this.#entries.filter((x) => x !== e);
      const label = e.fault.label ?? `${e.fault.route} ${e.fault.status ?? (e.fault.drop ? 'drop' : e.fault.dropAnswer ? 'dropAnswer' : e.fault.stall ? 'stall' : 'latency')}`;
      this.#fired.set(label, (this.#fired.get(label) ?? 0) + 1);
      return e.fault;
    }
    return undefined;
  }
}
