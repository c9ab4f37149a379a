import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../simulator/index.ts';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, Session, req, sleep, startTestSim } from './http.ts';

const DAY = 86_400_000;

describe('continueMessaging errors of the seed table via faults', () => {
  let sim: Simulator;
  let s: Session;
  let href: string;
  before(async () => {
    sim = await startTestSim();
    s = await Session.open(sim);
    const id = sim.control.addLog(ALICE, { with: ['sip:silent@contoso.com'], messages: [{ from: ALICE, text: 'x', at: Date.now() - DAY }] });
    href = `${s.comm.conversationLogs!.href}/${id}/continueMessaging`;
  });
  after(() => sim.stop());

  for (const [status, code, subcode] of [
    [500, 'ServiceFailure', 'CallbackChannelError'],
    [409, 'Conflict', 'AlreadyExists'],
    [409, 'Conflict', 'TooManyGroups'],
    [409, 'Conflict', 'None'],
    [410, 'Gone', 'CannotRedirect'],
  ] as const) {
    it(`${status} ${subcode}`, async () => {
      sim.control.addFault({ route: 'continueMessaging', status, subcode, times: 1 });
      const r = await s.post(href, { operationId: 'f' });
      assert.equal(r.status, status);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(r.json.code, code);
      assert.equal(r.json.subcode, subcode);
      assert.equal(typeof r.json.message, 'string');
    });
  }
});

describe('fault kinds', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim();
  });
  after(() => sim.stop());

  it('status fault honours method and times, and the remover', async () => {
    const s = await Session.open(sim);
    const remove = sim.control.addFault({ route: '/communication/missedItems', method: 'GET', status: 503, times: 2 });
    assert.equal((await s.get(s.comm.missedItems!.href)).status, 503);
    const r = await s.get(s.comm.missedItems!.href);
    assert.equal(r.json.code, 'ServiceUnavailable');
    assert.equal((await s.get(s.comm.missedItems!.href)).status, 200, 'times exhausted');
    remove();
    const rm = sim.control.addFault({ route: 'missedItems', status: 500 });
    rm();
    assert.equal((await s.get(s.comm.missedItems!.href)).status, 200);
  });

  it('latency delays the answer', async () => {
    const s = await Session.open(sim);
    sim.control.addFault({ route: 'missedItems', latencyMs: 120, times: 1 });
    const t0 = Date.now();
    const r = await s.get(s.comm.missedItems!.href);
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 100);
  });

  it('drop destroys the connection without an answer', async () => {
    const s = await Session.open(sim);
    sim.control.addFault({ route: 'missedItems', drop: true, times: 1 });
    await assert.rejects(s.get(s.comm.missedItems!.href));
    assert.equal((await s.get(s.comm.missedItems!.href)).status, 200);
  });

  it('stall holds the P-GET (no timeout release) until the connection is dropped', async () => {
    const s = await Session.open(sim);
    sim.control.addFault({ route: '/events', stall: true, times: 1 });
    const ac = new AbortController();
    const p = fetch(s.url(`${s.app._links.events.href}&timeout=10`), { headers: { Authorization: `Bearer ${s.token}` }, signal: ac.signal });
    const winner = await Promise.race([p.then(() => 'answered', () => 'failed'), sleep(100).then(() => 'stalled')]);
    assert.equal(winner, 'stalled');
    sim.control.dropConnections();
    await assert.rejects(p);
  });

  it('dropConnections cuts parked P-GETs; the same ack is re-delivered afterwards', async () => {
    const s = await Session.open(sim);
    const parked = s.get(`${s.app._links.events.href}&timeout=5000`);
    await sleep(20);
    sim.control.dropConnections();
    await assert.rejects(parked);
    const again = await s.get(`${s.app._links.events.href}&timeout=10`);
    assert.equal(again.status, 200);
    assert.match(again.json._links.self.href, /ack=1$/);
  });

  it('restart keeps users and logs, loses applications and tokens, same port', async () => {
    const s = await Session.open(sim);
    const origin = sim.origin;
    const ids = sim.control.logIds(ALICE);
    await sim.restart();
    assert.equal(sim.origin, origin);
    // The client's pooled keep-alive socket was cut by the restart: a client retries once.
    const first = await s.get(s.app._links.self.href).catch(() => s.get(s.app._links.self.href));
    assert.equal(first.status, 401, 'old token refused');
    const s2 = await Session.open(sim);
    assert.equal((await s2.get(s.app._links.self.href)).json.subcode, 'ApplicationNotFound');
    assert.deepEqual(sim.control.logIds(ALICE), ids);
  });
});

describe('control endpoint', () => {
  it('is off by default (404)', async () => {
    const sim = await startTestSim();
    try {
      const r = await req(`${sim.origin}/_control/clearFaults`, { method: 'POST' });
      assert.equal(r.status, 404);
    } finally {
      await sim.stop();
    }
  });

  it('when on: sendIm, fault, clearFaults, expireTokens, expireApplications over HTTP', async () => {
    const sim = await startTestSim({ controlEndpoint: true });
    try {
      const s = await Session.open(sim);
      const first = s.events.batch();
      await s.makeMeAvailable();
      await first;
      const call = (name: string, body: unknown = {}) => req(`${sim.origin}/_control/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const sent = await call('sendIm', { from: 'sip:echo@contoso.com', to: ALICE, text: 'over http' });
      assert.equal(sent.status, 200);
      assert.equal(typeof sent.json.result, 'string');
      const evs = await s.events.untilEvent('messagingInvitation', 'started');
      assert.ok(evs.some((e) => e.embedded?.direction === 'Incoming'));
      assert.equal((await call('fault', { route: 'missedItems', status: 409, subcode: 'TooManyGroups' })).status, 200);
      assert.equal((await s.get(s.comm.missedItems!.href)).json.subcode, 'TooManyGroups');
      await call('clearFaults');
      assert.equal((await s.get(s.comm.missedItems!.href)).status, 200);
      await call('expireApplications', { sip: ALICE });
      assert.equal((await s.get(s.app._links.self.href)).status, 410);
      await call('expireTokens', {});
      assert.equal((await s.get(s.app._links.self.href)).status, 401);
      assert.equal((await call('nope')).status, 404);
    } finally {
      await sim.stop();
    }
  });

  it('refuses non-loopback callers with 403', async (t) => {
    const { networkInterfaces } = await import('node:os');
    const ext = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!ext) {
      t.skip('no non-loopback IPv4 interface on this machine');
      return;
    }
    const sim = await startTestSim({ controlEndpoint: true, host: '0.0.0.0' });
    try {
      const port = new URL(sim.origin).port;
      const r = await req(`http://${ext.address}:${port}/_control/clearFaults`, { method: 'POST' });
      assert.equal(r.status, 403);
    } finally {
      await sim.stop();
    }
  });
});

describe('batching', () => {
  it('executes parts in order, refuses events inside, >100 parts → 429', async () => {
    const sim = await startTestSim();
    try {
      const s = await Session.open(sim);
      const b = 'b-' + Math.random().toString(16).slice(2);
      const part = (method: string, path: string) => `--${b}\r\nContent-Type: application/http; msgtype=request\r\n\r\n${method} ${path} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n`;
      const body = part('GET', s.me.self!.href) + part('GET', s.comm.missedItems!.href) + part('GET', s.app._links.events.href) + `--${b}--\r\n`;
      const r = await s.post(s.app._links.batch.href, body, { 'Content-Type': `multipart/batching;boundary=${b}`, Accept: 'multipart/batching' });
      assert.equal(r.status, 200);
      const ct = r.headers.get('content-type') ?? '';
      assert.match(ct, /^multipart\/batching; boundary="/);
      const rb = /boundary="([^"]+)"/.exec(ct)![1]!;
      const parts = r.text.split(`--${rb}`).slice(1, -1);
      assert.equal(parts.length, 3);
      assert.match(parts[0]!, /application\/http; msgtype=response[\s\S]*HTTP\/1\.1 200[\s\S]*"rel":"me"/);
      assert.match(parts[1]!, /HTTP\/1\.1 200[\s\S]*"rel":"missedItems"/);
      assert.match(parts[2]!, /HTTP\/1\.1 400/);
      const big = Array.from({ length: 101 }, () => part('GET', s.me.self!.href)).join('') + `--${b}--\r\n`;
      const t = await s.post(s.app._links.batch.href, big, { 'Content-Type': `multipart/batching;boundary=${b}` });
      assert.equal(t.status, 429);
      assert.equal(t.json.code, 'TooManyRequests');
    } finally {
      await sim.stop();
    }
  });
});

describe('demo world', () => {
  it('is deterministic from the seed and starts fast', async () => {
    const t0 = Date.now();
    const opts = { timeScale: 0.001, applicationExpirySec: 1e6 };
    const a = await startSimulator({ seed: 42, ...opts });
    const b = await startSimulator({ seed: 42, ...opts });
    const c = await startSimulator({ seed: 43, ...opts });
    try {
      assert.deepEqual(a.accounts.map((x) => [x.sip, x.password, x.name]), [['sip:demo@contoso.com', 'demo', 'Dana Demo'], ['sip:demo2@contoso.com', 'demo', 'Devon Demo']]);
      assert.ok(a.people.length >= 12);
      assert.ok(a.people.some((p) => p.behaviour?.kind === 'echo'));
      assert.deepEqual(a.people.map((p) => p.behaviour), b.people.map((p) => p.behaviour));
      const idsA = a.control.logIds('sip:demo@contoso.com');
      assert.equal(idsA.length, 300);
      assert.ok(Date.now() - t0 < 1500, `started in ${Date.now() - t0} ms`);
      assert.deepEqual(idsA, b.control.logIds('sip:demo@contoso.com'));
      assert.notDeepEqual(idsA, c.control.logIds('sip:demo@contoso.com'));
      assert.notDeepEqual(idsA, a.control.logIds('sip:demo2@contoso.com'));
      const sa = await Session.open(a, 'sip:demo@contoso.com', 'demo');
      const sb = await Session.open(b, 'sip:demo@contoso.com', 'demo');
      const logs = (await sa.get(sa.comm.conversationLogs!.href)).json._links.conversationLog;
      let html = 0, missed = 0, unread = 0, multi = 0, nonAscii = 0, urls = 0;
      const oldest = Date.now() - 600 * DAY;
      for (const l of logs) {
        const log = (await sa.get(l.href)).json;
        const logB = (await sb.get(l.href.replace(sa.app._links.self.href, sb.app._links.self.href))).json;
        assert.equal(log.threadId, logB.threadId);
        assert.ok(Number(/\d+/.exec(log.creationTime)![0]) > oldest);
        if (log.status === 'Missed') missed++;
        if (log.totalRecipientsCount > 1) multi++;
        const tr = (await sa.get(log._links.conversationLogTranscripts.href)).json._embedded.conversationLogTranscript;
        for (const t of tr) {
          if (t._embedded.messageTranscript._links.htmlMessage) html++;
          const text = decodeURIComponent(t._embedded.messageTranscript._links.plainMessage.href.split(',')[1].replace(/\+/g, ' '));
          if ([...text].some((ch) => ch.charCodeAt(0) > 127)) nonAscii++;
          if (/https?:\/\//.test(text)) urls++;
        }
      }
      const mi = (await sa.get(sa.comm.missedItems!.href)).json;
      unread = mi.unreadConversationLogsCount;
      for (const [k, v] of Object.entries({ html, missed, unread, multi, nonAscii, urls })) assert.ok(v > 0, `${k} present`);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });
});

describe('stop()', () => {
  it('closes parked P-GETs and the listener', async () => {
    const sim = await startTestSim({ eventTimeoutSec: 1_000_000 });
    const s = await Session.open(sim);
    const parked = s.get(s.app._links.events.href);
    await sleep(20);
    await sim.stop();
    await assert.rejects(parked);
    await assert.rejects(fetch(sim.url));
  });
});

describe('fault options', () => {
  let sim: Simulator;
  let s: Session;
  before(async () => {
    sim = await startTestSim();
    s = await Session.open(sim);
  });
  after(() => sim.stop());

  it('retryAfter sends Retry-After with the status; label counts firings in faultsFired, kept after clearFaults', async () => {
    sim.control.addFault({ route: '/me', method: 'GET', status: 503, retryAfter: 7, label: 'me-503', times: 2 });
    const a = await s.get(s.app._embedded.me._links.self.href);
    assert.equal(a.status, 503);
    assert.equal(a.headers.get('retry-after'), '7');
    await s.get(s.app._embedded.me._links.self.href);
    const ok = await s.get(s.app._embedded.me._links.self.href);
    assert.equal(ok.status, 200, 'two firings only');
    sim.control.clearFaults();
    assert.equal(sim.control.faultsFired()['me-503'], 2);
  });
});
