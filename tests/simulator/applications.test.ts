import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, Session, getToken, req, sleep, startTestSim } from './http.ts';

function assertError(r: { status: number; json: any; headers: Headers }, status: number, code: string, subcode?: string): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(r.status, status);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(r.json.code, code);
  assert.equal(typeof r.json.message, 'string');
  if (subcode) assert.equal(r.json.subcode, subcode);
}

describe('applications', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim({ applicationExpirySec: 100_000 });
  });
  after(() => sim.stop());

  it('POST creates an application with the §2.1 shape', async () => {
    const s = await Session.open(sim);
    const a = s.app;
    assert.equal(a.rel, 'application');
    for (const k of ['culture', 'userAgent', 'endpointId', 'type']) assert.equal(typeof a[k], 'string', k);
    assert.equal(a.culture, 'en-US');
    for (const rel of ['self', 'policies', 'batch', 'events']) assert.equal(typeof a._links[rel].href, 'string', rel);
    assert.match(a._links.events.href, /events\?ack=1$/);
    assert.match(a._links.self.href, /^\/ucwa\/oauth\/v1\/applications\/[^/]+$/);
    const { me, people, communication, onlineMeetings } = a._embedded;
    assert.equal(me.rel, 'me');
    assert.equal(me.uri, ALICE);
    assert.equal(me.name, 'Alice Local');
    for (const rel of ['self', 'makeMeAvailable', 'photo']) assert.ok(me._links[rel], rel);
    assert.equal(me._links.presence, undefined);
    assert.equal(people.rel, 'people');
    for (const rel of ['self', 'search', 'myContacts']) assert.ok(people._links[rel], rel);
    assert.equal(communication.rel, 'communication');
    assert.ok(Object.values(communication).includes('please pass this in a PUT request'), 'PUT sentinel');
    assert.ok(Array.isArray(communication.supportedModalities));
    assert.ok(Array.isArray(communication.supportedMessageFormats));
    assert.equal(communication.conversationHistory, 'Enabled');
    for (const rel of ['self', 'conversations', 'startMessaging', 'conversationLogs', 'missedItems']) assert.ok(communication._links[rel], rel);
    assert.equal(onlineMeetings.rel, 'onlineMeetings');
  });

  it('accepts camelCase input and validates required fields (400 ParameterValidationFailure)', async () => {
    const t = await getToken(sim.origin, 'alice@contoso.com', 'pw');
    const post = (body: unknown, q = '') =>
      req(`${sim.origin}/ucwa/oauth/v1/applications${q}`, { method: 'POST', headers: { Authorization: `Bearer ${t.json.access_token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const ok = await post({ userAgent: 'a', endpointId: 'b', culture: 'en-GB', unknownThing: 1 });
    assert.equal(ok.status, 201);
    assert.equal(ok.json.culture, 'en-GB');
    const viaQuery = await post({}, '?UserAgent=q&EndpointId=e&Culture=fr-FR');
    assert.equal(viaQuery.status, 201);
    assertError(await post({ userAgent: 'a', endpointId: 'b' }), 400, 'BadRequest', 'ParameterValidationFailure');
    assertError(await post({ userAgent: 'x'.repeat(101), endpointId: 'b', culture: 'en-US' }), 400, 'BadRequest', 'ParameterValidationFailure');
  });

  it('GET reflects links after makeMeAvailable; DELETE → 204 then 404 ApplicationNotFound', async () => {
    const s = await Session.open(sim);
    const g = await s.get(s.app._links.self.href);
    assert.equal(g.status, 200);
    assert.equal(g.json.rel, 'application');
    await s.makeMeAvailable();
    const g2 = await s.get(s.app._links.self.href);
    const me = g2.json._embedded.me._links;
    for (const rel of ['presence', 'note', 'location', 'reportMyActivity']) assert.ok(me[rel], rel);
    assert.equal(me.makeMeAvailable, undefined);
    assert.deepEqual(g2.json._embedded.communication.supportedModalities, ['Messaging']);
    const d = await s.del(s.app._links.self.href);
    assert.equal(d.status, 204);
    assertError(await s.get(s.app._links.self.href), 404, 'NotFound', 'ApplicationNotFound');
  });

  it('expireApplications → 410 InactiveApplicationExpired, then 404 once forgotten', async () => {
    const s = await Session.open(sim);
    sim.control.expireApplications(ALICE);
    assertError(await s.get(s.app._links.self.href), 410, 'Gone', 'InactiveApplicationExpired');
    assertError(await s.get(s.app._embedded.communication._links.conversationLogs.href), 410, 'Gone', 'InactiveApplicationExpired');
    sim.control.expireApplications(ALICE, { forget: true });
    assertError(await s.get(s.app._links.self.href), 404, 'NotFound', 'ApplicationNotFound');
  });

  it('unknown resource → 404, wrong method → 405, both with UCWA error bodies', async () => {
    const s = await Session.open(sim);
    assertError(await s.get(`${s.app._links.self.href}/nothing/here`), 404, 'NotFound');
    assertError(await s.post(s.app._embedded.communication._links.missedItems.href, {}), 405, 'MethodNotAllowed');
  });
});

describe('application expiry by timer', () => {
  it('no P-GET for applicationExpirySec → 410, then applicationForgetSec later → 404', async () => {
    const sim = await startTestSim({ applicationExpirySec: 30, applicationForgetSec: 60 }); // 30 ms, 60 ms
    try {
      const s = await Session.open(sim);
      await sleep(50);
      const r = await s.get(s.app._links.self.href);
      assert.equal(r.status, 410);
      assert.equal(r.json.subcode, 'InactiveApplicationExpired');
      await sleep(100);
      const r2 = await s.get(s.app._links.self.href);
      assert.equal(r2.status, 404);
      assert.equal(r2.json.subcode, 'ApplicationNotFound');
    } finally {
      await sim.stop();
    }
  });

  it('a parked P-GET keeps the application alive', async () => {
    const sim = await startTestSim({ applicationExpirySec: 30, eventTimeoutSec: 1000 });
    try {
      const s = await Session.open(sim);
      const pget = s.get(s.app._links.events.href);
      await sleep(80);
      const r = await s.get(s.app._links.self.href);
      assert.equal(r.status, 200);
      sim.control.expireApplications();
      const p = await pget;
      assert.equal(p.status, 410, 'the parked P-GET is answered with the termination');
    } finally {
      await sim.stop();
    }
  });

  it('maxApplicationsPerUser → 410 TooManyApplications', async () => {
    const sim = await startTestSim({ maxApplicationsPerUser: 1 });
    try {
      await Session.open(sim);
      await assert.rejects(Session.open(sim), /application: 410 .*TooManyApplications/);
    } finally {
      await sim.stop();
    }
  });
});
