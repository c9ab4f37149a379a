// The contact list (PROTOCOL-2 §1.6, §1.7) over plain HTTP: myGroups (embedded and links),
// groupContacts, myContacts, distribution groups and their expansion limit, memberships and their
// v2 edits, and contact list change events behind myContactsAndGroupsSubscription.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, BOB, Session, fmt, withSim } from './http.ts';
import { ECHO, NOPE, PEOPLE_USERS, REPLIER, RITA, SILENT, TYPER, people, quietBatch, startPeopleSim } from './peopleWorld.ts';

const tail = (href: string): string => href.replace(/.*\/people\//, '');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const uris = (contacts: any[]): string[] => contacts.map((c) => c.uri);

async function startListSubscription(s: Session): Promise<void> {
  const sub = await s.get(people(s).myContactsAndGroupsSubscription!.href);
  const r = await s.post(`${sub.json._links.startOrRefreshSubscriptionToContactsAndGroups.href}?duration=30`);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.state, 'Connected');
}

describe('contact list', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startPeopleSim({ distributionGroupExpandLimit: 10 });
  });
  after(() => sim.stop());

  it('myGroups embeds pinnedGroup and defaultGroup as objects, group and distributionGroup as arrays', async () => {
    const s = await Session.open(sim);
    const r = await s.get(people(s).myGroups!.href);
    assert.equal(r.status, 200);
    assert.equal(r.json.rel, 'myGroups');
    assert.equal(r.json._links.self.href, people(s).myGroups!.href);
    const e = r.json._embedded;
    assert.deepEqual(Object.keys(e), ['pinnedGroup', 'defaultGroup', 'group', 'distributionGroup']);
    assert.deepEqual([e.pinnedGroup.rel, e.pinnedGroup.name], ['pinnedGroup', 'Pinned Contacts']);
    assert.deepEqual([e.defaultGroup.rel, e.defaultGroup.name], ['defaultGroup', 'Other Contacts']);
    assert.deepEqual(e.group.map((g: { name: string }) => g.name), ['Team', 'Empty']);
    assert.deepEqual(e.distributionGroup.map((g: { name: string; uri: string }) => [g.name, g.uri]), [['Everyone here', 'sip:all@contoso.com'], ['Whole company', 'sip:company@contoso.com']]);
    for (const g of [e.pinnedGroup, e.defaultGroup, ...e.group]) {
      assert.equal(typeof g.id, 'string');
      assert.ok(g.id.length > 20, 'opaque ids');
      assert.deepEqual(Object.keys(g._links), ['self', 'groupContacts', 'subscribeToGroupPresence']);
      assert.equal(g._links.groupContacts.href, `${people(s).myContacts!.href}?groupId=${encodeURIComponent(g.id)}`);
      assert.equal(g._links.subscribeToGroupPresence.href, `${people(s).presenceSubscriptions!.href}?groupId=${encodeURIComponent(g.id)}`);
      const one = await s.get(g._links.self.href);
      assert.deepEqual(one.json, g);
    }
    for (const d of e.distributionGroup) assert.deepEqual(Object.keys(d._links), ['self', 'expandDistributionGroup', 'subscribeToGroupPresence']);
  });

  it('myGroups?expand=false: links only, same cardinality', async () => {
    const s = await Session.open(sim);
    const full = (await s.get(people(s).myGroups!.href)).json._embedded;
    const r = await s.get(`${people(s).myGroups!.href}?expand=false`);
    assert.equal(r.json._embedded, undefined);
    const l = r.json._links;
    assert.equal(l.pinnedGroup.href, full.pinnedGroup._links.self.href);
    assert.equal(l.defaultGroup.href, full.defaultGroup._links.self.href);
    assert.deepEqual(l.group.map((x: { href: string }) => x.href), full.group.map((g: { _links: { self: { href: string } } }) => g._links.self.href));
    assert.equal(l.distributionGroup.length, 2);
  });

  it('groupContacts: full contacts, or links with expand=false; myContacts is the union, Favourites first', async () => {
    const s = await Session.open(sim);
    const e = (await s.get(people(s).myGroups!.href)).json._embedded;
    const pinned = await s.get(e.pinnedGroup._links.groupContacts.href);
    assert.equal(pinned.json.rel, 'groupContacts');
    assert.deepEqual(uris(pinned.json._embedded.contact), [ECHO, BOB]);
    const team = await s.get(`${e.group[0]._links.groupContacts.href}&expand=false`);
    assert.equal(team.json._embedded, undefined);
    assert.deepEqual(team.json._links.contact.map((c: { href: string }) => tail(c.href)), ['typer@contoso.com', 'replier@contoso.com']);
    assert.deepEqual((await s.get(e.group[1]._links.groupContacts.href)).json._embedded.contact, []);
    const all = await s.get(people(s).myContacts!.href);
    assert.equal(all.json.rel, 'myContacts');
    assert.deepEqual(uris(all.json._embedded.contact), [ECHO, BOB, TYPER, REPLIER, SILENT, NOPE]);
    assert.deepEqual((await s.get(`${people(s).myContacts!.href}?expand=false`)).json._links.contact.length, 6);
    assert.equal((await s.get(`${people(s).myContacts!.href}?groupId=nope`)).status, 404);
  });

  it('every contact has the directory fields and the seven links; GET contact has an ETag (304 when unchanged)', async () => {
    const s = await Session.open(sim);
    const r = await s.get(people(s).search!.href + '?query=rita');
    const c = r.json._embedded.contact[0];
    assert.equal(r.json.moreResultsAvailable, false);
    assert.deepEqual(
      [c.uri, c.name, c.type, c.sourceNetwork, c.company, c.title, c.department, c.office, c.workPhoneNumber, c.mobilePhoneNumber],
      [RITA, 'Rita Rhythm', 'User', 'SameEnterprise', 'Contoso', 'Analyst', 'Finance', '4/0410', 'tel:+14255550199', 'tel:+14255550198'],
    );
    assert.match(c.etag, /^\d+$/);
    assert.deepEqual(Object.keys(c._links), ['self', 'contactPresence', 'contactNote', 'contactLocation', 'contactSupportedModalities', 'contactPrivacyRelationship', 'contactPhoto']);
    assert.equal(tail(c._links.contactSupportedModalities.href), 'rita@contoso.com/supportedMedia');
    const one = await s.get(c._links.self.href);
    assert.equal(one.headers.get('etag'), `"${c.etag}"`);
    assert.equal((await s.get(c._links.self.href, { 'If-None-Match': `"${c.etag}"` })).status, 304);
    assert.equal((await s.get(people(s).search!.href + '?query=contoso&limit=2')).json.moreResultsAvailable, true);
    assert.equal((await s.get(people(s).search!.href + `?query=${'a'.repeat(257)}`)).status, 400);
    const mods = await s.get(c._links.contactSupportedModalities.href);
    assert.equal(mods.json.rel, 'contactSupportedModalities');
    assert.ok(mods.json.modalities.includes('Messaging') || mods.json.modalities.length === 0);
    const priv = await s.get(c._links.contactPrivacyRelationship.href);
    assert.deepEqual([priv.json.rel, priv.json.relationshipLevel], ['contactPrivacyRelationship', 'Colleagues']);
    const echoPriv = await s.get(`${people(s).self!.href}/echo@contoso.com/privacyRelationship`);
    assert.equal(echoPriv.json.relationshipLevel, 'Workgroup', 'pinned contacts are Workgroup');
    const note = await s.get(c._links.contactNote.href);
    assert.deepEqual([note.json.message, note.json.type], ['Quarter close', 'Personal']);
    assert.equal((await s.get(c._links.contactLocation.href)).json.location, 'Desk 4');
    const rels = await s.get(people(s).myPrivacyRelationships!.href);
    assert.deepEqual(rels.json._embedded.myPrivacyRelationship.map((x: { relationshipLevel: string }) => x.relationshipLevel).sort(), ['Colleagues', 'Workgroup']);
  });

  it('expandDistributionGroup embeds the members; above the limit → 403 TooManyContacts', async () => {
    const s = await Session.open(sim);
    const [small, huge] = (await s.get(people(s).myGroups!.href)).json._embedded.distributionGroup;
    const r = await s.get(small._links.expandDistributionGroup.href);
    assert.equal(r.status, 200);
    assert.equal(r.json.rel, 'distributionGroup');
    assert.deepEqual(uris(r.json._embedded.contact), [ECHO, TYPER, REPLIER, SILENT]);
    assert.deepEqual(r.json._embedded.distributionGroup, []);
    const big = await s.get(huge._links.expandDistributionGroup.href);
    assert.equal(big.status, 403);
    assert.deepEqual([big.json.code, big.json.subcode], ['Forbidden', 'TooManyContacts']);
  });

  it('myGroupMemberships: one pair per (contact, group), keyed by the group rel; ?groupId= narrows', async () => {
    const s = await Session.open(sim);
    const r = await s.get(people(s).myGroupMemberships!.href);
    assert.equal(r.json.rel, 'myGroupMemberships');
    const ms = r.json._embedded.myGroupMembership;
    assert.equal(ms.length, 6);
    assert.deepEqual(Object.keys(ms[0]._links), ['self', 'contact', 'pinnedGroup']);
    assert.ok(ms.some((m: { _links: Record<string, unknown> }) => 'group' in m._links && 'contact' in m._links));
    const pinnedId = (await s.get(people(s).myGroups!.href)).json._embedded.pinnedGroup.id;
    const one = await s.get(`${people(s).myGroupMemberships!.href}?groupId=${encodeURIComponent(pinnedId)}`);
    assert.equal(one.json._embedded.myGroupMembership.length, 2);
    assert.equal((await s.get(ms[0]._links.self.href)).json.rel, 'myGroupMembership');
  });
});

describe('contact list changes (myContactsAndGroupsSubscription)', () => {
  it('subscription GET/start/stop; control add/remove → contact events only to subscribed applications', () =>
    withSim({ users: PEOPLE_USERS, timeScale: 0.01 }, async (sim) => {
      const s = await Session.open(sim);
      const other = await Session.open(sim); // same user, no list subscription
      const sub = await s.get(people(s).myContactsAndGroupsSubscription!.href);
      assert.deepEqual([sub.json.rel, sub.json.state], ['myContactsAndGroupsSubscription', 'Disconnected']);
      assert.deepEqual(Object.keys(sub.json._links), ['self', 'startOrRefreshSubscriptionToContactsAndGroups', 'stopSubscriptionToContactsAndGroups']);
      assert.equal((await s.post(`${sub.json._links.startOrRefreshSubscriptionToContactsAndGroups.href}?duration=5`)).status, 400);
      await startListSubscription(s);
      assert.equal((await s.get(sub.json._links.self.href)).json.state, 'Connected');

      sim.control.addToGroup(ALICE, RITA, 'Team');
      const added = await s.events.until((e) => e.filter((x) => x.rel === 'contact').length >= 2);
      assert.deepEqual(added.map(fmt), ['people/contact:added@myContacts', 'people/contact:added@group']);
      assert.equal(tail(added[0]!.href), 'rita@contoso.com');
      const team = (await s.get(people(s).myGroups!.href)).json._embedded.group[0];
      assert.equal(added[1]!.in!.href, team._links.self.href);
      assert.ok(sim.control.contactList(ALICE).find((g) => g.name === 'Team')!.members.includes(RITA));

      sim.control.addToGroup(ALICE, RITA, 'pinnedGroup'); // already in the list: only the group event
      assert.deepEqual((await s.events.until((e) => e.some((x) => x.rel === 'contact'))).map(fmt), ['people/contact:added@pinnedGroup']);
      sim.control.removeFromGroup(ALICE, RITA, 'Team');
      assert.deepEqual((await s.events.until((e) => e.some((x) => x.rel === 'contact'))).map(fmt), ['people/contact:deleted@group']);
      sim.control.removeFromGroup(ALICE, RITA);
      assert.deepEqual((await s.events.until((e) => e.filter((x) => x.rel === 'contact').length >= 2)).map(fmt), ['people/contact:deleted@pinnedGroup', 'people/contact:deleted@myContacts']);
      sim.control.addToGroup(ALICE, RITA, 'New group');
      assert.deepEqual((await s.events.until((e) => e.filter((x) => x.rel === 'contact').length >= 2)).map(fmt), ['people/group:added@myGroups', 'people/contact:added@myContacts', 'people/contact:added@group']);

      assert.deepEqual((await quietBatch(other, 5)).map(fmt), [], 'no list subscription, no list events');

      assert.equal((await s.post(sub.json._links.stopSubscriptionToContactsAndGroups.href)).status, 204);
      assert.equal((await s.get(sub.json._links.self.href)).json.state, 'Disconnected');
      assert.equal((await s.post(sub.json._links.stopSubscriptionToContactsAndGroups.href)).status, 409);
      sim.control.removeFromGroup(ALICE, RITA);
      assert.deepEqual((await quietBatch(s, 5)).map(fmt), [], 'stopped: no more list events');
    }));

  it('POST myGroupMemberships → 201 (defaultGroup without groupId); 409 AlreadyExists; DELETE → 204; events when subscribed', () =>
    withSim({ users: PEOPLE_USERS, timeScale: 0.01 }, async (sim) => {
      const s = await Session.open(sim);
      await startListSubscription(s);
      const groups = (await s.get(people(s).myGroups!.href)).json._embedded;
      const href = people(s).myGroupMemberships!.href;
      const r = await s.post(href, { contactUri: RITA, groupId: groups.pinnedGroup.id });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.rel, 'myGroupMembership');
      assert.equal(r.json._links.pinnedGroup.href, groups.pinnedGroup._links.self.href);
      assert.deepEqual((await s.events.until((e) => e.filter((x) => x.rel === 'contact').length >= 2)).map(fmt), ['people/contact:added@myContacts', 'people/contact:added@pinnedGroup']);
      const again = await s.post(href, { contactUri: RITA, groupId: groups.pinnedGroup.id });
      assert.deepEqual([again.status, again.json.subcode], [409, 'AlreadyExists']);
      const toDefault = await s.post(`${href}?contactUri=${encodeURIComponent(RITA)}`);
      assert.equal(toDefault.status, 201);
      assert.ok(toDefault.json._links.defaultGroup);
      await s.events.until((e) => e.some((x) => x.rel === 'contact'));
      assert.equal((await s.post(href, { contactUri: RITA, groupId: groups.distributionGroup[0].id })).status, 403);
      assert.equal((await s.post(href, { contactUri: 'sip:nobody@contoso.com' })).status, 404);
      assert.equal((await s.post(href, { contactUri: 'rita' })).status, 400);
      assert.equal((await s.del(r.json._links.self.href)).status, 204);
      assert.deepEqual((await s.events.until((e) => e.some((x) => x.rel === 'contact'))).map(fmt), ['people/contact:deleted@pinnedGroup']);
      assert.equal((await s.del(r.json._links.self.href)).status, 404);
      const pinned = await s.get(groups.pinnedGroup._links.groupContacts.href);
      assert.deepEqual(uris(pinned.json._embedded.contact), [ECHO, BOB]);
    }));

  it('409 LimitExceeded when the contact list is full', () =>
    withSim({ users: PEOPLE_USERS, maxContacts: 6 }, async (sim) => {
      const s = await Session.open(sim);
      const r = await s.post(people(s).myGroupMemberships!.href, { contactUri: RITA });
      assert.deepEqual([r.status, r.json.code, r.json.subcode], [409, 'Conflict', 'LimitExceeded']);
    }));

  it('the list subscription warns before it runs out, then reads Disconnected', () =>
    withSim({ users: PEOPLE_USERS, subscriptionWarningSec: 540 }, async (sim) => {
      // 0.001: 10 minutes = 0.6 s; the warning comes at 60 s = 60 ms.
      const s = await Session.open(sim);
      const sub = await s.get(people(s).myContactsAndGroupsSubscription!.href);
      assert.equal((await s.post(sub.json._links.startOrRefreshSubscriptionToContactsAndGroups.href, { duration: 10 })).status, 201);
      const evs = await s.events.until((e) => e.some((x) => x.rel === 'myContactsAndGroupsSubscription'), 3000);
      assert.deepEqual(evs.map(fmt), ['people/myContactsAndGroupsSubscription:updated']);
      await new Promise((r) => setTimeout(r, 700));
      assert.equal((await s.get(sub.json._links.self.href)).json.state, 'Disconnected');
    }));
});
