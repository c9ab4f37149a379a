// The window's copy of the contact list's groups (issue 13): read once from the core's cache
// (`contactList()`, shown at once, even signed out) and kept live by the 'contactList' events. The
// People view and the contact card (is this person a favourite?) read the same copy. The cards of
// the people come with it and go to peopleCache, which keeps them live by the 'person' events.
import { useSyncExternalStore } from 'react';
import type { ContactGroup, IpcError } from '../main/ipc/contract.ts';
import { on, safe, ucwa } from './api.ts';
import { rememberCards, sipKey } from './peopleCache.ts';
import { firstContactsNow, takeFirstContacts } from './firstList.ts';
import { onAccountChange } from './accountReset.ts';

export interface ContactGroupsState {
  /** null until the first answer. */
  groups: ContactGroup[] | null;
  error: IpcError | null;
}

let state: ContactGroupsState = { groups: null, error: null };
/** The early answer (prefetch.js) is taken into `state` on the first read, before the first render. */
let seeded = false;
const listeners = new Set<() => void>();
let started = false;
/** Bumped by every change that comes from the core, so a slower, older answer never wins. */
let generation = 0;
/** Another account signed in since the window started: the early answer (prefetch.js) is not its. */
let accountChanged = false;

function set(next: ContactGroupsState): void {
  state = next;
  for (const l of listeners) l();
}

/** Read the list from the core's cache (again: after an error, or when a sign-in filled it). */
export async function loadContactList(): Promise<void> {
  const g = ++generation;
  // The early answer is the account's at the window's start: not after another signed in.
  const r = await ((accountChanged ? null : takeFirstContacts()) ?? safe(() => ucwa().contactList()));
  if (g !== generation) return;
  if (!r.ok) {
    set({ groups: state.groups, error: r.error });
    return;
  }
  rememberCards(r.value.people);
  set({ groups: r.value.groups, error: null });
}

function start(): void {
  if (started) return;
  started = true;
  on('contactList', ({ groups }) => {
    generation++;
    set({ groups, error: null });
  });
  // Signed in with an empty cache: the core syncs the list and says so with 'contactList'; a window
  // that read it before the first sync finished reads it again then, for the cards as well.
  on('session', (s) => {
    if (s.status === 'online' && !state.groups?.some((g) => g.members.length > 0)) void loadContactList();
  });
  void loadContactList();
}

// Another account (or none, after "Delete local history"): its groups and their ids are not this
// one's. Dropped at once (nothing may act on the other account's group ids), then read again; from
// nobody to someone (accountReset.ts), kept on screen while read again.
onAccountChange(({ soft }) => {
  accountChanged = true;
  seeded = true;
  generation++;
  if (!soft) set({ groups: null, error: null });
  if (started) void loadContactList();
});

function seed(): void {
  if (seeded) return;
  seeded = true;
  const early = firstContactsNow();
  if (!early) return;
  rememberCards(early.people);
  state = { groups: early.groups, error: null };
}

function subscribe(l: () => void): () => void {
  seed();
  start();
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useContactGroups(): ContactGroupsState {
  seed();
  return useSyncExternalStore(subscribe, () => state);
}

/**
 * Collapse or expand a group: at once on screen, remembered by the core (which answers with a
 * 'contactList' event). On failure the group goes back as it was, unless the core said otherwise
 * meanwhile; the error is the caller's to show.
 */
export async function setGroupCollapsed(groupId: number, collapsed: boolean): Promise<IpcError | null> {
  const before = state.groups;
  const g = generation;
  if (before) set({ ...state, groups: before.map((x) => (x.id === groupId ? { ...x, collapsed } : x)) });
  const r = await safe(() => ucwa().setGroupCollapsed(groupId, collapsed));
  if (r.ok) return null;
  if (g === generation) set({ ...state, groups: before });
  return r.error;
}

/** Whether the person is in the server's pinned group (Favourites). */
export function isFavourite(groups: readonly ContactGroup[] | null, sip: string): boolean {
  const key = sipKey(sip);
  return (groups ?? []).some((g) => g.kind === 'pinned' && g.members.some((m) => sipKey(m) === key));
}
