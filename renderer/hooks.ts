import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { EventName, EventPayload } from '../main/ipc/contract.ts';
import { on, safe, ucwa } from './api.ts';

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

/**
 * Tell the app which conversation this window shows to the user while it is visible and focused,
 * so messages arriving in it are read as they arrive (no "New", no tray count, no notification).
 * Coming back to the window marks what arrived meanwhile read.
 */
export function useReading(conversationId: number | null): void {
  useEffect(() => {
    if (conversationId === null) return;
    let reading = false;
    // The event says what happened (hasFocus() may lag the blur event); the state decides otherwise.
    const update = (e?: Event) => {
      const focused = e?.type === 'blur' ? false : e?.type === 'focus' ? true : document.hasFocus();
      const now = document.visibilityState === 'visible' && focused;
      if (now === reading) return;
      reading = now;
      void safe(() => ucwa().setReading(now ? conversationId : null));
      if (now) {
        void safe(() => ucwa().getConversation(conversationId)).then((c) => {
          if (c.ok && c.value?.unread) void safe(() => ucwa().markRead(conversationId));
        });
      }
    };
    update();
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
      if (reading) void safe(() => ucwa().setReading(null));
    };
  }, [conversationId]);
}

const darkQuery = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
/** Whether the dark theme is on, following the system as it changes (senders' colours are re-checked). */
export function useDarkTheme(): boolean {
  return useSyncExternalStore(
    (cb) => { darkQuery?.addEventListener('change', cb); return () => darkQuery?.removeEventListener('change', cb); },
    () => darkQuery?.matches ?? false,
  );
}

/**
 * A ref that focuses its element once, when it is mounted: what `autoFocus` means in React. Used
 * instead of the attribute because the bundle renders with Preact (scripts/rendererAlias.mjs), which
 * sets the HTML `autofocus` attribute, and browsers honour that only for elements present at page
 * load — a field shown later (the sign-in window's server field) would stay unfocused.
 */
export function focusOnMount(el: HTMLElement | null): void {
  el?.focus();
}
