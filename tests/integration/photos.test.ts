// The photo cache (main/core/app/photos.ts) against the real simulator: the core signs in, the
// photo links come from the server's own resources (me `photo`, the contacts' `contactPhoto`), and
// every photo request is counted on the wire. What lands on disk (modes, names, bytes) is checked
// as the renderer would find it, and what the store keeps goes through the real patchPerson.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Simulator } from '../../simulator/index.ts';
import { PhotoCache, photoKey } from '../../main/core/app/photos.ts';
import { createPhotoFetcher } from '../../main/core/app/photoFetch.ts';
import type { UcwaClient } from '../../main/core/ucwa/client.ts';
import { parseContactCollection } from '../../main/core/ucwa/contacts.ts';
import { embedded, link } from '../../main/core/ucwa/links.ts';
import type { MessengerDeps } from '../../main/core/app/deps.ts';
import { ME, service, signIn, sim, type Harness } from './helpers.ts';

const MEI = 'sip:mei.chen@contoso.com';
const ALEX = 'sip:alex.rivera@contoso.com';
const LENE = 'sip:lene.aaling@contoso.com';
const DEMO2 = 'sip:demo2@contoso.com';
const PNG = [0x89, 0x50, 0x4e, 0x47];
const isPosix = process.platform !== 'win32';

interface PhotoRequest { url: string; ifNoneMatch: string | null; status: number }

describe('PhotoCache over the simulator', () => {
  let s: Simulator;
  let h: Harness;
  let client: UcwaClient;
  let root: string;
  let dir: string;
  let authorization = '';
  let appHref = '';
  const hrefs = new Map<string, string>();
  /** Every photo request the cache's fetcher made, with the server's status. */
  const wire: PhotoRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  // The service's own requests tell the test the header it authenticates with and its
  // application: the UcwaClient keeps its token to itself (see photoFetch.ts).
  const spy: MessengerDeps['fetch'] = async (url, init) => {
    const auth = new Headers(init.headers).get('authorization');
    if (auth) authorization = auth;
    const res = await fetch(url, init);
    if ((init.method ?? 'GET') === 'POST' && /\/applications$/.test(new URL(url).pathname) && res.status === 201) {
      appHref = res.headers.get('location') ?? '';
    }
    return res;
  };
  const photoFetch: MessengerDeps['fetch'] = async (url, init) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const res = await fetch(url, init);
      wire.push({ url, ifNoneMatch: new Headers(init.headers).get('if-none-match'), status: res.status });
      return res;
    } finally {
      inFlight--;
    }
  };
  const fetchPhoto = () => createPhotoFetcher({ fetch: photoFetch, resolve: (href) => client.resolve(href), authorization: () => authorization, timeoutMs: 5000 });
  const cache = (extra: Partial<ConstructorParameters<typeof PhotoCache>[0]> = {}) => new PhotoCache({ fetchPhoto: fetchPhoto(), dir, log, ...extra });
  const href = (sip: string) => {
    const v = hrefs.get(sip);
    assert.ok(v, `the server gave a photo link for ${sip}`);
    return v;
  };
  const requestsFor = (sip: string) => wire.filter((r) => r.url.toLowerCase().includes(`/photos/${sip.slice(4)}`));
  const mode = (path: string) => statSync(path).mode & 0o777;

  before(async () => {
    s = await sim();
    h = service(s, { fetch: spy });
    assert.equal((await signIn(h, s)).status, 'online');
    client = (h.service as unknown as { _internals: { client(): UcwaClient | null } })._internals.client()!;
    assert.ok(client && appHref, 'signed in with an application');
    // The links as the server gives them: me's `photo`, and every contact's `contactPhoto`.
    const app = await client.getJson(appHref);
    const me = embedded(app, 'me');
    hrefs.set(ME, link(me!, 'photo')!);
    const myContacts = link(embedded(app, 'people')!, 'myContacts')!;
    for (const c of parseContactCollection(await client.getJson(myContacts)).contacts) {
      if (c.links.contactPhoto) hrefs.set(c.sip, c.links.contactPhoto);
    }
    root = mkdtempSync(join(tmpdir(), 'ucwa-photos-'));
    dir = join(root, 'photos');
  });
  after(async () => {
    await h.service.close();
    await s.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the first get stores a 0600 PNG in a 0700 folder, named by a hash (never the SIP), with the ETag for the store', async () => {
    const c = cache();
    const r = await c.get(MEI, href(MEI));
    assert.ok(r.path && r.photo, 'a photo');
    assert.equal(r.changed, true);
    assert.equal(r.path, join(dir, r.photo.file!));
    assert.match(r.photo.file!, /^[0-9a-f]{32}\.png$/);
    assert.ok(r.photo.file!.startsWith(photoKey(MEI)));
    assert.ok(!r.path.toLowerCase().includes('mei'), 'no address in the path');
    assert.deepEqual([...readFileSync(r.path).subarray(0, 4)], PNG);
    if (isPosix) {
      assert.equal(mode(r.path), 0o600);
      assert.equal(mode(dir), 0o700);
    }
    const sent = requestsFor(MEI);
    assert.deepEqual(sent.map((q) => [q.status, q.ifNoneMatch]), [[200, null]]);
    assert.match(r.photo.etag ?? '', /^"[0-9a-f]+"$/);
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');

    // The result is exactly the store's patch: written and read back as it went in.
    await h.store.patchPerson(MEI, { photo: r.photo });
    assert.deepEqual((await h.store.getPerson(MEI))?.photo, r.photo);

    // Once a session: asking again costs no request.
    const again = await c.get(MEI, href(MEI));
    assert.deepEqual(again, { ...r, changed: false });
    assert.equal(requestsFor(MEI).length, 1);
  });

  it('a new session with the stored ETag makes a conditional GET: 304 keeps the file as it was', async () => {
    const known = (await h.store.getPerson(MEI))!.photo;
    const path = join(dir, known!.file!);
    const before = statSync(path);
    const r = await cache().get(MEI, href(MEI), { known });
    assert.deepEqual(requestsFor(MEI).slice(1).map((q) => [q.status, q.ifNoneMatch]), [[304, known!.etag]]);
    assert.deepEqual(r, { path, photo: known, changed: false });
    const now = statSync(path);
    assert.deepEqual([now.ino, now.mtimeMs], [before.ino, before.mtimeMs], 'the file was not rewritten');
  });

  it('a stored photo whose file is gone is fetched whole again (no If-None-Match for a file that is not there)', async () => {
    const c = cache();
    const first = await c.get(LENE, href(LENE));
    rmSync(first.path!);
    const r = await cache().get(LENE, href(LENE), { known: first.photo });
    assert.deepEqual(requestsFor(LENE).map((q) => [q.status, q.ifNoneMatch]), [[200, null], [200, null]]);
    assert.ok(existsSync(r.path!));
    assert.deepEqual(r.photo, first.photo);
  });

  it('a changed photo replaces the file (refresh asks again in the same session)', async () => {
    const c = cache();
    const first = await c.get(ALEX, href(ALEX));
    const oldBytes = readFileSync(first.path!);
    s.control.setPhoto(ALEX, 'changed');
    const r = await c.get(ALEX, href(ALEX), { known: first.photo, refresh: true });
    assert.equal(r.changed, true);
    assert.equal(r.photo!.file, first.photo!.file, 'same person, same format: same name');
    assert.notEqual(r.photo!.etag, first.photo!.etag);
    assert.ok(!readFileSync(r.path!).equals(oldBytes), 'new bytes');
    assert.deepEqual(requestsFor(ALEX).map((q) => [q.status, q.ifNoneMatch]), [[200, null], [200, first.photo!.etag]]);
    if (isPosix) assert.equal(mode(r.path!), 0o600);

    // A GIF in place of the PNG: a new name, and the PNG is gone.
    s.control.setPhoto(ALEX, { contentType: 'image/gif', base64: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1').toString('base64') });
    const gif = await c.get(ALEX, href(ALEX), { known: r.photo, refresh: true });
    assert.match(gif.photo!.file!, /\.gif$/);
    assert.ok(existsSync(gif.path!));
    assert.ok(!existsSync(r.path!), 'the old format\'s file is removed');
  });

  it('not an image, a non-image Content-Type, too big, or empty: refused with a log line, the previous photo kept', async () => {
    const c = cache();
    const good = await c.get(DEMO2, href(DEMO2));
    const goodBytes = readFileSync(good.path!);
    // Another real PNG (an extra byte after IEND: another ETag, else the server answers 304).
    const realPng = Buffer.concat([goodBytes, Buffer.from([0])]).toString('base64');
    const cases: [string, Parameters<Simulator['control']['setPhoto']>[1], RegExp][] = [
      ['notImage', 'notImage', /are no PNG, JPEG, GIF or WebP/],
      ['wrongType', 'wrongType', /Content-Type text\/html is not an image/],
      ['a real PNG sent as text/plain', { contentType: 'text/plain', base64: realPng }, /Content-Type text\/plain is not an image/],
      ['huge', 'huge', /larger than 1048576 bytes/],
      ['one byte over the limit', { hugeBytes: 1024 * 1024 + 1 }, /larger than 1048576 bytes/],
      ['empty', { contentType: 'image/png', base64: '' }, /empty body/],
    ];
    for (const [what, spec, why] of cases) {
      s.control.setPhoto(DEMO2, spec);
      const mark = lines.length;
      const r = await c.get(DEMO2, href(DEMO2), { known: good.photo, refresh: true });
      assert.deepEqual(r, { ...good, changed: false }, what);
      assert.ok(readFileSync(good.path!).equals(goodBytes), `${what}: the file is untouched`);
      const said = lines.slice(mark).filter((l) => l.startsWith('photo '));
      assert.equal(said.length, 1, `${what}: one log line`);
      assert.match(said[0]!, why, what);
      assert.match(said[0]!, /the cached photo is kept/, what);
    }
    // Exactly at the limit is still a photo (a PNG signature then filler: the bytes decide, not a decoder).
    s.control.setPhoto(DEMO2, { hugeBytes: 1024 * 1024 });
    const atLimit = await c.get(DEMO2, href(DEMO2), { known: good.photo, refresh: true });
    assert.equal(atLimit.changed, true);
    assert.equal(statSync(atLimit.path!).size, 1024 * 1024);
    s.control.setPhoto(DEMO2, 'default');

    // Without a previous photo the refusal means initials.
    s.control.setPhoto(LENE, 'notImage');
    const none = await cache().get(LENE, href(LENE));
    assert.equal(none.photo, null);
    assert.match(lines.at(-1)!, /initials shown/);
    s.control.setPhoto(LENE, 'default');
  });

  it("'none' (404) and photos refused (403) are no photo: null, the old file removed, no error", async () => {
    const c = cache();
    const first = await c.get(LENE, href(LENE));
    assert.ok(first.path);
    s.control.setPhoto(LENE, 'none');
    const gone = await c.get(LENE, href(LENE), { known: first.photo, refresh: true });
    assert.deepEqual(gone, { path: null, photo: null, changed: true });
    assert.ok(!existsSync(first.path));
    await h.store.patchPerson(LENE, { photo: gone.photo });
    assert.equal((await h.store.getPerson(LENE))?.photo, null);
    s.control.setPhoto(LENE, 'default');

    const off = s.control.addFault({ route: '/photos/', status: 403, times: 1 });
    try {
      assert.deepEqual(await cache().get(MEI, href(MEI)), { path: null, photo: null, changed: false });
      assert.equal(wire.at(-1)!.status, 403);
    } finally {
      off();
    }
  });

  it('a server error, a failed request or a missing link keeps what is known and never throws', async () => {
    const known = (await h.store.getPerson(MEI))!.photo;
    const off = s.control.addFault({ route: '/photos/', status: 500, subcode: 'InvalidExchangeServerVersion', times: 1 });
    try {
      const c = cache();
      const r = await c.get(MEI, href(MEI), { known });
      assert.equal(r.changed, false);
      assert.match(lines.at(-1)!, /answered 500; the cached photo is kept/);
    } finally {
      off();
    }
    // A link to another origin: the client's guard refuses it before anything is sent.
    const sent = wire.length;
    const foreign = await cache().get(MEI, 'https://photos.example.net/photos/mei.chen@contoso.com', { known });
    assert.deepEqual(foreign, { path: join(dir, known!.file!), photo: known, changed: false });
    assert.equal(wire.length, sent, 'nothing sent');
    assert.match(lines.at(-1)!, /not fetched .*asked again next time/);
    const noLink = await cache().get(MEI, null, { known });
    assert.equal(noLink.photo, known);
    assert.match(lines.at(-1)!, /no photo link/);
  });

  it('concurrent gets for one person share one request; at most `concurrency` requests in flight', async () => {
    const c = cache();
    const before = requestsFor(ME).length;
    const [a, b] = await Promise.all([c.get(ME, href(ME)), c.get(ME.toUpperCase(), href(ME))]);
    assert.equal(requestsFor(ME).length - before, 1, 'one request for two callers');
    assert.deepEqual(a, b);
    assert.ok(a.path);

    // Eight people at once through a cache of two lanes (hrefs of the simulator's documented shape).
    const base = href(ME).slice(0, href(ME).lastIndexOf('/photos/'));
    const crowd = s.people.slice(0, 8).map((p) => p.sip);
    maxInFlight = 0;
    const narrow = cache({ concurrency: 2 });
    const got = await Promise.all(crowd.map((sip) => narrow.get(sip, `${base}/photos/${sip.slice(4)}`)));
    assert.equal(got.filter((g) => g.path).length, crowd.length);
    assert.ok(maxInFlight <= 2, `at most 2 in flight (saw ${maxInFlight})`);
  });

  it('resetSession(): the next get asks again, conditionally, and keeps the file', async () => {
    const c = cache();
    const first = await c.get(ALEX, href(ALEX));
    await c.get(ALEX, href(ALEX));
    const before = requestsFor(ALEX).length;
    c.resetSession();
    const r = await c.get(ALEX, href(ALEX));
    assert.deepEqual(requestsFor(ALEX).slice(before).map((q) => [q.status, q.ifNoneMatch]), [[304, first.photo!.etag]]);
    assert.deepEqual(r, { ...first, changed: false });
  });

  it('clear() removes every cached photo (and only those); the next get fetches again', async () => {
    const c = cache();
    await c.get(MEI, href(MEI));
    const foreign = join(dir, 'notes.txt');
    writeFileSync(foreign, 'not ours');
    const ours = readdirSync(dir).filter((n) => n !== 'notes.txt');
    assert.ok(ours.length > 0);
    const removed = await c.clear();
    assert.deepEqual(removed, ours.map((n) => join(dir, n)).sort());
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
    const before = requestsFor(MEI).length;
    const r = await c.get(MEI, href(MEI));
    assert.equal(requestsFor(MEI).length, before + 1, 'the session memory went too');
    assert.ok(r.path && existsSync(r.path));
    await c.clear();

    // A fetch in flight when clear() runs leaves nothing behind.
    const slow: PhotoCache = new PhotoCache({
      dir, log,
      fetchPhoto: async (hr, tag, max) => {
        const res = await fetchPhoto()(hr, tag, max);
        await slow.clear();
        return res;
      },
    });
    await slow.get(ALEX, href(ALEX));
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
  });
});

it('close(): a photo still coming writes nothing, and its removed folder is not made again', async () => {
  // Before: "Delete local history" removed the account's photo folder while a fetch was out; the
  // answer then re-created the folder and wrote the photo into it.
  const root = mkdtempSync(join(tmpdir(), 'ucwa-photo-close-'));
  const dir = join(root, 'photos', 'account');
  let answer: (r: { status: number; etag: string | null; contentType: string | null; body: Uint8Array }) => void = () => undefined;
  const cache = new PhotoCache({ fetchPhoto: () => new Promise((resolve) => { answer = resolve; }), dir, log: () => undefined });
  try {
    const pending = cache.get(MEI, '/ucwa/photos/mei');
    await new Promise((r) => setTimeout(r, 10));
    cache.close();
    rmSync(join(root, 'photos'), { recursive: true, force: true });
    answer({ status: 200, etag: '"1"', contentType: 'image/png', body: new Uint8Array([...PNG, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) });
    await pending.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(join(root, 'photos')), false, 'the folder stays removed');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
