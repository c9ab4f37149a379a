// Escalating a live 1:1 into a conference with addParticipant (PROTOCOL-2 §2.5): same conversation
// href, Conferencing → onlineMeeting added → Conferenced, messaging kept or dropped, participant
// hrefs kept or renewed, threadId kept or new; the other party as a signed-in account.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator, SimulatorOptions } from '../../simulator/index.ts';
import { ALICE, BOB, decodeData, fmt } from './http.ts';
import type { Session } from './http.ts';
import { BERT, CARL, addMessaging, find, ready, send, untilCompleted, withGroupSim } from './groupWorld.ts';

const ECHO = 'sip:echo@contoso.com';

/** A connected 1:1 with the echo person; returns the conversation and its messaging. */
async function oneToOne(s: Session): Promise<{ conv: string; threadId: string; messaging: any; echoHref: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal((await s.post(s.comm.startMessaging!.href, { to: ECHO, operationId: 'op-1to1' })).status, 201);
  const evs = await untilCompleted(s, 'messagingInvitation');
  const conv = find(evs, 'conversation', 'added')!.href;
  const updated = [...evs].reverse().find((e) => e.rel === 'conversation' && e.type === 'updated')!.embedded;
  assert.ok(updated._links.addParticipant, 'a connected 1:1 offers addParticipant');
  return {
    conv,
    threadId: updated.threadId,
    messaging: [...evs].reverse().find((e) => e.rel === 'messaging')!.embedded,
    echoHref: find(evs, 'participant', 'added')!.href,
  };
}

async function escalate(opts: SimulatorOptions, check: (sim: Simulator, s: Session, o: Awaited<ReturnType<typeof oneToOne>>, evs: ReturnType<typeof fmt>[], all: Awaited<ReturnType<typeof untilCompleted>>) => Promise<void>): Promise<void> {
  await withGroupSim(opts, async (sim) => {
    const s = await ready(sim);
    const o = await oneToOne(s);
    const r = await s.post(`${o.conv}/addParticipant`, { to: BERT, operationId: 'op-esc' });
    assert.equal(r.status, 201, r.text);
    const all = await untilCompleted(s, 'participantInvitation');
    await check(sim, s, o, all.map(fmt), all);
  });
}

describe('escalation of a 1:1 (addParticipant)', () => {
  it('default: same href and threadId, Conferencing → onlineMeeting → Conferenced, messaging stays Connected, hrefs survive', () =>
    escalate({}, async (sim, s, o, seq, all) => {
      assert.deepEqual(seq, [
        'communication/participantInvitation:started',
        'communication/conversation:updated',
        'conversation/onlineMeeting:added@conversation',
        'communication/conversation:updated',
        'conversation/messaging:updated',
        'conversation/participant:added',
        'conversation/participantMessaging:added@participant',
        'communication/participantInvitation:completed:Success',
      ]);
      assert.equal(all[0]!.embedded.operationId, 'op-esc');
      assert.equal(all[1]!.href, o.conv, 'the same conversation');
      assert.equal(all[1]!.embedded.state, 'Conferencing');
      assert.equal(all[3]!.embedded.state, 'Conferenced');
      assert.equal(all[3]!.embedded.threadId, o.threadId);
      assert.ok(all[3]!.embedded._links.onlineMeeting);
      assert.equal(all[4]!.embedded.state, 'Connected');
      assert.equal(all[4]!.embedded._links.sendMessage.href, o.messaging._links.sendMessage.href);
      assert.equal(all[5]!.embedded.uri, BERT);
      assert.match(all[5]!.href, /\/participants\/\d+$/);
      // The echo person kept the href of the 1:1.
      const roster = (await s.get(`${o.conv}/participants`)).json._links.participant.map((p: { href: string }) => p.href);
      assert.ok(roster.includes(o.echoHref));
      // The same messaging link now writes to the conference.
      await send(s, o.messaging, 'now three of us');
      const conf = sim.control.conferences(ALICE)[0]!;
      assert.equal(conf.threadId, o.threadId);
      assert.equal(conf.organizer, ALICE);
      assert.deepEqual(conf.members.map((m) => m.uri).sort(), [ALICE, BERT, ECHO].sort());
      assert.ok(conf.messages.some((m) => m.text === 'now three of us'));
      // Bert answers in groups; his message names his participant.
      const reply = await s.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming'));
      assert.equal(find(reply, 'message', 'completed', (e) => e.embedded.direction === 'Incoming')!.embedded._links.participant.href, all[5]!.href);
    }));

  it("escalationMessaging 'drops': messaging Disconnected with addMessaging, participantMessaging deleted; addMessaging brings IM back", () =>
    escalate({ escalationMessaging: 'drops' }, async (_sim, s, o, seq, all) => {
      assert.deepEqual(seq, [
        'communication/participantInvitation:started',
        'communication/conversation:updated',
        'conversation/onlineMeeting:added@conversation',
        'communication/conversation:updated',
        'conversation/participantMessaging:deleted@participant',
        'conversation/participantMessaging:deleted@localParticipant',
        'conversation/messaging:updated',
        'conversation/participant:added',
        'communication/participantInvitation:completed:Success',
      ]);
      const m = all[6]!.embedded;
      assert.equal(m.state, 'Disconnected');
      assert.ok(m._links.addMessaging);
      assert.equal(m._links.sendMessage, undefined);
      assert.equal((await s.post(o.messaging._links.sendMessage.href, 'x', { 'Content-Type': 'text/plain' })).status, 409);
      const { evs, messaging } = await addMessaging(s, o.conv);
      assert.equal(messaging.state, 'Connected');
      assert.equal(evs.filter((e) => e.rel === 'participantMessaging' && e.in!.rel === 'participant').length, 2, 'echo and Bert in the IM');
    }));

  it("escalationParticipantHrefs 'renew': the other party is deleted and re-added with a new href; escalationThreadId 'new'", () =>
    escalate({ escalationParticipantHrefs: 'renew', escalationThreadId: 'new' }, async (_sim, _s, o, seq, all) => {
      assert.deepEqual(seq.slice(0, 8), [
        'communication/participantInvitation:started',
        'communication/conversation:updated',
        'conversation/onlineMeeting:added@conversation',
        'communication/conversation:updated',
        'conversation/messaging:updated',
        'conversation/participant:deleted',
        'conversation/participant:added',
        'conversation/participantMessaging:added@participant',
      ]);
      assert.equal(all[5]!.href, o.echoHref);
      assert.equal(all[6]!.embedded.uri, ECHO);
      assert.notEqual(all[6]!.href, o.echoHref);
      assert.match(all[6]!.href, /\/participants\/\d+$/);
      assert.notEqual(all[3]!.embedded.threadId, o.threadId);
      assert.equal(all[1]!.href, o.conv);
    }));

  it('a 1:1 between two accounts: the other one is rung with an onlineMeetingInvitation on its existing conversation; accepting turns it into the conference', () =>
    withGroupSim({}, async (sim) => {
      const alice = await ready(sim);
      const bob = await ready(sim, BOB);
      assert.equal((await alice.post(alice.comm.startMessaging!.href, { to: BOB, operationId: 'op-ab', _links: { message: { href: 'data:text/plain,hi+Bob' } } })).status, 201);
      const rung = await bob.events.untilEvent('messagingInvitation', 'started');
      const bobInv = find(rung, 'messagingInvitation', 'started')!.embedded;
      assert.equal((await bob.post(bobInv._links.accept.href)).status, 204);
      await untilCompleted(alice, 'messagingInvitation');
      await untilCompleted(bob, 'messagingInvitation');
      const aliceConv = find(alice.events.seen, 'conversation', 'added')!.href;
      const bobConv = bobInv._links.conversation.href;
      assert.equal((await alice.post(`${aliceConv}/addParticipant`, { to: CARL, operationId: 'op-carl' })).status, 201);
      const meet = await bob.events.untilEvent('onlineMeetingInvitation', 'started');
      assert.deepEqual(meet.map(fmt), ['communication/onlineMeetingInvitation:started'], 'no new conversation for Bob');
      const inv = meet[0]!.embedded;
      assert.equal(inv._links.conversation.href, bobConv, 'targets the existing 1:1');
      assert.equal(inv._embedded.from.uri, ALICE);
      // Bob still writes in the 1:1 before accepting: it reaches the conference.
      const bobMessaging = (await bob.get(`${bobConv}/messaging`)).json;
      await send(bob, bobMessaging, 'wait for me');
      assert.equal((await bob.post(inv._links.accept.href)).status, 204);
      const joined = await untilCompleted(bob, 'onlineMeetingInvitation');
      assert.deepEqual(joined.filter((e) => e.rel !== 'message').map(fmt).slice(0, 4), [
        'communication/conversation:updated',
        'conversation/onlineMeeting:added@conversation',
        'communication/conversation:updated',
        'conversation/messaging:updated',
      ]);
      assert.equal(joined.find((e) => e.rel === 'conversation')!.href, bobConv);
      assert.equal(find(joined, 'onlineMeetingInvitation', 'completed')!.status, 'Success');
      await untilCompleted(alice, 'participantInvitation');
      await send(alice, (await alice.get(`${aliceConv}/messaging`)).json, 'all here');
      const got = await bob.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming'));
      const m = find(got, 'message', 'completed', (e) => e.embedded.direction === 'Incoming')!.embedded;
      assert.equal(decodeData(m._links.plainMessage.href), 'all here');
      const conf = sim.control.conferences(BOB)[0]!;
      assert.ok(conf.messages.some((x) => x.from === BOB && x.text === 'wait for me'));
      assert.deepEqual(conf.members.filter((x) => x.account).map((x) => [x.uri, x.inIm]).sort(), [[ALICE, true], [BOB, true]]);
    }));
});
