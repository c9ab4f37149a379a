// The window's people cache filled once from the contact list (a read of the local store, offline
// too), so that the chat list's avatars find their contacts' presence there and ask the core for
// nobody in the list: person() of a contact reads their presence, note and location from the server
// again, and a list scrolled through would cost three requests a row. Rows wait for this before
// asking for the people it did not bring (participants who are not contacts).
import { useSyncExternalStore } from 'react';
import { safe, ucwa } from './api.ts';
import { rememberCards } from './peopleCache.ts';
import { onAccountChange } from './accountReset.ts';

let state: 'idle' | 'loading' | 'done' = 'idle';
const listeners = new Set<() => void>();
/** Bumped by a change of account: the seed is the new account's, read again if someone waits for it. */
let round = 0;

function start(): void {
  if (state !== 'idle') return;
  state = 'loading';
  // After the first rows are on screen: the list's first paint does not wait for a thousand cards.
  const at = round;
  setTimeout(() => {
    void safe(() => ucwa().contactList()).then((r) => {
      if (at !== round) return; // another account's list, asked for before the switch
      if (r.ok) rememberCards(r.value.people);
      state = 'done';
      for (const l of listeners) l();
    });
  }, 0);
}

onAccountChange(({ soft }) => {
  round++;
  const at = round;
  if (soft && state === 'done') {
    // From nobody to someone: the rows keep going; the cards are read again from the store now open.
    void safe(() => ucwa().contactList()).then((r) => at === round && r.ok && rememberCards(r.value.people));
    return;
  }
  state = 'idle';
  if (listeners.size === 0) return;
  for (const l of listeners) l();
  start();
});

function subscribe(l: () => void): () => void {
  listeners.add(l);
  start();
  return () => void listeners.delete(l);
}

/** True once the contact list's cards are in the people cache (or could not be read). */
export function useContactsSeeded(): boolean {
  return useSyncExternalStore(subscribe, () => state === 'done');
}
