// multipart/batching (PROTOCOL.md §8.4), the codec of main/core/ucwa/batch.ts: the request written
// in the documented shape byte for byte, the documented answer read, and a parser that stays total
// whatever comes back — garbage, truncation at any byte, a part count that does not match, parts
// too big to trust — failing only the parts concerned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryOf, encodeBatchGets, isBatchingContentType, newBoundary, parseBatchResponse, partError, type BatchPart, type BatchPartAnswer } from '../../main/core/ucwa/batch.ts';
import { LIMITS } from '../../main/core/limits.ts';

const CRLF = (lines: string[]) => lines.join('\r\n');

// PROTOCOL.md §8.4, the request sample (its body, CRLF line ends as on the wire).
const SAMPLE_REQUEST = CRLF([
  '--77f2569d-c005-442b-b856-782305305e5f',
  'Content-Type: application/http; msgtype=request',
  '',
  'GET /ucwa/oauth/v1/applications/103/people/contacts HTTP/1.1',
  'Host: lyncweb.contoso.com',
  'Accept: application/json',
  '',
  '--77f2569d-c005-442b-b856-782305305e5f',
  'Content-Type: application/http; msgtype=request',
  '',
  'GET /ucwa/oauth/v1/applications/103/me HTTP/1.1',
  'Host: lyncweb.contoso.com',
  'Accept: application/json',
  '',
  '--77f2569d-c005-442b-b856-782305305e5f--',
  '',
]);

// PROTOCOL.md §8.4, the response sample, with `{ ...contacts... }` / `{ ...me... }` as given.
const SAMPLE_CT = 'multipart/batching; boundary="3968fb75-0b0e-4e11-8b0c-4e37d822ed0c"';
const sampleResponse = (contacts: string, me: string) => CRLF([
  '--3968fb75-0b0e-4e11-8b0c-4e37d822ed0c',
  'Content-Type: application/http; msgtype=response',
  '',
  'HTTP/1.1 200 OK',
  'Cache-Control: no-cache',
  'Content-Type: application/json; charset=utf-8',
  '',
  contacts,
  '--3968fb75-0b0e-4e11-8b0c-4e37d822ed0c',
  'Content-Type: application/http; msgtype=response',
  '',
  'HTTP/1.1 200 OK',
  'Content-Type: application/json; charset=utf-8',
  '',
  me,
  '--3968fb75-0b0e-4e11-8b0c-4e37d822ed0c--',
  '',
]);

function ok(p: BatchPart | undefined): BatchPartAnswer {
  assert.ok(p?.ok, `expected a readable part, got ${JSON.stringify(p)}`);
  return p;
}

/** A multipart answer of the given parts (each: status, content type, body), boundary `b`. */
function answer(b: string, parts: { status: number; ct?: string; body: string }[], eol = '\r\n'): string {
  let out = '';
  for (const p of parts) {
    out += `--${b}${eol}Content-Type: application/http; msgtype=response${eol}${eol}HTTP/1.1 ${p.status} X${eol}`;
    if (p.ct) out += `Content-Type: ${p.ct}${eol}`;
    out += `${eol}${p.body}${eol}`;
  }
  return `${out}--${b}--${eol}`;
}

test('encode: PROTOCOL.md §8.4 request sample, byte for byte; Content-Type as documented', () => {
  const enc = encodeBatchGets('https://lyncweb.contoso.com/ucwa/oauth/v1/applications/103', [
    '/ucwa/oauth/v1/applications/103/people/contacts',
    'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/103/me',
  ], '77f2569d-c005-442b-b856-782305305e5f');
  assert.equal(enc.text, SAMPLE_REQUEST);
  assert.equal(enc.contentType, 'multipart/batching;boundary=77f2569d-c005-442b-b856-782305305e5f');
});

test('encode: path and query of the resolved href only (no fragment), Host with its port, a fresh valid boundary each time', () => {
  const enc = encodeBatchGets('http://127.0.0.1:4400/ucwa/oauth/v1/applications/7', ['people/a%40b.com/presence?x=1&y=a%20b#frag', '/ucwa/oauth/v1/applications/7/people/c@d.com/note']);
  assert.match(enc.text, /\r\nGET \/ucwa\/oauth\/v1\/applications\/people\/a%40b\.com\/presence\?x=1&y=a%20b HTTP\/1\.1\r\nHost: 127\.0\.0\.1:4400\r\n/);
  assert.match(enc.text, /\r\nGET \/ucwa\/oauth\/v1\/applications\/7\/people\/c@d\.com\/note HTTP\/1\.1\r\n/);
  assert.ok(!enc.text.includes('frag'));
  assert.equal(enc.text.match(/msgtype=request/g)?.length, 2);
  // A space in an href cannot break the request line: URL percent-encodes it.
  assert.match(encodeBatchGets('https://x.example', ['/a b\r\nX: y']).text, /GET \/a%20bX:%20y HTTP\/1\.1/);
  const a = newBoundary(), b = newBoundary();
  assert.notEqual(a, b);
  assert.equal(boundaryOf(encodeBatchGets('https://x.example', ['/a']).contentType) !== null, true);
  assert.throws(() => encodeBatchGets('https://x.example', ['/a'], 'bad\r\nboundary'));
});

test('the boundary from the Content-Type, quoted or not; other types are not multipart', () => {
  assert.equal(boundaryOf(SAMPLE_CT), '3968fb75-0b0e-4e11-8b0c-4e37d822ed0c');
  assert.equal(boundaryOf('multipart/batching;boundary=abc'), 'abc');
  assert.equal(boundaryOf('multipart/batching; charset=utf-8; BOUNDARY = "a b:c"'), 'a b:c');
  assert.equal(boundaryOf('multipart/batching'), null);
  assert.equal(boundaryOf('multipart/batching; boundary=""'), null);
  assert.equal(boundaryOf(`multipart/batching; boundary=${'x'.repeat(71)}`), null, 'RFC 2046: at most 70');
  assert.equal(boundaryOf('multipart/batching; boundary="ends with space "'), null);
  assert.equal(boundaryOf(null), null);
  assert.equal(isBatchingContentType(SAMPLE_CT), true);
  assert.equal(isBatchingContentType('Multipart/Batching;boundary=x'), true);
  assert.equal(isBatchingContentType('application/json'), false);
  assert.equal(isBatchingContentType('multipart/batchingx'), false);
  assert.equal(isBatchingContentType(undefined), false);
});

test('parse: PROTOCOL.md §8.4 response sample, with real bodies: both parts, in order, status, headers, JSON', () => {
  const r = parseBatchResponse(SAMPLE_CT, sampleResponse('{"rel":"myContacts","_links":{}}', '{"rel":"me","name":"John Doe"}'), 2);
  assert.equal(r.problem, undefined);
  const [contacts, me] = r.parts.map(ok);
  assert.equal(contacts!.status, 200);
  assert.equal(contacts!.headers.get('cache-control'), 'no-cache');
  assert.deepEqual(contacts!.json, { rel: 'myContacts', _links: {} });
  assert.deepEqual(me!.json, { rel: 'me', name: 'John Doe' });
  assert.equal(me!.text, '{"rel":"me","name":"John Doe"}', 'the CRLF before the next delimiter is not part of the body');
});

test('parse: the sample exactly as printed ("{ ...contacts... }" is no JSON): two parts, each an error of its own', () => {
  const r = parseBatchResponse(SAMPLE_CT, sampleResponse('{ ...contacts... }', '{ ...me... }'), 2);
  assert.equal(r.parts.length, 2);
  assert.equal(r.problem, undefined, 'the framing itself is right');
  assert.deepEqual(r.parts, [{ ok: false, problem: 'malformed JSON' }, { ok: false, problem: 'malformed JSON' }]);
});

test('parse: error parts are answers (partError gives the UcwaError), a bad part fails alone, LF-only framing and bare HTTP parts are read', () => {
  const b = 'b-1';
  const body = answer(b, [
    { status: 404, ct: 'application/json', body: '{"code":"NotFound","subcode":"ApplicationNotFound"}' },
    { status: 200, ct: 'application/json', body: '{"availability":"Online"}' },
    { status: 403, body: '' },
    { status: 200, ct: 'application/json', body: '{"a":' }, // malformed success
    { status: 500, ct: 'application/json', body: 'not json' }, // an error's body is optional
    { status: 200, ct: 'text/html', body: '<html>proxy</html>' }, // read, not parsed
  ]);
  const r = parseBatchResponse(`multipart/batching; boundary=${b}`, body, 6);
  assert.equal(r.problem, undefined);
  const notFound = ok(r.parts[0]);
  assert.equal(notFound.status, 404);
  const err = partError(notFound, 'https://pool/ucwa/x/people/a/presence');
  assert.equal(err.status, 404);
  assert.equal(err.code, 'NotFound');
  assert.equal(err.subcode, 'ApplicationNotFound');
  assert.deepEqual(ok(r.parts[1]).json, { availability: 'Online' });
  assert.equal(ok(r.parts[2]).status, 403);
  assert.equal(partError(ok(r.parts[2]), 'u').code, 'Forbidden');
  assert.deepEqual(r.parts[3], { ok: false, problem: 'malformed JSON' });
  assert.equal(ok(r.parts[4]).json, undefined);
  assert.equal(ok(r.parts[5]).json, undefined);
  assert.equal(ok(r.parts[5]).text, '<html>proxy</html>');

  const lf = parseBatchResponse('multipart/batching; boundary=z', answer('z', [{ status: 200, ct: 'application/json', body: '{"x":1}' }], '\n'), 1);
  assert.deepEqual(ok(lf.parts[0]).json, { x: 1 });
  // No MIME headers in the part, a bodiless answer whose blank line the delimiter took, a preamble.
  const bare = parseBatchResponse('multipart/batching; boundary=z', 'preamble\r\n--z\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"y":2}\r\n--z\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n--z--', 2);
  assert.equal(bare.problem, undefined);
  assert.deepEqual(ok(bare.parts[0]).json, { y: 2 });
  assert.equal(ok(bare.parts[1]).status, 204);
});

test('parse: the boundary inside content (not at a line start, or longer) does not split a part', () => {
  const b = 'abc';
  const r = parseBatchResponse('multipart/batching; boundary=abc', answer(b, [
    { status: 200, ct: 'application/json', body: '{"note":"--abc is not a delimiter here"}' },
    { status: 200, ct: 'text/plain', body: 'one\r\n--abcdef\r\n--abc-\r\nthree' }, // longer boundaries at line starts
  ]), 2);
  assert.equal(r.problem, undefined);
  assert.deepEqual(ok(r.parts[0]).json, { note: '--abc is not a delimiter here' });
  assert.equal(ok(r.parts[1]).text, 'one\r\n--abcdef\r\n--abc-\r\nthree');
});

test('parse: a part count that does not match — missing parts fail, extra parts are ignored, both are said', () => {
  const two = answer('q', [{ status: 200, ct: 'application/json', body: '{"i":0}' }, { status: 200, ct: 'application/json', body: '{"i":1}' }]);
  const fewer = parseBatchResponse('multipart/batching;boundary=q', two, 3);
  assert.equal(fewer.parts.length, 3);
  assert.deepEqual(ok(fewer.parts[1]).json, { i: 1 });
  assert.deepEqual(fewer.parts[2], { ok: false, problem: 'missing from the answer' });
  assert.match(fewer.problem ?? '', /2 parts for 3 requests/);
  const more = parseBatchResponse('multipart/batching;boundary=q', two, 1);
  assert.equal(more.parts.length, 1);
  assert.deepEqual(ok(more.parts[0]).json, { i: 0 });
  assert.match(more.problem ?? '', /2 parts for 1 requests/);
  const none = parseBatchResponse('multipart/batching;boundary=q', two, 0);
  assert.deepEqual(none.parts, []);
});

test('parse: garbage — no boundary, not multipart, random text — never throws, one failed part per request', () => {
  const bodies = ['', 'garbage', '{"rel":"me"}', '--', '--q', '--q--', '\r\n\r\n', '<html>Bad gateway</html>', '\u0000\uffff\ud800'];
  for (const ct of [null, 'application/json', 'multipart/batching', 'multipart/batching; boundary=q', 'multipart/batching; boundary="q', 'x'.repeat(5000)]) {
    for (const body of bodies) {
      const r = parseBatchResponse(ct, body, 3);
      assert.equal(r.parts.length, 3, `${ct} / ${JSON.stringify(body)}`);
      assert.ok(r.parts.every((p) => !p.ok), `${ct} / ${JSON.stringify(body)}: nothing readable`);
    }
  }
  assert.match(parseBatchResponse('application/json', '{}', 1).problem ?? '', /no valid boundary/);
  assert.match(parseBatchResponse('multipart/batching;boundary=q', 'no delimiter at all', 1).problem ?? '', /no part delimited/);

  // Seeded random bodies built from the pieces a parser trips on.
  const pieces = ['--q', '--q--', '\r\n', '\n', '\r', ' ', 'HTTP/1.1 200 OK', 'HTTP/1.1 999 X', 'Content-Type: application/json', 'Content-Type: application/http', ':', '{', '}', '"', '[', 'x', '\t', '--', 'q'];
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (let i = 0; i < 3000; i++) {
    let body = '';
    const len = rnd(40);
    for (let j = 0; j < len; j++) body += pieces[rnd(pieces.length)];
    const want = rnd(5);
    const r = parseBatchResponse('multipart/batching; boundary=q', body, want);
    assert.equal(r.parts.length, want, JSON.stringify(body));
    for (const p of r.parts) if (p.ok) assert.ok(p.status >= 100 && p.status <= 599);
  }
});

test('parse: cut at every byte, the parts before the cut are read as in the whole answer and no cut part passes as whole', () => {
  const b = 'cut-7';
  const full = answer(b, [
    { status: 200, ct: 'application/json', body: '{"availability":"Online","activity":"Available"}' },
    { status: 404, ct: 'application/json', body: '{"code":"NotFound"}' },
    { status: 200, ct: 'application/json', body: '{"message":"back at 3"}' },
  ]);
  const whole = parseBatchResponse(`multipart/batching; boundary=${b}`, full, 3);
  assert.ok(whole.parts.every((p) => p.ok) && whole.problem === undefined);
  const same = (a: BatchPartAnswer, w: BatchPart | undefined) => {
    const x = ok(w);
    assert.equal(a.status, x.status);
    assert.equal(a.text, x.text);
    assert.deepEqual(a.json, x.json);
    assert.deepEqual([...a.headers], [...x.headers]);
  };
  let truncatedSeen = 0;
  for (let i = 0; i <= full.length; i++) {
    const r = parseBatchResponse(`multipart/batching; boundary=${b}`, full.slice(0, i), 3);
    assert.equal(r.parts.length, 3, `cut at ${i}`);
    r.parts.forEach((p, j) => {
      if (p.ok) same(p, whole.parts[j]);
    });
    if (i < full.length - 2) {
      assert.ok(r.problem, `cut at ${i} of ${full.length}: the answer is said to be incomplete`);
      truncatedSeen++;
    }
  }
  assert.ok(truncatedSeen > 100);
  // Cut between the last delimiter's dashes and its closing `--`: every part is whole, only the end is missing.
  const close = full.lastIndexOf(`--${b}--`);
  const unclosed = parseBatchResponse(`multipart/batching; boundary=${b}`, full.slice(0, close + b.length + 2), 3);
  assert.ok(unclosed.parts.every((p) => p.ok));
  assert.equal(unclosed.problem, 'no closing delimiter');
  // Cut inside the last part's body: the first two are read, the third is an error.
  const cut = parseBatchResponse(`multipart/batching; boundary=${b}`, full.slice(0, full.indexOf('back at')), 3);
  assert.equal(cut.parts.filter((p) => p.ok).length, 2);
  assert.deepEqual(cut.parts[2], { ok: false, problem: 'the answer ends inside this part' });
  assert.match(cut.problem ?? '', /no closing delimiter/);
});

test('parse: bounds — a part head over LIMITS.batchPartHeadChars fails that part only; JSON deeper than LIMITS.jsonDepth fails its part; an answer over responseBytes fails all', () => {
  const b = 'lim';
  const huge = `X-Pad: ${'a'.repeat(LIMITS.batchPartHeadChars)}`;
  const body = `--${b}\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n${huge}\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n`
    + `--${b}\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${'['.repeat(LIMITS.jsonDepth + 1)}${']'.repeat(LIMITS.jsonDepth + 1)}\r\n`
    + `--${b}\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"c":3}\r\n--${b}--\r\n`;
  const r = parseBatchResponse(`multipart/batching; boundary=${b}`, body, 3);
  assert.deepEqual(r.parts[0], { ok: false, problem: 'response headers longer than the limit' });
  assert.deepEqual(r.parts[1], { ok: false, problem: `JSON nested deeper than ${LIMITS.jsonDepth} levels` });
  assert.deepEqual(ok(r.parts[2]).json, { c: 3 });
  const over = parseBatchResponse(`multipart/batching; boundary=${b}`, ' '.repeat(LIMITS.responseBytes + 1), 2);
  assert.ok(over.parts.length === 2 && over.parts.every((p) => !p.ok));
  // A part that is not application/http, or has no status line, is that part's error.
  const odd = parseBatchResponse('multipart/batching; boundary=o', '--o\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 200 OK\r\n\r\n--o\r\n\r\nnot a status line\r\n--o--', 2);
  assert.deepEqual(odd.parts, [{ ok: false, problem: 'a part that is not application/http' }, { ok: false, problem: 'a part without an HTTP status line' }]);
});
