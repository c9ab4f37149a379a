import { useEffect, useRef, useState } from 'react';
import type { EventName, EventPayload } from '../main/ipc/contract.ts';
import { on } from './api.ts';

/** Subscribe to a main-process event for the component's lifetime (latest listener, one subscription). */
export function useUcwaEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => on(event, (p) => ref.current(p)), [event]);
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Arrow/Home/End/Page keys over a list of `count` rows; returns the new index or null. */
export function listKey(key: string, index: number, count: number, page = 8): number | null {
  if (!count) return null;
  switch (key) {
    case 'ArrowDown': return Math.min(count - 1, index < 0 ? 0 : index + 1);
    case 'ArrowUp': return Math.max(0, index < 0 ? 0 : index - 1);
    case 'Home': return 0;
    case 'End': return count - 1;
    case 'PageDown': return Math.min(count - 1, Math.max(0, index) + page);
    case 'PageUp': return Math.max(0, index - page);
    default: return null;
  }
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
/** Ctrl on Windows/Linux, Cmd on macOS. */
export const modKey = (e: { ctrlKey: boolean; metaKey: boolean }): boolean => (isMac ? e.metaKey : e.ctrlKey);
