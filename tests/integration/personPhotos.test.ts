// Photos through the service (issue 13; PROTOCOL-2 §4) against the simulator over HTTP, with a
// real SQLite store and a real photo folder: the list's photos fetched in the background once a
// session (so that cards say there is one), personPhoto giving sniffed bytes — yours as 'me' —
// refusals (none, not an image, too big) as null with a log line, the disk copy offline, and the
// next session asking conditionally (304). A 404 that says the application is gone is not "no photo".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { service, signIn, sim, until } from './helpers.ts';
import type { SimUser } from '../../simulator/index.ts';
import type { MessengerDeps } from '../../main/core/app/deps.ts';
import type { PersonCard } from '../../main/core/store/types.ts';
import { createSqliteStore } from '../../main/core/store/sqliteStore.ts';

const ME = 'sip:me@contoso.com';
const PW = 'pw';
const sipOf = (n: string) => `sip:${n}@contoso.com`;
const [ANN, BOB, CAT, DAN] = ['ann', 'bob', 'cat', 'dan'].map(sipOf) as [string, string, string, string];
const USERS: SimUser[] = [
  { sip: ME, name: 'Me Myself', password: PW, contactList: { favourites: [ANN], other: [BOB, CAT, DAN] } },
  { sip: ANN, name: 'Ann Archer' }, { sip: BOB, name: 'Bob Brown' }, { sip: CAT, name: 'Cat Carter' }, { sip: DAN, name: 'Dan Dunn' },
];
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const posix = process.platform !== 'win32';

interface Wire { user: string; ifNoneMatch: string | null; status: number }

test('photos: fetched once a session into <dataDir>/photos, served sniffed, refused as null, read offline, revalidated with 304', async () => {
  const s = await sim({ demoWorld: false, presenceRhythm: false, users: USERS });
  const dir = await mkdtemp(join(tmpdir(), 'ucwa-person-photos-'));
  const photoDir = join(dir, 'photos');
  const wire: Wire[] = [];
  const lines: string[] = [];
  const fetchSpy: MessengerDeps['fetch'] = async (url, init) => {
    const res = await fetch(url, init);
    const m = /\/photos\/([^/?]+)/.exec(new URL(url).pathname);
    if (m) wire.push({ user: decodeURIComponent(m[1]!).toLowerCase(), ifNoneMatch: new Headers(init.headers).get('if-none-match'), status: res.status });
    return res;
  };
  const photosOf = (sip: string) => wire.filter((w) => `sip:${w.user}` === sip);
  try {
    s.control.setPhoto(BOB, 'none');
    s.control.setPhoto(CAT, 'notImage');
    s.control.setPhoto(DAN, 'huge');

    // --- first session ---
    const h1 = service(s, { fetch: fetchSpy, store: await createSqliteStore({ dataDir: dir, account: ME }), photoDir, log: (l) => lines.push(l) });
    const withPhoto: PersonCard[] = [];
    h1.service.on('person', (p) => { if (p.photo?.file) withPhoto.push(p); });
    await signIn(h1, s, ME, PW);
    // Nobody asked: the background fetch gives Ann's card its photo (what a window's avatar waits for).
    const ann = await until(async () => (await h1.store.getPerson(ANN))?.photo?.file ? h1.store.getPerson(ANN) : null, "Ann's card has a photo");
    assert.ok(withPhoto.some((p) => p.sip === ANN), "a 'person' event says so");
    await until(() => [ANN, BOB, CAT, DAN, ME].every((p) => photosOf(p).length === 1), 'each photo asked for once');
    assert.deepEqual([BOB, CAT, DAN].map((p) => photosOf(p)[0]!.status), [404, 200, 200]);

    const bytes = await h1.service.personPhoto(ANN);
    assert.equal(bytes?.mime, 'image/png');
    const decoded = Buffer.from(bytes!.base64, 'base64');
    assert.ok(decoded.subarray(0, 8).equals(PNG), 'a PNG');
    const file = join(photoDir, ann!.photo!.file!);
    assert.ok(decoded.equals(await readFile(file)), 'the cached file');
    if (posix) {
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(photoDir)).mode & 0o777, 0o700);
    }
    assert.equal(photosOf(ANN).length, 1, 'once a session: no second request');

    // No photo, not an image, too big: null and a log line each, never a throw, nothing on disk.
    const lineFor = (re: RegExp) => lines.some((l) => re.test(l));
    assert.equal(await h1.service.personPhoto(BOB), null);
    assert.ok(lineFor(/photos\/bob@contoso\.com(\?[^:]*)?: none on the server \(404\); initials shown/), lines.join('\n'));
    assert.equal(await h1.service.personPhoto(CAT), null);
    assert.ok(lineFor(/photos\/cat@contoso\.com(\?[^:]*)?: refused: the bytes .* are no PNG, JPEG, GIF or WebP/), lines.join('\n'));
    assert.equal(await h1.service.personPhoto(DAN), null);
    assert.ok(lineFor(/photos\/dan@contoso\.com(\?[^:]*)?: refused: larger than 1048576 bytes/), lines.join('\n'));
    assert.equal((await h1.store.getPerson(BOB))?.photo, null);
    // Only the photos that are pictures are on disk: Ann's and yours.
    assert.equal((await readdir(photoDir)).filter((n) => !n.startsWith('.')).length, 2);

    const mine = await h1.service.personPhoto('me');
    assert.equal(mine?.mime, 'image/png');
    assert.ok(!Buffer.from(mine!.base64, 'base64').equals(decoded), 'your own photo, not Ann\'s');
    assert.ok((await h1.store.getPerson(ME))?.photo?.file, 'your card says you have one');
    await assert.rejects(h1.service.personPhoto('nobody'), (e: { code?: string }) => e.code === 'invalidInput');
    await h1.service.close();

    // --- offline: a new process over the same data folder, never signed in ---
    wire.length = 0;
    const h2 = service(s, { fetch: fetchSpy, store: await createSqliteStore({ dataDir: dir, account: ME }), photoDir, log: (l) => lines.push(l) });
    const offline = await h2.service.personPhoto(ANN);
    assert.ok(offline && Buffer.from(offline.base64, 'base64').equals(decoded), 'from the disk');
    assert.equal(await h2.service.personPhoto(BOB), null);
    assert.equal(h2.requests.length, 0, 'nothing sent');

    // --- the next session: conditional GETs. The first answer for Ann says the application is
    // gone (404 ApplicationNotFound): that is no answer about her photo — kept, and asked again.
    s.control.addFault({ route: '/photos/ann@', status: 404, subcode: 'ApplicationNotFound', times: 1, label: 'ann gone' });
    await signIn(h2, s, ME, PW);
    await until(() => s.control.faultsFired()['ann gone'] === 1, 'the fault fired');
    await until(() => lines.some((l) => /photos\/ann@contoso\.com(\?[^:]*)?: not fetched \(UcwaError 404 NotFound\/ApplicationNotFound.*the cached photo is kept, asked again next time/.test(l)), 'the cache kept it');
    await until(() => photosOf(ME).length === 1, 'your photo revalidated');
    const again = await h2.service.personPhoto(ANN);
    assert.ok(again && Buffer.from(again.base64, 'base64').equals(decoded), 'the same picture');
    assert.ok(await stat(file), 'the file was never removed');
    const asked = photosOf(ANN);
    assert.deepEqual(asked.map((w) => [w.status, w.ifNoneMatch]), [[404, ann!.photo!.etag], [304, ann!.photo!.etag]]);
    assert.equal(photosOf(ME)[0]!.status, 304);
    await h2.service.close();
  } finally {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('without a photo folder no photo is fetched and personPhoto answers null', async () => {
  const s = await sim({ demoWorld: false, presenceRhythm: false, users: USERS });
  const h = service(s);
  try {
    await signIn(h, s, ME, PW);
    await until(async () => (await h.service.contactList()).people.length === 4, 'the list synced');
    assert.equal(await h.service.personPhoto(ANN), null);
    assert.equal(await h.service.personPhoto('me'), null);
    assert.ok(!h.requests.some((r) => /\/photos\//.test(r.url)), 'no photo request');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('prefetchPhotos false (the CLI): only the photo asked for is fetched', async () => {
  const s = await sim({ demoWorld: false, presenceRhythm: false, users: USERS });
  const dir = await mkdtemp(join(tmpdir(), 'ucwa-person-photos-'));
  const h = service(s, { photoDir: join(dir, 'photos'), prefetchPhotos: false });
  const photoRequests = () => h.requests.filter((r) => /\/photos\//.test(r.url));
  try {
    await signIn(h, s, ME, PW);
    await until(async () => (await h.service.contactList()).people.length === 4, 'the list synced');
    await until(async () => (await h.store.getPerson(ANN))?.presence, 'the presence burst done');
    assert.equal(photoRequests().length, 0, 'nothing in the background');
    assert.equal((await h.service.personPhoto(ANN))?.mime, 'image/png');
    assert.deepEqual(photoRequests().map((r) => new URL(r.url).pathname.split('/').pop()), ['ann@contoso.com']);
    // At a size a HiDPI avatar and the card need (the server's default is 48×48).
    assert.equal(new URL(photoRequests()[0]!.url).searchParams.get('size'), 'HR96X96');
  } finally {
    await h.service.close();
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('photos switched off by the organisation (policies.photos Disabled): none is fetched, nothing breaks', async () => {
  const s = await sim({ demoWorld: false, presenceRhythm: false, users: USERS, photosPolicy: 'Disabled' });
  const dir = await mkdtemp(join(tmpdir(), 'ucwa-person-photos-'));
  const lines: string[] = [];
  const h = service(s, { photoDir: join(dir, 'photos'), log: (l) => lines.push(l) });
  try {
    await signIn(h, s, ME, PW);
    await until(async () => (await h.store.getPerson(ANN))?.presence, 'the presence burst done');
    assert.equal(await h.service.personPhoto(ANN), null);
    assert.equal(await h.service.personPhoto('me'), null);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!h.requests.some((r) => /\/photos\//.test(r.url)), 'no photo request');
    assert.equal(lines.filter((l) => /policies\.photos Disabled/.test(l)).length, 1, 'said once');
  } finally {
    await h.service.close();
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
