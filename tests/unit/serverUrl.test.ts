// The sign-in Server field and the CLI's --server: one normalisation (a bare host is https://host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseServerUrl } from '../../main/core/ucwa/serverUrl.ts';
import { parseArgs } from '../../main/cli/args.ts';
import { createHandlers } from '../../main/ipc/handlers.ts';

test('a bare host, host:port or full URL becomes an http(s) URL', () => {
  assert.deepEqual(normaliseServerUrl('lyncdiscover.contoso.com'), { ok: true, url: 'https://lyncdiscover.contoso.com/' });
  assert.deepEqual(normaliseServerUrl('  lyncdiscover.contoso.com:4443 '), { ok: true, url: 'https://lyncdiscover.contoso.com:4443/' });
  assert.deepEqual(normaliseServerUrl('127.0.0.1:8080/x'), { ok: true, url: 'https://127.0.0.1:8080/x' });
  assert.deepEqual(normaliseServerUrl('http://127.0.0.1:9/root'), { ok: true, url: 'http://127.0.0.1:9/root' });
  assert.deepEqual(normaliseServerUrl('HTTPS://Pool.Contoso.com/autodiscover'), { ok: true, url: 'https://pool.contoso.com/autodiscover' });
});

test('other input is refused with a sentence saying what is wanted', () => {
  for (const bad of ['ftp://contoso.com', 'not a host', 'https://', ':443', 'contoso..com', 'a@b.com', 'javascript:alert(1)']) {
    const r = normaliseServerUrl(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.message, /like lyncdiscover\.company\.com/, bad);
  }
});

test('the CLI takes a bare host for --server', () => {
  const r = parseArgs(['--server', 'lyncdiscover.contoso.com', 'history']);
  assert.ok(!('exit' in r), JSON.stringify(r));
  if (!('exit' in r)) assert.equal(r.globals.server, 'https://lyncdiscover.contoso.com/');
});

test('the signIn call takes a bare host and says in words what is wrong with other input', async () => {
  const seen: unknown[] = [];
  const service = { signIn: async (req: unknown) => { seen.push(req); return { status: 'signedOut', user: null, availability: null, error: null, nextRetryAt: null, demo: false }; }, on: () => () => undefined };
  const h = createHandlers(service as never, { log: () => undefined } as never);
  const ok = await h.signIn({ window: 'signin' }, [{ sip: 'a@contoso.com', password: 'x', server: 'lyncdiscover.contoso.com' }]);
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal((seen[0] as { server: string }).server, 'https://lyncdiscover.contoso.com/');
  const bad = await h.signIn({ window: 'signin' }, [{ sip: 'a@contoso.com', password: 'x', server: 'not a host' }]);
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.error.code, 'invalidInput');
    assert.doesNotMatch(bad.error.message, /Invalid request|Invalid URL/);
  }
  const ftp = await h.signIn({ window: 'signin' }, [{ sip: 'a@contoso.com', password: 'x', server: 'ftp://x' }]);
  assert.equal(!ftp.ok && ftp.error.code, 'invalidInput');
  assert.equal(seen.length, 1, 'the service never saw the refused ones');
});
