// The data: URL fast path must decode exactly like the full WHATWG parser, or defer to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDataUrl, decodeDataUrlFull, encodeDataUrl } from '../../main/core/ucwa/dataUrl.ts';

function rng(seed: number) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

const PIECES = ['a', 'Z', '0', '+', ' ', '%', '%2', '%20', '%2B', '%0d%0a', '%C3%A9', '%E2%82', '%FF', '%EF%BB%BF', '#', '?', '&', '=', '/', '\t', '\n', 'é', '😀', '\ud800', '<b>', '"', "'", '%zz', ',', ';'];
const HEADERS = ['text/plain;charset=utf-8', 'text/plain;charset=utf8', 'TEXT/HTML;charset=UTF-8', 'text/plain', '', ';charset=utf-8', 'text/html', 'text/plain;charset="utf-8"', 'text/plain;base64', 'text/plain;charset=iso-8859-1', 'text/plain; charset=utf-8'];

test('data: URL fast path agrees with the full parser on generated input', () => {
  const r = rng(7);
  for (let i = 0; i < 20_000; i++) {
    const header = HEADERS[Math.floor(r() * HEADERS.length)]!;
    let body = '';
    const n = Math.floor(r() * 8);
    for (let j = 0; j < n; j++) body += PIECES[Math.floor(r() * PIECES.length)]!;
    const href = `data:${header},${body}`;
    let full: unknown;
    let fast: unknown;
    try { full = decodeDataUrlFull(href); } catch (err) { full = (err as Error).name; }
    try { fast = decodeDataUrl(href); } catch (err) { fast = (err as Error).name; }
    assert.deepEqual(fast, full, href);
  }
});

test('data: URL round trip of what we send, and the common shapes', () => {
  for (const t of ['Hello', 'a+b = c?', 'café 😀 #1', '100%', 'line\r\nnext', '<b>bold</b>']) {
    assert.equal(decodeDataUrl(encodeDataUrl(t)).text, t);
    assert.equal(decodeDataUrl(encodeDataUrl(t, 'text/html')).mimeType, 'text/html');
  }
  assert.equal(decodeDataUrl('data:text/plain;charset=utf-8,Hi+Tosh%0d%0a').text, 'Hi Tosh\r\n');
  assert.equal(decodeDataUrl('data:,x').mimeType, 'text/plain');
});
