// Group conversations as the renderer words and draws them (issue 14): renderer/groupView.ts (names,
// phases, joined / left lines, people being added, invitations) and renderer/transcriptRows.ts (the
// joined / left lines among the messages by time), renderer/recipients.ts (chips and a typed
// address) and the popup queue's invitation arrivals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addingWords, authorName, changeWords, firstNames, groupClosed, groupInvitationWords, groupName, invitationPeople, isGroup,
  liveWithInvitation, othersOf, phaseWords, rosterDetails, type RosterChange, type RosterEntry,
} from '../../renderer/groupView.ts';
import { buildRows, dayOfRow } from '../../renderer/transcriptRows.ts';
import { recipientsOf, recipientsProblem } from '../../renderer/recipients.ts';
import { addArrival } from '../../renderer/popupQueue.ts';
import type { Conversation, InvitationInfo, LiveState, Message } from '../../main/ipc/contract.ts';

const ME = 'sip:demo@contoso.com';
const entry = (name: string, over: Partial<RosterEntry> = {}): RosterEntry => ({ uri: `sip:${name.toLowerCase().replace(/\s+/g, '.')}@contoso.com`, name, role: 'Attendee', inIm: true, phone: false, ...over });
const live = (over: Partial<LiveState> = {}): LiveState => ({
  conversationId: 1, connection: 'connected', typing: [], invitation: null, group: true, groupPhase: 'connected', groupError: null,
  roster: [], changes: [], adding: [], subject: '', ...over,
});
const invitation = (over: Partial<InvitationInfo> = {}): InvitationInfo => ({
  id: 'i1', conversationId: 7, direction: 'Incoming', state: 'ringing', from: { sip: 'sip:lene.aaling@contoso.com', name: 'Lene Aaling' }, text: null,
  subject: '', unsupported: false, group: true, others: [], error: null, ...over,
});
const T0 = new Date(2025, 2, 3, 10, 0).getTime();
const msg = (id: number, at: number, author: string | null = 'sip:lene.aaling@contoso.com', over: Partial<Message> = {}): Message => ({
  id, conversationId: 1, author: author ? { sip: author, name: '' } : null, direction: 'Incoming', at, text: `m${id}`, html: null,
  origin: 'live', clientId: null, delivery: null, deliveryError: null, atEstimated: false, ...over,
});
const change = (at: number, kind: RosterChange['kind'], name: string): RosterChange => ({ at, kind, uri: null, name });

describe('group names', () => {
  it('the subject when there is one, else the first names', () => {
    const people = [entry('Lene Aaling'), entry('Bob Smith'), entry('Carol Jones')];
    assert.equal(groupName('Release 4.2', people), 'Release 4.2');
    assert.equal(groupName('  ', people), 'Lene, Bob and Carol');
    assert.equal(groupName('', people.slice(0, 2)), 'Lene and Bob');
    assert.equal(groupName('', people.slice(0, 1)), 'Lene');
    assert.equal(groupName('', [...people, entry('Dan Brown'), entry('Eve Stone')]), 'Lene, Bob, Carol and 2 others');
    assert.equal(groupName('', [...people, entry('Dan Brown')]), 'Lene, Bob, Carol and 1 other');
    assert.equal(groupName('', []), 'Group conversation');
  });

  it('someone without a name goes by their address, a phone by its number', () => {
    assert.equal(firstNames([{ name: '', uri: 'sip:bob.smith@contoso.com' }, { name: '', uri: 'tel:+14255550110' }]), 'bob.smith and +14255550110');
  });

  it('the others: the roster when live, else the history without you', () => {
    const participants = [{ sip: ME, name: 'Dana Demo' }, { sip: 'sip:a@contoso.com', name: 'A' }];
    assert.deepEqual(othersOf(null, participants, ME), [{ sip: 'sip:a@contoso.com', name: 'A' }]);
    assert.deepEqual(othersOf(live({ roster: [entry('Bob Smith')] }), participants, ME).map((p) => p.name), ['Bob Smith']);
    assert.equal(isGroup(null, participants, ME), false);
    assert.equal(isGroup(live(), participants, ME), true);
    assert.equal(isGroup(null, [...participants, { sip: 'sip:b@contoso.com', name: 'B' }], ME), true);
  });
});

describe('group phases and lines in words', () => {
  it('each phase but connected says where it is; a failure says why', () => {
    assert.equal(phaseWords(live()), null);
    assert.equal(phaseWords(live({ group: false, groupPhase: null })), null);
    assert.equal(phaseWords(live({ groupPhase: 'joining' })), 'Joining…');
    assert.match(phaseWords(live({ groupPhase: 'lobby' })) ?? '', /^Waiting in the lobby…/);
    assert.equal(phaseWords(live({ groupPhase: 'ended' })), 'The meeting ended.');
    assert.equal(phaseWords(live({ groupPhase: 'ended', groupError: { code: 'server', message: 'The organiser ended the meeting.' } })), 'The meeting ended: The organiser ended the meeting.');
    assert.equal(phaseWords(live({ groupPhase: 'failed', groupError: { code: 'notFound', message: '' } })), 'That conversation or message no longer exists.');
    assert.equal(phaseWords(live({ groupPhase: 'left' })), null); // the transcript's "You left" says it
    assert.equal(groupClosed(live({ groupPhase: 'left' })), true);
    assert.equal(groupClosed(live()), false);
  });

  it('joined / left lines, people being added, roster details', () => {
    assert.equal(changeWords(change(T0, 'joined', 'Carol Jones')), 'Carol Jones joined');
    assert.equal(changeWords(change(T0, 'left', '')), 'Unknown left');
    assert.match(changeWords(change(T0, 'restarted', '')), /cannot continue a past group conversation: a new one was started with the same people/);
    const carol = { uri: 'sip:carol@contoso.com', name: 'Carol Jones', error: null };
    assert.equal(addingWords({ ...carol, state: 'inviting' }), 'Inviting Carol Jones…');
    assert.equal(addingWords({ ...carol, state: 'failed', error: { code: 'invitationFailed', message: '' } }), 'Carol Jones couldn’t be added: They didn’t join the conversation: declined, didn’t answer, or couldn’t be reached.');
    assert.deepEqual(rosterDetails(entry('Lene', { role: 'Leader' })), ['Leader']);
    assert.deepEqual(rosterDetails(entry('Phone', { phone: true, inIm: false, uri: 'tel:+1' })), ['Phone', 'not in the chat']);
  });

  it('a message author: their name, the roster’s for their address, else “Unknown”', () => {
    const roster = [entry('Carol Jones')];
    assert.equal(authorName(null, roster), 'Unknown');
    assert.equal(authorName({ sip: 'sip:carol.jones@contoso.com', name: '' }, roster), 'Carol Jones');
    assert.equal(authorName({ sip: 'sip:x@contoso.com', name: 'Xavier' }, roster), 'Xavier');
    assert.equal(authorName({ sip: '', name: '' }, roster), 'Unknown');
  });
});

describe('group invitations', () => {
  it('who invites and who else is in it, without you and without repeats', () => {
    const inv = invitation({ others: [{ sip: ME, name: 'Dana' }, { sip: 'sip:mei.chen@contoso.com', name: 'Mei Chen' }, { sip: 'sip:lene.aaling@contoso.com', name: 'Lene Aaling' }, { sip: 'sip:kenji@contoso.com', name: 'Kenji Watanabe' }] });
    assert.deepEqual(invitationPeople(inv, ME).map((p) => p.name), ['Lene Aaling', 'Mei Chen', 'Kenji Watanabe']);
    assert.deepEqual(groupInvitationWords(inv, ME), { title: 'Lene Aaling invites you to a group conversation', others: 'With Mei Chen and Kenji Watanabe' });
    assert.equal(groupInvitationWords(invitation(), ME).others, '');
  });

  it('an invitation event alone makes a whole live state (the group flag and subject from it)', () => {
    const l = liveWithInvitation(null, invitation({ subject: 'Offsite' }));
    assert.deepEqual([l.group, l.subject, l.roster, l.changes, l.adding, l.connection], [true, 'Offsite', [], [], [], 'disconnected']);
    const kept = liveWithInvitation(live({ roster: [entry('Bob')], subject: 'Kept' }), invitation());
    assert.deepEqual([kept.roster.length, kept.subject], [1, 'Kept']);
  });
});

describe('transcript rows with joined / left lines', () => {
  const kinds = (rows: ReturnType<typeof buildRows>) => rows.map((r) => (r.kind === 'msg' ? `m${r.m.id}${r.head ? '*' : ''}` : r.kind === 'change' ? `${r.c.kind}:${r.c.name}` : r.kind));

  it('lines sit among the messages by time, and the next message names its author again', () => {
    const messages = [msg(1, T0), msg(2, T0 + 60_000), msg(3, T0 + 120_000)];
    const rows = buildRows(messages, null, [change(T0 + 90_000, 'joined', 'Carol'), change(T0 + 30_000, 'left', 'Bob')]);
    assert.deepEqual(kinds(rows), ['day', 'm1*', 'left:Bob', 'm2*', 'joined:Carol', 'm3*']);
    // Without lines the same messages are one group of bubbles.
    assert.deepEqual(kinds(buildRows(messages, null)), ['day', 'm1*', 'm2', 'm3']);
  });

  it('lines after the last message, a day of their own, and "You left" last', () => {
    const nextDay = T0 + 86_400_000;
    const rows = buildRows([msg(1, T0)], null, [change(nextDay, 'joined', 'Carol')], nextDay + 1000);
    assert.deepEqual(kinds(rows), ['day', 'm1*', 'day', 'joined:Carol', 'left']);
    assert.equal(dayOfRow(rows, 3), new Date(2025, 2, 4).getTime());
    // Lines only (no message yet): still shown.
    assert.deepEqual(kinds(buildRows([], null, [change(T0, 'joined', 'Carol')])), ['day', 'joined:Carol']);
  });

  it('a message of unknown time places no line; "New" stays before its message', () => {
    const rows = buildRows([msg(1, 0, null, { atEstimated: true }), msg(2, T0)], 2, [change(T0 - 1, 'joined', 'Carol')]);
    assert.deepEqual(kinds(rows), ['day', 'm1*', 'day', 'joined:Carol', 'new', 'm2*']);
  });
});

describe('recipients', () => {
  const alex = { sip: 'sip:alex.rivera@contoso.com', name: 'Alex Rivera' };
  it('the chips and a full address typed, each once; a partial name is not a recipient', () => {
    assert.deepEqual(recipientsOf([alex], ''), [alex.sip]);
    assert.deepEqual(recipientsOf([alex], 'lars.nilsson@contoso.com'), [alex.sip, 'sip:lars.nilsson@contoso.com']);
    assert.deepEqual(recipientsOf([alex], 'im:Alex.Rivera@contoso.com'), [alex.sip]);
    assert.deepEqual(recipientsOf([alex], 'Lar'), [alex.sip]);
  });
  it('a half-typed name or nobody at all is said in words', () => {
    assert.equal(recipientsProblem([alex.sip], 'Lar', 'nobody'), 'Choose a person for “Lar”, or type a full address like name@company.com.');
    assert.equal(recipientsProblem([], '', 'nobody'), 'nobody');
    assert.equal(recipientsProblem([alex.sip], '  ', 'nobody'), null);
  });
});

describe('the popup queue and invitations', () => {
  const conv = (id: number) => ({ id } as Conversation);
  it('an invitation the unread list lacks joins the end, once', () => {
    const { queue, arrived } = addArrival([conv(1), conv(2)], conv(3));
    assert.deepEqual([queue.map((c) => c.id), arrived?.id], [[1, 2, 3], 3]);
    const again = addArrival(queue, conv(3));
    assert.deepEqual([again.queue.length, again.arrived], [3, null]);
  });
});
