// Favourites over the simulator (issue 13; PROTOCOL-2 §1.6 memberships): setFavourite adds with
// POST myGroupMemberships and removes with a DELETE of the membership the server lists, the store
// (and its 'contactList' event) shows the change by the time the call resolves, an add or a remove
// that is already so is a success, and every refusal is a sentence a user can read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { service, signIn, sim, until, type Harness } from './helpers.ts';
import type { Simulator, SimulatorOptions, SimUser } from '../../simulator/index.ts';
import type { AppError } from '../../main/core/app/types.ts';
import type { ContactGroup } from '../../main/core/store/types.ts';

const ME = 'sip:me@contoso.com';
const PW = 'pw';
const sipOf = (n: string) => `sip:${n}@contoso.com`;
const [ANN, BEN, CAT, DAN] = ['ann', 'ben', 'cat', 'dan'].map(sipOf) as [string, string, string, string];

const USERS: SimUser[] = [
  { sip: ME, name: 'Me Myself', password: PW, contactList: { favourites: [ANN, BEN], other: [CAT] } },
  { sip: ANN, name: 'Ann Archer' }, { sip: BEN, name: 'Ben Baker' }, { sip: CAT, name: 'Cat Carter' },
  { sip: DAN, name: 'Dan Dunn' }, // in the directory, not in the list
];

async function run(opts: SimulatorOptions, fn: (s: Simulator, h: Harness) => Promise<void>): Promise<void> {
  // The channel counts as alive throughout: under load a P-GET can be late to park, and the
  // CallbackChannelError retry (a second POST) would blur the request counts these tests make.
  const s = await sim({ demoWorld: false, presenceRhythm: false, users: USERS, callbackChannelDeadSec: 86_400, ...opts });
  const h = service(s);
  try {
    await signIn(h, s, ME, PW);
    await until(async () => (await h.service.contactList()).groups.length > 0, 'the list synced');
    await fn(s, h);
  } finally {
    await h.service.close();
    await s.stop();
  }
}

const serverFavourites = (s: Simulator) => s.control.contactList(ME).find((g) => g.kind === 'pinnedGroup')!.members;
const storeFavourites = async (h: Harness) => (await h.store.contactList()).groups.find((g) => g.kind === 'pinned')!.members;
const membershipRequests = (h: Harness, method: string) => h.requests.filter((r) => r.method === method && /\/groupMemberships/.test(new URL(r.url).pathname));

test('add and remove: the server changes, and the store shows it when the call resolves; twice is no error', () => run({}, async (s, h) => {
  const lists: ContactGroup[][] = [];
  h.service.on('contactList', (l) => lists.push(l.groups));

  await h.service.setFavourite(CAT, true);
  assert.ok(serverFavourites(s).includes(CAT), 'on the server');
  assert.ok((await storeFavourites(h)).includes(CAT), 'in the store at once (the list was read again before resolving)');
  assert.ok(lists.some((g) => g.find((x) => x.kind === 'pinned')?.members.includes(CAT)), "a 'contactList' event with Cat in Favourites");
  assert.equal(membershipRequests(h, 'POST').length, 1);

  // Already a favourite: the server answers 409 AlreadyExists, which is what was asked.
  await h.service.setFavourite(CAT.toUpperCase(), true);
  assert.equal(membershipRequests(h, 'POST').length, 2, 'asked the server again');
  assert.equal(serverFavourites(s).filter((m) => m === CAT).length, 1);

  await h.service.setFavourite(CAT, false);
  assert.ok(!serverFavourites(s).includes(CAT), 'removed on the server');
  assert.ok(!(await storeFavourites(h)).includes(CAT), 'and in the store');
  assert.ok(s.control.contactList(ME).find((g) => g.kind === 'defaultGroup')!.members.includes(CAT), 'still in Other Contacts');
  const deletes = membershipRequests(h, 'DELETE');
  assert.equal(deletes.length, 1);
  // The DELETE went to the membership href the server listed (its group id is opaque base64, encoded).
  const pinnedId = s.control.contactList(ME).find((g) => g.kind === 'pinnedGroup')!.id;
  assert.ok(deletes[0]!.url.endsWith(`/groupMemberships/${encodeURIComponent(pinnedId)},cat@contoso.com`), deletes[0]!.url);

  // Not a favourite any more: nothing to remove, no error, no DELETE.
  await h.service.setFavourite(CAT, false);
  assert.equal(membershipRequests(h, 'DELETE').length, 1);

  // Someone outside the list becomes a favourite (and so a contact).
  await h.service.setFavourite(DAN, true);
  const dan = await h.store.getPerson(DAN);
  assert.equal(dan?.inContactList, true);
  assert.ok((await storeFavourites(h)).includes(DAN));
}));

test('a 404 on the DELETE means removed already: success', () => run({}, async (s, h) => {
  s.control.addFault({ route: '/groupMemberships/', method: 'DELETE', status: 404, times: 1 });
  await h.service.setFavourite(ANN, false);
  assert.deepEqual(s.control.faultsFired(), { '/groupMemberships/ 404': 1 });
}));

test('refusals in words: list full, read-only during a migration, any other error, signed out', () => run({ maxContacts: 3 }, async (s, h) => {
  const refused = async (p: Promise<unknown>, re: RegExp, what: string): Promise<AppError> => {
    let caught: AppError | null = null;
    await p.catch((e: AppError) => { caught = e; });
    assert.ok(caught, `${what}: rejected`);
    const e = caught as AppError;
    assert.match(e.message, re, what);
    assert.ok(!/Conflict|ServiceFailure|LimitExceeded|MigrationInProgress/.test(e.message.replace(/\(.*\)$/, '')), `${what}: words, not codes: ${e.message}`);
    return e;
  };
  // Three contacts, a cap of three: Dan would be the fourth (409 LimitExceeded).
  const full = await refused(h.service.setFavourite(DAN, true), /contact list is full .*250/, 'full');
  assert.equal(full.status, 409);
  assert.ok(!serverFavourites(s).includes(DAN));
  // Cat is a contact already: making her a favourite does not grow the list.
  await h.service.setFavourite(CAT, true);
  assert.ok(serverFavourites(s).includes(CAT));

  s.control.addFault({ route: '/groupMemberships', method: 'POST', status: 500, subcode: 'MigrationInProgress', times: 1 });
  await refused(h.service.setFavourite(CAT, true), /read-only .*moving it/, 'migration on add');
  s.control.addFault({ route: '/groupMemberships/', method: 'DELETE', status: 500, subcode: 'MigrationInProgress', times: 1 });
  await refused(h.service.setFavourite(CAT, false), /read-only/, 'migration on remove');
  assert.ok(serverFavourites(s).includes(CAT), 'nothing changed');

  s.control.addFault({ route: '/groupMemberships', method: 'POST', status: 403, times: 1 });
  const other = await refused(h.service.setFavourite(BEN, true), /server could not add this person to Favourites/, 'other');
  assert.equal(other.code, 'server');

  await assert.rejects(h.service.setFavourite('not an address', true), (e: AppError) => e.code === 'invalidInput');
  await h.service.signOut();
  await assert.rejects(h.service.setFavourite(CAT, false), (e: AppError) => e.code === 'notSignedIn' && /not signed in/.test(e.message));
}));
