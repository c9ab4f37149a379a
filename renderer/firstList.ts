// The history window's first page of chats, asked for before React renders: the IPC
// round trip then overlaps the bundle's first render instead of following it (the list is what
// the user waits for when the window opens — issue 12's < 150 ms target). Taken once.
import type { Chat, Result } from '../main/ipc/contract.ts';

interface Page<T> { items: T[]; next: string | null }
import { safe, ucwa } from './api.ts';

export const FIRST_PAGE = 60;
let pending: Promise<Result<Page<Chat>>> | null = null;

export function prefetchFirstList(): void {
  pending = safe(() => ucwa().listChats({ filter: 'all', limit: FIRST_PAGE }));
}

/** The prefetched first page of the 'all' filter, once; null afterwards or for another filter. */
export function takeFirstList(filter: string): Promise<Result<Page<Chat>>> | null {
  if (filter !== 'all' || !pending) return null;
  const p = pending;
  pending = null;
  return p;
}
