// Contacts and presence over the simulator (issue 13, Core): the contact list synced into the
// store and shown from the cache after a restart, the one presence subscription covering the
// contacts, presence changes arriving in order, own note and location.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ME, service, signIn, sim, TEST_TIMING, until, withSim } from './helpers.ts';
import { createSqliteStore } from '../../main/core/store/sqliteStore.ts';
import type { PersonCard } from '../../main/core/store/types.ts';
import type { MyStatus } from '../../main/core/app/types.ts';

test('the contact list is synced into the store, Favourites first, and shown from the cache after a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ucwa-people-'));
  const s = await sim({});
  try {
    const store1 = await createSqliteStore({ dataDir: dir, account: ME });
    const h1 = service(s, { store: store1 });
    const lists: unknown[] = [];
    h1.service.on('contactList', (l) => lists.push(l));
    await signIn(h1, s);
    const list = await until(async () => {
      const l = await h1.service.contactList();
      return l.groups.length > 0 && l.people.length > 0 ? l : null;
    }, 'the contact list synced');
    assert.equal(list.groups[0]!.kind, 'pinned', 'Favourites first');
    const server = s.control.contactList(ME);
    const pinned = server.find((g) => g.kind === 'pinnedGroup' || g.kind === 'pinned')!;
    assert.deepEqual([...list.groups[0]!.members].sort(), [...pinned.members].sort());
    assert.ok(lists.length >= 1, "a 'contactList' event");
    const names = list.groups.map((g) => g.name);
    // A group the user closed stays closed after a restart (and a sync, which rewrites the groups).
    const closed = list.groups.find((g) => g.kind !== 'pinned')!;
    assert.equal(closed.collapsed, false);
    await h1.service.setGroupCollapsed(closed.id, true);
    await h1.service.close();

    // Offline: a new service over the same database shows the list before any sign-in.
    const store2 = await createSqliteStore({ dataDir: dir, account: ME });
    const h2 = service(s, { store: store2 });
    const cached = await h2.service.contactList();
    assert.deepEqual(cached.groups.map((g) => g.name), names);
    assert.ok(cached.people.length > 0);
    assert.equal(cached.groups.find((g) => g.name === closed.name)?.collapsed, true, 'closed before the restart');
    assert.ok(cached.groups.filter((g) => g.name !== closed.name).every((g) => !g.collapsed), 'only that one');
    // Signed in again, the list synced from the server anew: still closed.
    try {
      // Someone added to that group meanwhile (another client): seeing them proves the sync wrote the groups.
      const newcomer = s.people.find((p) => p.sip !== ME && !closed.members.includes(p.sip))!.sip;
      s.control.addToGroup(ME, newcomer, closed.name);
      await signIn(h2, s);
      await until(async () => (await h2.service.contactList()).groups.find((g) => g.name === closed.name)?.members.includes(newcomer), 'the list synced again');
      assert.equal((await h2.service.contactList()).groups.find((g) => g.name === closed.name)?.collapsed, true, 'kept through a sync');
    } finally {
      await h2.service.close();
    }
  } finally {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('one subscription covers the contacts; presence changes arrive as store patches and person events in order', () => withSim({ presenceRhythm: false }, async (s, h) => {
  await signIn(h, s);
  const list = await until(async () => ((await h.service.contactList()).people.length ? h.service.contactList() : null), 'list');
  const members = list.people.map((p) => p.sip).filter((p) => p !== ME);
  const subs = await until(() => {
    const all = s.control.presenceSubscriptions(ME);
    const uris = new Set(all.flatMap((x) => x.uris));
    return members.every((m) => uris.has(m) || !s.people.some((p) => p.sip === m)) && all.length > 0 ? all : null;
  }, 'the subscription covering the contacts');
  assert.equal(subs.length, 1, 'one subscription');
  const mei = members.find((m) => s.people.some((p) => p.sip === m))!;
  await until(async () => (await h.store.getPerson(mei))?.presence, 'initial presence read');

  const seen: string[] = [];
  h.service.on('person', (p: PersonCard) => { if (p.sip === mei && p.presence) seen.push(p.presence.availability); });
  s.control.setPresence(mei, { availability: 'DoNotDisturb', activity: 'presenting' });
  await until(() => seen.includes('DoNotDisturb'), 'DoNotDisturb arrived');
  s.control.setPresence(mei, { availability: 'Away' });
  await until(() => seen.includes('Away'), 'Away arrived');
  s.control.setPresence(mei, { availability: 'Online' });
  await until(() => seen.at(-1) === 'Online', 'Online arrived');
  assert.ok(seen.indexOf('DoNotDisturb') < seen.indexOf('Away') && seen.indexOf('Away') < seen.lastIndexOf('Online'), `in order: ${seen.join(',')}`);
  const card = await h.store.getPerson(mei);
  assert.equal(card?.presence?.availability, 'Online');

  s.control.setPresence(mei, { note: 'Back at 3', location: 'Room 7' });
  await until(async () => (await h.store.getPerson(mei))?.note?.message === 'Back at 3', 'note arrived');
  await until(async () => (await h.store.getPerson(mei))?.location === 'Room 7', 'location arrived');
}));

test('an unknown availability token is stored raw, without a crash', () => withSim({ presenceRhythm: false }, async (s, h) => {
  await signIn(h, s);
  const list = await until(async () => ((await h.service.contactList()).people.length ? h.service.contactList() : null), 'list');
  const who = list.people.map((p) => p.sip).find((m) => s.people.some((p) => p.sip === m))!;
  await until(() => s.control.presenceSubscriptions(ME).some((x) => x.uris.includes(who)), 'subscribed');
  s.control.setPresence(who, { availability: 'Sleeping', activity: null });
  await until(async () => (await h.store.getPerson(who))?.presence?.availability === 'Sleeping', 'raw token stored');
  const { availabilityOf } = await import('../../main/core/ucwa/presence.ts');
  assert.equal(availabilityOf((await h.store.getPerson(who))!.presence!.availability), 'Unknown');
  assert.equal(h.service.state().status, 'online');
}));

test('own note and location: set, read back, blank resets; a location over 60 characters is refused', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  const changes: MyStatus[] = [];
  h.service.on('myStatus', (m) => changes.push(m));
  let st = await h.service.setNote('Heads down today');
  assert.equal(st.note, 'Heads down today');
  assert.equal(s.control.presenceOf(ME).note, 'Heads down today');
  st = await h.service.setLocation('By the beach');
  assert.equal(st.location, 'By the beach');
  assert.equal(s.control.presenceOf(ME).location, 'By the beach');
  await assert.rejects(h.service.setLocation('x'.repeat(61)), (e: Error & { code?: string }) => e.code === 'invalidInput' && /60 characters/.test(e.message));
  assert.equal(s.control.presenceOf(ME).location, 'By the beach', 'nothing sent');
  st = await h.service.setNote('   ');
  assert.equal(st.note, '');
  assert.equal(s.control.presenceOf(ME).note, '');
  // Changed elsewhere (another endpoint): the `me` event brings it.
  s.control.setPresence(ME, { note: 'From my phone' });
  await until(async () => (await h.service.myStatus()).note === 'From my phone', 'note from the event');
  const mine = await h.service.myStatus();
  assert.ok(mine.availability, 'availability read');
  assert.ok(changes.length > 0, "'myStatus' events");
}));

test('own availability: the server reads back what was set; reset to automatic is Available', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  await h.service.setAvailability('Busy');
  await until(async () => (await h.service.myStatus()).availability === 'Busy', 'Busy read back');
  await h.service.setAvailability('Offwork');
  await until(async () => (await h.service.myStatus()).activity.toLowerCase().replace(/ /g, '-') === 'off-work', 'Offwork reads back as an activity');
  await h.service.resetAvailability();
  await until(async () => (await h.service.myStatus()).availability === 'Online', 'Online again');
  assert.equal(h.service.state().availability, 'Online');
}));

test('your availability in the session follows the server: set on another endpoint, kept over a recreate', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  await until(() => h.service.state().availability === 'Online', 'Online after sign-in');
  const shown: (string | null)[] = [];
  h.service.on('session', (st) => shown.push(st.availability));
  // Another endpoint of this account sets Do not disturb: the `me` presence event says so.
  s.control.setPresence(ME, { availability: 'DoNotDisturb' });
  await until(() => h.service.state().availability === 'DoNotDisturb', 'the session shows it');
  assert.ok(shown.includes('DoNotDisturb'), "a 'session' event");
  assert.equal((await h.service.myStatus()).availability, 'DoNotDisturb', 'MyStatus says the same');
  // It is the user's choice now: a recreated application comes back Do not disturb, not Available.
  const apps = () => h.requests.filter((r) => r.method === 'POST' && /applications$/.test(r.url)).length;
  const before = apps();
  s.control.expireApplications(ME);
  await until(() => apps() > before && h.service.state().status === 'online', 'recreated');
  await until(() => s.control.presenceOf(ME).availability === 'DoNotDisturb', 'the new application set Do not disturb');
  assert.equal(h.service.state().availability, 'DoNotDisturb');
  // Off work from elsewhere reads back as Away / off-work: the session shows Off work, not Away.
  s.control.setPresence(ME, { availability: 'Offwork' });
  await until(() => h.service.state().availability === 'Offwork', 'Off work');
}));

test("the server's idle shows in the session (IdleOnline as Away) and is not taken for a choice", async () => {
  // The server decays after 5 "minutes" without reportMyActivity (0.3 s here); this client reports
  // far less often than that, so the server's idle comes first.
  const s = await sim({ inactiveTimeoutSec: 300, awayAfterIdleSec: 6000 });
  const h = service(s, { timing: { ...TEST_TIMING, reportActivityMs: 600_000 } });
  try {
    await signIn(h, s);
    await until(async () => (await h.service.myStatus()).availability === 'IdleOnline', 'the server says IdleOnline');
    await until(() => h.service.state().availability === 'Away', 'the session shows Away');
    // Not taken for the user's choice: a recreated application does not set Away (a choice would).
    const apps = () => h.requests.filter((r) => r.method === 'POST' && /applications$/.test(r.url)).length;
    const before = apps();
    s.control.expireApplications(ME);
    await until(() => apps() > before && h.service.state().status === 'online', 'recreated');
    const since = h.requests.findLastIndex((r) => r.method === 'POST' && /applications$/.test(r.url));
    await until(async () => (await h.service.myStatus()).availability === 'IdleOnline', 'idle again on the new application');
    assert.ok(!h.requests.slice(since).some((r) => r.method === 'POST' && /\/me\/presence$/.test(new URL(r.url).pathname)), 'no presence set after the recreate');
    // What the user sets is theirs, and shows.
    await h.service.setAvailability('Busy');
    await until(() => h.service.state().availability === 'Busy', 'Busy');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('after the event channel\'s resume teardown the contact list\'s change subscription is started again', () => withSim({ presenceRhythm: false }, async (s, h) => {
  // Before: a resume synced the list once and never restarted its subscription (the teardown drops
  // it on the server: simulator dropPeople), so contacts added later never arrived. The client's
  // resume is driven directly: the simulator's teardown needs a P-GET gap this client never leaves.
  const starts = () => h.requests.filter((r) => r.method === 'POST' && /contactsAndGroupsSubscription\/startOrRefresh/.test(r.url)).length;
  await signIn(h, s);
  await until(() => starts() >= 1 || null, 'the subscription started');
  const people = (h.service as unknown as { _internals: { people: { onReset(r: string): void } } })._internals.people;
  const before = starts();
  people.onReset('resume');
  await until(() => starts() > before || null, 'the subscription started again after the resume', 1000);
  // And it keeps being refreshed (its timer was cleared by the reset).
  const after = starts();
  await until(() => starts() > after || null, 'refreshed again later', 3 * TEST_TIMING.contactsRefreshMs!);
}));

/**
 * A service whose server reads your own presence back the way a real one can: `rewrite` turns each
 * own `presence` body (GET me/presence, and the `presence` copies embedded in `me` events) into what
 * that server would say — the reference's Online + "Off Work" for Off work, Exchange's Busy +
 * in-a-meeting during a meeting. The requests are recorded with their bodies.
 */
function rewritingService(s: Awaited<ReturnType<typeof sim>>, rewrite: (p: { availability: string; activity: string }) => { availability: string; activity: string }) {
  const sent: { method: string; url: string; body: string }[] = [];
  const own = (o: Record<string, unknown>) => {
    const self = (o._links as { self?: { href?: unknown } } | undefined)?.self?.href;
    return o.rel === 'presence' && typeof o.availability === 'string' && typeof self === 'string' && /\/me\/presence$/.test(self);
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return own(o) ? { ...o, ...rewrite({ availability: String(o.availability), activity: typeof o.activity === 'string' ? o.activity : '' }) } : o;
  };
  const h = service(s, {
    fetch: async (url, init) => {
      sent.push({ method: init.method ?? 'GET', url, body: typeof init.body === 'string' ? init.body : '' });
      const res = await fetch(url, init);
      if (!/json/.test(res.headers.get('content-type') ?? '')) return res;
      const text = await res.text();
      let out = text;
      try {
        out = JSON.stringify(walk(JSON.parse(text)));
      } catch {
        // not JSON after all: as it came
      }
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      headers.delete('content-encoding');
      return new Response(res.status === 204 || res.status === 304 ? null : out, { status: res.status, statusText: res.statusText, headers });
    },
  });
  const posts = (re: RegExp) => sent.filter((r) => r.method === 'POST' && re.test(new URL(r.url).pathname));
  return { h, sent, posts };
}

test('a Busy the server set for a meeting shows, but is not the choice: not set again after a recreate, no idle Away over it', async () => {
  const s = await sim({});
  // Exchange's calendar: while the meeting lasts the server reads your presence as Busy, in-a-meeting.
  let meeting = false;
  const { h, posts } = rewritingService(s, (p) => (meeting ? { availability: 'Busy', activity: 'in-a-meeting' } : p));
  try {
    await signIn(h, s);
    await until(() => h.service.state().availability === 'Online', 'Online after sign-in');
    meeting = true;
    // The server's change arrives as a `me` presence event (the simulator's other-endpoint control triggers it).
    s.control.setPresence(ME, { availability: 'Busy', activity: 'in-a-meeting' });
    await until(() => h.service.state().availability === 'Busy', 'the meeting shows as Busy');
    assert.equal((await h.service.myStatus()).activity, 'in-a-meeting');
    // Idle during the meeting: Away would replace the server's Busy.
    const presencePosts = () => posts(/\/me\/presence$/).length;
    const beforeIdle = presencePosts();
    h.service.reportIdle(3600, false, 60);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(presencePosts(), beforeIdle, 'no Away set over the meeting');
    h.service.reportIdle(0, false);
    // The application is recreated during the meeting: the new one must not set Busy by hand (it
    // would no longer clear when the meeting ends).
    const apps = () => posts(/applications$/).length;
    const before = apps();
    s.control.expireApplications(ME);
    await until(() => apps() > before && h.service.state().status === 'online', 'recreated');
    const since = presencePosts();
    assert.deepEqual(posts(/\/me\/presence$/).slice(beforeIdle).map((r) => r.body), [], 'no presence set after the recreate');
    await until(() => h.service.state().availability === 'Busy', 'still shown Busy from the server');
    assert.equal(s.control.presenceOf(ME).availability, 'Online', 'nothing set by hand on the server: it ends with the meeting');
    assert.equal(presencePosts(), since);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('Off work read back as Online + "Off Work" (the reference) shows as Off work and is kept as the choice', async () => {
  const s = await sim({});
  // The simulator echoes Offwork; the reference server reads it back as Online with activity "Off Work".
  const { h, posts } = rewritingService(s, (p) => (p.availability === 'Offwork' ? { availability: 'Online', activity: 'Off Work' } : p));
  try {
    await signIn(h, s);
    await until(() => h.service.state().availability === 'Online', 'Online after sign-in');
    // Another endpoint of this account sets Off work.
    s.control.setPresence(ME, { availability: 'Offwork' });
    await until(async () => (await h.service.myStatus()).activity === 'Off Work', 'the server reads it back');
    assert.equal((await h.service.myStatus()).availability, 'Online', 'as the reference does');
    await until(() => h.service.state().availability === 'Offwork', 'the session shows Off work');
    // Idle does not decay Off work to Away.
    const presencePosts = () => posts(/\/me\/presence$/).length;
    const beforeIdle = presencePosts();
    h.service.reportIdle(3600, false, 60);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(presencePosts(), beforeIdle, 'no Away set over Off work');
    h.service.reportIdle(0, false);
    // The user's choice: a recreated application comes back Off work, not Available.
    const apps = () => posts(/applications$/).length;
    const before = apps();
    s.control.expireApplications(ME);
    await until(() => apps() > before && h.service.state().status === 'online', 'recreated');
    await until(() => s.control.presenceOf(ME).activity === 'off-work', 'the new application set Off work');
    assert.ok(posts(/\/me\/presence$/).slice(beforeIdle).some((r) => /"Offwork"/.test(r.body)), 'Offwork set');
    await until(() => h.service.state().availability === 'Offwork', 'still Off work');
  } finally {
    await h.service.close();
    await s.stop();
  }
});
