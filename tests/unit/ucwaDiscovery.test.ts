// Discovery's failures in words that point at the right fix: a server the user named that does not
// answer is "could not reach <host>" (network); autodiscovery that finds nothing is serverNotFound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { discover } from '../../main/core/ucwa/auth.ts';
import { createTransport, type Transport } from '../../main/core/ucwa/transport.ts';
import { NetworkError, SignInError } from '../../main/core/ucwa/errors.ts';
import { toAppError } from '../../main/core/app/errors.ts';

/** A loopback port nobody listens on (bound, then closed): connecting is refused. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

// ucwa/ throws its own SignInError; what the user reads is the AppError it maps to (same code and words).
const isCode = (code: string, message?: RegExp) => (e: unknown) => {
  if (!(e instanceof SignInError) || e.code !== code || (message && !message.test(e.message))) return false;
  const app = toAppError(e);
  return app.code === code && app.message === e.message;
};

test('an explicit server that refuses the connection: network, "Could not reach <host>"', async () => {
  const port = await closedPort();
  const t = createTransport({ fetch: (url, init) => fetch(url, init), defaultTimeoutMs: 3000 });
  await assert.rejects(
    discover(t, 'contoso.com', `http://127.0.0.1:${port}/autodiscover/autodiscoverservice.svc/root`),
    isCode('network', new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port}: the connection failed\\.$`)),
  );
});

test('an explicit server that does not answer in time: network, says so', async () => {
  const t: Transport = { request: async (req) => { throw new NetworkError('timeout', req.url, 'timed out'); } };
  await assert.rejects(discover(t, 'contoso.com', 'https://sfb.contoso.com/autodiscover/autodiscoverservice.svc/root'),
    isCode('network', /^Could not reach sfb\.contoso\.com: it did not answer in time\.$/));
});

test('an explicit server whose certificate is not trusted: certificate, not network', async () => {
  const t: Transport = {
    request: async (req) => {
      throw new NetworkError('network', req.url, 'fetch failed', { cause: new TypeError('fetch failed', { cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) }) });
    },
  };
  await assert.rejects(discover(t, 'contoso.com', 'https://sfb.contoso.com/root'), isCode('certificate', /sfb\.contoso\.com/));
});

test('autodiscovery where neither lyncdiscover name answers: serverNotFound for the domain', async () => {
  const tried: string[] = [];
  const t: Transport = { request: async (req) => { tried.push(new URL(req.url).host); throw new NetworkError('network', req.url, 'getaddrinfo ENOTFOUND'); } };
  await assert.rejects(discover(t, 'contoso.com'), isCode('serverNotFound', /contoso\.com/));
  // https first; only when neither answers at all, the same names over http as a first hop (§3.9).
  assert.deepEqual(tried, ['lyncdiscoverinternal.contoso.com', 'lyncdiscover.contoso.com', 'lyncdiscoverinternal.contoso.com', 'lyncdiscover.contoso.com']);
});

/** A transport answering each URL from a table (a server the test plays, no sockets). */
function scripted(routes: Record<string, { status?: number; json?: unknown; location?: string; wwwAuthenticate?: string }>, seen: string[] = []): Transport {
  return {
    request: async (req) => {
      seen.push(`${req.method} ${req.url}`);
      const r = routes[req.url];
      if (!r) throw new NetworkError('network', req.url, 'ECONNREFUSED');
      const headers = new Headers();
      if (r.location) headers.set('location', r.location);
      if (r.wwwAuthenticate) headers.set('www-authenticate', r.wwwAuthenticate);
      return { status: r.status ?? 200, headers, url: req.url, text: JSON.stringify(r.json ?? {}), json: r.json };
    },
  };
}

test('the discovery `user` link is checked like a redirect: http:, file: and loopback are refused before any request; a foreign https host only from an https answer', async () => {
  for (const user of ['http://lyncweb.contoso.com/user', 'file:///etc/passwd', 'http://localhost:9/user']) {
    const seen: string[] = [];
    const t = scripted({ 'https://lyncdiscover.contoso.com/': { json: { _links: { user: { href: user } } } } }, seen);
    await assert.rejects(discover(t, 'contoso.com', 'https://lyncdiscover.contoso.com/'), isCode('insecureUrl'), user);
    assert.deepEqual(seen, ['GET https://lyncdiscover.contoso.com/'], `nothing was requested of ${user}`);
  }
  const t = scripted({ 'https://lyncdiscover.contoso.com/': { json: { _links: { user: { href: 'https://lyncweb.contoso.com/user' } } } } });
  assert.equal(await discover(t, 'contoso.com', 'https://lyncdiscover.contoso.com/'), 'https://lyncweb.contoso.com/user');
  // Microsoft's security check (RootURL): an answer received over HTTPS may name a pool in another
  // domain (several SIP domains on one pool) — the certificate vouches for it.
  const other = scripted({ 'https://lyncdiscover.contoso.com/': { json: { _links: { user: { href: 'https://lyncweb.fabrikam.com/user' } } } } });
  assert.equal(await discover(other, 'contoso.com'), 'https://lyncweb.fabrikam.com/user');
});

test('the HTTP first hop: tried only when no https name answers; its redirect to https inside the domain is followed; anything else from it is refused', async () => {
  const seen: string[] = [];
  const ok = scripted({
    'http://lyncdiscover.contoso.com/': { status: 301, location: 'https://lyncweb.contoso.com/root' },
    'https://lyncweb.contoso.com/root': { json: { _links: { user: { href: 'https://lyncweb.contoso.com/user' } } } },
  }, seen);
  assert.equal(await discover(ok, 'contoso.com'), 'https://lyncweb.contoso.com/user');
  assert.deepEqual(seen, [
    'GET https://lyncdiscoverinternal.contoso.com/', 'GET https://lyncdiscover.contoso.com/',
    'GET http://lyncdiscoverinternal.contoso.com/', 'GET http://lyncdiscover.contoso.com/', 'GET https://lyncweb.contoso.com/root',
  ]);
  // From plain http: a redirect to http, or to another domain, and a body naming another domain — refused.
  for (const [what, route] of [
    ['redirect to http', { status: 302, location: 'http://lyncweb.contoso.com/root' }],
    ['redirect to another domain', { status: 302, location: 'https://lyncweb.fabrikam.com/root' }],
    ['a body naming another domain', { json: { _links: { user: { href: 'https://lyncweb.fabrikam.com/user' } } } }],
    ['a body naming an http user', { json: { _links: { user: { href: 'http://lyncweb.contoso.com/user' } } } }],
  ] as const) {
    const s2: string[] = [];
    const t = scripted({ 'http://lyncdiscover.contoso.com/': route }, s2);
    await assert.rejects(discover(t, 'contoso.com'), isCode('insecureUrl'), what);
    assert.ok(!s2.some((x) => /fabrikam|GET http:\/\/lyncweb/.test(x)), `${what}: nothing requested there: ${s2.join(', ')}`);
  }
  // An https name that answers (even with an error) means no http is tried.
  const s3: string[] = [];
  const answered = scripted({ 'https://lyncdiscover.contoso.com/': { status: 404 } }, s3);
  await assert.rejects(discover(answered, 'contoso.com'));
  assert.ok(!s3.some((x) => x.includes('http://')), s3.join(', '));
});

test('loopback is trusted only when the server the user named is itself loopback: a token challenge at http://localhost never gets the password', async () => {
  const { signInToPool } = await import('../../main/core/ucwa/auth.ts');
  const seen: string[] = [];
  const t = scripted({
    'https://lyncweb.contoso.com/user': { status: 401, wwwAuthenticate: 'MsRtcOAuth href="http://localhost:7777/oauth/token",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"' },
  }, seen);
  await assert.rejects(signInToPool(t, 'https://lyncweb.contoso.com/user', 'contoso.com', { username: 'a@contoso.com', password: 'secret' }, Date.now), isCode('insecureUrl'));
  assert.ok(!seen.some((s) => s.includes('localhost')), `no request to localhost: ${seen.join(', ')}`);
  // With a loopback server named by the user (the simulator), loopback token services are fine.
  const localSeen: string[] = [];
  const local2 = scripted({
    'http://127.0.0.1:8/user': { status: 401, wwwAuthenticate: 'MsRtcOAuth href="http://127.0.0.1:8/oauth/token",grant_type="password"' },
    'http://127.0.0.1:8/oauth/token': { json: { access_token: 't', expires_in: 60 } },
  }, localSeen);
  // (It then stops: the scripted user resource never accepts the token.)
  await assert.rejects(signInToPool(local2, 'http://127.0.0.1:8/user', 'contoso.com', { username: 'a@contoso.com', password: 'x' }, Date.now, undefined, true));
  assert.ok(localSeen.includes('POST http://127.0.0.1:8/oauth/token'), `the loopback token service was asked: ${localSeen.join(', ')}`);
  // A token service on another origin than the user resource would issue a token this client may
  // not bring back to it: refused before the password goes (loopback or not).
  const elsewhere: string[] = [];
  const local3 = scripted({
    'http://127.0.0.1:8/user': { status: 401, wwwAuthenticate: 'MsRtcOAuth href="http://localhost:8/oauth/token",grant_type="password"' },
  }, elsewhere);
  await assert.rejects(signInToPool(local3, 'http://127.0.0.1:8/user', 'contoso.com', { username: 'a@contoso.com', password: 'x' }, Date.now, undefined, true), isCode('insecureUrl'));
  assert.ok(!elsewhere.some((x) => x.startsWith('POST')), elsewhere.join(', '));
});

test('the security check trusts Microsoft\'s hosted names from an http first hop (hybrid: lyncdiscover points at Skype for Business Online)', async () => {
  const t = scripted({
    'http://lyncdiscover.contoso.com/': { json: { _links: { redirect: { href: 'https://webdir0e.online.lync.com/Autodiscover/AutodiscoverService.svc/root' } } } },
    'https://webdir0e.online.lync.com/Autodiscover/AutodiscoverService.svc/root': { json: { _links: { user: { href: 'https://webdir0e.online.lync.com/user' } } } },
  });
  assert.equal(await discover(t, 'contoso.com'), 'https://webdir0e.online.lync.com/user');
});

test('the sign-in method: a modern-authentication placeholder (file://…) is no offer and does not hide the password grant; the CLI\'s Windows sign-in needs a password', async () => {
  const { signInToPool } = await import('../../main/core/ucwa/auth.ts');
  const challenge = 'Bearer trusted_issuers="x", client_id="00000004-0000-0ff1-ce00-000000000000", authorization_uri="file://client/common/oauth2/authorize", MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,password"';
  const seen: string[] = [];
  const t = scripted({
    'https://lyncweb.contoso.com/user': { status: 401, wwwAuthenticate: challenge },
    'https://lyncweb.contoso.com/WebTicket/oauthtoken': { json: { access_token: 'cwt=x', expires_in: 60 } },
  }, seen);
  let modernAsked = false;
  await assert.rejects(signInToPool(t, 'https://lyncweb.contoso.com/user', 'contoso.com', { username: 'a', password: 'pw' }, Date.now, undefined, false, {
    preferModern: true, modern: async () => { modernAsked = true; throw new Error('not here'); },
  }));
  assert.equal(modernAsked, false, 'the placeholder authorization_uri is not used');
  assert.ok(seen.includes('POST https://lyncweb.contoso.com/WebTicket/oauthtoken'), `the password grant was used: ${seen.join(', ')}`);
  // No password typed, and Windows sign-in here needs one (NTLM): said in words, nothing sent.
  const quiet: string[] = [];
  const t2 = scripted({ 'https://lyncweb.contoso.com/user': { status: 401, wwwAuthenticate: 'MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,password"' } }, quiet);
  let windowsAsked = false;
  await assert.rejects(signInToPool(t2, 'https://lyncweb.contoso.com/user', 'contoso.com', { username: 'a', password: '' }, Date.now, undefined, false, {
    windowsNeedsPassword: true, windows: async () => { windowsAsked = true; throw new Error('not here'); },
  }), isCode('invalidInput', /enter your password/));
  assert.equal(windowsAsked, false);
  assert.ok(!quiet.some((x) => x.startsWith('POST')), quiet.join(', '));
});

test('a 403 carrying a challenge (a stale token, as Skype for Business Online answers) renews the token once, as a 401 does', async () => {
  const { UcwaClient } = await import('../../main/core/ucwa/client.ts');
  let calls = 0;
  const t: Transport = {
    request: async (req) => {
      const headers = new Headers();
      if (req.url.endsWith('/x')) {
        calls++;
        if (calls === 1) {
          headers.set('www-authenticate', 'Bearer trusted_issuers="x", client_id="y", MsRtcOAuth href="https://pool.contoso.com/WebTicket/oauthtoken",grant_type="password"');
          headers.set('warning', '120 pool "InvalidToken"');
          return { status: 403, headers, url: req.url, text: '', json: undefined };
        }
        headers.set('content-type', 'application/json');
        return { status: 200, headers, url: req.url, text: '{}', json: {} };
      }
      return { status: 200, headers, url: req.url, text: '', json: { access_token: 'cwt=new', expires_in: 3600 } };
    },
  };
  const now = Date.now();
  let regrants = 0;
  const client = new UcwaClient({
    transport: t, credentials: { username: 'a', password: 'b' }, poolBase: 'https://pool.contoso.com/', now: Date.now,
    token: { accessToken: 'cwt=old', tokenType: 'Bearer', expiresAt: now + 3_600_000, renewAt: now + 3_000_000, origin: 'https://pool.contoso.com', tokenUrl: 'https://pool.contoso.com/WebTicket/oauthtoken' },
    regrant: async () => {
      regrants++;
      return { accessToken: 'cwt=new', tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000, renewAt: Date.now() + 3_000_000, origin: 'https://pool.contoso.com', tokenUrl: 'https://pool.contoso.com/WebTicket/oauthtoken' };
    },
  });
  const res = await client.request('GET', '/x');
  assert.equal(res.status, 200);
  assert.equal(regrants, 1);
});
