// Invitations this client cannot join, HTML both ways, markAsRead reaching the server, and the
// history sync that sign-in starts by itself — against the simulator over real HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMessages, ME, service, signIn, sim, until } from './helpers.ts';
import { parseBatch } from '../../main/core/ucwa/events.ts';
import type { EventBatch } from '../../main/core/ucwa/events.ts';
import type { InvitationInfo } from '../../main/core/app/types.ts';
import type { EventChannel } from '../../main/core/ucwa/eventChannel.ts';
import { AppError } from '../../main/core/app/types.ts';

interface Internals { _internals: { channel: () => EventChannel | null; client: () => { poolBase: string } | null } }
const internals = (svc: unknown) => (svc as Internals)._internals;

/** Push a server batch through the event channel's own queue (the path a P-GET answer takes). */
async function feed(svc: unknown, body: unknown): Promise<void> {
  const ch = internals(svc).channel();
  assert.ok(ch, 'event channel running');
  await ch.enqueue(parseBatch(body) as EventBatch);
}

function appBase(svc: unknown): string {
  const ch = internals(svc).channel();
  // "/ucwa/oauth/v1/applications/101/events?ack=3" → "/ucwa/oauth/v1/applications/101"
  return new URL(ch!.currentUrl, 'http://x/').pathname.replace(/\/events$/, '');
}

test('a meeting or call without messages is shown as unsupported, never joined, and nothing crashes', async () => {
  const s = await sim();
  const h = service(s);
  try {
    await signIn(h, s);
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => invites.push(i));
    const base = appBase(h.service);
    const from = s.people[0]!;
    const invitation = (id: string, rel: string, extra: Record<string, unknown>, props: Record<string, unknown> = {}) => ({
      link: { rel, href: `${base}/communication/${rel}s/${id}` },
      type: 'started',
      _embedded: { [rel]: {
        rel, direction: 'Incoming', state: 'Connecting', threadId: `conf-${id}`, subject: 'Weekly sync', importance: 'Normal', ...props,
        _links: {
          self: { href: `${base}/communication/${rel}s/${id}` },
          conversation: { href: `${base}/communication/conversations/conf${id}` },
          accept: { href: `${base}/communication/${rel}s/${id}/accept` },
          decline: { href: `${base}/communication/${rel}s/${id}/decline` },
          message: { href: 'data:text/plain;charset=utf-8,Join+the+meeting' },
          ...extra,
        },
        _embedded: { from: { rel: 'participant', name: from.name, uri: from.sip, _links: { self: { href: `${base}/people/${from.sip.slice(4)}` } } } },
      } },
    });
    await feed(h.service, {
      _links: { self: { href: `${base}/events?ack=90` }, next: { href: `${base}/events?ack=91` } },
      sender: [{ rel: 'communication', href: `${base}/communication`, events: [
        // A meeting whose modalities have no IM (group IM ones are joined: groups.test.ts), and a call.
        invitation('c1', 'onlineMeetingInvitation', {}, { availableModalities: ['Audio', 'Video'] }),
        invitation('c2', 'audioVideoInvitation', {}),
        // Garbage next to them must not stop the batch.
        { link: { rel: 'messagingInvitation', href: `${base}/communication/messagingInvitations/x` }, type: 'started', _embedded: { messagingInvitation: 'not an object' } },
        { link: { rel: 'someFutureThing', href: `${base}/future/1` }, type: 'exploded' },
      ] }],
    });
    const conf = invites.filter((i) => i.subject === 'Weekly sync');
    assert.equal(conf.length, 2, 'both invitations reach the user');
    for (const inv of conf) {
      assert.equal(inv.unsupported, true);
      assert.equal(inv.error?.code, 'conferenceNotSupported');
      assert.equal(inv.text, 'Join the meeting');
      assert.equal(inv.from?.sip, from.sip);
      // The user sees it in the history too, with its text, and can't accept it.
      const msgs = await allMessages(h, inv.conversationId);
      assert.deepEqual(msgs.map((m) => m.text), ['Join the meeting']);
      await assert.rejects(h.service.accept(inv.conversationId), (e: unknown) => e instanceof AppError && e.code === 'conferenceNotSupported');
    }
    // Nothing was posted to the accept links, and the service still works.
    assert.equal(h.requests.filter((r) => r.url.includes('/accept')).length, 0);
    assert.equal(h.service.state().status, 'online');
    const got: InvitationInfo[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'still alive?') got.push(i); });
    await s.control.sendIm(from.sip, ME, 'still alive?');
    await until(() => got[0], 'a normal invitation after the conference ones');
    assert.equal(got[0]!.unsupported, false);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('HTML: received as text/html (text kept alongside), sent as text/html once negotiated', async () => {
  const s = await sim();
  const h = service(s);
  try {
    await signIn(h, s);
    const bob = s.people.find((p) => p.behaviour?.kind !== 'decline' && p.behaviour?.kind !== 'neverAnswer')!.sip;
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => { if (i.text?.startsWith('Look')) invites.push(i); });
    await s.control.sendIm(bob, ME, 'Look at this', { html: '<p>Look at <b>this</b></p>' });
    const inv = await until(() => invites[0], 'html invitation');
    assert.equal(inv.text, 'Look at this');
    const first = (await allMessages(h, inv.conversationId))[0]!;
    assert.equal(first.text, 'Look at this');
    assert.equal(first.html, '<p>Look at <b>this</b></p>');

    await h.service.accept(inv.conversationId);
    await until(() => h.service.liveState(inv.conversationId)?.connection === 'connected', 'connected');
    await h.service.send(inv.conversationId, 'bold reply', { html: '<b>bold</b> reply' });
    await until(async () => (await h.store.pendingOutbox(inv.conversationId)).length === 0, 'html reply sent');
    const sent = s.control.receivedMessages(ME).filter((m) => m.text.includes('bold'));
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.contentType, 'text/html');
    assert.equal(sent[0]!.text, '<b>bold</b> reply');
    // Plain text stays plain.
    await h.service.send(inv.conversationId, 'plain one');
    await until(() => s.control.receivedMessages(ME).some((m) => m.text === 'plain one'), 'plain sent');
    assert.equal(s.control.receivedMessages(ME).find((m) => m.text === 'plain one')!.contentType, 'text/plain');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('HTML is not sent where the conversation did not negotiate it', async () => {
  const s = await sim();
  const h = service(s, { html: false });
  try {
    await signIn(h, s);
    const bob = s.people.find((p) => p.behaviour?.kind !== 'decline' && p.behaviour?.kind !== 'neverAnswer')!.sip;
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'plain only') invites.push(i); });
    await s.control.sendIm(bob, ME, 'plain only');
    const inv = await until(() => invites[0], 'invitation');
    await h.service.accept(inv.conversationId);
    await until(() => h.service.liveState(inv.conversationId)?.connection === 'connected', 'connected');
    await h.service.send(inv.conversationId, 'fallback text', { html: '<i>fallback</i> text' });
    await until(() => s.control.receivedMessages(ME).some((m) => m.text === 'fallback text'), 'sent as plain');
    assert.equal(s.control.receivedMessages(ME).find((m) => m.text === 'fallback text')!.contentType, 'text/plain');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('sign-in syncs the history by itself; markRead posts markAsRead and the server counters drop', async () => {
  const s = await sim({ demoConversations: 0 });
  const peer = s.people[0]!.sip;
  const logId = s.control.addLog(ME, { with: [peer], status: 'Missed', unread: true, subject: 'unread one', messages: [{ from: peer, text: 'did you see this?', at: Date.UTC(2026, 5, 1) }] });
  const h = service(s);
  try {
    await signIn(h, s);
    // No syncNow(): the sync that sign-in starts brings the log.
    const conv = await until(async () => (await h.store.listConversations({ limit: 50 })).items.find((c) => c.subject === 'unread one' && c.transcriptsComplete), 'log synced after sign-in');
    assert.equal(conv.unread, true);
    const missed = async () => {
      const client = internals(h.service).client() as unknown as { getJson: (href: string) => Promise<Record<string, unknown>> };
      const base = appBase(h.service);
      return client.getJson(`${base}/communication/missedItems`);
    };
    const before = await missed();
    assert.equal(before.unreadConversationLogsCount, 1);
    assert.equal(before.unreadMissedConversationsCount, 1);
    await h.service.markRead(conv.id);
    assert.ok(h.requests.some((r) => r.method === 'POST' && /markAsRead/i.test(r.url) && r.url.includes(logId)), 'markAsRead posted for that log');
    const after = await missed();
    assert.equal(after.unreadConversationLogsCount, 0, 'the server counts it read');
    assert.equal(after.unreadMissedConversationsCount, 0);
    assert.equal((await h.store.getConversation(conv.id))!.unread, false);
  } finally {
    await h.service.close();
    await s.stop();
  }
});
