// A clock that ticks on the minute, for words that age ("Away 20 min" becomes "Away 21 min" while
// the window stays open). One timer for the whole window, running only while something shows such
// words; each subscriber re-renders once a minute, not once a second.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setTimeout> | null = null;

function arm(): void {
  // To the next whole minute (plus a little, so the minute has turned when we read it).
  timer = setTimeout(() => {
    now = Date.now();
    for (const l of [...listeners]) l();
    arm();
  }, 60_000 - (Date.now() % 60_000) + 50);
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  if (!timer) { now = Date.now(); arm(); }
  return () => {
    listeners.delete(l);
    if (!listeners.size && timer) { clearTimeout(timer); timer = null; }
  };
}

const never = (): (() => void) => () => {};

/** The time of this render; while `live`, the component renders again each minute (no timer otherwise). */
export function useMinuteClock(live: boolean): number {
  useSyncExternalStore(live ? subscribe : never, () => (live ? now : 0));
  return Date.now();
}
