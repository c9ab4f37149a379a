// Coming and going in a conference (PROTOCOL-2 §2.7, §2.10): join/leave/typing events, stopMessaging,
// DELETE with the conference carrying on, the end when the last account leaves, endConference,
// decline and no answer, and the ConferenceLog in history (continueMessaging → 409 None).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALICE, BOB, fmt } from './http.ts';
import { BERT, CARL, LENE, PHONE, acceptGroupInvite, addMessaging, find, ready, send, startMeeting, untilCompleted, withGroupSim } from './groupWorld.ts';

describe('roster events', () => {
  it('groupJoin / groupTyping / groupLeave → participant and participantMessaging added/deleted, typing in typingParticipants', () =>
    withGroupSim({}, async (sim) => {
      const s = await ready(sim);
      const { confId, conv } = await acceptGroupInvite(sim, s, { from: LENE });
      await addMessaging(s, conv);
      await sim.control.groupJoin(confId, CARL);
      const joined = await s.events.until((e) => e.some((x) => x.rel === 'participantMessaging'));
      assert.deepEqual(joined.map(fmt), ['conversation/participant:added', 'conversation/participantMessaging:added@participant']);
      const carl = joined[0]!.href;
      await sim.control.groupTyping(confId, CARL, true);
      const typing = await s.events.untilEvent('participant', 'added');
      assert.equal(typing[0]!.in!.rel, 'typingParticipants');
      assert.equal(typing[0]!.href, carl);
      await sim.control.groupLeave(confId, CARL);
      const left = await s.events.untilEvent('participant', 'deleted');
      assert.deepEqual(left.map(fmt), ['conversation/participant:deleted@typingParticipants', 'conversation/participantMessaging:deleted@participant', 'conversation/participant:deleted']);
      assert.equal(left[2]!.href, carl);
      assert.equal((await s.get(carl)).status, 404, 'gone from the roster');
      assert.ok(!sim.control.conferences(ALICE)[0]!.members.some((m) => m.uri === CARL));
      await assert.rejects(sim.control.groupSay(confId, CARL, 'not here'));
      await assert.rejects(sim.control.groupSay(confId, ALICE, 'accounts write through their applications'));
    }));

  it('stopMessaging leaves the IM only: participantMessaging deleted, messaging Disconnected with addMessaging; the conference stays', () =>
    withGroupSim({}, async (sim) => {
      const s = await ready(sim);
      const { confId, conv } = await acceptGroupInvite(sim, s, { from: LENE });
      const { messaging } = await addMessaging(s, conv);
      assert.equal((await s.post(messaging._links.stopMessaging.href)).status, 204);
      const evs = await s.events.untilEvent('messaging', 'updated');
      assert.deepEqual(evs.map(fmt), ['conversation/participantMessaging:deleted@participant', 'conversation/participantMessaging:deleted@localParticipant', 'conversation/messaging:updated']);
      assert.equal(evs[2]!.embedded.state, 'Disconnected');
      assert.ok(evs[2]!.embedded._links.addMessaging);
      assert.equal((await s.get(conv)).json.state, 'Conferenced');
      const conf = sim.control.conferences(ALICE).find((c) => c.id === confId)!;
      assert.deepEqual(conf.members.find((m) => m.uri === ALICE), { uri: ALICE, name: 'Alice Local', role: 'Attendee', inIm: false, account: true });
      await sim.control.groupSay(confId, LENE, 'you will not see this');
      const quiet = await s.get(`${s.events.next}&timeout=20`);
      assert.equal(quiet.json.sender, undefined, 'no message outside the IM');
    }));
});

describe('leaving and ending', () => {
  it('DELETE → 204: the user is out, another account carries on and sees the participant deleted; the last account leaving ends it', () =>
    withGroupSim({}, async (sim) => {
      const alice = await ready(sim);
      const bob = await ready(sim, BOB);
      const { conv } = await startMeeting(alice, { subject: 'Two accounts' });
      await addMessaging(alice, conv);
      // Bob is a signed-in account: his applications ring with an onlineMeetingInvitation.
      assert.equal((await alice.post(`${conv}/addParticipant`, { to: BOB, operationId: 'op-bob' })).status, 201);
      const ring = await bob.events.untilEvent('onlineMeetingInvitation', 'started');
      const inv = find(ring, 'onlineMeetingInvitation', 'started')!.embedded;
      assert.equal(inv._embedded.from.uri, ALICE);
      assert.equal(inv.subject, 'Two accounts');
      assert.equal((await bob.post(inv._links.accept.href)).status, 204);
      const bobJoined = await untilCompleted(bob, 'onlineMeetingInvitation');
      const aliceHrefAtBob = find(bobJoined, 'participant', 'added', (e) => e.embedded.uri === ALICE)!.href;
      const added = await untilCompleted(alice, 'participantInvitation');
      // Bob is in the conference, not yet in its IM: no participantMessaging.
      assert.deepEqual(added.map(fmt), ['communication/participantInvitation:started', 'conversation/participant:added', 'communication/participantInvitation:completed:Success']);
      assert.equal(find(added, 'participantInvitation', 'completed')!.embedded._embedded.acceptedByParticipant[0].uri, BOB);
      const bobConv = inv._links.conversation.href;
      const bobIm = (await addMessaging(bob, bobConv)).messaging;
      await alice.events.untilEvent('participantMessaging', 'added');
      await send(bob, bobIm, 'from Bob');
      assert.ok(find(await alice.events.untilEvent('message', 'completed'), 'message', 'completed'));

      assert.equal((await alice.del(conv)).status, 204);
      const gone = await alice.events.untilEvent('conversation', 'deleted');
      assert.deepEqual(gone.map(fmt), ['conversation/messaging:updated', 'conversation/localParticipant:deleted', 'communication/conversation:updated', 'communication/conversation:deleted']);
      assert.equal(gone[0]!.embedded.state, 'Disconnected');
      assert.equal(gone[2]!.embedded.state, 'Disconnected');
      const seen = (await bob.events.untilEvent('participant', 'deleted')).filter((e) => e.rel !== 'message'); // Bob's own message may still be unread
      assert.deepEqual(seen.map(fmt), ['conversation/participantMessaging:deleted@participant', 'conversation/participant:deleted']);
      assert.equal(seen[1]!.href, aliceHrefAtBob);
      let conf = sim.control.conferences(BOB)[0]!;
      assert.equal(conf.ended, false, 'the conference carries on with Bob');
      assert.deepEqual(conf.members.map((m) => m.uri), [BOB]);
      assert.equal((await alice.get(conv)).status, 404);

      assert.equal((await bob.del(bobConv)).status, 204);
      await bob.events.untilEvent('conversation', 'deleted');
      conf = sim.control.conferences(BOB)[0]!;
      assert.equal(conf.ended, true, 'the last member left');
      assert.deepEqual(conf.everyone.sort(), [ALICE, BOB].sort());
    }));

  it('endConference → messaging and conversation updated with reason Ended, then deleted', () =>
    withGroupSim({}, async (sim) => {
      const s = await ready(sim);
      const { confId, conv } = await acceptGroupInvite(sim, s, { from: LENE, others: [BERT] });
      await addMessaging(s, conv);
      await sim.control.endConference(confId);
      const evs = await s.events.untilEvent('conversation', 'deleted');
      assert.deepEqual(evs.map(fmt), ['conversation/messaging:updated', 'conversation/localParticipant:deleted', 'communication/conversation:updated', 'communication/conversation:deleted']);
      assert.equal(evs[0]!.reason!.subcode, 'Ended');
      assert.equal(evs[2]!.reason!.subcode, 'Ended');
      assert.equal(sim.control.conferences(ALICE).find((c) => c.id === confId)!.ended, true);
      await assert.rejects(sim.control.groupSay(confId, LENE, 'too late'));
    }));

  it('decline {reason} → 204, Failure Declined, the conference carries on without the user; a Missed ConferenceLog', () =>
    withGroupSim({ logDelaySec: 10 }, async (sim) => {
      const s = await ready(sim);
      const confId = await sim.control.groupInvite({ from: LENE, to: ALICE, others: [BERT], subject: 'Not now' });
      const ring = await s.events.untilEvent('onlineMeetingInvitation', 'started');
      const inv = find(ring, 'onlineMeetingInvitation', 'started')!.embedded;
      assert.equal((await s.post(inv._links.decline.href, { reason: 'Local' })).status, 204);
      const evs = await s.events.until((e) => e.some((x) => x.rel === 'missedItems'));
      const done = find(evs, 'onlineMeetingInvitation', 'completed')!;
      assert.equal(done.status, 'Failure');
      assert.equal(done.reason!.code, 'LocalFailure');
      assert.equal(done.reason!.subcode, 'Declined');
      assert.ok(find(evs, 'conversation', 'deleted'));
      const conf = sim.control.conferences().find((c) => c.id === confId)!;
      assert.equal(conf.ended, false);
      assert.deepEqual(conf.members.map((m) => m.uri).sort(), [BERT, LENE].sort());
      await sim.control.groupSay(confId, LENE, 'carrying on');
      const log = (await s.get(`${s.comm.conversationLogs!.href}/${sim.control.logIds(ALICE)[0]}`)).json;
      assert.equal(log.type, 'ConferenceLog');
      assert.equal(log.status, 'Missed');
      assert.equal(log.subject, 'Not now');
      assert.equal(log.onlineMeetingUri, inv.onlineMeetingUri);
      assert.deepEqual(log._embedded.conversationLogRecipient.map((r: { sipUri: string }) => r.sipUri).sort(), [BERT, LENE].sort());
    }));

  it('no answer → Failure Missed and a Missed ConferenceLog; nobody available → only the log', () =>
    withGroupSim({ invitationTimeoutSec: 100, logDelaySec: 10 }, async (sim) => {
      const s = await ready(sim);
      await sim.control.groupInvite({ from: LENE, to: ALICE, text: 'anyone?' });
      const evs = await s.events.until((e) => e.some((x) => x.rel === 'missedItems'));
      const seq = evs.map(fmt);
      assert.equal(find(evs, 'onlineMeetingInvitation', 'completed')!.reason!.subcode, 'Missed');
      assert.ok(seq.indexOf('communication/conversation:deleted') > seq.indexOf('communication/onlineMeetingInvitation:completed:Failure'));
      const log = (await s.get(`${s.comm.conversationLogs!.href}/${sim.control.logIds(ALICE)[0]}`)).json;
      assert.equal(log.type, 'ConferenceLog');
      assert.equal(log.previewMessage, 'anyone?');
      const before = sim.control.logIds(BOB).length;
      await sim.control.groupInvite({ from: LENE, to: BOB, subject: 'Bob is out' });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sim.control.logIds(BOB).length, before + 1);
    }));
});

describe('the ConferenceLog', () => {
  it('after leaving: ConferenceLog with everyone who took part (a phone too) and the messages with their authors; continueMessaging → 409 None', () =>
    withGroupSim({ logDelaySec: 10 }, async (sim) => {
      const s = await ready(sim);
      const { confId, conv, ring } = await acceptGroupInvite(sim, s, { from: LENE, others: [BERT], subject: 'Logged' });
      const uri = find(ring, 'onlineMeetingInvitation', 'started')!.embedded.onlineMeetingUri;
      const { messaging } = await addMessaging(s, conv);
      await sim.control.groupJoin(confId, PHONE);
      await sim.control.groupSay(confId, LENE, 'from Lene');
      await send(s, messaging, 'from Alice');
      await s.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming' && x.embedded._links.participant.title === 'Bert Replier'));
      await sim.control.groupLeave(confId, BERT);
      assert.equal((await s.del(conv)).status, 204);
      // Lene and the phone are still in it: it carries on until the last of them leaves.
      const state = () => sim.control.conferences(ALICE).find((c) => c.id === confId)!;
      assert.equal(state().ended, false);
      assert.deepEqual(state().members.map((m) => m.uri).sort(), [LENE, PHONE].sort());
      await sim.control.groupLeave(confId, LENE);
      assert.equal(state().ended, false);
      await sim.control.groupLeave(confId, PHONE);
      assert.equal(state().ended, true, 'the last one left');
      await s.events.untilEvent('missedItems', 'updated');
      const log = (await s.get(`${s.comm.conversationLogs!.href}/${sim.control.logIds(ALICE)[0]}`)).json;
      assert.equal(log.type, 'ConferenceLog');
      assert.equal(log.status, 'Archived');
      assert.equal(log.onlineMeetingUri, uri);
      assert.equal(log.subject, 'Logged');
      const recipients = log._embedded.conversationLogRecipient;
      assert.deepEqual(recipients.map((r: { sipUri: string }) => r.sipUri).sort(), [BERT, LENE, PHONE].sort(), 'Bert left before, still a recipient');
      const phone = recipients.find((r: { sipUri: string }) => r.sipUri === PHONE);
      assert.equal(phone.displayName, '+1 425-555-0123');
      assert.equal(phone._links.contact, undefined);
      const t = (await s.get(log._links.conversationLogTranscripts.href)).json._embedded.conversationLogTranscript;
      const authors = t.map((x: any) => x._links.me ? 'me' : x._links.contact.title); // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.deepEqual(authors, ['Lene Lead', 'me', 'Bert Replier']);
      assert.ok(log._links.continueMessaging);
      const r = await s.post(log._links.continueMessaging.href, { operationId: 'op-again' });
      assert.equal(r.status, 409);
      assert.equal(r.json.subcode, 'None');
    }));

  it('continueConferenceLogs: continueMessaging starts a new conference with the same people and threadId', () =>
    withGroupSim({ logDelaySec: 10, continueConferenceLogs: true }, async (sim) => {
      const s = await ready(sim);
      const { confId, conv } = await acceptGroupInvite(sim, s, { from: LENE, others: [CARL] });
      assert.equal((await s.del(conv)).status, 204);
      await s.events.untilEvent('missedItems', 'updated');
      const log = (await s.get(`${s.comm.conversationLogs!.href}/${sim.control.logIds(ALICE)[0]}`)).json;
      const r = await s.post(log._links.continueMessaging.href, { operationId: 'op-again', _links: { message: { href: 'data:text/plain,again' } } });
      assert.equal(r.status, 201, r.text);
      assert.match(r.headers.get('location') ?? '', /messagingInvitations/);
      const evs = await untilCompleted(s, 'messagingInvitation');
      assert.deepEqual(evs.map(fmt).slice(0, 4), ['communication/conversation:added', 'conversation/localParticipant:added', 'conversation/onlineMeeting:added@conversation', 'communication/conversation:updated']);
      const done = find(evs, 'messagingInvitation', 'completed')!;
      assert.equal(done.status, 'Success');
      assert.equal(done.embedded.operationId, 'op-again');
      assert.equal(done.embedded.threadId, log.threadId);
      const again = sim.control.conferences(ALICE).find((c) => c.id !== confId)!;
      assert.equal(again.threadId, log.threadId);
      assert.deepEqual(again.members.map((m) => m.uri).sort(), [ALICE, CARL, LENE].sort());
      await s.events.until(() => sim.control.conferences(ALICE).find((c) => c.id !== confId)!.messages.length > 0);
      assert.deepEqual(again.messages.map((m) => [m.from, m.text]), [[ALICE, 'again']]);
    }));
});
