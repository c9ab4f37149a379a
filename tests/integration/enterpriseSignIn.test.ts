// Sign-in as real on-premises deployments need it (issue 15; PROTOCOL-2 §3.2, §3.8, §3.9), over HTTP
// to the simulator on loopback: a sign-in name that differs from the SIP address; a pool in another
// DNS domain than the SIP domain (accepted from answers over https, refused from an answer over
// plain http); the HTTP first hop whose redirect leads to https. The simulator names its pools by
// public origins (https://lyncweb.fabrikam.com…) and this test's fetch plays the network: it maps
// those names to the loopback ports, and answers every other name as DNS would for a host that does
// not exist — so the client judges the real names, as it would at work. (TLS itself is not part of
// this: the origins say https, the bytes go over loopback http; certificate errors are tested in
// tests/unit/ucwaDiscovery.test.ts and tests/integration/hostile.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../main/core/store/memoryStore.ts';
import { createMessengerService } from '../../main/core/app/service.ts';
import type { FullMessengerService } from '../../main/core/app/types.ts';
import { sim, TEST_TIMING } from './helpers.ts';
import type { Simulator, SimulatorOptions } from '../../simulator/index.ts';

const JOHN = { sip: 'sip:john.doe@contoso.com', name: 'John Doe', password: 'Winter2026!', signInNames: ['CONTOSO\\jdoe', 'jdoe@corp.contoso.com'] };
const ME = { sip: 'sip:me@contoso.com', name: 'Me Myself', password: 'pw' };

interface Net {
  service: FullMessengerService;
  /** Every request: its URL as the client saw it, whether it carried a token, and the form fields it posted. */
  seen: { method: string; url: string; auth: boolean; body: string }[];
  /** Names the client asked for that do not exist on this network. */
  unknown: string[];
}

/** A service whose fetch resolves `names` (public origin → where it really listens) and nothing else. */
function onNetwork(names: Record<string, string>): Net {
  const seen: Net['seen'] = [];
  const unknown: string[] = [];
  const fetchFn = (url: string, init: RequestInit): Promise<Response> => {
    const u = new URL(url);
    seen.push({ method: init.method ?? 'GET', url, auth: new Headers(init.headers).has('authorization'), body: typeof init.body === 'string' ? init.body : '' });
    const real = names[u.origin];
    if (!real) {
      unknown.push(u.origin);
      return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${u.hostname}`), { code: 'ENOTFOUND' }) }));
    }
    return fetch(`${real}${u.pathname}${u.search}`, init);
  };
  const service = createMessengerService({ fetch: fetchFn, store: createMemoryStore(), endpointId: 'test-endpoint-1', random: () => 0.5, timing: TEST_TIMING });
  return { service, seen, unknown };
}

async function withSim(opts: SimulatorOptions, fn: (s: Simulator) => Promise<void>): Promise<void> {
  const s = await sim({ demoWorld: false, users: [JOHN, ME], ...opts });
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

async function closing<T>(net: Net, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await net.service.close();
  }
}

test('a sign-in name that differs from the SIP address: DOMAIN\\user and a UPN sign in; the SIP address alone is (rightly) refused', () => withSim({}, async (s) => {
  for (const login of ['CONTOSO\\jdoe', 'jdoe@corp.contoso.com', '  contoso\\JDOE  ']) {
    const net = onNetwork({ [s.origin]: s.origin });
    await closing(net, async () => {
      const st = await net.service.signIn({ sip: 'john.doe@contoso.com', password: JOHN.password, login, server: s.url });
      assert.equal(st.status, 'online', `${login}: ${JSON.stringify(st.error)}`);
      assert.equal(st.user?.sip, JOHN.sip, 'who signed in is the SIP address, not the sign-in name');
      const grant = net.seen.find((r) => r.method === 'POST' && r.url.includes('/WebTicket/oauthtoken'));
      // Sent verbatim, form-encoded (PROTOCOL-2 §3.2: CONTOSO\jdoe → username=CONTOSO%5Cjdoe).
      assert.equal(new URLSearchParams(grant?.body ?? '').get('username'), login.trim());
    });
  }
  // What users met before: the SIP address as the user name → "wrong password".
  const net = onNetwork({ [s.origin]: s.origin });
  await closing(net, async () => {
    await assert.rejects(net.service.signIn({ sip: 'john.doe@contoso.com', password: JOHN.password, server: s.url }), (e: Error & { code?: string }) => e.code === 'wrongPassword');
    // A sign-in name that cannot be one is said in words before anything is sent.
    await assert.rejects(net.service.signIn({ sip: 'john.doe@contoso.com', password: 'x', login: 'CONTOSO\\j\u0007doe', server: s.url }), (e: Error & { code?: string }) => e.code === 'invalidInput' && /sign-in name like/.test(e.message));
  });
}));

test('a pool in another domain: followed from the https discovery answer, token and all on that pool; refused when the answer came over plain http', () => withSim(
  { publicOrigins: ['https://lyncweb.fabrikam.com'], httpFirstHop: 'root' },
  async (s) => {
    const pool = s.listenOrigins[0]!;
    // lyncdiscover.contoso.com answers over https and names the pool at lyncweb.fabrikam.com.
    const net = onNetwork({ 'https://lyncdiscover.contoso.com': pool, 'https://lyncweb.fabrikam.com': pool });
    await closing(net, async () => {
      const st = await net.service.signIn({ sip: ME.sip, password: ME.password });
      assert.equal(st.status, 'online', JSON.stringify(st.error));
      const posts = net.seen.filter((r) => r.method === 'POST');
      assert.ok(posts.length > 0 && posts.every((r) => r.url.startsWith('https://lyncweb.fabrikam.com/')), posts.map((r) => r.url).join(', '));
      assert.ok(net.seen.filter((r) => r.auth).every((r) => r.url.startsWith('https://lyncweb.fabrikam.com/')), 'the token went only to the pool that issued it');
    });
    // The same answer received over plain http (an http-only lyncdiscover name): a spoofed answer
    // could send the password anywhere, so a pool outside contoso.com is not followed.
    const hop = s.firstHopOrigin!;
    const plain = onNetwork({ 'http://lyncdiscover.contoso.com': hop, 'https://lyncweb.fabrikam.com': pool });
    await closing(plain, async () => {
      await assert.rejects(plain.service.signIn({ sip: ME.sip, password: ME.password }), (e: Error & { code?: string }) =>
        e.code === 'insecureUrl' && /plain http.*lyncweb\.fabrikam\.com.*outside contoso\.com/.test(e.message));
      assert.deepEqual(plain.seen.filter((r) => r.url.includes('fabrikam')), [], 'nothing was asked of the pool it named');
    });
  },
));

test('the HTTP first hop: no https name answers, http://lyncdiscover.<domain> redirects to https, and sign-in goes on there — nothing secret over http', () => withSim(
  { publicOrigins: ['https://lyncweb.contoso.com'], httpFirstHop: 'redirect' },
  async (s) => {
    const net = onNetwork({ 'http://lyncdiscover.contoso.com': s.firstHopOrigin!, 'https://lyncweb.contoso.com': s.listenOrigins[0]! });
    await closing(net, async () => {
      const st = await net.service.signIn({ sip: ME.sip, password: ME.password });
      assert.equal(st.status, 'online', JSON.stringify(st.error));
      const http = net.seen.filter((r) => r.url.startsWith('http:'));
      assert.ok(http.length >= 1, 'the first hop was asked');
      assert.ok(http.every((r) => r.method === 'GET' && !r.auth && !r.body), `only a bare GET over http: ${JSON.stringify(http)}`);
      // https first (both names), then http: Microsoft's order with the secure scheme first (§3.9).
      assert.deepEqual(net.unknown.slice(0, 3), ['https://lyncdiscoverinternal.contoso.com', 'https://lyncdiscover.contoso.com', 'http://lyncdiscoverinternal.contoso.com']);
    });
  },
));

test('an explicit server in another domain, and a second pool in another domain after sign-in (split domain): each pool its own token', () => withSim(
  { publicOrigins: ['https://lyncweb.contoso.com', 'https://pool2.fabrikam.com'], redirectUsers: [JOHN.sip] },
  async (s) => {
    const [one, two] = s.listenOrigins;
    const net = onNetwork({ 'https://lyncweb.contoso.com': one!, 'https://pool2.fabrikam.com': two! });
    await closing(net, async () => {
      const st = await net.service.signIn({ sip: JOHN.sip, password: JOHN.password, login: 'CONTOSO\\jdoe', server: 'https://lyncweb.contoso.com/autodiscover/autodiscoverservice.svc/root' });
      assert.equal(st.status, 'online', JSON.stringify(st.error));
      const grants = net.seen.filter((r) => r.method === 'POST' && r.url.includes('/WebTicket/oauthtoken')).map((r) => new URL(r.url).origin);
      assert.deepEqual(grants, ['https://lyncweb.contoso.com', 'https://pool2.fabrikam.com'], 'a token from each pool');
      const apps = net.seen.find((r) => r.method === 'POST' && r.url.endsWith('/applications'));
      assert.equal(apps && new URL(apps.url).origin, 'https://pool2.fabrikam.com');
    });
    // A server typed by the user outside the SIP domain is trusted as typed (over https).
    const typed = onNetwork({ 'https://pool2.fabrikam.com': two! });
    await closing(typed, async () => {
      const st = await typed.service.signIn({ sip: JOHN.sip, password: JOHN.password, login: 'jdoe@corp.contoso.com', server: 'https://pool2.fabrikam.com/autodiscover/autodiscoverservice.svc/root' });
      assert.equal(st.status, 'online', JSON.stringify(st.error));
    });
  },
));
