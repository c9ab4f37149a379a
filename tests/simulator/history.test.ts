import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, Session, dateMs, decodeData, fmt, isDate, startTestSim } from './http.ts';

const DAY = 86_400_000;

function seedLogs(sim: Simulator): string[] {
  const now = Date.now();
  const ids: string[] = [];
  ids.push(sim.control.addLog(ALICE, {
    with: ['sip:echo@contoso.com'],
    subject: 'Old one',
    messages: Array.from({ length: 7 }, (_, i) => ({ from: i % 2 ? ALICE : 'sip:echo@contoso.com', text: `m${i}`, at: now - 3 * DAY + i * 1000 })),
  }));
  ids.push(sim.control.addLog(ALICE, {
    with: ['sip:typer@contoso.com', 'sip:replier@contoso.com'],
    status: 'Missed',
    unread: true,
    messages: [{ from: 'sip:typer@contoso.com', text: 'ping', html: '<i>ping</i>', at: now - DAY }],
  }));
  return ids;
}

describe('conversation history', () => {
  let sim: Simulator;
  let ids: string[];
  before(async () => {
    sim = await startTestSim({ transcriptPageSize: 3 });
    ids = seedLogs(sim);
  });
  after(() => sim.stop());

  it('conversationLogs: links only, an array, newest first, honours limit', async () => {
    const s = await Session.open(sim);
    const r = await s.get(s.comm.conversationLogs!.href);
    assert.equal(r.status, 200);
    assert.equal(r.json.rel, 'conversationLogs');
    assert.ok(r.json._links.self);
    assert.ok(Array.isArray(r.json._links.conversationLog));
    assert.equal(r.json._embedded, undefined);
    const hrefs = r.json._links.conversationLog.map((l: { href: string }) => l.href);
    assert.deepEqual(hrefs.map((h: string) => h.split('/').pop()), [ids[1], ids[0]]);
    const one = await s.get(`${s.comm.conversationLogs!.href}?limit=1`);
    assert.equal(one.json._links.conversationLog.length, 1);
    assert.ok(Array.isArray(one.json._links.conversationLog), 'still an array with one element');
    assert.equal((await s.get(`${s.comm.conversationLogs!.href}?limit=0`)).status, 400);
  });

  it('every log carries the §7.2 properties and links; ids are stable across applications', async () => {
    const s1 = await Session.open(sim);
    const s2 = await Session.open(sim);
    const l1 = (await s1.get(s1.comm.conversationLogs!.href)).json._links.conversationLog.map((l: { href: string }) => l.href.split('/').pop());
    const l2 = (await s2.get(s2.comm.conversationLogs!.href)).json._links.conversationLog.map((l: { href: string }) => l.href.split('/').pop());
    assert.deepEqual(l1, l2);
    assert.deepEqual(sim.control.logIds(ALICE), l1);
    const log = (await s1.get(`${s1.comm.conversationLogs!.href}/${ids[1]}`)).json;
    assert.equal(log.rel, 'conversationLog');
    assert.ok(isDate(log.creationTime));
    for (const k of ['direction', 'importance', 'onlineMeetingUri', 'previewMessage', 'status', 'subject', 'threadId', 'type']) assert.equal(typeof log[k], 'string', k);
    assert.ok(Array.isArray(log.modalities));
    assert.equal(typeof log.totalRecipientsCount, 'number');
    assert.equal(log.type, 'MessageLog');
    assert.equal(log.status, 'Missed');
    for (const rel of ['self', 'continueMessaging', 'conversationLogTranscripts', 'markAsRead']) assert.ok(log._links[rel], rel);
    const rec = log._embedded.conversationLogRecipient;
    assert.equal(rec.length, 2);
    assert.equal(rec[0].rel, 'conversationLogRecipient');
    assert.equal(typeof rec[0].displayName, 'string');
    assert.match(rec[0].sipUri, /^sip:/);
    for (const rel of ['self', 'contact', 'contactPhoto', 'contactPresence']) assert.ok(rec[0]._links[rel], rel);
    assert.equal((await s1.get(rec[0]._links.self.href)).status, 200);
  });

  it('transcripts page oldest → newest via nextConversationLogTranscripts', async () => {
    const s = await Session.open(sim);
    const log = (await s.get(`${s.comm.conversationLogs!.href}/${ids[0]}`)).json;
    let href: string | undefined = log._links.conversationLogTranscripts.href;
    const texts: string[] = [];
    let pages = 0;
    while (href) {
      const page = (await s.get(href)).json;
      pages++;
      assert.equal(page.rel, 'conversationLogTranscripts');
      for (const t of page._embedded.conversationLogTranscript) {
        assert.equal(t.rel, 'conversationLogTranscript');
        assert.ok(isDate(t.timeStamp));
        assert.ok(Boolean(t._links.me) !== Boolean(t._links.contact), 'exactly one author link');
        const mt = t._embedded.messageTranscript;
        assert.equal(mt.rel, 'messageTranscript');
        texts.push(decodeData(mt._links.plainMessage.href));
      }
      href = page._links.nextConversationLogTranscripts?.href;
    }
    assert.equal(pages, 3);
    assert.deepEqual(texts, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    const html = (await s.get(`${s.comm.conversationLogs!.href}/${ids[1]}/conversationLogTranscripts`)).json._embedded.conversationLogTranscript[0];
    assert.equal(decodeData(html._embedded.messageTranscript._links.htmlMessage.href), '<i>ping</i>');
  });

  it('markAsRead → 204, counters change, missedItems updated event', async () => {
    const s = await Session.open(sim);
    const mi1 = (await s.get(s.comm.missedItems!.href)).json;
    assert.equal(mi1.rel, 'missedItems');
    for (const k of ['conversationLogsCount', 'missedConversationsCount', 'unreadMissedConversationsCount']) assert.equal(typeof mi1[k], 'number', k);
    const pget = s.get(s.app._links.events.href);
    const log = (await s.get(`${s.comm.conversationLogs!.href}/${ids[1]}`)).json;
    assert.equal((await s.post(log._links.markAsRead.href)).status, 204);
    const ev = await pget;
    assert.deepEqual(ev.json.sender.flatMap((b: { rel: string; events: { link: { rel: string }; type: string }[] }) => b.events.map((e) => `${b.rel}/${e.link.rel}:${e.type}`)), ['communication/missedItems:updated']);
    const mi2 = (await s.get(s.comm.missedItems!.href)).json;
    assert.equal(mi2.unreadMissedConversationsCount, mi1.unreadMissedConversationsCount - 1);
  });

  it('DELETE log → 204 and it is gone', async () => {
    const s = await Session.open(sim);
    const id = sim.control.addLog(ALICE, { with: ['sip:echo@contoso.com'], messages: [{ from: ALICE, text: 'bye', at: Date.now() - 5 * DAY }] });
    const href = `${s.comm.conversationLogs!.href}/${id}`;
    assert.equal((await s.del(href)).status, 204);
    assert.equal((await s.get(href)).status, 404);
  });
});

describe('live conversation → log', () => {
  it('after logDelaySec, with the same threadId and message timestamps, then missedItems updated', async () => {
    const sim = await startTestSim({ logDelaySec: 20 });
    try {
      const s = await Session.open(sim);
      await s.makeMeAvailable();
      await s.post(s.comm.startMessaging!.href, { to: 'sip:echo@contoso.com', _links: { message: { href: 'data:text/plain,hello+log' } } });
      const evs = await s.events.until((e) => e.filter((x) => x.rel === 'message').length >= 1);
      const threadId = evs.find((e) => e.rel === 'messagingInvitation')!.embedded.threadId;
      const messaging = [...evs].reverse().find((e) => e.rel === 'messaging')!.embedded;
      await s.post(messaging._links.sendMessage.href, 'second', { 'Content-Type': 'text/plain' });
      const all = await s.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded.direction === 'Incoming') && e.some((x) => x.rel === 'message' && x.embedded.direction === 'Outgoing'));
      await s.post(messaging._links.stopMessaging.href);
      const tail = await s.events.untilEvent('missedItems', 'updated');
      assert.ok(tail.map(fmt).indexOf('communication/conversation:deleted') < tail.map(fmt).indexOf('communication/missedItems:updated'));
      const liveStamps = [...evs, ...all, ...tail].filter((e) => e.rel === 'message').map((e) => dateMs(e.embedded.timeStamp));
      const logs = (await s.get(s.comm.conversationLogs!.href)).json._links.conversationLog;
      const log = (await s.get(logs[0].href)).json;
      assert.equal(log.threadId, threadId);
      assert.equal(log.status, 'Archived');
      assert.equal(log.direction, 'Outgoing');
      const tr = (await s.get(log._links.conversationLogTranscripts.href)).json._embedded.conversationLogTranscript;
      const logStamps = tr.map((t: { timeStamp: string }) => dateMs(t.timeStamp));
      for (const ts of liveStamps) assert.ok(logStamps.includes(ts), `live timestamp ${ts} in the log`);
      assert.equal(decodeData(tr[0]._embedded.messageTranscript._links.plainMessage.href), 'hello log');
    } finally {
      await sim.stop();
    }
  });
});

describe('continueMessaging', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim();
  });
  after(() => sim.stop());

  it('201 + Location of a messagingInvitation, then the outgoing sequence with the log threadId', async () => {
    const s = await Session.open(sim);
    const id = sim.control.addLog(ALICE, { with: ['sip:echo@contoso.com'], messages: [{ from: 'sip:echo@contoso.com', text: 'earlier', at: Date.now() - DAY }] });
    const log = (await s.get(`${s.comm.conversationLogs!.href}/${id}`)).json;
    const text = 'Following up ☕';
    const r = await s.post(log._links.continueMessaging.href, {
      operationId: 'c0ffee00c0ffee00c0ffee00c0ffee00',
      _links: { message: { href: `data:text/plain;base64,${Buffer.from(text).toString('base64')}` } },
    });
    assert.equal(r.status, 201);
    assert.match(r.headers.get('location') ?? '', /\/communication\/messagingInvitations\/[^/]+$/);
    const evs = await s.events.until((e) => e.some((x) => x.rel === 'messagingInvitation' && x.type === 'completed'));
    assert.deepEqual(evs.map(fmt).slice(0, 4), ['communication/messagingInvitation:started', 'communication/conversation:added', 'conversation/localParticipant:added', 'conversation/messaging:updated']);
    const started = evs[0]!.embedded;
    assert.equal(evs[0]!.href, r.headers.get('location'));
    assert.equal(started.direction, 'Outgoing');
    assert.equal(started.operationId, 'c0ffee00c0ffee00c0ffee00c0ffee00');
    assert.equal(started.threadId, log.threadId);
    assert.ok(started._links.cancel);
    const done = evs.find((e) => e.rel === 'messagingInvitation' && e.type === 'completed')!;
    assert.equal(done.status, 'Success');
    assert.equal(done.embedded._embedded.acceptedByParticipant[0].uri, 'sip:echo@contoso.com');
    assert.equal(sim.control.receivedMessages(ALICE).at(-1)!.text, text);
    // echo behaviour applies
    await s.events.until(() => s.events.seen.some((e) => e.rel === 'message'));
    assert.equal(decodeData(s.events.seen.find((e) => e.rel === 'message')!.embedded._links.plainMessage.href), `Echo: ${text}`);
    // a second continue while the conversation is live → 409 AlreadyExists (natural)
    const again = await s.post(log._links.continueMessaging.href, {});
    assert.equal(again.status, 409);
    assert.equal(again.json.code, 'Conflict');
    assert.equal(again.json.subcode, 'AlreadyExists');
  });

  it('accepts the message as a query parameter and no body at all', async () => {
    const s = await Session.open(sim);
    const id = sim.control.addLog(ALICE, { with: ['sip:silent@contoso.com'], messages: [{ from: ALICE, text: 'x', at: Date.now() - DAY }] });
    const href = `${s.comm.conversationLogs!.href}/${id}/continueMessaging`;
    const r = await s.post(`${href}?operationId=q1&message=${encodeURIComponent('data:text/plain,via+query')}`);
    assert.equal(r.status, 201);
    assert.equal(sim.control.receivedMessages(ALICE).at(-1)!.text, 'via query');
    const id2 = sim.control.addLog(ALICE, { with: ['sip:silent@contoso.com'], messages: [{ from: ALICE, text: 'y', at: Date.now() - DAY }] });
    assert.equal((await s.post(`${s.comm.conversationLogs!.href}/${id2}/continueMessaging`)).status, 201);
  });

  it('operationId longer than 50 → 400 ParameterValidationFailure', async () => {
    const s = await Session.open(sim);
    const id = sim.control.addLog(ALICE, { with: ['sip:echo@contoso.com'], messages: [{ from: ALICE, text: 'x', at: Date.now() - DAY }] });
    const r = await s.post(`${s.comm.conversationLogs!.href}/${id}/continueMessaging`, { OperationId: 'o'.repeat(51) });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'BadRequest');
    assert.equal(r.json.subcode, 'ParameterValidationFailure');
  });

  it('dead event channel → 500 CallbackChannelError; a POST between two P-GETs does not fail', async () => {
    const quick = await startTestSim({ callbackChannelDeadSec: 30 }); // 30 ms
    try {
      const s = await Session.open(quick);
      const id = quick.control.addLog(ALICE, { with: ['sip:silent@contoso.com'], messages: [{ from: ALICE, text: 'x', at: Date.now() - DAY }] });
      const href = `${s.comm.conversationLogs!.href}/${id}/continueMessaging`;
      await new Promise((r) => setTimeout(r, 60));
      const dead = await s.post(href, { operationId: 'a' });
      assert.equal(dead.status, 500);
      assert.equal(dead.json.code, 'ServiceFailure');
      assert.equal(dead.json.subcode, 'CallbackChannelError');
      // P-GET released just now (timeout) → channel alive for a POST before the next P-GET
      await s.get(`${s.app._links.events.href}&timeout=1`);
      const ok = await s.post(href, { operationId: 'b' });
      assert.equal(ok.status, 201);
    } finally {
      await quick.stop();
    }
  });
});
