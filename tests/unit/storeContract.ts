// The Store contract: the behaviour the messenger service relies on, through the Store interface
// only. It runs against both factories — the account's database file (a real worker) and the
// in-memory store (the same Backend on ':memory:', on the calling thread) — which must pass it
// identically.
//   storeContractTests('sqlite', async () => ({ store, cleanup }))
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogInput, Message, MessageInput, Person, Store, StoreChange } from '../../main/core/store/types.ts';
import { StoreError } from '../../main/core/store/types.ts';
import { MARK_END, MARK_START } from '../../main/core/store/keys.ts';
import { peopleContractTests } from './storeContractPeople.ts';

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
        await store.putTranscriptPage(conversation.id, null, [msg(1_700_000_001_000, 'hello')], true, 'k1');
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

    describe('one conversation per thread', () => {
      t('two logs of one thread (a continued conversation) are one conversation: messages merged, no duplicates, newest log describes it', async (store) => {
        const base = 1_700_000_000_000;
        const first = await store.upsertLog(logInput({ logKey: 'L1', threadId: 'th-c', createdAt: base, subject: 'Budget', status: 'Missed', unread: false }), 'fp-1');
        assert.equal(first.needsTranscripts, true);
        assert.equal(first.conversation.missed, true);
        await store.putTranscriptPage(first.conversation.id, 'th-c', [msg(base + 1000, 'hello'), msg(base + 2000, 'anyone?')], true, 'L1');
        assert.equal((await store.getConversation(first.conversation.id))?.transcriptsComplete, true);

        const href2 = '/ucwa/oauth/v1/applications/app1/communication/conversationLogs/L2';
        const second = await store.upsertLog(logInput({ logKey: 'L2', href: href2, threadId: 'th-c', createdAt: base + 60_000, subject: 'Budget (continued)', direction: 'Outgoing', status: 'Archived' }), 'fp-2');
        assert.equal(second.conversation.id, first.conversation.id, 'the continued thread is the same conversation');
        assert.equal(second.needsTranscripts, true, "the new log's transcripts are still to fetch");
        assert.equal(second.conversation.logKey, 'L2', "the newest log's links continue it");
        assert.equal(second.conversation.logHref, href2);
        assert.equal(second.conversation.subject, 'Budget (continued)');
        assert.equal(second.conversation.direction, 'Outgoing');
        assert.equal(second.conversation.status, 'Archived');
        assert.equal(second.conversation.missed, false);
        assert.equal(second.conversation.createdAt, base);
        assert.equal(second.conversation.transcriptsComplete, false, 'not every log is complete');

        // The second log's transcript repeats the first log's messages (the server shows the thread's history again).
        const r = await store.putTranscriptPage(second.conversation.id, 'th-c', [
          msg(base + 1000, 'hello'), msg(base + 2000, 'anyone?'), msg(base + 61_000, 'back again', { author: me, direction: 'Outgoing' }),
        ], true, 'L2');
        assert.equal(r.added, 1);
        const all = await allMessages(store, first.conversation.id);
        assert.deepEqual(all.map((m) => m.text), ['back again', 'anyone?', 'hello']);
        const conv = await store.getConversation(first.conversation.id);
        assert.equal(conv?.transcriptsComplete, true);
        assert.equal(conv?.preview, 'back again');
        assert.equal(conv?.lastActivityAt, base + 61_000);
        assert.equal((await store.listConversations({})).items.length, 1);
        assert.equal((await store.findConversationByThread('th-c'))?.id, first.conversation.id);

        // Checkpoints are per log.
        const cps = new Map((await store.checkpoints(['L1', 'L2'])).map((c) => [c.logKey, c]));
        assert.deepEqual(cps.get('L1'), { logKey: 'L1', fingerprint: 'fp-1', transcriptsComplete: true });
        assert.deepEqual(cps.get('L2'), { logKey: 'L2', fingerprint: 'fp-2', transcriptsComplete: true });

        // The older log seen again (new application href, new fingerprint) does not take the description back.
        const again = await store.upsertLog(logInput({ logKey: 'L1', href: '/ucwa/oauth/v1/applications/app2/communication/conversationLogs/L1', threadId: 'th-c', createdAt: base, subject: 'Budget', status: 'Missed' }), 'fp-1b');
        assert.equal(again.conversation.id, first.conversation.id);
        assert.equal(again.needsTranscripts, false);
        assert.equal(again.conversation.logKey, 'L2');
        assert.equal(again.conversation.subject, 'Budget (continued)');
        assert.equal(again.conversation.missed, false);
        assert.equal((await store.checkpoints(['L1']))[0]?.fingerprint, 'fp-1b');
      });

      t('logs of one thread arriving newest first still make one conversation described by the newest', async (store) => {
        const base = 1_700_000_000_000;
        const newer = await store.upsertLog(logInput({ logKey: 'N2', threadId: 'th-n', createdAt: base + 60_000, subject: 'newer' }), 'fp');
        const older = await store.upsertLog(logInput({ logKey: 'N1', threadId: 'th-n', createdAt: base, subject: 'older' }), 'fp');
        assert.equal(older.conversation.id, newer.conversation.id);
        assert.equal(older.conversation.logKey, 'N2');
        assert.equal(older.conversation.subject, 'newer');
        assert.equal(older.conversation.createdAt, base, 'the conversation started with its oldest log');
        // Completing one log leaves the other to fetch.
        await store.putTranscriptPage(older.conversation.id, 'th-n', [msg(base + 10, 'a')], true, 'N1');
        assert.deepEqual((await store.checkpoints(['N1', 'N2'])).map((c) => [c.logKey, c.transcriptsComplete]).sort(), [['N1', true], ['N2', false]]);
        assert.equal((await store.getConversation(older.conversation.id))?.transcriptsComplete, false);
        assert.equal((await store.upsertLog(logInput({ logKey: 'N2', threadId: 'th-n', createdAt: base + 60_000, subject: 'newer' }), 'fp')).needsTranscripts, true);
        // A log key that is not one of this conversation's logs is refused.
        const other = await store.upsertLog(logInput({ logKey: 'X', threadId: 'th-x' }), 'fp');
        await assert.rejects(store.putTranscriptPage(older.conversation.id, 'th-n', [msg(base + 20, 'b')], true, 'X'), StoreError);
        await assert.rejects(store.putTranscriptPage(older.conversation.id, 'th-n', [], true, 'unknown'), StoreError);
        assert.equal((await allMessages(store, older.conversation.id)).length, 1, 'nothing of a refused page is stored');
        assert.equal((await store.getConversation(other.conversation.id))?.transcriptsComplete, false);
      });

      t('a live conversation, then two logs of its thread: still one conversation, live and transcript copies stored once', async (store) => {
        const base = 1_700_000_000_000;
        const live = await store.ensureLiveConversation({ threadId: 'th-l', subject: 'Lunch?', direction: 'Incoming', participants: [bob], startedAt: base });
        await store.addMessage(live.id, 'th-l', msg(base + 1000, 'lunch?', { origin: 'live' }), { markUnread: true });
        const out = await store.enqueueOutbox({ conversationId: live.id, text: 'sure', author: me });
        await store.setOutboxState(out.clientId, 'sending');
        await store.setOutboxState(out.clientId, 'delivered', { sentAt: base + 2000, threadId: 'th-l' });

        const a = await store.upsertLog(logInput({ logKey: 'LA', threadId: 'th-l', createdAt: base }), 'fp');
        assert.equal(a.conversation.id, live.id);
        await store.putTranscriptPage(live.id, 'th-l', [msg(base + 1000, 'lunch?'), msg(base + 2000, 'sure', { author: me, direction: 'Outgoing' })], true, 'LA');
        // Continued later: a live conversation again (same thread), then its own log.
        assert.equal((await store.ensureLiveConversation({ threadId: 'th-l', subject: 'Lunch?', direction: 'Outgoing', participants: [bob], startedAt: base + 3_600_000 })).id, live.id);
        await store.addMessage(live.id, 'th-l', msg(base + 3_601_000, 'same place?', { author: me, direction: 'Outgoing', origin: 'live' }));
        const b = await store.upsertLog(logInput({ logKey: 'LB', threadId: 'th-l', createdAt: base + 3_600_000, direction: 'Outgoing' }), 'fp');
        assert.equal(b.conversation.id, live.id);
        assert.equal(b.conversation.logKey, 'LB');
        await store.putTranscriptPage(live.id, 'th-l', [
          msg(base + 1000, 'lunch?'), msg(base + 2000, 'sure', { author: me, direction: 'Outgoing' }),
          msg(base + 3_601_000, 'same place?', { author: me, direction: 'Outgoing' }), msg(base + 3_602_000, 'yes'),
        ], true, 'LB');
        const all = await allMessages(store, live.id);
        assert.deepEqual(all.map((m) => [m.text, m.origin]), [['yes', 'transcript'], ['same place?', 'live'], ['sure', 'outbox'], ['lunch?', 'live']]);
        assert.equal(all.find((m) => m.text === 'sure')?.delivery, 'delivered');
        const list = await store.listConversations({});
        assert.deepEqual(list.items.map((c) => c.id), [live.id]);
        assert.equal(list.items[0]!.transcriptsComplete, true);
        assert.equal(list.items[0]!.preview, 'yes');
      });

      t('unread: any unread log counts, the user reading it here wins until there is newer activity', async (store) => {
        const base = 1_700_000_000_000;
        const a = await store.upsertLog(logInput({ logKey: 'U1', threadId: 'th-u2', createdAt: base, unread: true }), 'fp');
        assert.equal(a.conversation.unread, true);
        await store.upsertLog(logInput({ logKey: 'U2', threadId: 'th-u2', createdAt: base + 1000, unread: false }), 'fp');
        assert.equal((await store.getConversation(a.conversation.id))?.unread, true, 'the older log is still unread on the server');
        assert.equal((await store.unreadSummary()).unreadChats, 1, 'one conversation, counted once');
        await store.markRead(a.conversation.id);
        // A resync: the server still flags the old log unread, nothing new happened.
        await store.upsertLog(logInput({ logKey: 'U1', threadId: 'th-u2', createdAt: base, unread: true }), 'fp-changed');
        await store.upsertLog(logInput({ logKey: 'U2', threadId: 'th-u2', createdAt: base + 1000, unread: false }), 'fp');
        assert.equal((await store.getConversation(a.conversation.id))?.unread, false, 'read here stays read');
        // A third log (continued again, unread): newer activity, so the badge is back.
        await store.upsertLog(logInput({ logKey: 'U3', threadId: 'th-u2', createdAt: base + 5000, unread: true }), 'fp');
        assert.equal((await store.getConversation(a.conversation.id))?.unread, true);
        assert.equal((await store.unreadSummary()).unreadChats, 1);
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
        ], true, 'Ld');
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
        assert.equal((await store.putTranscriptPage(conversation.id, 'th-d', [msg(at, 'Are we still on for 3pm?')], true, 'Ld')).added, 0);
      });

      t('messages page newest first by (time, id) with a keyset cursor, without gaps or repeats', async (store) => {
        const { conversation } = await store.upsertLog(logInput({ logKey: 'Lp', threadId: 'th-p' }), 'fp');
        const base = 1_700_000_000_000;
        const input: MessageInput[] = [];
        for (let i = 0; i < 23; i++) input.push(msg(base + Math.floor(i / 3) * 1000, `message ${i}`)); // ties on time
        await store.putTranscriptPage(conversation.id, 'th-p', input.slice(0, 12), false, 'Lp');
        await store.putTranscriptPage(conversation.id, 'th-p', input.slice(12), true, 'Lp');
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
        assert.deepEqual(around.map((m) => m.id), all.slice(7, 14).map((m) => m.id), 'the message and its neighbours, newest first like listMessages');
        assert.deepEqual((await store.messagesAround(all[0]!.id, 2)).map((m) => m.id), all.slice(0, 3).map((m) => m.id), 'at the newest end');
        assert.deepEqual((await store.messagesAround(all[22]!.id, 2)).map((m) => m.id), all.slice(20).map((m) => m.id), 'at the oldest end');
        assert.equal((await store.messagesAround(target.id)).length, 23, 'default radius 20');
        assert.deepEqual(await store.messagesAround(987_654, 3), []);
        await assert.rejects(store.listMessages(conversation.id, { cursor: 'not a cursor' }), StoreError);
        await assert.rejects(store.listConversations({ cursor: 'not a cursor' }), StoreError);
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
        await store.putTranscriptPage(ids[1]!, null, [msg(base + 60_000, 'bump')], true, 'c1');
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

        // Counted in chats: {bob, carol} (c0, c1) and {bob} (c2…c6) — one entry per chat, its newest unread.
        const summary = await store.unreadSummary(5);
        assert.equal(summary.unreadChats, 2);
        // The {bob, carol} chat is the newest (c1's bump), and c0 is its unread conversation.
        assert.deepEqual(summary.latest.map((c) => c.id), [ids[0], ids[6]]);
        await store.markRead(ids[6]!);
        assert.equal((await store.getConversation(ids[6]!))?.unread, false);
        assert.equal((await store.unreadSummary()).unreadChats, 2, 'c4 and c2 still unread in the {bob} chat');
        await store.markRead(ids[0]!);
        assert.equal((await store.unreadSummary()).unreadChats, 1);
      });

      t('an incoming live message can mark its conversation unread and becomes its preview', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-u', subject: 's', direction: 'Incoming', participants: [bob], startedAt: 1_700_000_000_000 });
        assert.equal(live.unread, false);
        await store.addMessage(live.id, 'th-u', msg(1_700_000_001_000, 'ping', { origin: 'live' }), { markUnread: true });
        const c = await store.getConversation(live.id);
        assert.equal(c?.unread, true);
        assert.equal(c?.preview, 'ping');
        assert.equal(c?.lastActivityAt, 1_700_000_001_000);
        assert.equal((await store.unreadSummary()).unreadChats, 1);
      });
    });

    describe('batch and restamp', () => {
      t('addMessages stores a batch once, like addMessage for each, with one conversation event', async (store) => {
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
      t('a queued message is persisted first, retried with attempts counted, and merges with its transcript copy once delivered', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-o', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1_700_000_000_000 });
        const a = await store.enqueueOutbox({ conversationId: live.id, text: 'first', author: me });
        const b = await store.enqueueOutbox({ conversationId: live.id, text: 'second', author: me, clientId: 'client-b' });
        assert.equal(a.state, 'queued');
        assert.equal(a.attempts, 0);
        assert.equal(a.operationId, null);
        assert.equal(a.location, null);
        assert.equal(a.maybeDuplicate, false);
        assert.equal(b.clientId, 'client-b');
        assert.deepEqual(await store.enqueueOutbox({ conversationId: live.id, text: 'second', author: me, clientId: 'client-b' }), b, 'idempotent per clientId');
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
        assert.equal((await store.listMessages(live.id, {})).items.find((m) => m.id === a.messageId)?.deliveryError, 'network down');
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), ['client-b']);
        const requeued = await store.setOutboxState(a.clientId, 'queued');
        assert.equal(requeued.lastError, null, 'the error is cleared on any state but failed');
        assert.equal((await store.setOutboxState(a.clientId, 'sending')).attempts, 2);
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), [a.clientId, 'client-b'], "a 'sending' item is still pending");

        const sentAt = 1_700_000_100_000;
        const delivered = await store.setOutboxState(a.clientId, 'delivered', { sentAt, threadId: 'th-o' });
        assert.equal(delivered.state, 'delivered');
        assert.equal(delivered.attempts, 2);
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), ['client-b']);
        const sentMsg = (await store.listMessages(live.id, {})).items.find((m) => m.id === a.messageId);
        assert.equal(sentMsg?.at, sentAt);
        assert.equal(sentMsg?.delivery, 'delivered');
        assert.equal(sentMsg?.deliveryError, null);

        // The live echo and the transcript copy of the delivered message are the same row.
        const echoed = await store.addMessage(live.id, 'th-o', msg(sentAt, 'first', { author: me, direction: 'Outgoing', origin: 'live' }));
        assert.equal(echoed.inserted, false);
        assert.equal(echoed.message.id, a.messageId);
        assert.equal(echoed.message.delivery, 'delivered');
        const { conversation } = await store.upsertLog(logInput({ logKey: 'Lo', threadId: 'th-o', direction: 'Outgoing' }), 'fp');
        assert.equal(conversation.id, live.id);
        const r = await store.putTranscriptPage(live.id, 'th-o', [msg(sentAt, 'first', { author: me, direction: 'Outgoing', html: '<b>first</b>' })], true, 'Lo');
        assert.equal(r.added, 0);
        const firsts = (await allMessages(store, live.id)).filter((m) => m.text === 'first');
        assert.equal(firsts.length, 1);
        assert.equal(firsts[0]!.id, a.messageId);
        assert.equal(firsts[0]!.html, '<b>first</b>', 'the transcript fills in what the outbox row lacked');
      });

      t('a transcript copy stored before the delivery is confirmed merges into one row', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-o2', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1_700_000_000_000 });
        const item = await store.enqueueOutbox({ conversationId: live.id, text: 'race', author: me });
        await store.setOutboxState(item.clientId, 'sending');
        const sentAt = 1_700_000_200_000;
        await store.putTranscriptPage(live.id, 'th-o2', [msg(sentAt, 'race', { author: me, direction: 'Outgoing' })], false, null);
        const copy = (await allMessages(store, live.id)).find((m) => m.text === 'race' && m.id !== item.messageId)!;
        const seen: StoreChange[] = [];
        store.onChange((c) => seen.push(c));
        await store.setOutboxState(item.clientId, 'delivered', { sentAt, threadId: 'th-o2' });
        assert.deepEqual(seen.filter((c) => c.kind === 'messageRemoved'), [{ kind: 'messageRemoved', conversationId: live.id, messageId: copy.id }]);
        const removedAt = seen.findIndex((c) => c.kind === 'messageRemoved');
        assert.ok(seen.findIndex((c) => c.kind === 'message' && c.message.id === item.messageId) > removedAt, 'the surviving row is announced after the removal');
        const races = (await allMessages(store, live.id)).filter((m) => m.text === 'race');
        assert.equal(races.length, 1);
        assert.equal(races[0]!.id, item.messageId);
        assert.equal(races[0]!.at, sentAt);
      });

      t('the same text sent twice and stamped alike stays two messages (an outbox row never absorbs another)', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-2x', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1 });
        const a = await store.enqueueOutbox({ conversationId: live.id, text: 'ok', author: me });
        const b = await store.enqueueOutbox({ conversationId: live.id, text: 'ok', author: me });
        const at = 1_700_000_600_000;
        for (const item of [a, b]) {
          await store.setOutboxState(item.clientId, 'sending');
          assert.equal((await store.setOutboxState(item.clientId, 'delivered', { sentAt: at, threadId: 'th-2x' })).state, 'delivered');
        }
        assert.equal((await store.outboxItem(a.clientId))?.state, 'delivered');
        assert.equal((await store.outboxItem(b.clientId))?.state, 'delivered');
        assert.deepEqual((await allMessages(store, live.id)).map((m) => [m.text, m.at, m.delivery]), [['ok', at, 'delivered'], ['ok', at, 'delivered']]);
        // Their transcript copy meets one of them, not a third row.
        await store.putTranscriptPage(live.id, 'th-2x', [msg(at, 'ok', { author: me, direction: 'Outgoing' })], true, null);
        assert.equal((await allMessages(store, live.id)).length, 2);
      });

      t('every state is persisted and mirrored on the message row; operationId, location and maybeDuplicate are kept until changed', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-st', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1_700_000_000_000 });
        const item = await store.enqueueOutbox({ conversationId: live.id, text: 'states', author: me, clientId: 'c-st' });
        const deliveries: string[] = [];
        store.onChange((c) => { if (c.kind === 'delivery') deliveries.push(c.item.state); });
        const row = async () => (await store.listMessages(live.id, {})).items.find((m) => m.id === item.messageId)!;

        const sending = await store.setOutboxState('c-st', 'sending', { operationId: 'op-1' });
        assert.deepEqual([sending.state, sending.attempts, sending.operationId, sending.location], ['sending', 1, 'op-1', null]);
        assert.equal((await row()).delivery, 'sending');
        const accepted = await store.setOutboxState('c-st', 'accepted', { location: '/ucwa/.../messaging/messages/7' });
        assert.deepEqual([accepted.state, accepted.attempts, accepted.operationId, accepted.location], ['accepted', 1, 'op-1', '/ucwa/.../messaging/messages/7']);
        assert.equal((await row()).delivery, 'accepted');
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.state), ['accepted'], 'accepted is still pending (no completion yet)');

        const uncertain = await store.setOutboxState('c-st', 'uncertain', { error: 'the app stopped while sending' });
        assert.deepEqual([uncertain.state, uncertain.lastError, uncertain.operationId, uncertain.location], ['uncertain', 'the app stopped while sending', 'op-1', '/ucwa/.../messaging/messages/7']);
        assert.equal((await row()).delivery, 'uncertain');
        assert.equal((await row()).deliveryError, 'the app stopped while sending');
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.state), ['uncertain'], 'uncertain is pending: the service checks or re-sends it');

        const resent = await store.setOutboxState('c-st', 'sending', { operationId: 'op-2', location: null, maybeDuplicate: true });
        assert.deepEqual([resent.attempts, resent.operationId, resent.location, resent.maybeDuplicate, resent.lastError], [2, 'op-2', null, true, null]);
        const again = await store.setOutboxState('c-st', 'accepted', { location: '/m/8' });
        assert.equal(again.maybeDuplicate, true, 'kept unless given');
        assert.deepEqual(await store.outboxItem('c-st'), again);

        const done = await store.setOutboxState('c-st', 'delivered', { sentAt: 1_700_000_400_000, threadId: 'th-st' });
        assert.deepEqual([done.state, done.attempts, done.operationId, done.location, done.maybeDuplicate], ['delivered', 2, 'op-2', '/m/8', true]);
        assert.equal((await row()).delivery, 'delivered');
        assert.deepEqual(await store.pendingOutbox(), []);
        // Delivered is final: a delivered message is never queued (nor failed) again; confirming it again is harmless.
        for (const state of ['queued', 'sending', 'accepted', 'failed', 'uncertain'] as const) {
          await assert.rejects(store.setOutboxState('c-st', state), StoreError, state);
        }
        assert.equal((await store.setOutboxState('c-st', 'delivered', { sentAt: 1_700_000_400_000, threadId: 'th-st' })).state, 'delivered');
        assert.equal((await store.outboxItem('c-st'))?.state, 'delivered');
        assert.equal((await row()).delivery, 'delivered');
        assert.equal((await allMessages(store, live.id)).length, 1);
        assert.deepEqual(deliveries, ['sending', 'accepted', 'uncertain', 'sending', 'accepted', 'delivered', 'delivered']);
      });

      t('pending items keep the order they were written in, even within one millisecond', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-ord', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1 });
        const other = await store.ensureLiveConversation({ threadId: 'th-ord2', subject: 's', direction: 'Outgoing', participants: [carol], startedAt: 1 });
        // Called together: many share a millisecond (createdAt); the order of the calls is the order.
        const items = await Promise.all(Array.from({ length: 30 }, (_, i) => store.enqueueOutbox({
          conversationId: i % 3 === 0 ? other.id : live.id, text: `line ${i}`, author: me, clientId: `ord-${String(i).padStart(2, '0')}`,
        })));
        assert.ok(new Set(items.map((i) => i.createdAt)).size < items.length, 'some were written in the same millisecond');
        assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), items.map((i) => i.clientId));
        assert.deepEqual((await store.pendingOutbox(live.id)).map((i) => i.clientId), items.filter((i) => i.conversationId === live.id).map((i) => i.clientId));
        // A failed item retried later keeps its place among the others.
        await store.setOutboxState('ord-01', 'failed', { error: 'x' });
        await store.setOutboxState('ord-01', 'queued');
        assert.deepEqual((await store.pendingOutbox(live.id)).slice(0, 2).map((i) => i.clientId), ['ord-01', 'ord-02']);
      });

      t('outboxItem finds an item by clientId in every state (failed and delivered included) until it is discarded', async (store) => {
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
        found!.state = 'delivered';
        assert.equal((await store.outboxItem(item.clientId))?.state, 'failed');
        assert.equal((await store.setOutboxState(item.clientId, 'failed')).lastError, 'refused', 'failed again without an error keeps the reason');
        await store.setOutboxState(item.clientId, 'queued');
        await store.setOutboxState(item.clientId, 'sending');
        const delivered = await store.setOutboxState(item.clientId, 'delivered', { sentAt: 1_700_000_300_000, threadId: 'th-oi' });
        assert.deepEqual(await store.outboxItem(item.clientId), delivered);

        const other = await store.enqueueOutbox({ conversationId: live.id, text: 'failed, then discarded', author: me });
        await store.setOutboxState(other.clientId, 'failed', { error: 'refused' });
        await store.discardOutbox(other.clientId);
        assert.equal(await store.outboxItem(other.clientId), null);
      });

      t('a message that went out (accepted or delivered) cannot be discarded: it stays in the history', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-dd', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1_700_000_000_000 });
        const accepted = await store.enqueueOutbox({ conversationId: live.id, text: 'on the server', author: me });
        await store.setOutboxState(accepted.clientId, 'sending');
        await store.setOutboxState(accepted.clientId, 'accepted', { location: '/m/1' });
        const delivered = await store.enqueueOutbox({ conversationId: live.id, text: 'arrived', author: me });
        await store.setOutboxState(delivered.clientId, 'sending');
        await store.setOutboxState(delivered.clientId, 'delivered', { sentAt: 1_700_000_500_000, threadId: 'th-dd' });
        const seen: StoreChange[] = [];
        store.onChange((c) => seen.push(c));
        for (const item of [accepted, delivered]) {
          await assert.rejects(store.discardOutbox(item.clientId), (e: unknown) => e instanceof StoreError && /stays in the history/.test(e.message));
          assert.ok(await store.outboxItem(item.clientId), 'the item stays');
        }
        assert.deepEqual(seen, [], 'nothing changed, nothing announced');
        assert.deepEqual((await allMessages(store, live.id)).map((m) => m.text).sort(), ['arrived', 'on the server']);
        // Uncertain and sending ones did not (provably) go out: they can be discarded.
        const uncertain = await store.enqueueOutbox({ conversationId: live.id, text: 'maybe', author: me });
        await store.setOutboxState(uncertain.clientId, 'sending');
        await store.setOutboxState(uncertain.clientId, 'uncertain');
        await store.discardOutbox(uncertain.clientId);
        assert.equal(await store.outboxItem(uncertain.clientId), null);
        assert.equal((await allMessages(store, live.id)).length, 2);
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

      t('an empty message, or one for an unknown conversation, is refused', async (store) => {
        const live = await store.ensureLiveConversation({ threadId: 'th-e0', subject: 's', direction: 'Outgoing', participants: [bob], startedAt: 1 });
        await assert.rejects(store.enqueueOutbox({ conversationId: live.id, text: '  \n ', author: me }), StoreError);
        await assert.rejects(store.enqueueOutbox({ conversationId: 987_654, text: 'x', author: me }), StoreError);
        assert.deepEqual(await store.pendingOutbox(), []);
        assert.equal((await store.listMessages(live.id, {})).items.length, 0);
        const htmlOnly = await store.enqueueOutbox({ conversationId: live.id, text: '', html: '<img alt="">', author: me });
        assert.equal(htmlOnly.html, '<img alt="">');
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
        ], true, 'Ls');
        await store.putTranscriptPage(other.conversation.id, 'th-s2', [msg(base + 5, 'quarterly review in the other room')], true, 'Ls2');
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

      t('earlier words match whole words, the last one also a prefix; snippets mark the words found and nothing else', async (store) => {
        await seed(store);
        assert.equal((await store.search('quarterly rep')).length, 1, '"rep" is a prefix of Report');
        assert.equal((await store.search('qua rep')).length, 0, '"qua" is not a prefix: only the last word is');
        assert.equal((await store.search('report quarterly')).length, 1, 'the words in any order');
        const { conversation } = await store.upsertLog(logInput({ logKey: 'Lm', threadId: 'th-m' }), 'fp');
        await store.putTranscriptPage(conversation.id, 'th-m', [
          msg(10, 'Le déploiement du serveur est prévu jeudi'),
          msg(11, 'Deploy the server tonight?', { author: carol }),
          msg(12, 'odd \uE000marks\uE001 of its own: \uE001 \uE000'),
          msg(13, `${'x '.repeat(200)}needle at the end ${'y '.repeat(200)}`),
        ], true, 'Lm');
        const hits = await store.search('deplo');
        assert.deepEqual(hits.map((h) => h.at).sort(), [10, 11]);
        const fr = hits.find((h) => h.at === 10)!;
        assert.equal(fr.snippet, `Le ${MARK_START}déploiement${MARK_END} du serveur est prévu jeudi`);
        assert.equal(hits.find((h) => h.at === 11)!.snippet, `${MARK_START}Deploy${MARK_END} the server tonight?`);
        assert.equal(hits.find((h) => h.at === 11)!.author?.sip, carol.sip);
        assert.deepEqual((await store.search('serveur DEPLOIEMENT')).map((h) => h.at), [10], 'all words, any case, without accents');
        const odd = await store.search('odd');
        assert.equal(odd.length, 1);
        assert.equal(odd[0]!.snippet.split(MARK_START).length - 1, 1, "the text's own marks are removed from the snippet");
        assert.equal(odd[0]!.snippet.split(MARK_END).length - 1, 1);
        assert.ok(odd[0]!.snippet.startsWith(`${MARK_START}odd${MARK_END}`));
        const far = await store.search('needle');
        assert.ok(far[0]!.snippet.includes(`${MARK_START}needle${MARK_END}`));
        assert.ok(far[0]!.snippet.length < 200 && far[0]!.snippet.startsWith('…'), 'a window around the match');
        assert.equal((await store.search('deplo', { conversationId: 999_999 })).length, 0);
        assert.equal((await store.search('deplo', { limit: 1 })).length, 1);
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

      t('contact addresses are normalised, names found without their accents, the list sorted by name', async (store) => {
        await store.upsertContacts([{ sip: 'ZOE@Contoso.com', name: 'Zoé Martin' }, { sip: 'sip:alice@contoso.com', name: 'alice Aubert' }, bob]);
        assert.deepEqual((await store.listContacts()).map((p) => p.sip), ['sip:alice@contoso.com', 'sip:bob@contoso.com', 'sip:zoe@contoso.com']);
        assert.deepEqual((await store.listContacts('zoe')).map((p) => p.name), ['Zoé Martin']);
        assert.deepEqual((await store.listContacts('ZOÉ')).map((p) => p.name), ['Zoé Martin']);
        assert.deepEqual((await store.listContacts('MARTIN')).map((p) => p.sip), ['sip:zoe@contoso.com']);
        await store.upsertContacts([{ sip: 'sip:zoe@contoso.com', name: '' }]);
        assert.equal((await store.listContacts('zoe'))[0]?.name, 'Zoé Martin', 'an empty name does not erase a known one');
        // participants of a log are contacts too
        await store.upsertLog(logInput({ logKey: 'Lc', participants: [{ sip: 'sip:dave@contoso.com', name: 'Dave' }] }), 'fp');
        assert.deepEqual((await store.listContacts('dave')).map((p) => p.sip), ['sip:dave@contoso.com']);
      });
    });

    peopleContractTests(t);

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
        await store.putTranscriptPage(conversation.id, 'th-e', [msg(1_700_000_002_000, 'from transcript')], true, 'Le');
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
        assert.equal(u.summary.unreadChats, 0);
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

    describe('unread and missed', () => {
      t('markRead, the summary and their change events', async (store) => {
        const changes: StoreChange[] = [];
        const off = store.onChange((ch) => changes.push(ch));
        // Three people: three chats (one chat per set of people; the chat section tests the gathering).
        const a = await store.upsertLog(logInput({ logKey: 'A', unread: true, status: 'Missed', createdAt: 10 }), 'x');
        await store.upsertLog(logInput({ logKey: 'B', unread: true, createdAt: 20, participants: [carol] }), 'x');
        await store.upsertLog(logInput({ logKey: 'C', createdAt: 30, participants: [bob, carol] }), 'x');
        const sum = await store.unreadSummary(5);
        assert.equal(sum.unreadChats, 2);
        assert.equal(sum.missedChats, 1);
        assert.deepEqual(sum.latest.map((c) => c.logKey), ['B', 'A']);
        assert.deepEqual((await store.unreadSummary(0)).latest, []);
        await store.markRead(a.conversation.id);
        assert.equal((await store.getConversation(a.conversation.id))?.unread, false);
        assert.equal((await store.getConversation(a.conversation.id))?.missed, true, 'missed is the log status; read is the badge');
        assert.equal((await store.unreadSummary()).missedChats, 0, 'missed counts chats with a conversation missed AND unread');
        const unreadEvents = changes.filter((c) => c.kind === 'unread');
        assert.deepEqual(unreadEvents.at(-1), { kind: 'unread', summary: { unreadChats: 1, missedChats: 0 } });
        assert.equal(changes.filter((c) => c.kind === 'conversation').length, 4, 'three new conversations and one read');
        const count = changes.length;
        await store.markRead(a.conversation.id);
        assert.equal(changes.length, count, 'marking a read conversation read announces nothing');
        // The same log synced again (the server still says unread): read here stays read.
        await store.upsertLog(logInput({ logKey: 'A', unread: true, status: 'Missed', createdAt: 10 }), 'x');
        await store.upsertLog(logInput({ logKey: 'A', unread: true, status: 'Missed', createdAt: 10 }), 'y');
        assert.equal((await store.getConversation(a.conversation.id))?.unread, false);
        // New activity does bring it back.
        await store.addMessage(a.conversation.id, null, msg(40, 'are you there?', { origin: 'live' }), { markUnread: true });
        assert.equal((await store.getConversation(a.conversation.id))?.unread, true);
        off();
        await store.markRead(a.conversation.id);
        assert.equal(changes.filter((c) => c.kind === 'unread').length, unreadEvents.length + 1, 'no events after unsubscribing');
      });
    });

    describe('errors and lifecycle', () => {
      t('what the store hands out is a copy: changing it changes nothing stored', async (store) => {
        const c = await store.upsertLog(logInput({ logKey: 'Q', participants: [bob] }), 'f');
        c.conversation.subject = 'mutated by caller';
        c.conversation.participants.push(carol);
        const stored = await store.getConversation(c.conversation.id);
        assert.equal(stored?.subject, 'Subject Q');
        assert.deepEqual(stored?.participants, [bob]);
        const seen: StoreChange[] = [];
        store.onChange((ch) => seen.push(ch));
        const input = msg(5, 'original text', { origin: 'live' });
        const added = store.addMessage(c.conversation.id, null, input);
        input.text = 'changed after the call';
        const { message } = await added;
        assert.equal(message.text, 'original text', 'the arguments are taken when the call is made');
        const ev = seen.find((ch) => ch.kind === 'message');
        assert.ok(ev && ev.kind === 'message' && ev.message.text === 'original text');
        message.text = 'mutated';
        assert.equal((await store.listMessages(c.conversation.id, {})).items[0]?.text, 'original text');
      });

      t('a change is announced before the write that made it resolves; a listener that throws breaks nothing', async (store) => {
        const order: string[] = [];
        store.onChange(() => {
          throw new Error('a listener bug');
        });
        store.onChange((ch) => order.push(`change:${ch.kind}`));
        const live = await store.ensureLiveConversation({ threadId: 'th-ord-ev', subject: 's', direction: 'Incoming', participants: [bob], startedAt: 1 });
        order.length = 0;
        await store.addMessage(live.id, null, msg(2, 'hi', { origin: 'live' })).then(() => order.push('resolved'));
        assert.deepEqual(order, ['change:message', 'change:conversation', 'change:chat', 'resolved']);
        assert.equal((await store.listMessages(live.id, {})).items.length, 1);
      });

      t('unknown ids are typed errors, and a closed store refuses work with kind "closed"', async (store) => {
        await assert.rejects(store.putTranscriptPage(424_242, null, [msg(1, 'x')], true, null), (e: unknown) => e instanceof StoreError);
        await assert.rejects(store.setOutboxState('no-such-client-id', 'sending'), (e: unknown) => e instanceof StoreError);
        await store.close();
        await assert.rejects(store.listConversations({}), (e: unknown) => e instanceof StoreError && e.kind === 'closed');
        await store.close(); // idempotent
      });
    });
  });
}
