// A conformance suite for any Store implementation (SQLite, in-memory, …): it exercises the
// behaviour the messenger service relies on, through the Store interface only.
//   storeContractTests('sqlite', async () => ({ store, cleanup }))
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogInput, Message, MessageInput, Person, Store, StoreChange } from '../../main/core/store/types.ts';
import { StoreError } from '../../main/core/store/types.ts';

export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

const me: Person = { sip: 'sip:me@contoso.com', name: 'Me' };
const bob: Person = { sip: 'sip:bob@contoso.com', name: 'Bob Builder' };
const carol: Person = { sip: 'sip:carol@contoso.com', name: 'Carol' };

export function logInput(over: Partial<LogInput> & { logKey: string }): LogInput {
  return {
    href: `/ucwa/oauth/v1/applications/app1/communication/conversationLogs/${over.logKey}`,
    threadId: null,
    subject: `Subject ${over.logKey}`,
    type: 'MessageLog',
    direction: 'Incoming',
    status: 'Archived',
    importance: 'Normal',
    createdAt: 1_700_000_000_000,
    preview: '',
    participants: [bob],
    unread: false,
    ...over,
  };
}

export function msg(at: number, text: string, over: Partial<MessageInput> = {}): MessageInput {
  return { author: bob, direction: 'Incoming', at, text, origin: 'transcript', ...over };
}

async function withStore(make: () => Promise<StoreFixture>, fn: (store: Store) => Promise<void>): Promise<void> {
  const { store, cleanup } = await make();
  try {
    await fn(store);
  } finally {
    await store.close();
    await cleanup();
  }
}

async function allMessages(store: Store, conversationId: number, limit = 7): Promise<Message[]> {
  const out: Message[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await store.listMessages(conversationId, { cursor, limit });
    out.push(...page.items);
    if (!page.next) return out;
    cursor = page.next;
  }
  throw new Error('pagination did not end');
}

export function storeContractTests(name: string, make: () => Promise<StoreFixture>): void {
  const t = (title: string, fn: (store: Store) => Promise<void>) => it(title, () => withStore(make, fn));

  describe(`Store contract: ${name}`, () => {
    describe('identity', () => {
      t('a log is keyed by its key, not its href: the same log under a new application is one conversation', async (store) => {
        const a = await store.upsertLog(logInput({ logKey: 'AAMk1', threadId: 'th1' }), 'fp1');
        assert.equal(a.needsTranscripts, true);
        assert.equal(a.conversation.logKey, 'AAMk1');
        assert.ok(Number.isInteger(a.conversation.id));
        const b = await store.upsertLog(logInput({ logKey: 'AAMk1', threadId: 'th1', href: '/ucwa/oauth/v1/applications/app2/communication/conversationLogs/AAMk1', subject: 'Renamed' }), 'fp2');
        assert.equal(b.conversation.id, a.conversation.id);
        assert.equal(b.conversation.logHref, '/ucwa/oauth/v1/applications/app2/communication/conversationLogs/AAMk1');
        assert.equal(b.conversation.subject, 'Renamed');
        const other = await store.upsertLog(logInput({ logKey: 'AAMk2' }), 'fp');
        assert.notEqual(other.conversation.id, a.conversation.id);
        const page = await store.listConversations({});
        assert.equal(page.items.length, 2);
      });

      t('checkpoints report the stored fingerprint and transcript completeness of known logs only', async (store) => {
        const { conversation } = await store.upsertLog(logInput({ logKey: 'k1' }), 'fp-1');
        await store.upsertLog(logInput({ logKey: 'k2' }), 'fp-2');
        await store.putTranscriptPage(conversation.id, null, [msg(1_700_000_001_000, 'hello')], true);
        const cps = await store.checkpoints(['k1', 'k2', 'unknown']);
        const byKey = new Map(cps.map((c) => [c.logKey, c]));
        assert.equal(cps.length, 2);
        assert.deepEqual(byKey.get('k1'), { logKey: 'k1', fingerprint: 'fp-1', transcriptsComplete: true });
        assert.deepEqual(byKey.get('k2'), { logKey: 'k2', fingerprint: 'fp-2', transcriptsComplete: false });
        const again = await store.upsertLog(logInput({ logKey: 'k1' }), 'fp-1');
        assert.equal(again.needsTranscripts, false);
        assert.deepEqual(await store.checkpoints([]), []);
      });

      t('a live conversation is found by thread and later gets its log attached instead of a duplicate', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'thread-9', subject: 'Lunch?', direction: 'Incoming', participants: [bob], startedAt: 1_700_000_000_000 });
        assert.equal(live.logKey, null);
        assert.equal(live.status, 'Live');
        const same = await store.ensureLiveConversation({ threadId: 'thread-9', subject: 'Lunch?', direction: 'Incoming', participants: [bob], startedAt: 1_700_000_005_000 });
        assert.equal(same.id, live.id);
        assert.equal((await store.findConversationByThread('thread-9'))?.id, live.id);
        assert.equal(await store.findConversationByThread('nope'), null);
        const { conversation } = await store.upsertLog(logInput({ logKey: 'LOG9', threadId: 'thread-9', status: 'Archived' }), 'fp');
        assert.equal(conversation.id, live.id);
        assert.equal(conversation.logKey, 'LOG9');
        assert.equal(conversation.status, 'Archived');
        assert.equal((await store.listConversations({})).items.length, 1);
        assert.equal((await store.getConversation(live.id))?.logKey, 'LOG9');
        assert.equal(await store.getConversation(999_999), null);
      });
    });

    describe('messages', () => {
      t('the live copy and the transcript copy of one message are stored once', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-d', subject: 's', direction: 'Incoming', participants: [bob], startedAt: 1_700_000_000_000 });
        const at = 1_700_000_010_000;
        const first = await store.addMessage(live.id, 'th-d', msg(at, 'Are we still on for 3pm?', { origin: 'live', html: '<p>Are we still on for 3pm?</p>' }));
        assert.equal(first.inserted, true);
        assert.equal(first.message.origin, 'live');
        const again = await store.addMessage(live.id, 'th-d', msg(at, 'Are we still on for 3pm?', { origin: 'live' }));
        assert.equal(again.inserted, false);
        assert.equal(again.message.id, first.message.id);
        const { conversation } = await store.upsertLog(logInput({ logKey: 'Ld', threadId: 'th-d' }), 'fp');
        const r = await store.putTranscriptPage(conversation.id, 'th-d', [
          msg(at, 'Are we still on for 3pm?'),
          msg(at + 1000, 'Yes', { author: me, direction: 'Outgoing' }),
        ], true);
        assert.equal(r.added, 1);
        const all = await allMessages(store, conversation.id);
        assert.equal(all.length, 2);
        const merged = all.find((m) => m.id === first.message.id);
        assert.ok(merged, 'the live row is kept');
        assert.equal(merged.html, '<p>Are we still on for 3pm?</p>', 'html of the live copy is kept when the transcript lacks it');
        // Same text at another time, or from another author, is another message.
        assert.equal((await store.addMessage(live.id, 'th-d', msg(at + 5, 'Are we still on for 3pm?', { origin: 'live' }))).inserted, true);
        assert.equal((await store.addMessage(live.id, 'th-d', msg(at, 'Are we still on for 3pm?', { origin: 'live', author: carol }))).inserted, true);
        // A transcript page stored twice adds nothing.
        assert.equal((await store.putTranscriptPage(conversation.id, 'th-d', [msg(at, 'Are we still on for 3pm?')], true)).added, 0);
      });

      t('messages page newest first by (time, id) with a keyset cursor, without gaps or repeats', async (store) => {
        const { conversation } = await store.upsertLog(logInput({ logKey: 'Lp', threadId: 'th-p' }), 'fp');
        const base = 1_700_000_000_000;
        const input: MessageInput[] = [];
        for (let i = 0; i < 23; i++) input.push(msg(base + Math.floor(i / 3) * 1000, `message ${i}`)); // ties on time
        await store.putTranscriptPage(conversation.id, 'th-p', input.slice(0, 12), false);
        await store.putTranscriptPage(conversation.id, 'th-p', input.slice(12), true);
        const first = await store.listMessages(conversation.id, { limit: 10 });
        assert.equal(first.items.length, 10);
        assert.ok(first.next);
        const all = await allMessages(store, conversation.id, 10);
        assert.equal(all.length, 23);
        assert.equal(new Set(all.map((m) => m.id)).size, 23);
        for (let i = 1; i < all.length; i++) {
          const a = all[i - 1]!;
          const b = all[i]!;
          assert.ok(a.at > b.at || (a.at === b.at && a.id > b.id), 'newest first');
        }
        assert.deepEqual(all.slice(0, 10).map((m) => m.id), first.items.map((m) => m.id));
        const conv = await store.getConversation(conversation.id);
        assert.equal(conv?.lastActivityAt, base + 7000);
        assert.equal(conv?.transcriptsComplete, true);
        // around: the message and its neighbours
        const target = all[10]!;
        const around = await store.messagesAround(target.id, 3);
        assert.equal(around.length, 7);
        const ids = around.map((m) => m.id).sort((x, y) => x - y);
        assert.deepEqual(ids, all.slice(7, 14).map((m) => m.id).sort((x, y) => x - y));
        assert.deepEqual(await store.messagesAround(987_654, 3), []);
      });

      t('conversations page newest activity first and filter by unread, missed and contact', async (store) => {
        const base = 1_700_000_000_000;
        const ids: number[] = [];
        for (let i = 0; i < 7; i++) {
          const { conversation } = await store.upsertLog(logInput({
            logKey: `c${i}`,
            createdAt: base + i * 1000,
            unread: i % 2 === 0,
            status: i === 3 ? 'Missed' : 'Archived',
            participants: i < 2 ? [bob, carol] : [bob],
          }), 'fp');
          ids.push(conversation.id);
        }
        // a new message moves c1 to the top
        await store.putTranscriptPage(ids[1]!, null, [msg(base + 60_000, 'bump')], true);
        const pages: number[][] = [];
        let cursor: string | null = null;
        do {
          const page = await store.listConversations({ cursor, limit: 3 });
          pages.push(page.items.map((c) => c.id));
          cursor = page.next;
        } while (cursor);
        assert.deepEqual(pages.flat(), [ids[1], ids[6], ids[5], ids[4], ids[3], ids[2], ids[0]]);
        assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
        const unread = await store.listConversations({ filter: 'unread' });
        assert.deepEqual(unread.items.map((c) => c.id), [ids[6], ids[4], ids[2], ids[0]]);
        const missed = await store.listConversations({ filter: 'missed' });
        assert.deepEqual(missed.items.map((c) => c.id), [ids[3]]);
        assert.equal(missed.items[0]!.missed, true);
        const withCarol = await store.listConversations({ contact: 'sip:carol@contoso.com' });
        assert.deepEqual(withCarol.items.map((c) => c.id), [ids[1], ids[0]]);
        const unreadCarol = await store.listConversations({ contact: 'sip:carol@contoso.com', filter: 'unread' });
        assert.deepEqual(unreadCarol.items.map((c) => c.id), [ids[0]]);

        const summary = await store.unreadSummary(2);
        assert.equal(summary.unreadConversations, 4);
        assert.deepEqual(summary.latest.map((c) => c.id), [ids[6], ids[4]]);
        await store.markRead(ids[6]!);
        assert.equal((await store.getConversation(ids[6]!))?.unread, false);
        assert.equal((await store.unreadSummary()).unreadConversations, 3);
      });

      t('an incoming live message can mark its conversation unread and becomes its preview', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-u', subject: 's', direction: 'Incoming', participants: [bob], startedAt: 1_700_000_000_000 });
        assert.equal(live.unread, false);
        await store.addMessage(live.id, 'th-u', msg(1_700_000_001_000, 'ping', { origin: 'live' }), { markUnread: true });
        const c = await store.getConversation(live.id);
        assert.equal(c?.unread, true);
        assert.equal(c?.preview, 'ping');
        assert.equal(c?.lastActivityAt, 1_700_000_001_000);
        assert.equal((await store.unreadSummary()).unreadConversations, 1);
      });
    });

    describe('optional batch and restamp', () => {
      t('addMessages stores a batch once, like addMessage for each, with one conversation event', async (store) => {
        if (!store.addMessages) return;
        const live = await store.ensureLiveConversation({ threadId: 'th-b', subject: 's', direction: 'Incoming', participants: [bob], startedAt: 1_700_000_000_000 });
        await store.addMessage(live.id, 'th-b', msg(1_700_000_001_000, 'one', { origin: 'live' }));
        const seen: StoreChange[] = [];
        store.onChange((c) => seen.push(c));
        const r = await store.addMessages(live.id, 'th-b', [
          msg(1_700_000_001_000, 'one', { origin: 'live' }),
          msg(1_700_000_002_000, 'two', { origin: 'live' }),
          msg(1_700_000_003_000, 'three', { origin: 'live' }),
        ], { markUnread: true });
        assert.equal(r.added, 2);
        assert.equal(seen.filter((c) => c.kind === 'message').length, 2);
        assert.equal(seen.filter((c) => c.kind === 'conversation').length, 1);
        assert.equal(seen.filter((c) => c.kind === 'unread').length, 1);
        const c = await store.getConversation(live.id);
        assert.equal(c?.unread, true);
        assert.equal(c?.preview, 'three');
        assert.equal((await allMessages(store, live.id)).length, 3);
      });

      t('restampMessage gives a live message the server time, merging with a copy that already has it', async (store) => {
        if (!store.restampMessage) return;
        const live = await store.ensureLiveConversation({ threadId: 'th-t', subject: 's', direction: 'Incoming', participants: [bob], startedAt: 1_700_000_000_000 });
        const local = await store.addMessage(live.id, 'th-t', msg(1_700_000_009_999, 'first words', { origin: 'live' }));
        const serverAt = 1_700_000_005_000;
        const noMerge: StoreChange[] = [];
        const offNoMerge = store.onChange((c) => noMerge.push(c));
        const moved = await store.restampMessage(local.message.id, serverAt, 'th-t');
        offNoMerge();
        assert.equal(noMerge.filter((c) => c.kind === 'messageRemoved').length, 0, 'a restamp without a twin removes nothing');
        assert.equal(moved?.id, local.message.id);
        assert.equal(moved?.at, serverAt);
        // the re-delivery with the server time is now a duplicate
        assert.equal((await store.addMessage(live.id, 'th-t', msg(serverAt, 'first words', { origin: 'live' }))).inserted, false);
        // a second local copy restamped onto an existing one merges into it
        const other = await store.addMessage(live.id, 'th-t', msg(1_700_000_020_000, 'first words', { origin: 'live' }));
        const seen: StoreChange[] = [];
        const off = store.onChange((c) => seen.push(c));
        const merged = await store.restampMessage(other.message.id, serverAt, 'th-t');
        off();
        assert.deepEqual(seen.filter((c) => c.kind === 'messageRemoved'), [{ kind: 'messageRemoved', conversationId: live.id, messageId: other.message.id }]);
        assert.ok(seen.some((c) => c.kind === 'message' && c.message.id === local.message.id), 'the surviving row is announced');
        assert.equal(merged?.id, local.message.id);
        assert.equal((await allMessages(store, live.id)).length, 1);
        assert.equal(await store.restampMessage(987_654, serverAt, 'th-t'), null);
      });
    });

    describe('outbox', () => {
      t('a queued message is persisted first, retried with attempts counted, and merges with its transcript copy once sent', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-o', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1_700_000_000_000 });
        const a = await store.enqueueOutbox({ conversationId: live.id, text: 'first', author: me });
        const b = await store.enqueueOutbox({ conversationId: live.id, text: 'second', author: me, clientId: 'client-b' });
        assert.equal(a.state, 'queued');
        assert.equal(a.attempts, 0);
        assert.equal(b.clientId, 'client-b');
        const queuedMsg = (await store.listMessages(live.id, {})).items.find((m) => m.id === a.messageId);
        assert.equal(queuedMsg?.origin, 'outbox');
        assert.equal(queuedMsg?.delivery, 'queued');
        assert.equal(queuedMsg?.clientId, a.clientId);
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), [a.clientId, 'client-b']);
        assert.deepEqual((await store.pendingOutbox(live.id)).map((i) => i.clientId), [a.clientId, 'client-b']);
        assert.deepEqual(await store.pendingOutbox(live.id + 1000), []);

        assert.equal((await store.setOutboxState(a.clientId, 'sending')).attempts, 1);
        const failed = await store.setOutboxState(a.clientId, 'failed', { error: 'network down' });
        assert.equal(failed.lastError, 'network down');
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), ['client-b']);
        await store.setOutboxState(a.clientId, 'queued');
        assert.equal((await store.setOutboxState(a.clientId, 'sending')).attempts, 2);
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), [a.clientId, 'client-b'], "a 'sending' item is still pending");

        const sentAt = 1_700_000_100_000;
        const sent = await store.setOutboxState(a.clientId, 'sent', { sentAt, threadId: 'th-o' });
        assert.equal(sent.state, 'sent');
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), ['client-b']);
        const sentMsg = (await store.listMessages(live.id, {})).items.find((m) => m.id === a.messageId);
        assert.equal(sentMsg?.at, sentAt);
        assert.equal(sentMsg?.delivery, 'sent');

        // The transcript copy of the sent message merges with it.
        const { conversation } = await store.upsertLog(logInput({ logKey: 'Lo', threadId: 'th-o', direction: 'Outgoing' }), 'fp');
        assert.equal(conversation.id, live.id);
        const r = await store.putTranscriptPage(live.id, 'th-o', [msg(sentAt, 'first', { author: me, direction: 'Outgoing', html: '<b>first</b>' })], true);
        assert.equal(r.added, 0);
        const firsts = (await allMessages(store, live.id)).filter((m) => m.text === 'first');
        assert.equal(firsts.length, 1);
        assert.equal(firsts[0]!.id, a.messageId);
      });

      t('a transcript copy stored before the send is confirmed merges into one row', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-o2', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1_700_000_000_000 });
        const item = await store.enqueueOutbox({ conversationId: live.id, text: 'race', author: me });
        await store.setOutboxState(item.clientId, 'sending');
        const sentAt = 1_700_000_200_000;
        await store.putTranscriptPage(live.id, 'th-o2', [msg(sentAt, 'race', { author: me, direction: 'Outgoing' })], false);
        const copy = (await allMessages(store, live.id)).find((m) => m.text === 'race' && m.id !== item.messageId)!;
        const seen: StoreChange[] = [];
        store.onChange((c) => seen.push(c));
        await store.setOutboxState(item.clientId, 'sent', { sentAt, threadId: 'th-o2' });
        assert.deepEqual(seen.filter((c) => c.kind === 'messageRemoved'), [{ kind: 'messageRemoved', conversationId: live.id, messageId: copy.id }]);
        const races = (await allMessages(store, live.id)).filter((m) => m.text === 'race');
        assert.equal(races.length, 1);
        assert.equal(races[0]!.at, sentAt);
      });

      t('outboxItem finds an item by clientId in every state (failed and sent included) until it is discarded', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-oi', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1_700_000_000_000 });
        assert.equal(await store.outboxItem('no-such-client-id'), null);
        assert.equal(await store.outboxItem(''), null);
        const item = await store.enqueueOutbox({ conversationId: live.id, text: 'look me up', author: me, clientId: 'client-oi' });
        assert.deepEqual(await store.outboxItem('client-oi'), item);
        await store.setOutboxState(item.clientId, 'sending');
        assert.equal((await store.outboxItem(item.clientId))?.state, 'sending');
        const failed = await store.setOutboxState(item.clientId, 'failed', { error: 'refused' });
        assert.deepEqual(await store.pendingOutbox(), [], 'pendingOutbox leaves failed items out');
        const found = await store.outboxItem(item.clientId);
        assert.deepEqual(found, failed, 'a failed item is found, as setOutboxState returned it');
        assert.equal(found?.state, 'failed');
        assert.equal(found?.lastError, 'refused');
        assert.equal(found?.attempts, 1);
        assert.equal(found?.messageId, item.messageId);
        assert.equal(found?.conversationId, live.id);
        // A copy: changing it does not change the store.
        found!.state = 'sent';
        assert.equal((await store.outboxItem(item.clientId))?.state, 'failed');
        await store.setOutboxState(item.clientId, 'queued');
        await store.setOutboxState(item.clientId, 'sending');
        const sent = await store.setOutboxState(item.clientId, 'sent', { sentAt: 1_700_000_300_000, threadId: 'th-oi' });
        assert.deepEqual(await store.outboxItem(item.clientId), sent);
        await store.discardOutbox(item.clientId);
        assert.equal(await store.outboxItem(item.clientId), null);

        const other = await store.enqueueOutbox({ conversationId: live.id, text: 'failed, then discarded', author: me });
        await store.setOutboxState(other.clientId, 'failed', { error: 'refused' });
        await store.discardOutbox(other.clientId);
        assert.equal(await store.outboxItem(other.clientId), null);
      });

      t('discarding a failed message removes it and its outbox item', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-x', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1_700_000_000_000 });
        const item = await store.enqueueOutbox({ conversationId: live.id, text: 'oops', author: me });
        await store.setOutboxState(item.clientId, 'failed', { error: 'rejected' });
        const seen: StoreChange[] = [];
        store.onChange((c) => seen.push(c));
        await store.discardOutbox(item.clientId);
        assert.deepEqual(seen.filter((c) => c.kind === 'messageRemoved'), [{ kind: 'messageRemoved', conversationId: live.id, messageId: item.messageId }]);
        const removedAt = seen.findIndex((c) => c.kind === 'messageRemoved');
        assert.ok(seen.findIndex((c) => c.kind === 'conversation' && c.conversation.id === live.id) > removedAt, 'the conversation follows the removal');
        seen.length = 0;
        await store.discardOutbox(item.clientId); // unknown by now: nothing happens, nothing is announced
        assert.deepEqual(seen, []);
        assert.deepEqual(await store.pendingOutbox(), []);
        assert.equal((await store.listMessages(live.id, {})).items.length, 0);
        await assert.rejects(store.setOutboxState(item.clientId, 'sending'), StoreError);
      });
    });

    describe('search', () => {
      const seed = async (store: Store) => {
        const { conversation } = await store.upsertLog(logInput({ logKey: 'Ls', threadId: 'th-s', subject: 'Planning', participants: [bob, carol] }), 'fp');
        const other = await store.upsertLog(logInput({ logKey: 'Ls2', threadId: 'th-s2', subject: 'Other' }), 'fp');
        const base = 1_700_000_000_000;
        await store.putTranscriptPage(conversation.id, 'th-s', [
          msg(base + 1, 'The report is at https://example.com/Quarterly-Report please read it'),
          msg(base + 2, 'Let us meet at the café tomorrow'),
          msg(base + 3, 'quarterly numbers look good'),
          msg(base + 4, 'NEAR AND OR NOT are just words here'),
        ], true);
        await store.putTranscriptPage(other.conversation.id, 'th-s2', [msg(base + 5, 'quarterly review in the other room')], true);
        return { id: conversation.id, otherId: other.conversation.id };
      };

      t('finds words, words inside URLs, prefixes and words without their accents, with marked snippets', async (store) => {
        const { id, otherId } = await seed(store);
        const q = await store.search('quarterly');
        assert.equal(q.length, 3);
        const url = await store.search('example');
        assert.equal(url.length, 1);
        assert.match(url[0]!.snippet, /\uE000example\uE001/i);
        assert.equal(url[0]!.conversationId, id);
        assert.equal(url[0]!.conversation.subject, 'Planning');
        assert.equal(url[0]!.author?.sip, bob.sip);
        assert.equal((await store.search('quart')).length, 3, 'the last word is a prefix');
        assert.equal((await store.search('Quarterly Report')).length, 1, 'all words must match');
        assert.equal((await store.search('cafe')).length, 1, 'diacritics are ignored');
        assert.equal((await store.search('CAFÉ')).length, 1);
        const inOther = await store.search('quarterly', { conversationId: otherId });
        assert.deepEqual(inOther.map((h) => h.conversationId), [otherId]);
        assert.equal((await store.search('quarterly', { limit: 1 })).length, 1);
        assert.equal((await store.search('NEAR')).length, 1, 'operators are plain words');
        assert.equal((await store.search('zebra')).length, 0);
      });

      t('whatever the user types is safe', async (store) => {
        await seed(store);
        const nasty = [
          '', '   ', '\n\t', '"', '""', '"quarterly', 'quarterly"', '*', 'quart*', '**', 'NEAR(quarterly report)', 'NEAR',
          '-quarterly', 'quarterly -report', 'AND', 'OR', 'NOT', 'quarterly AND', 'OR report', 'NOT NOT', '(', ')', '((quarterly',
          'quarterly)', 'text:quarterly', ':', 'col:', '^quarterly', '{text}: x', '😀', '😀 quarterly 🎉', 'x'.repeat(10_000),
          'quarterly '.repeat(1000), "'; DROP TABLE messages; --", '\u0000', '\uE000', '%_\\', '+', '.', 'a', '𝓺𝓾𝓪𝓻𝓽𝓮𝓻𝓵𝔂',
        ];
        for (const text of nasty) {
          const hits = await store.search(text);
          assert.ok(Array.isArray(hits), `search(${JSON.stringify(text.slice(0, 20))})`);
        }
        assert.deepEqual(await store.search(''), []);
        assert.deepEqual(await store.search('   '), []);
        assert.deepEqual(await store.search('😀'), []);
        assert.equal((await store.search('"quarterly')).length, 3);
        assert.equal((await store.search('((quarterly')).length, 3);
        assert.equal((await store.search('😀 quarterly 🎉')).length, 3);
        assert.equal((await store.search('quarterly '.repeat(1000))).length, 3);
        // the store still works afterwards
        assert.equal((await store.search('example')).length, 1);
      });
    });

    describe('contacts', () => {
      t('contacts are upserted by sip and listed, filtered by name or address', async (store) => {
        await store.upsertContacts([bob, carol, { sip: 'sip:dave@contoso.com', name: 'Dave' }]);
        await store.upsertContacts([{ sip: 'sip:bob@contoso.com', name: 'Robert' }]);
        const all = await store.listContacts();
        assert.ok(all.length >= 3);
        assert.equal(all.filter((p) => p.sip === 'sip:bob@contoso.com').length, 1);
        assert.equal(all.find((p) => p.sip === 'sip:bob@contoso.com')?.name, 'Robert');
        const rob = await store.listContacts('rob');
        assert.deepEqual(rob.map((p) => p.sip), ['sip:bob@contoso.com']);
        assert.deepEqual((await store.listContacts('carol@')).map((p) => p.sip), ['sip:carol@contoso.com']);
        assert.equal((await store.listContacts('%')).length, 0);
        assert.equal((await store.listContacts(undefined, 1)).length, 1);
      });
    });

    describe('change events', () => {
      t('writes announce what changed, after the write', async (store) => {
        const seen: StoreChange[] = [];
        const off = store.onChange((c) => seen.push(c));
        const { conversation } = await store.upsertLog(logInput({ logKey: 'Le', threadId: 'th-e', unread: true }), 'fp');
        assert.ok(seen.some((c) => c.kind === 'conversation' && c.conversation.id === conversation.id));
        seen.length = 0;
        const { message } = await store.addMessage(conversation.id, 'th-e', msg(1_700_000_001_000, 'evented', { origin: 'live' }));
        const mc = seen.find((c) => c.kind === 'message');
        assert.ok(mc && mc.kind === 'message');
        assert.equal(mc.message.id, message.id);
        seen.length = 0;
        await store.putTranscriptPage(conversation.id, 'th-e', [msg(1_700_000_002_000, 'from transcript')], true);
        assert.ok(seen.some((c) => c.kind === 'conversation' && c.conversation.id === conversation.id));
        seen.length = 0;
        const item = await store.enqueueOutbox({ conversationId: conversation.id, text: 'out', author: me });
        assert.ok(seen.some((c) => c.kind === 'delivery' && c.item.clientId === item.clientId && c.item.state === 'queued'));
        seen.length = 0;
        await store.setOutboxState(item.clientId, 'sending');
        assert.ok(seen.some((c) => c.kind === 'delivery' && c.item.state === 'sending'));
        seen.length = 0;
        await store.markRead(conversation.id);
        const u = seen.find((c) => c.kind === 'unread');
        assert.ok(u && u.kind === 'unread');
        assert.equal(u.summary.unreadConversations, 0);
        off();
        seen.length = 0;
        await store.addMessage(conversation.id, 'th-e', msg(1_700_000_003_000, 'unheard', { origin: 'live' }));
        assert.equal(seen.length, 0, 'no events after unsubscribing');
        // reads announce nothing
        const seen2: StoreChange[] = [];
        store.onChange((c) => seen2.push(c));
        await store.listConversations({});
        await store.search('evented');
        assert.equal(seen2.length, 0);
      });
    });

    describe('errors and lifecycle', () => {
      t('unknown ids are typed errors, and a closed store refuses work with kind "closed"', async (store) => {
        await assert.rejects(store.putTranscriptPage(424_242, null, [msg(1, 'x')], true), (e: unknown) => e instanceof StoreError);
        await assert.rejects(store.setOutboxState('no-such-client-id', 'sending'), (e: unknown) => e instanceof StoreError);
        await store.close();
        await assert.rejects(store.listConversations({}), (e: unknown) => e instanceof StoreError && e.kind === 'closed');
        await store.close(); // idempotent
      });
    });
  });
}
