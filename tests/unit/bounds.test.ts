// The bounds of main/core/limits.ts, each where it acts (issue 11): visible truncation of message
// text and HTML, events per batch, the event backlog's backpressure on the P-GET, the nesting depth
// of a JSON body, timestamps Date cannot hold. Each of these failed before the bound existed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIMITS, MAX_DATE_MS, truncateVisibly } from '../../main/core/limits.ts';
import { messageBody, parseMessage, parseTranscriptPage } from '../../main/core/ucwa/resources.ts';
import { parseBatch, type EventBatch } from '../../main/core/ucwa/events.ts';
import { EventChannel } from '../../main/core/ucwa/eventChannel.ts';
import type { UcwaClient } from '../../main/core/ucwa/client.ts';
import { createTransport } from '../../main/core/ucwa/transport.ts';
import { BadResponseError } from '../../main/core/ucwa/errors.ts';
import { parseUcwaDate } from '../../main/core/ucwa/dates.ts';
import { encodeDataUrl } from '../../main/core/ucwa/dataUrl.ts';

test('message text beyond LIMITS.messageTextChars is cut with a note saying so; HTML beyond its bound is not kept', () => {
  const long = 'x'.repeat(LIMITS.messageTextChars + 10);
  const body = messageBody(long, null)!;
  assert.equal(body.truncated, true);
  assert.ok(body.text.startsWith('x'.repeat(LIMITS.messageTextChars)));
  assert.match(body.text, /\[… message truncated: 64 K characters long, the first 64 K characters are shown\]$/);
  assert.ok(body.text.length < LIMITS.messageTextChars + 100);

  const html = `<p>${'y'.repeat(LIMITS.messageHtmlChars)}</p>`;
  const fromHtml = messageBody(null, html)!;
  assert.equal(fromHtml.html, null, 'an HTML part over its bound is not kept (cut HTML would render what nobody wrote)');
  assert.equal(fromHtml.truncated, true);
  assert.match(fromHtml.text, /message truncated/);

  const small = messageBody('hi', '<b>hi</b>')!;
  assert.deepEqual(small, { text: 'hi', html: '<b>hi</b>', truncated: false });
  // A cut never splits a surrogate pair.
  const emoji = '😀'.repeat(LIMITS.messageTextChars);
  assert.ok(!/[\ud800-\udbff]\n/.test(truncateVisibly(emoji, LIMITS.messageTextChars + 1).text));
});

test('a message event and a transcript carry the bounded text', () => {
  const m = parseMessage('/m/1', { _links: { plainMessage: { href: encodeDataUrl('z'.repeat(LIMITS.messageTextChars * 2)) } } });
  assert.ok(m.text!.length < LIMITS.messageTextChars + 100);
  assert.match(m.text!, /message truncated/);
});

test('a batch of more than LIMITS.eventsPerBatch events: the first are read, the rest counted', () => {
  const events = Array.from({ length: 30 }, (_, i) => ({ link: { rel: 'message', href: `/m/${i}` }, type: 'added' }));
  const b = parseBatch({ _links: { next: { href: '/e?ack=2' } }, sender: [{ rel: 'conversation', href: '/c', events }] }, 10);
  assert.equal(b.events.length, 10);
  assert.equal(b.skipped, 20);
  assert.equal(b.events[9]!.href, '/m/9', 'the first ones, in order');
  assert.equal(parseBatch({ _links: { next: { href: '/e' } }, sender: [{ rel: 'c', href: '/c', events }] }).skipped, 0);
});

test('event backlog over its bound: the next P-GET waits until processing catches up (backpressure, nothing dropped)', async () => {
  const perBatch = 100;
  let gets = 0;
  let ack = 0;
  const client = {
    getJson: async (url: string) => {
      gets++;
      await new Promise((r) => setImmediate(r)); // a server that answers at once, every time
      ack = Number(new URL(url, 'http://x/').searchParams.get('ack') ?? 0);
      const events = Array.from({ length: perBatch }, (_, i) => ({ link: { rel: 'message', href: `/m/${ack}-${i}` }, type: 'added' }));
      return { _links: { next: { href: `/events?ack=${ack + 1}` } }, sender: [{ rel: 'conversation', href: '/c', events }] };
    },
  } as unknown as UcwaClient;
  const release: (() => void)[] = [];
  const processed: EventBatch[] = [];
  const ch = new EventChannel({
    client, startHref: '/events?ack=0', timeoutSec: 180, clientTimeoutMs: 1000, maxBacklog: 250,
    onBatch: (b) => new Promise<void>((r) => release.push(() => { processed.push(b); r(); })),
    onReset: () => undefined, onFailure: () => undefined,
  });
  ch.start();
  const settle = () => new Promise((r) => setTimeout(r, 30));
  await settle();
  // 100 events a batch, bound 250: three batches are taken (backlog 300 > 250), then the channel waits.
  assert.equal(gets, 3, 'no P-GET while more than maxBacklog events wait');
  assert.equal(ch.backlog, 300);
  await settle();
  assert.equal(gets, 3, 'still waiting: the server keeps what it was not asked for');
  release.shift()!(); // one batch processed: backlog 200, under the bound
  await settle();
  assert.equal(gets, 4, 'the next P-GET goes once the backlog is under the bound');
  for (let i = 0; i < 10 && release.length; i++) {
    release.shift()!();
    await settle();
  }
  ch.stop();
  while (release.length) release.shift()!();
  assert.ok(processed.length >= 4);
  assert.deepEqual(processed.map((b) => b.events[0]!.href), processed.map((_, i) => `/m/${i}-0`), 'every batch processed, in order');
});

test('a JSON body nested deeper than LIMITS.jsonDepth is refused before it is parsed', async () => {
  const server = createServer((req, res) => {
    const depth = req.url === '/deep' ? LIMITS.jsonDepth + 1 : LIMITS.jsonDepth - 1;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(`${'['.repeat(depth)}"]]]"${']'.repeat(depth)}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const t = createTransport({ fetch });
    await assert.rejects(t.request({ method: 'GET', url: `${base}/deep` }), (e: unknown) => e instanceof BadResponseError && /nests deeper than 64 levels/.test(e.message));
    const ok = await t.request({ method: 'GET', url: `${base}/shallow` });
    assert.ok(Array.isArray(ok.json), 'brackets inside strings do not count');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('timestamps outside what Date can represent are rejected when parsed', () => {
  assert.equal(parseUcwaDate('/Date(99999999999999999)/'), null);
  assert.equal(parseUcwaDate('/Date(-99999999999999999)/'), null);
  assert.equal(parseUcwaDate(1e300), null);
  assert.equal(parseUcwaDate(Number.NaN), null);
  assert.equal(parseUcwaDate(`/Date(${MAX_DATE_MS})/`), MAX_DATE_MS, 'the last representable instant is a date');
  assert.equal(parseUcwaDate('275760-09-13T00:00:00.001Z'), null);
  assert.equal(parseUcwaDate('/Date(1700000000000+0100)/'), 1700000000000);
});

test('a message with such a timestamp keeps its text and the time it arrived, marked; a transcript entry keeps the log time', () => {
  const m = parseMessage('/m/1', { timeStamp: '/Date(99999999999999999)/', _links: { plainMessage: { href: encodeDataUrl('hello') } } });
  assert.equal(m.at, null);
  assert.equal(m.atRejected, true);
  assert.equal(m.text, 'hello');
  assert.equal(parseMessage('/m/2', { _links: { plainMessage: { href: encodeDataUrl('hi') } } }).atRejected, false, 'no timestamp at all is not a bad one');

  const me = { sip: 'sip:me@contoso.com', name: 'Me' };
  const entry = (timeStamp: unknown, text: string) => ({
    timeStamp, _links: { contact: { href: '/people/bob@contoso.com' } },
    _embedded: { messageTranscript: { _links: { plainMessage: { href: encodeDataUrl(text) } } } },
  });
  const page = parseTranscriptPage({ _embedded: { conversationLogTranscript: [entry('/Date(99999999999999999)/', 'bad time'), entry('/Date(1700000000000)/', 'good time')] } }, me, new Map(), 1_600_000_000_000);
  assert.deepEqual(page.messages.map((x) => [x.text, x.at, x.atEstimated ?? false]), [['bad time', 1_600_000_000_000, true], ['good time', 1_700_000_000_000, false]]);
});

test('a restart() or resume() while the backlog is over its bound waits for room too', async () => {
  let gets = 0;
  const client = {
    getJson: async (url: string) => {
      gets++;
      await new Promise((r) => setImmediate(r));
      const ack = Number(new URL(url, 'http://x/').searchParams.get('ack') ?? 0);
      const events = Array.from({ length: 300 }, (_, i) => ({ link: { rel: 'message', href: `/m/${ack}-${i}` }, type: 'added' }));
      return { _links: { next: { href: `/events?ack=${ack + 1}` } }, sender: [{ rel: 'conversation', href: '/c', events }] };
    },
  } as unknown as UcwaClient;
  const release: (() => void)[] = [];
  const ch = new EventChannel({
    client, startHref: '/events?ack=0', timeoutSec: 180, clientTimeoutMs: 1000, maxBacklog: 400,
    onBatch: () => new Promise<void>((r) => release.push(r)), onReset: () => undefined, onFailure: () => undefined,
  });
  const settle = () => new Promise((r) => setTimeout(r, 30));
  ch.start();
  await settle();
  assert.equal(gets, 2, 'two batches taken (600 > 400), then it waits');
  ch.restart(); // what the session does after a CallbackChannelError
  await settle();
  assert.equal(gets, 2, 'the restarted channel waits for room as well');
  ch.resume();
  await settle();
  assert.equal(gets, 2, 'and so does a resumed one');
  release.shift()!();
  await settle();
  assert.equal(gets, 3, 'room again: one P-GET, not one per loop that was waiting');
  ch.stop();
  while (release.length) release.shift()!();
});
