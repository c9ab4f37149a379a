// The popup's queue of conversations to step through (pure; Popup.tsx holds it in state).
import type { Conversation } from '../main/ipc/contract.ts';

/** Only unread conversations with activity in the last day: the history sync brings in missed
 * conversations of months ago (still unread), which are not something to answer from a popup. A day
 * rather than "since sign-in": the tray signs in at login, so messages sent while the computer was
 * off overnight — the ones most worth a quick reply — would be cut by a sign-in bound. */
export const RECENT_MS = 24 * 60 * 60 * 1000;

export function recentOnly(latest: Conversation[], now: number): Conversation[] {
  return latest.filter((c) => c.lastActivityAt >= now - RECENT_MS);
}

/**
 * The next queue from the previous one and the fresh unread list. Order is stable: what was already
 * there keeps its place (a new message never moves the view or the reply target), fresh rows replace
 * their old copies, entries no longer unread go unless `keep` holds them (the one shown, ones with a
 * draft), and new arrivals go at the end, newest first. `arrived` lists those new arrivals.
 */
export function mergeQueue(old: Conversation[] | null, latest: Conversation[], keep: ReadonlySet<number>): { queue: Conversation[]; arrived: Conversation[] } {
  if (old === null) return { queue: latest, arrived: [] };
  const fresh = new Map(latest.map((c) => [c.id, c]));
  const had = new Set(old.map((c) => c.id));
  const stay = old.flatMap((c) => {
    const f = fresh.get(c.id);
    return f ? [f] : keep.has(c.id) ? [c] : [];
  });
  const arrived = latest.filter((c) => !had.has(c.id));
  return { queue: [...stay, ...arrived], arrived };
}

/** `c` at the end of the queue (an invitation the unread list does not hold), unless already in it. */
export function addArrival(queue: Conversation[], c: Conversation): { queue: Conversation[]; arrived: Conversation | null } {
  if (queue.some((o) => o.id === c.id)) return { queue, arrived: null };
  return { queue: [...queue, c], arrived: c };
}
