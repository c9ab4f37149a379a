// The window's copy of the people it shows (issue 13): one card per SIP address, filled by the
// calls that return cards (contactList, findPeople, person) and kept live by the 'person' events.
// Components read it with usePerson(sip) and re-render only when that person changes. The core's
// store owns the facts; this is a read-through cache of them, never written from anywhere else.
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { PersonCard, Photo, WatchReasonIpc } from '../main/ipc/contract.ts';
import { on, safe, ucwa } from './api.ts';
import { onAccountChange } from './accountReset.ts';

const cards = new Map<string, PersonCard>();
const listeners = new Map<string, Set<() => void>>();
let offPerson: (() => void) | null = null;

/** SIP addresses are compared as the core keys them: "sip:" and lower case. */
export function sipKey(sip: string): string {
  const s = sip.trim().toLowerCase();
  return s.startsWith('sip:') ? s : `sip:${s}`;
}

function notify(key: string): void {
  for (const l of listeners.get(key) ?? []) l();
}

/** Take cards the window read (a list, a search, a card): they replace what was held. */
export function rememberCards(list: readonly PersonCard[]): void {
  for (const c of list) {
    const key = sipKey(c.sip);
    if (cards.get(key) === c) continue;
    cards.set(key, c);
    notify(key);
  }
}

function listen(): void {
  if (offPerson) return;
  offPerson = on('person', (card) => rememberCards([card]));
}

export function cardOf(sip: string): PersonCard | undefined {
  return cards.get(sipKey(sip));
}

function subscribe(key: string, l: () => void): () => void {
  listen();
  let set = listeners.get(key);
  if (!set) listeners.set(key, (set = new Set()));
  set.add(l);
  return () => {
    set.delete(l);
    if (set.size === 0) listeners.delete(key);
  };
}

const asked = new Set<string>();
/** Bumped when everything held is forgotten (another account): shown cards and photos are asked for again. */
let epoch = 0;
const epochListeners = new Set<() => void>();
function subscribeEpoch(l: () => void): () => void {
  epochListeners.add(l);
  return () => void epochListeners.delete(l);
}
const useEpoch = (): number => useSyncExternalStore(subscribeEpoch, () => epoch);

/**
 * The person's card as the window knows it, live. `fetch`: ask the core once for a card not held
 * (a participant of a conversation the contact list doesn't hold).
 */
export function usePerson(sip: string | null | undefined, opts: { fetch?: boolean } = {}): PersonCard | undefined {
  const key = sip ? sipKey(sip) : '';
  const card = useSyncExternalStore(
    (l) => (key ? subscribe(key, l) : () => undefined),
    () => (key ? cards.get(key) : undefined),
  );
  const wantFetch = opts.fetch === true;
  const since = useEpoch();
  useEffect(() => {
    if (!key || !wantFetch || cards.has(key) || asked.has(key)) return;
    asked.add(key);
    const at = epoch;
    void safe(() => ucwa().person(key)).then((r) => {
      if (r.ok && r.value && at === epoch) rememberCards([r.value]);
    });
  }, [key, wantFetch, since]);
  return card;
}

/**
 * Keep these people's presence live while the component shows them (search results, a card, the
 * rows on screen). One set per window and reason in the core: the last call wins, so a reason
 * belongs to one component at a time.
 */
export function useWatchPeople(sips: readonly string[], reason: WatchReasonIpc): void {
  const joined = [...new Set(sips.map(sipKey))].sort().join('\n');
  useEffect(() => {
    const list = joined ? joined.split('\n').slice(0, 500) : [];
    watching.set(reason, list);
    void safe(() => ucwa().watchPeople(list, reason));
  }, [joined, reason]);
  useEffect(() => () => {
    watching.delete(reason);
    void safe(() => ucwa().watchPeople([], reason));
  }, [reason]);
}

/** What each reason last sent, so that another account's service is asked for the same people. */
const watching = new Map<WatchReasonIpc, string[]>();

// --- photos: fetched once per person per window (the core caches them on disk by ETag) ---
const photos = new Map<string, string | null>();
const photoWaiters = new Map<string, Promise<string | null>>();

function toUrl(p: Photo | null): string | null {
  return p ? `data:${p.mime};base64,${p.base64}` : null;
}

/** A data: URL of the person's photo, or null (initials). `known`: the card says there is one. */
export function usePhoto(sip: string | null | undefined, known: boolean): string | null {
  const key = sip ? (sip === 'me' ? 'me' : sipKey(sip)) : '';
  const [url, setUrl] = useState<string | null>(() => (key ? (photos.get(key) ?? null) : null));
  const since = useEpoch();
  useEffect(() => {
    if (!key || !known) return;
    if (photos.has(key)) {
      setUrl(photos.get(key) ?? null);
      return;
    }
    // Not the photo of another person (or of the account before a switch) while this one comes.
    setUrl(null);
    let live = true;
    let waiting = photoWaiters.get(key);
    if (!waiting) {
      const askedIn = epoch;
      const w: Promise<string | null> = safe(() => ucwa().personPhoto(key)).then((r) => {
        const u = r.ok ? toUrl(r.value) : null;
        // An answer for the account before a switch is not kept.
        if (askedIn === epoch) photos.set(key, u);
        if (photoWaiters.get(key) === w) photoWaiters.delete(key);
        return u;
      });
      waiting = w;
      photoWaiters.set(key, waiting);
    }
    const mine = epoch;
    void waiting.then((u) => live && mine === epoch && setUrl(u));
    return () => {
      live = false;
    };
  }, [key, known, since]);
  return known ? url : null;
}

/** Tests and a change of account: forget everything held (the components showing it re-render). */
export function clearPeopleCache(): void {
  const held = [...cards.keys()];
  cards.clear();
  asked.clear();
  photos.clear();
  photoWaiters.clear();
  epoch++;
  for (const key of held) notify(key);
  for (const l of epochListeners) l();
}

/** The watches as this window holds them, sent again (to the service of the account now open). */
function resendWatches(): void {
  for (const [reason, list] of watching) if (list.length > 0) void safe(() => ucwa().watchPeople(list, reason));
}

onAccountChange(({ soft }) => {
  if (!soft) clearPeopleCache();
  resendWatches();
});
