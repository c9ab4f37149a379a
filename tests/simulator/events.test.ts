import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { Session, flatten, fmt, sleep, startTestSim } from './http.ts';

describe('event channel', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim();
  });
  after(() => sim.stop());

  it('numbers batches, releases an empty batch with links only on timeout', async () => {
    const s = await Session.open(sim);
    const r = await s.get(`${s.app._links.events.href}&timeout=20`); // 20 ms scaled
    assert.equal(r.status, 200);
    assert.match(r.json._links.self.href, /events\?ack=1$/);
    assert.match(r.json._links.next.href, /events\?ack=2$/);
    assert.equal(r.json.sender, undefined);
    assert.deepEqual(Object.keys(r.json), ['_links']);
  });

  it('re-delivers the same batch on the same ack and answers resync for any other ack', async () => {
    const s = await Session.open(sim);
    const first = s.get(s.app._links.events.href);
    await s.makeMeAvailable();
    const b1 = await first;
    assert.ok(b1.json.sender.length > 0);
    const again = await s.get(s.app._links.events.href);
    assert.deepEqual(again.json, b1.json, 'same ack → exactly the same batch');
    const base = s.app._links.events.href.replace(/ack=\d+/, '');
    const far = await s.get(`${base}ack=99`);
    assert.equal(far.status, 200);
    assert.deepEqual(Object.keys(far.json._links), ['resync']);
    assert.match(far.json._links.resync.href, /events\?ack=1$/, 'first unacknowledged batch');
    const b2 = await s.get(`${b1.json._links.next.href}&timeout=10`);
    assert.match(b2.json._links.self.href, /ack=2$/);
    const far2 = await s.get(`${base}ack=0`);
    assert.match(far2.json._links.resync.href, /ack=2$/);
  });

  it('a second P-GET replaces the parked one: the older gets 409 PGetReplaced', async () => {
    const s = await Session.open(sim);
    const older = s.get(`${s.app._links.events.href}&timeout=5000`);
    await sleep(20);
    const newer = s.get(`${s.app._links.events.href}&timeout=20`);
    const o = await older;
    assert.equal(o.status, 409);
    assert.equal(o.json.code, 'Conflict');
    assert.equal(o.json.subcode, 'PGetReplaced');
    assert.equal((await newer).status, 200);
  });

  it('makeMeAvailable: 204, me updated + presence/note/location added, then communication updated', async () => {
    const s = await Session.open(sim);
    const pget = s.get(s.app._links.events.href);
    await s.makeMeAvailable();
    const evs = flatten((await pget).json);
    assert.deepEqual(evs.map(fmt), ['me/me:updated', 'me/presence:added', 'me/note:added', 'me/location:added', 'communication/communication:updated']);
    const comm = evs[4]?.embedded;
    assert.equal(comm.rel, 'communication');
    assert.deepEqual(comm.supportedModalities, ['Messaging']);
    const second = await s.post(s.me.makeMeAvailable!.href, { SupportedModalities: ['Messaging'] });
    assert.equal(second.status, 409);
    assert.equal(second.json.subcode, 'AlreadyExists');
  });

  it('makeMeAvailable with a modality other than Messaging/PhoneAudio → 403', async () => {
    const s = await Session.open(sim);
    const r = await s.post(s.me.makeMeAvailable!.href, { supportedModalities: ['Messaging', 'Video'] });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'Forbidden');
  });

  it('presence and reportMyActivity need makeMeAvailable (409 MakeMeAvailableRequired)', async () => {
    const s = await Session.open(sim);
    const base = s.app._links.self.href;
    for (const r of [await s.get(`${base}/me/presence`), await s.post(`${base}/me/reportMyActivity`), await s.post(`${base}/me/presence`, { availability: 'Busy' })]) {
      assert.equal(r.status, 409);
      assert.equal(r.json.code, 'Conflict');
      assert.equal(r.json.subcode, 'MakeMeAvailableRequired');
    }
    await s.makeMeAvailable();
    const app = (await s.get(base)).json;
    const me = app._embedded.me._links;
    assert.equal((await s.post(me.reportMyActivity.href)).status, 204);
    const p = await s.get(me.presence.href);
    assert.equal(p.json.rel, 'presence');
    assert.equal(p.json.availability, 'Online');
    assert.equal((await s.post(me.presence.href, { Availability: 'BeRightBack' })).status, 204);
    assert.equal((await s.get(me.presence.href)).json.availability, 'BeRightBack');
    assert.equal((await s.post(me.presence.href, { availability: 'Sleeping' })).status, 400);
  });
});
