import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, Session, dateMs, decodeData, fmt, isDate, startTestSim } from './http.ts';
import type { Ev } from './http.ts';

async function ready(sim: Simulator): Promise<Session> {
  const s = await Session.open(sim);
  const first = s.events.batch();
  await s.makeMeAvailable();
  await first;
  return s;
}

async function start(s: Session, to: string, extra: Record<string, unknown> = {}) {
  return s.post(s.comm.startMessaging!.href, { to, operationId: 'op-' + Math.random().toString(16).slice(2), subject: 'Hello', importance: 'Normal', ...extra });
}

/** Outgoing invitation until Connected; returns the events and the messaging links. */
async function connect(s: Session, to: string, extra: Record<string, unknown> = {}) {
  const r = await start(s, to, extra);
  assert.equal(r.status, 201);
  const all = await s.events.until((e) => e.some((x) => x.rel === 'messagingInvitation' && x.type === 'completed'));
  // A prompt remote may already have answered in the same batch: keep the sequence up to completion.
  const evs = all.slice(0, all.findIndex((x) => x.rel === 'messagingInvitation' && x.type === 'completed') + 1);
  const messaging = [...evs].reverse().find((e) => e.rel === 'messaging')!.embedded;
  return { r, evs, messaging };
}

describe('outgoing IM', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim();
  });
  after(() => sim.stop());

  it('startMessaging: 201 + Location, then the full §5.3 event sequence', async () => {
    const s = await ready(sim);
    const { r, evs } = await connect(s, 'sip:echo@contoso.com', { operationId: 'op-seq', _links: { message: { href: 'data:text/plain;charset=utf-8,Hi+there%21' } } });
    assert.match(r.headers.get('location') ?? '', /\/communication\/messagingInvitations\/[^/]+$/);
    const seq = evs.map(fmt);
    assert.deepEqual(seq, [
      'communication/messagingInvitation:started',
      'communication/conversation:added',
      'conversation/localParticipant:added',
      'conversation/messaging:updated',
      'communication/conversation:updated',
      'conversation/participant:added',
      'conversation/participantMessaging:added@participant',
      'conversation/participantMessaging:added@localParticipant',
      'conversation/messaging:updated',
      'communication/messagingInvitation:completed:Success',
    ]);
    const started = evs[0]!.embedded;
    assert.equal(started.rel, 'messagingInvitation');
    assert.equal(started.direction, 'Outgoing');
    assert.equal(started.state, 'Connecting');
    assert.equal(started.operationId, 'op-seq');
    assert.equal(typeof started.threadId, 'string');
    for (const rel of ['self', 'from', 'to', 'cancel', 'conversation', 'messaging']) assert.ok(started._links[rel], rel);
    assert.equal(evs[0]!.href, r.headers.get('location'));
    assert.equal(evs[1]!.embedded.state, 'Connecting');
    assert.equal(evs[1]!.embedded.threadId, started.threadId);
    assert.equal(evs[3]!.embedded.state, 'Connecting');
    assert.ok(evs[3]!.embedded._links.stopMessaging);
    assert.equal(evs[3]!.embedded._links.sendMessage, undefined, 'no sendMessage while connecting');
    assert.equal(evs[4]!.embedded.state, 'Connected');
    const connected = evs[8]!.embedded;
    assert.equal(connected.state, 'Connected');
    for (const rel of ['sendMessage', 'setIsTyping', 'typingParticipants', 'stopMessaging']) assert.ok(connected._links[rel], rel);
    const done = evs[9]!;
    assert.equal(done.embedded.state, 'Connected');
    assert.equal(done.embedded.operationId, 'op-seq');
    assert.equal(done.embedded._embedded.acceptedByParticipant[0].uri, 'sip:echo@contoso.com');
    assert.equal(done.embedded._links.cancel, undefined);
    const got = sim.control.receivedMessages(ALICE).filter((m) => m.threadId === started.threadId);
    assert.deepEqual(got.map((m) => [m.text, m.to[0]]), [['Hi there!', 'sip:echo@contoso.com']]);
    // The echo contact answers the first message.
    await s.events.until(() => s.events.seen.some((e) => e.rel === 'message'));
    const m = s.events.seen.find((e) => e.rel === 'message')!;
    assert.equal(m.embedded.direction, 'Incoming');
    assert.equal(decodeData(m.embedded._links.plainMessage.href), 'Echo: Hi there!');
    assert.ok(isDate(m.embedded.timeStamp));
    assert.equal(m.embedded._links.participant.title, 'Echo Person');
  });

  it('validates startMessaging input (to, operationId ≤ 50, subject ≤ 250, importance)', async () => {
    const s = await ready(sim);
    const bad = [
      { operationId: 'x' },
      { to: 'not-a-sip', operationId: 'x' },
      { to: 'sip:echo@contoso.com', operationId: 'o'.repeat(51) },
      { to: 'sip:echo@contoso.com', subject: 's'.repeat(251) },
      { to: 'sip:echo@contoso.com', importance: 'Whenever' },
    ];
    for (const b of bad) {
      const r = await s.post(s.comm.startMessaging!.href, b);
      assert.equal(r.status, 400, JSON.stringify(b));
      assert.equal(r.json.code, 'BadRequest');
      assert.equal(r.json.subcode, 'ParameterValidationFailure');
    }
    const q = await s.post(`${s.comm.startMessaging!.href}?to=${encodeURIComponent('sip:echo@contoso.com')}&operationId=viaquery`);
    assert.equal(q.status, 201, 'input as query parameters');
  });

  it('sendMessage: text/plain and text/html → 201 + message completed; other types → 415', async () => {
    const s = await ready(sim);
    const { messaging } = await connect(s, 'sip:replier@contoso.com');
    const send = messaging._links.sendMessage.href;
    const p = await s.post(`${send}?OperationContext=ctx-1`, 'Hello plain', { 'Content-Type': 'text/plain; charset=utf-8' });
    assert.equal(p.status, 201);
    assert.match(p.headers.get('location') ?? '', /\/messaging\/messages\/\d+$/);
    const evs = await s.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Outgoing'));
    const out = evs.find((x) => x.rel === 'message')!;
    assert.equal(out.sender, 'conversation');
    assert.equal(out.status, 'Success');
    assert.equal(out.type, 'completed');
    assert.equal(out.href, p.headers.get('location'));
    assert.equal(out.embedded.direction, 'Outgoing');
    assert.ok(isDate(out.embedded.timeStamp));
    const h = await s.post(`${send}?operationId=op-2`, '<b>bold</b> move', { 'Content-Type': 'text/html' });
    assert.equal(h.status, 201);
    const u = await s.post(send, '{}', { 'Content-Type': 'application/json' });
    assert.equal(u.status, 415);
    assert.equal(u.json.code, 'UnsupportedMediaType');
    const rec = sim.control.receivedMessages(ALICE).slice(-2);
    assert.deepEqual(rec.map((m) => m.contentType), ['text/plain', 'text/html']);
    assert.equal(rec[1]!.text, '<b>bold</b> move');
    // reply behaviour answers after its delay
    const reply = await s.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming'));
    assert.equal(decodeData(reply.find((x) => x.embedded?.direction === 'Incoming')!.embedded._links.plainMessage.href), 'later reply');
  });

  it('GET messages lists the message links; each message carries its operationId (how a client finds a POST it lost)', async () => {
    const s = await ready(sim);
    const { messaging } = await connect(s, 'sip:replier@contoso.com');
    const send = messaging._links.sendMessage.href;
    const p = await s.post(`${send}?operationId=op-find-me`, 'find me', { 'Content-Type': 'text/plain' });
    assert.equal(p.status, 201);
    const list = await s.get(send);
    assert.equal(list.status, 200);
    const hrefs = (list.json._links.message as { href: string }[]).map((l) => l.href);
    assert.ok(hrefs.includes(p.headers.get('location')!), 'the new message is listed');
    const found = [];
    for (const h of hrefs) {
      const m = await s.get(h);
      if (m.json.operationId === 'op-find-me') found.push(m.json);
    }
    assert.equal(found.length, 1);
    assert.equal(found[0].direction, 'Outgoing');
  });

  it('typing: setIsTyping 204; remote typing as participant added/deleted in typingParticipants', async () => {
    const s = await ready(sim);
    const { messaging } = await connect(s, 'sip:typer@contoso.com');
    assert.equal((await s.post(messaging._links.setIsTyping.href)).status, 204);
    await s.post(messaging._links.sendMessage.href, 'are you there?', { 'Content-Type': 'text/plain' });
    const evs = await s.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming'));
    const seq = evs.filter((e) => e.in?.rel === 'typingParticipants' || (e.rel === 'message' && e.embedded.direction === 'Incoming')).map(fmt);
    assert.deepEqual(seq, ['conversation/participant:added@typingParticipants', 'conversation/participant:deleted@typingParticipants', 'conversation/message:completed:Success']);
    const typingEv = evs.find((e) => e.in?.rel === 'typingParticipants')!;
    assert.match(typingEv.href, /participants\/typer@contoso\.com$/);
    // control.setTyping drives the same events
    const threadId = sim.control.liveConversations(ALICE).find((c) => c.participants.includes('sip:typer@contoso.com'))!.threadId;
    await sim.control.setTyping(threadId, 'sip:typer@contoso.com', true);
    const t = await s.events.until((e) => e.some((x) => x.in?.rel === 'typingParticipants'));
    assert.equal(t.find((x) => x.in?.rel === 'typingParticipants')!.type, 'added');
  });

  it('stopMessaging → 204 and teardown events', async () => {
    const s = await ready(sim);
    const { messaging, evs } = await connect(s, 'sip:echo@contoso.com');
    const threadId = evs[0]!.embedded.threadId;
    assert.ok(sim.control.liveConversations(ALICE).some((c) => c.threadId === threadId));
    assert.equal((await s.post(messaging._links.stopMessaging.href)).status, 204);
    const end = await s.events.until((e) => e.some((x) => x.rel === 'conversation' && x.type === 'deleted'));
    const seq = end.map(fmt);
    assert.deepEqual(seq.slice(-3), ['conversation/messaging:updated', 'communication/conversation:updated', 'communication/conversation:deleted']);
    assert.equal(end.at(-3)!.embedded.state, 'Disconnected');
    assert.equal(end.at(-3)!.embedded._links.sendMessage, undefined);
    assert.equal(end.at(-2)!.embedded.state, 'Disconnected');
    assert.ok(!sim.control.liveConversations(ALICE).some((c) => c.threadId === threadId));
  });

  it('declined invitation completes with Failure, reason RemoteFailure/Declined, then teardown', async () => {
    const s = await ready(sim);
    await start(s, 'sip:nope@contoso.com');
    const evs = await s.events.until((e) => e.some((x) => x.rel === 'conversation' && x.type === 'deleted'));
    const done = evs.find((e) => e.rel === 'messagingInvitation' && e.type === 'completed')!;
    assert.equal(done.status, 'Failure');
    assert.equal(done.reason!.code, 'RemoteFailure');
    assert.equal(done.reason!.subcode, 'Declined');
    assert.equal(typeof done.reason!.message, 'string');
  });

  it('unanswered invitation fails after invitationTimeoutSec with subcode Timeout; cancel while connecting', async () => {
    const quick = await startTestSim({ invitationTimeoutSec: 50 });
    try {
      const s = await ready(quick);
      await start(s, 'sip:silent@contoso.com');
      const evs = await s.events.until((e) => e.some((x) => x.rel === 'messagingInvitation' && x.type === 'completed'));
      const done = evs.find((e: Ev) => e.type === 'completed')!;
      assert.equal(done.status, 'Failure');
      assert.deepEqual([done.reason!.code, done.reason!.subcode], ['RemoteFailure', 'Timeout']);
      // cancel
      await start(s, 'sip:silent@contoso.com');
      const st = await s.events.untilEvent('messagingInvitation', 'started');
      const cancel = st.find((e) => e.type === 'started')!.embedded._links.cancel.href;
      assert.equal((await s.post(cancel)).status, 204);
      const c = await s.events.until((e) => e.some((x) => x.rel === 'messagingInvitation' && x.type === 'completed'));
      const cd = c.find((e) => e.type === 'completed')!;
      assert.equal(cd.status, 'Failure');
      assert.equal(cd.reason!.subcode, 'Canceled');
    } finally {
      await quick.stop();
    }
  });

  it('unknown callee → Failure DestinationNotFound', async () => {
    const s = await ready(sim);
    await start(s, 'sip:ghost@contoso.com');
    const evs = await s.events.until((e) => e.some((x) => x.rel === 'messagingInvitation' && x.type === 'completed'));
    assert.equal(evs.find((e) => e.type === 'completed')!.reason!.subcode, 'DestinationNotFound');
  });

  it('message timestamps are /Date(ms)/ and increase', async () => {
    const s = await ready(sim);
    const { messaging } = await connect(s, 'sip:echo@contoso.com');
    await s.post(messaging._links.sendMessage.href, 'one', { 'Content-Type': 'text/plain' });
    const evs = await s.events.until((e) => e.filter((x) => x.rel === 'message').length >= 2);
    const ts = evs.filter((x) => x.rel === 'message').map((x) => dateMs(x.embedded.timeStamp));
    assert.ok(ts[1]! >= ts[0]!);
  });
});

describe('people', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim();
  });
  after(() => sim.stop());

  it('search matches name, sip and email case-insensitively and honours limit 1..100', async () => {
    const s = await Session.open(sim);
    const search = s.app._embedded.people._links.search.href;
    const r = await s.get(`${search}?query=ECHO&limit=10`);
    assert.equal(r.status, 200);
    assert.equal(r.json.rel, 'search');
    assert.ok(r.json._links.self);
    const c = r.json._embedded.contact;
    assert.equal(c.length, 1);
    assert.equal(c[0].rel, 'contact');
    assert.equal(c[0].uri, 'sip:echo@contoso.com');
    assert.equal(c[0].name, 'Echo Person');
    assert.ok(Array.isArray(c[0].emailAddresses));
    for (const rel of ['self', 'contactPresence', 'contactPhoto']) assert.ok(c[0]._links[rel], rel);
    assert.equal((await s.get(`${search}?query=alice@contoso`)).json._embedded.contact[0].uri, ALICE);
    assert.equal((await s.get(`${search}?query=contoso&limit=2`)).json._embedded.contact.length, 2);
    for (const limit of ['0', '101', 'x']) assert.equal((await s.get(`${search}?query=a&limit=${limit}`)).status, 400);
  });

  it('myContacts lists contacts; contact presence has availability', async () => {
    const s = await Session.open(sim);
    const r = await s.get(s.app._embedded.people._links.myContacts.href);
    assert.equal(r.status, 200);
    const contacts = r.json._embedded.contact;
    assert.ok(contacts.length >= 5);
    const p = await s.get(contacts[0]._links.contactPresence.href);
    assert.equal(p.json.rel, 'contactPresence');
    assert.equal(typeof p.json.availability, 'string');
    const c = await s.get(contacts[0]._links.self.href);
    assert.equal(c.json.uri, contacts[0].uri);
  });
});
