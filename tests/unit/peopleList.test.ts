// The People view's rows (renderer/peopleList.ts): groups flattened for the virtual tree,
// Favourites first, distribution groups only on request, and the filter (case, accents, each once).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterWords, flattenPeople, fold, type Expansion } from '../../renderer/peopleList.ts';
import type { ContactGroup, PersonCard } from '../../main/ipc/contract.ts';

const group = (id: number, kind: ContactGroup['kind'], name: string, members: string[], collapsed = false): ContactGroup =>
  ({ id, serverId: `s${id}`, kind, name, position: id, collapsed, members });
const card = (sip: string, name: string, title = ''): PersonCard => ({
  sip, name, title, department: '', company: '', office: '', emails: [], phones: { work: '', mobile: '', home: '', other: '' },
  contactType: 'User', sourceNetwork: 'SameEnterprise', presence: null, note: null, location: null, photo: null, inContactList: true,
  updated: { card: null, presence: null, note: null, location: null, photo: null },
});
const cards = new Map([
  card('sip:sofia@x', 'Sofía Márquez', 'HR Business Partner'),
  card('sip:jonas@x', 'Jonas Weiß', 'Finance Controller'),
  card('sip:mei@x', 'Mei Chen', 'QA Engineer'),
].map((c) => [c.sip, c]));
const groups = [
  group(2, 'user', 'Team', ['sip:jonas@x', 'sip:mei@x']),
  group(1, 'pinned', 'Pinned Contacts', ['sip:mei@x']),
  group(3, 'user', 'Leadership', ['sip:sofia@x'], true),
  group(4, 'distribution', 'Everyone', []),
];
const none = new Map<number, Expansion>();
const flat = (query: string, expansions = none, others: string[] = []) =>
  flattenPeople({ groups, cardOf: (s) => cards.get(s), expansions, query, others });

describe('flattenPeople', () => {
  it('Favourites first by the pinned kind, then the server order; collapsed groups keep their header only', () => {
    const rows = flat('');
    assert.deepEqual(rows.map((r) => (r.type === 'person' ? r.sip : r.type === 'group' ? r.name : r.type)),
      ['Favourites', 'sip:mei@x', 'Team', 'sip:jonas@x', 'sip:mei@x', 'Leadership', 'Everyone']);
    const leadership = rows.find((r) => r.type === 'group' && r.name === 'Leadership');
    assert.equal(leadership?.type === 'group' && leadership.expanded, false);
    assert.deepEqual(rows.filter((r) => r.type === 'group').map((r) => r.posinset), [1, 2, 3, 4]);
  });

  it('a distribution group opens only on request: reading, its people, or why not', () => {
    const everyone = (e: Expansion) => flat('', new Map([[4, e]])).slice(-2).map((r) => (r.type === 'note' ? r.text : r.type === 'person' ? r.sip : r.type));
    assert.match(everyone({ state: 'loading' })[1] ?? '', /Reading/);
    assert.deepEqual(everyone({ state: 'done', members: ['sip:a@x', 'sip:b@x'] }), ['sip:a@x', 'sip:b@x']);
    assert.deepEqual(everyone({ state: 'error', text: 'Too large' }), ['group', 'Too large']);
  });

  it('filters across groups (collapsed too), each person once, by name, address or title, any case and accents', () => {
    const people = (q: string, others: string[] = []) => flat(q, none, others).filter((r) => r.type === 'person').map((r) => (r.type === 'person' ? r.sip : ''));
    assert.deepEqual(people('SOFIA'), ['sip:sofia@x']);
    assert.deepEqual(people('weiss'), ['sip:jonas@x']);
    assert.deepEqual(people('qa eng'), ['sip:mei@x']);
    assert.deepEqual(people('mei@'), ['sip:mei@x']);
    assert.deepEqual(people('zzz'), []);
    // Other people come after the contacts, in their own section, never twice.
    const rows = flat('e', none, ['sip:mei@x', 'sip:stranger@x']);
    assert.deepEqual(rows.filter((r) => r.type === 'section').map((r) => r.type === 'section' && r.name), ['Contacts', 'Other people']);
    assert.equal(rows.filter((r) => r.type === 'person' && r.sip === 'sip:mei@x').length, 1);
  });

  it('fold and filterWords', () => {
    assert.equal(fold('Björn Ø Łukasz Weiß'), 'bjorn o lukasz weiss');
    assert.deepEqual(filterWords('  Mei   CHEN '), ['mei', 'chen']);
  });
});
