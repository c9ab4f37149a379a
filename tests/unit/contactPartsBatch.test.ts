// The GET batcher (main/core/app/batchGets.ts) and ContactParts over it, against a fake pool that
// implements multipart/batching from PROTOCOL.md §8.4 on its own (it parses the request lines, it
// does not use the client's codec): GETs due together become one POST, a lone one stays a GET, one
// batch in flight, 429 split in halves after a wait, a server without batching answered by single
// GETs, per-part errors failing only their part — and ContactParts' order per contact and
// coalescing unchanged by all of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UcwaClient } from '../../main/core/ucwa/client.ts';
import { UcwaError } from '../../main/core/ucwa/errors.ts';
import type { HttpRequest, HttpResponse, Transport } from '../../main/core/ucwa/transport.ts';
import { BatchGets, type BatchGetsOptions } from '../../main/core/app/batchGets.ts';
import { ContactParts } from '../../main/core/app/contactParts.ts';
import type { PersonPatch, Store } from '../../main/core/store/types.ts';

const ORIGIN = 'https://pool.example';
const APP = '/ucwa/oauth/v1/applications/1';
const BATCH = `${APP}/batch`;
const presenceOf = (who: string) => `${APP}/people/${who}@contoso.com/presence`;
const noteOf = (who: string) => `${APP}/people/${who}@contoso.com/note`;

interface Seen { method: string; origin: string; path: string; accept: string | undefined; contentType: string | undefined; parts: string[]; at: number }

/** A pool that answers GETs with a versioned resource and batches part by part, in request order. */
class FakePool implements Transport {
  readonly seen: Seen[] = [];
  readonly versions = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  /** The status (and body) of the nth batch POST (0-based) instead of a multipart answer. */
  batchAnswer: (n: number) => { status: number; contentType?: string; text?: string; retryAfter?: string } | undefined = () => undefined;
  /** The status of one GET, alone or as a part (default 200 with its resource). */
  status: (path: string) => number = () => 200;
  #batches = 0;

  async request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    const h = req.headers ?? {};
    const parts = [...(req.body ?? '').matchAll(/^GET (\S+) HTTP\/1\.1\r$/gm)].map((m) => m[1]!);
    this.seen.push({ method: req.method, origin: url.origin, path: url.pathname, accept: h.Accept, contentType: h['Content-Type'], parts, at: Date.now() });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 5));
      if (req.method === 'POST' && url.pathname === BATCH) return this.#batch(req, parts);
      return this.#one(url.pathname, req.url);
    } finally {
      this.inFlight--;
    }
  }

  #json(path: string): { status: number; body: unknown } {
    const status = this.status(path);
    if (status >= 400) return { status, body: { code: status === 404 ? 'NotFound' : status === 403 ? 'Forbidden' : 'TooManyRequests' } };
    const v = (this.versions.get(path) ?? 0) + 1;
    this.versions.set(path, v);
    return { status, body: path.endsWith('/note') ? { message: `note ${v}`, type: 'personal' } : { availability: `v${v}` } };
  }

  #one(path: string, url: string): HttpResponse {
    const { status, body } = this.#json(path);
    return { status, headers: new Headers({ 'content-type': 'application/json' }), url, text: JSON.stringify(body), json: body };
  }

  #batch(req: HttpRequest, parts: string[]): HttpResponse {
    const n = this.#batches++;
    const forced = this.batchAnswer(n);
    if (forced) {
      const headers = new Headers({ 'content-type': forced.contentType ?? 'application/json' });
      if (forced.retryAfter) headers.set('retry-after', forced.retryAfter);
      const text = forced.text ?? JSON.stringify({ code: 'X' });
      return { status: forced.status, headers, url: req.url, text, json: forced.contentType ? undefined : JSON.parse(text) };
    }
    assert.match(req.headers?.['Content-Type'] ?? '', /^multipart\/batching;\s*boundary=/);
    let text = '';
    for (const p of parts) {
      const { status, body } = this.#json(new URL(p, ORIGIN).pathname);
      text += `--srv\r\nContent-Type: application/http; msgtype=response\r\n\r\nHTTP/1.1 ${status} S\r\nContent-Type: application/json; charset=utf-8\r\n\r\n${JSON.stringify(body)}\r\n`;
    }
    text += '--srv--\r\n';
    return { status: 200, headers: new Headers({ 'content-type': 'multipart/batching; boundary="srv"' }), url: req.url, text, json: undefined };
  }

  batches(): Seen[] { return this.seen.filter((s) => s.method === 'POST'); }
  gets(): Seen[] { return this.seen.filter((s) => s.method === 'GET'); }
}

function clientOf(pool: FakePool): UcwaClient {
  return new UcwaClient({
    transport: pool,
    token: { accessToken: 'AAEB', tokenType: 'Bearer', expiresAt: Number.MAX_SAFE_INTEGER, renewAt: Number.MAX_SAFE_INTEGER, origin: ORIGIN, tokenUrl: `${ORIGIN}/token` },
    credentials: { username: 'u', password: 'p' },
    poolBase: `${ORIGIN}${APP}`,
    now: () => Date.now(),
  });
}

function batcher(pool: FakePool, o: Partial<BatchGetsOptions> = {}): { b: BatchGets; logs: string[] } {
  const client = clientOf(pool);
  const logs: string[] = [];
  const b = new BatchGets({ client: () => client, batchHref: () => BATCH, log: (l) => logs.push(l), maxParts: 50, windowMs: 5, retryMs: 30, concurrency: 4, ...o });
  return { b, logs };
}

const settle = <T>(ps: Promise<T>[]) => Promise.allSettled(ps);

test('GETs due together go as one batch POST (Accept and Content-Type as documented), each caller gets its own part; a lone GET is a plain GET', async () => {
  const pool = new FakePool();
  const { b } = batcher(pool);
  const who = ['ann', 'ben', 'cat', 'dan', 'eve'];
  const got = await Promise.all(who.map((w) => b.get(presenceOf(w))));
  assert.equal(pool.seen.length, 1, 'one request');
  const [post] = pool.batches();
  assert.equal(post!.path, BATCH);
  assert.equal(post!.accept, 'multipart/batching');
  assert.deepEqual(post!.parts, who.map(presenceOf), 'the parts in call order');
  assert.deepEqual(got.map((r) => r.availability), who.map(() => 'v1'));
  assert.deepEqual(b.stats, { batches: 1, batchedParts: 5, singles: 0, tooMany: 0 });

  const lone = await b.get(noteOf('ann'));
  assert.equal(lone.message, 'note 1');
  assert.equal(pool.gets().length, 1, 'one part: a plain GET');
  assert.equal(pool.gets()[0]!.accept, 'application/json');
});

test('at most maxParts per batch, one batch in flight: 7 GETs at maxParts 3 are batches of 3 and 3, one after the other, then a GET', async () => {
  const pool = new FakePool();
  const { b } = batcher(pool, { maxParts: 3 });
  const who = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const got = await Promise.all(who.map((w) => b.get(presenceOf(w))));
  assert.deepEqual(pool.seen.map((s) => `${s.method} ${s.parts.length}`), ['POST 3', 'POST 3', 'GET 0']);
  assert.equal(pool.maxInFlight, 1, 'never two batches at once');
  assert.deepEqual(got.map((r) => r.availability), who.map(() => 'v1'));
});

test('429 on a batch: nothing was executed; its halves are tried after the wait, one after the other, and later batches stay halved', async () => {
  const pool = new FakePool();
  pool.batchAnswer = (n) => (n === 0 ? { status: 429 } : undefined);
  const { b, logs } = batcher(pool, { maxParts: 4, retryMs: 40 });
  const got = await Promise.all(['a', 'b', 'c', 'd'].map((w) => b.get(presenceOf(w))));
  assert.deepEqual(got.map((r) => r.availability), ['v1', 'v1', 'v1', 'v1'], 'each read once: the refused batch executed nothing');
  const posts = pool.batches();
  assert.deepEqual(posts.map((p) => p.parts.length), [4, 2, 2]);
  assert.deepEqual([...posts[1]!.parts, ...posts[2]!.parts], ['a', 'b', 'c', 'd'].map(presenceOf), 'in order');
  assert.ok(posts[1]!.at - posts[0]!.at >= 35, `waited ${posts[1]!.at - posts[0]!.at} ms`);
  assert.equal(b.stats.tooMany, 1);
  assert.equal(logs.filter((l) => /429/.test(l)).length, 1);
  // A Retry-After longer than the local wait wins.
  const slow = new FakePool();
  slow.batchAnswer = (n) => (n === 0 ? { status: 429, retryAfter: '1' } : undefined);
  const s = batcher(slow, { maxParts: 2, retryMs: 10 }).b;
  await Promise.all(['a', 'b'].map((w) => s.get(presenceOf(w))));
  assert.ok(slow.seen[1]!.at - slow.seen[0]!.at >= 900, 'Retry-After: 1 s');
});

test('429 every time: each part fails with the 429 after its bounded tries; the requests are bounded', async () => {
  const pool = new FakePool();
  pool.batchAnswer = () => ({ status: 429 });
  pool.status = () => 429;
  const { b } = batcher(pool, { maxParts: 8, retryMs: 5, maxAttempts: 3 });
  const results = await settle(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((w) => b.get(presenceOf(w))));
  assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof UcwaError && r.reason.status === 429));
  // 8 refused (first try of all), a–d refused (second), a–b refused a third time: they fail; the
  // size is down to 1, so c–h go as single GETs, which are refused too and fail at once.
  assert.deepEqual(pool.batches().map((p) => p.parts.length), [8, 4, 2]);
  assert.equal(pool.gets().length, 6);
});

for (const status of [404, 405, 415, 501]) {
  test(`${status} to the batch: those parts and every later GET go one by one, logged once; a new application tries batching again`, async () => {
    const pool = new FakePool();
    pool.batchAnswer = (n) => (n === 0 ? { status } : undefined);
    const { b, logs } = batcher(pool);
    const first = await Promise.all(['a', 'b', 'c'].map((w) => b.get(presenceOf(w))));
    assert.deepEqual(first.map((r) => r.availability), ['v1', 'v1', 'v1']);
    await Promise.all(['d', 'e', 'f'].map((w) => b.get(presenceOf(w))));
    assert.equal(pool.batches().length, 1, 'one try');
    assert.equal(pool.gets().length, 6);
    assert.equal(logs.filter((l) => l.startsWith('batch:')).length, 1, logs.join('\n'));
    b.clear();
    await Promise.all(['g', 'h'].map((w) => b.get(presenceOf(w))));
    assert.equal(pool.batches().length, 2, 'batching tried again after clear()');
  });
}

test('no batch link: single GETs within the concurrency bound, logged once', async () => {
  const pool = new FakePool();
  const { b, logs } = batcher(pool, { batchHref: () => undefined, concurrency: 2 });
  const got = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((w) => b.get(presenceOf(w))));
  assert.equal(got.length, 5);
  assert.equal(pool.batches().length, 0);
  assert.equal(pool.maxInFlight, 2);
  await b.get(presenceOf('f'));
  assert.equal(logs.length, 1);
  assert.match(logs[0]!, /no batch link/);
});

test('per-part 403 and 404 fail only their own part, with the UcwaError of that part', async () => {
  const pool = new FakePool();
  pool.status = (p) => (p.includes('/ben@') ? 403 : p.includes('/cat@') ? 404 : 200);
  const { b } = batcher(pool);
  const [ann, ben, cat, dan] = await settle(['ann', 'ben', 'cat', 'dan'].map((w) => b.get(presenceOf(w))));
  assert.equal(pool.batches().length, 1);
  assert.equal(ann!.status, 'fulfilled');
  assert.equal(dan!.status, 'fulfilled');
  assert.ok(ben?.status === 'rejected' && ben.reason instanceof UcwaError && ben.reason.status === 403 && ben.reason.code === 'Forbidden');
  assert.ok(cat?.status === 'rejected' && cat.reason instanceof UcwaError && cat.reason.status === 404 && cat.reason.url.endsWith(presenceOf('cat')));
});

test('a 200 that is no multipart, or a multipart answer with nothing readable in it: read again one by one, batching off', async () => {
  for (const forced of [{ status: 200, contentType: 'text/html', text: '<html>proxy</html>' }, { status: 200, contentType: 'multipart/batching; boundary=zz', text: 'garbage with no delimiter' }]) {
    const pool = new FakePool();
    pool.batchAnswer = (n) => (n === 0 ? forced : undefined);
    const { b, logs } = batcher(pool);
    const got = await Promise.all(['a', 'b', 'c'].map((w) => b.get(presenceOf(w))));
    assert.deepEqual(got.map((r) => r.availability), ['v1', 'v1', 'v1']);
    assert.equal(pool.gets().length, 3);
    await Promise.all(['d', 'e'].map((w) => b.get(presenceOf(w))));
    assert.equal(pool.batches().length, 1);
    assert.equal(logs.length, 1, logs.join('\n'));
  }
});

test('a 503 to the batch: every part fails with one and the same error (one log line), batching stays on', async () => {
  const pool = new FakePool();
  pool.batchAnswer = (n) => (n === 0 ? { status: 503 } : undefined);
  const { b } = batcher(pool);
  const results = await settle(['a', 'b', 'c'].map((w) => b.get(presenceOf(w))));
  const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : null));
  assert.ok(reasons[0] instanceof UcwaError && reasons[0].status === 503);
  assert.ok(reasons.every((r) => r === reasons[0]), 'the same error object');
  await Promise.all(['d', 'e'].map((w) => b.get(presenceOf(w))));
  assert.equal(pool.batches().length, 2, 'still batching');
});

// --- ContactParts over the batcher -----------------------------------------------------------------

function contactParts(pool: FakePool, maxParts = 50) {
  const client = clientOf(pool);
  const patches: [string, string, string][] = [];
  const logs: string[] = [];
  const store = {
    async patchPerson(sip: string, patch: PersonPatch) {
      await new Promise((r) => setTimeout(r, Math.random() * 3)); // writes finish out of order across contacts
      const [[field, value]] = Object.entries(patch) as [[string, unknown]];
      patches.push([sip, field, field === 'presence' ? (value as { availability: string }).availability : (value as { message: string }).message]);
      return { changed: true, person: null };
    },
  } as unknown as Store;
  const parts = new ContactParts({
    store, client: () => client, batchHref: () => BATCH, log: (l) => logs.push(l),
    timing: { presenceFetchConcurrency: 4, presenceBatchParts: maxParts, presenceBatchWindowMs: 5, presenceBatchRetryMs: 20 },
  });
  return { parts, patches, logs };
}

test('ContactParts: ten contacts\' presence then their notes are two batches; each contact\'s parts are stored in event order; a burst for one contact while its GET waits is one more GET', async () => {
  const pool = new FakePool();
  const { parts, patches } = contactParts(pool);
  const who = Array.from({ length: 10 }, (_, i) => `p${i}`);
  for (const w of who) parts.enqueue(`sip:${w}@contoso.com`, 'contactPresence', presenceOf(w), null);
  for (const w of who) parts.enqueue(`sip:${w}@contoso.com`, 'contactNote', noteOf(w), null);
  // p0 changes three more times while its first presence GET is in the batch: coalesced into one.
  for (let i = 0; i < 3; i++) parts.enqueue('sip:p0@contoso.com', 'contactPresence', presenceOf('p0'), null);
  await parts.idle();
  assert.deepEqual(pool.seen.map((s) => `${s.method} ${s.parts.length}`), ['POST 10', 'POST 10', 'GET 0']);
  assert.deepEqual(pool.batches()[0]!.parts, who.map(presenceOf));
  assert.deepEqual([...pool.batches()[1]!.parts].sort(), who.map(noteOf), 'the notes (in the order the presence writes ended)');
  assert.equal(pool.versions.get(presenceOf('p0')), 2, 'p0: two presence GETs for four events');
  assert.deepEqual(patches.filter(([s]) => s === 'sip:p0@contoso.com').map(([, f, v]) => `${f}=${v}`), ['presence=v1', 'note=note 1', 'presence=v2'], 'in the order of the events');
  for (const w of who.slice(1)) {
    assert.deepEqual(patches.filter(([s]) => s === `sip:${w}@contoso.com`).map(([, f]) => f), ['presence', 'note']);
  }
  assert.equal(parts.gets, 21);
  assert.deepEqual(parts.batchStats, { batches: 2, batchedParts: 20, singles: 1, tooMany: 0 });
});

test('ContactParts: a failed batch is one log line, a failed part is its own; reset() drops what waits, silently', async () => {
  const pool = new FakePool();
  pool.batchAnswer = (n) => (n === 0 ? { status: 503 } : undefined);
  pool.status = (p) => (p.includes('/p1@') ? 403 : 200);
  const { parts, patches, logs } = contactParts(pool);
  for (const w of ['p0', 'p1', 'p2']) parts.enqueue(`sip:${w}@contoso.com`, 'contactPresence', presenceOf(w), null);
  await parts.idle();
  assert.equal(logs.length, 1, logs.join('\n'));
  assert.match(logs[0]!, /\(503\), skipped/);
  for (const w of ['p0', 'p1', 'p2']) parts.enqueue(`sip:${w}@contoso.com`, 'contactPresence', presenceOf(w), null);
  await parts.idle();
  assert.equal(logs.length, 2);
  assert.match(logs[1]!, /\(403\), skipped/);
  assert.deepEqual(patches.map(([s]) => s).sort(), ['sip:p0@contoso.com', 'sip:p2@contoso.com']);

  const before = pool.seen.length;
  for (const w of ['p3', 'p4']) parts.enqueue(`sip:${w}@contoso.com`, 'contactPresence', presenceOf(w), null);
  parts.reset(); // before the window closes: nothing is sent
  await parts.idle();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pool.seen.length, before);
  assert.equal(logs.length, 2, 'nothing logged for the dropped reads');
});

test('a batch link off the pool is no batch link (nothing is sent there); a part href off the pool fails alone', async () => {
  const pool = new FakePool();
  const { b, logs } = batcher(pool, { batchHref: () => 'https://elsewhere.example/batch' });
  await Promise.all(['a', 'b'].map((w) => b.get(presenceOf(w))));
  assert.equal(pool.batches().length, 0);
  assert.equal(pool.gets().length, 2);
  assert.match(logs[0] ?? '', /not on the pool/);
  const ok = batcher(pool).b;
  const [x, y, z] = await settle([ok.get(presenceOf('x')), ok.get('https://elsewhere.example/people/y/presence'), ok.get(presenceOf('z'))]);
  assert.equal(x!.status, 'fulfilled');
  assert.equal(z!.status, 'fulfilled');
  assert.equal(y!.status, 'rejected');
  assert.deepEqual(pool.batches().at(-1)!.parts, [presenceOf('x'), presenceOf('z')]);
  assert.ok(pool.seen.every((s) => s.origin === ORIGIN), 'nothing went off the pool');
});

test('clear() while a batch is out: whatever it answers, even 429, is not tried again, and its callers see an abort', async () => {
  const pool = new FakePool();
  pool.batchAnswer = () => ({ status: 429 });
  const { b } = batcher(pool, { retryMs: 5 });
  const pending = settle(['a', 'b', 'c'].map((w) => b.get(presenceOf(w))));
  while (pool.seen.length === 0) await new Promise((r) => setTimeout(r, 1));
  b.clear();
  const results = await pending;
  assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as { kind?: string }).kind === 'aborted'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(pool.seen.length, 1);
});

test('after 429s brought the batch size down, successes grow it back to maxParts', async () => {
  const pool = new FakePool();
  pool.batchAnswer = (n) => (n < 2 ? { status: 429 } : undefined);
  const { b } = batcher(pool, { maxParts: 8, retryMs: 5 });
  const sizes: number[] = [];
  for (let burst = 0; burst < 20 && (burst === 0 || sizes.at(-1) !== 8); burst++) {
    const before = pool.seen.length;
    const got = await Promise.all(Array.from({ length: 8 }, (_, i) => b.get(presenceOf(`b${burst}x${i}`))));
    assert.equal(got.length, 8);
    sizes.push(...pool.seen.slice(before).filter((s) => s.method === 'POST').map((s) => s.parts.length));
  }
  assert.deepEqual(sizes.slice(0, 3), [8, 4, 2], 'halved twice');
  assert.equal(sizes.at(-1), 8, `grew back: ${sizes.join(',')}`);
});

test('ContactParts.idleFor: a card opened waits for its person\'s reads only, not for everyone else\'s', async () => {
  // Before: person() waited for parts.idle() — behind the sign-in's thousand reads and their 429 holds.
  const pool = new FakePool();
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => { release = r; });
  const inner = pool.request.bind(pool);
  pool.request = async (req) => {
    if (req.url.includes('/slow@')) await held;
    return inner(req);
  };
  const { parts } = contactParts(pool, 1); // no batching: one GET per part
  parts.enqueue('sip:slow@contoso.com', 'contactPresence', presenceOf('slow'), null);
  parts.enqueue('sip:card@contoso.com', 'contactPresence', presenceOf('card'), null);
  let everyone = false;
  void parts.idle().then(() => { everyone = true; });
  await parts.idleFor('sip:card@contoso.com');
  assert.equal(everyone, false, 'the slow read is still out');
  assert.equal(pool.versions.get(presenceOf('card')), 1, 'the card\'s presence was read');
  await parts.idleFor('sip:nobody@contoso.com'); // nothing waits for them: at once
  release();
  await parts.idle();
});
