// The in-memory Store: the semantics documented in main/core/store/types.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore, searchTerms, MARK_START, MARK_END } from '../../main/core/store/memoryStore.ts';
import { StoreError } from '../../main/core/store/types.ts';
import { storeContractTests } from './storeContract.ts';
import type { LogInput, MessageInput, Person, StoreChange } from '../../main/core/store/types.ts';

const me: Person = { sip: 'sip:me@contoso.com', name: 'Me' };
const alice: Person = { sip: 'sip:alice@contoso.com', name: 'Alice Aubert' };
const bob: Person = { sip: 'sip:bob@contoso.com', name: 'Bob' };

function log(key: string, over: Partial<LogInput> = {}): LogInput {
  return {
    logKey: key, href: `/ucwa/oauth/v1/applications/111/communication/conversationLogs/${key}`, threadId: `thread-${key}`,
    subject: `Subject ${key}`, type: 'MessageLog', direction: 'Incoming', status: 'Archived', importance: 'Normal',
    createdAt: 1_000_000, preview: 'hello', participants: [alice], unread: false, ...over,
  };
}
function msg(at: number, text: string, author: Person | null = alice, over: Partial<MessageInput> = {}): MessageInput {
  return { author, direction: author?.sip === me.sip ? 'Outgoing' : 'Incoming', at, text, origin: 'transcript', ...over };
}

// The shared conformance suite (the SQLite store runs the same one).
storeContractTests('memoryStore', async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});

describe('memoryStore', () => {
  test('logs are keyed by the last href segment: a new application href refreshes, never duplicates', async () => {
    const s = createMemoryStore();
    const a = await s.upsertLog(log('AAMk1'), 'f1');
    assert.equal(a.needsTranscripts, true);
    assert.equal(a.conversation.id, 1);
    assert.equal(a.conversation.logKey, 'AAMk1');
    const b = await s.upsertLog(log('AAMk1', { href: '/ucwa/oauth/v1/applications/222/communication/conversationLogs/AAMk1' }), 'f1');
    assert.equal(b.conversation.id, a.conversation.id);
    assert.equal(b.conversation.logHref, '/ucwa/oauth/v1/applications/222/communication/conversationLogs/AAMk1');
    assert.equal(b.needsTranscripts, true, 'transcripts not complete yet');
    await s.putTranscriptPage(a.conversation.id, 'thread-AAMk1', [msg(1_000_100, 'hi')], true);
    const c = await s.upsertLog(log('AAMk1', { subject: 'Renamed' }), 'f2');
    assert.equal(c.needsTranscripts, false, 'a known, complete log only refreshes its properties');
    assert.equal(c.conversation.subject, 'Renamed');
    assert.deepEqual(await s.checkpoints(['AAMk1', 'unknown']), [{ logKey: 'AAMk1', fingerprint: 'f2', transcriptsComplete: true }]);
    const page = await s.listConversations({});
    assert.equal(page.items.length, 1);
  });

  test('a live conversation adopts its log later (same threadId) and live + transcript copies dedupe', async () => {
    const s = createMemoryStore();
    const live = await s.ensureLiveConversation({ threadId: 'T1', subject: '', direction: 'Incoming', participants: [alice], startedAt: 5000 });
    assert.equal(live.status, 'Live');
    assert.equal(live.logKey, null);
    const again = await s.ensureLiveConversation({ threadId: 'T1', subject: '', direction: 'Incoming', participants: [alice], startedAt: 6000 });
    assert.equal(again.id, live.id);
    const first = await s.addMessage(live.id, 'T1', msg(5000, 'Bonjour', alice, { origin: 'live' }), { markUnread: true });
    assert.equal(first.inserted, true);
    const dup = await s.addMessage(live.id, 'T1', msg(5000, 'Bonjour', { sip: 'Alice@Contoso.com', name: 'A' }, { origin: 'live' }));
    assert.equal(dup.inserted, false);
    assert.equal(dup.message.id, first.message.id);
    assert.equal((await s.findConversationByThread('T1'))?.id, live.id);

    const adopted = await s.upsertLog(log('L9', { threadId: 'T1', createdAt: 4000 }), 'fp');
    assert.equal(adopted.conversation.id, live.id, 'no second conversation for the same thread');
    assert.equal(adopted.conversation.logKey, 'L9');
    assert.equal(adopted.conversation.status, 'Archived');
    assert.equal(adopted.conversation.unread, true, 'locally unread stays unread');
    const put = await s.putTranscriptPage(live.id, 'T1', [msg(5000, 'Bonjour'), msg(5100, 'Ça va ?')], true);
    assert.equal(put.added, 1);
    const msgs = await s.listMessages(live.id, {});
    assert.deepEqual(msgs.items.map((m) => m.text), ['Ça va ?', 'Bonjour']);
    assert.equal((await s.listConversations({})).items.length, 1);
  });

  test('keyset pages of conversations and messages, newest first, with filters', async () => {
    const s = createMemoryStore();
    for (let i = 0; i < 25; i++) {
      await s.upsertLog(log(`K${i}`, { createdAt: 1000 + (i % 5) * 10, status: i % 3 === 0 ? 'Missed' : 'Archived', unread: i % 2 === 0, participants: i % 4 === 0 ? [bob] : [alice] }), `f${i}`);
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await s.listConversations({ cursor, limit: 7 });
      seen.push(...page.items.map((c) => c.id));
      for (let i = 1; i < page.items.length; i++) {
        const [a, b] = [page.items[i - 1]!, page.items[i]!];
        assert.ok(a.lastActivityAt > b.lastActivityAt || (a.lastActivityAt === b.lastActivityAt && a.id > b.id));
      }
      cursor = page.next;
      pages++;
    } while (cursor);
    assert.equal(pages, 4);
    assert.equal(new Set(seen).size, 25);
    assert.equal((await s.listConversations({ filter: 'missed', limit: 100 })).items.length, 9);
    assert.equal((await s.listConversations({ filter: 'unread', limit: 100 })).items.length, 13);
    assert.equal((await s.listConversations({ contact: 'BOB@contoso.com', limit: 100 })).items.length, 7);
    await assert.rejects(s.listConversations({ cursor: 'not a cursor' }), StoreError);

    const c = (await s.listConversations({ limit: 1 })).items[0]!;
    await s.putTranscriptPage(c.id, c.threadId, Array.from({ length: 30 }, (_, i) => msg(2000 + Math.floor(i / 2), `m${i}`)), true);
    const all: string[] = [];
    let mc: string | null = null;
    do {
      const page = await s.listMessages(c.id, { cursor: mc, limit: 8 });
      all.push(...page.items.map((m) => m.text));
      mc = page.next;
    } while (mc);
    assert.equal(all.length, 30);
    assert.equal(all[0], 'm29');
    assert.equal(new Set(all).size, 30);
    const around = await s.messagesAround((await s.listMessages(c.id, { limit: 100 })).items.find((m) => m.text === 'm10')!.id, 2);
    assert.deepEqual(around.map((m) => m.text), ['m8', 'm9', 'm10', 'm11', 'm12']);
  });

  test('unread and missed: markRead, summary and change events', async () => {
    const s = createMemoryStore();
    const changes: StoreChange[] = [];
    const off = s.onChange((ch) => changes.push(ch));
    const a = await s.upsertLog(log('A', { unread: true, status: 'Missed', createdAt: 10 }), 'x');
    await s.upsertLog(log('B', { unread: true, createdAt: 20 }), 'x');
    await s.upsertLog(log('C', { createdAt: 30 }), 'x');
    const sum = await s.unreadSummary(5);
    assert.equal(sum.unreadConversations, 2);
    assert.equal(sum.missedConversations, 1);
    assert.deepEqual(sum.latest.map((c) => c.logKey), ['B', 'A']);
    await s.markRead(a.conversation.id);
    assert.equal((await s.getConversation(a.conversation.id))?.unread, false);
    assert.deepEqual((await s.unreadSummary()).missedConversations, 0);
    const unreadEvents = changes.filter((c) => c.kind === 'unread');
    assert.deepEqual(unreadEvents.at(-1), { kind: 'unread', summary: { unreadConversations: 1, missedConversations: 0 } });
    assert.equal(changes.filter((c) => c.kind === 'conversation').length, 4);
    off();
    await s.markRead(2);
    assert.equal(changes.filter((c) => c.kind === 'unread').length, unreadEvents.length, 'no events after unsubscribe');
  });

  test('search: prefix terms, diacritics folded, marked snippets, any input is safe', async () => {
    const s = createMemoryStore();
    const c = await s.upsertLog(log('S'), 'x');
    await s.putTranscriptPage(c.conversation.id, 'thread-S', [
      msg(1, 'Le déploiement du serveur est prévu jeudi'),
      msg(2, 'Deploy the server tonight?', bob),
      msg(3, `quote " star * NEAR(a b) -minus ${MARK_START}odd${MARK_END} marks`),
      msg(4, 'x '.repeat(200) + 'needle at the end ' + 'y '.repeat(200)),
    ], true);
    const hits = await s.search('deplo');
    assert.equal(hits.length, 2);
    assert.deepEqual(hits.map((h) => h.at), [2, 1], 'newest first');
    assert.equal(hits[1]!.snippet, `Le ${MARK_START}déploiement${MARK_END} du serveur est prévu jeudi`);
    assert.equal(hits[0]!.snippet, `${MARK_START}Deploy${MARK_END} the server tonight?`);
    assert.equal(hits[0]!.author?.sip, bob.sip);
    assert.equal(hits[0]!.conversation.subject, 'Subject S');
    assert.deepEqual((await s.search('serveur DEPLOIEMENT')).map((h) => h.at), [1], 'all terms must match');
    for (const nasty of ['"', '*', 'NEAR(', 'a OR', ')(', '-', "'; DROP TABLE messages; --", '\u0000', '', '   ', MARK_START, '🙂']) {
      const r = await s.search(nasty);
      assert.ok(Array.isArray(r), nasty);
    }
    const odd = await s.search('odd');
    assert.equal(odd.length, 1);
    assert.equal(odd[0]!.snippet.split(MARK_START).length - 1, 1, 'marks of the text itself are stripped');
    const far = await s.search('needle');
    assert.ok(far[0]!.snippet.includes(`${MARK_START}needle${MARK_END}`));
    assert.ok(far[0]!.snippet.length < 200 && far[0]!.snippet.startsWith('…'));
    assert.deepEqual(searchTerms('"a" b* NEAR(c)'), ['a', 'b', 'near', 'c']);
    assert.equal((await s.search('deploy', { conversationId: 999 })).length, 0);
    assert.equal((await s.search('deplo', { limit: 1 })).length, 1);
  });

  test('outbox: persisted before sending, attempts, failure, sent takes the server time and dedupes its live copy', async () => {
    const s = createMemoryStore();
    const c = await s.ensureLiveConversation({ threadId: 'TO', subject: '', direction: 'Outgoing', participants: [alice], startedAt: 1 });
    const deliveries: string[] = [];
    s.onChange((ch) => { if (ch.kind === 'delivery') deliveries.push(ch.item.state); });
    const item = await s.enqueueOutbox({ conversationId: c.id, text: 'on my way', author: me, clientId: 'c-1' });
    assert.equal(item.state, 'queued');
    assert.deepEqual(await s.enqueueOutbox({ conversationId: c.id, text: 'on my way', author: me, clientId: 'c-1' }), item, 'idempotent');
    const row = (await s.listMessages(c.id, {})).items[0]!;
    assert.equal(row.origin, 'outbox');
    assert.equal(row.delivery, 'queued');
    assert.equal(row.clientId, 'c-1');
    assert.deepEqual((await s.pendingOutbox()).map((i) => i.clientId), ['c-1']);
    await s.setOutboxState('c-1', 'sending');
    assert.deepEqual((await s.pendingOutbox(c.id)).map((i) => i.state), ['sending'], 'sending items survive a crash as pending');
    const failed = await s.setOutboxState('c-1', 'failed', { error: 'Alice is offline' });
    assert.equal(failed.attempts, 1);
    assert.equal(failed.lastError, 'Alice is offline');
    assert.equal((await s.listMessages(c.id, {})).items[0]!.deliveryError, 'Alice is offline');
    await s.setOutboxState('c-1', 'sending');
    const sent = await s.setOutboxState('c-1', 'sent', { sentAt: 777_000, threadId: 'TO' });
    assert.equal(sent.attempts, 2);
    assert.equal(sent.lastError, null);
    assert.deepEqual(await s.pendingOutbox(), []);
    const echoed = await s.addMessage(c.id, 'TO', msg(777_000, 'on my way', me, { origin: 'live' }));
    assert.equal(echoed.inserted, false, 'the live/transcript copy of a sent message is the same row');
    assert.equal(echoed.message.delivery, 'sent');
    assert.equal(echoed.message.at, 777_000);
    assert.deepEqual(deliveries, ['queued', 'sending', 'failed', 'sending', 'sent']);

    const doomed = await s.enqueueOutbox({ conversationId: c.id, text: 'oops', author: me });
    assert.ok(doomed.clientId.length > 10);
    await s.setOutboxState(doomed.clientId, 'failed', { error: 'x' });
    await s.discardOutbox(doomed.clientId);
    assert.deepEqual((await s.listMessages(c.id, {})).items.map((m) => m.text), ['on my way']);
    await assert.rejects(s.setOutboxState('nope', 'sent'), StoreError);
    await assert.rejects(s.enqueueOutbox({ conversationId: 999, text: 'x', author: me }), StoreError);
  });

  test('contacts, copies, and close', async () => {
    const s = createMemoryStore();
    await s.upsertContacts([{ sip: 'ALICE@contoso.com', name: 'Alice Aubert' }, bob, { sip: 'sip:zoe@contoso.com', name: 'Zoé Martin' }]);
    assert.deepEqual((await s.listContacts()).map((p) => p.sip), ['sip:alice@contoso.com', 'sip:bob@contoso.com', 'sip:zoe@contoso.com']);
    assert.deepEqual((await s.listContacts('zoe')).map((p) => p.name), ['Zoé Martin']);
    assert.equal((await s.listContacts(undefined, 1)).length, 1);
    const c = await s.upsertLog(log('Q'), 'f');
    c.conversation.subject = 'mutated by caller';
    assert.equal((await s.getConversation(c.conversation.id))?.subject, 'Subject Q');
    assert.equal(await s.getConversation(999), null);
    await s.close();
    await assert.rejects(s.listConversations({}), (e: unknown) => e instanceof StoreError && e.kind === 'closed');
  });
});
