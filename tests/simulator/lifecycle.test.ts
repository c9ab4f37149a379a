// Gaps closed after the first simulator cut: event channel `resume`, activity expiry, presence
// decay, conference invitations, If-Match on PUT communication. Plain HTTP only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, Session, fmt, sleep, withSim } from './http.ts';

async function ready(sim: Simulator, body: Record<string, unknown> = {}): Promise<Session> {
  const s = await Session.open(sim);
  const first = s.events.batch();
  const r = await s.post(s.me.makeMeAvailable!.href, { SupportedModalities: ['Messaging'], ...body });
  assert.equal(r.status, 204, r.text);
  await first;
  return s;
}

describe('event channel resume (PROTOCOL §3.3)', () => {
  it('idle past resumeAfterSec: conversations torn down, next P-GET has resume instead of next, numbering continues', () =>
    withSim({ resumeAfterSec: 200, applicationExpirySec: 100_000 }, async (sim) => {
      const s = await ready(sim);
      await sim.control.sendIm('sip:echo@contoso.com', ALICE, 'hello');
      const evs = await s.events.untilEvent('messagingInvitation', 'updated');
      const inv = evs[0]!.embedded;
      assert.equal((await s.post(inv._links.accept.href)).status, 204);
      await s.events.untilEvent('message', 'completed');
      assert.equal(sim.control.liveConversations(ALICE).length, 1);
      // No P-GET for 0.2 s (200 s scaled): the server drops transient state.
      await sleep(400);
      assert.equal(sim.control.liveConversations(ALICE).length, 0);
      const r = await s.get(s.events.next);
      assert.equal(r.status, 200);
      assert.equal(r.json._links.next, undefined);
      assert.ok(r.json._links.resume, 'resume link');
      assert.match(r.json._links.self.href, /events\?ack=(\d+)$/);
      const ack = Number(/ack=(\d+)$/.exec(r.json._links.self.href)![1]);
      assert.match(r.json._links.resume.href, new RegExp(`events\\?ack=${ack + 1}$`));
      assert.ok(!(r.json.sender ?? []).some((b: { events: { link: { rel: string } }[] }) => b.events.some((e) => e.link.rel === 'message')), 'no stale events');
      // The old conversation is gone; the app itself is alive.
      assert.equal((await s.get(inv._links.conversation.href)).status, 404);
      assert.equal((await s.get(s.app._links.self.href)).status, 200);
      // Following resume works like next: an empty release with `next` again.
      const after = await s.get(`${r.json._links.resume.href}&timeout=20`);
      assert.equal(after.status, 200);
      assert.ok(after.json._links.next);
      assert.equal(after.json._links.resume, undefined);
    }));

  it('off by default: a long gap between P-GETs still gets next', () =>
    withSim({}, async (sim) => {
      const s = await ready(sim);
      await sleep(300);
      const r = await s.get(`${s.events.next}&timeout=10`);
      assert.ok(r.json._links.next);
      assert.equal(r.json._links.resume, undefined);
    }));

  it('a parked P-GET keeps the state: no resume while the channel is in use', () =>
    withSim({ resumeAfterSec: 100, applicationExpirySec: 100_000 }, async (sim) => {
      const s = await ready(sim);
      const r = await s.get(`${s.events.next}&timeout=400`); // parked 0.4 s > resumeAfterSec
      assert.ok(r.json._links.next);
    }));
});

describe('activity expiry and presence decay (PROTOCOL §2.3, §4.3)', () => {
  it('after makeMeAvailable, no reportMyActivity for activityExpirySec → 410 InactiveApplicationExpired', () =>
    withSim({ activityExpirySec: 300 }, async (sim) => {
      const s = await ready(sim);
      const parked = s.get(`${s.events.next}&timeout=100000`);
      // Activity keeps it alive past the threshold.
      for (let i = 0; i < 3; i++) {
        await sleep(150);
        assert.equal((await s.post(s.app._links.self.href + '/me/reportMyActivity')).status, 204);
      }
      const p = await parked;
      assert.equal(p.status, 410, 'the parked P-GET is answered when the app is terminated');
      assert.equal(p.json.subcode, 'InactiveApplicationExpired');
      const r = await s.get(s.app._links.self.href);
      assert.equal(r.status, 410);
      assert.equal(r.json.code, 'Gone');
      assert.equal(r.json.subcode, 'InactiveApplicationExpired');
    }));

  it('never applies before makeMeAvailable, and is off by default', async () => {
    await withSim({ activityExpirySec: 50, applicationForgetSec: 100_000 }, async (sim) => {
      const lurker = await Session.open(sim); // no makeMeAvailable → no activity expiry
      const s = await ready(sim);
      await sleep(200);
      assert.equal((await lurker.get(lurker.app._links.self.href)).status, 200);
      assert.equal((await s.get(s.app._links.self.href)).status, 410);
    });
    await withSim({}, async (sim) => {
      const s = await ready(sim);
      await sleep(200);
      assert.equal((await s.get(s.app._links.self.href)).status, 200);
    });
  });

  it('inactiveTimeout: IdleOnline, then Away, with presence events; reportMyActivity restores Online', () =>
    withSim({ awayAfterIdleSec: 200 }, async (sim) => {
      // inactiveTimeout as a TimeSpan: 00:02:00 = 120 s → 120 ms scaled.
      const s = await ready(sim, { inactiveTimeout: '00:02:00' });
      const presence = `${s.app._links.self.href}/me/presence`;
      assert.equal((await s.get(presence)).json.availability, 'Online');
      const evs = await s.events.until((e) => e.filter((x) => x.rel === 'presence').length >= 2, 3000);
      const seen = evs.filter((x) => x.rel === 'presence');
      assert.deepEqual(seen.map(fmt), ['me/presence:updated', 'me/presence:updated']);
      assert.deepEqual(seen.map((e) => e.embedded.availability), ['IdleOnline', 'Away']);
      assert.equal((await s.get(presence)).json.availability, 'Away');
      // Contacts see the decayed presence too.
      const bob = await Session.open(sim, 'sip:bob@contoso.com');
      const cp = await bob.get(`${bob.app._links.self.href}/people/alice@contoso.com/presence`);
      assert.equal(cp.json.availability, 'Away');
      assert.equal((await s.post(`${s.app._links.self.href}/me/reportMyActivity`)).status, 204);
      const back = await s.events.until((e) => e.some((x) => x.rel === 'presence'), 3000);
      assert.equal(back.find((x) => x.rel === 'presence')!.embedded.availability, 'Online');
      assert.equal((await s.get(presence)).json.availability, 'Online');
    }));

  it('Busy decays to IdleBusy; a malformed inactiveTimeout → 400', () =>
    withSim({ inactiveTimeoutSec: 100 }, async (sim) => {
      const bad = await Session.open(sim);
      const r = await bad.post(bad.me.makeMeAvailable!.href, { inactiveTimeout: 'soon' });
      assert.equal(r.status, 400);
      assert.equal(r.json.subcode, 'ParameterValidationFailure');
      const s = await ready(sim, { signInAs: 'Busy' });
      const evs = await s.events.until((e) => e.some((x) => x.rel === 'presence'), 3000);
      assert.equal(evs.find((x) => x.rel === 'presence')!.embedded.availability, 'IdleBusy');
    }));
});

// Conference invitations (groupInvite, which replaced sendConferenceInvite): conferences.test.ts.

describe('PUT communication ETag (PROTOCOL §0.2)', () => {
  it('428 without If-Match, 412 with a stale one, 200 with the current ETag (which then changes)', () =>
    withSim({}, async (sim) => {
      const s = await Session.open(sim);
      const g = await s.get(s.comm.self!.href);
      const etag = g.headers.get('etag')!;
      assert.ok(etag);
      assert.equal(etag.replace(/"/g, ''), g.json.etag, 'header and property agree');
      const body = { ...g.json, supportedMessageFormats: ['Plain', 'Html'] };
      const put = (headers: Record<string, string>) =>
        fetch(s.url(s.comm.self!.href), { method: 'PUT', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const none = await put({});
      assert.equal(none.status, 428);
      assert.equal(((await none.json()) as { code: string }).code, 'PreconditionRequired');
      const stale = await put({ 'If-Match': '"999"' });
      assert.equal(stale.status, 412);
      assert.equal(((await stale.json()) as { code: string }).code, 'PreconditionFailed');
      const ok = await put({ 'If-Match': etag });
      assert.equal(ok.status, 200);
      const okBody = (await ok.json()) as { supportedMessageFormats: string[]; etag: string };
      assert.deepEqual(okBody.supportedMessageFormats, ['Plain', 'Html']);
      assert.notEqual(okBody.etag, g.json.etag);
      assert.equal((await put({ 'If-Match': etag })).status, 412, 'the old ETag is stale now');
      // makeMeAvailable changes the communication resource too.
      const before = (await s.get(s.comm.self!.href)).json.etag;
      await s.makeMeAvailable();
      assert.notEqual((await s.get(s.comm.self!.href)).json.etag, before);
    }));
});
