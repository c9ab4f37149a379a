import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allMessages, ME, service, signIn, sim, texts, until } from './helpers.ts';
import { createSqliteStore } from '../../main/core/store/sqliteStore.ts';
import { parseBatch, type EventBatch } from '../../main/core/ucwa/events.ts';

test('sign in, receive an IM, accept by answering, no duplicate of the first message', async () => {
  const s = await sim();
  const h = service(s);
  try {
    const st = await signIn(h, s);
    assert.equal(st.status, 'online');
    const bob = s.people[0]!.sip;
    const invites: number[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'Hi there') invites.push(i.conversationId); }); // demo 'writeFirst' people ring too
    await s.control.sendIm(bob, ME, 'Hi there');
    const convId = await until(() => invites[0], 'invitation');
    const reply = await h.service.send(convId, 'Hello back');
    await until(async () => (await h.store.pendingOutbox(convId)).length === 0, 'reply sent');
    assert.ok(reply.clientId);
    await new Promise((r) => setTimeout(r, 200));
    const msgs = await allMessages(h, convId);
    assert.deepEqual(texts(msgs).filter((t) => t === 'Hi there').length, 1);
    assert.ok(texts(msgs).includes('Hello back'));
    const got = s.control.receivedMessages(ME).map((m) => m.text);
    assert.deepEqual(got.filter((t) => t === 'Hello back').length, 1);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('a burst of messages in one batch: every message stored and emitted, one list update, one unread recount', async () => {
  const s = await sim();
  const h = service(s);
  try {
    await signIn(h, s);
    const bob = s.people[0]!.sip;
    const invites: number[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'burst start') invites.push(i.conversationId); });
    await s.control.sendIm(bob, ME, 'burst start');
    const convId = await until(() => invites[0], 'invitation');
    await h.service.accept(convId);
    await until(() => h.service.liveState(convId)?.connection === 'connected', 'connected');
    const internals = (h.service as unknown as { _internals: { liveHref: (id: number) => string | null; channel: () => { enqueue: (b: EventBatch) => Promise<void> } } })._internals;
    const path = new URL(internals.liveHref(convId)!).pathname;
    const counts = { message: 0, conversation: 0, unread: 0 };
    h.service.on('message', (m) => { if (m.conversationId === convId) counts.message++; });
    h.service.on('conversation', (c) => { if (c.id === convId) counts.conversation++; });
    h.service.on('unread', () => { counts.unread++; });
    await h.service.markRead(convId);
    counts.unread = 0;
    counts.conversation = 0;
    const N = 300;
    const events = Array.from({ length: N }, (_, i) => ({
      link: { rel: 'message', href: `${path}/messaging/messages/burst${i}` },
      type: 'completed', status: 'Success',
      _embedded: { message: { direction: 'Incoming', timeStamp: `/Date(${Date.UTC(2026, 10, 1) + i})/`,
        _links: { contact: { href: `/people/${bob.slice(4)}` }, plainMessage: { href: `data:text/plain;charset=utf-8,burst+${i}` } } } },
    }));
    await internals.channel().enqueue(parseBatch({ _links: { next: { href: '/e?ack=999' } }, sender: [{ rel: 'conversation', href: path, events }] }));
    assert.equal(counts.message, N);
    assert.ok(counts.conversation >= 1 && counts.conversation <= 2, `conversation events: ${counts.conversation}`);
    assert.equal(counts.unread, 1);
    const msgs = await allMessages(h, convId);
    const burst = texts(msgs).filter((t) => /^burst \d+$/.test(t));
    assert.deepEqual(burst, Array.from({ length: N }, (_, i) => `burst ${i}`), 'all stored, in order');
    assert.equal((await h.store.getConversation(convId))!.unread, true);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

/** An incoming IM answered once: a connected conversation with bob. */
async function connectedWithBob(h: ReturnType<typeof service>, s: Awaited<ReturnType<typeof sim>>, first: string): Promise<number> {
  const bob = s.people[0]!.sip;
  const invites: number[] = [];
  h.service.on('invitation', (i) => { if (i.text === first) invites.push(i.conversationId); });
  await s.control.sendIm(bob, ME, first);
  const convId = await until(() => invites[0], 'invitation');
  await h.service.send(convId, 'connected now');
  await until(async () => (await h.store.pendingOutbox(convId)).length === 0, 'first reply sent');
  return convId;
}

const deliveryOf = async (h: ReturnType<typeof service>, convId: number, text: string) =>
  (await allMessages(h, convId)).filter((m) => m.text === text).map((m) => m.delivery);

test('a message refused by sendMessage: Retry delivers it exactly once, Discard removes it (messageRemoved), later messages still go', async () => {
  const s = await sim();
  const h = service(s);
  try {
    await signIn(h, s);
    const convId = await connectedWithBob(h, s, 'retry after sendMessage');
    const remove = s.control.addFault({ route: '/messaging/messages', method: 'POST', status: 403, code: 'Forbidden' });
    const a = await h.service.send(convId, 'refused, then retried');
    await until(async () => (await deliveryOf(h, convId, 'refused, then retried'))[0] === 'failed', 'first refusal');
    const b = await h.service.send(convId, 'refused, then discarded');
    await until(async () => (await deliveryOf(h, convId, 'refused, then discarded'))[0] === 'failed', 'second refusal');
    remove();

    await h.service.retryOutbox(a.clientId);
    await until(async () => (await deliveryOf(h, convId, 'refused, then retried'))[0] === 'delivered', 'retried message sent');

    const removed: { conversationId: number; messageId: number }[] = [];
    h.service.on('messageRemoved', (r) => removed.push(r));
    await h.service.discardOutbox(b.clientId);
    assert.deepEqual(removed, [{ conversationId: convId, messageId: b.item.messageId }]);
    assert.deepEqual(await deliveryOf(h, convId, 'refused, then discarded'), []);
    await assert.rejects(h.service.retryOutbox(b.clientId), (e: Error & { code?: string }) => e.code === 'notFound');

    await h.service.send(convId, 'after the failures');
    await until(async () => (await deliveryOf(h, convId, 'after the failures'))[0] === 'delivered', 'a later message sent');
    await new Promise((r) => setTimeout(r, 200));
    const got = s.control.receivedMessages(ME).map((m) => m.text);
    assert.equal(got.filter((t) => t === 'refused, then retried').length, 1);
    assert.equal(got.filter((t) => t === 'refused, then discarded').length, 0);
    assert.deepEqual(await deliveryOf(h, convId, 'refused, then retried'), ['delivered']);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('a continueMessaging that failed: Retry continues the conversation and delivers the message exactly once', async () => {
  const s = await sim();
  const h = service(s);
  try {
    const bob = s.people[0]!.sip;
    s.control.setBehaviour(bob, { kind: 'echo' });
    s.control.addLog(ME, { with: [bob], messages: [{ from: bob, text: 'old', at: 1_700_000_000_000 }] });
    await signIn(h, s);
    await h.service.syncNow();
    let target = -1;
    for (const c of (await h.service.listConversations({ limit: 200 })).items) if (texts(await allMessages(h, c.id)).includes('old')) target = c.id;
    assert.ok(target > 0);
    const remove = s.control.addFault({ route: 'continueMessaging', method: 'POST', status: 409, subcode: 'TooManyGroups' });
    await assert.rejects((await h.service.continueConversation(target, 'continue, retried')).delivered, (e: Error & { code?: string }) => e.code === 'continueTooManyGroups');
    remove();
    const failed = (await allMessages(h, target)).find((m) => m.text === 'continue, retried');
    assert.equal(failed?.delivery, 'failed');
    const item = await h.service.retryOutbox(failed!.clientId!);
    assert.equal(item.state, 'queued');
    await until(async () => (await deliveryOf(h, target, 'continue, retried'))[0] === 'delivered', 'retried message sent');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(s.control.receivedMessages(ME).filter((m) => m.text === 'continue, retried').length, 1);
    assert.deepEqual(await deliveryOf(h, target, 'continue, retried'), ['delivered']);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('a message that failed in an earlier run of the app (SQLite): after a restart Retry delivers it exactly once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-retry-restart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = await sim();
  try {
    // First run: the message is refused for good and recorded as failed; then the app quits.
    const first = service(s, { store: await createSqliteStore({ dataDir: dir, account: ME }) });
    let convId: number;
    let clientId: string;
    try {
      await signIn(first, s);
      convId = await connectedWithBob(first, s, 'retry after a restart');
      const remove = s.control.addFault({ route: '/messaging/messages', method: 'POST', status: 403, code: 'Forbidden' });
      const a = await first.service.send(convId, 'failed before the restart');
      clientId = a.clientId;
      await until(async () => (await deliveryOf(first, convId, 'failed before the restart'))[0] === 'failed', 'refusal');
      remove();
    } finally {
      await first.service.close(); // closes its store too
    }

    // Second run: a new service over the same data folder. Nothing of the first run's memory.
    const store = await createSqliteStore({ dataDir: dir, account: ME });
    const h = service(s, { store });
    try {
      const found = await store.outboxItem(clientId);
      assert.equal(found?.state, 'failed');
      assert.deepEqual(await store.pendingOutbox(), [], 'a failed item is not resumed on its own');
      await signIn(h, s);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(await deliveryOf(h, convId, 'failed before the restart'), ['failed'], 'sign-in does not resend a failed message');

      const item = await h.service.retryOutbox(clientId);
      assert.equal(item.state, 'queued');
      await until(async () => (await deliveryOf(h, convId, 'failed before the restart'))[0] === 'delivered', 'retried message sent', 10_000);
      await new Promise((r) => setTimeout(r, 200)); // room for a duplicate to show up
      const got = s.control.receivedMessages(ME).map((m) => m.text);
      assert.equal(got.filter((x) => x === 'failed before the restart').length, 1);
      assert.deepEqual(await deliveryOf(h, convId, 'failed before the restart'), ['delivered']);
      assert.equal((await store.outboxItem(clientId))?.state, 'delivered');
      await assert.rejects(h.service.retryOutbox(clientId), (e: Error & { code?: string }) => e.code === 'notFound', 'a sent message is not retried');
    } finally {
      await h.service.close();
    }
  } finally {
    await s.stop();
  }
});
