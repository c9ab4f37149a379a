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
