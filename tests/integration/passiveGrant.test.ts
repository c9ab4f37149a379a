// requestPassiveToken (main/core/ucwa/passiveGrant.ts) against the simulator's passive sign-in:
// the core's Transport over a fetch with a cookie jar, shared with a scripted "browser" leg that
// fills the AD FS form and the code and follows the auto-post — as the app's window would share
// its session's cookies with the HTTP client.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';
import { requestPassiveToken, type PassiveTokenOptions } from '../../main/core/ucwa/passiveGrant.ts';
import { SignInError } from '../../main/core/ucwa/errors.ts';
import { createTransport, type FetchLike } from '../../main/core/ucwa/transport.ts';
import { CookieJar, ScriptedBrowser, walkSignIn } from '../simulator/passiveBrowser.ts';

const PASSIVE = 'urn:microsoft.rtc:passive';
const ALICE = { sip: 'sip:alice@contoso.com', name: 'Alice Local', password: 'pw' };

async function withSim(opts: SimulatorOptions, fn: (s: Simulator) => Promise<void>): Promise<void> {
  const s = await startSimulator({ demoWorld: false, users: [ALICE], timeScale: 0.001, grants: [PASSIVE, 'urn:microsoft.rtc:anonmeeting'], passive: { mfa: true }, ...opts });
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

interface Rig {
  jar: CookieJar;
  /** Every token POST the transport made. */
  tokenPosts: number;
  legs: string[];
  options: (over?: Partial<PassiveTokenOptions>) => PassiveTokenOptions;
}

/** The user in the window: signs in (and types the code), or presses Cancel and closes it. */
function rig(s: Simulator, how: { cancel?: boolean; code?: string } = {}, wrap?: (f: FetchLike) => FetchLike): Rig {
  const jar = new CookieJar();
  const r: Rig = {
    jar,
    tokenPosts: 0,
    legs: [],
    options: (over = {}) => ({ transport, tokenUrl, browserLeg, checkUrl, now: () => Date.now(), ...over }),
  };
  const counting: FetchLike = (url, init) => {
    if (url.endsWith('/WebTicket/oauthtoken')) r.tokenPosts += 1;
    return jar.fetch(url, init);
  };
  const transport = createTransport({ fetch: wrap ? wrap(counting) : counting, defaultTimeoutMs: 5000 });
  const tokenUrl = `${s.origin}/WebTicket/oauthtoken`;
  const browser = new ScriptedBrowser(jar);
  const browserLeg = async (uri: string): Promise<void> => {
    r.legs.push(uri);
    const last = await walkSignIn(browser, uri, { name: 'alice@contoso.com', password: ALICE.password, code: how.code ?? '123456', cancel: how.cancel });
    // The window is closed without the pool's "Signed in": the user gave up.
    if (!/Signed in/.test(last.html)) throw new SignInError({ code: 'signInCancelled', message: 'You closed the sign-in window.' });
  };
  // The caller's guard: the sign-in page must be on the token service's own origin.
  const checkUrl = (u: URL): void => {
    if (u.origin !== new URL(tokenUrl).origin) throw new SignInError({ code: 'insecureUrl', message: `not following ${u.origin}` });
  };
  return r;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<SignInError> {
  const err = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SignInError, String(err));
  assert.equal(err.code, code, err.message);
  return err;
}

describe('requestPassiveToken against the simulator', () => {
  it('runs the browser leg once, then gets a token the pool accepts', async () => {
    await withSim({}, async (s) => {
      const r = rig(s);
      const before = Date.now();
      const token = await requestPassiveToken(r.options());
      assert.match(token.accessToken, /^cwt=/);
      assert.equal(token.tokenType, 'Bearer');
      assert.equal(token.origin, s.origin);
      assert.equal(token.tokenUrl, `${s.origin}/WebTicket/oauthtoken`);
      assert.ok(token.expiresAt >= before + 28_000 && token.renewAt < token.expiresAt);
      assert.deepEqual(r.legs, [`${s.origin}/PassiveAuth/PassiveAuth.aspx`]);
      assert.equal(r.tokenPosts, 2);
      const user = await fetch(`${s.origin}/autodiscover/autodiscoverservice.svc/root/oauth/user`, { headers: { Authorization: `Bearer ${token.accessToken}` } });
      assert.equal(user.status, 200);
    });
  });

  it('renews with the still-valid cookie without a browser leg', async () => {
    await withSim({}, async (s) => {
      const r = rig(s);
      const first = await requestPassiveToken(r.options());
      const postsBefore = r.tokenPosts;
      const renewed = await requestPassiveToken(r.options({ browserLeg: () => Promise.reject(new Error('no browser leg on renewal')) }));
      assert.notEqual(renewed.accessToken, first.accessToken);
      assert.equal(r.tokenPosts - postsBefore, 1);
      assert.equal(r.legs.length, 1);
    });
  });

  it('rejects with signInCancelled when the user cancels and closes the window', async () => {
    await withSim({}, async (s) => {
      const r = rig(s, { cancel: true });
      await rejectsWith(requestPassiveToken(r.options()), 'signInCancelled');
      assert.equal(r.legs.length, 1);
      assert.equal(r.tokenPosts, 1, 'no POST after the cancelled leg');
      assert.equal(r.jar.cookies.length, 0);
    });
  });

  it('gives up after `attempts` legs that did not sign in (server)', async () => {
    await withSim({}, async (s) => {
      // The window was closed on AD FS's page... and yet the leg said "back on the pool".
      const r = rig(s);
      const idle = async (uri: string) => {
        r.legs.push(uri);
      };
      const err = await rejectsWith(requestPassiveToken(r.options({ browserLeg: idle })), 'server');
      assert.match(err.message, /did not give this app a token/);
      assert.equal(r.legs.length, 2, 'default: two legs');
      assert.equal(r.tokenPosts, 3);
      const one = rig(s);
      await rejectsWith(requestPassiveToken(one.options({ browserLeg: async (u) => void one.legs.push(u), attempts: 1 })), 'server');
      assert.equal(one.legs.length, 1);
    });
  });

  it('a wrong code gives no cookie and no token (the user closes the window)', async () => {
    await withSim({}, async (s) => {
      const r = rig(s, { code: '000000' });
      await rejectsWith(requestPassiveToken(r.options()), 'signInCancelled');
      assert.equal(r.jar.cookies.length, 0);
    });
  });

  it('stops before any leg when checkUrl refuses a foreign ms_rtc_passiveauthuri', async () => {
    await withSim({}, async (s) => {
      // A token service (or something in between) naming a sign-in page on another host.
      const foreign = (f: FetchLike): FetchLike => async (url, init) => {
        const res = await f(url, init);
        if (res.status !== 400) return res;
        const body = (await res.text()).replace(/http:\\\/\\\/[^\\"]+/, 'https:\\/\\/adfs.evil.example');
        return new Response(body, { status: 400, headers: { 'Content-Type': res.headers.get('content-type') ?? '' } });
      };
      const r = rig(s, {}, foreign);
      const err = await rejectsWith(requestPassiveToken(r.options()), 'insecureUrl');
      assert.match(err.message, /adfs\.evil\.example/);
      assert.deepEqual(r.legs, []);
      assert.equal(r.tokenPosts, 1);
    });
  });

  it('says methodNotOffered when the pool refuses the passive grant', async () => {
    await withSim({ grants: ['password'] }, async (s) => {
      const r = rig(s);
      await rejectsWith(requestPassiveToken(r.options()), 'methodNotOffered');
      assert.deepEqual(r.legs, []);
    });
  });
});
