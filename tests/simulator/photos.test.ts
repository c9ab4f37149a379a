// Photos (PROTOCOL-2 §4) over plain HTTP: a real PNG per person and size, ETag and 304, the
// cwt_ucwa cookie, and the hostile variants of control.setPhoto.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { Session } from './http.ts';
import { ECHO, TYPER, people, startPeopleSim } from './peopleWorld.ts';

interface Got {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

async function photo(s: Session, href: string, headers: Record<string, string> = {}, auth = true): Promise<Got> {
  const r = await fetch(s.url(href), { headers: { ...(auth ? { Authorization: `Bearer ${s.token}` } : {}), ...headers } });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const pngSize = (b: Buffer): [number, number] => [b.readUInt32BE(16), b.readUInt32BE(20)];

describe('photos', () => {
  let sim: Simulator;
  let s: Session;
  let echoPhoto: string;
  before(async () => {
    sim = await startPeopleSim();
    s = await Session.open(sim);
    echoPhoto = `${s.app._links.self.href}/photos/echo@contoso.com`;
  });
  after(() => sim.stop());

  it('contactPhoto: 200 image/png (48×48 by default) with ETag, Expires, Cache-Control: private', async () => {
    const contact = (await s.get(`${people(s).self!.href}/echo@contoso.com`)).json;
    assert.equal(contact._links.contactPhoto.href, echoPhoto);
    const r = await photo(s, echoPhoto);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/png');
    assert.ok(r.bytes.subarray(0, 8).equals(PNG));
    assert.deepEqual(pngSize(r.bytes), [48, 48]);
    assert.match(r.headers.get('etag') ?? '', /^"[0-9a-f]{20}"$/);
    assert.equal(r.headers.get('cache-control'), 'private');
    assert.ok(Date.parse(r.headers.get('expires') ?? '') > Date.now());
    const other = await photo(s, `${s.app._links.self.href}/photos/typer@contoso.com`);
    assert.notEqual(other.headers.get('etag'), r.headers.get('etag'), 'each person has their own picture');
    assert.equal((await photo(s, `${s.app._links.self.href}/photos/nobody@contoso.com`)).status, 404);
  });

  it('If-None-Match with the ETag → 304 without a body; another tag → 200', async () => {
    const first = await photo(s, echoPhoto);
    const etag = first.headers.get('etag')!;
    const again = await photo(s, echoPhoto, { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.bytes.length, 0);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal((await photo(s, echoPhoto, { 'If-None-Match': `"other", W/${etag}` })).status, 304);
    assert.equal((await photo(s, echoPhoto, { 'If-None-Match': '"other"' })).status, 200);
  });

  it('size=HR<h>X<w>: the nearest lower size served (48 at least), each with its own ETag', async () => {
    const sizes: [string, number][] = [['HR96X96', 96], ['HR64x64', 64], ['HR500X500', 240], ['HR20X20', 48], ['junk', 48]];
    const tags = new Set<string>();
    for (const [q, n] of sizes) {
      const r = await photo(s, `${echoPhoto}?size=${q}`);
      assert.deepEqual(pngSize(r.bytes), [n, n], q);
      tags.add(`${n}:${r.headers.get('etag')}`);
    }
    assert.equal(new Set([...tags].map((t) => t.split(':')[1])).size, 4);
  });

  it('a replaced photo has a new ETag: the old one no longer gives 304', async () => {
    const before = await photo(s, echoPhoto);
    sim.control.setPhoto(ECHO, 'changed');
    const after = await photo(s, echoPhoto, { 'If-None-Match': before.headers.get('etag')! });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), before.headers.get('etag'));
    assert.ok(after.bytes.subarray(0, 8).equals(PNG));
  });

  it('hostile photos for client tests: not an image, wrong type, huge, none — and back', async () => {
    const href = `${s.app._links.self.href}/photos/typer@contoso.com`;
    sim.control.setPhoto(TYPER, 'notImage');
    const lie = await photo(s, href);
    assert.equal(lie.headers.get('content-type'), 'image/jpeg');
    assert.match(lie.bytes.toString('utf8'), /^<!DOCTYPE html>/);
    sim.control.setPhoto(TYPER, 'wrongType');
    assert.match((await photo(s, href)).headers.get('content-type') ?? '', /^text\/html/);
    sim.control.setPhoto(TYPER, { hugeBytes: 3_000_000 });
    const huge = await photo(s, href);
    assert.equal(huge.bytes.length, 3_000_000);
    assert.ok(huge.bytes.subarray(0, 8).equals(PNG), 'starts like a PNG');
    sim.control.setPhoto(TYPER, { contentType: 'image/gif', base64: Buffer.from('GIF89a').toString('base64') });
    const gif = await photo(s, href);
    assert.deepEqual([gif.headers.get('content-type'), gif.bytes.toString('latin1')], ['image/gif', 'GIF89a']);
    sim.control.setPhoto(TYPER, 'none');
    assert.equal((await photo(s, href)).status, 404);
    sim.control.setPhoto(TYPER, 'default');
    assert.deepEqual(pngSize((await photo(s, href)).bytes), [48, 48]);
  });

  it('cwt_ucwa: set on POST/GET application for the photos path; a photo loads with the cookie alone, nothing else does', async () => {
    const app = await fetch(s.url(s.app._links.self.href), { headers: { Authorization: `Bearer ${s.token}` } });
    const cookie = app.headers.get('set-cookie') ?? '';
    assert.match(cookie, new RegExp(`^cwt_ucwa=[^;]+; path=${s.app._links.self.href}/photos; secure; HttpOnly$`));
    const value = cookie.split(';')[0]!;
    assert.equal((await photo(s, echoPhoto, { Cookie: value }, false)).status, 200);
    assert.equal((await photo(s, echoPhoto, {}, false)).status, 401);
    const me = await fetch(s.url(`${s.app._links.self.href}/me`), { headers: { Cookie: value } });
    assert.equal(me.status, 401, 'the cookie is for photos only');
  });
});
