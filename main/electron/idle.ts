// Idle time for the core's Away logic (DESIGN.md §4): the OS idle seconds every ~15 s, and the
// screen lock counts as idle at once.
export const IDLE_POLL_MS = 15_000;

export type IdleState = 'active' | 'idle' | 'locked' | 'unknown';

export function idleReport(idleSeconds: number, state: IdleState): { idleSeconds: number; locked: boolean } {
  const secs = Number.isFinite(idleSeconds) && idleSeconds > 0 ? Math.floor(idleSeconds) : 0;
  return { idleSeconds: secs, locked: state === 'locked' };
}

/** A change of connectivity worth a nudge: only transitions, never the first reading. */
export function networkChange(previous: boolean | null, online: boolean): 'network' | null {
  return previous !== null && previous !== online && online ? 'network' : null;
}
