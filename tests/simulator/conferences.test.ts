// Ad hoc group conversations (PROTOCOL-2 §2): startOnlineMeeting → addMessaging → addParticipant,
// an incoming group invitation, the roster with opaque participant hrefs, a phone participant.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../simulator/index.ts';
import { ALICE, decodeData, fmt } from './http.ts';
import { BERT, CARL, LENE, PHONE, addMessaging, find, ready, send, startGroupSim, startMeeting, untilCompleted, withGroupSim } from './groupWorld.ts';

const OPAQUE = /\/participants\/\d+$/;

describe('startOnlineMeeting → addMessaging → addParticipant', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startGroupSim();
  });
  after(() => sim.stop());

  it('§2.2 sequence, Success after the localParticipant; onlineMeeting, conversation and messaging shapes', async () => {
    const s = await ready(sim);
    assert.match(s.comm.startOnlineMeeting!.href, /onlineMeetingInvitations\?onlineMeetingUri=adhoc$/);
    const { evs, location } = await startMeeting(s, { operationId: 'op-start', subject: 'Planning', importance: 'Urgent' });
    assert.match(location, /\/communication\/onlineMeetingInvitations\/[^/]+$/);
    assert.deepEqual(evs.map(fmt), [
      'communication/onlineMeetingInvitation:started',
      'communication/conversation:added',
      'conversation/localParticipant:added',
      'conversation/onlineMeeting:added@conversation',
      'communication/conversation:updated',
      'conversation/messaging:updated',
      'communication/onlineMeetingInvitation:completed:Success',
    ]);
    const started = evs[0]!.embedded;
    assert.equal(evs[0]!.href, location);
    assert.equal(started.rel, 'onlineMeetingInvitation');
    assert.equal(started.direction, 'Outgoing');
    assert.equal(started.state, 'Connecting');
    assert.equal(started.operationId, 'op-start');
    assert.equal(started.subject, 'Planning');
    assert.equal(started.importance, 'Urgent');
    assert.match(started.onlineMeetingUri, /^sip:alice@contoso\.com;gruu;opaque=app:conf:focus:id:[A-Z0-9]{8}$/);
    assert.equal(started._links.conversation.href, evs[1]!.href);
    assert.equal(evs[1]!.embedded.state, 'Connecting');
    const local = evs[2]!.embedded;
    assert.equal(local.uri, ALICE);
    assert.equal(local.local, true);
    assert.equal(local.role, 'Leader');
    assert.equal(local.organizer, true);
    const meeting = evs[3]!.embedded;
    assert.equal(evs[3]!.in!.href, evs[1]!.href);
    assert.equal(meeting.onlineMeetingUri, started.onlineMeetingUri);
    const id = started.onlineMeetingUri.split(':').at(-1);
    assert.equal(meeting.joinUrl, `https://meet.contoso.com/alice/${id}`);
    assert.equal(meeting.organizerUri, ALICE);
    assert.equal(meeting.organizerName, 'Alice Local');
    assert.equal(meeting.subject, 'Planning');
    const conv = evs[4]!.embedded;
    assert.equal(conv.state, 'Conferenced');
    for (const rel of ['onlineMeeting', 'participants', 'addParticipant', 'localParticipant', 'messaging']) assert.ok(conv._links[rel], rel);
    assert.equal(evs[5]!.embedded.state, 'Disconnected', 'joining the meeting does not join its IM');
    assert.ok(evs[5]!.embedded._links.addMessaging);
    assert.equal(evs[5]!.embedded._links.sendMessage, undefined);
    assert.equal(evs[6]!.embedded.state, 'Connected');
    assert.equal(evs[6]!.embedded.operationId, 'op-start');
    // The GETs agree with the events.
    assert.equal((await s.get(location)).json.state, 'Connected');
    assert.equal((await s.get(conv._links.onlineMeeting.href)).json.onlineMeetingUri, started.onlineMeetingUri);
    assert.equal((await s.get(conv._links.self.href)).json.state, 'Conferenced');
  });

  it('addMessaging → messagingInvitation, messaging Connected, participantMessaging; addParticipant → the invitee joins, Success with acceptedByParticipant; messages both ways', async () => {
    const s = await ready(sim);
    const { conv } = await startMeeting(s, { subject: 'Three of us' });
    const { evs, messaging } = await addMessaging(s, conv, 'op-im');
    assert.deepEqual(evs.map(fmt), [
      'communication/messagingInvitation:started',
      'conversation/messaging:updated',
      'conversation/messaging:updated',
      'conversation/participantMessaging:added@localParticipant',
      'communication/messagingInvitation:completed:Success',
    ]);
    assert.equal(evs[0]!.embedded.operationId, 'op-im');
    assert.equal(evs[0]!.embedded.direction, 'Outgoing');
    assert.equal(evs[1]!.embedded.state, 'Connecting');
    assert.equal(messaging.state, 'Connected');
    for (const rel of ['sendMessage', 'setIsTyping', 'typingParticipants', 'stopMessaging']) assert.ok(messaging._links[rel], rel);
    assert.equal(messaging._links.addMessaging, undefined);
    // A second addMessaging while connected is refused.
    assert.equal((await s.post(`${conv}/messaging/addMessaging`, { operationId: 'x' })).status, 409);

    const r = await s.post(`${conv}/addParticipant`, { to: BERT, operationId: 'op-add' });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('location') ?? '', /\/communication\/participantInvitations\/[^/]+$/);
    const added = await untilCompleted(s, 'participantInvitation');
    assert.deepEqual(added.map(fmt), [
      'communication/participantInvitation:started',
      'conversation/participant:added',
      'conversation/participantMessaging:added@participant',
      'communication/participantInvitation:completed:Success',
    ]);
    const startedInv = added[0]!.embedded;
    assert.equal(startedInv.rel, 'participantInvitation');
    assert.equal(startedInv.state, 'Connecting');
    assert.equal(startedInv.operationId, 'op-add');
    assert.equal(startedInv.to, BERT);
    assert.ok(startedInv._links.cancel);
    const bertHref = added[1]!.href;
    assert.match(bertHref, OPAQUE, 'opaque participant href');
    assert.equal(added[1]!.embedded.uri, BERT);
    assert.equal(added[1]!.embedded.name, 'Bert Replier');
    assert.equal(added[2]!.in!.href, bertHref);
    const done = added[3]!.embedded;
    assert.equal(done.state, 'Connected');
    assert.equal(done._embedded.acceptedByParticipant[0].uri, BERT);
    assert.equal(done._embedded.acceptedByParticipant[0]._links.self.href, bertHref);

    await send(s, messaging, 'hello group');
    const reply = await s.events.until((e) => e.some((x) => x.rel === 'message' && x.embedded?.direction === 'Incoming'));
    const own = find(reply, 'message', 'completed', (e) => e.embedded.direction === 'Outgoing')!;
    assert.equal(own.status, 'Success');
    assert.ok(find(reply, 'participant', 'added', (e) => e.in?.rel === 'typingParticipants'), 'Bert types first');
    const m = find(reply, 'message', 'completed', (e) => e.embedded.direction === 'Incoming')!.embedded;
    assert.equal(decodeData(m._links.plainMessage.href), 'group reply');
    assert.equal(m._links.participant.href, bertHref);
    assert.equal(m._links.participant.title, 'Bert Replier');
    assert.ok(m._links.contact, 'a directory user has a contact');
    const conf = sim.control.conferences(ALICE).find((c) => c.threadId === done.threadId)!;
    assert.deepEqual(conf.messages.map((x) => [x.from, x.text]), [[ALICE, 'hello group'], [BERT, 'group reply']]);
    assert.deepEqual(conf.members.map((x) => [x.uri, x.role, x.inIm]).sort(), [[ALICE, 'Leader', true], [BERT, 'Attendee', true]].sort());
    const received = sim.control.receivedMessages(ALICE).find((x) => x.text === 'hello group')!;
    assert.deepEqual(received.to, [BERT]);

    // The roster by GET: links and embedded, the participant, the views.
    const parts = (await s.get(`${conv}/participants`)).json;
    assert.deepEqual(parts._links.participant.map((p: { href: string }) => p.href), [bertHref]);
    assert.equal(parts._embedded.participant[0].uri, BERT);
    assert.ok(parts._links.localParticipant);
    const p = (await s.get(bertHref)).json;
    assert.equal(p.role, 'Attendee');
    assert.equal(p.organizer, false);
    assert.equal(p.local, false);
    assert.equal(p.anonymous, false);
    assert.equal(p.sourceNetwork, 'SameEnterprise');
    for (const rel of ['contact', 'contactPresence', 'participantMessaging']) assert.ok(p._links[rel], rel);
    assert.equal((await s.get(`${conv}/leaders`)).json._links.participant.length, 0);
    assert.equal((await s.get(`${conv}/attendees`)).json._links.participant[0].href, bertHref);
    assert.deepEqual((await s.get(`${conv}/lobby`)).json._embedded.participant, []);
    const om = (await s.get(`${conv}/onlineMeeting`)).json;
    assert.deepEqual(om.attendees, [BERT]);
    assert.deepEqual(om.leaders, [ALICE]);
  });

  it('addParticipant: unknown → DestinationNotFound, decline → Declined, no answer → Timeout; the conference carries on', async () => {
    const quick = await startGroupSim({ invitationTimeoutSec: 300 });
    try {
      const s = await ready(quick);
      const { conv } = await startMeeting(s);
      const outcome = async (to: string) => {
        assert.equal((await s.post(`${conv}/addParticipant`, { to, operationId: `op-${to}` })).status, 201);
        const evs = await untilCompleted(s, 'participantInvitation');
        return find(evs, 'participantInvitation', 'completed')!;
      };
      const unknown = await outcome('sip:nobody@contoso.com');
      assert.equal(unknown.status, 'Failure');
      assert.equal(unknown.reason!.subcode, 'DestinationNotFound');
      const declined = await outcome('sip:nope@contoso.com');
      assert.equal(declined.reason!.subcode, 'Declined');
      assert.equal(declined.embedded.state, 'Declined');
      const silent = await outcome('sip:silent@contoso.com');
      assert.equal(silent.reason!.subcode, 'Timeout');
      assert.equal((await s.get(conv)).json.state, 'Conferenced', 'still in the conference');
      // Bad input and states.
      assert.equal((await s.post(`${conv}/addParticipant`, { to: 'bob' })).status, 400);
      assert.equal((await s.post(`${conv}/addParticipant`, { to: ALICE })).status, 400);
    } finally {
      await quick.stop();
    }
  });

  it('participantInvitation cancel → 204 and Failure Canceled; the invitee never joins', async () => {
    const s = await ready(sim);
    const { conv } = await startMeeting(s);
    const r = await s.post(`${conv}/addParticipant`, { to: 'sip:silent@contoso.com', operationId: 'op-c' });
    const started = await s.events.untilEvent('participantInvitation', 'started');
    const cancel = find(started, 'participantInvitation', 'started')!.embedded._links.cancel.href;
    assert.equal((await s.post(cancel)).status, 204);
    const done = find(await untilCompleted(s, 'participantInvitation'), 'participantInvitation', 'completed')!;
    assert.equal(done.reason!.subcode, 'Canceled');
    assert.equal((await s.get(r.headers.get('location')!)).json.state, 'Cancelled');
    assert.equal((await s.post(cancel)).status, 409);
  });
});

describe('incoming group invitation (groupInvite)', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startGroupSim();
  });
  after(() => sim.stop());

  it('§2.6 invitation; accept → Conferenced with the members; addMessaging; two members and a phone write, with opaque hrefs', async () => {
    const s = await ready(sim);
    const confId = await sim.control.groupInvite({ from: LENE, to: ALICE, others: [BERT], subject: 'Quarterly', text: 'Welcome both' });
    assert.match(confId, /^[A-Z0-9]{8}$/);
    const ring = await s.events.until((e) => e.some((x) => x.rel === 'onlineMeetingInvitation' && x.type === 'updated'));
    assert.deepEqual(ring.map(fmt), ['communication/onlineMeetingInvitation:started', 'communication/conversation:added', 'communication/onlineMeetingInvitation:updated']);
    const inv = ring[0]!.embedded;
    assert.equal(inv.direction, 'Incoming');
    assert.equal(inv.state, 'Connecting');
    assert.equal(inv.subject, 'Quarterly');
    assert.equal(inv.to, ALICE);
    assert.equal(inv.onlineMeetingUri, `sip:lene@contoso.com;gruu;opaque=app:conf:focus:id:${confId}`);
    assert.ok(inv.availableModalities.includes('Messaging'));
    for (const rel of ['self', 'accept', 'decline', 'conversation', 'from', 'message']) assert.ok(inv._links[rel], rel);
    assert.match(inv._links.self.href, /\/communication\/onlineMeetingInvitations\//);
    assert.equal(decodeData(inv._links.message.href), 'Welcome both');
    assert.equal(inv._embedded.from.name, 'Lene Lead');
    assert.equal(inv._embedded.from.uri, LENE);
    assert.equal(inv._embedded.from.role, 'Leader');
    assert.equal(ring[1]!.embedded.state, 'Incoming');
    // Who else is in it can be read before answering.
    const before = (await s.get(ring[1]!.embedded._links.participants.href)).json;
    assert.deepEqual(before._embedded.participant.map((p: { uri: string }) => p.uri).sort(), [BERT, LENE].sort());
    assert.equal(before._links.localParticipant, undefined, 'the user is not in it yet');
    assert.equal(ring[2]!.embedded._links.accept, undefined, 'answer links withdrawn in the update');
    // The messagingInvitations collection does not answer for it.
    assert.equal((await s.post(inv._links.accept.href.replace('onlineMeetingInvitations', 'messagingInvitations'))).status, 404);

    assert.equal((await s.post(inv._links.accept.href)).status, 204);
    const joined = await untilCompleted(s, 'onlineMeetingInvitation');
    assert.deepEqual(joined.map(fmt), [
      'conversation/localParticipant:added',
      'conversation/onlineMeeting:added@conversation',
      'communication/conversation:updated',
      'conversation/participant:added',
      'conversation/participant:added',
      'conversation/messaging:updated',
      'communication/onlineMeetingInvitation:completed:Success',
    ]);
    const conv = inv._links.conversation.href;
    assert.equal(joined[2]!.embedded.state, 'Conferenced');
    const people = joined.filter((e) => e.rel === 'participant').map((e) => e.embedded);
    assert.deepEqual(people.map((p) => [p.uri, p.name, p.role]).sort(), [[BERT, 'Bert Replier', 'Attendee'], [LENE, 'Lene Lead', 'Leader']].sort());
    const hrefOf = (uri: string) => joined.find((e) => e.rel === 'participant' && e.embedded.uri === uri)!.href;
    for (const uri of [LENE, BERT]) {
      assert.match(hrefOf(uri), OPAQUE);
      assert.ok(!hrefOf(uri).includes(uri.slice(4, 8)), 'no SIP in the href');
    }
    assert.equal(inv._links.from.href, hrefOf(LENE), 'the inviter keeps its participant href');
    assert.equal(joined[5]!.embedded.state, 'Disconnected');
    assert.equal(joined[6]!.embedded._embedded.acceptedByParticipant[0].uri, ALICE);

    const { evs } = await addMessaging(s, conv);
    assert.deepEqual(evs.filter((e) => e.rel === 'participantMessaging').map((e) => [e.in!.rel, e.in!.href]).sort(), [
      ['localParticipant', joined[0]!.href], ['participant', hrefOf(BERT)], ['participant', hrefOf(LENE)],
    ].sort());
    // The invitation's first message arrives again as a message.
    await s.events.until(() => s.events.seen.some((x) => x.rel === 'message'));
    const firstMsg = find(s.events.seen, 'message', 'completed')!.embedded;
    assert.equal(decodeData(firstMsg._links.plainMessage.href), 'Welcome both');
    assert.equal(firstMsg._links.participant.href, hrefOf(LENE));

    await sim.control.groupSay(confId, LENE, 'one from Lene');
    await sim.control.groupSay(confId, BERT, 'two from Bert');
    const said = await s.events.until((e) => e.filter((x) => x.rel === 'message').length >= 2);
    const msgs = said.filter((e) => e.rel === 'message').map((e) => e.embedded);
    assert.deepEqual(msgs.map((m) => [decodeData(m._links.plainMessage.href), m._links.participant.href, m._links.participant.title]), [
      ['one from Lene', hrefOf(LENE), 'Lene Lead'],
      ['two from Bert', hrefOf(BERT), 'Bert Replier'],
    ]);
    assert.ok(msgs.every((m) => m.direction === 'Incoming' && m._links.contact));

    // A phone participant: no contact, a formatted number as its name, in the roster but not in IM.
    await sim.control.groupJoin(confId, PHONE);
    const rang = await s.events.untilEvent('participant', 'added');
    const phoneAdded = find(rang, 'participant', 'added')!;
    assert.deepEqual(rang.map(fmt), ['conversation/participant:added']);
    assert.equal(phoneAdded.embedded.uri, PHONE);
    assert.equal(phoneAdded.embedded.name, '+1 425-555-0123');
    assert.match(phoneAdded.href, OPAQUE);
    const phone = (await s.get(phoneAdded.href)).json;
    assert.equal(phone._links.contact, undefined);
    assert.equal(phone._links.contactPresence, undefined);
    assert.equal(phone.otherPhoneNumber, PHONE);
    await sim.control.groupSay(confId, PHONE, 'from the car');
    const phoned = await s.events.untilEvent('message', 'completed');
    assert.deepEqual(phoned.map(fmt), ['conversation/participantMessaging:added@participant', 'conversation/message:completed:Success']);
    const pm = find(phoned, 'message', 'completed')!.embedded;
    assert.equal(pm._links.participant.href, phoneAdded.href);
    assert.equal(pm._links.participant.title, '+1 425-555-0123');
    assert.equal(pm._links.contact, undefined, 'no contact for a phone participant');

    const conf = sim.control.conferences(ALICE).find((c) => c.id === confId)!;
    assert.equal(conf.ended, false);
    assert.deepEqual(conf.members.map((m) => [m.uri, m.inIm]).sort(), [[ALICE, true], [BERT, true], [LENE, true], [PHONE, true]].sort());
    assert.deepEqual(conf.messages.map((m) => [m.name, m.text]), [
      ['Lene Lead', 'Welcome both'], ['Lene Lead', 'one from Lene'], ['Bert Replier', 'two from Bert'], ['+1 425-555-0123', 'from the car'],
    ]);
  });

  it('rings every available application: the first answer wins, the others stop with ConnectedElsewhere', async () => {
    const a = await ready(sim);
    const b = await ready(sim);
    await sim.control.groupInvite({ from: LENE, to: ALICE, others: [CARL] });
    const [ra, rb] = await Promise.all([a.events.untilEvent('onlineMeetingInvitation', 'started'), b.events.untilEvent('onlineMeetingInvitation', 'started')]);
    const inv = find(rb, 'onlineMeetingInvitation', 'started')!.embedded;
    assert.ok(find(ra, 'onlineMeetingInvitation', 'started'));
    assert.equal((await b.post(inv._links.accept.href)).status, 204);
    const lost = await untilCompleted(a, 'onlineMeetingInvitation');
    assert.equal(find(lost, 'onlineMeetingInvitation', 'completed')!.reason!.subcode, 'ConnectedElsewhere');
    assert.equal(find(await untilCompleted(b, 'onlineMeetingInvitation'), 'onlineMeetingInvitation', 'completed')!.status, 'Success');
  });
});

describe('a policy without ad hoc meetings (adHocMeetings: false)', () => {
  it('offers no startOnlineMeeting and refuses the POST with 403; joinOnlineMeeting stays', () => withGroupSim({ adHocMeetings: false }, async (sim) => {
    const s = await ready(sim);
    assert.equal(s.comm.startOnlineMeeting, undefined, 'no link');
    assert.ok(s.comm.joinOnlineMeeting, 'joining a meeting by its URL is another thing');
    const r = await s.post(s.comm.joinOnlineMeeting!.href + '?onlineMeetingUri=adhoc', { operationId: 'op-x' });
    assert.equal(r.status, 403, r.text);
  }));
});

