// A distribution group's people (issue 13; PROTOCOL-2 §1.6 expandDistributionGroup) over the
// simulator: read from the server only when asked, the members' cards stored (and their presence
// links known: a card opened afterwards reads their presence), a group too large refused in words,
// any other group answered from the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { service, signIn, sim, until, type Harness } from './helpers.ts';
import type { Simulator, SimUser } from '../../simulator/index.ts';
import type { AppError } from '../../main/core/app/types.ts';

const ME = 'sip:me@contoso.com';
const PW = 'pw';
const sipOf = (n: string) => `sip:${n}@contoso.com`;
const [ANN, ERIN, FAY, GUS] = ['ann', 'erin', 'fay', 'gus'].map(sipOf) as [string, string, string, string];

const USERS: SimUser[] = [
  {
    sip: ME, name: 'Me Myself', password: PW,
    contactList: {
      favourites: [ANN],
      distributionGroups: [
        { name: 'Design Team', uri: 'sip:design@contoso.com', members: [ERIN, FAY, GUS] },
        // Far above the server's expansion limit (default 100).
        { name: 'Everyone', uri: 'sip:everyone@contoso.com', members: [ANN, ERIN], size: 5000 },
      ],
    },
  },
  { sip: ANN, name: 'Ann Archer' },
  { sip: ERIN, name: 'Erin Edwards', title: 'Designer', presence: { availability: 'Busy' } },
  { sip: FAY, name: 'Fay Fisher' },
  { sip: GUS, name: 'Gus Grant' },
];

async function run(fn: (s: Simulator, h: Harness) => Promise<void>): Promise<void> {
  const s = await sim({ demoWorld: false, presenceRhythm: false, users: USERS });
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

const groupNamed = async (h: Harness, name: string) => (await h.service.contactList()).groups.find((g) => g.name === name)!;
const expansions = (h: Harness) => h.requests.filter((r) => /\/expandDistributionGroup$/.test(new URL(r.url).pathname)).length;

test('a distribution group opened: its people from the server, their cards stored, their presence readable', () => run(async (_s, h) => {
  const design = await groupNamed(h, 'Design Team');
  assert.equal(design.kind, 'distribution');
  assert.deepEqual(design.members, [], 'not expanded by the sync');
  assert.equal(expansions(h), 0, 'nothing asked before it is opened');
  assert.equal(await h.store.getPerson(ERIN), null, 'Erin unknown so far');

  const people = await h.service.expandGroup(design.id);
  assert.deepEqual(people.map((p) => p.sip), [ERIN, FAY, GUS], "the server's order");
  assert.deepEqual(people.map((p) => p.name), ['Erin Edwards', 'Fay Fisher', 'Gus Grant']);
  assert.equal(expansions(h), 1);
  const erin = await h.store.getPerson(ERIN);
  assert.equal(erin?.title, 'Designer', 'the card is stored');
  assert.equal(erin?.inContactList, false, 'a group member is not a contact by being there');

  // Their links are this application's now: the card reads Erin's presence.
  const card = await h.service.person(ERIN);
  assert.equal(card?.presence?.availability, 'Busy');
}));

test('too large to show: refused in words; another group comes from the cache; unknown ids and signed out', () => run(async (_s, h) => {
  const everyone = await groupNamed(h, 'Everyone');
  await assert.rejects(h.service.expandGroup(everyone.id), (e: AppError) => e.code === 'server' && e.status === 403 && /too large to show/.test(e.message));

  const favourites = (await h.service.contactList()).groups.find((g) => g.kind === 'pinned')!;
  const before = h.requests.length;
  const fav = await h.service.expandGroup(favourites.id);
  assert.deepEqual(fav.map((p) => p.sip), [ANN]);
  assert.equal(h.requests.length, before, 'from the cache, no request');

  await assert.rejects(h.service.expandGroup(987654), (e: AppError) => e.code === 'notFound');
  await h.service.signOut();
  const design = await groupNamed(h, 'Design Team');
  await assert.rejects(h.service.expandGroup(design.id), (e: AppError) => e.code === 'notSignedIn');
}));
