// Group conversations (issue 14) end to end: the real core over HTTP against the simulator's
// conferences (PROTOCOL-2 §2). What the user would see (the roster, the joined/left lines, every
// message with its author) and what the server holds (conferences()) are both checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMessages, ME, signIn, until, withSim, type Harness } from './helpers.ts';
import type { Simulator } from '../../simulator/index.ts';

const PHONE = 'tel:+14255550123';

/** Three people of the demo world who answer (not the ones who decline or never answer), not the user. */
function people(s: Simulator): [string, string, string] {
  const sips = s.people.filter((p) => p.sip !== ME && !p.group && ['echo', 'reply', 'typeThenReply'].includes(p.behaviour?.kind ?? '')).map((p) => p.sip);
  return [sips[0]!, sips[1]!, sips[2]!];
}
const nameOf = (s: Simulator, sip: string) => s.people.find((p) => p.sip === sip)?.name ?? sip;

async function acceptGroupInvite(s: Simulator, h: Harness, from: string, others: string[], extra: { subject?: string; text?: string } = {}) {
  const invites: { conversationId: number; group: boolean; from: string | null; others: string[]; subject: string }[] = [];
  const off = h.service.on('invitation', (i) => invites.push({ conversationId: i.conversationId, group: i.group, from: i.from?.sip ?? null, others: i.others.map((p) => p.sip), subject: i.subject }));
  const confId = await s.control.groupInvite({ from, to: ME, others, ...extra });
  const inv = await until(() => invites.find((i) => i.group), 'the group invitation');
  off();
  await h.service.accept(inv.conversationId);
  await until(() => h.service.liveState(inv.conversationId)?.groupPhase === 'connected' && h.service.liveState(inv.conversationId)?.connection === 'connected', 'the group IM connected');
  return { confId, conversationId: inv.conversationId, invitation: inv };
}

/** Signed in, in Lene's group with Bob, who says `text` (stored), then you leave. */
async function joinedThenLeft(s: Simulator, h: Harness, text: string) {
  await signIn(h, s);
  const [lene, bob] = people(s);
  const { confId, conversationId } = await acceptGroupInvite(s, h, lene, [bob]);
  await s.control.groupSay(confId, bob, text);
  await until(async () => (await allMessages(h, conversationId)).some((m) => m.text === text), 'a message');
  await h.service.leave(conversationId);
  return { confId, conversationId, lene, bob };
}

/** A group the user was in, left, and whose ConferenceLog came back in history: a log to continue. */
async function pastGroupLog(s: Simulator, h: Harness) {
  const { conversationId, lene, bob } = await joinedThenLeft(s, h, 'see you tomorrow');
  await h.service.syncNow();
  await until(async () => { await h.service.syncNow(); return (await h.service.getConversation(conversationId))?.logKey; }, 'the group log synced');
  assert.equal((await h.service.getConversation(conversationId))?.type, 'ConferenceLog');
  return { conversationId, lene, bob };
}

const rosterNames = (h: Harness, id: number) => (h.service.liveState(id)?.roster ?? []).map((r) => r.name).sort();

for (const participantEvents of ['embedded', 'bare'] as const) test(`a group invitation (Lene and Bob; Carol joins later, Lene leaves): joined, the roster kept, every message stored with its author — participant events ${participantEvents === 'bare' ? 'with the link only, as participants_ref\'s example' : 'with the resource embedded, as the traces'}`, () => withSim({ participantEvents }, async (s, h) => {
  await signIn(h, s);
  const [lene, bob, carol] = people(s);
  const { confId, conversationId, invitation } = await acceptGroupInvite(s, h, lene, [bob], { subject: 'Quarterly plans', text: 'Welcome, both' });
  assert.equal(invitation.from, lene);
  assert.deepEqual(invitation.others, [bob], 'the popup can say who else is in it');
  assert.equal(invitation.subject, 'Quarterly plans');
  await until(() => rosterNames(h, conversationId).length === 2, 'Lene and Bob in the roster');
  assert.deepEqual(rosterNames(h, conversationId), [nameOf(s, bob), nameOf(s, lene)].sort());
  assert.equal(h.service.liveState(conversationId)?.subject, 'Quarterly plans');

  await s.control.groupSay(confId, lene, 'one from Lene');
  await s.control.groupSay(confId, bob, 'two from Bob');
  await s.control.groupJoin(confId, carol);
  await until(() => h.service.liveState(conversationId)?.changes.some((c) => c.kind === 'joined' && c.uri === carol), 'Carol joined');
  await s.control.groupSay(confId, carol, 'three from Carol');
  await s.control.groupLeave(confId, lene);
  await until(() => h.service.liveState(conversationId)?.changes.some((c) => c.kind === 'left' && c.uri === lene), 'Lene left');
  await s.control.groupSay(confId, bob, 'four from Bob');
  const want = [['Welcome, both', lene], ['one from Lene', lene], ['two from Bob', bob], ['three from Carol', carol], ['four from Bob', bob]];
  await until(async () => (await allMessages(h, conversationId)).length >= want.length, 'five messages stored');
  const stored = (await allMessages(h, conversationId)).map((m) => [m.text, m.author?.sip ?? null]);
  assert.deepEqual(stored, want, 'each message with its author, though participant hrefs are opaque');
  assert.deepEqual(rosterNames(h, conversationId), [nameOf(s, bob), nameOf(s, carol)].sort());
  // The conversation's people are everyone who took part: its chat stays the same as people leave.
  const conv = await h.service.getConversation(conversationId);
  assert.deepEqual(conv?.participants.map((p) => p.sip).sort(), [lene, bob, carol].sort());

  // A reply reaches the server as yours.
  const sent = await h.service.send(conversationId, 'Thanks all');
  await sent.delivered;
  const conf = s.control.conferences(ME).find((c) => c.id === confId);
  assert.ok(conf?.messages.some((m) => m.text === 'Thanks all' && m.from === ME), 'the server has the reply from you');
  // With the link only, who a participant is came from reading it (GET), never from its opaque href.
  const reads = h.requests.filter((r) => r.method === 'GET' && /\/participants\/[^/]+$/.test(new URL(r.url).pathname)).length;
  if (participantEvents === 'bare') assert.ok(reads >= 3, `the participants read (${reads} GETs)`);
}));

test('a phone participant and opaque ids: the author is the participant resource, never "unknown"', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  const [lene, bob] = people(s);
  const { confId, conversationId } = await acceptGroupInvite(s, h, lene, [bob]);
  await s.control.groupJoin(confId, PHONE);
  await until(() => h.service.liveState(conversationId)?.roster.some((r) => r.phone && r.uri === PHONE), 'the phone participant in the roster');
  await s.control.groupSay(confId, PHONE, 'calling in from the car');
  const msg = await until(async () => (await allMessages(h, conversationId)).find((m) => m.text === 'calling in from the car'), 'the phone message');
  assert.equal(msg.author?.sip, PHONE);
  assert.ok(msg.author?.name, 'with a name to show');
}));

test('starting a group: an ad hoc meeting, its IM, one invitation each; the first message goes once it is up', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  const [, bob, carol] = people(s);
  const sending = await h.service.startGroup([bob, carol], 'Shall we meet at three?', { subject: 'Friday' });
  await sending.delivered;
  const conf = await until(() => s.control.conferences(ME).find((c) => c.messages.some((m) => m.text === 'Shall we meet at three?')), 'the conference on the server');
  assert.equal(conf.subject, 'Friday');
  assert.ok(conf.members.some((m) => m.uri === bob) && conf.members.some((m) => m.uri === carol), 'both invited into it');
  assert.equal(conf.messages.find((m) => m.text === 'Shall we meet at three?')?.from, ME);
  await until(() => rosterNames(h, sending.conversationId).length === 2, 'both in the roster');
  const st = h.service.liveState(sending.conversationId);
  assert.equal(st?.group, true);
  assert.deepEqual(st?.adding.map((a) => a.state), ['joined', 'joined']);
  // The POSTs a client makes, in the documented order.
  const posts = h.requests.filter((r) => r.method === 'POST').map((r) => r.url);
  const i = (re: RegExp) => posts.findIndex((u) => re.test(u));
  assert.ok(i(/startOnlineMeeting|onlineMeetingInvitations/i) >= 0, 'startOnlineMeeting');
  assert.ok(i(/addMessaging/i) > i(/startOnlineMeeting|onlineMeetingInvitations/i), 'addMessaging after the meeting');
  assert.ok(i(/addParticipant/i) > i(/addMessaging/i), 'the invitations after the IM');
}));

for (const messaging of ['stays', 'drops'] as const) {
  test(`Add people to a live one-to-one: it grows into a group in place (messaging ${messaging})`, () => withSim({ escalationMessaging: messaging }, async (s, h) => {
    await signIn(h, s);
    const [, bob, carol] = people(s);
    const invites: number[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'just us') invites.push(i.conversationId); });
    await s.control.sendIm(bob, ME, 'just us');
    const id = await until(() => invites[0], 'the 1:1 invitation');
    await h.service.accept(id);
    await until(() => h.service.liveState(id)?.connection === 'connected', 'the 1:1 connected');
    await h.service.addParticipants(id, [carol]);
    await until(() => h.service.liveState(id)?.group && rosterNames(h, id).length === 2 && h.service.liveState(id)?.groupPhase === 'connected', 'a group with Bob and Carol');
    assert.deepEqual(rosterNames(h, id), [nameOf(s, bob), nameOf(s, carol)].sort());
    const sent = await h.service.send(id, 'welcome Carol');
    await sent.delivered;
    assert.equal(sent.conversationId, id, 'the same conversation');
    const conf = await until(() => s.control.conferences(ME).find((c) => c.messages.some((m) => m.text === 'welcome Carol')), 'the message in the conference');
    assert.ok(conf.members.some((m) => m.uri === carol));
    const msgs = await allMessages(h, id);
    assert.deepEqual(msgs.map((m) => m.text), ['just us', 'welcome Carol'], 'the 1:1 so far stays with the group that grew from it');
  }));
}

test('declining a group invitation: the others carry on without you; an unknown invitee fails in words', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  const [lene, bob, carol] = people(s);
  const invites: number[] = [];
  h.service.on('invitation', (i) => { if (i.group) invites.push(i.conversationId); });
  const confId = await s.control.groupInvite({ from: lene, to: ME, others: [bob] });
  const id = await until(() => invites[0], 'the invitation');
  await h.service.decline(id);
  await until(() => h.service.liveState(id)?.invitation?.state === 'declined', 'declined');
  const conf = s.control.conferences().find((c) => c.id === confId);
  assert.ok(conf && !conf.members.some((m) => m.uri === ME && m.inIm), 'you are not in it');

  const { conversationId } = await acceptGroupInvite(s, h, lene, [carol]);
  await h.service.addParticipants(conversationId, ['nobody-here@contoso.com']);
  const failed = await until(() => h.service.liveState(conversationId)?.adding.find((a) => a.state === 'failed'), 'the failed invitation');
  assert.match(failed.error?.message ?? '', /nobody with that address|not answered|not found/i);
}));

test('leaving: you are out, the others carry on; the group log comes back in history; writing again reaches the same people', () => withSim({}, async (s, h) => {
  const { confId, conversationId, lene, bob } = await joinedThenLeft(s, h, 'before you go');
  await until(() => h.service.liveState(conversationId)?.groupPhase === 'left', 'left');
  const conf = s.control.conferences().find((c) => c.id === confId);
  assert.ok(conf && !conf.ended, 'the conference carries on');
  assert.ok(!conf.members.some((m) => m.uri === ME), 'without you');
  // Writing again: continueMessaging on a group log is refused by this server (409 None): the
  // same people in a new group instead, and the message reaches them.
  const sent = await h.service.send(conversationId, 'one more thing');
  await sent.delivered;
  const again = await until(() => s.control.conferences(ME).find((c) => c.id !== confId && c.messages.some((m) => m.text === 'one more thing')), 'a new group');
  assert.ok(again.members.some((m) => m.uri === lene) && again.members.some((m) => m.uri === bob), 'the same people');
}));

test('joining a scheduled meeting’s IM by its URL; a link to no meeting is said in words', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  const [lene, bob] = people(s);
  const meeting = await s.control.scheduleMeeting({ organizer: lene, subject: 'Design review', members: [bob] });
  const { conversationId } = await h.service.joinMeeting(meeting.joinUrl);
  assert.equal(h.service.liveState(conversationId)?.groupPhase, 'connected');
  await until(() => h.service.liveState(conversationId)?.subject === 'Design review', 'the subject');
  const sent = await h.service.send(conversationId, 'joined from the tray');
  await sent.delivered;
  assert.ok(s.control.conferences(ME).some((c) => c.messages.some((m) => m.text === 'joined from the tray')));
  await assert.rejects(h.service.joinMeeting('https://meet.contoso.com/lenea/NOSUCH1'), /No meeting was found/);
  await assert.rejects(h.service.joinMeeting('hello there'), /not a meeting link/);
}));

test('a start refused for a reason worth retrying (500 CallbackChannelError, 503) is retried, once, not failed for good', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  const [, bob, carol] = people(s);
  s.control.addFault({ route: 'startOnlineMeeting', method: 'POST', status: 500, subcode: 'CallbackChannelError', times: 1 });
  s.control.addFault({ route: 'startOnlineMeeting', method: 'POST', status: 503, times: 1 });
  const sending = await h.service.startGroup([bob, carol], 'after two refusals');
  await sending.delivered;
  const confs = s.control.conferences(ME).filter((c) => c.messages.some((m) => m.text === 'after two refusals'));
  assert.equal(confs.length, 1, 'one group, the message once');
}));

test('a new group whose every invitee declines or is unknown: the message is not sent into an empty meeting, and says why', () => withSim({}, async (s, h) => {
  await signIn(h, s);
  const decliner = s.people.find((p) => p.behaviour?.kind === 'decline' && !p.group)!.sip;
  const sending = await h.service.startGroup([decliner, 'nobody-at-all@contoso.com'], 'is anyone there?');
  await assert.rejects(sending.delivered, /Nobody joined the group conversation/);
  assert.ok(!s.control.conferences(ME).some((c) => c.messages.some((m) => m.text === 'is anyone there?')), 'not written into a meeting nobody reads');
}));

for (const canContinue of [false, true]) {
  test(`writing in a past group log: ${canContinue ? 'continueMessaging, where the server allows it' : '409 None from a server that cannot — the same people in a new group, and the user told why'}`, () => withSim({ continueConferenceLogs: canContinue }, async (s, h) => {
    const { conversationId, lene, bob } = await pastGroupLog(s, h);
    const before = h.requests.length;
    const sent = await h.service.send(conversationId, 'a day later');
    await sent.delivered;
    const posts = h.requests.slice(before).filter((r) => r.method === 'POST').map((r) => new URL(r.url).pathname);
    assert.ok(posts.some((p) => p.endsWith('/continueMessaging')), 'continueMessaging tried first');
    assert.equal(posts.some((p) => /startOnlineMeeting|onlineMeetingInvitations$/.test(p)), !canContinue, canContinue ? 'continued: no new meeting' : 'refused (409 None): a new meeting');
    const got = s.control.conferences(ME).filter((c) => c.messages.some((m) => m.text === 'a day later'));
    assert.equal(got.length, 1, 'once');
    assert.ok(got[0]!.members.some((m) => m.uri === lene) && got[0]!.members.some((m) => m.uri === bob), 'to the same people');
    // The transcript says why a new group started (a line among the messages), only when it did.
    const said = (h.service.liveState(conversationId)?.changes ?? []).filter((c) => c.kind === 'restarted');
    assert.equal(said.length, canContinue ? 0 : 1, canContinue ? 'nothing to explain' : 'the restart said once');
  }));
}

test('writing in a past group log on a server with neither continueMessaging for groups nor ad hoc meetings: the message fails, in words, and stays', () => withSim({ continueConferenceLogs: false, adHocMeetings: false }, async (s, h) => {
  const { conversationId } = await pastGroupLog(s, h);
  const sent = await h.service.send(conversationId, 'a day later');
  await assert.rejects(sent.delivered, /This server cannot continue a past group conversation/);
  const mine = (await allMessages(h, conversationId)).filter((m) => m.text === 'a day later');
  assert.equal(mine.length, 1, 'the text is kept (to copy or resend), not lost');
  assert.ok(!s.control.conferences(ME).some((c) => c.messages.some((m) => m.text === 'a day later')), 'nothing reached the server');
}));
