// joinOnlineMeeting and scheduled meetings (PROTOCOL-2 §2.11), the group control endpoint, the
// participantHrefs option and simulated people's group habits (the demo world's among them).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../simulator/index.ts';
import { ALICE, Session, decodeData, fmt } from './http.ts';
import { BERT, CARL, GROUP_USERS, LENE, acceptGroupInvite, addMessaging, find, ready, send, untilCompleted, withGroupSim } from './groupWorld.ts';

describe('joinOnlineMeeting', () => {
  it('a scheduled meeting by its conference URI: its people are there; unknown → 404 DestinationNotFound; the URI as a query parameter', () =>
    withGroupSim({}, async (sim) => {
      const s = await ready(sim);
      const meeting = sim.control.scheduleMeeting({ organizer: LENE, subject: 'Design review', members: [BERT, CARL] });
      assert.match(meeting.onlineMeetingUri, /^sip:lene@contoso\.com;gruu;opaque=app:conf:focus:id:([A-Z0-9]{8})$/);
      const id = meeting.onlineMeetingUri.split(':').at(-1);
      assert.equal(meeting.joinUrl, `https://meet.contoso.com/lene/${id}`);
      assert.deepEqual(sim.control.meetings(BERT).map((m) => m.joinUrl), [meeting.joinUrl]);
      assert.ok(s.comm.joinOnlineMeeting);

      const missing = await s.post(s.comm.joinOnlineMeeting!.href, { onlineMeetingUri: 'sip:lene@contoso.com;gruu;opaque=app:conf:focus:id:NOSUCH12', operationId: 'op-x' });
      assert.equal(missing.status, 404);
      assert.equal(missing.json.subcode, 'DestinationNotFound');
      // A join URL is not a conference URI: the client must convert it.
      assert.equal((await s.post(s.comm.joinOnlineMeeting!.href, { onlineMeetingUri: meeting.joinUrl })).status, 404);

      const r = await s.post(s.comm.joinOnlineMeeting!.href, { onlineMeetingUri: meeting.onlineMeetingUri, operationId: 'op-join' });
      assert.equal(r.status, 201, r.text);
      const evs = await untilCompleted(s, 'onlineMeetingInvitation');
      assert.deepEqual(evs.map(fmt), [
        'communication/onlineMeetingInvitation:started',
        'communication/conversation:added',
        'conversation/localParticipant:added',
        'conversation/onlineMeeting:added@conversation',
        'communication/conversation:updated',
        'conversation/participant:added',
        'conversation/participant:added',
        'conversation/participant:added',
        'conversation/messaging:updated',
        'communication/onlineMeetingInvitation:completed:Success',
      ]);
      assert.equal(evs[0]!.embedded.onlineMeetingUri, meeting.onlineMeetingUri);
      assert.equal(evs[0]!.embedded.operationId, 'op-join');
      assert.deepEqual(evs.filter((e) => e.rel === 'participant').map((e) => e.embedded.uri).sort(), [BERT, CARL, LENE].sort());
      assert.equal(evs[3]!.embedded.joinUrl, meeting.joinUrl);
      assert.equal(evs[3]!.embedded.subject, 'Design review');
      assert.equal(evs[2]!.embedded.role, 'Attendee');
      const conv = find(evs, 'conversation', 'added')!.href;
      const { messaging } = await addMessaging(s, conv);
      await send(s, messaging, 'joined from the tray');
      assert.ok(sim.control.conferences(ALICE).some((c) => c.uri === meeting.onlineMeetingUri && c.messages.some((m) => m.text === 'joined from the tray')));

      // A second application joins the same live conference, the URI in the query this time.
      const s2 = await ready(sim);
      const q = await s2.post(`${s2.comm.joinOnlineMeeting!.href}?onlineMeetingUri=${encodeURIComponent(meeting.onlineMeetingUri)}`, { operationId: 'op-q' });
      assert.equal(q.status, 201, q.text);
      const evs2 = await untilCompleted(s2, 'onlineMeetingInvitation');
      assert.equal(find(evs2, 'onlineMeetingInvitation', 'completed')!.status, 'Success');
      assert.equal(sim.control.conferences(ALICE).filter((c) => c.uri === meeting.onlineMeetingUri).length, 1, 'one conference');
    }));

  it('joining a live ad hoc conference by its URI: the others see the user come', () =>
    withGroupSim({}, async (sim) => {
      const alice = await ready(sim);
      const { confId, conv } = await acceptGroupInvite(sim, alice, { from: LENE });
      await addMessaging(alice, conv);
      const uri = sim.control.conferences(ALICE).find((c) => c.id === confId)!.uri;
      const bob = await ready(sim, 'sip:bob@contoso.com');
      assert.equal((await bob.post(bob.comm.joinOnlineMeeting!.href, { onlineMeetingUri: uri })).status, 201);
      const bobEvs = await untilCompleted(bob, 'onlineMeetingInvitation');
      assert.deepEqual(bobEvs.filter((e) => e.rel === 'participant').map((e) => e.embedded.uri).sort(), [ALICE, LENE].sort());
      const seen = await alice.events.untilEvent('participant', 'added');
      assert.equal(find(seen, 'participant', 'added')!.embedded.uri, 'sip:bob@contoso.com');
      // joinOnlineMeeting without any URI is a new meeting, as startOnlineMeeting.
      assert.equal((await bob.post(bob.comm.joinOnlineMeeting!.href, {})).status, 201);
      assert.equal(find(await untilCompleted(bob, 'onlineMeetingInvitation'), 'onlineMeetingInvitation', 'completed')!.status, 'Success');
      assert.equal(sim.control.conferences('sip:bob@contoso.com').length, 2);
    }));

  it("participantHrefs 'sip': conference participants in the trace style", () =>
    withGroupSim({ participantHrefs: 'sip' }, async (sim) => {
      const s = await ready(sim);
      const { joined } = await acceptGroupInvite(sim, s, { from: LENE, others: [BERT] });
      assert.deepEqual(joined.filter((e) => e.rel === 'participant').map((e) => e.href.split('/').at(-1)).sort(), ['bert@contoso.com', 'lene@contoso.com']);
    }));
});

describe('control endpoint (/_control/group*)', () => {
  it('groupInvite, groupSay, conferences, scheduleMeeting, endConference over HTTP', () =>
    withGroupSim({ controlEndpoint: true }, async (sim) => {
      const s = await ready(sim);
      const call = async (name: string, args: unknown) => {
        const r = await fetch(`${sim.origin}/_control/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args) });
        const body = (await r.json()) as { ok?: boolean; result?: any; message?: string }; // eslint-disable-line @typescript-eslint/no-explicit-any
        assert.equal(r.status, 200, body.message);
        return body.result;
      };
      const confId = await call('groupInvite', { from: LENE, to: ALICE, others: [BERT], subject: 'Over HTTP' });
      const inv = find(await s.events.untilEvent('onlineMeetingInvitation', 'started'), 'onlineMeetingInvitation', 'started')!.embedded;
      await s.post(inv._links.accept.href);
      await untilCompleted(s, 'onlineMeetingInvitation');
      await addMessaging(s, inv._links.conversation.href);
      await call('groupJoin', { confId, uri: CARL });
      await call('groupSay', { confId, from: CARL, text: 'over the wire' });
      await call('groupTyping', { confId, from: LENE, typing: true });
      const m = await s.events.untilEvent('message', 'completed');
      assert.equal(decodeData(find(m, 'message', 'completed')!.embedded._links.plainMessage.href), 'over the wire');
      const confs = await call('conferences', { userSip: ALICE });
      assert.equal(confs[0].subject, 'Over HTTP');
      assert.deepEqual(confs[0].messages.map((x: { name: string }) => x.name), ['Carl Quiet']);
      const meeting = await call('scheduleMeeting', { organizer: LENE, subject: 'Later', members: [BERT] });
      assert.match(meeting.joinUrl, /^https:\/\/meet\.contoso\.com\/lene\/[A-Z0-9]{8}$/);
      assert.equal((await call('meetings', { userSip: BERT }))[0].onlineMeetingUri, meeting.onlineMeetingUri);
      await call('groupLeave', { confId, uri: CARL });
      await call('endConference', { confId });
      assert.equal((await call('conferences', {}))[0].ended, true);
    }));
});

describe('group habits', () => {
  it('invite after sign-in with two others; one joins late, one leaves early, one answers in the group', () =>
    withGroupSim({
      users: [
        ...GROUP_USERS,
        { sip: 'sip:host@contoso.com', name: 'Hosting Hank', group: { invite: { afterMs: 50_000, with: [BERT, 'sip:late@contoso.com'], subject: 'Habits', text: 'Join us?' } } },
        { sip: 'sip:late@contoso.com', name: 'Late Larry', group: { joinLateMs: 400_000 } },
        { sip: 'sip:early@contoso.com', name: 'Early Erin', group: { leaveAfterMs: 200_000 } },
      ],
    }, async (sim) => {
      const s = await Session.open(sim);
      await s.makeMeAvailable();
      const ring = await s.events.untilEvent('onlineMeetingInvitation', 'started');
      const inv = find(ring, 'onlineMeetingInvitation', 'started')!.embedded;
      assert.equal(inv._embedded.from.uri, 'sip:host@contoso.com');
      assert.equal(inv.subject, 'Habits');
      assert.equal(decodeData(inv._links.message.href), 'Join us?');
      const confId = inv.onlineMeetingUri.split(':').at(-1);
      assert.deepEqual(sim.control.conferences(ALICE)[0]!.members.map((m) => m.uri).sort(), [BERT, 'sip:host@contoso.com'].sort(), 'Larry is not there yet');
      assert.equal((await s.post(inv._links.accept.href)).status, 204);
      await untilCompleted(s, 'onlineMeetingInvitation');
      const { messaging } = await addMessaging(s, inv._links.conversation.href);
      await sim.control.groupJoin(confId, 'sip:early@contoso.com');
      await send(s, messaging, 'hi all');
      const reply = await s.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming' && decodeData(x.embedded._links.plainMessage.href) === 'group reply'));
      assert.equal(find(reply, 'message', 'completed', (e) => e.embedded.direction === 'Incoming' && e.embedded._links.participant.title === 'Bert Replier')!.status, 'Success');
      const comings = await s.events.until(() => s.events.seen.some((e) => e.rel === 'participant' && e.type === 'added' && e.embedded?.uri === 'sip:late@contoso.com')
        && s.events.seen.some((e) => e.rel === 'participant' && e.type === 'deleted' && !e.in), 3000);
      assert.ok(comings.length > 0);
      const members = sim.control.conferences(ALICE)[0]!.members.map((m) => m.uri);
      assert.ok(members.includes('sip:late@contoso.com'), 'Larry came late');
      assert.ok(!members.includes('sip:early@contoso.com'), 'Erin left early');
      // Once per run: a second sign-in is not invited again.
      const again = await Session.open(sim);
      await again.makeMeAvailable();
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(sim.control.conferences(ALICE).length, 1);
    }));

  it('autoGroupInvites: false → nobody invites by habit', () =>
    withGroupSim({ autoGroupInvites: false, users: [...GROUP_USERS, { sip: 'sip:host@contoso.com', name: 'Hosting Hank', group: { invite: { afterMs: 10, with: [BERT] } } }] }, async (sim) => {
      const s = await Session.open(sim);
      await s.makeMeAvailable();
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(sim.control.conferences().length, 0);
    }));

  it('the demo world: Rahul invites with Hannah and Lars after sign-in; the demo user has a scheduled meeting (seeded)', async () => {
    const start = () => startSimulator({ timeScale: 0.001, demoConversations: 2, seed: 3, invitationTimeoutSec: 3000, applicationExpirySec: 100_000, callbackChannelDeadSec: 10_000 });
    const demo = await start();
    const twin = await start();
    try {
      const meetings = demo.control.meetings('sip:demo@contoso.com');
      assert.equal(meetings.length, 1);
      assert.match(meetings[0]!.joinUrl, /^https:\/\/meet\.contoso\.com\/demo\/[A-Z0-9]{8}$/);
      assert.deepEqual(twin.control.meetings(), meetings, 'the same seed, the same meeting');
      const rahul = demo.people.find((p) => p.name === 'Rahul Mehta')!;
      assert.equal(rahul.behaviour?.kind, 'reply', 'the 1:1 behaviour is unchanged');
      const s = await Session.open(demo, 'sip:demo@contoso.com', 'demo');
      await s.makeMeAvailable();
      const ring = await s.events.until((e) => e.some((x) => x.rel === 'onlineMeetingInvitation' && x.type === 'started'), 5000);
      const inv = find(ring, 'onlineMeetingInvitation', 'started')!.embedded;
      assert.equal(inv._embedded.from.name, 'Rahul Mehta');
      const conf = demo.control.conferences('sip:demo@contoso.com')[0]!;
      assert.ok(['Hannah Schulz', 'Rahul Mehta'].every((n) => conf.members.some((m) => m.name === n)));
      assert.ok(conf.invited.includes('sip:demo@contoso.com'));
      const r = await s.post(s.comm.joinOnlineMeeting!.href, { onlineMeetingUri: meetings[0]!.onlineMeetingUri });
      assert.equal(r.status, 201);
    } finally {
      await demo.stop();
      await twin.stop();
    }
  });
});
