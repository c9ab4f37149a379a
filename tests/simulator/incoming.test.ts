import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, Session, decodeData, fmt, startTestSim } from './http.ts';
import type { Ev } from './http.ts';

async function ready(sim: Simulator): Promise<Session> {
  const s = await Session.open(sim);
  const first = s.events.batch();
  await s.makeMeAvailable();
  await first;
  return s;
}

async function ring(sim: Simulator, s: Session, text = 'Hi Alice'): Promise<{ evs: Ev[]; inv: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const id = await sim.control.sendIm('sip:echo@contoso.com', ALICE, text);
  assert.equal(typeof id, 'string');
  const evs = await s.events.until((e) => e.some((x) => x.rel === 'messagingInvitation' && x.type === 'updated'));
  return { evs, inv: evs[0]!.embedded };
}

describe('incoming IM', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim();
  });
  after(() => sim.stop());

  it('§6.1 batch, participant added, then an updated invitation without accept/decline', async () => {
    const s = await ready(sim);
    const { evs, inv } = await ring(sim, s);
    assert.deepEqual(evs.map(fmt), [
      'communication/messagingInvitation:started',
      'communication/conversation:added',
      'conversation/localParticipant:added',
      'conversation/participant:added',
      'communication/messagingInvitation:updated',
    ]);
    assert.equal(inv.direction, 'Incoming');
    assert.equal(inv.state, 'Connecting');
    for (const rel of ['self', 'accept', 'decline', 'message', 'conversation', 'messaging', 'from']) assert.ok(inv._links[rel], rel);
    assert.equal(decodeData(inv._links.message.href), 'Hi Alice');
    assert.equal(inv._embedded.from.rel, 'participant');
    assert.equal(inv._embedded.from.uri, 'sip:echo@contoso.com');
    assert.equal(inv._embedded.from.name, 'Echo Person');
    assert.equal(evs[1]!.embedded.state, 'Incoming');
    assert.equal(evs[2]!.embedded.rel, 'participant', 'localParticipant embeds a participant');
    const updated = evs[4]!.embedded;
    assert.equal(updated._links.accept, undefined);
    assert.equal(updated._links.decline, undefined);
  });

  it('accept (cached link) → 204, §6.2 events, then the first message again', async () => {
    const s = await ready(sim);
    const { inv } = await ring(sim, s, 'First words');
    assert.equal((await s.post(inv._links.accept.href)).status, 204);
    const evs = await s.events.until((e) => e.some((x) => x.rel === 'message'));
    assert.deepEqual(evs.map(fmt), [
      'conversation/messaging:updated',
      'communication/conversation:updated',
      'conversation/participantMessaging:added@localParticipant',
      'conversation/participantMessaging:added@participant',
      'conversation/participant:updated',
      'communication/messagingInvitation:completed:Success',
      'conversation/message:completed:Success',
    ]);
    assert.equal(evs[0]!.embedded.state, 'Connected');
    assert.ok(evs[0]!.embedded._links.sendMessage);
    assert.equal(evs[1]!.embedded.state, 'Connected');
    const msg = evs[6]!.embedded;
    assert.equal(msg.direction, 'Incoming');
    assert.equal(decodeData(msg._links.plainMessage.href), 'First words');
    assert.ok(msg._links.contact && msg._links.participant);
    // accepting again → 409
    assert.equal((await s.post(inv._links.accept.href)).status, 409);
    // the remote writes again in the conversation
    await sim.control.sendInConversation(inv.threadId, 'sip:echo@contoso.com', 'and more');
    const more = await s.events.untilEvent('message', 'completed');
    assert.equal(decodeData(more.find((e) => e.rel === 'message')!.embedded._links.plainMessage.href), 'and more');
  });

  it('redeliverFirstMessage: false → no message event after accept', async () => {
    const quiet = await startTestSim({ redeliverFirstMessage: false });
    try {
      const s = await ready(quiet);
      const { inv } = await ring(quiet, s);
      await s.post(inv._links.accept.href);
      const evs = await s.events.until((e) => e.some((x) => x.rel === 'messagingInvitation' && x.type === 'completed'));
      const more = await s.get(`${s.events.next}&timeout=20`);
      assert.ok(![...evs, ...(more.json.sender ?? [])].some((e) => e.rel === 'message'));
    } finally {
      await quiet.stop();
    }
  });

  it('decline → 204 and a failure completion', async () => {
    const s = await ready(sim);
    const { inv } = await ring(sim, s);
    assert.equal((await s.post(inv._links.decline.href, { reason: 'Local' })).status, 204);
    const evs = await s.events.until((e) => e.some((x) => x.rel === 'conversation' && x.type === 'deleted'));
    const done = evs.find((e) => e.rel === 'messagingInvitation' && e.type === 'completed')!;
    assert.equal(done.status, 'Failure');
    assert.equal(done.reason!.subcode, 'Declined');
  });

  it('no answer → Failure Missed, teardown, a Missed log and missedItems updated', async () => {
    const quick = await startTestSim({ invitationTimeoutSec: 40, logDelaySec: 10 });
    try {
      const s = await ready(quick);
      const before = quick.control.logIds(ALICE).length;
      await quick.control.sendIm('sip:echo@contoso.com', ALICE, 'anyone?');
      const evs = await s.events.until((e) => e.some((x) => x.rel === 'missedItems'));
      const seq = evs.map(fmt);
      const done = evs.find((e) => e.rel === 'messagingInvitation' && e.type === 'completed')!;
      assert.equal(done.status, 'Failure');
      assert.equal(done.reason!.subcode, 'Missed');
      assert.ok(seq.indexOf('communication/conversation:deleted') > seq.indexOf('communication/messagingInvitation:completed:Failure'));
      assert.ok(seq.indexOf('communication/missedItems:updated') > seq.indexOf('communication/conversation:deleted'));
      const ids = quick.control.logIds(ALICE);
      assert.equal(ids.length, before + 1);
      const log = await s.get(`${s.comm.conversationLogs!.href}/${ids[0]}`);
      assert.equal(log.json.status, 'Missed');
      assert.equal(log.json.direction, 'Incoming');
      assert.equal(log.json.previewMessage, 'anyone?');
    } finally {
      await quick.stop();
    }
  });

  it('is not delivered to applications that are not available', async () => {
    const s = await Session.open(sim); // no makeMeAvailable
    const other = await Session.open(sim, 'sip:bob@contoso.com');
    await sim.control.sendIm('sip:echo@contoso.com', 'sip:bob@contoso.com', 'for Bob (offline)');
    const r = await s.get(`${s.app._links.events.href}&timeout=30`);
    assert.equal(r.json.sender, undefined);
    // Bob is signed in but not available: no invitation, only the missed conversation in history.
    const evs = await other.events.untilEvent('missedItems', 'updated');
    assert.ok(!evs.some((e) => e.rel === 'messagingInvitation'));
    const logs = await other.get(`${other.comm.conversationLogs!.href}?limit=1`);
    const log = await other.get(logs.json._links.conversationLog[0].href);
    assert.equal(log.json.status, 'Missed');
  });
});

describe('data URL variants', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim();
  });
  after(() => sim.stop());

  for (const [name, href, expected] of [
    ['percent-encoded', 'data:text/plain;charset=utf-8,Caf%C3%A9%20%E2%98%95', 'Café ☕'],
    ['plus for space', 'data:text/plain,Hi+Tosh%0d%0a', 'Hi Tosh\r\n'],
    ['base64', `data:text/plain;base64,${Buffer.from('Grüße 👋').toString('base64')}`, 'Grüße 👋'],
    ['base64 with charset', `data:text/plain;charset=utf-8;base64,${Buffer.from('ok+fine').toString('base64')}`, 'ok+fine'],
    ['html', `data:text/html;base64,${Buffer.from('<b>x</b>').toString('base64')}`, '<b>x</b>'],
  ] as const) {
    it(`accepts a ${name} first message`, async () => {
      const s = await Session.open(sim);
      const r = await s.post(s.comm.startMessaging!.href, { to: 'sip:silent@contoso.com', _links: { message: { href } } });
      assert.equal(r.status, 201);
      const last = sim.control.receivedMessages(ALICE).at(-1)!;
      assert.equal(last.text, expected);
    });
  }
});
