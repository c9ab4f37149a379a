import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, BOB, Session, getToken, req, startTestSim } from './http.ts';

function parseChallenge(header: string | null): { href: string; grants: string[] } {
  assert.ok(header, 'WWW-Authenticate present');
  const m = /MsRtcOAuth\s+href="?([^",]+)"?\s*,\s*grant_type="([^"]+)"/.exec(header);
  assert.ok(m, `MsRtcOAuth challenge in ${header}`);
  return { href: m[1] as string, grants: (m[2] as string).split(',') };
}

describe('discovery and sign-in', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim();
  });
  after(() => sim.stop());

  it('serves the root with self, user and xframe (also on GET /)', async () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+\/autodiscover\/autodiscoverservice\.svc\/root$/);
    for (const url of [sim.url, `${sim.origin}/`]) {
      const r = await req(url);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      for (const rel of ['self', 'user', 'xframe']) assert.equal(typeof r.json._links[rel].href, 'string');
    }
  });

  it('challenges an anonymous user GET and every /ucwa path with MsRtcOAuth', async () => {
    const root = await req(sim.url);
    const user = await req(root.json._links.user.href);
    assert.equal(user.status, 401);
    const c = parseChallenge(user.headers.get('www-authenticate'));
    assert.equal(c.href, `${sim.origin}/WebTicket/oauthtoken`);
    assert.deepEqual(c.grants, ['urn:microsoft.rtc:windows', 'urn:microsoft.rtc:anonmeeting', 'password']);
    assert.match(user.headers.get('www-authenticate') ?? '', /^Bearer /, 'a Bearer challenge comes first, as in the trace');
    for (const p of ['/ucwa/oauth/v1/applications', '/ucwa/oauth/v1/applications/101/events?ack=1']) {
      const r = await req(sim.origin + p);
      assert.equal(r.status, 401);
      parseChallenge(r.headers.get('www-authenticate'));
    }
  });

  it('issues a token for the password grant, then user has an applications link', async () => {
    const t = await getToken(sim.origin, 'alice@contoso.com', 'pw');
    assert.equal(t.status, 200);
    assert.match(t.json.access_token, /^cwt=/);
    assert.equal(t.json.token_type, 'Bearer');
    assert.equal(typeof t.json.expires_in, 'number');
    assert.equal(t.json.ms_rtc_identityscope, 'local');
    assert.equal(t.headers.get('cache-control'), 'no-store');
    const root = await req(sim.url);
    const u = await req(root.json._links.user.href, { headers: { Authorization: `Bearer ${t.json.access_token}` } });
    assert.equal(u.status, 200);
    assert.match(u.json._links.applications.href, /\/ucwa\/oauth\/v1\/applications$/);
    assert.equal(u.json._links.redirect, undefined);
  });

  it('answers OAuth errors: invalid_grant, unsupported_grant_type, invalid_request', async () => {
    const bad = await getToken(sim.origin, 'alice@contoso.com', 'wrong');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { error: 'invalid_grant' });
    const unknownUser = await getToken(sim.origin, 'nobody@contoso.com', 'pw');
    assert.equal(unknownUser.json.error, 'invalid_grant');
    const post = (body: string) => req(`${sim.origin}/WebTicket/oauthtoken`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    const ug = await post('grant_type=client_credentials&username=alice@contoso.com&password=pw');
    assert.equal(ug.status, 400);
    assert.equal(ug.json.error, 'unsupported_grant_type');
    const ir = await post('grant_type=password&username=alice@contoso.com');
    assert.equal(ir.status, 400);
    assert.equal(ir.json.error, 'invalid_request');
    assert.equal((await post('username=a')).json.error, 'invalid_request');
  });

  it('refuses a token after expireTokens and after its lifetime', async () => {
    const s = await Session.open(sim);
    assert.equal((await s.get(s.app._links.self.href)).status, 200);
    sim.control.expireTokens(ALICE);
    const r = await s.get(s.app._links.self.href);
    assert.equal(r.status, 401);
    parseChallenge(r.headers.get('www-authenticate'));
  });

  it('expires tokens after tokenLifetimeSec (scaled)', async () => {
    const short = await startTestSim({ tokenLifetimeSec: 20 }); // 20 ms at timeScale 0.001
    try {
      const s = await Session.open(short);
      await new Promise((r) => setTimeout(r, 40));
      const r = await s.get(s.app._links.self.href);
      assert.equal(r.status, 401);
    } finally {
      await short.stop();
    }
  });
});

describe('pool redirect', () => {
  it('redirects a user homed on the second pool; tokens are per pool', async () => {
    const sim = await startTestSim({ redirectUsers: [BOB] });
    try {
      const t1 = await getToken(sim.origin, 'bob@contoso.com', 'pw');
      const root = await req(sim.url);
      const u1 = await req(root.json._links.user.href, { headers: { Authorization: `Bearer ${t1.json.access_token}` } });
      assert.equal(u1.status, 200);
      assert.equal(u1.json._links.applications, undefined);
      const redirect = u1.json._links.redirect.href as string;
      assert.notEqual(new URL(redirect).origin, sim.origin);
      const r2 = await req(redirect);
      assert.equal(r2.status, 200);
      const user2 = r2.json._links.user.href as string;
      const anon = await req(user2);
      assert.equal(anon.status, 401);
      const c = parseChallenge(anon.headers.get('www-authenticate'));
      assert.equal(new URL(c.href).origin, new URL(redirect).origin, 'pool 2 challenges with its own token endpoint');
      const old = await req(user2, { headers: { Authorization: `Bearer ${t1.json.access_token}` } });
      assert.equal(old.status, 401, 'pool-1 token refused on pool 2');
      const t2 = await getToken(new URL(c.href).origin, 'bob@contoso.com', 'pw');
      const u2 = await req(user2, { headers: { Authorization: `Bearer ${t2.json.access_token}` } });
      assert.equal(u2.status, 200);
      assert.match(u2.json._links.applications.href, /^http:\/\/127\.0\.0\.1:\d+\/ucwa\/oauth\/v1\/applications$/);
      const s = await Session.open(sim, BOB, 'pw', new URL(redirect).origin);
      assert.equal(s.app.rel, 'application');
      // Alice stays on pool 1.
      const ta = await getToken(sim.origin, 'alice@contoso.com', 'pw');
      const ua = await req(root.json._links.user.href, { headers: { Authorization: `Bearer ${ta.json.access_token}` } });
      assert.ok(ua.json._links.applications);
    } finally {
      await sim.stop();
    }
  });
});
