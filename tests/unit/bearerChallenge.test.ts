// parseBearerChallenge over the challenge shapes Microsoft published (PROTOCOL-2 §3.1 a–e): only a
// Bearer WITH authorization_uri means modern authentication; the folded single header and the
// two-header form read alike; names compare case-insensitively; commas inside quotes stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBearerChallenge, parseMsRtcOAuth } from '../../main/core/ucwa/challenge.ts';

const ISSUERS_A = '00000002-0000-0ff1-ce00-000000000000@contoso.com';
const SFB = '00000004-0000-0ff1-ce00-000000000000';

// (a) two headers, both quoted [trace CreateAnApplication]
const A = [
  `Bearer trusted_issuers="${ISSUERS_A}", client_id="${SFB}"`,
  'MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"',
];
// (b) unquoted href, MsRtcOAuth alone
const B = 'MsRtcOAuth href=https://contoso.com/WebTicket/oauthtoken,grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"';
// (c) both folded into one header value
const C = `Bearer trusted_issuers="${ISSUERS_A}", client_id="${SFB}",MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"`;
// (d) Bearer with authorization_uri (TAP trace; the URI is a placeholder)
const D_ISSUERS = '00000002-0000-0ff1-ce00-000000000000@vdomain.com,00000004-0000-0ff1-ce00-000000000000@vdomain.com';
const D = [
  `Bearer trusted_issuers="${D_ISSUERS}", client_id="${SFB}", authorization_uri="file://client/common/oauth2/authorize"`,
  'MsRtcOAuth href="https://ext.vdomain.com:4443/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"',
];
// (e) SfB Online, on a 403 (the issue text is truncated after "anonmeeti")
const E = [
  `Bearer trusted_issuers="00000001-0000-0000-c000-000000000000@*", client_id="${SFB}", authorization_uri="https://login.windows.net/common/oauth2/authorize"`,
  'MsRtcOAuth href="https://webdir0b.online.lync.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:passive,urn:microsoft.rtc:anonmeeti',
];

/** What fetch's Headers.get gives for repeated headers: the values joined with ", ". */
function joined(values: string[]): string | null {
  const h = new Headers();
  for (const v of values) h.append('WWW-Authenticate', v);
  return h.get('www-authenticate');
}

test('(a) and (c): a Bearer without authorization_uri is server-to-server information only → null', () => {
  assert.equal(parseBearerChallenge(A), null);
  assert.equal(parseBearerChallenge(joined(A)), null);
  assert.equal(parseBearerChallenge(C), null);
  // The MsRtcOAuth parser still reads the same headers.
  assert.equal(parseMsRtcOAuth(C)?.href, 'https://lyncweb.contoso.com/WebTicket/oauthtoken');
});

test('(b): no Bearer at all → null; nothing, garbage → null', () => {
  assert.equal(parseBearerChallenge(B), null);
  for (const v of [null, undefined, '', [], 'Bearer', 'Negotiate, NTLM', '"', '=', ',,,', 'Bearer authorization_uri=""']) assert.equal(parseBearerChallenge(v), null, JSON.stringify(v));
});

test('(d): two headers, the array form and the joined form alike; the quoted list keeps its comma', () => {
  for (const h of [D, joined(D)]) {
    assert.deepEqual(parseBearerChallenge(h), { authorizationUri: 'file://client/common/oauth2/authorize', clientId: SFB, trustedIssuers: D_ISSUERS });
  }
});

test('(e): the SfB Online 403 challenge, truncated MsRtcOAuth after it', () => {
  for (const h of [E, joined(E)]) {
    assert.deepEqual(parseBearerChallenge(h), { authorizationUri: 'https://login.windows.net/common/oauth2/authorize', clientId: SFB, trustedIssuers: '00000001-0000-0000-c000-000000000000@*' });
  }
});

test('(c) folded with authorization_uri, in either order, with other schemes around', () => {
  const bearer = `Bearer trusted_issuers="${ISSUERS_A}", client_id="${SFB}", authorization_uri="https://sts.contoso.com/adfs/oauth2/authorize"`;
  const ms = 'MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="password"';
  for (const h of [`${bearer},${ms}`, `${ms}, ${bearer}`, `Negotiate, NTLM, ${bearer}`, `${ms},Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg==, ${bearer}`, [`${ms}`, 'Negotiate', bearer]]) {
    assert.equal(parseBearerChallenge(h)?.authorizationUri, 'https://sts.contoso.com/adfs/oauth2/authorize', JSON.stringify(h));
    assert.equal(parseBearerChallenge(h)?.clientId, SFB);
  }
  // MsRtcOAuth's parameters never leak into the Bearer challenge.
  assert.equal(parseBearerChallenge(`${bearer},${ms}`)?.trustedIssuers, ISSUERS_A);
});

test('case-insensitive scheme and parameter names; unquoted values; escapes inside quotes', () => {
  const c = parseBearerChallenge('bearer AUTHORIZATION_URI=https://login.windows.net/common/oauth2/authorize, Client_Id="a\\"b"');
  assert.deepEqual(c, { authorizationUri: 'https://login.windows.net/common/oauth2/authorize', clientId: 'a"b' });
  assert.equal(parseBearerChallenge('BEARER authorization_uri="https://x.example/oauth2/authorize"')?.authorizationUri, 'https://x.example/oauth2/authorize');
  // "Bearer" or "authorization_uri" inside another challenge's quoted value is no challenge.
  assert.equal(parseBearerChallenge('MsRtcOAuth href="https://a/Bearer authorization_uri=https://evil/oauth2/authorize",grant_type="password"'), null);
  // The first Bearer that names an authorization server wins; a second is ignored.
  assert.equal(parseBearerChallenge(['Bearer realm="x"', 'Bearer authorization_uri="https://one/oauth2/authorize"', 'Bearer authorization_uri="https://two/oauth2/authorize"'])?.authorizationUri, 'https://one/oauth2/authorize');
  // A token68 (Negotiate's blob) is no scheme, even one that spells "bearer"; what follows is Negotiate's.
  assert.equal(parseBearerChallenge('Negotiate bearer, authorization_uri="https://evil/oauth2/authorize"'), null);
  // A repeated parameter keeps its first value.
  assert.equal(parseBearerChallenge('Bearer authorization_uri="https://one/oauth2/authorize", authorization_uri="https://two/oauth2/authorize"')?.authorizationUri, 'https://one/oauth2/authorize');
});

test('linear time on adversarial headers (the time grows like the input, not its square)', () => {
  const MB = 1 << 20;
  const inputs = ['Bearer ', 'a=,', 'Bearer a="\\', ' ', ', Bearer authorization_uri="', 'a="x,', '\\', ';'].map((u) => `Bearer ${u.repeat(Math.ceil(MB / u.length))}`);
  const best = (s: string) => {
    let t = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      parseBearerChallenge(s);
      t = Math.min(t, performance.now() - start);
    }
    return t;
  };
  for (const big of inputs) {
    const full = best(big);
    if (full < 50) continue; // fast at 1 MB: linear enough
    // 1 MB against 128 KB: linear 8x, quadratic 64x (22 ≈ their geometric mean). A quarter's 4x vs
    // 16x was too close: a loaded CI machine measured 10.5x for this linear scan (as linearTime.test.ts found).
    const growth = full / Math.max(best(big.slice(0, big.length / 8)), 0.01);
    assert.ok(growth < 22, `${JSON.stringify(big.slice(0, 30))}…: ${full.toFixed(0)} ms, ${growth.toFixed(1)}x from 128 KB to 1 MB`);
  }
});
