// The simulated day: what time it is for the people of the simulator. It starts at `dayStart` and
// runs at the clock's timeScale, so a test at timeScale 0.001 lives a whole working day in 86 s and
// a demo at timeScale 1 lives it in real time. Protocol time, like every other simulator timer.

import type { Clock } from './clock.ts';

export const DAY_MS = 86_400_000;

export class DayClock {
  readonly #clock: Clock;
  readonly #t0: number;
  readonly #startMs: number;
  readonly #frozen: boolean;

  constructor(clock: Clock, dayStartMs: number, frozen: boolean) {
    this.#clock = clock;
    this.#t0 = clock.now();
    this.#startMs = dayStartMs;
    this.#frozen = frozen;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  /** Protocol ms since midnight of simulated day 0. */
  now(): number {
    if (this.#frozen) return this.#startMs;
    return this.#startMs + (this.#clock.now() - this.#t0) / this.#clock.scale;
  }

  dayIndex(at = this.now()): number {
    return Math.floor(at / DAY_MS);
  }

  /** Protocol ms since the simulated midnight. */
  timeOfDay(at = this.now()): number {
    return at - this.dayIndex(at) * DAY_MS;
  }

  /** The real epoch ms at which simulated instant `at` happens (or happened). */
  realAt(at: number): number {
    const now = this.now();
    return Math.round(this.#clock.now() - (now - at) * this.#clock.scale);
  }
}

/** Protocol ms of the day → "HH:MM". */
export function hhmm(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
