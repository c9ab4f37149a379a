// The fake authorization server of modern authentication (option modernAuth, PROTOCOL-2 §3.6),
// over plain HTTP: the challenge, the sign-in page, wrong password, Cancel, the code exchange with
// PKCE, single use, expiry, refresh, and the pool accepting the token for its own resource only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, BOB, req, startTestSim, sleep, withSim } from './http.ts';
import { open, readForm, submit } from './oauthBrowser.ts';

const CLIENT = 'ucwa-tray-test';
const REDIRECT = 'http://127.0.0.1:53682/callback';
const USER_PATH = '/autodiscover/autodiscoverservice.svc/root/oauth/user';

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(origin: string, over: Record<string, string | undefined> = {}): string {
  const q: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    state: 'st-1',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    resource: `${origin}/`,
    ...over,
  };
  const u = new URL(`${origin}/oauth2/authorize`);
  for (const [k, v] of Object.entries(q)) if (v !== undefined) u.searchParams.set(k, v);
  return u.href;
}

/** Sign in on the page; returns the redirect's query. */
async function signIn(url: string, username = 'alice@contoso.com', password = 'pw'): Promise<URLSearchParams> {
  const page = await open(url);
  assert.equal(page.status, 200, page.html);
  const done = await submit(page, { username, password }, 'Sign in');
  assert.equal(done.status, 302, done.html);
  return new URL(done.location ?? '').searchParams;
}

function exchange(origin: string, form: Record<string, string>): ReturnType<typeof req> {
  return req(`${origin}/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
}

/** A code for `sip`'s account and the verifier that redeems it. */
async function codeFor(origin: string, username = 'alice@contoso.com', resource = `${origin}/`): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const q = await signIn(authorizeUrl(origin, { code_challenge: challenge, resource }), username);
  return { code: q.get('code') ?? '', verifier };
}

async function tokenFor(origin: string, username?: string, resource?: string): Promise<Record<string, unknown>> {
  const { code, verifier } = await codeFor(origin, username, resource);
  const t = await exchange(origin, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: verifier });
  assert.equal(t.status, 200, t.text);
  return t.json;
}

const userGet = (origin: string, token: unknown) => req(`${origin}${USER_PATH}`, { headers: { Authorization: `Bearer ${String(token)}`, Accept: 'application/json' } });

describe('modern authentication: the fake authorization server', () => {
  let sim: Simulator;
  before(async () => {
    // 0.01: codes last 6 s, tokens 288 s — ample for a loaded machine.
    sim = await startTestSim({ timeScale: 0.01, modernAuth: {} });
  });
  after(() => sim.stop());

  it('adds authorization_uri to the Bearer challenge (shape d), MsRtcOAuth unchanged', async () => {
    const r = await req(`${sim.origin}${USER_PATH}`);
    assert.equal(r.status, 401);
    const h = r.headers.get('www-authenticate') ?? '';
    assert.match(h, new RegExp(`^Bearer trusted_issuers="[^"]+", client_id="00000004-0000-0ff1-ce00-000000000000", authorization_uri="${sim.origin}/oauth2/authorize", MsRtcOAuth href=`));
  });

  it('serves the sign-in page: a form with user name, password, Sign in and Cancel, no framing', async () => {
    const page = await open(authorizeUrl(sim.origin));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const form = readForm(page.html, page.url);
    assert.equal(form.method, 'post');
    assert.equal(form.action, `${sim.origin}/oauth2/authorize`);
    assert.deepEqual(form.inputs.filter((i) => i.type !== 'hidden').map((i) => [i.name, i.type]), [['username', 'text'], ['password', 'password']]);
    assert.deepEqual(form.buttons.map((b) => b.text), ['Sign in', 'Cancel']);
    assert.equal(form.fields.state, 'st-1');
    assert.equal(form.fields.redirect_uri, REDIRECT);
  });

  it('escapes what it echoes (state, resource-side parameters, the user name)', async () => {
    const evil = '"><script>alert(1)</script>';
    const page = await open(authorizeUrl(sim.origin, { state: evil }));
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /<script>/);
    assert.equal(readForm(page.html, page.url).fields.state, evil, 'the browser reads it back unchanged');
    const again = await submit(page, { username: `<img src=x onerror=alert(1)>`, password: 'nope' }, 'Sign in');
    assert.equal(again.status, 200);
    assert.doesNotMatch(again.html, /<img/);
    assert.equal(readForm(again.html, again.url).fields.username, '<img src=x onerror=alert(1)>');
  });

  it('refuses a bad client or redirect URI on a page of its own (never redirects there)', async () => {
    for (const redirect of ['https://evil.example/cb', 'http://evil.example:8080/cb', 'http://127.0.0.1/cb', 'http://127.0.0.1:5000/cb#frag', 'not a url']) {
      const r = await open(authorizeUrl(sim.origin, { redirect_uri: redirect }));
      assert.equal(r.status, 400, redirect);
      assert.equal(r.location, null);
    }
    const r = await open(authorizeUrl(sim.origin, { client_id: '' }));
    assert.equal(r.status, 400);
    for (const ok of ['http://localhost:8400/callback', 'http://127.0.0.1:65000/x/y?keep=1']) {
      assert.equal((await open(authorizeUrl(sim.origin, { redirect_uri: ok }))).status, 200, ok);
    }
  });

  it('refuses the other mistakes by redirecting with the error and the state', async () => {
    const cases: [Record<string, string | undefined>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
      [{ code_challenge: 'short' }, 'invalid_request'],
      [{ state: undefined }, 'invalid_request'],
      [{ resource: 'https://elsewhere.example/' }, 'invalid_resource'],
      [{ resource: undefined }, 'invalid_resource'],
    ];
    for (const [over, error] of cases) {
      const r = await open(authorizeUrl(sim.origin, over));
      assert.equal(r.status, 302, JSON.stringify(over));
      const loc = new URL(r.location ?? '');
      assert.equal(`${loc.origin}${loc.pathname}`, REDIRECT);
      assert.equal(loc.searchParams.get('error'), error, JSON.stringify(over));
      if (over.state !== undefined || !('state' in over)) assert.equal(loc.searchParams.get('state'), 'st-1');
    }
  });

  it('shows the page again for a wrong password (200), with the user name kept', async () => {
    const page = await open(authorizeUrl(sim.origin));
    for (const [username, password] of [['alice@contoso.com', 'wrong'], ['nobody@contoso.com', 'pw'], ['echo@contoso.com', '']]) {
      const again = await submit(page, { username: username!, password: password! }, 'Sign in');
      assert.equal(again.status, 200);
      assert.match(again.html, /Incorrect user name or password\./);
      assert.equal(readForm(again.html, again.url).fields.username, username);
      assert.equal(again.location, null);
    }
  });

  it('Cancel → 302 to the redirect URI with error=access_denied and the state', async () => {
    const page = await open(authorizeUrl(sim.origin, { state: 'cancel-me' }));
    const r = await submit(page, {}, 'Cancel');
    assert.equal(r.status, 302);
    const loc = new URL(r.location ?? '');
    assert.equal(`${loc.origin}${loc.pathname}`, REDIRECT);
    assert.equal(loc.searchParams.get('error'), 'access_denied');
    assert.equal(loc.searchParams.get('state'), 'cancel-me');
    assert.equal(loc.searchParams.get('code'), null);
  });

  it('right password → 302 with code and state; the query of the redirect URI is kept', async () => {
    const q = await signIn(authorizeUrl(sim.origin, { redirect_uri: 'http://127.0.0.1:65000/cb?keep=1', state: 'abc' }));
    assert.ok((q.get('code') ?? '').length >= 32);
    assert.equal(q.get('state'), 'abc');
    assert.equal(q.get('keep'), '1');
  });

  it('exchanges the code with the right verifier: the token fields, and the pool opens the user resource', async () => {
    const t = await tokenFor(sim.origin);
    assert.equal(t.token_type, 'Bearer');
    assert.equal(t.scope, 'user_impersonation');
    assert.equal(t.resource, `${sim.origin}/`);
    assert.equal(typeof t.refresh_token, 'string');
    assert.equal(typeof t.expires_in, 'number');
    assert.ok(Math.abs((t.expires_on as number) - (Date.now() / 1000 + (t.expires_in as number))) < 5);
    assert.match(String(t.access_token), /^[\w-]+\.[\w-]+\.[\w-]+$/, 'JWT-shaped, not cwt=');
    const claims = JSON.parse(Buffer.from(String(t.access_token).split('.')[1]!, 'base64url').toString());
    assert.equal(claims.aud, `${sim.origin}/`);
    const u = await userGet(sim.origin, t.access_token);
    assert.equal(u.status, 200);
    assert.ok(u.json._links.applications);
    const app = await req(`${sim.origin}/ucwa/oauth/v1/applications`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${String(t.access_token)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ UserAgent: 'OAuthTests/1.0', EndpointId: crypto.randomUUID(), Culture: 'en-US' }),
    });
    assert.equal(app.status, 201, app.text);
    assert.equal(app.json._embedded.me.uri, ALICE);
  });

  it('refuses a wrong or missing verifier, another client or redirect URI (400 invalid_grant), and spends the code', async () => {
    const wrongs: ((c: { code: string; verifier: string }) => Record<string, string>)[] = [
      (c) => ({ code: c.code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: pkce().verifier }),
      (c) => ({ code: c.code, redirect_uri: REDIRECT, client_id: CLIENT }),
      (c) => ({ code: c.code, redirect_uri: 'http://127.0.0.1:1/other', client_id: CLIENT, code_verifier: c.verifier }),
      (c) => ({ code: c.code, redirect_uri: REDIRECT, client_id: 'someone-else', code_verifier: c.verifier }),
    ];
    for (const wrong of wrongs) {
      const c = await codeFor(sim.origin);
      const r = await exchange(sim.origin, { grant_type: 'authorization_code', ...wrong(c) });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error, 'invalid_grant');
      // The attempt spent it: the right request now fails too.
      const again = await exchange(sim.origin, { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: c.verifier });
      assert.equal(again.json.error, 'invalid_grant');
    }
    const bad = await exchange(sim.origin, { grant_type: 'authorization_code', code: 'made-up', redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: pkce().verifier });
    assert.equal(bad.json.error, 'invalid_grant');
    assert.equal((await exchange(sim.origin, { grant_type: 'password', client_id: CLIENT })).json.error, 'unsupported_grant_type');
    assert.equal((await exchange(sim.origin, { client_id: CLIENT })).json.error, 'invalid_request');
  });

  it('refuses a code used twice, and revokes the token the first use got (RFC 6749 §4.1.2)', async () => {
    const c = await codeFor(sim.origin);
    const form = { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: c.verifier };
    const first = await exchange(sim.origin, form);
    assert.equal(first.status, 200);
    assert.equal((await userGet(sim.origin, first.json.access_token)).status, 200);
    const second = await exchange(sim.origin, form);
    assert.equal(second.status, 400);
    assert.equal(second.json.error, 'invalid_grant');
    assert.equal((await userGet(sim.origin, first.json.access_token)).status, 401, 'revoked');
    const r = await exchange(sim.origin, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token, client_id: CLIENT });
    assert.equal(r.json.error, 'invalid_grant', 'its refresh token too');
  });

  it('refreshes: new tokens that work; the old refresh token is spent (rotation); another client is refused', async () => {
    const t = await tokenFor(sim.origin);
    const r = await exchange(sim.origin, { grant_type: 'refresh_token', refresh_token: String(t.refresh_token), client_id: CLIENT });
    assert.equal(r.status, 200, r.text);
    assert.notEqual(r.json.access_token, t.access_token);
    assert.notEqual(r.json.refresh_token, t.refresh_token);
    assert.equal(r.json.resource, `${sim.origin}/`);
    assert.equal((await userGet(sim.origin, r.json.access_token)).status, 200);
    const again = await exchange(sim.origin, { grant_type: 'refresh_token', refresh_token: String(t.refresh_token), client_id: CLIENT });
    assert.equal(again.status, 400);
    assert.equal(again.json.error, 'invalid_grant');
    const other = await exchange(sim.origin, { grant_type: 'refresh_token', refresh_token: String(r.json.refresh_token), client_id: 'someone-else' });
    assert.equal(other.json.error, 'invalid_grant');
    const unknownResource = await tokenFor(sim.origin);
    const res = await exchange(sim.origin, { grant_type: 'refresh_token', refresh_token: String(unknownResource.refresh_token), client_id: CLIENT, resource: 'https://elsewhere.example/' });
    assert.equal(res.json.error, 'invalid_resource');
    const still = await exchange(sim.origin, { grant_type: 'refresh_token', refresh_token: String(unknownResource.refresh_token), client_id: CLIENT });
    assert.equal(still.status, 200, 'a mistyped resource does not cost the refresh token');
  });

  it('accepts the token in Authorization only (not a cookie, not another scheme)', async () => {
    const t = await tokenFor(sim.origin);
    assert.equal((await req(`${sim.origin}${USER_PATH}`, { headers: { Authorization: `Basic ${String(t.access_token)}` } })).status, 401);
    assert.equal((await req(`${sim.origin}${USER_PATH}`, { headers: { Cookie: `cwt_ucwa=${String(t.access_token)}` } })).status, 401);
  });
});

describe('modern authentication: options and lifetimes', () => {
  it('is off by default: no authorization_uri, /oauth2/* answers 404', () =>
    withSim({}, async (sim) => {
      const r = await req(`${sim.origin}${USER_PATH}`);
      assert.doesNotMatch(r.headers.get('www-authenticate') ?? '', /authorization_uri/i);
      assert.equal((await open(authorizeUrl(sim.origin))).status, 404);
      assert.equal((await exchange(sim.origin, { grant_type: 'refresh_token' })).status, 404);
    }));

  it('clientIds: only the registered clients may sign in or redeem', () =>
    withSim({ timeScale: 0.01, modernAuth: { clientIds: ['registered-app'] } }, async (sim) => {
      assert.equal((await open(authorizeUrl(sim.origin))).status, 400, `${CLIENT} is not registered`);
      const page = await open(authorizeUrl(sim.origin, { client_id: 'registered-app' }));
      assert.equal(page.status, 200);
      const r = await exchange(sim.origin, { grant_type: 'refresh_token', refresh_token: 'x', client_id: CLIENT });
      assert.equal(r.json.error, 'invalid_client');
    }));

  it('codes expire (10 protocol minutes) and tokens expire after tokenLifetimeSec', () =>
    withSim({ timeScale: 0.001, tokenLifetimeSec: 1000, modernAuth: {} }, async (sim) => {
      const c = await codeFor(sim.origin);
      await sleep(700); // 600 ms of code lifetime
      const late = await exchange(sim.origin, { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: c.verifier });
      assert.equal(late.json.error, 'invalid_grant');
      const t = await tokenFor(sim.origin);
      assert.equal((await userGet(sim.origin, t.access_token)).status, 200);
      await sleep(1100); // 1 s of token lifetime
      assert.equal((await userGet(sim.origin, t.access_token)).status, 401);
    }));

  it('a token is good only for the resource it was issued for (two pools)', () =>
    withSim({ timeScale: 0.01, modernAuth: {}, redirectUsers: [BOB] }, async (sim) => {
      // Bob is homed on the second pool: pool 1's user resource redirects there.
      const t1 = await tokenFor(sim.origin, 'bob@contoso.com');
      const u = await userGet(sim.origin, t1.access_token);
      assert.equal(u.status, 200);
      const pool2 = new URL(u.json._links.redirect.href).origin;
      assert.notEqual(pool2, sim.origin);
      assert.equal((await userGet(pool2, t1.access_token)).status, 401, "pool 1's token on pool 2");
      // The refresh token may ask for the other pool's resource (Azure AD's multi-resource refresh token).
      const r = await exchange(sim.origin, { grant_type: 'refresh_token', refresh_token: String(t1.refresh_token), client_id: CLIENT, resource: `${pool2}/` });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.resource, `${pool2}/`);
      assert.equal((await userGet(pool2, r.json.access_token)).status, 200);
      assert.equal((await userGet(sim.origin, r.json.access_token)).status, 401, "pool 2's token on pool 1");
      const apps = await req(`${sim.origin}/ucwa/oauth/v1/applications`, { method: 'POST', headers: { Authorization: `Bearer ${String(r.json.access_token)}`, 'Content-Type': 'application/json' }, body: '{}' });
      assert.equal(apps.status, 401);
      // A code for pool 2's resource, redeemed at pool 1's token endpoint (one authorization server).
      const t2 = await tokenFor(sim.origin, 'bob@contoso.com', `${pool2}/`);
      assert.equal((await userGet(pool2, t2.access_token)).status, 200);
      assert.equal((await userGet(sim.origin, t2.access_token)).status, 401);
    }));
});
