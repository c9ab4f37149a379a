// Presence subscriptions (PROTOCOL-2 §1.8) and the presence events they carry (§1.5, §1.9), over
// plain HTTP: creation and its three event kinds, group subscriptions, memberships, extension,
// the "about to expire" warning, expiry, deletion, limits and the dead-channel error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, BOB, Session, fmt, isDate, sleep, withSim } from './http.ts';
import { ECHO, PEOPLE_USERS, REPLIER, RITA, SILENT, TYPER, about, people, quietBatch, startPeopleSim } from './peopleWorld.ts';

async function subscribe(s: Session, body: unknown): Promise<ReturnType<Session['post']>> {
  return s.post(people(s).presenceSubscriptions!.href, body);
}

describe('presence subscriptions', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startPeopleSim();
  });
  after(() => sim.stop());

  it('POST {duration, Uris} → 201 + presenceSubscription; contact added, presenceSubscription added, contactPresence updated per member', async () => {
    const s = await Session.open(sim);
    const r = await subscribe(s, { duration: 11, Uris: [ECHO, 'sip:TYPER@Contoso.com'] });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.rel, 'presenceSubscription');
    assert.match(r.json.id, /^[0-9a-f]{8}$/);
    const links = r.json._links;
    assert.match(links.self.href, new RegExp(`/people/presenceSubscriptions/${r.json.id}$`));
    assert.match(links.memberships.href, new RegExp(`presenceSubscriptionMemberships\\?presenceSubscriptionId=${r.json.id}$`));
    assert.equal(links.addToPresenceSubscription.href, links.memberships.href);
    const evs = await s.events.until((e) => e.filter((x) => x.rel === 'contactPresence').length >= 2);
    assert.deepEqual(evs.map(fmt), [
      'people/contact:added@subscribedContacts', 'people/contact:added@subscribedContacts',
      'people/presenceSubscription:added',
      'people/contactPresence:updated@contact', 'people/contactPresence:updated@contact',
    ]);
    assert.ok(evs.every((e) => e.senderHref === people(s).self!.href && e.embedded === undefined));
    const presence = evs[3]!;
    assert.match(presence.href, /\/people\/echo@contoso\.com\/presence$/);
    assert.match(presence.in!.href, /\/people\/echo@contoso\.com$/);
    assert.equal(evs[2]!.href, links.self.href);
    // The initial presence is read with a GET of the link.
    const p = await s.get(presence.href);
    assert.equal(p.status, 200);
    assert.equal(p.json.rel, 'contactPresence');
    assert.equal(p.json.availability, 'Online');
    assert.equal(p.json.activity, 'Available');
    assert.equal(p.json.deviceType, 'PC');
    assert.ok(isDate(p.json.lastActive), p.json.lastActive);
    const sub = await s.get(people(s).subscribedContacts!.href);
    assert.deepEqual(sub.json._links.contact.map((c: { href: string }) => c.href.replace(/.*\/people\//, '')), ['echo@contoso.com', 'typer@contoso.com']);
    assert.equal((await s.get(links.self.href)).json.id, r.json.id);
    const list = await s.get(people(s).presenceSubscriptions!.href);
    assert.deepEqual(list.json._embedded.presenceSubscription.map((x: { id: string }) => x.id), [r.json.id]);
  });

  it('validates duration 10–30 and a non-empty uris list (400 ParameterValidationFailure)', async () => {
    const s = await Session.open(sim);
    for (const body of [{ duration: 9, uris: [ECHO] }, { duration: 31, uris: [ECHO] }, { duration: 'x', uris: [ECHO] }, { uris: [ECHO] }, { duration: 10 }, { duration: 10, uris: [] }, { duration: 10, uris: ['echo'] }]) {
      const r = await subscribe(s, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.subcode, 'ParameterValidationFailure');
    }
  });

  it('a presence change reaches subscribers only: contactPresence updated (sender people, in contact); note and location too', async () => {
    const watcher = await Session.open(sim);
    const bystander = await Session.open(sim, BOB);
    assert.equal((await subscribe(watcher, { duration: 30, uris: [SILENT] })).status, 201);
    await watcher.events.until((e) => e.some((x) => x.rel === 'contactPresence'));
    await quietBatch(bystander, 1);
    sim.control.setPresence(SILENT, { availability: 'Busy', activity: 'in-a-meeting' });
    const evs = await watcher.events.until((e) => e.some((x) => x.rel === 'contactPresence'));
    assert.deepEqual(about(evs, 'contactPresence', SILENT).map(fmt), ['people/contactPresence:updated@contact']);
    const p = await watcher.get(about(evs, 'contactPresence', SILENT)[0]!.href);
    assert.equal(p.json.availability, 'Busy');
    assert.equal(p.json.activity, 'in-a-meeting');
    sim.control.setPresence(SILENT, { note: 'Back at 3', location: 'Room 12' });
    const more = await watcher.events.until((e) => e.some((x) => x.rel === 'contactNote') && e.some((x) => x.rel === 'contactLocation'));
    const note = await watcher.get(about(more, 'contactNote', SILENT)[0]!.href);
    assert.deepEqual([note.json.rel, note.json.message, note.json.type], ['contactNote', 'Back at 3', 'Personal']);
    const loc = await watcher.get(about(more, 'contactLocation', SILENT)[0]!.href);
    assert.deepEqual([loc.json.rel, loc.json.location], ['contactLocation', 'Room 12']);
    // The bystander has no subscription: its channel stays silent (a 5 s protocol park times out empty).
    assert.deepEqual((await quietBatch(bystander, 5)).map(fmt), []);
    sim.control.clearPresence(SILENT);
    const back = await watcher.events.until((e) => e.some((x) => x.rel === 'contactPresence'));
    assert.equal((await watcher.get(about(back, 'contactPresence', SILENT)[0]!.href)).json.availability, 'Away', 'neverAnswer people are Away by default');
  });

  it('held Medium events are merged per resource: two quick changes → one contactPresence updated', async () => {
    const s = await Session.open(sim);
    assert.equal((await subscribe(s, { duration: 30, uris: [REPLIER] })).status, 201);
    await s.events.until((e) => e.some((x) => x.rel === 'contactPresence'));
    // medium=30 → the batch is held 30 protocol seconds (0.3 s) after the first Medium event.
    const pget = s.get(`${s.events.next}&medium=30`);
    await sleep(30);
    sim.control.setPresence(REPLIER, { availability: 'Away' });
    sim.control.setPresence(REPLIER, { availability: 'BeRightBack' });
    const r = await pget;
    s.events.next = r.json._links.next.href;
    const evs = (r.json.sender ?? []).flatMap((b: { events: { link: { rel: string } }[] }) => b.events.map((e) => e.link.rel));
    assert.deepEqual(evs, ['contactPresence']);
    sim.control.clearPresence(REPLIER);
  });

  it('unknown availability tokens are served as given; an offline contact has no activity', async () => {
    const s = await Session.open(sim);
    const href = `${people(s).self!.href}/nope@contoso.com/presence`;
    sim.control.setPresence('sip:nope@contoso.com', { availability: 'Sleeping' });
    const weird = await s.get(href);
    assert.equal(weird.json.availability, 'Sleeping');
    assert.equal('activity' in weird.json, false);
    sim.control.setPresence('sip:nope@contoso.com', { availability: 'Offline' });
    const off = await s.get(href);
    assert.deepEqual(Object.keys(off.json).sort(), ['_links', 'availability', 'deviceType', 'lastActive', 'rel']);
    assert.equal(off.json.deviceType, 'Unknown');
    assert.ok(isDate(off.json.lastActive));
    sim.control.setPresence('sip:nope@contoso.com', { availability: 'Online', activity: 'urgent-interruptions-only', deviceType: 'Mobile' });
    const custom = await s.get(href);
    assert.deepEqual([custom.json.availability, custom.json.activity, custom.json.deviceType], ['Online', 'urgent-interruptions-only', 'Mobile']);
    sim.control.clearPresence('sip:nope@contoso.com');
    assert.equal((await s.get(href)).json.availability, 'Busy', 'decline people are Busy by default');
  });

  it('subscribeToGroupPresence: the group members at subscription time', async () => {
    const s = await Session.open(sim);
    const groups = (await s.get(people(s).myGroups!.href)).json._embedded;
    const team = groups.group.find((g: { name: string }) => g.name === 'Team');
    const r = await s.post(`${team._links.subscribeToGroupPresence.href}&duration=11`);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.rel, 'presenceSubscription');
    assert.equal(r.json._links.addToPresenceSubscription, undefined, 'as in the group trace');
    const evs = await s.events.until((e) => e.filter((x) => x.rel === 'contactPresence').length >= 2);
    assert.deepEqual(evs.filter((e) => e.rel === 'contactPresence').map((e) => e.in!.href.replace(/.*\/people\//, '')), ['typer@contoso.com', 'replier@contoso.com']);
    const m = await s.get(r.json._links.memberships.href);
    assert.equal(m.json._embedded.presenceSubscriptionMembership.length, 2);
    assert.equal((await s.post(`${people(s).presenceSubscriptions!.href}?groupId=nope&duration=11`)).status, 404);
  });

  it('memberships: addToPresenceSubscription {contactUris} → 201 + memberships; list; DELETE → 204 + contact deleted', async () => {
    const s = await Session.open(sim);
    const r = await subscribe(s, { duration: 20, uris: [ECHO] });
    await s.events.until((e) => e.some((x) => x.rel === 'contactPresence'));
    const add = await s.post(r.json._links.addToPresenceSubscription.href, { contactUris: [TYPER, ECHO, RITA] });
    assert.equal(add.status, 201, add.text);
    assert.equal(add.json.rel, 'presenceSubscriptionMemberships');
    const ms = add.json._embedded.presenceSubscriptionMembership;
    assert.deepEqual(ms.map((m: { _links: { contact: { href: string } } }) => m._links.contact.href.replace(/.*\/people\//, '')), ['echo@contoso.com', 'typer@contoso.com', 'rita@contoso.com']);
    for (const m of ms) {
      assert.equal(m.rel, 'presenceSubscriptionMembership');
      assert.equal(m._links.presenceSubscription.href, r.json._links.self.href);
      assert.match(m._links.self.href, new RegExp(`presenceSubscriptionMemberships/${r.json.id},[a-z.]+@contoso\\.com$`));
    }
    const evs = await s.events.until((e) => e.filter((x) => x.rel === 'contactPresence').length >= 2);
    assert.deepEqual(evs.map(fmt), ['people/contact:added@subscribedContacts', 'people/contact:added@subscribedContacts', 'people/contactPresence:updated@contact', 'people/contactPresence:updated@contact']);
    const list = await s.get(r.json._links.memberships.href);
    assert.equal(list.json._embedded.presenceSubscriptionMembership.length, 3);
    const typer = ms.find((m: { _links: { self: { href: string } } }) => m._links.self.href.endsWith(',typer@contoso.com'));
    assert.equal((await s.get(typer._links.self.href)).status, 200);
    assert.equal((await s.del(typer._links.self.href)).status, 204);
    const gone = await s.events.until((e) => e.some((x) => x.rel === 'contact' && x.type === 'deleted'));
    assert.deepEqual(gone.map(fmt), ['people/contact:deleted@subscribedContacts']);
    assert.match(gone[0]!.href, /typer@contoso\.com$/);
    assert.equal((await s.del(typer._links.self.href)).status, 404);
    assert.equal((await s.get(r.json._links.memberships.href)).json._embedded.presenceSubscriptionMembership.length, 2);
    // A contact covered by two subscriptions stays subscribed until both let go.
    const second = await subscribe(s, { duration: 20, uris: [ECHO] });
    const before2 = await s.events.until((e) => e.some((x) => x.rel === 'presenceSubscription'));
    assert.equal(before2.filter((x) => x.rel === 'contact').length, 0, 'echo was already a subscribed contact');
    assert.equal((await s.del(second.json._links.self.href)).status, 204);
    const del = await s.events.until((e) => e.some((x) => x.rel === 'presenceSubscription' && x.type === 'deleted'));
    assert.deepEqual(del.map(fmt), ['people/presenceSubscription:deleted']);
    for (const body of [{}, { contactUris: [] }, { contactUris: ['not a uri'] }]) assert.equal((await s.post(r.json._links.addToPresenceSubscription.href, body)).status, 400);
  });

  it('DELETE → 204, contact deleted (in subscribedContacts) then presenceSubscription deleted; then 404', async () => {
    const s = await Session.open(sim);
    const r = await subscribe(s, { duration: 15, uris: [ECHO, SILENT] });
    await s.events.until((e) => e.filter((x) => x.rel === 'contactPresence').length >= 2);
    assert.equal((await s.del(r.json._links.self.href)).status, 204);
    const evs = await s.events.until((e) => e.some((x) => x.rel === 'presenceSubscription'));
    assert.deepEqual(evs.map(fmt), ['people/contact:deleted@subscribedContacts', 'people/contact:deleted@subscribedContacts', 'people/presenceSubscription:deleted']);
    assert.equal(evs[2]!.href, r.json._links.self.href);
    for (const res of [await s.del(r.json._links.self.href), await s.get(r.json._links.self.href), await s.post(`${r.json._links.self.href}?duration=10`)]) {
      assert.equal(res.status, 404);
      assert.equal(res.json.subcode, 'ApplicationNotFound');
    }
    assert.deepEqual((await s.get(people(s).subscribedContacts!.href)).json._links.contact, []);
    assert.equal((await s.get(s.app._links.self.href)).status, 200, 'the application itself is fine');
  });

  it('extension adds the duration to what is left, capped at 30 minutes; 200 + the subscription', async () => {
    const s = await Session.open(sim);
    const r = await subscribe(s, { duration: 10, uris: [ECHO] });
    const left = () => sim.control.presenceSubscriptions(ALICE).find((x) => x.id === r.json.id)!.remainingSec;
    assert.ok(left() <= 600 && left() > 590, String(left()));
    const ext = await s.post(`${r.json._links.self.href}?duration=15`);
    assert.equal(ext.status, 200, ext.text);
    assert.equal(ext.json.id, r.json.id);
    assert.ok(left() <= 1500 && left() > 1490, `10 + 15 min: ${left()}`);
    assert.equal((await s.post(r.json._links.self.href, { duration: 30 })).status, 200, 'duration in the body works too');
    assert.ok(left() <= 1800 && left() > 1790, `capped at 30 min: ${left()}`);
    assert.equal((await s.post(`${r.json._links.self.href}?duration=10`)).status, 200);
    assert.ok(left() <= 1800, String(left()));
    for (const d of ['5', '31', '']) assert.equal((await s.post(`${r.json._links.self.href}?duration=${d}`)).status, 400);
  });

  it('LimitExceeded (403): subscriptions per application, URIs per subscription and per addition', () =>
    withSim({ users: PEOPLE_USERS, maxPresenceSubscriptions: 2, maxPresenceSubscriptionUris: 2 }, async (limited) => {
      const s = await Session.open(limited);
      const a = await subscribe(s, { duration: 10, uris: [ECHO, TYPER] });
      assert.equal(a.status, 201);
      const tooMany = await subscribe(s, { duration: 10, uris: [ECHO, TYPER, REPLIER] });
      assert.equal(tooMany.status, 403);
      assert.deepEqual([tooMany.json.code, tooMany.json.subcode], ['Forbidden', 'LimitExceeded']);
      assert.equal((await s.post(a.json._links.addToPresenceSubscription.href, { contactUris: [REPLIER] })).json.subcode, 'LimitExceeded');
      assert.equal((await subscribe(s, { duration: 10, uris: [REPLIER] })).status, 201);
      const third = await subscribe(s, { duration: 10, uris: [SILENT] });
      assert.equal(third.status, 403);
      assert.equal(third.json.subcode, 'LimitExceeded');
    }));

  it('201 on extension when configured (the reference page)', () =>
    withSim({ users: PEOPLE_USERS, presenceExtendStatus: 201 }, async (ref) => {
      const s = await Session.open(ref);
      const r = await subscribe(s, { duration: 10, uris: [ECHO] });
      assert.equal((await s.post(`${r.json._links.self.href}?duration=10`)).status, 201);
    }));

  it('without a live event channel → 500 CallbackChannelError', () =>
    withSim({ users: PEOPLE_USERS, callbackChannelDeadSec: 30 }, async (quick) => {
      const s = await Session.open(quick);
      await sleep(60); // 60 s protocol without a P-GET
      const r = await subscribe(s, { duration: 10, uris: [ECHO] });
      assert.equal(r.status, 500);
      assert.deepEqual([r.json.code, r.json.subcode], ['ServiceFailure', 'CallbackChannelError']);
      assert.deepEqual(quick.control.presenceSubscriptions(ALICE), []);
      await s.get(`${s.app._links.events.href}&timeout=1`);
      assert.equal((await subscribe(s, { duration: 10, uris: [ECHO] })).status, 201);
    }));

  it('an account: contactPresence follows its applications (makeMeAvailable, POST presence, sign-out)', async () => {
    const watcher = await Session.open(sim);
    assert.equal((await subscribe(watcher, { duration: 30, uris: [BOB] })).status, 201);
    const first = await watcher.events.until((e) => e.some((x) => x.rel === 'contactPresence'));
    const href = about(first, 'contactPresence', BOB)[0]!.href;
    assert.equal((await watcher.get(href)).json.availability, 'Offline');
    const bob = await Session.open(sim, BOB);
    await bob.makeMeAvailable();
    await watcher.events.until((e) => about(e, 'contactPresence', BOB).length > 0);
    assert.deepEqual([(await watcher.get(href)).json.availability, (await watcher.get(href)).json.activity], ['Online', 'Available']);
    assert.equal((await bob.post(bob.me.presence?.href ?? `${bob.app._links.self.href}/me/presence`, { availability: 'Offwork' })).status, 204);
    await watcher.events.until((e) => about(e, 'contactPresence', BOB).length > 0);
    const offwork = await watcher.get(href);
    assert.deepEqual([offwork.json.availability, offwork.json.activity], ['Away', 'off-work'], 'Offwork is read back as Away / off-work');
    assert.equal((await bob.del(bob.app._links.self.href)).status, 204);
    await watcher.events.until((e) => about(e, 'contactPresence', BOB).length > 0);
    assert.equal((await watcher.get(href)).json.availability, 'Offline');
  });
});

describe('presence through POST /_control/<method>', () => {
  it('setPresence, presenceOf, clearPresence, addToGroup, contactList, presenceSubscriptions, setPhoto, dayTime', () =>
    withSim({ users: PEOPLE_USERS, controlEndpoint: true, presenceRhythm: false }, async (sim) => {
      const call = async (name: string, args: Record<string, unknown> = {}) => {
        const r = await fetch(`${sim.origin}/_control/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args) });
        const body = (await r.json()) as { ok?: boolean; result?: unknown };
        assert.equal(r.status, 200, `${name}: ${JSON.stringify(body)}`);
        return body.result;
      };
      await call('setPresence', { sip: ECHO, availability: 'Busy', activity: 'on-the-phone', note: 'On a call', location: 'Booth 3' });
      const got = await call('presenceOf', { sip: ECHO }) as Record<string, unknown>;
      assert.deepEqual([got.availability, got.activity, got.note, got.location], ['Busy', 'on-the-phone', 'On a call', 'Booth 3']);
      await call('clearPresence', { sip: ECHO });
      assert.equal(sim.control.presenceOf(ECHO).availability, 'Online');
      assert.equal(sim.control.presenceOf(ECHO).note, 'On a call', 'notes stay until changed');
      await call('addToGroup', { userSip: ALICE, contactSip: RITA, group: 'Team' });
      const list = await call('contactList', { userSip: ALICE }) as { name: string; members: string[] }[];
      assert.ok(list.find((g) => g.name === 'Team')!.members.includes(RITA));
      await call('removeFromGroup', { userSip: ALICE, contactSip: RITA });
      assert.deepEqual(await call('presenceSubscriptions', { userSip: ALICE }), []);
      await call('setPhoto', { sip: ECHO, photo: 'none' });
      assert.equal(await call('dayTime'), '09:30');
      const bad = await fetch(`${sim.origin}/_control/setPresence`, { method: 'POST', body: JSON.stringify({ sip: 'sip:ghost@contoso.com', availability: 'Busy' }) });
      assert.equal(bad.status, 400);
    }));
});

describe('presence subscription expiry', () => {
  it('an "about to expire" updated event (embedded) before the end, then deleted events; extending then → 404 ApplicationNotFound as in the trace', () =>
    // 0.001: a 10-minute subscription lives 0.6 s; the warning comes 120 protocol seconds before.
    withSim({ users: PEOPLE_USERS, subscriptionWarningSec: 120 }, async (fast) => {
      const s = await Session.open(fast);
      const r = await subscribe(s, { duration: 10, uris: [ECHO, TYPER] });
      const evs = await s.events.until((e) => e.some((x) => x.rel === 'presenceSubscription' && x.type === 'deleted'), 3000);
      const late = evs.filter((x) => x.rel === 'presenceSubscription' || (x.rel === 'contact' && x.type === 'deleted'));
      assert.deepEqual(late.map(fmt), [
        'people/presenceSubscription:added', 'people/presenceSubscription:updated',
        'people/contact:deleted@subscribedContacts', 'people/contact:deleted@subscribedContacts', 'people/presenceSubscription:deleted',
      ]);
      const w = late[1]!;
      assert.equal(w.embedded.rel, 'presenceSubscription');
      assert.equal(w.embedded.id, r.json.id);
      assert.equal(w.embedded._links.self.href, r.json._links.self.href);
      const ext = await s.post(`${r.json._links.self.href}?duration=11`);
      assert.equal(ext.status, 404);
      assert.deepEqual(ext.json, { code: 'NotFound', subcode: 'ApplicationNotFound', message: 'An error occurred. Please retry. If the problem persists, contact your support team.' });
      assert.equal((await s.post(r.json._links.addToPresenceSubscription.href, { contactUris: [ECHO] })).status, 404);
      assert.equal((await s.get(s.app._links.self.href)).status, 200);
    }));

  it('a renewal on the warning keeps it alive; subscriptions go with the application', () =>
    withSim({ users: PEOPLE_USERS, subscriptionWarningSec: 600 }, async (fast) => {
      const s = await Session.open(fast);
      const r = await subscribe(s, { duration: 20, uris: [ECHO] });
      await s.events.until((e) => e.some((x) => x.rel === 'presenceSubscription' && x.type === 'updated'), 3000);
      assert.equal((await s.post(`${r.json._links.self.href}?duration=30`)).status, 200);
      await sleep(800); // past the original end (20 min = 1.2 s, of which 0.6 s had gone at the warning)
      assert.equal((await s.get(r.json._links.self.href)).status, 200);
      assert.equal(fast.control.presenceSubscriptions(ALICE).length, 1);
      assert.equal((await s.del(s.app._links.self.href)).status, 204);
      assert.deepEqual(fast.control.presenceSubscriptions(ALICE), []);
    }));
});
