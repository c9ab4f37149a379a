// Own note and location (PROTOCOL-2 §1.2) and own photo over plain HTTP: 409 before
// makeMeAvailable, the 60-character location limit, resets, `note`/`location` updated to every
// application of the user and `contactNote`/`contactLocation` updated to the people watching.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, BOB, Session, fmt, sleep, withSim } from './http.ts';
import { PEOPLE_USERS, about, people } from './peopleWorld.ts';

async function ready(sim: Simulator, sip = ALICE): Promise<Session> {
  const s = await Session.open(sim, sip);
  const first = s.events.batch();
  await s.makeMeAvailable();
  await first;
  return s;
}

/** Bob's application, subscribed to Alice's presence, past the initial events. */
async function watcher(sim: Simulator): Promise<Session> {
  const bob = await Session.open(sim, BOB);
  const r = await bob.post(people(bob).presenceSubscriptions!.href, { duration: 30, uris: [ALICE] });
  assert.equal(r.status, 201);
  await bob.events.until((e) => e.some((x) => x.rel === 'contactPresence'));
  return bob;
}

describe('own note and location', () => {
  it('GET/POST note and location before makeMeAvailable → 409 MakeMeAvailableRequired', () =>
    withSim({ users: PEOPLE_USERS }, async (sim) => {
      const s = await Session.open(sim);
      const me = `${s.app._links.self.href}/me`;
      for (const r of [await s.get(`${me}/note`), await s.post(`${me}/note`, { message: 'x' }), await s.get(`${me}/location`), await s.post(`${me}/location`, { location: 'x' })]) {
        assert.equal(r.status, 409);
        assert.deepEqual([r.json.code, r.json.subcode], ['Conflict', 'MakeMeAvailableRequired']);
      }
    }));

  it('POST note → 204; note updated (sender me) to each application, contactNote updated to watchers; query form; blank resets', () =>
    withSim({ users: PEOPLE_USERS, timeScale: 0.01 }, async (sim) => {
      const a = await ready(sim);
      const b = await ready(sim);
      const bob = await watcher(sim);
      const note = `${a.app._links.self.href}/me/note`;
      assert.deepEqual((await a.get(note)).json, { rel: 'note', message: '', type: 'Personal', _links: { self: { href: note } } });
      assert.equal((await a.post(note, { message: 'Heads down today' })).status, 204);
      for (const s of [a, b]) {
        const evs = await s.events.until((e) => e.some((x) => x.rel === 'note'));
        assert.deepEqual(evs.filter((x) => x.rel === 'note').map(fmt), ['me/note:updated']);
        assert.match(evs.find((x) => x.rel === 'note')!.href, /\/me\/note$/);
      }
      assert.equal((await b.get(`${b.app._links.self.href}/me/note`)).json.message, 'Heads down today');
      const seen = await bob.events.until((e) => about(e, 'contactNote', ALICE).length > 0);
      assert.deepEqual(about(seen, 'contactNote', ALICE).map(fmt), ['people/contactNote:updated@contact']);
      const cn = await bob.get(about(seen, 'contactNote', ALICE)[0]!.href);
      assert.deepEqual([cn.json.rel, cn.json.message, cn.json.type], ['contactNote', 'Heads down today', 'Personal']);
      assert.equal((await a.post(`${note}?message=${encodeURIComponent('In the lab')}`)).status, 204);
      assert.equal((await a.get(note)).json.message, 'In the lab');
      assert.equal((await a.post(note)).status, 204, 'no body resets');
      assert.equal((await a.get(note)).json.message, '');
      assert.equal(sim.control.presenceOf(ALICE).note, '');
    }));

  it('location: ≤ 60 characters (61 → 400), events like the note, empty clears', () =>
    withSim({ users: PEOPLE_USERS, timeScale: 0.01 }, async (sim) => {
      const a = await ready(sim);
      const bob = await watcher(sim);
      const loc = `${a.app._links.self.href}/me/location`;
      const long = await a.post(loc, { location: 'x'.repeat(61) });
      assert.equal(long.status, 400);
      assert.deepEqual([long.json.code, long.json.subcode], ['BadRequest', 'ParameterValidationFailure']);
      assert.equal((await a.post(loc, { location: 'y'.repeat(60) })).status, 204);
      assert.equal((await a.get(loc)).json.location, 'y'.repeat(60));
      assert.equal((await a.post(loc, { location: 'Building 20, Redmond' })).status, 204);
      const mine = await a.events.until((e) => e.some((x) => x.rel === 'location'));
      assert.deepEqual(mine.filter((x) => x.rel === 'location').map(fmt), ['me/location:updated']);
      const seen = await bob.events.until((e) => about(e, 'contactLocation', ALICE).length > 0);
      assert.equal((await bob.get(about(seen, 'contactLocation', ALICE)[0]!.href)).json.location, 'Building 20, Redmond');
      assert.deepEqual((await a.get(loc)).json, { rel: 'location', location: 'Building 20, Redmond', _links: { self: { href: loc } } });
      assert.equal((await a.post(loc, {})).status, 204);
      assert.equal((await a.get(loc)).json.location, '');
    }));

  it('POST note without a live event channel → 500 CallbackChannelError', () =>
    withSim({ users: PEOPLE_USERS, callbackChannelDeadSec: 30 }, async (sim) => {
      const a = await ready(sim);
      await sleep(60);
      const r = await a.post(`${a.app._links.self.href}/me/note`, { message: 'x' });
      assert.deepEqual([r.status, r.json.subcode], [500, 'CallbackChannelError']);
    }));

  it('control.setPresence on an account acts as another endpoint: presence updated to its applications, contactPresence to watchers', () =>
    withSim({ users: PEOPLE_USERS, timeScale: 0.01 }, async (sim) => {
      const a = await ready(sim);
      const bob = await watcher(sim);
      sim.control.setPresence(ALICE, { availability: 'DoNotDisturb', note: 'Presenting' });
      const mine = await a.events.until((e) => e.some((x) => x.rel === 'presence') && e.some((x) => x.rel === 'note'));
      assert.equal(mine.find((x) => x.rel === 'presence')!.embedded.availability, 'DoNotDisturb');
      const seen = await bob.events.until((e) => about(e, 'contactPresence', ALICE).length > 0 && about(e, 'contactNote', ALICE).length > 0);
      const p = await bob.get(about(seen, 'contactPresence', ALICE)[0]!.href);
      assert.deepEqual([p.json.availability, p.json.activity], ['DoNotDisturb', 'Do not disturb']);
      assert.throws(() => sim.control.setPresence(ALICE, { availability: 'Sleeping' }), /PreferredAvailability|one of/);
    }));
});

describe('own photo', () => {
  it('me._links.photo serves a PNG of the user, with an ETag', () =>
    withSim({ users: PEOPLE_USERS }, async (sim) => {
      const s = await Session.open(sim);
      const r = await fetch(s.url(s.me.photo!.href), { headers: { Authorization: `Bearer ${s.token}` } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'image/png');
      assert.match(r.headers.get('etag') ?? '', /^"[0-9a-f]+"$/);
      const bytes = Buffer.from(await r.arrayBuffer());
      assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    }));
});
