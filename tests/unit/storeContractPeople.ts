// The Store contract for people and the contact list (issue 13), part of storeContract.ts: it runs
// inside storeContractTests, so against the file store (a real worker) and the in-memory store alike.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ContactListInput, Store, StoreChange } from '../../main/core/store/types.ts';
import { StoreError } from '../../main/core/store/types.ts';
import { LIMITS } from '../../main/core/limits.ts';

type T = (title: string, fn: (store: Store) => Promise<void>) => void;

const zoe = 'sip:zoe@contoso.com';
const bob = 'sip:bob@contoso.com';
const mei = 'sip:mei@contoso.com';
const ana = 'sip:ana@contoso.com';

/** Four people in four groups, in the order a server lists myGroups (pinned is not first). */
function list(over: Partial<ContactListInput> = {}): ContactListInput {
  return {
    groups: [
      { serverId: 'default_group_id', kind: 'default', name: 'Other Contacts', members: [bob, 'ZOE@Contoso.com'] },
      { serverId: 'Etah6cLhDq72o1wPuJTauhyAiwZqeTNvmmtYt3LGBsY=', kind: 'user', name: 'Team', members: [mei, zoe, ana] },
      { serverId: 'group_id', kind: 'pinned', name: 'Pinned Contacts', members: [mei] },
      { serverId: 'dl-1', kind: 'distribution', name: 'All Sales', members: [] },
    ],
    people: [
      { sip: zoe, name: 'Zoé Martin', title: 'Product Manager', department: 'Sales & Marketing', emails: ['ZoeM@contoso.com'], phones: { work: 'tel:+19185550107' }, contactType: 'User', sourceNetwork: 'SameEnterprise' },
      { sip: bob, name: 'Bob Builder', title: 'Site Lead' },
      { sip: mei, name: 'Mei Lin', title: 'Engineer', emails: ['mei.lin@contoso.com'] },
      { sip: ana, name: 'Ana Ávila', title: 'Zoologist' },
    ],
    ...over,
  };
}

function changesOf(store: Store): StoreChange[] {
  const seen: StoreChange[] = [];
  store.onChange((c) => seen.push(c));
  return seen;
}

const personChanges = (seen: StoreChange[]) => seen.flatMap((c) => (c.kind === 'person' ? [c.person] : []));

export function peopleContractTests(t: T): void {
  describe('people and the contact list', () => {
    t('a replaced contact list reads back: pinned first, then the server\'s order; members by folded name; each person once', async (store) => {
      const r = await store.replaceContactList(list());
      assert.deepEqual(r, { changed: true, groups: 4, members: 6, skipped: 0 });
      const cl = await store.contactList();
      assert.deepEqual(cl.groups.map((g) => [g.kind, g.name, g.position]), [
        ['pinned', 'Pinned Contacts', 2], ['default', 'Other Contacts', 0], ['user', 'Team', 1], ['distribution', 'All Sales', 3],
      ]);
      assert.deepEqual(cl.groups.map((g) => g.members), [[mei], [bob, zoe], [ana, mei, zoe], []], 'Ana Ávila sorts as "ana avila"');
      assert.equal(cl.groups[2]!.serverId, 'Etah6cLhDq72o1wPuJTauhyAiwZqeTNvmmtYt3LGBsY=', 'the opaque id is kept as it came');
      assert.ok(cl.groups.every((g) => g.collapsed === false && Number.isInteger(g.id)));
      assert.deepEqual(cl.people.map((p) => p.sip), [ana, bob, mei, zoe], 'Mei is in two groups but listed once');
      const z = cl.people.find((p) => p.sip === zoe)!;
      assert.equal(z.name, 'Zoé Martin');
      assert.equal(z.department, 'Sales & Marketing');
      assert.deepEqual(z.emails, ['ZoeM@contoso.com']);
      assert.deepEqual(z.phones, { work: 'tel:+19185550107', mobile: '', home: '', other: '' });
      assert.equal(z.contactType, 'User');
      assert.equal(z.sourceNetwork, 'SameEnterprise');
      assert.equal(z.inContactList, true);
      assert.equal(z.presence, null, 'no presence read yet');
      assert.equal(z.note, null);
      assert.equal(z.location, null);
      assert.equal(z.photo, null);
      assert.ok(typeof z.updated.card === 'number' && z.updated.presence === null);
      // The same list again: nothing changed, nothing announced, the same ids.
      const seen = changesOf(store);
      assert.deepEqual(await store.replaceContactList(list()), { changed: false, groups: 4, members: 6, skipped: 0 });
      assert.deepEqual(seen, []);
      assert.deepEqual((await store.contactList()).groups.map((g) => g.id), cl.groups.map((g) => g.id));
    });

    t('replace is atomic: a group the server dropped goes; a person in no group leaves the list but keeps presence and card', async (store) => {
      await store.replaceContactList(list());
      await store.patchPerson(ana, { presence: { availability: 'Away', activity: 'Away', deviceType: 'PC', lastActive: 1_474_932_023_993 } });
      const team = (await store.contactList()).groups.find((g) => g.name === 'Team')!;
      await store.setGroupCollapsed(team.id, true);
      const seen = changesOf(store);
      // The server dropped "Other Contacts", renamed Team and moved it first; Ana (only in Team) left it.
      const next = list();
      next.groups = [
        { serverId: 'Etah6cLhDq72o1wPuJTauhyAiwZqeTNvmmtYt3LGBsY=', kind: 'user', name: 'Team (renamed)', members: [mei, zoe] },
        { serverId: 'group_id', kind: 'pinned', name: 'Pinned Contacts', members: [mei] },
        { serverId: 'dl-1', kind: 'distribution', name: 'All Sales', members: [] },
      ];
      next.people = [];
      const r = await store.replaceContactList(next);
      assert.equal(r.changed, true);
      const cl = await store.contactList();
      assert.deepEqual(cl.groups.map((g) => [g.name, g.position, g.collapsed]), [['Pinned Contacts', 1, false], ['Team (renamed)', 0, true], ['All Sales', 2, false]]);
      assert.equal(cl.groups[1]!.id, team.id, 'a group the server kept keeps its id and folded state');
      assert.deepEqual(cl.people.map((p) => p.sip), [mei, zoe]);
      const a = await store.getPerson(ana);
      assert.equal(a?.inContactList, false);
      assert.equal(a?.name, 'Ana Ávila', 'the card stays');
      assert.deepEqual(a?.presence, { availability: 'Away', activity: 'Away', deviceType: 'PC', lastActive: 1_474_932_023_993 }, 'presence stays');
      assert.equal((await store.getPerson(bob))?.inContactList, false);
      // Announced: the people who left (their card says so), then the groups once.
      const left = personChanges(seen);
      assert.deepEqual(left.map((p) => [p.sip, p.inContactList]), [[ana, false], [bob, false]]);
      const lists = seen.filter((c) => c.kind === 'contactList');
      assert.equal(lists.length, 1);
      assert.deepEqual(lists[0]!.kind === 'contactList' && lists[0]!.groups, cl.groups);
      assert.equal(seen.at(-1)?.kind, 'contactList', 'the groups come after the people of the same write');
      // Back in a group: in the list again, announced.
      seen.length = 0;
      await store.replaceContactList({ groups: [...next.groups, { serverId: 'default_group_id', kind: 'default', name: 'Other Contacts', members: [ana] }] });
      assert.equal((await store.getPerson(ana))?.inContactList, true);
      assert.deepEqual(personChanges(seen).map((p) => [p.sip, p.inContactList]), [[ana, true]]);
      // An empty list empties the contact list, and no one is forgotten.
      await store.replaceContactList({ groups: [] });
      assert.deepEqual(await store.contactList(), { groups: [], people: [] });
      assert.equal((await store.findPeople('')).length, 4);
    });

    t('a list without its groups is refused and changes nothing (a missing list is never "the server emptied it")', async (store) => {
      await store.replaceContactList(list());
      for (const bad of [null, undefined, 'groups', { people: [] }, { groups: 'nope' }]) {
        await assert.rejects(store.replaceContactList(bad as unknown as ContactListInput), (e: unknown) => e instanceof StoreError);
      }
      assert.equal((await store.contactList()).groups.length, 4);
    });

    t('members not given a card become people with their address only; the sync\'s cards of others are stored too', async (store) => {
      await store.replaceContactList({
        groups: [{ serverId: 'g', kind: 'user', name: 'G', members: ['sip:nocard@contoso.com'] }],
        people: [{ sip: 'sip:searchhit@contoso.com', name: 'Not A Contact' }],
      });
      const cl = await store.contactList();
      assert.deepEqual(cl.people.map((p) => [p.sip, p.name]), [['sip:nocard@contoso.com', '']]);
      assert.equal((await store.getPerson('sip:searchhit@contoso.com'))?.inContactList, false);
      assert.equal((await store.getPerson('sip:searchhit@contoso.com'))?.name, 'Not A Contact');
    });

    t('findPeople: name, address, e-mail or title, every word, without case or diacritics; contacts first, then name prefixes', async (store) => {
      await store.replaceContactList(list());
      await store.upsertPeople([{ sip: 'sip:zoran@fabrikam.com', name: 'Zoran Zolić' }, { sip: 'sip:carl@contoso.com', name: 'Carl Zoe-Fan' }]);
      const sips = async (q: string, opts?: { contactsOnly?: boolean; limit?: number }) => (await store.findPeople(q, opts)).map((p) => p.sip);
      assert.deepEqual(await sips('zoe'), [zoe, 'sip:carl@contoso.com'], 'the contact first');
      assert.deepEqual(await sips('ZOÉ'), [zoe, 'sip:carl@contoso.com']);
      assert.deepEqual(await sips('zo'), [zoe, ana, 'sip:zoran@fabrikam.com', 'sip:carl@contoso.com'],
        'contacts (a name starting "zo", then a title with "zo"), then the others (a name starting "zo", then a word of it)');
      assert.deepEqual(await sips('zo', { contactsOnly: true }), [zoe, ana]);
      assert.deepEqual(await sips('avila'), [ana]);
      assert.deepEqual(await sips('mei.lin@'), [mei], 'by e-mail');
      assert.deepEqual(await sips('zoem@contoso'), [zoe], 'by e-mail, any case');
      assert.deepEqual(await sips('sip:bob@'), [bob], 'by address');
      assert.deepEqual(await sips('engineer'), [mei], 'by title');
      assert.deepEqual(await sips('  lin   MEI '), [mei], 'every word, in any order');
      assert.deepEqual(await sips('mei bob'), [], 'all words must match one person');
      assert.deepEqual(await sips('sales'), [], 'the department is not matched');
      assert.deepEqual(await sips('%'), [], 'LIKE wildcards are plain characters');
      assert.deepEqual(await sips('_'), []);
      assert.deepEqual(await sips(''), [ana, bob, mei, zoe, 'sip:carl@contoso.com', 'sip:zoran@fabrikam.com'], 'no words: everyone, contacts first');
      assert.deepEqual(await sips('', { limit: 2 }), [ana, bob]);
      assert.deepEqual(await sips('', { contactsOnly: true, limit: 0 }), [ana], 'the limit is at least 1');
      assert.deepEqual(await sips(`zoe ${'x'.repeat(1_000_000)}`), [], 'a pasted page costs what a word does');
      assert.deepEqual(await sips(42 as unknown as string), [ana, bob, mei, zoe, 'sip:carl@contoso.com', 'sip:zoran@fabrikam.com']);
    });

    t('getPerson and getPeople find people by any spelling of their address; unknown ones are left out', async (store) => {
      await store.replaceContactList(list());
      assert.equal((await store.getPerson('ZOE@Contoso.com'))?.sip, zoe);
      assert.equal((await store.getPerson(' sip:Zoe@contoso.com '))?.name, 'Zoé Martin');
      assert.equal(await store.getPerson('sip:nobody@contoso.com'), null);
      assert.equal(await store.getPerson(''), null);
      assert.equal(await store.getPerson(7 as unknown as string), null);
      assert.deepEqual((await store.getPeople([mei, 'sip:nobody@x.com', 'BOB@contoso.com', mei])).map((p) => p.sip), [mei, bob], 'in the order asked, once');
      assert.deepEqual(await store.getPeople('x' as unknown as string[]), []);
    });

    t('patchPerson: a part read again changes only when a value differs; each part records when it was read', async (store) => {
      await store.replaceContactList(list());
      const seen = changesOf(store);
      const t0 = Date.now();
      const first = await store.patchPerson(zoe, { presence: { availability: 'DoNotDisturb', activity: 'in-a-conference', deviceType: 'PC', lastActive: 1_474_932_023_993 } });
      assert.equal(first.changed, true);
      assert.deepEqual(first.person?.presence, { availability: 'DoNotDisturb', activity: 'in-a-conference', deviceType: 'PC', lastActive: 1_474_932_023_993 });
      assert.ok(first.person!.updated.presence! >= t0);
      assert.deepEqual(personChanges(seen).map((p) => p.presence?.availability), ['DoNotDisturb']);
      seen.length = 0;
      const same = await store.patchPerson(zoe, { presence: { availability: 'DoNotDisturb', activity: 'in-a-conference', deviceType: 'PC', lastActive: 1_474_932_023_993 } });
      assert.equal(same.changed, false);
      assert.deepEqual(seen, [], 'the same values again announce nothing');
      assert.ok(same.person!.updated.presence! >= first.person!.updated.presence!, 'but the read is recorded');
      // Offline, no activity (PROTOCOL-2's trace): the presence is replaced whole.
      const offline = await store.patchPerson(zoe, { presence: { availability: 'Offline', deviceType: 'Unknown', lastActive: 1_358_827_096_000 } });
      assert.equal(offline.changed, true);
      assert.deepEqual(offline.person?.presence, { availability: 'Offline', activity: '', deviceType: 'Unknown', lastActive: 1_358_827_096_000 });
      // Note, location, photo: each on its own; the others stay.
      const n = await store.patchPerson(zoe, { note: { message: 'Heads down today', type: 'Personal' }, location: 'By the beach...' });
      assert.equal(n.changed, true);
      assert.deepEqual(n.person?.note, { message: 'Heads down today', type: 'Personal' });
      assert.equal(n.person?.location, 'By the beach...');
      assert.equal(n.person?.presence?.availability, 'Offline');
      assert.equal((await store.patchPerson(zoe, { note: { message: 'Heads down today', type: 'Personal' } })).changed, false);
      assert.equal((await store.patchPerson(zoe, { note: { message: 'Out until Monday', type: 'OutOfOffice' } })).changed, true);
      const ph = await store.patchPerson(zoe, { photo: { etag: '"58253032"', file: 'a1b2c3.jpg' } });
      assert.deepEqual(ph.person?.photo, { etag: '"58253032"', file: 'a1b2c3.jpg' });
      assert.equal((await store.patchPerson(zoe, { photo: { etag: '"58253032"', file: 'a1b2c3.jpg' } })).changed, false);
      // null clears a part back to unknown (once).
      const cleared = await store.patchPerson(zoe, { location: null, photo: null });
      assert.equal(cleared.changed, true);
      assert.equal(cleared.person?.location, null);
      assert.equal(cleared.person?.photo, null);
      assert.equal(cleared.person?.updated.location, null);
      assert.equal((await store.patchPerson(zoe, { location: null })).changed, false);
      // Nothing to apply: nothing changes.
      assert.equal((await store.patchPerson(zoe, {})).changed, false);
      // The card is untouched by all this.
      assert.equal((await store.getPerson(zoe))?.title, 'Product Manager');
    });

    t('patchPerson: unknown availability tokens are kept as they came; anyone can be patched; bad input never throws', async (store) => {
      const r = await store.patchPerson('Stranger@Fabrikam.com', { presence: { availability: 'Inactive', activity: 'custom: fishing 🎣', deviceType: 'Toaster', lastActive: 1e17 } });
      assert.equal(r.changed, true);
      assert.equal(r.person?.sip, 'sip:stranger@fabrikam.com');
      assert.equal(r.person?.inContactList, false, 'a person seen is not a contact');
      assert.deepEqual(r.person?.presence, { availability: 'Inactive', activity: 'custom: fishing 🎣', deviceType: 'Toaster', lastActive: null }, 'a time Date cannot hold is none');
      const weird = await store.patchPerson('sip:stranger@fabrikam.com', { presence: { availability: 42, activity: { x: 1 }, lastActive: 'yesterday' } as never, note: { message: 7 } as never });
      assert.deepEqual(weird.person?.presence, { availability: '', activity: '', deviceType: '', lastActive: null });
      assert.deepEqual(weird.person?.note, { message: '', type: '' });
      for (const sip of ['', '   ', 'sip:', 'has space@x.com', `${'a'.repeat(LIMITS.sipChars)}@x.com`, 5, null]) {
        assert.deepEqual(await store.patchPerson(sip as string, { location: 'x' }), { changed: false, person: null }, String(sip).slice(0, 20));
      }
      assert.equal((await store.patchPerson('sip:stranger@fabrikam.com', 'nonsense' as never)).changed, false);
      assert.equal((await store.patchPerson('sip:nobody@fabrikam.com', {})).person, null, 'an empty patch creates nobody');
      // A cache file name is a bare name, never a path.
      for (const file of ['../../.ssh/id_rsa', 'a/b.jpg', '..', 'C:\\x.jpg', '']) {
        assert.equal((await store.patchPerson('sip:stranger@fabrikam.com', { photo: { etag: null, file } })).person?.photo, null, file);
      }
    });

    t('setGroupCollapsed is remembered, announced once, and survives a sync; an unknown group is null', async (store) => {
      await store.replaceContactList(list());
      const team = (await store.contactList()).groups.find((g) => g.name === 'Team')!;
      const seen = changesOf(store);
      const folded = await store.setGroupCollapsed(team.id, true);
      assert.equal(folded?.collapsed, true);
      assert.deepEqual(folded?.members, [ana, mei, zoe]);
      assert.equal(seen.filter((c) => c.kind === 'contactList').length, 1);
      assert.equal((await store.setGroupCollapsed(team.id, true))?.collapsed, true);
      assert.equal(seen.length, 1, 'folding a folded group announces nothing');
      await store.replaceContactList(list());
      assert.equal((await store.contactList()).groups.find((g) => g.id === team.id)?.collapsed, true);
      assert.equal((await store.setGroupCollapsed(team.id, false))?.collapsed, false);
      assert.equal(await store.setGroupCollapsed(987_654, true), null);
      assert.equal(await store.setGroupCollapsed(Number.NaN, true), null);
    });

    t('upsertPeople stores anyone seen: undefined fields keep, given ones replace, an empty name never erases', async (store) => {
      assert.deepEqual(await store.upsertPeople([{ sip: 'sip:hit@contoso.com', name: 'Search Hit', title: 'Analyst', office: '20/2107' }]), { changed: 1 });
      assert.deepEqual(await store.upsertPeople([{ sip: 'sip:hit@contoso.com', name: 'Search Hit', title: 'Analyst', office: '20/2107' }]), { changed: 0 });
      const seen = changesOf(store);
      assert.deepEqual(await store.upsertPeople([{ sip: 'sip:HIT@contoso.com', name: '', title: '' }]), { changed: 1 });
      const p = await store.getPerson('sip:hit@contoso.com');
      assert.equal(p?.name, 'Search Hit');
      assert.equal(p?.title, '', 'a title given empty is cleared');
      assert.equal(p?.office, '20/2107', 'an office not given is kept');
      assert.equal(p?.inContactList, false);
      assert.deepEqual(personChanges(seen).map((x) => x.title), ['']);
      // The older name-only path and the people of conversations write the same rows.
      await store.upsertContacts([{ sip: 'sip:hit@contoso.com', name: 'Renamed Hit' }]);
      assert.equal((await store.getPerson('sip:hit@contoso.com'))?.name, 'Renamed Hit');
      assert.deepEqual((await store.listContacts('renamed')).map((x) => x.sip), ['sip:hit@contoso.com']);
      assert.deepEqual(await store.upsertPeople('nope' as never), { changed: 0 });
      assert.deepEqual(await store.upsertPeople([null, 5, 'x', { name: 'no address' }] as never), { changed: 0 });
    });

    t('a conversation\'s new participant is announced as a person; a participant seen again is not', async (store) => {
      const seen = changesOf(store);
      await store.ensureLiveConversation({ threadId: 'th-p', subject: '', direction: 'Incoming', participants: [{ sip: 'sip:new@contoso.com', name: 'New Person' }], startedAt: 1 });
      assert.deepEqual(personChanges(seen).map((p) => [p.sip, p.name, p.inContactList]), [['sip:new@contoso.com', 'New Person', false]]);
      seen.length = 0;
      await store.ensureLiveConversation({ threadId: 'th-q', subject: '', direction: 'Incoming', participants: [{ sip: 'sip:new@contoso.com', name: 'New Person' }], startedAt: 2 });
      assert.deepEqual(personChanges(seen), []);
    });

    t('bounds: long fields are cut, lists are capped, malformed entries skipped and counted, nothing throws', async (store) => {
      const huge = 'x'.repeat(1_000_000);
      const r = await store.replaceContactList({
        groups: [
          { serverId: 'g1', kind: 'galaxy' as never, name: `${'G'.repeat(300)}`, members: [zoe, 'not an address', 42, null, `${'a'.repeat(300)}@x.com`, zoe] as never },
          { serverId: 'g1', kind: 'user', name: 'duplicate id', members: [bob] },
          { serverId: '', kind: 'user', name: 'no id', members: [] },
          'not a group' as never,
          { serverId: 7 as never, kind: 'user', name: 42 as never, members: 'nope' as never },
        ],
        people: [
          { sip: zoe, name: `Zoé\n\u001b[31mRed\u0007 ${huge}`, title: huge, emails: Array.from({ length: 100 }, (_, i) => `z${i}@contoso.com`), phones: { work: huge, mobile: 5 as never } },
          null as never, { name: 'no sip' } as never, { sip: `${huge}@x.com` },
        ],
      });
      assert.equal(r.groups, 3);
      assert.equal(r.members, 1);
      assert.equal(r.skipped, 4 + 3 + 2, 'four bad members (a repeat is no error), three bad cards, the repeated group id and the non-group');
      const cl = await store.contactList();
      assert.deepEqual(cl.groups.map((g) => [g.serverId, g.kind, g.name.length]), [['g1', 'other', LIMITS.groupNameChars], ['user#2', 'user', 5], ['7', 'user', 0]]);
      const z = (await store.getPerson(zoe))!;
      assert.ok(z.name.startsWith('Zoé  [31mRed '), 'control characters became spaces');
      assert.equal(z.name.length, LIMITS.nameChars);
      assert.ok(z.name.endsWith('…'));
      assert.equal(z.title.length, LIMITS.personFieldChars);
      assert.equal(z.emails.length, LIMITS.emailsPerPerson);
      assert.equal(z.phones.work.length, LIMITS.phoneChars);
      assert.equal(z.phones.mobile, '');
      const p = await store.patchPerson(zoe, { note: { message: `line one\r\nline two\u0000 ${huge}`, type: huge }, location: huge, presence: { availability: huge, activity: huge } });
      assert.ok(p.person!.note!.message.startsWith('line one\nline two '));
      assert.equal(p.person!.note!.message.length, LIMITS.noteChars);
      assert.equal(p.person!.note!.type.length, LIMITS.tokenChars);
      assert.equal(p.person!.location!.length, LIMITS.locationChars);
      assert.equal(p.person!.presence!.availability.length, LIMITS.tokenChars);
      assert.equal(p.person!.presence!.activity.length, LIMITS.activityChars);
      assert.ok(JSON.stringify(await store.getPerson(zoe)).length < 20_000, 'a person costs kilobytes, whatever the server sent');
    });

    t('bounds: at most LIMITS.contactGroups groups and LIMITS.contactListMembers memberships', async (store) => {
      const groups = Array.from({ length: LIMITS.contactGroups + 5 }, (_, i) => ({ serverId: `g${i}`, kind: 'user' as const, name: `G${i}`, members: i === 0 ? Array.from({ length: LIMITS.contactListMembers + 7 }, (_, j) => `sip:p${j}@contoso.com`) : [] }));
      const r = await store.replaceContactList({ groups });
      assert.equal(r.groups, LIMITS.contactGroups);
      assert.equal(r.members, LIMITS.contactListMembers);
      assert.equal(r.skipped, 5 + 7);
      const cl = await store.contactList();
      assert.equal(cl.groups.length, LIMITS.contactGroups);
      assert.equal(cl.people.length, LIMITS.contactListMembers);
    });
  });
}

