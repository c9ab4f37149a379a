// Every simulator timer goes through this clock so that (1) `timeScale` shrinks protocol delays
// for tests and (2) stop()/restart() can clear every pending timer and let node exit.

export type TimerId = ReturnType<typeof setTimeout>;

export class Clock {
  readonly scale: number;
  readonly #timers = new Set<TimerId>();

  constructor(scale: number) {
    this.scale = scale > 0 ? scale : 1;
  }

  now(): number {
    return Date.now();
  }

  /** Protocol milliseconds → real milliseconds. */
  scaled(ms: number): number {
    return Math.max(0, ms * this.scale);
  }

  /** Run after `ms` protocol milliseconds (scaled by timeScale). */
  after(ms: number, fn: () => void): TimerId {
    return this.afterReal(this.scaled(ms), fn);
  }

  /** Run after `ms` real milliseconds (coalescing windows, fault latency: not protocol time). */
  afterReal(ms: number, fn: () => void): TimerId {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  cancel(t: TimerId | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.#timers.delete(t);
  }

  clearAll(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  sleepReal(ms: number): Promise<void> {
    return new Promise((resolve) => this.afterReal(ms, resolve));
  }
}
