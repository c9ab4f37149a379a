import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDataUrl, encodeDataUrl, tryDecodeDataUrl } from '../../main/core/ucwa/dataUrl.ts';
import { parseUcwaDate } from '../../main/core/ucwa/dates.ts';
import { parseMsRtcOAuth } from '../../main/core/ucwa/challenge.ts';
import { parseBatch } from '../../main/core/ucwa/events.ts';
import { errorFromResponse } from '../../main/core/ucwa/transport.ts';
import { assertDiscoveryTarget, assertTokenOrigin, isInDomain } from '../../main/core/ucwa/hypermedia.ts';
import { redact } from '../../main/core/ucwa/redact.ts';
import { backoffDelay } from '../../main/core/machines/backoff.ts';

test('data URLs: PROTOCOL.md literal samples', () => {
  assert.equal(decodeDataUrl('data:text/plain;charset=utf-8,Hi+Tosh%0d%0a').text, 'Hi Tosh\r\n');
  assert.equal(decodeDataUrl('data:text/plain;base64,SGVsbG8=').text, 'Hello');
  assert.equal(decodeDataUrl('data:text/plain;charset=utf8,URLEncodedMessageString').text, 'URLEncodedMessageString');
  assert.equal(decodeDataUrl('data:text/plain;charset=utf-8,Following+up').text, 'Following up');
  // `+` is a base64 digit, not a space
  assert.equal(decodeDataUrl(`data:text/plain;base64,${Buffer.from('>>>?').toString('base64')}`).text, '>>>?');
  assert.equal(decodeDataUrl('data:text/html;base64,PGI+aGk8L2I+').mimeType, 'text/html');
  assert.equal(decodeDataUrl('data:text/plain,caf%C3%A9').text, 'café');
  assert.equal(tryDecodeDataUrl('https://x/'), null);
  assert.equal(tryDecodeDataUrl(undefined), null);
  const s = 'a+b c&d=é\n😀';
  assert.equal(decodeDataUrl(encodeDataUrl(s)).text, s);
});

test('dates: ASP.NET and ISO', () => {
  assert.equal(parseUcwaDate('/Date(1474932024587)/'), 1474932024587);
  assert.equal(parseUcwaDate('\\/Date(1474932024587)\\/'.replace(/\\/g, '')), 1474932024587);
  assert.equal(parseUcwaDate('/Date(1474932024587+0100)/'), 1474932024587);
  assert.equal(parseUcwaDate('2016-09-26T16:20:24.6066543-07:00'), Date.parse('2016-09-26T16:20:24.606-07:00'));
  assert.equal(parseUcwaDate('nonsense'), null);
});

test('WWW-Authenticate: quoted, unquoted, among several headers', () => {
  const quoted = 'MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"';
  const bearer = 'Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@contoso.com", client_id="00000004-0000-0ff1-ce00-000000000000"';
  for (const h of [quoted, `${bearer}, ${quoted}`, [bearer, quoted], `${quoted}, ${bearer}`]) {
    const c = parseMsRtcOAuth(h);
    assert.equal(c?.href, 'https://lyncweb.contoso.com/WebTicket/oauthtoken');
    assert.deepEqual(c?.grantTypes, ['urn:microsoft.rtc:windows', 'urn:microsoft.rtc:anonmeeting', 'password']);
  }
  const unq = parseMsRtcOAuth('MsRtcOAuth href=https://contoso.com/WebTicket/oauthtoken,grant_type="password"');
  assert.equal(unq?.href, 'https://contoso.com/WebTicket/oauthtoken');
  assert.deepEqual(unq?.grantTypes, ['password']);
  assert.equal(parseMsRtcOAuth(bearer), null);
});

test('event batches: embedded keyed by rel, normalised phases, resync-only body, garbage rejected', () => {
  const b = parseBatch({
    _links: { self: { href: '/e?ack=2' }, next: { href: '/e?ack=3' } },
    sender: [{ rel: 'conversation', href: '/c/1', events: [
      { link: { rel: 'localParticipant', href: '/c/1/p/me' }, _embedded: { localParticipant: { rel: 'participant', name: 'Me' } }, type: 'added' },
      { link: { rel: 'participant', href: '/c/1/p/x' }, in: { rel: 'typingParticipants', href: '/t' }, type: 'deleted' },
      { bogus: true },
      { link: { rel: 'weird', href: '/w' }, type: 'exploded' },
    ] }],
  });
  assert.equal(b.next, '/e?ack=3');
  assert.equal(b.events.length, 3);
  assert.equal(b.events[0]?.phase, 'start');
  assert.equal(b.events[0]?.resource?.name, 'Me');
  assert.equal(b.events[1]?.phase, 'end');
  assert.equal(b.events[1]?.inRel, 'typingParticipants');
  assert.equal(b.events[2]?.phase, 'unknown');
  assert.equal(parseBatch({ _links: { resync: { href: '/e?ack=1' } } }).resync, '/e?ack=1');
  assert.throws(() => parseBatch({ _links: {} }), /no next/);
  assert.throws(() => parseBatch('html'), /JSON/);
});

test('error bodies: JSON only when the content type says so', () => {
  const mk = (status: number, ct: string, text: string) => ({ status, headers: new Headers({ 'content-type': ct, 'retry-after': '7' }), url: 'u', text, json: ct.includes('json') ? JSON.parse(text) : undefined });
  const e = errorFromResponse(mk(409, 'application/json', '{"code":"Conflict","subcode":"AlreadyExists","message":"exists"}'));
  assert.equal(e.status, 409); assert.equal(e.code, 'Conflict'); assert.equal(e.subcode, 'AlreadyExists'); assert.equal(e.retryAfter, 7);
  const p = errorFromResponse(mk(502, 'text/html', '<html>{"code":"X"}</html>'));
  assert.equal(p.code, 'BadGateway'); assert.equal(p.subcode, undefined);
});

test('hypermedia guard: domain, scheme, token origin; redaction', () => {
  assert.ok(isInDomain('lyncweb.contoso.com', 'contoso.com'));
  assert.ok(!isInDomain('evilcontoso.com', 'contoso.com'));
  assert.throws(() => assertDiscoveryTarget(new URL('https://evil.com/'), 'contoso.com'), (e: Error & { code?: string }) => e.code === 'insecureUrl');
  assert.throws(() => assertDiscoveryTarget(new URL('http://lyncweb.contoso.com/'), 'contoso.com'), (e: Error & { code?: string }) => e.code === 'insecureUrl');
  // Loopback counts only when the server the user gave is itself loopback (issue 11).
  assertDiscoveryTarget(new URL('http://127.0.0.1:9/'), 'contoso.com', true);
  assert.throws(() => assertDiscoveryTarget(new URL('http://localhost:9/'), 'contoso.com'), (e: Error & { code?: string }) => e.code === 'insecureUrl');
  assert.throws(() => assertDiscoveryTarget(new URL('https://127.0.0.1:9/'), 'contoso.com'), (e: Error & { code?: string }) => e.code === 'insecureUrl');
  assert.ok(!isInDomain('localhost', 'contoso.com'));
  assert.ok(isInDomain('localhost', 'contoso.com', true));
  assert.throws(() => assertTokenOrigin(new URL('https://b.contoso.com/x'), 'https://a.contoso.com'), (e: Error & { code?: string }) => e.code === 'insecureUrl');
  assert.equal(redact('Authorization: Bearer cwt=AAEB.buHc x'), 'Authorization: Bearer [redacted] x');
  assert.ok(!redact('GET /x?password=secret&u=1').includes('secret'));
});

test('backoff: full jitter within 1 s → 60 s', () => {
  assert.equal(backoffDelay(0, 1000, 60_000, () => 0.999), 999);
  assert.ok(backoffDelay(10, 1000, 60_000, () => 0.999) <= 60_000);
  assert.ok(backoffDelay(3, 1000, 60_000, () => 0) > 0);
});

test('stripHtml: block ends become line breaks, references decoded once, scripts dropped', async () => {
  const { stripHtml } = await import('../../main/core/ucwa/resources.ts');
  assert.equal(stripHtml('<p>Agenda:</p><ul><li>Status</li><li>Risks</li></ul>'), 'Agenda:\nStatus\nRisks');
  assert.equal(stripHtml('tea&#8217;s &amp;lt; <b>fine</b><br>next &#x1F600;'), 'tea’s &lt; fine\nnext 😀');
  assert.equal(stripHtml('a<script>alert(1)</script>b<style>p{}</style>c'), 'abc');
  // As the HTML spec decodes them (htmlparser2): NUL and out-of-range references become U+FFFD.
  assert.equal(stripHtml('&#0; &#x110000; &bogus;'), '\uFFFD \uFFFD &bogus;');
});
