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

const PIECES = ['\uFEFF', '\u2028', '\u00a0', 'a', 'Z', '0', '+', ' ', '%', '%2', '%20', '%2B', '%0d%0a', '%C3%A9', '%E2%82', '%FF', '%EF%BB%BF', '#', '?', '&', '=', '/', '\t', '\n', 'é', '😀', '\ud800', '<b>', '"', "'", '%zz', ',', ';'];
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

test('data: URL processor agrees with the data-urls package (the spec\'s JavaScript reference) on generated input', async () => {
  const { default: parseDataURL } = await import('data-urls');
  const { processDataUrl } = await import('../../main/core/ucwa/dataUrl.ts');
  const r = rng(11);
  const HEAD = ['text/plain', ';', ' ', 'base64', 'BASE64', ';base64', '; base64', ';  BaSe64 ', 'charset=utf-8', 'charset="x"', 'text/html', '\t', '%20', 'a=b', '=', '/', '"', ','];
  const BODY = [...PIECES, 'QUJD', '====', '=', 'QQ', 'QQ=', 'QQ==', 'Q', '\f', '\r', ' QUJD ', '%41', '%%', '%4', '+/', '-_', '\u0000', '\u007f'];
  for (let i = 0; i < 20_000; i++) {
    let header = '';
    for (let j = Math.floor(r() * 4); j > 0; j--) header += HEAD[Math.floor(r() * HEAD.length)]!;
    let body = '';
    for (let j = Math.floor(r() * 6); j > 0; j--) body += BODY[Math.floor(r() * BODY.length)]!;
    const href = `${r() < 0.1 ? ' ' : ''}data:${header},${body}${r() < 0.1 ? '\n' : ''}`;
    const ours = processDataUrl(href);
    const ref = parseDataURL(href);
    assert.equal(ours === null, ref === null, `${JSON.stringify(href)}: ours ${ours ? 'parsed' : 'failed'}, reference ${ref ? 'parsed' : 'failed'}`);
    if (ours && ref) {
      assert.equal(ours.mimeType.toString(), ref.mimeType.toString(), JSON.stringify(href));
      assert.deepEqual(Buffer.from(ours.body), Buffer.from(ref.body), JSON.stringify(href));
    }
  }
});

test('data: URL decoding of a 1 MB body, percent-encoded or base64, and an overlong media type', () => {
  const MB = 1 << 20;
  assert.equal(decodeDataUrlFull(`data:text/plain;charset=utf-8,${'%41'.repeat(MB / 3)}#x`).text.length, Math.floor(MB / 3));
  assert.equal(decodeDataUrlFull(`data:text/plain;base64,${Buffer.from('x'.repeat(MB)).toString('base64')}`).text.length, MB);
  assert.throws(() => decodeDataUrlFull(`data:${'a'.repeat(64 * 1024)},x`), /overlong media type/);
});
