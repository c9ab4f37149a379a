// Passive (AD FS) sign-in on the simulator (PROTOCOL-2 §3.4), over plain HTTP with a tiny cookie
// jar: the documented 400, PassiveAuth.aspx → AD FS → auto-post → pool cookie → 200 token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator, SimulatorOptions } from '../../simulator/index.ts';
import { ALICE, TEST_USERS, req, sleep, startTestSim } from './http.ts';
import { CookieJar, ScriptedBrowser, formById, walkSignIn, type Page } from './passiveBrowser.ts';

const PASSIVE = 'urn:microsoft.rtc:passive';
const USERS = [...TEST_USERS, { sip: 'sip:lou@contoso.com', name: 'Lou Locked', password: 'pw', locked: true }];

async function withPassive(opts: SimulatorOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startTestSim({ grants: [PASSIVE, 'urn:microsoft.rtc:anonmeeting'], users: USERS, ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

function passiveGrant(origin: string, jar?: CookieJar, cookie?: string, grant = PASSIVE) {
  const init: RequestInit = {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
    body: `grant_type=${grant}`,
  };
  const url = `${origin}/WebTicket/oauthtoken`;
  return jar ? jar.fetch(url, init).then(async (r) => ({ status: r.status, headers: r.headers, text: await r.text() })) : req(url, init);
}

function assertPassive400(r: { status: number; headers: Headers; text: string }, origin: string): void {
  assert.equal(r.status, 400);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  // Byte for byte the documented body, slashes escaped as .NET writes them.
  const uri = `${origin}/PassiveAuth/PassiveAuth.aspx`.replace(/\//g, '\\/');
  assert.equal(r.text, `{"error":"invalid_grant","ms_rtc_passiveauthuri":"${uri}"}`);
  assert.deepEqual(JSON.parse(r.text), { error: 'invalid_grant', ms_rtc_passiveauthuri: `${origin}/PassiveAuth/PassiveAuth.aspx` });
  assert.match(r.headers.get('x-ms-diagnostics') ?? '', /^28020;source="[^"]+";reason="No valid security token\."$/);
}

/** The sign-in page AD FS shows after PassiveAuth.aspx (no scripts: each step inspected). */
async function loginPage(sim: Simulator, b: ScriptedBrowser): Promise<Page> {
  const p = await b.open(`${sim.origin}/PassiveAuth/PassiveAuth.aspx`);
  assert.equal(p.status, 200, p.html);
  return p;
}

async function signIn(sim: Simulator, b: ScriptedBrowser, name: string, password: string): Promise<Page> {
  const p = await loginPage(sim, b);
  return b.submit(p, formById(p, 'loginForm'), { UserName: name, Password: password });
}

function assertNoSecurityToken(p: Page, origin: string): void {
  assert.ok(!p.forms.some((f) => f.action.startsWith(`${origin}/PassiveAuth/`)), `no post-back to the pool on ${p.html}`);
  assert.ok(!/wresult/.test(p.html));
}

describe('passive sign-in (AD FS)', () => {
  it('answers the passive grant without a cookie with exactly the documented 400 (any grant name case)', async () => {
    await withPassive({}, async (sim) => {
      const challenge = await req(`${sim.origin}/ucwa/oauth/v1/applications`);
      assert.match(challenge.headers.get('www-authenticate') ?? '', /grant_type="urn:microsoft\.rtc:passive,urn:microsoft\.rtc:anonmeeting"/);
      assertPassive400(await passiveGrant(sim.origin), sim.origin);
      assertPassive400(await passiveGrant(sim.origin, undefined, undefined, 'urn:Microsoft.rtc:passive'), sim.origin);
      // A cookie the pool never set is no security token either.
      assertPassive400(await passiveGrant(sim.origin, undefined, 'MsRtcPassiveAuth1=forged'), sim.origin);
    });
  });

  it('sends PassiveAuth.aspx to AD FS with wa, the pool realm and an opaque wctx; AD FS shows a form', async () => {
    await withPassive({}, async (sim) => {
      const r = await fetch(`${sim.origin}/PassiveAuth/PassiveAuth.aspx`, { redirect: 'manual' });
      assert.equal(r.status, 302);
      const loc = new URL(r.headers.get('location') ?? '');
      assert.equal(`${loc.origin}${loc.pathname}`, `${sim.origin}/adfs/ls/`);
      assert.equal(loc.searchParams.get('wa'), 'wsignin1.0');
      assert.equal(loc.searchParams.get('wtrealm'), `${sim.origin}/passiveauth/`);
      const wctx = loc.searchParams.get('wctx') ?? '';
      assert.ok(wctx.length >= 16);
      const again = new URL((await fetch(`${sim.origin}/PassiveAuth/PassiveAuth.aspx`, { redirect: 'manual' })).headers.get('location') ?? '');
      assert.notEqual(again.searchParams.get('wctx'), wctx, 'a new wctx per sign-in');
      const b = new ScriptedBrowser(new CookieJar(), { scripts: false });
      const page = await b.open(loc.href);
      assert.equal(page.status, 200);
      assert.match(page.html, /<title>Sign In<\/title>/);
      const form = formById(page, 'loginForm');
      assert.equal(form.method, 'POST');
      assert.deepEqual(Object.keys(form.fields).sort(), ['AuthMethod', 'Password', 'UserName']);
      assert.equal(new URL(form.action).searchParams.get('wctx'), wctx);
      // A relying party AD FS does not know, or another protocol: an error page, no form.
      const foreign = await b.open(`${sim.origin}/adfs/ls/?wa=wsignin1.0&wtrealm=${encodeURIComponent('https://evil.example/passiveauth/')}&wctx=x`);
      assert.equal(foreign.status, 400);
      assert.equal(foreign.forms.length, 0);
      assert.equal((await b.open(`${sim.origin}/adfs/ls/?wa=wsignout1.0&wtrealm=${encodeURIComponent(`${sim.origin}/passiveauth/`)}`)).status, 400);
    });
  });

  it('escapes what it echoes (wctx, the user name)', async () => {
    await withPassive({}, async (sim) => {
      const evil = '"><script>alert(1)</script>';
      const b = new ScriptedBrowser(new CookieJar(), { scripts: false });
      const p = await b.open(`${sim.origin}/adfs/ls/?wa=wsignin1.0&wtrealm=${encodeURIComponent(`${sim.origin}/passiveauth/`)}&wctx=${encodeURIComponent(evil)}`);
      assert.equal(p.status, 200);
      assert.ok(!p.html.includes('<script>'), p.html);
      assert.equal(new URL(formById(p, 'loginForm').action).searchParams.get('wctx'), evil, 'still passed through intact');
      const again = await b.submit(p, formById(p, 'loginForm'), { UserName: evil, Password: 'x' });
      assert.ok(!again.html.includes('<script>'), again.html);
      assert.equal(formById(again, 'loginForm').fields.UserName, evil);
    });
  });

  it('shows the form again on a wrong password or an unknown user, and no token', async () => {
    await withPassive({}, async (sim) => {
      const jar = new CookieJar();
      const b = new ScriptedBrowser(jar, { scripts: false });
      for (const [name, pw] of [['alice@contoso.com', 'wrong'], ['nobody@contoso.com', 'pw'], ['', '']]) {
        const p = await signIn(sim, b, name as string, pw as string);
        assert.equal(p.status, 200);
        assert.match(p.html, /Incorrect user ID or password\./);
        assert.equal(formById(p, 'loginForm').fields.UserName, name);
        assertNoSecurityToken(p, sim.origin);
      }
      assert.equal(jar.cookies.length, 0);
      assertPassive400(await passiveGrant(sim.origin, jar), sim.origin);
    });
  });

  it('says a locked account is locked (after the right password only)', async () => {
    await withPassive({}, async (sim) => {
      const b = new ScriptedBrowser(new CookieJar(), { scripts: false });
      const locked = await signIn(sim, b, 'lou@contoso.com', 'pw');
      assert.equal(locked.status, 200);
      assert.match(locked.html, /Your account is locked\. Contact your administrator\./);
      assertNoSecurityToken(locked, sim.origin);
      const wrong = await signIn(sim, b, 'lou@contoso.com', 'nope');
      assert.match(wrong.html, /Incorrect user ID or password\./);
      assert.doesNotMatch(wrong.html, /locked/);
    });
  });

  it('without MFA: auto-posts the token to PassiveAuth.aspx, which sets an HttpOnly pool cookie; the grant then gives a token the pool accepts', async () => {
    await withPassive({}, async (sim) => {
      const jar = new CookieJar();
      const b = new ScriptedBrowser(jar, { scripts: false });
      const login = await loginPage(sim, b);
      const wctx = new URL(login.url).searchParams.get('wctx');
      const working = await b.submit(login, formById(login, 'loginForm'), { UserName: 'Alice@Contoso.com', Password: 'pw' });
      assert.equal(working.status, 200);
      assert.match(working.html, /document\.forms\[0\]\.submit\(\)/);
      const post = working.forms[0];
      assert.ok(post);
      assert.equal(post.action, `${sim.origin}/PassiveAuth/PassiveAuth.aspx`);
      assert.equal(post.method, 'POST');
      assert.equal(post.fields.wa, 'wsignin1.0');
      assert.equal(post.fields.wctx, wctx);
      assert.ok((post.fields.wresult ?? '').length >= 16);
      assert.equal(jar.cookies.length, 0, 'no cookie before the post-back');

      const signedIn = await b.submit(working, post, {});
      assert.equal(signedIn.status, 200);
      assert.match(signedIn.html, /Signed in/);
      assert.equal(jar.cookies.length, 1);
      const c = jar.cookies[0]!;
      assert.equal(c.httpOnly, true);
      assert.equal(c.path, '/');
      assert.equal(c.host, new URL(sim.origin).hostname);

      const t = await passiveGrant(sim.origin, jar);
      assert.equal(t.status, 200, t.text);
      const tok = JSON.parse(t.text);
      assert.deepEqual(Object.keys(tok).sort(), ['access_token', 'expires_in', 'ms_rtc_identityscope', 'token_type']);
      assert.match(tok.access_token, /^cwt=/);
      assert.equal(tok.token_type, 'Bearer');
      assert.equal(tok.expires_in, Math.ceil(28800 * 0.001), 'the password grant lifetime (scaled)');
      assert.equal(t.headers.get('cache-control'), 'no-store');
      const user = await req(`${sim.origin}/autodiscover/autodiscoverservice.svc/root/oauth/user`, { headers: { Authorization: `Bearer ${tok.access_token}` } });
      assert.equal(user.status, 200);
      assert.match(user.json._links.applications.href, /\/ucwa\/oauth\/v1\/applications$/);
      const app = await req(`${sim.origin}/ucwa/oauth/v1/applications`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tok.access_token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ UserAgent: 'PassiveTest/1.0', EndpointId: crypto.randomUUID(), Culture: 'en-US' }),
      });
      assert.equal(app.status, 201);
      assert.equal(app.json._embedded.me.uri, ALICE);

      // The cookie keeps working (renewal) and each grant is a new token.
      const t2 = JSON.parse((await passiveGrant(sim.origin, jar)).text);
      assert.notEqual(t2.access_token, tok.access_token);
      // Without the cookie: still the 400.
      assertPassive400(await passiveGrant(sim.origin), sim.origin);
      // The same security token posted again (or with another wctx) mints no second cookie.
      const replay = await b.submit(working, post, {});
      assert.equal(replay.status, 400);
      assert.equal(jar.cookies.length, 1);
    });
  });

  it('refuses a security token posted back with a wctx the pool did not issue', async () => {
    await withPassive({}, async (sim) => {
      const jar = new CookieJar();
      const b = new ScriptedBrowser(jar, { scripts: false });
      const working = await signIn(sim, b, 'alice@contoso.com', 'pw');
      const post = working.forms[0]!;
      const forged = await b.submit(working, post, { wctx: 'forged' });
      assert.equal(forged.status, 400);
      assert.equal(jar.cookies.length, 0);
    });
  });

  it('with MFA: asks for the code; the right one signs in', async () => {
    await withPassive({ passive: { mfa: true, mfaCode: '424242' } }, async (sim) => {
      const jar = new CookieJar();
      const b = new ScriptedBrowser(jar, { scripts: false });
      const mfa = await signIn(sim, b, 'alice@contoso.com', 'pw');
      assert.equal(mfa.status, 200);
      assert.match(mfa.html, /verification code/i);
      const form = formById(mfa, 'mfaForm');
      assert.ok(form.fields.Context);
      assert.ok(mfa.links.cancelLink);
      assertNoSecurityToken(mfa, sim.origin);
      const working = await b.submit(mfa, form, { VerificationCode: '424242' });
      assert.equal(working.forms[0]?.action, `${sim.origin}/PassiveAuth/PassiveAuth.aspx`);
      assert.match((await b.submit(working, working.forms[0]!, {})).html, /Signed in/);
      assert.equal((await passiveGrant(sim.origin, jar)).status, 200);
    });
  });

  it('with MFA: a wrong code shows the page again with an error; three wrong end the sign-in', async () => {
    await withPassive({ passive: { mfa: true } }, async (sim) => {
      const jar = new CookieJar();
      const b = new ScriptedBrowser(jar, { scripts: false });
      let page = await signIn(sim, b, 'alice@contoso.com', 'pw');
      const context = formById(page, 'mfaForm').fields.Context;
      for (let i = 1; i <= 2; i++) {
        page = await b.submit(page, formById(page, 'mfaForm'), { VerificationCode: '000000' });
        assert.equal(page.status, 200);
        assert.match(page.html, /errorText/);
        assert.equal(formById(page, 'mfaForm').fields.Context, context);
        assertNoSecurityToken(page, sim.origin);
      }
      const last = await b.submit(page, formById(page, 'mfaForm'), { VerificationCode: '999999' });
      assert.match(last.html, /Verification failed\./);
      assert.equal(last.forms.length, 0);
      // That step is over: even the right code (the default 123456) gets nothing now.
      const late = await b.submit(page, formById(page, 'mfaForm'), { VerificationCode: '123456' });
      assert.equal(late.status, 400);
      assertNoSecurityToken(late, sim.origin);
      assert.equal(jar.cookies.length, 0);
      assertPassive400(await passiveGrant(sim.origin, jar), sim.origin);
    });
  });

  it('with MFA: Cancel leads to a cancelled page that never posts back', async () => {
    await withPassive({ passive: { mfa: true } }, async (sim) => {
      const jar = new CookieJar();
      const b = new ScriptedBrowser(jar); // scripts on: nothing may post by itself either
      const cancelled = await walkSignIn(b, `${sim.origin}/PassiveAuth/PassiveAuth.aspx`, { name: 'alice@contoso.com', password: 'pw', cancel: true });
      assert.equal(cancelled.status, 200);
      assert.match(cancelled.html, /cancelled/i);
      assert.equal(cancelled.forms.length, 0);
      assert.ok(!b.history.some((u) => /PassiveAuth\.aspx/.test(u) && u !== b.history[0]), b.history.join('\n'));
      assert.equal(jar.cookies.length, 0);
      assertPassive400(await passiveGrant(sim.origin, jar), sim.origin);
    });
  });

  it('the cookie expires after cookieLifetimeSec (scaled like the token lifetime)', async () => {
    // 1000 s at timeScale 0.001 → 1 s of real time.
    await withPassive({ passive: { cookieLifetimeSec: 1000 } }, async (sim) => {
      const jar = new CookieJar();
      const done = await walkSignIn(new ScriptedBrowser(jar), `${sim.origin}/PassiveAuth/PassiveAuth.aspx`, { name: 'alice@contoso.com', password: 'pw' });
      assert.match(done.html, /Signed in/);
      assert.equal(jar.cookies[0]?.maxAge, 1);
      const cookie = jar.header(sim.origin) ?? '';
      assert.equal((await passiveGrant(sim.origin, undefined, cookie)).status, 200);
      await sleep(1100);
      // The pool decides, not the browser: the same cookie sent after its lifetime is refused.
      assertPassive400(await passiveGrant(sim.origin, undefined, cookie), sim.origin);
    });
  });

  it("one pool's cookie is no security token at the other pool", async () => {
    await withPassive({ redirectUsers: [ALICE] }, async (sim) => {
      const jar = new CookieJar();
      await walkSignIn(new ScriptedBrowser(jar), `${sim.origin}/PassiveAuth/PassiveAuth.aspx`, { name: 'alice@contoso.com', password: 'pw' });
      assert.equal((await passiveGrant(sim.origin, jar)).status, 200);
      const root = await req(sim.url);
      const tok = JSON.parse((await passiveGrant(sim.origin, jar)).text).access_token as string;
      const user = await req(root.json._links.user.href, { headers: { Authorization: `Bearer ${tok}` } });
      const second = new URL(user.json._links.redirect.href).origin;
      assert.notEqual(second, sim.origin);
      assert.ok(jar.header(second), 'the jar does send pool 1 its cookie on the shared host');
      assertPassive400(await passiveGrant(second, jar), second);
    });
  });

  it('serves no PassiveAuth or AD FS pages when the passive grant is not offered', async () => {
    const sim = await startTestSim();
    try {
      assert.equal((await req(`${sim.origin}/PassiveAuth/PassiveAuth.aspx`)).status, 404);
      assert.equal((await req(`${sim.origin}/adfs/ls/?wa=wsignin1.0`)).status, 404);
      const r = await passiveGrant(sim.origin);
      assert.equal(r.status, 400);
      assert.equal(JSON.parse(r.text).error, 'unsupported_grant_type');
    } finally {
      await sim.stop();
    }
  });
});
