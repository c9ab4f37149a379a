// What a log line may say about an error or a URL (main/core/logSafe.ts): kinds, codes and paths,
// never a message, a query value or anything a server, a parser or V8 quoted from user text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, safeUrl } from '../../main/core/logSafe.ts';
import { BadResponseError, NetworkError, SignInError, UcwaError } from '../../main/core/ucwa/errors.ts';
import { AppError } from '../../main/core/app/types.ts';
import { StoreError } from '../../main/core/store/types.ts';
import { SecretsError } from '../../main/core/secrets/errors.ts';

const SECRET = 'quarterly layoffs';

test('safeUrl: the path, numeric protocol counters, and only the names of other parameters', () => {
  const base = 'https://pool.contoso.com/ucwa/oauth/v1/applications/123/people/search';
  assert.equal(safeUrl(`${base}?query=${encodeURIComponent(SECRET)}&limit=20`), `${base}?query=…&limit=20`);
  assert.equal(safeUrl(`${base}?query=quarterly+layoffs`), `${base}?query=…`);
  assert.equal(safeUrl('https://pool/ucwa/events?ack=12&timeout=180&priority=1'), 'https://pool/ucwa/events?ack=12&timeout=180&priority=1');
  assert.equal(safeUrl('/ucwa/logs/x/transcripts?page=3'), '/ucwa/logs/x/transcripts?page=3');
  // A "numeric" key with text in it is text.
  assert.equal(safeUrl('/x?page=quarterly'), '/x?page=…');
  assert.equal(safeUrl('https://user:hunter2@host/p#frag'), 'https://host/p');
  assert.equal(safeUrl('/x?flag&%20weird%20key=1'), '/x?flag&…');
  assert.equal(safeUrl(`/x#${SECRET}`), '/x');
  assert.equal(safeUrl(`data:text/plain;charset=utf-8,${encodeURIComponent(SECRET)}`), 'data:text/plain…');
  assert.equal(safeUrl(`data:,${SECRET}`), 'data:…');
  assert.equal(safeUrl(42), '');
  assert.ok(safeUrl(`/${'a'.repeat(5000)}`).length < 400);
});

test('describeError: kinds, codes, statuses and paths of the cause chain — never a message', () => {
  const ucwa = new UcwaError({ status: 500, code: 'ServiceFailure', subcode: 'Search', message: `no match for ${SECRET}`, url: `https://pool/ucwa/people/search?query=${SECRET}` });
  assert.equal(describeError(ucwa), 'UcwaError 500 ServiceFailure/Search at https://pool/ucwa/people/search?query=…');
  const net = new NetworkError('timeout', `https://pool/ucwa/people/search?query=${SECRET}`, `GET … ${SECRET} timed out`);
  assert.equal(describeError(new AppError({ code: 'network', message: SECRET }, { cause: net })), 'AppError network ← NetworkError timeout at https://pool/ucwa/people/search?query=…');
  assert.equal(describeError(new BadResponseError('malformed', `GET /x?q=${SECRET}`)), 'BadResponseError malformed');
  assert.equal(describeError(new StoreError('other', `fts5: syntax error near "${SECRET}"`)), 'StoreError other');
  assert.equal(describeError(new SignInError({ code: 'wrongPassword', message: SECRET, status: 400, ucwaCode: 'invalid_grant' })), 'SignInError wrongPassword 400 invalid_grant');
  assert.equal(describeError(new SecretsError('noKeychain', SECRET)), 'SecretsError noKeychain');
  // A server's error code is free text too: only identifier-like codes are kept.
  assert.equal(describeError(new UcwaError({ status: 400, code: SECRET, message: SECRET, url: '/x' })), 'UcwaError 400 at /x');
});

test('describeError: a bug (no code) is named with where it was thrown; V8 and JSON.parse quotes are dropped', () => {
  let typeError: unknown;
  try {
    (SECRET as unknown as { x: number }).x = 1; // strict mode: "Cannot create property 'x' on string '…'"
  } catch (err) {
    typeError = err;
  }
  assert.ok((typeError as Error).message.includes(SECRET), 'V8 quotes the value in its message');
  const d = describeError(typeError);
  assert.match(d, /^TypeError at /);
  assert.match(d, /logSafe\.test\.ts:\d+/);
  let syntax: unknown;
  try {
    JSON.parse(SECRET);
  } catch (err) {
    syntax = err;
  }
  assert.ok((syntax as Error).message.includes(SECRET), 'JSON.parse quotes its input');
  for (const err of [typeError, syntax, new Error(SECRET), SECRET, { message: SECRET }]) {
    assert.ok(!describeError(err).includes('quarterly'), describeError(err));
  }
  assert.equal(describeError(SECRET), 'a thrown string');
  assert.equal(describeError(undefined), 'undefined');
  const nodeErr = Object.assign(new Error(`connect ECONNREFUSED ${SECRET}`), { code: 'ECONNREFUSED' });
  assert.equal(describeError(nodeErr), 'Error ECONNREFUSED');
});

test('1 MB adversarial hrefs and error fields: safeUrl and describeError finish in < 50 ms each (issue 11)', () => {
  const M = 1 << 20;
  const inputs = {
    letters: 'a'.repeat(M), scheme: `${'a'.repeat(M)}://x`, userinfo: `http://${'a'.repeat(M)}`, ats: `http://${'@'.repeat(M)}`,
    ampersands: `/x?${'&'.repeat(M)}`, pairs: `/x?${'a=1&'.repeat(M / 4)}`, data: `data:${'a/'.repeat(M / 2)}`, colons: ':'.repeat(M),
  };
  for (const [name, s] of Object.entries(inputs)) {
    const err = { name: s, code: s, kind: s, url: s, status: 500, stack: `x\n    at ${s}` };
    for (const [fn, run] of [['safeUrl', () => safeUrl(s)], ['describeError', () => describeError(err)]] as const) {
      const t0 = performance.now();
      const out = run();
      const ms = performance.now() - t0;
      assert.ok(ms < 50, `${fn} on ${name}: ${ms.toFixed(1)} ms`);
      assert.ok(out.length <= 700, `${fn} on ${name}: ${out.length} characters`);
    }
  }
});
