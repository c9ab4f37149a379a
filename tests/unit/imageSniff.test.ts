// Photo bytes (main/core/app/imageSniff.ts, photoFetch.ts): the magic numbers decide what is a
// picture, whatever the Content-Type says; a body is read only up to the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeAllowsImage, sniffImage } from '../../main/core/app/imageSniff.ts';
import { readAtMost } from '../../main/core/ucwa/readAtMost.ts';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

test('PNG, JPEG, GIF and WebP are recognised by their signatures', () => {
  assert.equal(sniffImage(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a], 'rest'))?.mime, 'image/png');
  assert.equal(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'))?.ext, 'jpg');
  assert.equal(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe1], 'Exif'))?.kind, 'jpeg');
  assert.equal(sniffImage(bytes('GIF87a'))?.kind, 'gif');
  assert.equal(sniffImage(bytes('GIF89a', [1, 0, 1, 0]))?.kind, 'gif');
  assert.equal(sniffImage(bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '))?.mime, 'image/webp');
});

test('anything else is no image: HTML, text, a truncated signature, other RIFF files, SVG, empty', () => {
  for (const b of [
    bytes('<!DOCTYPE html><html>'),
    bytes('{"code":"NotFound"}'),
    bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a]), // one byte short
    bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0b]),
    bytes([0xff, 0xd8]),
    bytes('GIF88a'),
    bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '),
    bytes('RIFF', [0, 0, 0, 0], 'WEB'),
    bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), // scriptable: never a photo
    new Uint8Array(0),
  ]) assert.equal(sniffImage(b), null, JSON.stringify([...b.slice(0, 12)]));
});

test('Content-Type: image/* (with parameters) or none lets the bytes decide; anything else refuses', () => {
  for (const ct of ['image/jpeg', 'IMAGE/PNG', 'image/png; charset=binary', ' image/webp ', null, '']) assert.equal(contentTypeAllowsImage(ct), true, String(ct));
  for (const ct of ['text/html; charset=utf-8', 'application/octet-stream', 'application/json', 'image', 'image/', 'imagex/png', 'text/plain;image/png']) {
    assert.equal(contentTypeAllowsImage(ct), false, ct);
  }
});

/** A body streamed in chunks without Content-Length; counts the chunks the reader pulled. */
function streamed(chunk: number, chunks: number): { res: Response; pulled: () => number } {
  let n = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (n === chunks) return ctl.close();
      n++;
      ctl.enqueue(new Uint8Array(chunk));
    },
  }, { highWaterMark: 0 });
  return { res: new Response(body, { headers: { 'content-type': 'image/png' } }), pulled: () => n };
}

test('readAtMost: a chunked body over the limit stops being read just past it', async () => {
  const { res, pulled } = streamed(64 * 1024, 16 * 1024); // 1 GiB offered
  const got = await readAtMost(res, 1024 * 1024);
  assert.deepEqual([got.tooLarge, got.body.byteLength], [true, 0]);
  assert.ok(pulled() <= 17 + 1, `read ${pulled()} chunks of 64 KiB for a 1 MiB limit`);
});

test('readAtMost: within the limit the body comes whole; a declared length over it is refused unread', async () => {
  const ok = streamed(1000, 3);
  const got = await readAtMost(ok.res, 3000);
  assert.deepEqual([got.tooLarge, got.body.byteLength], [false, 3000]);

  const declared = streamed(1000, 5);
  const res = new Response(declared.res.body, { headers: { 'content-length': '5000' } });
  assert.deepEqual((await readAtMost(res, 4999)).tooLarge, true);
  assert.equal(declared.pulled(), 0, 'nothing read');
  assert.deepEqual(await readAtMost(new Response(null, { status: 304 }), 10), { body: new Uint8Array(0), tooLarge: false });
});
