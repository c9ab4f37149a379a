// modernAuthToken / refreshModernToken against the simulator's fake authorization server, with a
// scripted browser as openBrowser: it fetches the authorize URL, reads the form, posts the user
// name and password (or Cancel), and follows the 302 to the app's loopback redirect. Also: a browser
// that never comes back (the timeout), abort, a forged redirect, the endpoints' scheme checks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { parseBearerChallenge } from '../../main/core/ucwa/challenge.ts';
import { NetworkError, SignInError } from '../../main/core/ucwa/errors.ts';
import { modernAuthEndpoints, modernAuthToken, refreshModernToken, type ModernAuthOptions } from '../../main/core/ucwa/modernAuth.ts';
import { createTransport, type Transport } from '../../main/core/ucwa/transport.ts';
import { open, submit, type Page } from '../simulator/oauthBrowser.ts';

const CLIENT = 'ucwa-tray-test';
const transport = createTransport({ fetch: (url, init) => fetch(url, init) });

interface Browser {
  open: (url: string) => void;
  /** Every authorize URL it was sent to. */
  urls: string[];
  /** The page the loopback redirect answered (once the script is done). */
  done: Promise<Page | undefined>;
}

/** A browser that signs in (or cancels) on the page, then follows the redirect to the app. */
function browser(script: { username?: string; password?: string; cancel?: boolean; wrongFirst?: boolean; beforeRedirect?: (location: string) => Promise<void> } = {}): Browser {
  const urls: string[] = [];
  let finish!: (p: Promise<Page | undefined>) => void;
  const done = new Promise<Page | undefined>((r) => (finish = r));
  return {
    urls,
    done,
    open(url) {
      urls.push(url);
      // Like a real browser: opening returns at once; the user acts later.
      finish((async () => {
        let page = await open(url);
        assert.equal(page.status, 200, page.html);
        const creds = { username: script.username ?? 'alice@contoso.com', password: script.password ?? 'pw' };
        if (script.wrongFirst) {
          page = await submit(page, { ...creds, password: 'not it' }, 'Sign in');
          assert.match(page.html, /Incorrect user name or password/);
        }
        const sent = await submit(page, creds, script.cancel ? 'Cancel' : 'Sign in');
        assert.equal(sent.status, 302, sent.html);
        const location = sent.location ?? '';
        await script.beforeRedirect?.(location);
        return open(location);
      })());
    },
  };
}

/** The unauthenticated GET of the user resource → its challenge, as the sign-in code will see it. */
async function challengeOf(sim: Simulator): Promise<{ authorizationUri: string; resource: string; userUrl: string }> {
  const root = await transport.request({ method: 'GET', url: sim.url, headers: { Accept: 'application/json' } });
  const userUrl = (root.json as { _links: { user: { href: string } } })._links.user.href;
  const res = await transport.request({ method: 'GET', url: userUrl, headers: { Accept: 'application/json' } });
  assert.equal(res.status, 401);
  const bearer = parseBearerChallenge(res.headers.get('www-authenticate'));
  assert.ok(bearer, 'a Bearer challenge with authorization_uri');
  return { authorizationUri: bearer.authorizationUri, resource: `${new URL(userUrl).origin}/`, userUrl };
}

async function expectClosed(redirectUri: string): Promise<void> {
  await assert.rejects(fetch(redirectUri), TypeError, 'the loopback server is closed');
}

const redirectOf = (authorizeUrl: string): string => new URL(authorizeUrl).searchParams.get('redirect_uri') ?? '';

describe('modern authentication in the system browser (authorization code + PKCE, loopback redirect)', () => {
  let sim: Simulator;
  let base: Omit<ModernAuthOptions, 'openBrowser'>;
  let userUrl: string;
  before(async () => {
    sim = await startSimulator({ demoWorld: false, timeScale: 0.01, modernAuth: { clientIds: [CLIENT] }, users: [{ sip: 'sip:alice@contoso.com', name: 'Alice', password: 'pw' }] });
    const c = await challengeOf(sim);
    userUrl = c.userUrl;
    base = { transport, authorizationUri: c.authorizationUri, resource: c.resource, clientId: CLIENT, now: Date.now, timeoutMs: 10_000 };
  });
  after(() => sim.stop());

  it('signs in: the token opens the user resource; the loopback page says to go back; the server is closed', async () => {
    const b = browser({ wrongFirst: true });
    const token = await modernAuthToken({ ...base, openBrowser: b.open });
    const page = await b.done;
    assert.equal(page?.status, 200);
    assert.match(page?.html ?? '', /You can close this window and return to UCWA Tray/);
    // What the app asked for: PKCE S256, its loopback redirect on 127.0.0.1, the pool as resource.
    const q = new URL(b.urls[0] ?? '').searchParams;
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('code_challenge') ?? '', /^[\w-]{43}$/);
    assert.match(q.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(q.get('resource'), `${sim.origin}/`);
    assert.equal(q.get('client_id'), CLIENT);
    assert.ok((q.get('state') ?? '').length >= 16);
    // The token: for the pool's origin, from the authority's token endpoint, renewable.
    assert.equal(token.origin, sim.origin);
    assert.equal(token.tokenUrl, `${sim.origin}/oauth2/token`);
    assert.equal(token.tokenType, 'Bearer');
    assert.ok(token.refreshToken);
    assert.ok(token.expiresAt > Date.now() && token.renewAt < token.expiresAt);
    const user = await transport.request({ method: 'GET', url: userUrl, headers: { Accept: 'application/json', Authorization: `Bearer ${token.accessToken}` } });
    assert.equal(user.status, 200);
    assert.ok((user.json as { _links: Record<string, unknown> })._links.applications);
    await expectClosed(redirectOf(b.urls[0] ?? ''));
  });

  it('refreshes without the browser; the new token works, the spent refresh token is wrongPassword (invalid_grant)', async () => {
    const b = browser();
    const first = await modernAuthToken({ ...base, openBrowser: b.open });
    const next = await refreshModernToken({ transport, tokenUrl: first.tokenUrl, refreshToken: first.refreshToken ?? '', resource: base.resource, clientId: CLIENT, now: Date.now });
    assert.notEqual(next.accessToken, first.accessToken);
    assert.ok(next.refreshToken && next.refreshToken !== first.refreshToken);
    assert.equal(next.origin, sim.origin);
    const user = await transport.request({ method: 'GET', url: userUrl, headers: { Authorization: `Bearer ${next.accessToken}` } });
    assert.equal(user.status, 200);
    await assert.rejects(
      refreshModernToken({ transport, tokenUrl: first.tokenUrl, refreshToken: first.refreshToken ?? '', resource: base.resource, clientId: CLIENT, now: Date.now }),
      (e: unknown) => e instanceof SignInError && e.code === 'wrongPassword' && e.ucwaCode === 'invalid_grant',
    );
    await assert.rejects(
      refreshModernToken({ transport, tokenUrl: first.tokenUrl, refreshToken: next.refreshToken ?? '', resource: base.resource, clientId: 'unregistered', now: Date.now }),
      (e: unknown) => e instanceof SignInError && e.code === 'server' && /invalid_client/.test(e.message),
    );
  });

  it('Cancel in the browser → signInCancelled, and the server is closed', async () => {
    const b = browser({ cancel: true });
    await assert.rejects(modernAuthToken({ ...base, openBrowser: b.open }), (e: unknown) => e instanceof SignInError && e.code === 'signInCancelled' && e.message === 'Sign-in was cancelled in the browser.');
    assert.match((await b.done)?.html ?? '', /return to UCWA Tray/);
    await expectClosed(redirectOf(b.urls[0] ?? ''));
  });

  it('a browser that never comes back → the timeout (signInCancelled), and the loopback server is closed', async () => {
    const urls: string[] = [];
    const started = Date.now();
    await assert.rejects(
      modernAuthToken({ ...base, timeoutMs: 300, openBrowser: (u) => void urls.push(u) }),
      (e: unknown) => e instanceof SignInError && e.code === 'signInCancelled' && /did not finish within/.test(e.message),
    );
    const waited = Date.now() - started;
    assert.ok(waited >= 290 && waited < 3000, `waited for the timeout, and no longer (${waited} ms)`);
    assert.equal(urls.length, 1);
    await expectClosed(redirectOf(urls[0] ?? ''));
  });

  it('abort while the browser is out → NetworkError aborted, server closed; aborted before → no browser', async () => {
    const ac = new AbortController();
    const urls: string[] = [];
    const p = modernAuthToken({ ...base, signal: ac.signal, openBrowser: (u) => void urls.push(u) });
    while (urls.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof NetworkError && e.kind === 'aborted');
    await expectClosed(redirectOf(urls[0] ?? ''));
    const none: string[] = [];
    await assert.rejects(modernAuthToken({ ...base, signal: AbortSignal.abort(), openBrowser: (u) => void none.push(u) }), (e: unknown) => e instanceof NetworkError && e.kind === 'aborted');
    assert.deepEqual(none, []);
  });

  it('openBrowser failing → that error, server closed', async () => {
    const urls: string[] = [];
    await assert.rejects(
      modernAuthToken({ ...base, openBrowser: (u) => { urls.push(u); throw new Error('no browser here'); } }),
      /no browser here/,
    );
    await expectClosed(redirectOf(urls[0] ?? ''));
  });

  it('a redirect with another state is refused (400) and ignored; the real one still signs in', async () => {
    let forged: Response | undefined;
    const b = browser({
      beforeRedirect: async (location) => {
        const fake = new URL(location);
        fake.search = '';
        fake.searchParams.set('code', 'attacker-code');
        fake.searchParams.set('state', 'not-the-state');
        forged = await fetch(fake.href);
        const noState = new URL(fake.href);
        noState.searchParams.delete('state');
        assert.equal((await fetch(noState.href)).status, 400);
        const cancelForged = new URL(fake.href);
        cancelForged.search = '?error=access_denied&state=guess';
        assert.equal((await fetch(cancelForged.href)).status, 400, 'a forged cancel does not end the sign-in either');
      },
    });
    const token = await modernAuthToken({ ...base, openBrowser: b.open });
    assert.equal(forged?.status, 400);
    assert.match(await forged!.text(), /does not belong/);
    assert.ok(token.accessToken);
  });

  it('a code already spent (the exchange fails invalid_grant) → wrongPassword', async () => {
    const b = browser({
      // Someone redeems the code first (with a wrong verifier, which spends it).
      beforeRedirect: async (location) => {
        const code = new URL(location).searchParams.get('code') ?? '';
        const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${new URL(location).origin}/callback`, client_id: CLIENT, code_verifier: 'x'.repeat(43) });
        const r = await fetch(`${sim.origin}/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
        assert.equal(r.status, 400);
      },
    });
    await assert.rejects(modernAuthToken({ ...base, openBrowser: b.open }), (e: unknown) => e instanceof SignInError && e.code === 'wrongPassword');
  });

  it('an error other than access_denied → server, with the error code in words', async () => {
    // A resource the authorization server does not know: it redirects with invalid_resource.
    const urls: string[] = [];
    const openThenFollow = async (u: string) => {
      urls.push(u);
      const r = await open(u);
      assert.equal(r.status, 302);
      await open(r.location ?? '');
    };
    await assert.rejects(
      modernAuthToken({ ...base, resource: 'http://127.0.0.1:9/', openBrowser: openThenFollow }),
      (e: unknown) => e instanceof SignInError && e.code === 'server' && /invalid_resource/.test(e.message),
    );
    await expectClosed(redirectOf(urls[0] ?? ''));
  });
});

describe('modern authentication endpoints: https unless authority and resource are on this computer', () => {
  it('derives the authority and the token endpoint from authorization_uri', () => {
    assert.deepEqual(modernAuthEndpoints('https://login.windows.net/common/oauth2/authorize', 'https://lyncweb.contoso.com/'), {
      authority: 'https://login.windows.net/common',
      authorizeUrl: 'https://login.windows.net/common/oauth2/authorize',
      tokenUrl: 'https://login.windows.net/common/oauth2/token',
    });
    assert.equal(modernAuthEndpoints('https://sts.contoso.com/adfs/oauth2/authorize/', 'https://lyncweb.contoso.com/').tokenUrl, 'https://sts.contoso.com/adfs/oauth2/token');
    assert.equal(modernAuthEndpoints('http://127.0.0.1:4000/oauth2/authorize', 'http://127.0.0.1:4000/').tokenUrl, 'http://127.0.0.1:4000/oauth2/token');
  });

  it('the token is for the resource origin (the pool), not the authority; Azure AD v1 string lifetimes are read', async () => {
    const sent: { url: string; body: string }[] = [];
    const stub: Transport = {
      request: async (r) => {
        sent.push({ url: r.url, body: r.body ?? '' });
        const json = { token_type: 'Bearer', access_token: 'eyJ.x.y', expires_in: '3599', expires_on: '1900000000', resource: 'https://lyncweb.contoso.com/', refresh_token: 'r2', scope: 'user_impersonation' };
        return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), url: r.url, text: JSON.stringify(json), json };
      },
    };
    const now = 1_000_000;
    const t = await refreshModernToken({ transport: stub, tokenUrl: 'https://login.windows.net/common/oauth2/token', refreshToken: 'r1', resource: 'https://lyncweb.contoso.com/', clientId: CLIENT, now: () => now });
    assert.equal(t.origin, 'https://lyncweb.contoso.com');
    assert.equal(t.tokenUrl, 'https://login.windows.net/common/oauth2/token');
    assert.equal(t.expiresAt, now + 3599_000);
    assert.equal(t.refreshToken, 'r2');
    assert.equal(sent[0]?.url, 'https://login.windows.net/common/oauth2/token');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(sent[0]?.body)), { grant_type: 'refresh_token', refresh_token: 'r1', client_id: CLIENT, resource: 'https://lyncweb.contoso.com/' });
  });

  it('refuses http, file: (the §3.1 d placeholder) and a remote pool pointing at loopback — before any browser opens', async () => {
    const opened: string[] = [];
    const o = { transport, clientId: CLIENT, now: Date.now, openBrowser: (u: string) => void opened.push(u) };
    const insecure = (e: unknown) => e instanceof SignInError && e.code === 'insecureUrl';
    await assert.rejects(modernAuthToken({ ...o, authorizationUri: 'http://login.example.com/common/oauth2/authorize', resource: 'https://lyncweb.contoso.com/' }), insecure);
    await assert.rejects(modernAuthToken({ ...o, authorizationUri: 'file://client/common/oauth2/authorize', resource: 'https://lyncweb.contoso.com/' }), insecure);
    await assert.rejects(modernAuthToken({ ...o, authorizationUri: 'http://127.0.0.1:4000/oauth2/authorize', resource: 'https://lyncweb.contoso.com/' }), insecure);
    await assert.rejects(modernAuthToken({ ...o, authorizationUri: 'https://login.example.com/common/oauth2/authorize', resource: 'http://lyncweb.contoso.com/' }), insecure);
    await assert.rejects(
      modernAuthToken({ ...o, authorizationUri: 'https://login.example.com/common/authorize', resource: 'https://lyncweb.contoso.com/' }),
      (e: unknown) => e instanceof SignInError && e.code === 'methodNotOffered',
    );
    await assert.rejects(refreshModernToken({ transport, tokenUrl: 'http://login.example.com/common/oauth2/token', refreshToken: 'r', resource: 'https://lyncweb.contoso.com/', clientId: CLIENT, now: Date.now }), insecure);
    assert.deepEqual(opened, []);
  });
});
