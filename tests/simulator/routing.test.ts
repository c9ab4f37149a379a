// IM between two signed-in accounts: the caller's invitation rings the callee's applications as a
// real incoming invitation; accept/decline/messages/typing/hang-up flow back. Plain HTTP only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, BOB, Session, decodeData, fmt, withSim } from './http.ts';
import type { Ev } from './http.ts';

async function ready(sim: Simulator, sip = ALICE): Promise<Session> {
  const s = await Session.open(sim, sip);
  const first = s.events.batch();
  await s.makeMeAvailable();
  await first;
  return s;
}

const dataText = (text: string) => `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
const find = (evs: Ev[], rel: string, type: string) => evs.find((e) => e.rel === rel && e.type === type);

/** Alice starts messaging Bob; returns Bob's invitation as he sees it. */
async function call(alice: Session, bob: Session, text = 'Hi Bob'): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await alice.post(alice.comm.startMessaging!.href, { to: BOB, operationId: 'op-1', _links: { message: { href: dataText(text) } } });
  assert.equal(r.status, 201);
  const evs = await bob.events.untilEvent('messagingInvitation', 'started');
  return find(evs, 'messagingInvitation', 'started')!.embedded;
}

describe('IM routed between signed-in accounts', () => {
  it('Bob gets a real incoming invitation (§6.1) from Alice; accept connects both sides; messages flow both ways', () =>
    withSim({}, async (sim) => {
      const alice = await ready(sim);
      const bob = await ready(sim, BOB);
      const inv = await call(alice, bob, 'Hi Bob');
      assert.equal(inv.direction, 'Incoming');
      assert.equal(inv._embedded.from.uri, ALICE);
      assert.equal(inv._embedded.from.name, 'Alice Local');
      assert.equal(decodeData(inv._links.message.href), 'Hi Bob');
      const out = await alice.events.untilEvent('messagingInvitation', 'started');
      const outInv = find(out, 'messagingInvitation', 'started')!.embedded;
      assert.equal(outInv.direction, 'Outgoing');
      assert.equal(outInv.threadId, inv.threadId, 'one thread on both sides');
      assert.equal(sim.control.liveConversations(BOB)[0]!.participants[0], ALICE);

      assert.equal((await bob.post(inv._links.accept.href)).status, 204);
      const bobEvs = await bob.events.untilEvent('message', 'completed');
      assert.equal(find(bobEvs, 'messagingInvitation', 'completed')!.status, 'Success');
      assert.equal(decodeData(find(bobEvs, 'message', 'completed')!.embedded._links.plainMessage.href), 'Hi Bob');
      const aliceEvs = await alice.events.untilEvent('messagingInvitation', 'completed');
      const done = find(aliceEvs, 'messagingInvitation', 'completed')!;
      assert.equal(done.status, 'Success');
      assert.equal(done.embedded.operationId, 'op-1');
      assert.equal(done.embedded._embedded.acceptedByParticipant[0].uri, BOB);
      const messaging = aliceEvs.filter((e) => e.rel === 'messaging').at(-1)!.embedded;
      assert.equal(messaging.state, 'Connected');

      // Bob types and answers; Alice sees typing then the message from Bob.
      const bobMessaging = bobEvs.filter((e) => e.rel === 'messaging').at(-1)!.embedded;
      assert.equal((await bob.post(bobMessaging._links.setIsTyping.href)).status, 204);
      const typing = await alice.events.until((e) => e.some((x) => x.in?.rel === 'typingParticipants'));
      assert.equal(typing.find((x) => x.in?.rel === 'typingParticipants')!.type, 'added');
      const sent = await bob.post(`${bobMessaging._links.sendMessage.href}?operationId=b1`, 'Hello Alice', { 'Content-Type': 'text/plain' });
      assert.equal(sent.status, 201);
      const got = await alice.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming'));
      assert.equal(got.at(-1)!.rel, 'message');
      // Typing ends with the message or after the typing timer (5 s scaled), whichever comes first.
      const typingSeen = alice.events.seen.filter((x) => x.in?.rel === 'typingParticipants').map(fmt);
      assert.deepEqual(typingSeen, ['conversation/participant:added@typingParticipants', 'conversation/participant:deleted@typingParticipants']);
      const m = got.at(-1)!.embedded;
      assert.equal(decodeData(m._links.plainMessage.href), 'Hello Alice');
      assert.match(m._links.participant.href, /participants\/bob@contoso\.com$/);

      // Alice answers in HTML; Bob receives both forms.
      const r = await alice.post(`${messaging._links.sendMessage.href}?operationId=a2`, '<b>Hi</b> again', { 'Content-Type': 'text/html' });
      assert.equal(r.status, 201);
      const back = await bob.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming'));
      const bm = back.find((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming')!.embedded;
      assert.equal(decodeData(bm._links.plainMessage.href), 'Hi again');
      assert.equal(decodeData(bm._links.htmlMessage.href), '<b>Hi</b> again');
      // No simulated behaviour answered: Alice got only Bob's real message.
      assert.equal(sim.control.receivedMessages(ALICE).length, 2);
      assert.equal(sim.control.receivedMessages(BOB).length, 1);

      // Alice hangs up: Bob sees the remote leave and the conversation end; both get a log.
      assert.equal((await alice.post(messaging._links.stopMessaging.href)).status, 204);
      const end = await bob.events.untilEvent('conversation', 'deleted');
      assert.deepEqual(end.map(fmt), [
        'conversation/participantMessaging:deleted@participant',
        'conversation/participant:deleted',
        'conversation/messaging:updated',
        'communication/conversation:updated',
        'communication/conversation:deleted',
      ]);
      assert.equal(sim.control.liveConversations(BOB).length, 0);
    }));

  it('decline → Alice gets Failure Declined; Bob gets a Missed log', () =>
    withSim({ logDelaySec: 10 }, async (sim) => {
      const alice = await ready(sim);
      const bob = await ready(sim, BOB);
      const inv = await call(alice, bob);
      assert.equal((await bob.post(inv._links.decline.href)).status, 204);
      const evs = await alice.events.untilEvent('conversation', 'deleted');
      const done = find(evs, 'messagingInvitation', 'completed')!;
      assert.equal(done.status, 'Failure');
      assert.equal(done.reason!.subcode, 'Declined');
      await bob.events.untilEvent('missedItems', 'updated');
      const logs = await bob.get(`${bob.comm.conversationLogs!.href}?limit=1`);
      const log = await bob.get(logs.json._links.conversationLog[0].href);
      assert.equal(log.json.status, 'Missed');
      assert.equal(log.json.threadId, inv.threadId);
    }));

  it('Alice cancels while ringing → Bob\'s invitation fails (Canceled)', () =>
    withSim({}, async (sim) => {
      const alice = await ready(sim);
      const bob = await ready(sim, BOB);
      await call(alice, bob);
      const out = await alice.events.untilEvent('messagingInvitation', 'started');
      const cancel = find(out, 'messagingInvitation', 'started')!.embedded._links.cancel.href;
      assert.equal((await alice.post(cancel)).status, 204);
      const evs = await bob.events.untilEvent('conversation', 'deleted');
      const done = find(evs, 'messagingInvitation', 'completed')!;
      assert.equal(done.status, 'Failure');
      assert.equal(done.reason!.subcode, 'Canceled');
    }));

  it('no answer → both sides fail; Bob signed in but not available → simulated behaviour as before', () =>
    withSim({ invitationTimeoutSec: 200 }, async (sim) => {
      const alice = await ready(sim);
      const bob = await ready(sim, BOB);
      await call(alice, bob);
      const a = await alice.events.untilEvent('messagingInvitation', 'completed');
      assert.equal(find(a, 'messagingInvitation', 'completed')!.status, 'Failure');
      const b = await bob.events.untilEvent('messagingInvitation', 'completed');
      assert.equal(find(b, 'messagingInvitation', 'completed')!.status, 'Failure');
      // Bob's application goes away: the next IM is not routed.
      assert.equal((await bob.del(bob.app._links.self.href)).status, 204);
      await Session.open(sim, BOB); // signed in, not available
      const r = await alice.post(alice.comm.startMessaging!.href, { to: BOB });
      assert.equal(r.status, 201);
      const evs = await alice.events.until((e) => e.filter((x) => x.rel === 'messagingInvitation' && x.type === 'completed').length >= 1);
      assert.equal(find(evs, 'messagingInvitation', 'completed')!.status, 'Success', 'the account echoes like a simulated person');
    }));

  it('the callee\'s application vanishing mid-conversation ends the caller\'s conversation', () =>
    withSim({}, async (sim) => {
      const alice = await ready(sim);
      const bob = await ready(sim, BOB);
      const inv = await call(alice, bob);
      await bob.post(inv._links.accept.href);
      await alice.events.untilEvent('messagingInvitation', 'completed');
      sim.control.expireApplications(BOB);
      const evs = await alice.events.untilEvent('conversation', 'deleted');
      assert.ok(evs.some((e) => e.rel === 'participant' && e.type === 'deleted' && !e.in));
      assert.equal(sim.control.liveConversations(ALICE).length, 0);
    }));

  it('offlineAccounts: missed — an account nobody can ring: the caller fails (TemporarilyUnavailable), the account finds a missed conversation with the text', () =>
    withSim({ offlineAccounts: 'missed', logDelaySec: 0 }, async (sim) => {
      const alice = await ready(sim);
      const r = await alice.post(alice.comm.startMessaging!.href, { to: BOB, operationId: 'off-1', _links: { message: { href: 'data:text/plain;charset=utf-8,are%20you%20there' } } });
      assert.equal(r.status, 201);
      const evs = await alice.events.until((e) => e.some((x) => x.rel === 'messagingInvitation' && x.type === 'completed'));
      const done = find(evs, 'messagingInvitation', 'completed')!;
      assert.equal(done.status, 'Failure');
      assert.equal(done.reason!.subcode, 'TemporarilyUnavailable');
      const bob = await Session.open(sim, BOB);
      const logs = await bob.get(bob.comm.conversationLogs!.href);
      const hrefs = (logs.json._links.conversationLog ?? []) as { href: string }[];
      const found = [];
      for (const { href } of hrefs) {
        const log = await bob.get(href);
        if (log.json.status === 'Missed') found.push(log.json);
      }
      assert.ok(found.length >= 1, 'a missed conversation for Bob');
    }));

  it('routeBetweenAccounts: false keeps the simulated behaviour', () =>
    withSim({ routeBetweenAccounts: false }, async (sim) => {
      const alice = await ready(sim);
      const bob = await ready(sim, BOB);
      await alice.post(alice.comm.startMessaging!.href, { to: BOB });
      await alice.events.untilEvent('messagingInvitation', 'completed');
      const r = await bob.get(`${bob.events.next}&timeout=30`);
      assert.equal(r.json.sender, undefined, 'Bob was not rung');
    }));
});
