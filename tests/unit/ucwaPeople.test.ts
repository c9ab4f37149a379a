// The people parsers (main/core/ucwa/contacts.ts, presence.ts, peopleEvents.ts, peopleFields.ts) on
// the bodies of ../shared/ucwa/PROTOCOL-2.md §1 exactly as it shows them — Microsoft's docs and
// traces, with their quirks ("\/Date(…)\/", the offline contact without activity, hrefs whose case
// changes within one trace, "Uris") — and on hostile variants: wrong types, huge strings, huge lists.
// Every parser is total: it never throws, whatever it is given.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupKindOfRel, parseContact, parseContactCollection, parseMyGroups, parsePeopleLinks } from '../../main/core/ucwa/contacts.ts';
import {
  addToPresenceSubscriptionRequest, availabilityOf, parseLocation, parseNote, parsePresence, parsePresenceSubscription, presencePatch,
  presenceSubscriptionRequest,
} from '../../main/core/ucwa/presence.ts';
import { classifyPeopleEvent, type PeopleEvent } from '../../main/core/ucwa/peopleEvents.ts';
import { hrefKey, sipFromPeopleHref, sipFromUri } from '../../main/core/ucwa/peopleFields.ts';
import { parseBatch } from '../../main/core/ucwa/events.ts';
import { LIMITS } from '../../main/core/limits.ts';

const json = (text: string): unknown => JSON.parse(text);

// --- the bodies, verbatim -----------------------------------------------------------------------

/** PROTOCOL.md §2.1: `people` embedded in the application. */
const PEOPLE = String.raw`{
"_links":{
"self":{"href":"/ucwa/oauth/v1/applications/105/people"},
"presenceSubscriptions":{"href":"/ucwa/oauth/v1/applications/105/people/presenceSubscriptions"},
"subscribedContacts":{"href":"/ucwa/oauth/v1/applications/105/people/subscribedContacts"},
"presenceSubscriptionMemberships":{"href":"/ucwa/oauth/v1/applications/105/people/presenceSubscriptionMemberships"},
"myGroups":{"href":"/ucwa/oauth/v1/applications/105/people/groups"},
"myGroupMemberships":{"href":"/ucwa/oauth/v1/applications/105/people/groupMemberships"},
"myContacts":{"href":"/ucwa/oauth/v1/applications/105/people/contacts"},
"myPrivacyRelationships":{"href":"/ucwa/oauth/v1/applications/105/people/privacyRelationships"},
"myContactsAndGroupsSubscription":{"href":"/ucwa/oauth/v1/applications/105/people/contactsAndGroupsSubscription"},
"search":{"href":"/ucwa/oauth/v1/applications/105/people/search"}
},
"rel":"people"
}`;

/** §1.4: the trace contact as embedded in myContacts. */
const LENE = String.raw`{
"uri":"sip:lenea@contoso.com",
"sourceNetwork":"SameEnterprise",
"type":"User",
"name":"Lene Aaling",
"_links":{
"self":{"href":"/ucwa/oauth/v1/applications/101/people/lenea@contoso.com"},
"contactPhoto":{"href":"/ucwa/oauth/v1/applications/101/photos/lenea@contoso.com"},
"contactPresence":{"href":"/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/presence"},
"contactLocation":{"href":"/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/location"},
"contactNote":{"href":"/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/note"},
"contactSupportedModalities":{"href":"/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/supportedMedia"},
"contactPrivacyRelationship":{"href":"/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/privacyRelationship"}
},
"rel":"contact",
"etag":"2316395199"
}`;

/** §1.6: myContacts, trace (abridged as the digest shows it). */
const MY_CONTACTS = String.raw`{
"_links":{"self":{"href":"/ucwa/oauth/v1/applications/101/people/contacts"}},
"_embedded":{
"contact": [
 {"uri":"sip:ManishC@contoso.com","sourceNetwork":"SameEnterprise","emailAddresses":["ManishC@contoso.com"],
  "type":"User","name":"Manish Chopra","_links":{"self":{"href":"/ucwa/oauth/v1/applications/101/people/manishc@contoso.com"},"...":"..."},
  "rel":"contact","etag":"1486203547"},
 {"uri":"sip:lenea@contoso.com","...":"..."}
]
},
"rel":"myContacts"
}`;

/** §1.6: myGroups, trace ("all there is in the docs for a real server"). */
const MY_GROUPS = String.raw`{
"_links":{"self":{"href":"/ucwa/oauth/v1/applications/101/people/groups"}},
"_embedded":{
"pinnedGroup":{
"id":"group_id",
"name":"Pinned Contacts",
"_links":{
"self":{"href":"/ucwa/oauth/v1/applications/101/people/groups/group_id"},
"groupContacts":{"href":"/ucwa/oauth/v1/applications/101/people/contacts?groupId=group_id"},
"subscribeToGroupPresence":{"href":"/ucwa/oauth/v1/applications/101/people/presenceSubscriptions?groupId=group_id"}
},
"rel":"pinnedGroup"
},
"defaultGroup":{ "id":"default_group_id", "name":"Other Contacts", "_links":{ "...": "same three links" }, "rel":"defaultGroup" },
"group": [],
"distributionGroup": []
},
"rel":"myGroups"
}`;

/** §1.10: a search response, trace. */
const SEARCH = String.raw`{
"moreResultsAvailable":false,
"_links":{"self":{"href":"/ucwa/oauth/v1/applications/101/people/search?query=sarad@contoso.com\u0026limit=3"}},
"_embedded":{ "contact": [ {"uri":"sip:SaraD@contoso.com","name":"Sara Davis","company":"Metio","department":"Sales \u0026 Marketing","office":"20/2107","title":"Product Manager","emailAddresses":["SaraD@contoso.com"],"workPhoneNumber":"tel:+19185550107","type":"User","sourceNetwork":"SameEnterprise","_links":{"...":"..."},"rel":"contact","etag":"58253032"} ] },
"rel":"search"
}`;

/** §1.5: contactPresence, reference sample (its `{...}` self link given an href). */
const PRESENCE_REF = String.raw`{"rel":"contactPresence","activity":"in-a-conference","availability":"DoNotDisturb","deviceType":"PC","lastActive":"/Date(1474932023993)/","_links":{"self":{"href":"/ucwa/v1/applications/192/people/282/contactPresence"}}}`;

/** §1.5: presence of an offline contact, trace — no activity at all, and the escaped "\/Date(…)\/". */
const PRESENCE_OFFLINE = String.raw`{
"availability":"Offline",
"deviceType":"Unknown",
"lastActive":"\/Date(1358827096000)\/",
"_links":{"self":{"href":"/ucwa/oauth/v1/applications/101/people/sarad@contoso.com/presence"}},
"rel":"contactPresence"
}`;

/** §1.5 and §1.2: contactNote / contactLocation and one's own note / location (their `{...}` / `...` filled in). */
const CONTACT_NOTE = String.raw`{"rel":"contactNote","message":"Heads down today","type":"Personal","_links":{"self":{"href":"/ucwa/v1/applications/192/people/282/contactNote"}}}`;
const CONTACT_LOCATION = String.raw`{"rel":"contactLocation","location":"By the beach...","_links":{"self":{"href":"/ucwa/v1/applications/192/people/282/contactLocation"}}}`;
const OWN_NOTE = String.raw`{"rel":"note","message":"Heads down today","type":"Personal","_links":{"self":{"href":"/ucwa/v1/applications/192/me/note"}}}`;
const OWN_LOCATION = String.raw`{"rel":"location","location":"By the beach...","_links":{"self":{"href":"/ucwa/v1/applications/192/me/location"}}}`;

/** §1.8: the 201 bodies of an ad-hoc and of a group presence subscription (ids as the pages print them). */
const SUBSCRIPTION = String.raw`{
"id":"97b6bd66",
"_links":{
"self":{"href":"/ucwa/oauth/v1/applications/101/people/presenceSubscriptions/97b6bd66"},
"memberships":{"href":"/ucwa/oauth/v1/applications/101/people/presenceSubscriptionMemberships?presenceSubscriptionId=97b6bd66"},
"addToPresenceSubscription":{"href":"/ucwa/oauth/v1/applications/101/people/presenceSubscriptionMemberships?presenceSubscriptionId=97b6bd66"}
},
"rel":"presenceSubscription"
}`;
const GROUP_SUBSCRIPTION = String.raw`{
"id":"default_group_id",
"_links":{
"self":{"href":"/ucwa/oauth/v1/applications/101/people/presenceSubscriptions/default_group_id"},
"memberships":{"href":"/ucwa/oauth/v1/applications/101/people/presenceSubscriptionMemberships?presenceSubscriptionId=pres_sub_id"}
},
"rel":"presenceSubscription"
}`;
/** §1.8: the trace's request body ("Uris", the spelling of the trace). */
const SUBSCRIBE_REQUEST = String.raw`{"duration":11,"Uris": ["sip:SaraD@contoso.com"]}`;

/** §1.8: what arrives after creating a subscription (the events array, in a batch of sender people). */
const EVENTS_AFTER_SUBSCRIBING = String.raw`[
 {"link":{"rel":"contact","href":"/ucwa/oauth/v1/applications/101/people/sarad@contoso.com"},
  "in":{"rel":"subscribedContacts","href":"/ucwa/oauth/v1/applications/101/people/subscribedContacts"},
  "type":"added"},
 {"link":{"rel":"presenceSubscription","href":"/ucwa/oauth/v1/applications/101/people/presenceSubscriptions/97b6bd66"},
  "type":"added"},
 {"link":{"rel":"contactPresence","href":"/ucwa/oauth/v1/applications/101/people/sarad@Contoso.com/presence"},
  "in":{"rel":"contact","href":"/ucwa/oauth/v1/applications/101/people/sarad@contoso.com"},
  "type":"updated"}
]`;

/** §1.5: the reference event shape (absolute hrefs, reference-style ids). */
const PRESENCE_EVENT_SENDER = String.raw`{
  "rel" : "people",
  "href" : "https://fe1.contoso.com:443/ucwa/v1/applications/192/people",
  "events" : [ {
    "link" : { "rel" : "contactPresence", "href" : "https://fe1.contoso.com:443/ucwa/v1/applications/192/people/282/contactPresence" },
    "in" : { "rel" : "contact", "href" : "https://fe1.contoso.com:443/ucwa/v1/applications/192/people/282" },
    "type" : "updated"
  } ]
}`;

/** §1.6: a member change. */
const MEMBER_ADDED = String.raw`{"link":{"rel":"contact","href":".../people/282"},"in":{"rel":"group","href":".../groups/group"},"type":"added"}`;

/** A P-GET answer of one sender (P1 §3.2's frame around the digest's events). */
function batchOf(senderRel: string, events: unknown[]) {
  return parseBatch({
    _links: { self: { href: '/ucwa/oauth/v1/applications/101/events?ack=1' }, next: { href: '/ucwa/oauth/v1/applications/101/events?ack=2' } },
    sender: [{ rel: senderRel, href: `/ucwa/oauth/v1/applications/101/${senderRel}`, events }],
  });
}

const classifyAll = (senderRel: string, events: unknown[]): (PeopleEvent | null)[] => batchOf(senderRel, events).events.map(classifyPeopleEvent);

/** Values of every type a hostile server can put where a string, a list or a resource belongs. */
const HOSTILE_VALUES: unknown[] = [
  null, undefined, 0, -1, 1e308, Number.NaN, true, '', ' ', 'x'.repeat(1 << 20), [], [[[]]], {}, { _links: 'x' }, { _embedded: [] },
  { _links: { self: { href: 42 } } }, json('{"__proto__": {"uri": "sip:proto@x.com", "_links": {"self": {"href": "/people/p@x.com"}}}}'),
  json('{"constructor": {"prototype": {"uri": 1}}, "_embedded": {"__proto__": [{"uri": "sip:x@y.com"}]}}'),
];

/** An object nested `depth` levels (what jsonDepth.ts refuses before parsing; a parser must still not recurse into it). */
function deep(depth: number): unknown {
  let v: unknown = { uri: 'sip:deep@contoso.com' };
  for (let i = 0; i < depth; i++) v = { _embedded: { contact: [v] }, _links: { self: v } };
  return v;
}

describe('people hub', () => {
  test('every link of the embedded people resource', () => {
    const l = parsePeopleLinks(json(PEOPLE));
    assert.equal(l.myContacts, '/ucwa/oauth/v1/applications/105/people/contacts');
    assert.equal(l.myGroups, '/ucwa/oauth/v1/applications/105/people/groups');
    assert.equal(l.myGroupMemberships, '/ucwa/oauth/v1/applications/105/people/groupMemberships');
    assert.equal(l.myContactsAndGroupsSubscription, '/ucwa/oauth/v1/applications/105/people/contactsAndGroupsSubscription');
    assert.equal(l.presenceSubscriptions, '/ucwa/oauth/v1/applications/105/people/presenceSubscriptions');
    assert.equal(l.presenceSubscriptionMemberships, '/ucwa/oauth/v1/applications/105/people/presenceSubscriptionMemberships');
    assert.equal(l.subscribedContacts, '/ucwa/oauth/v1/applications/105/people/subscribedContacts');
    assert.equal(l.myPrivacyRelationships, '/ucwa/oauth/v1/applications/105/people/privacyRelationships');
    assert.equal(l.search, '/ucwa/oauth/v1/applications/105/people/search');
  });

  test('missing links are null, never guessed', () => {
    for (const v of HOSTILE_VALUES) {
      const l = parsePeopleLinks(v);
      assert.ok(Object.values(l).every((h) => h === null), String(v).slice(0, 30));
    }
    assert.equal(parsePeopleLinks({ _links: { search: [{ href: '/s1' }, { href: '/s2' }], myGroups: { href: '' } } }).search, '/s1');
    assert.equal(parsePeopleLinks({ _links: { myGroups: { href: '' } } }).myGroups, null);
  });
});

describe('contact', () => {
  test('the trace contact: every property and the hrefs of its sub-resources', () => {
    const c = parseContact(json(LENE))!;
    assert.equal(c.sip, 'sip:lenea@contoso.com');
    assert.deepEqual(c.card, {
      sip: 'sip:lenea@contoso.com', name: 'Lene Aaling', title: '', department: '', company: '', office: '', emails: [],
      phones: { work: '', mobile: '', home: '', other: '' }, contactType: 'User', sourceNetwork: 'SameEnterprise',
    });
    assert.equal(c.etag, '2316395199');
    assert.deepEqual(c.links, {
      self: '/ucwa/oauth/v1/applications/101/people/lenea@contoso.com',
      contactPresence: '/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/presence',
      contactNote: '/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/note',
      contactLocation: '/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/location',
      contactSupportedModalities: '/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/supportedMedia',
      contactPrivacyRelationship: '/ucwa/oauth/v1/applications/101/people/lenea@contoso.com/privacyRelationship',
      contactPhoto: '/ucwa/oauth/v1/applications/101/photos/lenea@contoso.com',
    });
  });

  test('the search hit: company, department (an escaped &), office, title, e-mail, a tel: work number; the uri lower-cased', () => {
    const [sara] = parseContactCollection(json(SEARCH)).contacts;
    assert.equal(sara?.sip, 'sip:sarad@contoso.com');
    assert.equal(sara?.card.name, 'Sara Davis');
    assert.equal(sara?.card.company, 'Metio');
    assert.equal(sara?.card.department, 'Sales & Marketing');
    assert.equal(sara?.card.office, '20/2107');
    assert.equal(sara?.card.title, 'Product Manager');
    assert.deepEqual(sara?.card.emails, ['SaraD@contoso.com']);
    assert.equal(sara?.card.phones?.work, 'tel:+19185550107');
    assert.equal(sara?.etag, '58253032');
    assert.equal(sara?.links.contactPresence, null, 'the digest elides its links: none are invented');
  });

  test('the key: the uri, else the address in the self href; nobody when neither names a person', () => {
    assert.equal(parseContact({ _links: { self: { href: '/ucwa/oauth/v1/applications/101/people/LeneA@Contoso.com' } } })?.sip, 'sip:lenea@contoso.com');
    // GetAContactData's corrupted values (a doc typo, not a format): the uri is no address, the self href names her.
    assert.equal(parseContact({ uri: 'sip:lenea@contoso.com@contoso.com', _links: { self: { href: '/ucwa/oauth/v1/applications/101/people/lenea@contoso.com' } } })?.sip, 'sip:lenea@contoso.com');
    assert.equal(parseContact({ uri: 'sip:lenea@contoso.com@contoso.com' }), null);
    assert.equal(parseContact({ uri: 'tel:+19185550107', type: 'Phone' }), null, 'a phone contact has no SIP address to key it by');
    assert.equal(parseContact({ _links: { self: { href: '/ucwa/v1/applications/192/people/282' } } }), null, 'a reference-style href names nobody');
    assert.equal(parseContact({ uri: 'LeneA@contoso.com' })?.sip, 'sip:lenea@contoso.com', 'the scheme may be missing');
  });

  test('hostile contacts: wrong types are empty, huge strings are cut, huge lists capped, nothing throws', () => {
    for (const v of HOSTILE_VALUES) assert.equal(parseContact(v), null, String(v).slice(0, 30));
    const huge = 'x'.repeat(1 << 20);
    const c = parseContact({
      uri: 'sip:h@contoso.com', name: `Evil\u001b]0;pwned\u0007 ${huge}`, title: huge, department: 42, company: { a: 1 }, office: ['x'],
      emailAddresses: [...Array.from({ length: 100_000 }, (_, i) => `e${i}@x.com`)], workPhoneNumber: huge, type: huge, etag: huge,
      _links: { self: [{ href: 5 }, { href: '/ok' }], contactPresence: 'not a link', contactNote: [{}], contactPhoto: { href: huge } },
    })!;
    assert.equal(c.card.name!.length, LIMITS.nameChars);
    assert.ok(c.card.name!.startsWith('Evil ]0;pwned '), 'control characters are spaces');
    assert.equal(c.card.title!.length, LIMITS.personFieldChars);
    assert.equal(c.card.department, '');
    assert.equal(c.card.company, '');
    assert.equal(c.card.office, '');
    assert.equal(c.card.emails!.length, LIMITS.emailsPerPerson);
    assert.equal(c.card.phones!.work!.length, LIMITS.phoneChars);
    assert.equal(c.card.contactType!.length, LIMITS.tokenChars);
    assert.equal(c.etag!.length, LIMITS.photoTagChars);
    assert.equal(c.links.self, null, 'the first link object is the link; a bad one is none');
    assert.equal(c.links.contactPresence, null);
    assert.equal(c.links.contactNote, null);
    assert.equal(c.links.contactPhoto, huge, 'an href is kept whole: following it is the hypermedia guard\'s decision');
    assert.equal(parseContact({ uri: `sip:${huge}@x.com` }), null);
    assert.equal(parseContact({ uri: 'sip:a b@x.com' }), null);
    assert.equal(parseContact({ uri: 'sip:a@x.com\u0000' }), null);
    assert.doesNotThrow(() => parseContact(deep(10_000)));
  });
});

describe('contact lists: myContacts, groupContacts, search', () => {
  test('myContacts (trace): each contact, an abridged one too', () => {
    const r = parseContactCollection(json(MY_CONTACTS));
    assert.deepEqual(r.contacts.map((c) => [c.sip, c.card.name]), [['sip:manishc@contoso.com', 'Manish Chopra'], ['sip:lenea@contoso.com', '']]);
    assert.deepEqual(r.contacts[0]!.card.emails, ['ManishC@contoso.com']);
    assert.equal(r.contacts[0]!.links.self, '/ucwa/oauth/v1/applications/101/people/manishc@contoso.com');
    assert.equal(r.contacts[0]!.etag, '1486203547');
    assert.deepEqual(r.linked, []);
    assert.equal(r.moreResultsAvailable, false);
  });

  test('a missing _embedded is an empty list (no search results); expand=false gives links; moreResultsAvailable', () => {
    assert.deepEqual(parseContactCollection({ moreResultsAvailable: false, _links: { self: { href: '/s' } }, rel: 'search' }), {
      contacts: [], linked: [], distributionGroups: [], moreResultsAvailable: false,
    });
    const linksOnly = parseContactCollection({ _links: { self: { href: '/c' }, contact: [{ href: '/people/saraD@contoso.com' }, { href: '/people/282' }] } });
    assert.deepEqual(linksOnly.linked, [{ href: '/people/saraD@contoso.com', sip: 'sip:sarad@contoso.com' }, { href: '/people/282', sip: null }]);
    assert.equal(parseContactCollection({ moreResultsAvailable: true }).moreResultsAvailable, true);
    assert.equal(parseContactCollection({ moreResultsAvailable: 'true' }).moreResultsAvailable, false, 'only a boolean true');
  });

  test('a single embedded contact (an object, not an array), repeats once, distribution groups in search results', () => {
    const r = parseContactCollection({
      _embedded: {
        contact: { uri: 'sip:one@contoso.com', name: 'One' },
        distributionGroup: [{ id: 'dl1', name: 'All Sales', uri: 'sip:allsales@contoso.com', _links: { expandDistributionGroup: { href: '/dl1/expand' } } }],
      },
    });
    assert.deepEqual(r.contacts.map((c) => c.sip), ['sip:one@contoso.com']);
    assert.deepEqual(r.distributionGroups.map((g) => [g.serverId, g.kind, g.name, g.uri, g.links.expandDistributionGroup]), [['dl1', 'distribution', 'All Sales', 'sip:allsales@contoso.com', '/dl1/expand']]);
    const twice = parseContactCollection({ _embedded: { contact: [{ uri: 'sip:A@x.com', name: 'first' }, { uri: 'sip:a@X.com', name: 'second' }] } });
    assert.deepEqual(twice.contacts.map((c) => c.card.name), ['first']);
  });

  test('hostile lists: any body, a list over the bound, elements of every type', () => {
    for (const v of HOSTILE_VALUES) {
      const r = parseContactCollection(v);
      assert.deepEqual([r.contacts.length, r.linked.length, r.distributionGroups.length, r.moreResultsAvailable], [0, 0, 0, false], String(v).slice(0, 30));
    }
    const many = parseContactCollection({ _embedded: { contact: [...HOSTILE_VALUES, ...Array.from({ length: LIMITS.contactListMembers + 10 }, (_, i) => ({ uri: `sip:p${i}@x.com` }))] } });
    assert.equal(many.contacts.length, LIMITS.contactListMembers);
    assert.doesNotThrow(() => parseContactCollection(deep(10_000)));
  });
});

describe('myGroups', () => {
  test('the trace: pinned and default groups (objects), empty arrays of user and distribution groups, in the server\'s order', () => {
    const groups = parseMyGroups(json(MY_GROUPS));
    assert.deepEqual(groups.map((g) => [g.serverId, g.kind, g.rel, g.name]), [
      ['group_id', 'pinned', 'pinnedGroup', 'Pinned Contacts'],
      ['default_group_id', 'default', 'defaultGroup', 'Other Contacts'],
    ]);
    assert.deepEqual(groups[0]!.links, {
      self: '/ucwa/oauth/v1/applications/101/people/groups/group_id',
      groupContacts: '/ucwa/oauth/v1/applications/101/people/contacts?groupId=group_id',
      subscribeToGroupPresence: '/ucwa/oauth/v1/applications/101/people/presenceSubscriptions?groupId=group_id',
      expandDistributionGroup: null, addToContactList: null, removeFromContactList: null,
    });
    assert.equal(groups[1]!.links.groupContacts, null, '"same three links" is the digest eliding them: none are invented');
    assert.equal(groups[0]!.uri, null);
  });

  test('every documented rel has its kind; an unknown rel is "other"; arrays keep their order; opaque ids are kept', () => {
    const groups = parseMyGroups({
      _embedded: {
        group: [{ id: 'Etah6cLhDq72o1wPuJTauhyAiwZqeTNvmmtYt3LGBsY=', name: 'Team' }, { id: 7, name: 'Numbered' }],
        distributionGroup: [{ id: 'dl', name: 'All Sales', uri: 'sip:allsales@contoso.com' }],
        delegatesGroup: { id: 'dg', name: 'Delegates' },
        delegatorsGroup: { id: 'dr', name: 'Delegators' },
        myOrganizationGroup: { id: 'org', name: 'My Organization' },
        PinnedGroup: { id: 'p2', name: 'Case apart' },
        favouritesV3: { id: 'fx', name: 'Future group' },
        notAGroup: 'a string',
        alsoNot: [1, null, 'x'],
      },
    });
    assert.deepEqual(groups.map((g) => [g.serverId, g.kind]), [
      ['Etah6cLhDq72o1wPuJTauhyAiwZqeTNvmmtYt3LGBsY=', 'user'], ['7', 'user'], ['dl', 'distribution'], ['dg', 'delegates'], ['dr', 'delegators'],
      ['org', 'organization'], ['p2', 'pinned'], ['fx', 'other'],
    ]);
    assert.equal(groups[2]!.uri, 'sip:allsales@contoso.com');
    assert.equal(groupKindOfRel('myOrganizationGroup'), 'organization');
    assert.equal(groupKindOfRel('contact'), null);
    assert.equal(groupKindOfRel(5), null);
  });

  test('a group without an id is known by its self href, else by its place; expand=false reads the links', () => {
    const groups = parseMyGroups({ _embedded: { group: [{ name: 'A', _links: { self: { href: '/people/groups/g%20a' } } }, { name: 'B' }] } });
    assert.deepEqual(groups.map((g) => g.serverId), ['g a', 'user#1']);
    const linksOnly = parseMyGroups({ _links: { self: { href: '/people/groups' }, pinnedGroup: { href: '/people/groups/pin' }, group: [{ href: '/people/groups/u1' }, { href: '/people/groups/u2' }] } });
    assert.deepEqual(linksOnly.map((g) => [g.serverId, g.kind, g.links.self]), [['pin', 'pinned', '/people/groups/pin'], ['u1', 'user', '/people/groups/u1'], ['u2', 'user', '/people/groups/u2']]);
  });

  test('hostile bodies: nothing throws, names and ids are cut, at most LIMITS.contactGroups groups', () => {
    for (const v of HOSTILE_VALUES) assert.deepEqual(parseMyGroups(v), [], String(v).slice(0, 30));
    const huge = 'x'.repeat(1 << 20);
    const [g] = parseMyGroups({ _embedded: { group: [{ id: huge, name: huge }] } });
    assert.equal(g!.serverId.length, LIMITS.groupNameChars);
    assert.equal(g!.name.length, LIMITS.groupNameChars);
    assert.equal(parseMyGroups({ _embedded: { group: Array.from({ length: LIMITS.contactGroups + 50 }, (_, i) => ({ id: `g${i}` })) } }).length, LIMITS.contactGroups);
    assert.doesNotThrow(() => parseMyGroups(deep(10_000)));
  });
});

describe('presence, note, location', () => {
  test('contactPresence, reference sample: availability, activity token, device, /Date(ms)/', () => {
    const p = parsePresence(json(PRESENCE_REF));
    assert.deepEqual(p, {
      availability: 'DoNotDisturb', raw: 'DoNotDisturb', activity: 'in-a-conference', deviceType: 'PC', lastActive: 1_474_932_023_993,
      self: '/ucwa/v1/applications/192/people/282/contactPresence',
    });
    assert.deepEqual(presencePatch(p), { availability: 'DoNotDisturb', activity: 'in-a-conference', deviceType: 'PC', lastActive: 1_474_932_023_993 });
  });

  test('the offline trace contact: no activity at all, and the escaped "\\/Date(…)\\/" (milliseconds, not POSIX seconds)', () => {
    assert.match(PRESENCE_OFFLINE, /"\\\/Date\(1358827096000\)\\\/"/, 'the fixture is the escaped form');
    const p = parsePresence(json(PRESENCE_OFFLINE));
    assert.equal(p.availability, 'Offline');
    assert.equal(p.activity, '');
    assert.equal(p.deviceType, 'Unknown');
    assert.equal(p.lastActive, 1_358_827_096_000);
    assert.equal(new Date(p.lastActive!).toISOString(), '2013-01-22T03:58:16.000Z');
    assert.equal(p.self, '/ucwa/oauth/v1/applications/101/people/sarad@contoso.com/presence');
  });

  test('every documented availability; unknown tokens are Unknown but their text is kept', () => {
    for (const a of ['Online', 'IdleOnline', 'Busy', 'IdleBusy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offline'] as const) {
      assert.equal(parsePresence({ availability: a }).availability, a);
    }
    assert.equal(availabilityOf('busy'), 'Busy', 'input is case-insensitive in UCWA');
    for (const token of ['Inactive', 'Unknown', 'Offwork', 'Available', '', ' ', 'x'.repeat(40)]) {
      const p = parsePresence({ availability: token });
      assert.equal(p.availability, 'Unknown', token.slice(0, 20));
      assert.equal(p.raw, token.trim(), 'the token as it came (white space trimmed)');
    }
    const inactive = parsePresence({ availability: 'Inactive', activity: 'Off Work' });
    assert.deepEqual(presencePatch(inactive), { availability: 'Inactive', activity: 'Off Work', deviceType: '', lastActive: null }, 'the store keeps the token: the UI maps it');
  });

  test('hostile presence: wrong types are absent, huge strings cut, times Date cannot hold are none', () => {
    for (const v of HOSTILE_VALUES) {
      const p = parsePresence(v);
      assert.deepEqual([p.availability, p.raw, p.activity, p.deviceType, p.lastActive], ['Unknown', '', '', '', null], String(v).slice(0, 30));
    }
    const huge = 'x'.repeat(1 << 20);
    const p = parsePresence({ availability: huge, activity: huge, deviceType: huge, lastActive: `/Date(${'9'.repeat(1 << 20)})/` });
    assert.equal(p.raw.length, LIMITS.tokenChars);
    assert.equal(p.activity.length, LIMITS.activityChars);
    assert.equal(p.deviceType.length, LIMITS.tokenChars);
    assert.equal(p.lastActive, null);
    assert.equal(parsePresence({ lastActive: '/Date(99999999999999999)/' }).lastActive, null);
    assert.equal(parsePresence({ lastActive: 1_358_827_096 }).lastActive, 1_358_827_096, 'a number is taken as ms (the samples\' unit)');
    assert.equal(parsePresence({ availability: ['Online'] }).availability, 'Unknown');
  });

  test('contactNote and one\'s own note; NoteType Personal by default, OutOfOffice; the message keeps its lines', () => {
    assert.deepEqual(parseNote(json(CONTACT_NOTE)), { message: 'Heads down today', type: 'Personal', self: '/ucwa/v1/applications/192/people/282/contactNote' });
    assert.deepEqual(parseNote(json(OWN_NOTE)), { message: 'Heads down today', type: 'Personal', self: '/ucwa/v1/applications/192/me/note' });
    assert.equal(parseNote({ message: 'Away until Monday\r\nCall Mei', type: 'OutOfOffice' }).message, 'Away until Monday\nCall Mei');
    assert.equal(parseNote({ message: 'x', type: 'outofoffice' }).type, 'OutOfOffice');
    assert.equal(parseNote({ message: 'x' }).type, 'Personal');
    assert.equal(parseNote({ message: 'x', type: 'Calendar' }).type, 'Calendar', 'an unknown type as it came');
    for (const v of HOSTILE_VALUES) assert.equal(parseNote(v).message, '', String(v).slice(0, 30));
    const n = parseNote({ message: `a\u0000b ${'x'.repeat(1 << 20)}`, type: 'x'.repeat(1 << 20) });
    assert.ok(n.message.startsWith('ab '));
    assert.equal(n.message.length, LIMITS.noteChars);
    assert.equal(n.type.length, LIMITS.tokenChars);
  });

  test('contactLocation and one\'s own location', () => {
    assert.deepEqual(parseLocation(json(CONTACT_LOCATION)), { location: 'By the beach...', self: '/ucwa/v1/applications/192/people/282/contactLocation' });
    assert.deepEqual(parseLocation(json(OWN_LOCATION)), { location: 'By the beach...', self: '/ucwa/v1/applications/192/me/location' });
    for (const v of HOSTILE_VALUES) assert.equal(parseLocation(v).location, '', String(v).slice(0, 30));
    assert.equal(parseLocation({ location: 'x'.repeat(1 << 20) }).location.length, LIMITS.locationChars);
  });
});

describe('presence subscriptions', () => {
  test('the 201 bodies: id, self, memberships, addToPresenceSubscription (absent from a group subscription)', () => {
    assert.deepEqual(parsePresenceSubscription(json(SUBSCRIPTION)), {
      id: '97b6bd66',
      self: '/ucwa/oauth/v1/applications/101/people/presenceSubscriptions/97b6bd66',
      memberships: '/ucwa/oauth/v1/applications/101/people/presenceSubscriptionMemberships?presenceSubscriptionId=97b6bd66',
      addToPresenceSubscription: '/ucwa/oauth/v1/applications/101/people/presenceSubscriptionMemberships?presenceSubscriptionId=97b6bd66',
    });
    const group = parsePresenceSubscription(json(GROUP_SUBSCRIPTION))!;
    assert.equal(group.id, 'default_group_id');
    assert.equal(group.memberships, '/ucwa/oauth/v1/applications/101/people/presenceSubscriptionMemberships?presenceSubscriptionId=pres_sub_id', 'the page\'s mismatched placeholder ids are kept as given');
    assert.equal(group.addToPresenceSubscription, null);
  });

  test('no self link: no subscription (it could be neither renewed nor deleted); no id: the self href\'s last segment', () => {
    for (const v of HOSTILE_VALUES) assert.equal(parsePresenceSubscription(v), null, String(v).slice(0, 30));
    assert.equal(parsePresenceSubscription({ id: 'x', _links: { memberships: { href: '/m' } } }), null);
    assert.equal(parsePresenceSubscription({ _links: { self: { href: '/people/presenceSubscriptions/abc?x=1' } } })?.id, 'abc');
    assert.equal(parsePresenceSubscription({ id: 'x'.repeat(1 << 20), _links: { self: { href: '/s' } } })?.id.length, LIMITS.groupNameChars);
  });

  test('the request bodies: the trace\'s "Uris" is the documented "uris" (names are case-insensitive); duration 10–30; each address once', () => {
    const trace = json(SUBSCRIBE_REQUEST) as Record<string, unknown>;
    const ours = presenceSubscriptionRequest(['sip:SaraD@contoso.com'], 11);
    const lowerKeys = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
    assert.deepEqual(Object.keys(lowerKeys(ours)).sort(), Object.keys(lowerKeys(trace)).sort());
    assert.equal(ours.duration, trace.duration);
    assert.deepEqual(ours.uris, ['sip:sarad@contoso.com']);
    assert.equal(presenceSubscriptionRequest(['a@x.com'], 5).duration, 10);
    assert.equal(presenceSubscriptionRequest(['a@x.com'], 600).duration, 30);
    assert.equal(presenceSubscriptionRequest(['a@x.com'], Number.NaN).duration, 30);
    assert.equal(presenceSubscriptionRequest(['a@x.com']).duration, 30);
    assert.deepEqual(presenceSubscriptionRequest(['A@x.com', 'sip:a@X.com', 'not an address', 'tel:+1555', 5 as unknown as string]).uris, ['sip:a@x.com']);
    assert.deepEqual(addToPresenceSubscriptionRequest(['sip:user2@contoso.com', 'sip:user3@contoso.com']), { contactUris: ['sip:user2@contoso.com', 'sip:user3@contoso.com'] });
    assert.deepEqual(addToPresenceSubscriptionRequest('x' as unknown as string[]), { contactUris: [] });
  });
});

describe('people events (§1.9)', () => {
  test('after subscribing (trace): covered, subscription added, first presence — the mixed-case hrefs name one person', () => {
    const [covered, created, presence] = classifyAll('people', json(EVENTS_AFTER_SUBSCRIBING) as unknown[]);
    assert.deepEqual(covered, { kind: 'subscribedContact', change: 'added', href: '/ucwa/oauth/v1/applications/101/people/sarad@contoso.com', resource: null, sip: 'sip:sarad@contoso.com' });
    assert.deepEqual(created, { kind: 'presenceSubscription', change: 'added', href: '/ucwa/oauth/v1/applications/101/people/presenceSubscriptions/97b6bd66', resource: null });
    assert.deepEqual(presence, {
      kind: 'contactPresence', change: 'updated', href: '/ucwa/oauth/v1/applications/101/people/sarad@Contoso.com/presence', resource: null,
      contactHref: '/ucwa/oauth/v1/applications/101/people/sarad@contoso.com', sip: 'sip:sarad@contoso.com',
    });
  });

  test('the reference event: absolute hrefs that name nobody — matched to the contact by its href, without case', () => {
    const sender = json(PRESENCE_EVENT_SENDER) as { events: unknown[] };
    const [ev] = classifyAll('people', sender.events);
    assert.ok(ev && ev.kind === 'contactPresence');
    assert.equal(ev.sip, null);
    assert.equal(ev.contactHref, 'https://fe1.contoso.com:443/ucwa/v1/applications/192/people/282');
    assert.equal(hrefKey(ev.contactHref), hrefKey('/ucwa/v1/applications/192/people/282'), 'absolute and relative are one href');
    assert.equal(hrefKey('/ucwa/oauth/v1/applications/101/people/saraD@contoso.com'), hrefKey('/ucwa/oauth/v1/applications/101/people/sarad@Contoso.com'));
    assert.equal(hrefKey('/people/sarad%40contoso.com/'), hrefKey('/people/sarad@contoso.com'));
    assert.notEqual(hrefKey('/people/282'), hrefKey('/people/283'));
  });

  test('every row of the table: which event is which (rel + in rel + type)', () => {
    const ev = (rel: string, type: string, inRel?: string, href = `/people/x@contoso.com/${rel}`) => ({ link: { rel, href }, ...(inRel ? { in: { rel: inRel, href: `/people/${inRel}` } } : {}), type });
    const kinds = classifyAll('people', [
      ev('contactPresence', 'updated', 'contact'),
      ev('contactNote', 'updated', 'contact'),
      ev('contactLocation', 'updated', 'contact'),
      ev('contactSupportedModalities', 'updated', 'contact'),
      ev('contactPrivacyRelationship', 'updated', 'contact'),
      ev('presenceSubscription', 'updated'),
      ev('presenceSubscription', 'deleted'),
      ev('contact', 'deleted', 'subscribedContacts', '/people/x@contoso.com'),
      ev('contact', 'added', 'myContacts', '/people/x@contoso.com'),
      ev('contact', 'deleted', 'pinnedGroup', '/people/x@contoso.com'),
      ev('contact', 'added', 'delegatesGroup', '/people/x@contoso.com'),
      ev('group', 'added', 'myGroups', '/people/groups/7'),
      ev('distributionGroup', 'deleted', 'myGroups', '/people/groups/dl'),
      ev('myOrganizationGroup', 'updated', 'myGroups', '/people/groups/org'),
      ev('defaultGroup', 'updated', undefined, '/people/groups/d'),
      ev('myContactsAndGroupsSubscription', 'updated'),
    ]).map((e) => e && [e.kind, e.change, 'groupKind' in e ? e.groupKind : '', 'sip' in e ? e.sip : '']);
    const x = 'sip:x@contoso.com';
    assert.deepEqual(kinds, [
      ['contactPresence', 'updated', '', x], ['contactNote', 'updated', '', x], ['contactLocation', 'updated', '', x],
      ['contactSupportedModalities', 'updated', '', x], ['contactPrivacyRelationship', 'updated', '', x],
      ['presenceSubscription', 'updated', '', ''], ['presenceSubscription', 'deleted', '', ''],
      ['subscribedContact', 'deleted', '', x], ['contactListMember', 'added', '', x],
      ['groupMember', 'deleted', 'pinned', x], ['groupMember', 'added', 'delegates', x],
      ['group', 'added', 'user', ''], ['group', 'deleted', 'distribution', ''], ['group', 'updated', 'organization', ''], ['group', 'updated', 'default', ''],
      ['contactsAndGroupsSubscription', 'updated', '', ''],
    ]);
  });

  test('the digest\'s member change (reference-style hrefs): a group member added, nobody named, the group\'s href kept', () => {
    const [e] = classifyAll('people', [json(MEMBER_ADDED)]);
    assert.deepEqual(e, { kind: 'groupMember', change: 'added', href: '.../people/282', resource: null, sip: null, groupKind: 'user', groupHref: '.../groups/group' });
  });

  test('own presence, note, location and me come from sender me; started/completed read as added/deleted', () => {
    const kinds = classifyAll('me', [
      { link: { rel: 'presence', href: '/me/presence' }, type: 'updated' },
      { link: { rel: 'note', href: '/me/note' }, type: 'added' },
      { link: { rel: 'location', href: '/me/location' }, type: 'deleted' },
      { link: { rel: 'me', href: '/me' }, type: 'updated' },
      { link: { rel: 'phones', href: '/me/phones' }, type: 'updated' },
      { link: { rel: 'note', href: '/me/note' }, type: 'started' },
      { link: { rel: 'note', href: '/me/note' }, type: 'completed' },
    ]).map((e) => e && [e.kind, e.change]);
    assert.deepEqual(kinds, [['myPresence', 'updated'], ['myNote', 'added'], ['myLocation', 'deleted'], ['me', 'updated'], ['other', 'updated'], ['myNote', 'added'], ['myNote', 'deleted']]);
  });

  test('an embedded copy comes with the event (no GET needed); rels are compared without case', () => {
    const [e] = classifyAll('people', [{
      link: { rel: 'contactPresence', href: '/people/a@x.com/presence' }, in: { rel: 'Contact', href: '/people/a@x.com' }, type: 'updated',
      _embedded: { contactPresence: json(PRESENCE_REF) },
    }]);
    assert.ok(e && e.kind === 'contactPresence');
    assert.equal(parsePresence(e.resource).availability, 'DoNotDisturb');
    const [upper] = classifyAll('People', [{ link: { rel: 'CONTACTNOTE', href: '/people/a@x.com/note' }, in: { rel: 'contact', href: '/people/A@x.com' }, type: 'Updated' }]);
    assert.deepEqual(upper && [upper.kind, upper.change, 'sip' in upper && upper.sip], ['contactNote', 'updated', 'sip:a@x.com']);
  });

  test('what is not a people event is null; an undocumented people event is "other", never guessed', () => {
    assert.deepEqual(classifyAll('communication', [{ link: { rel: 'contact', href: '/people/a@x.com' }, in: { rel: 'myContacts', href: '/c' }, type: 'added' }]), [null]);
    const others = classifyAll('people', [
      { link: { rel: 'contact', href: '/people/a@x.com' }, type: 'added' },
      { link: { rel: 'contact', href: '/people/a@x.com' }, in: { rel: 'conversation', href: '/c' }, type: 'added' },
      { link: { rel: 'contactPresence', href: '/p' }, in: { rel: 'group', href: '/g' }, type: 'updated' },
      { link: { rel: 'group', href: '/g' }, in: { rel: 'contact', href: '/c' }, type: 'added' },
      { link: { rel: 'newThing', href: '/n' }, type: 'whatever' },
    ]);
    assert.deepEqual(others.map((e) => e && [e.kind, e.change, e.kind === 'other' ? e.inRel : '']), [
      ['other', 'added', null], ['other', 'added', 'conversation'], ['other', 'updated', 'group'], ['other', 'added', 'contact'], ['other', 'other', null],
    ]);
  });

  test('hostile events: huge hrefs and rels, wrong types — classified or dropped, never thrown', () => {
    const huge = 'x'.repeat(1 << 20);
    const events = classifyAll('people', [
      { link: { rel: 'contactPresence', href: `/people/${huge}@x.com/presence` }, in: { rel: 'contact', href: `/people/${huge}` }, type: 'updated' },
      { link: { rel: huge, href: '/x' }, in: { rel: huge, href: 5 }, type: huge },
      { link: { rel: 5, href: '/x' }, type: 'added' },
      { link: 'x', type: 'added' },
    ]);
    assert.equal(events.length, 2, 'parseBatch drops events without a rel or href');
    assert.deepEqual(events[0] && [events[0].kind, 'sip' in events[0] && events[0].sip], ['contactPresence', null]);
    assert.deepEqual(events[1] && [events[1].kind, events[1].change], ['other', 'other']);
  });
});

describe('addresses and hrefs', () => {
  test('sipFromUri keys people as the store does; anything else is no address', () => {
    assert.equal(sipFromUri('sip:SaraD@contoso.com'), 'sip:sarad@contoso.com');
    assert.equal(sipFromUri(' SaraD@Contoso.com '), 'sip:sarad@contoso.com');
    assert.equal(sipFromUri('sip:a@host:5061'), 'sip:a@host:5061', 'a port after the host is still an address');
    for (const bad of ['', 'sip:', '@x.com', 'a@', 'a@b@c', 'tel:+1555@x.com', 'sip:a b@x.com', 'sip:a@x.com/x', 'mailto:a@x.com', `${'a'.repeat(LIMITS.sipChars)}@x.com`, 5, null, {}]) {
      assert.equal(sipFromUri(bad), null, String(bad).slice(0, 20));
    }
  });

  test('sipFromPeopleHref: both trace styles, photos, escapes; reference-style ids name nobody', () => {
    assert.equal(sipFromPeopleHref('/ucwa/oauth/v1/applications/101/people/sarad@Contoso.com/presence'), 'sip:sarad@contoso.com');
    assert.equal(sipFromPeopleHref('https://lyncweb.contoso.com/ucwa/oauth/v1/applications/101/photos/SaraD@contoso.com'), 'sip:sarad@contoso.com');
    assert.equal(sipFromPeopleHref('/people/sarad%40contoso.com?x=a@b.com#c@d.com'), 'sip:sarad@contoso.com', 'the query and fragment are no part of the path');
    assert.equal(sipFromPeopleHref('/ucwa/v1/applications/192/people/282/contactPresence'), null);
    assert.equal(sipFromPeopleHref('/people/%zz@x.com'), 'sip:%zz@x.com', 'a malformed escape is kept');
    for (const bad of ['', 5, null, '/', '//', 'https://a@evil.com/people/282']) assert.equal(sipFromPeopleHref(bad), null, String(bad));
  });
});
