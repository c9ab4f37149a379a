// The group IM wire helpers (PROTOCOL-2 §2): who a participant is, and a meeting link → its URI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meetingUriCandidates, normaliseUri, parseParticipant } from '../../main/core/ucwa/conference.ts';
import { newGroupState, removeMember, rosterOf, setInIm, upsertMember, CHANGES_KEPT, MEMBERS_KEPT } from '../../main/core/app/roster.ts';

test('a participant: uri and name first; contact, title and href only as fallbacks; a phone number is a phone', () => {
  assert.deepEqual(parseParticipant({ name: 'Lene Aaltonen', uri: 'SIP:LeneA@Contoso.com', role: 'Leader' }, '/conversations/1/participants/196'),
    { uri: 'sip:lenea@contoso.com', name: 'Lene Aaltonen', role: 'Leader', phone: false, local: false });
  // Opaque href, no uri: the contact link says who.
  assert.equal(parseParticipant({ _links: { contact: { href: '/people/bob@contoso.com' } } }, '/participants/197', 'Bob')?.uri, 'sip:bob@contoso.com');
  assert.equal(parseParticipant(null, '/participants/197', 'Bob')?.uri, null, 'an opaque href says nothing');
  assert.equal(parseParticipant(null, '/participants/197', 'Bob')?.name, 'Bob');
  assert.equal(parseParticipant(null, '/participants/carol@contoso.com')?.uri, 'sip:carol@contoso.com', 'a last resort');
  const phone = parseParticipant({ name: '+1 425 555 0123', uri: 'tel:+1 425 555 0123', sourceNetwork: 'PublicSwitchedTelephoneNetwork' });
  assert.deepEqual(phone && [phone.uri, phone.phone], ['tel:+14255550123', true]);
  assert.equal(parseParticipant({}, '/participants/9'), null, 'nobody at all');
  assert.equal(parseParticipant({ uri: 'sip:x@y.com', role: 'Boss' })?.role, 'Unknown');
  assert.equal(normaliseUri('javascript:alert(1)'), null);
});

test('a meeting link becomes conference URIs: the sample rule, then with your own domain; a URI as it is; anything else none', () => {
  assert.deepEqual(meetingUriCandidates('https://meet.contoso.com/dana/DEDX9367', 'contoso.com'), ['sip:dana@contoso.com;gruu;opaque=app:conf:focus:id:DEDX9367']);
  assert.deepEqual(meetingUriCandidates('https://meet.fabrikam.net/dana/DEDX9367', 'contoso.com'), [
    'sip:dana@fabrikam.net;gruu;opaque=app:conf:focus:id:DEDX9367', 'sip:dana@contoso.com;gruu;opaque=app:conf:focus:id:DEDX9367']);
  const uri = 'sip:dana@contoso.com;gruu;opaque=app:conf:focus:id:DEDX9367';
  assert.deepEqual(meetingUriCandidates(` ${uri} `, 'contoso.com'), [uri]);
  assert.deepEqual(meetingUriCandidates('https://meet.contoso.com/', 'contoso.com'), []);
  assert.deepEqual(meetingUriCandidates('not a link', 'contoso.com'), []);
  assert.deepEqual(meetingUriCandidates('file:///etc/passwd/x', 'contoso.com'), []);
});

test('the roster: a set keyed by href; repeated added updates; the same person under a new href is one row; joined/left lines bounded', () => {
  const g = newGroupState('joining');
  const lene = { href: 'p/1', uri: 'sip:lene@contoso.com', name: 'Lene', role: 'Leader' as const, inIm: false, phone: false };
  upsertMember(g, lene, 1, false);
  assert.equal(g.changes.length, 0, 'there when we joined: no line');
  upsertMember(g, { ...lene, role: 'Attendee' }, 2, true);
  assert.equal(rosterOf(g).length, 1);
  assert.equal(g.changes.length, 0, 'an update is no join');
  // participantMessaging before its participant: remembered.
  setInIm(g, 'p/2', true);
  upsertMember(g, { href: 'p/2', uri: 'sip:carol@contoso.com', name: 'Carol', role: 'Attendee', inIm: false, phone: false }, 3, true);
  assert.deepEqual(rosterOf(g).map((e) => [e.name, e.inIm]), [['Lene', false], ['Carol', true]]);
  assert.deepEqual(g.changes.map((c) => [c.kind, c.name]), [['joined', 'Carol']]);
  // Escalation: Lene re-added under another href.
  upsertMember(g, { ...lene, href: 'p/9' }, 4, true);
  assert.equal(rosterOf(g).length, 2);
  assert.equal(g.changes.length, 1, 'no second join for the same person');
  assert.equal(removeMember(g, 'p/9', 5), true);
  assert.deepEqual(g.changes.map((c) => [c.kind, c.name]), [['joined', 'Carol'], ['left', 'Lene']]);
  assert.equal(removeMember(g, 'p/9', 6), false);
  for (let i = 0; i < CHANGES_KEPT + 10; i++) { upsertMember(g, { ...lene, href: `x/${i}`, uri: `sip:u${i}@c.com` }, 10 + i, true); }
  assert.equal(g.changes.length, CHANGES_KEPT);
});

test('a roster is bounded: a meeting of thousands keeps the first MEMBERS_KEPT', () => {
  const g = newGroupState('connected');
  for (let i = 0; i < MEMBERS_KEPT + 50; i++) upsertMember(g, { href: `p/${i}`, uri: `sip:u${i}@c.com`, name: `U${i}`, role: 'Attendee', inIm: true, phone: false }, i, true);
  assert.equal(rosterOf(g).length, MEMBERS_KEPT);
});
