// The history window's first page of chats, asked for before the bundle runs: a tiny classic
// script (renderer/prefetch.ts → prefetch.js, first in index.html's <head>) makes the call while the
// main bundle is still being fetched and compiled, so the answer is usually in before the first
// render — which then draws the rows at once, with one layout, instead of drawing an empty list,
// waiting for the round trip behind the bundle's own work, and laying out again (issue 12: first
// list < 150 ms). The window never waits for it: it renders, and listens for keys and events, as
// soon as the bundle has run; a late answer fills the list when it comes. The page travels between
// the two scripts on one window property; this module is its only reader. Taken once: later loads
// (another filter, a new session) ask as usual.
import type { Chat, ContactList, Result } from '../main/ipc/contract.ts';

export interface Page<T> { items: T[]; next: string | null }
export const FIRST_PAGE = 60;

/** What prefetch.js leaves on the window: the call, and its answer once it has come. */
export interface FirstList { promise: Promise<Result<Page<Chat>>>; answer?: Result<Page<Chat>> }
export const FIRST_LIST_KEY = '__ucwaFirstList';

function handoff(): FirstList | undefined {
  const v = (window as unknown as Record<string, unknown>)[FIRST_LIST_KEY];
  return v && typeof v === 'object' && 'promise' in v ? (v as FirstList) : undefined;
}

let taken = false;

/** The prefetched first page of the 'all' filter if it has already arrived (for the first render). */
export function firstListNow(filter: string): Page<Chat> | null {
  if (filter !== 'all' || taken) return null;
  const a = handoff()?.answer;
  return a?.ok ? a.value : null;
}

/** The prefetched first page of the 'all' filter, once; null afterwards or for another filter. */
export function takeFirstList(filter: string): Promise<Result<Page<Chat>>> | null {
  const h = handoff();
  if (filter !== 'all' || taken || !h) return null;
  taken = true;
  return h.promise;
}

// --- the People view's contact list, the same way (issue 13): the window opens on the tab it was
// left on, so when that is People the early call is contactList instead of the chats.

/** Where the sidebar's tab choice is kept (SidebarTabs.tsx writes it; prefetch.js reads it). */
export const SIDEBAR_TAB_KEY = 'ucwa.sidebarTab';

export interface FirstContacts { promise: Promise<Result<ContactList>>; answer?: Result<ContactList> }
export const FIRST_CONTACTS_KEY = '__ucwaFirstContacts';

function contactsHandoff(): FirstContacts | undefined {
  const v = (window as unknown as Record<string, unknown>)[FIRST_CONTACTS_KEY];
  return v && typeof v === 'object' && 'promise' in v ? (v as FirstContacts) : undefined;
}

let contactsTaken = false;

/** The prefetched contact list if it has already arrived (for the first render). */
export function firstContactsNow(): ContactList | null {
  if (contactsTaken) return null;
  const a = contactsHandoff()?.answer;
  return a?.ok ? a.value : null;
}

/** The prefetched contact list call, once; null afterwards or when there was none. */
export function takeFirstContacts(): Promise<Result<ContactList>> | null {
  const h = contactsHandoff();
  if (contactsTaken || !h) return null;
  contactsTaken = true;
  return h.promise;
}
