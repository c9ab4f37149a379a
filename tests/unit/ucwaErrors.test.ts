// ucwa/ and secrets/ throw only their own errors; the app maps them to the AppError the user reads
// (same code, same sentence). Retry-After in both forms; what a failed P-GET means.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discover, requestToken } from '../../main/core/ucwa/auth.ts';
import { assertDiscoveryTarget, assertSecureScheme, assertTokenOrigin, sipDomain } from '../../main/core/ucwa/hypermedia.ts';
import { MAX_RETRY_AFTER_MS, NetworkError, parseRetryAfter, retryAfterMsOf, SignInError, UcwaError, BadResponseError } from '../../main/core/ucwa/errors.ts';
import { errorFromResponse, type HttpResponse, type Transport } from '../../main/core/ucwa/transport.ts';
import { channelFailureKind, EventChannel, type ChannelFailureKind } from '../../main/core/ucwa/eventChannel.ts';
import type { UcwaClient } from '../../main/core/ucwa/client.ts';
import { SecretsError } from '../../main/core/secrets/errors.ts';
import { createMemorySecrets } from '../../main/core/secrets/keychain.ts';
import { isTransientError } from '../../main/core/machines/session.ts';
import { toAppError } from '../../main/core/app/errors.ts';

function res(status: number, opts: { json?: unknown; headers?: Record<string, string> } = {}): HttpResponse {
  const headers = new Headers({ 'content-type': 'application/json', ...opts.headers });
  return { status, headers, url: 'https://pool.contoso.com/x', text: opts.json === undefined ? '' : JSON.stringify(opts.json), json: opts.json };
}
const catching = async (fn: () => unknown): Promise<unknown> => {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
};

test('sign-in failures: SignInError in ucwa/, the same AppError code, message, status and ucwaCode as before for the user', async () => {
  const tokenT: Transport = { request: async () => res(400, { json: { error: 'invalid_grant' } }) };
  const wrong = await catching(() => requestToken(tokenT, 'https://sfb.contoso.com/oauth', { username: 'a', password: 'b' }, 0));
  assert.ok(wrong instanceof SignInError);
  assert.deepEqual(toAppError(wrong).toJSON(), { code: 'wrongPassword', message: 'The user name or password is wrong.', status: 400, ucwaCode: 'invalid_grant', subcode: undefined });
  const refusedT: Transport = { request: async () => res(400, { json: { error: 'unsupported_grant_type' } }) };
  const refused = await catching(() => requestToken(refusedT, 'https://sfb.contoso.com/oauth', { username: 'a', password: 'b' }, 0));
  assert.deepEqual(toAppError(refused).toJSON(), { code: 'server', message: 'The sign-in service refused the request (unsupported_grant_type).', status: 400, ucwaCode: 'unsupported_grant_type', subcode: undefined });

  const cases: [string, () => unknown, string, string][] = [
    ['sipDomain', () => sipDomain('not an address'), 'invalidInput', '"not an address" is not a SIP address like alice@contoso.com.'],
    ['insecure scheme', () => assertSecureScheme(new URL('http://sfb.contoso.com/')), 'insecureUrl', 'Refusing to connect to http://sfb.contoso.com: only https is allowed (except on this computer).'],
    ['outside the domain', () => assertDiscoveryTarget(new URL('https://evil.com/'), 'contoso.com'), 'insecureUrl', 'The server sent us to evil.com, which is outside contoso.com; not followed.'],
    ['token origin', () => assertTokenOrigin(new URL('https://b.contoso.com/'), 'https://a.contoso.com'), 'insecureUrl', 'A link points to https://b.contoso.com, but the sign-in token belongs to https://a.contoso.com; not followed.'],
    ['bad server address', () => discover({ request: async () => res(200) }, 'contoso.com', 'not a url'), 'invalidInput', '"not a url" is not a valid server address.'],
  ];
  for (const [name, fn, code, message] of cases) {
    const err = await catching(fn);
    assert.ok(err instanceof SignInError, name);
    const app = toAppError(err);
    assert.equal(app.code, code, name);
    assert.equal(app.message, message, name);
    assert.equal(app.cause, err, `${name}: the cause is kept`);
  }
});

test('autodiscovery offline: serverNotFound keeps its network cause through toAppError, so a persistent sign-in still retries it', async () => {
  const t: Transport = { request: async (req) => { throw new NetworkError('network', req.url, 'getaddrinfo ENOTFOUND'); } };
  const err = await catching(() => discover(t, 'contoso.com'));
  assert.ok(err instanceof SignInError && err.code === 'serverNotFound');
  const app = toAppError(err);
  assert.equal(app.message, 'No Skype for Business server answered for contoso.com.');
  assert.equal(isTransientError(app), true);
  const notFound = toAppError(new SignInError({ code: 'serverNotFound', message: 'Too many discovery redirects.' }));
  assert.equal(isTransientError(notFound), false);
});

test('keychain failures: SecretsError in secrets/, the same AppError for the user', async () => {
  const no = toAppError(new SecretsError('noKeychain', 'Your password will not be remembered: no system keychain is available.'));
  assert.deepEqual(no.toJSON(), { code: 'noKeychain', message: 'Your password will not be remembered: no system keychain is available.', status: undefined, ucwaCode: undefined, subcode: undefined });
  assert.equal(toAppError(new SecretsError('invalidInput', 'x')).code, 'invalidInput');
  assert.equal(await createMemorySecrets().getPassword('a'), null);
});

test('Retry-After: delta-seconds and HTTP-date, bounded to 10 minutes; unreadable values ignored', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Sunday, 01-Mar-26 12:00:30 GMT', now), 30_000, 'RFC 850 form');
  assert.equal(parseRetryAfter('Sun Mar  1 12:00:30 2026', now) !== undefined, true, 'asctime form');
  assert.equal(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now), 0, 'a date already past: no wait');
  assert.equal(parseRetryAfter('86400', now), MAX_RETRY_AFTER_MS);
  assert.equal(parseRetryAfter('Mon, 01 Mar 2027 12:00:00 GMT', now), MAX_RETRY_AFTER_MS);
  for (const bad of [null, undefined, '', '-5', '1.5', 'soon', '12 34']) assert.equal(parseRetryAfter(bad, now), undefined, String(bad));

  const date = errorFromResponse(res(503, { headers: { 'retry-after': 'Sun, 01 Mar 2026 12:00:07 GMT' } }), now);
  assert.equal(date.retryAfterMs, 7000);
  assert.equal(date.retryAfter, 7, 'seconds kept for compatibility');
  const delta = errorFromResponse(res(429, { headers: { 'retry-after': '3' } }), now);
  assert.equal(delta.retryAfterMs, 3000);
  assert.equal(delta.retryAfter, 3);
  const huge = errorFromResponse(res(503, { headers: { 'retry-after': '99999' } }), now);
  assert.equal(huge.retryAfterMs, MAX_RETRY_AFTER_MS);
  assert.equal(errorFromResponse(res(503)).retryAfterMs, undefined);
  assert.equal(new UcwaError({ status: 503, code: 'x', message: 'x', retryAfter: 2, url: 'u' }).retryAfterMs, 2000, 'from seconds');

  // retryAfterMsOf: on the UcwaError, or through the AppError the app made of it.
  assert.equal(retryAfterMsOf(date), 7000);
  const app = toAppError(date);
  assert.equal(app.code, 'poolUnavailable');
  assert.equal(app.message, 'The Skype for Business server is temporarily unavailable.');
  assert.equal(retryAfterMsOf(app), 7000);
  assert.equal(retryAfterMsOf(new Error('x')), undefined);
  assert.equal(retryAfterMsOf(null), undefined);
  assert.equal(retryAfterMsOf({ retryAfterMs: -1 }), undefined);
});

const ucwa = (status: number, subcode?: string) => new UcwaError({ status, code: `Http${status}`, subcode, message: `${status}`, url: 'https://pool.contoso.com/events' });

test('channelFailureKind: what a failed P-GET means', () => {
  const table: [unknown, ChannelFailureKind][] = [
    [new NetworkError('network', 'u', 'reset'), 'transient'],
    [new NetworkError('timeout', 'u', 'slow'), 'transient'],
    [new BadResponseError('malformed', 'not JSON'), 'transient'],
    [ucwa(500), 'transient'],
    [ucwa(502), 'transient'],
    [ucwa(503), 'transient'],
    [ucwa(504), 'transient'],
    [ucwa(408), 'transient'],
    [ucwa(429), 'transient'],
    [ucwa(404, 'ApplicationNotFound'), 'applicationGone'],
    [ucwa(410, 'InactiveApplicationExpired'), 'applicationGone'],
    [ucwa(409, 'PGetReplaced'), 'applicationGone'],
    [ucwa(410, 'TooManyApplications'), 'fatal'],
    [ucwa(410), 'fatal'],
    [new SignInError({ code: 'wrongPassword', message: 'x', status: 400 }), 'fatal'],
    [ucwa(403), 'rediscover'],
    [ucwa(401), 'rediscover'],
    [ucwa(400), 'rediscover'],
    [ucwa(404), 'rediscover'],
    [ucwa(409, 'Other'), 'rediscover'],
    [ucwa(451), 'rediscover'],
    [new SignInError({ code: 'insecureUrl', message: 'x' }), 'rediscover'],
    [new SignInError({ code: 'server', message: 'x', status: 400 }), 'rediscover'],
    [new Error('bug'), 'transient'],
  ];
  for (const [err, kind] of table) assert.equal(channelFailureKind(err), kind, err instanceof Error ? err.message || err.name : String(err));
});

test('event channel: a 403 is reported as "rediscover" and stops the channel, never silently; a 503 pauses it with its Retry-After', async () => {
  for (const [err, kind, state] of [[ucwa(403), 'rediscover', 'stopped'], [ucwa(404), 'rediscover', 'stopped'], [ucwa(410, 'TooManyApplications'), 'fatal', 'stopped'], [ucwa(404, 'ApplicationNotFound'), 'applicationGone', 'stopped'], [ucwa(503), 'transient', 'paused']] as const) {
    const failures: { err: unknown; paused: boolean; kind: ChannelFailureKind }[] = [];
    const client = { getJson: async () => { throw err; } } as unknown as UcwaClient;
    const logs: string[] = [];
    const ch = new EventChannel({
      client, startHref: '/events', timeoutSec: 180, clientTimeoutMs: 1000,
      onBatch: () => undefined, onReset: () => undefined,
      onFailure: (e, paused, k) => { failures.push({ err: e, paused, kind: k }); },
      log: (l) => logs.push(l),
    });
    ch.start();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    assert.equal(failures.length, 1, `${err.status}: reported once`);
    assert.equal(failures[0]!.err, err);
    assert.equal(failures[0]!.kind, kind);
    assert.equal(failures[0]!.paused, state === 'paused');
    assert.equal(ch.state, state);
    assert.ok(logs.some((l) => l.includes(kind)), 'logged');
  }
  const busy = new UcwaError({ status: 503, code: 'ServiceUnavailable', message: '503', retryAfterMs: 4000, url: 'u' });
  assert.equal(channelFailureKind(busy), 'transient');
  assert.equal(retryAfterMsOf(busy), 4000);
});
