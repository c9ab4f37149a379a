// Every simulator timer goes through this clock so that (1) `timeScale` shrinks protocol delays
// for tests and (2) stop()/restart() can clear every pending timer and let node exit.

export type TimerId = ReturnType<typeof setTimeout>;

export class Clock {
  readonly scale: number;
  readonly #timers = new Set<TimerId>();
  #halted = false;

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
    if (this.#halted) {
      // Stopping: connections closing now must not arm fresh timers that keep node alive.
      const dead = setTimeout(() => undefined, 0);
      clearTimeout(dead);
      return dead;
    }
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

  /** Clear every timer and refuse new ones until resume() (stop/restart). */
  halt(): void {
    this.#halted = true;
    this.clearAll();
  }

  resume(): void {
    this.#halted = false;
  }

  clearAll(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  sleepReal(ms: number): Promise<void> {
    return new Promise((resolve) => this.afterReal(ms, resolve));
  }
}
