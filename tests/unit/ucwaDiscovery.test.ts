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
  assert.deepEqual(tried, ['lyncdiscoverinternal.contoso.com', 'lyncdiscover.contoso.com']);
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

test('the discovery `user` link is checked like a redirect: http:, file: and foreign hosts are refused before any request', async () => {
  for (const user of ['http://lyncweb.contoso.com/user', 'file:///etc/passwd', 'https://evil.example/user', 'http://localhost:9/user']) {
    const seen: string[] = [];
    const t = scripted({ 'https://lyncdiscover.contoso.com/': { json: { _links: { user: { href: user } } } } }, seen);
    await assert.rejects(discover(t, 'contoso.com', 'https://lyncdiscover.contoso.com/'), isCode('insecureUrl'), user);
    assert.deepEqual(seen, ['GET https://lyncdiscover.contoso.com/'], `nothing was requested of ${user}`);
  }
  const t = scripted({ 'https://lyncdiscover.contoso.com/': { json: { _links: { user: { href: 'https://lyncweb.contoso.com/user' } } } } });
  assert.equal(await discover(t, 'contoso.com', 'https://lyncdiscover.contoso.com/'), 'https://lyncweb.contoso.com/user');
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
    'http://127.0.0.1:8/user': { status: 401, wwwAuthenticate: 'MsRtcOAuth href="http://localhost:8/oauth/token",grant_type="password"' },
    'http://localhost:8/oauth/token': { json: { access_token: 't', expires_in: 60 } },
  }, localSeen);
  // (It then stops at the token-origin rule — user on 127.0.0.1, token from localhost — a different check.)
  await assert.rejects(signInToPool(local2, 'http://127.0.0.1:8/user', 'contoso.com', { username: 'a@contoso.com', password: 'x' }, Date.now, undefined, true));
  assert.ok(localSeen.includes('POST http://localhost:8/oauth/token'), `the loopback token service was asked: ${localSeen.join(', ')}`);
});
