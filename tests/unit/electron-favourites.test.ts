// The shell's people (issue 13): the tray's "Favourites ▸" menu model, what the shell keeps of
// people's presence from the service's events (no call when a notification needs it), where a
// Favourite's click leads, and the words of the shell's presence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trayMenuModel, MAX_MENU_FAVOURITES, type FavouriteEntry, type MenuItemModel, type TrayState } from '../../main/electron/tray.ts';
import { createShellPeople, type PeopleSource } from '../../main/electron/shellPeople.ts';
import { chatTarget } from '../../main/electron/chatTarget.ts';
import { availabilityLabel } from '../../main/electron/presenceLabel.ts';
import type { ContactGroup, ContactList, PersonCard, SessionState } from '../../main/ipc/contract.ts';

const mei: FavouriteEntry = { sip: 'sip:mei.chen@contoso.com', name: 'Mei Chen', availability: 'Online', activity: '' };
const lene: FavouriteEntry = { sip: 'sip:lene.andersen@contoso.com', name: 'Lene Andersen', availability: 'Busy', activity: 'in-a-meeting' };

function state(over: Partial<TrayState> & { status?: TrayState['session']['status'] } = {}): TrayState {
  return {
    session: { status: over.status ?? 'online', availability: 'Online', user: { sip: 'sip:demo@contoso.com', name: 'Dana' }, demo: false },
    unread: { unreadChats: 0, missedChats: 0 }, latest: [], settings: { doNotDisturb: 'silent' }, platform: 'win32',
    ...(over.favourites ? { favourites: over.favourites } : {}),
  };
}
const submenu = (m: MenuItemModel[]) => {
  const f = m.find((i) => i.kind === 'submenu' && i.id === 'favourites');
  return f?.kind === 'submenu' ? f : null;
};
const labels = (items: MenuItemModel[]) => items.map((i) => (i.kind === 'item' || i.kind === 'label' || i.kind === 'submenu' ? i.label : '-'));

test('tray: Favourites ▸ after Open history, one item per favourite with their availability in words', () => {
  const m = trayMenuModel(state({ favourites: [mei, lene] }));
  const ids = m.map((i) => (i.kind === 'separator' ? '-' : i.id));
  assert.deepEqual(ids.slice(0, 3), ['history', 'favourites', '-']);
  const f = submenu(m)!;
  assert.equal(f.label, 'Favourites');
  assert.deepEqual(labels(f.items), ['Mei Chen — Available', 'Lene Andersen — Busy']);
  const first = f.items[0]!;
  assert.deepEqual(first.kind === 'item' && first.action, { type: 'openChatWith', sip: 'sip:mei.chen@contoso.com' });
  assert.equal(first.kind === 'item' && first.enabled, true);
});

test('tray: no favourites, no submenu; offline or never read, the name alone; long names cut, words kept; & escaped', () => {
  assert.equal(submenu(trayMenuModel(state())), null);
  assert.equal(submenu(trayMenuModel(state({ favourites: [] }))), null);
  const offline = submenu(trayMenuModel(state({ status: 'signedOut', favourites: [mei] })))!;
  assert.deepEqual(labels(offline.items), ['Mei Chen'], 'the last presence read is not news once signed out');
  const odd = submenu(trayMenuModel(state({ favourites: [
    { ...mei, availability: null }, { ...mei, sip: 'sip:x@contoso.com', name: '', availability: 'Sleeping' },
    { ...lene, name: `R&D ${'very '.repeat(20)}long name`, availability: 'Away', activity: 'off-work' },
  ] })))!;
  const [never, unknown, long] = labels(odd.items);
  assert.equal(never, 'Mei Chen');
  assert.equal(unknown, 'x@contoso.com', 'no name: the address; an undocumented token: no words');
  assert.ok(long!.endsWith(' — Off work'), long);
  assert.ok(long!.startsWith('R&&D '), 'no mnemonic');
  assert.ok(long!.length <= 62, long);
  const many = Array.from({ length: 40 }, (_, i) => ({ ...mei, sip: `sip:p${i}@contoso.com` }));
  assert.equal(submenu(trayMenuModel(state({ favourites: many })))!.items.length, MAX_MENU_FAVOURITES);
});

test('presence words of the shell: the documented tokens, Off work, and nothing for the rest', () => {
  assert.equal(availabilityLabel('Online'), 'Available');
  assert.equal(availabilityLabel('BeRightBack'), 'Be right back');
  assert.equal(availabilityLabel('IdleOnline'), 'Inactive');
  assert.equal(availabilityLabel('Away', 'Off Work'), 'Off work', "the reference sample's display string");
  assert.equal(availabilityLabel('Online', 'off-work'), 'Off work');
  assert.equal(availabilityLabel('Offwork'), 'Off work');
  assert.equal(availabilityLabel('Offline', 'off-work'), 'Offline');
  assert.equal(availabilityLabel('Busy', 'in-a-meeting'), 'Busy');
  for (const t of ['', 'Unknown', 'toString', '__proto__', null, undefined]) assert.equal(availabilityLabel(t), null, String(t));
});

// --- what the shell keeps of people ------------------------------------------------------------

function card(sip: string, name: string, availability: string | null, activity = ''): PersonCard {
  return {
    sip, name, title: '', department: '', company: '', office: '', emails: [], phones: { work: '', mobile: '', home: '', other: '' },
    contactType: 'User', sourceNetwork: 'SameEnterprise', presence: availability === null ? null : { availability, activity, deviceType: 'PC', lastActive: null },
    note: null, location: null, photo: null, inContactList: true, updated: { card: null, presence: null, note: null, location: null, photo: null },
  };
}
const group = (kind: ContactGroup['kind'], members: string[]): ContactGroup => ({ id: kind === 'pinned' ? 1 : 2, serverId: kind, kind, name: kind, position: 0, collapsed: false, members });
const online = (sip = 'sip:demo@contoso.com'): SessionState => ({ status: 'online', user: { sip, name: 'Dana' }, availability: 'Online', error: null, nextRetryAt: null, demo: false });

function fakeSource(list: ContactList) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let reads = 0;
  const source: PeopleSource = {
    async contactList() { reads++; return list; },
    on(event: string, l: (p: never) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(l as (p: unknown) => void);
      return () => void set.delete(l as (p: unknown) => void);
    },
  } as PeopleSource;
  const emit = (event: string, payload: unknown) => { for (const l of listeners.get(event) ?? []) l(payload); };
  return { source, emit, reads: () => reads, listeners };
}
const tick = () => new Promise((r) => setImmediate(r));

test('shell people: the contact list read once per coming online, then kept by person events; only Favourites ring', async () => {
  const list: ContactList = {
    groups: [group('pinned', ['sip:mei.chen@contoso.com', 'sip:lene.andersen@contoso.com']), group('user', ['sip:bo@contoso.com'])],
    people: [card('sip:mei.chen@contoso.com', 'Mei Chen', 'Online'), card('sip:lene.andersen@contoso.com', 'Lene Andersen', null), card('sip:bo@contoso.com', 'Bo', 'Away')],
  };
  const f = fakeSource(list);
  let rings = 0;
  const people = createShellPeople(f.source, { onFavouritesChanged: () => rings++, log: () => undefined });
  assert.equal(people.presenceOf('sip:mei.chen@contoso.com'), null, 'nothing before sign-in');
  f.emit('session', online());
  await tick();
  f.emit('session', { ...online(), availability: 'Busy' });
  await tick();
  assert.equal(f.reads(), 1, 'an availability change is not a new sign-in');
  assert.deepEqual(people.favourites().map((p) => [p.name, p.availability]), [['Mei Chen', 'Online'], ['Lene Andersen', null]]);
  assert.equal(people.presenceOf('MEI.CHEN@contoso.com')?.availability, 'Online', 'addresses as the core keys them');
  assert.equal(people.presenceOf('sip:bo@contoso.com')?.availability, 'Away');
  const before = rings;
  f.emit('person', card('sip:bo@contoso.com', 'Bo', 'Busy'));
  assert.equal(rings, before, 'not a favourite: the tray is not rebuilt');
  assert.equal(people.presenceOf('sip:bo@contoso.com')?.availability, 'Busy');
  f.emit('person', card('sip:lene.andersen@contoso.com', 'Lene Andersen', 'Busy', 'in-a-meeting'));
  assert.equal(rings, before + 1);
  f.emit('person', card('sip:lene.andersen@contoso.com', 'Lene Andersen', 'Busy', 'in-a-meeting'));
  assert.equal(rings, before + 1, 'the same again is no change');
  assert.deepEqual(people.presenceOf('sip:lene.andersen@contoso.com'), { sip: 'sip:lene.andersen@contoso.com', name: 'Lene Andersen', availability: 'Busy', activity: 'in-a-meeting' });
  f.emit('contactList', { groups: [group('pinned', ['sip:bo@contoso.com'])] });
  assert.equal(rings, before + 2);
  assert.deepEqual(people.favourites().map((p) => p.name), ['Bo']);
  f.emit('person', card('sip:stranger@fabrikam.com', 'Stranger', 'Online'));
  assert.equal(people.presenceOf('sip:stranger@fabrikam.com')?.availability, 'Online', 'people outside the list too (a conversation)');
  // Another account: nothing of the last one applies.
  f.emit('session', { ...online('sip:other@contoso.com'), status: 'signedOut' });
  assert.equal(people.presenceOf('sip:stranger@fabrikam.com'), null);
  assert.deepEqual(people.favourites(), []);
  // Nobody (signed out, or the local history deleted): the tray lists nobody's Favourites.
  f.emit('session', online('sip:other@contoso.com'));
  await tick();
  assert.equal(people.favourites().length, 2, 'read again for the new account');
  f.emit('session', { ...online(), status: 'signedOut', user: null, availability: null });
  assert.deepEqual(people.favourites(), []);
  people.close();
  assert.equal([...f.listeners.values()].reduce((n, s) => n + s.size, 0), 0, 'close lets go of every event');
});

test('shell people: a card that came by event is newer than the contact list read that answers after it', async () => {
  let answer: (l: ContactList) => void = () => undefined;
  const f = fakeSource({ groups: [], people: [] });
  f.source.contactList = () => new Promise((r) => { answer = r; });
  const people = createShellPeople(f.source, { onFavouritesChanged: () => undefined, log: () => undefined });
  f.emit('session', online());
  f.emit('person', card('sip:mei.chen@contoso.com', 'Mei Chen', 'Busy'));
  answer({ groups: [group('pinned', ['sip:mei.chen@contoso.com'])], people: [card('sip:mei.chen@contoso.com', 'Mei Chen', 'Online')] });
  await tick();
  assert.equal(people.presenceOf('sip:mei.chen@contoso.com')?.availability, 'Busy');
  assert.equal(people.favourites()[0]?.availability, 'Busy');
});

// --- where a Favourite leads --------------------------------------------------------------------

test('a Favourite opens your one-to-one chat with them (not a group they were in), else a new conversation', async () => {
  const p = (sip: string) => ({ sip, name: '' });
  const me = 'sip:demo@contoso.com', mei = 'sip:mei.chen@contoso.com';
  const asked: unknown[] = [];
  const lookup = (items: { id: number; participants: { sip: string; name: string }[] }[]) => ({
    async listConversations(q: unknown) { asked.push(q); return { items }; },
  });
  const group = { id: 9, participants: [p(me), p(mei), p('sip:bo@contoso.com')] };
  assert.deepEqual(await chatTarget(lookup([group, { id: 4, participants: [p(me), p('sip:MEI.CHEN@contoso.com')] }]), 'mei.chen@contoso.com', me), { to: 'conversation', conversationId: 4 });
  assert.equal((asked[0] as { contact: string }).contact, mei);
  assert.deepEqual(await chatTarget(lookup([{ id: 5, participants: [p(mei)] }]), mei, me), { to: 'conversation', conversationId: 5 }, 'you need not be listed');
  assert.deepEqual(await chatTarget(lookup([group]), mei, me), { to: 'newConversation', sip: mei });
  const broken = { async listConversations(): Promise<never> { throw new Error('no store'); } };
  assert.deepEqual(await chatTarget(broken, mei, null), { to: 'newConversation', sip: mei });
});
