// Bad server input never crashes the service or loses what someone wrote: malformed JSON on the
// event channel, events with missing links or unknown types, hrefs to a foreign host, and a message
// from a conversation the service had stopped tracking. Real simulator over HTTP; odd events are
// pushed through the event channel's own queue (the path a P-GET answer takes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMessages, ME, service, signIn, sim, until } from './helpers.ts';
import { parseBatch } from '../../main/core/ucwa/events.ts';
import type { EventChannel } from '../../main/core/ucwa/eventChannel.ts';
import type { InvitationInfo } from '../../main/core/app/types.ts';
import { AppError } from '../../main/core/app/types.ts';
import type { MessengerDeps } from '../../main/core/app/deps.ts';

interface Internals { _internals: { channel: () => EventChannel | null; liveHref: (id: number) => string | null } }
const internals = (svc: unknown) => (svc as Internals)._internals;

async function feed(svc: unknown, events: unknown[], sender = { rel: 'communication', href: '' }): Promise<void> {
  const ch = internals(svc).channel();
  assert.ok(ch, 'event channel running');
  const base = appBase(svc);
  await ch.enqueue(parseBatch({
    _links: { self: { href: `${base}/events?ack=900` }, next: { href: `${base}/events?ack=901` } },
    sender: [{ rel: sender.rel, href: sender.href || `${base}/communication`, events }],
  }));
}

function appBase(svc: unknown): string {
  return new URL(internals(svc).channel()!.currentUrl, 'http://x/').pathname.replace(/\/events$/, '');
}

async function stillWorks(h: ReturnType<typeof service>, s: Awaited<ReturnType<typeof sim>>, text: string): Promise<void> {
  assert.equal(h.service.state().status, 'online');
  const got: InvitationInfo[] = [];
  const off = h.service.on('invitation', (i) => { if (i.text === text) got.push(i); });
  await s.control.sendIm(s.people[0]!.sip, ME, text);
  await until(() => got[0], `an ordinary invitation ("${text}") still arrives`);
  off();
}

test('malformed JSON on the event channel: reconnect, no crash, events flow again', async () => {
  const s = await sim();
  let poison = 0;
  const fetchWithGarbage: MessengerDeps['fetch'] = async (url, init) => {
    if (poison > 0 && url.includes('/events')) {
      poison--;
      return new Response('{"_links": {"next": ', { status: 200, headers: { 'content-type': 'application/json' } });
    }
    return fetch(url, init);
  };
  const h = service(s, { fetch: fetchWithGarbage });
  try {
    await signIn(h, s);
    const states: string[] = [];
    h.service.on('session', (st) => states.push(st.status));
    poison = 2;
    internals(h.service).channel()!.restart(); // the next P-GET answers garbage
    await until(() => poison === 0 && h.service.state().status === 'online', 'back online after garbage');
    await stillWorks(h, s, 'after garbage');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('events with missing links, unknown types and wrong shapes are skipped; the rest of the batch is not', async () => {
  const s = await sim();
  const h = service(s);
  try {
    await signIn(h, s);
    const base = appBase(h.service);
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => invites.push(i));
    await feed(h.service, [
      { link: { rel: 'messagingInvitation', href: `${base}/communication/messagingInvitations/nofrom` }, type: 'started',
        _embedded: { messagingInvitation: { direction: 'Incoming', threadId: 'no-from-thread', _links: { message: { href: 'data:text/plain,who+am+I' } } } } },
      { link: { rel: 'messagingInvitation', href: `${base}/communication/messagingInvitations/badmsg` }, type: 'started',
        _embedded: { messagingInvitation: { direction: 'Incoming', threadId: 'bad-msg-thread', _links: { message: { href: 'data:text/plain;base64,%%%' }, from: { href: `${base}/people/bob@contoso.com` } } } } },
      { link: { rel: 'message', href: `${base}/x/messages/1` }, type: 'completed', _embedded: { message: { direction: 'Incoming', timeStamp: 'yesterday', _links: {} } } },
      { link: { rel: 'messaging', href: `${base}/x/messaging` }, type: 'updated', _embedded: { messaging: { state: 'Connected', negotiatedMessageFormats: 'Html' } } },
      { link: { rel: 'conversation', href: 42 }, type: 'added' },
      { link: { rel: 'participant', href: `${base}/x/participants/p` }, in: { rel: 'typingParticipants' }, type: 'added' },
      { link: { rel: 'missedItems', href: `${base}/communication/missedItems` }, type: 'exploded' },
      'just a string',
      null,
    ]);
    // The two invitations reach the user, with what could be read; no crash.
    const noFrom = invites.find((i) => i.text === 'who am I');
    assert.ok(noFrom, 'invitation without a sender is shown');
    assert.equal(noFrom.from, null);
    const badMsg = invites.find((i) => i.from?.sip === 'sip:bob@contoso.com');
    assert.ok(badMsg, 'invitation with an undecodable message is shown');
    assert.equal(badMsg.text, null);
    // Accepting one whose server gave no accept link says so in words.
    await assert.rejects(h.service.accept(noFrom.conversationId), (e: unknown) => e instanceof AppError && /no way to accept/.test(e.message));
    await stillWorks(h, s, 'after odd events');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('hrefs to a foreign host: nothing is sent there (no token leaves the pool), and the user is told', async () => {
  const s = await sim();
  const h = service(s);
  try {
    await signIn(h, s);
    const base = appBase(h.service);
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => invites.push(i));
    await feed(h.service, [
      // Not embedded: the service would GET it — at another host.
      { link: { rel: 'messagingInvitation', href: 'https://evil.example.net/ucwa/messagingInvitations/1' }, type: 'started' },
      // Embedded, but its accept link points elsewhere.
      { link: { rel: 'messagingInvitation', href: `${base}/communication/messagingInvitations/foreign` }, type: 'started',
        _embedded: { messagingInvitation: { direction: 'Incoming', threadId: 'foreign-thread', _links: {
          message: { href: 'data:text/plain,click+accept' }, from: { href: `${base}/people/bob@contoso.com` },
          accept: { href: 'https://evil.example.net/steal' } } } } },
    ]);
    const inv = invites.find((i) => i.text === 'click accept');
    assert.ok(inv);
    await assert.rejects(h.service.accept(inv.conversationId), (e: unknown) => e instanceof AppError);
    assert.equal(h.requests.filter((r) => r.url.includes('evil.example.net')).length, 0, 'no request to the foreign host');
    assert.equal(inv.unsupported, false);
    await stillWorks(h, s, 'after foreign hrefs');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('a message from a conversation the service stopped tracking is stored, not dropped', async () => {
  const s = await sim();
  const h = service(s);
  try {
    await signIn(h, s);
    const bob = s.people.find((p) => p.behaviour?.kind !== 'decline' && p.behaviour?.kind !== 'neverAnswer')!.sip;
    s.control.setBehaviour(bob, { kind: 'neverAnswer' });
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'hello there') invites.push(i); });
    await s.control.sendIm(bob, ME, 'hello there');
    const inv = await until(() => invites[0], 'invitation');
    await h.service.accept(inv.conversationId);
    await until(() => h.service.liveState(inv.conversationId)?.connection === 'connected', 'connected');
    const convHref = internals(h.service).liveHref(inv.conversationId)!;
    const path = new URL(convHref).pathname;
    // A stray "deleted" for the conversation (the server still has it): the service forgets its href.
    await feed(h.service, [{ link: { rel: 'conversation', href: path }, type: 'deleted' }]);
    assert.equal(internals(h.service).liveHref(inv.conversationId), null);
    // Bob keeps writing in it.
    const thread = s.control.liveConversations(ME)[0]!.threadId;
    await s.control.sendInConversation(thread, bob, 'are you still there?');
    await until(async () => (await allMessages(h, inv.conversationId)).some((m) => m.text === 'are you still there?'), 'message stored in the same conversation');
    await s.control.sendInConversation(thread, bob, 'and again');
    await until(async () => (await allMessages(h, inv.conversationId)).some((m) => m.text === 'and again'), 'the next one too');
    const all = await h.store.listConversations({ limit: 100 });
    assert.equal(all.items.filter((c) => c.threadId === thread).length, 1, 'no second conversation for the thread');
  } finally {
    await h.service.close();
    await s.stop();
  }
});
