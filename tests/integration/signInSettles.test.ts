// A sign-in settles promptly even when the server makes it wait (found by the fuzz suite, issue 11):
// signed in and the application made, the first P-GET answers garbage and the application probe
// answers 503 with Retry-After: 3600. The session is then reconnecting before it was ever online;
// signIn() used to stay pending until that retry (clamped to minutes). It now settles as
// 'reconnecting', with the retry time, and the session goes on trying by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shapes } from '../fuzz/corpus.ts';
import { createMessengerService } from '../../main/core/app/service.ts';
import { createMemoryStore } from '../../main/core/store/memoryStore.ts';

for (const status of [503, 502]) {
  test(`sign-in whose channel fails at once and whose server says Retry-After: 3600 (${status}) settles as reconnecting`, async () => {
    const c = shapes();
    let probes = 0;
    const srv = createServer((req, res) => {
      const p = (req.url ?? '').split('?')[0]!.toLowerCase();
      const j = (s: number, b: unknown, h: Record<string, string> = {}) => res.writeHead(s, { 'content-type': 'application/json', ...h }).end(s === 204 ? undefined : JSON.stringify(b));
      if (p.endsWith('/root')) return j(200, c.root[0]);
      if (p.endsWith('/oauth/user')) {
        return req.headers.authorization
          ? j(200, c.user.find((u) => JSON.stringify(u).includes('applications')))
          : j(401, {}, { 'www-authenticate': `MsRtcOAuth href="http://127.0.0.1:${port}/WebTicket/oauthtoken",grant_type="password"` });
      }
      if (p === '/webticket/oauthtoken') return j(200, { access_token: 'cwt=X', token_type: 'Bearer', expires_in: 3600 });
      if (req.method === 'POST' && p.endsWith('/applications')) return j(201, c.application[0]);
      if (req.method === 'POST') return j(204, '');
      if (p.includes('/events')) return j(200, { junk: 1 });
      if (p.endsWith('/applications/101')) return ++probes <= 1 ? j(200, c.application[1]) : j(status, { code: 'ServiceFailure' }, { 'retry-after': '3600' });
      return j(404, {});
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    const svc = createMessengerService({ fetch, store: createMemoryStore(), endpointId: 'e', timing: { backoffBaseMs: 5, backoffMaxMs: 50 } });
    try {
      const pending = svc.signIn({ sip: 'demo@contoso.com', password: 'x', server: `http://127.0.0.1:${port}/autodiscover/autodiscoverservice.svc/root` });
      const timeout = new Promise<'pending'>((r) => setTimeout(() => r('pending'), 5_000).unref());
      const s = await Promise.race([pending, timeout]);
      assert.notEqual(s, 'pending', 'signIn settled');
      assert.equal(typeof s === 'object' && s.status, 'reconnecting');
      assert.ok(typeof s === 'object' && s.nextRetryAt !== null && s.nextRetryAt > Date.now() + 60_000, 'the state says when it tries again');
    } finally {
      await svc.signOut().catch(() => undefined);
      await svc.close();
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });
}
