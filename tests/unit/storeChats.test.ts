// The chat (issue 12 item 5): every conversation with the same people is one chat — one row in the
// list, one entry in the unread counts, its past conversations readable in it. Runs the real
// Backend over SQLite (':memory:' and a file-backed worker store behave alike: storeContract).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../main/core/store/memoryStore.ts';
import type { Person, StoreChange } from '../../main/core/store/types.ts';
import { logInput, msg } from './storeContract.ts';

const kenji: Person = { sip: 'sip:kenji@contoso.com', name: 'Kenji Sato' };
const lene: Person = { sip: 'sip:lene@contoso.com', name: 'Lene Lund' };
const DAY = 86_400_000;
const t0 = 1_760_000_000_000;

async function kenjiWorld() {
  const store = createMemoryStore();
  const ids: number[] = [];
  // Three past conversations with Kenji (three threads: each continued or restarted one is new).
  for (let i = 0; i < 3; i++) {
    const { conversation } = await store.upsertLog(logInput({ logKey: `k${i}`, threadId: `tk${i}`, createdAt: t0 + i * DAY, participants: [kenji], unread: i === 1 }), 'f');
    await store.putTranscriptPage(conversation.id, `tk${i}`, [msg(t0 + i * DAY + 1000, `kenji ${i} a`, { author: kenji }), msg(t0 + i * DAY + 2000, `kenji ${i} b`, { author: kenji })], true, `k${i}`);
    ids.push(conversation.id);
  }
  // Lene twice, one of them missed; Kenji and Lene together once (a group: a chat of its own).
  const l1 = await store.upsertLog(logInput({ logKey: 'l1', threadId: 'tl1', createdAt: t0 + 0.5 * DAY, participants: [lene], status: 'Missed', unread: true }), 'f');
  const l2 = await store.upsertLog(logInput({ logKey: 'l2', threadId: 'tl2', createdAt: t0 + 1.5 * DAY, participants: [{ sip: 'sip:LENE@contoso.com', name: 'Lene' }] }), 'f');
  const g = await store.upsertLog(logInput({ logKey: 'g', threadId: 'tg', createdAt: t0 + 0.2 * DAY, participants: [lene, kenji] }), 'f');
  return { store, kenjiIds: ids, lene: [l1.conversation.id, l2.conversation.id], group: g.conversation.id };
}

describe('chats', () => {
  test('one row per person or group: Kenji\'s three conversations are one chat, described by the newest', async () => {
    const { store, kenjiIds, lene: leneIds, group } = await kenjiWorld();
    try {
      const convs = await store.listConversations({ limit: 50 });
      assert.equal(convs.items.length, 6, 'the conversations are all still there');
      const chats = await store.listChats({ limit: 50 });
      assert.equal(chats.items.length, 3);
      const [k, l, gr] = chats.items;
      assert.equal(k!.latest.id, kenjiIds[2], 'the newest conversation leads the chat');
      assert.equal(k!.conversationCount, 3);
      assert.equal(k!.lastActivityAt, t0 + 2 * DAY + 2000);
      assert.deepEqual(l!.latest.participants.map((p) => p.sip), ['sip:lene@contoso.com'], 'SIP case does not split a chat');
      assert.equal(l!.conversationCount, 2);
      assert.equal(gr!.latest.id, group);
      const convOf = new Map(convs.items.map((c) => [c.id, c.chatId]));
      assert.ok(kenjiIds.every((id) => convOf.get(id) === k!.id));
      assert.ok(leneIds.every((id) => convOf.get(id) === l!.id));
      assert.deepEqual(await store.chatConversationIds(k!.id), [...kenjiIds].reverse());
      // Paging is by the chat's activity (keyset), and filters look at any of its conversations.
      const p1 = await store.listChats({ limit: 2 });
      const p2 = await store.listChats({ limit: 2, cursor: p1.next });
      assert.deepEqual([...p1.items, ...p2.items].map((c) => c.id), chats.items.map((c) => c.id));
      assert.equal(p2.next, null);
      assert.deepEqual((await store.listChats({ filter: 'missed' })).items.map((c) => c.id), [l!.id]);
      assert.deepEqual((await store.listChats({ filter: 'unread' })).items.map((c) => c.id), [k!.id, l!.id]);
      assert.deepEqual((await store.listChats({ contact: 'sip:kenji@contoso.com' })).items.map((c) => c.id), [k!.id, gr!.id]);
    } finally {
      await store.close();
    }
  });

  test('where "New" begins in a chat: the first unread incoming message of its newest unread conversation; none once read', async () => {
    const { store, kenjiIds } = await kenjiWorld();
    try {
      const [k] = (await store.listChats({ limit: 1 })).items;
      const first = await store.firstUnreadMessage(k!.id);
      const page = await store.listChatMessages(k!.id, { limit: 10 });
      assert.equal(page.items.find((m) => m.id === first)?.text, 'kenji 1 a', 'the unread conversation\'s first line, not the read ones around it');
      await store.markChatRead(k!.id);
      assert.equal(await store.firstUnreadMessage(k!.id), null);
      // Your own words never begin "New"; their next line does.
      await store.addMessage(kenjiIds[2]!, 'tk2', msg(t0 + 5 * DAY, 'my reply', { origin: 'live', direction: 'Outgoing', author: null }), { markUnread: false });
      const { message } = await store.addMessage(kenjiIds[2]!, 'tk2', msg(t0 + 5 * DAY + 1000, 'and another thing', { origin: 'live', author: kenji }), { markUnread: true });
      assert.equal(await store.firstUnreadMessage(k!.id), message.id);
      // An old conversation still flagged unread (a server keeps missed logs so) does not pull "New" back to it.
      const old = await store.upsertLog(logInput({ logKey: 'k-old', threadId: 'tk-old', createdAt: t0 - 30 * DAY, participants: [kenji], unread: true }), 'f');
      await store.putTranscriptPage(old.conversation.id, 'tk-old', [msg(t0 - 30 * DAY + 1000, 'a month ago', { author: kenji })], true, 'k-old');
      assert.equal((await store.getConversation(old.conversation.id))?.unread, true);
      assert.equal((await store.getConversation(old.conversation.id))?.chatId, k!.id);
      assert.equal(await store.firstUnreadMessage(k!.id), message.id);
      assert.equal(await store.firstUnreadMessage(987_654), null);
    } finally {
      await store.close();
    }
  });

  test('a chat reads as one transcript: every conversation\'s messages, newest first, paged without gaps', async () => {
    const { store } = await kenjiWorld();
    try {
      const [k] = (await store.listChats({ limit: 1 })).items;
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listChatMessages(k!.id, { cursor, limit: 4 });
        seen.push(...page.items.map((m) => m.text));
        cursor = page.next;
      } while (cursor);
      assert.deepEqual(seen, ['kenji 2 b', 'kenji 2 a', 'kenji 1 b', 'kenji 1 a', 'kenji 0 b', 'kenji 0 a']);
      await assert.rejects(store.listChatMessages(k!.id, { cursor: 'garbage' }), /invalid cursor/);
      assert.deepEqual((await store.listChatMessages(987_654, {})).items, []);
    } finally {
      await store.close();
    }
  });

  test('unread counts are chats: the list, the tray and the filters agree; reading the chat reads all of it', async () => {
    const { store, kenjiIds } = await kenjiWorld();
    try {
      // A second unread conversation in Kenji's chat: still ONE unread chat.
      await store.addMessage(kenjiIds[0]!, 'tk0', msg(t0 + 3 * DAY, 'old thread again', { origin: 'live', author: kenji }), { markUnread: true });
      const sum = await store.unreadSummary(10);
      assert.equal(sum.unreadChats, 2, 'Kenji and Lene');
      assert.equal(sum.missedChats, 1, 'Lene');
      assert.deepEqual(sum.latest.map((c) => c.id), [kenjiIds[0], sum.latest[1]!.id], 'one entry per chat, its newest unread conversation');
      assert.equal(sum.latest.length, 2);
      const [k] = (await store.listChats({ limit: 1 })).items;
      assert.equal(k!.latest.id, kenjiIds[0], 'activity in an older conversation makes it the one writing continues');
      assert.equal(k!.unread, true);
      assert.equal(k!.unreadSince, 0, 'never read here: new from the start');
      const changes: StoreChange[] = [];
      store.onChange((c) => changes.push(c));
      const changed = await store.markChatRead(k!.id);
      assert.deepEqual(changed.sort(), [kenjiIds[0], kenjiIds[1]].sort());
      const after = await store.getChat(k!.id);
      assert.equal(after?.unread, false);
      assert.equal(after?.unreadSince, null);
      assert.deepEqual(changes.filter((c) => c.kind === 'chat').map((c) => c.kind === 'chat' && c.chat.unread), [false]);
      assert.deepEqual(changes.find((c) => c.kind === 'unread'), { kind: 'unread', summary: { unreadChats: 1, missedChats: 1 } });
      assert.deepEqual(await store.markChatRead(k!.id), [], 'reading a read chat changes nothing');
      // New activity: "new" begins where the user had read up to.
      await store.addMessage(kenjiIds[2]!, 'tk2', msg(t0 + 4 * DAY, 'are you there?', { origin: 'live', author: kenji }), { markUnread: true });
      assert.equal((await store.getChat(k!.id))?.unreadSince, t0 + 2 * DAY + 2000);
    } finally {
      await store.close();
    }
  });

  test('a conversation whose people change moves to their chat; an emptied chat goes away (announced)', async () => {
    const { store, lene: leneIds } = await kenjiWorld();
    try {
      const before = await store.getConversation(leneIds[1]!);
      const leneChat = before!.chatId;
      const changes: StoreChange[] = [];
      store.onChange((c) => changes.push(c));
      // Lene's newest log now says Kenji was there too: it joins the Kenji + Lene chat.
      await store.upsertLog(logInput({ logKey: 'l2', threadId: 'tl2', createdAt: t0 + 1.5 * DAY, participants: [kenji, lene] }), 'f2');
      const moved = await store.getConversation(leneIds[1]!);
      assert.notEqual(moved!.chatId, leneChat);
      assert.equal((await store.getChat(leneChat))?.conversationCount, 1);
      assert.ok(changes.some((c) => c.kind === 'chat' && c.chat.id === moved!.chatId && c.chat.conversationCount === 2));
      assert.ok(changes.some((c) => c.kind === 'chat' && c.chat.id === leneChat && c.chat.conversationCount === 1));
      // Its messages moved with it: the chat's transcript is read by messages.chat_id (migration 9).
      await store.putTranscriptPage(leneIds[1]!, 'tl2', [msg(t0 + 1.5 * DAY + 500, 'lene two', { author: lene })], true, 'l2');
      assert.deepEqual((await store.listChatMessages(moved!.chatId, {})).items.map((m) => m.text), ['lene two']);
      assert.deepEqual((await store.listChatMessages(leneChat, {})).items.map((m) => m.text), []);
      // The other one moves too: Lene's own chat is empty and removed.
      changes.length = 0;
      await store.upsertLog(logInput({ logKey: 'l1', threadId: 'tl1', createdAt: t0 + 0.5 * DAY, participants: [kenji, lene], status: 'Missed', unread: true }), 'f2');
      assert.equal(await store.getChat(leneChat), null);
      assert.ok(changes.some((c) => c.kind === 'chatRemoved' && c.chatId === leneChat));
      assert.equal((await store.listChats({})).items.length, 2);
    } finally {
      await store.close();
    }
  });

  test('a live conversation with no log joins the person\'s chat at once, and a conversation with nobody is a chat of its own', async () => {
    const { store, kenjiIds } = await kenjiWorld();
    try {
      const kChat = (await store.getConversation(kenjiIds[0]!))!.chatId;
      const live = await store.ensureLiveConversation({ threadId: 'new-live', subject: '', direction: 'Outgoing', participants: [kenji], startedAt: t0 + 5 * DAY });
      assert.equal(live.chatId, kChat);
      assert.equal((await store.getChat(kChat))?.latest.id, live.id);
      const a = await store.ensureLiveConversation({ threadId: 'nobody-1', subject: '', direction: 'Incoming', participants: [], startedAt: t0 });
      const b = await store.ensureLiveConversation({ threadId: 'nobody-2', subject: '', direction: 'Incoming', participants: [], startedAt: t0 });
      assert.notEqual(a.chatId, b.chatId, 'unknown people are never assumed to be the same people');
    } finally {
      await store.close();
    }
  });
});

test('upgrading a database: existing conversations are gathered into chats, with their unread state', async () => {
  const { openDatabase } = await import('../../main/core/store/sqlite.ts');
  const { migrate } = await import('../../main/core/store/migrations.ts');
  const { Backend } = await import('../../main/core/store/backend.ts');
  const db = openDatabase(':memory:');
  try {
    migrate(db, { target: 7 });
    const ins = db.prepare(`INSERT INTO conversations (subject, type, direction, status, created_at, last_activity_at, participants, unread, missed)
      VALUES ('', 'MessageLog', 'Incoming', ?, ?, ?, ?, ?, ?)`);
    ins.run('Archived', 1, 10, JSON.stringify([kenji]), 0, 0);
    ins.run('Missed', 2, 20, JSON.stringify([{ sip: 'sip:Kenji@contoso.com', name: 'K' }]), 1, 1);
    ins.run('Archived', 3, 30, JSON.stringify([{ name: 'no address' }]), 0, 0);
    ins.run('Archived', 4, 40, JSON.stringify([lene]), 1, 0);
    db.prepare(`INSERT INTO messages (conversation_id, direction, at, text, origin) VALUES (?, 'Incoming', ?, ?, 'transcript')`).run(1, 5, 'from the first');
    db.prepare(`INSERT INTO messages (conversation_id, direction, at, text, origin) VALUES (?, 'Incoming', ?, ?, 'transcript')`).run(2, 15, 'from the second');
    migrate(db);
    const b = new Backend(db);
    const chats = b.listChats({});
    assert.deepEqual(chats.items.map((c) => [c.latest.id, c.conversationCount, c.unread, c.missedUnread]), [[4, 1, true, false], [3, 1, false, false], [2, 2, true, true]]);
    assert.deepEqual(b.unreadSummary(), { unreadChats: 2, missedChats: 1, latest: b.unreadSummary().latest });
    assert.equal(db.prepare<{ n: number }>('SELECT count(*) AS n FROM chat_changes').get()!.n, 0, 'the upgrade announces nothing');
    // Messages written before the chat existed read as the chat's one transcript.
    assert.deepEqual(b.listChatMessages(chats.items[2]!.id, {}).items.map((m) => m.text), ['from the second', 'from the first']);
    // A writer that does not name the chat (an older statement, a tool) still files the message in it.
    db.prepare(`INSERT INTO messages (conversation_id, direction, at, text, origin) VALUES (?, 'Incoming', ?, ?, 'transcript')`).run(1, 25, 'unnamed writer');
    assert.equal(b.listChatMessages(chats.items[2]!.id, {}).items[0]?.text, 'unnamed writer');
    const plan = db.prepare<{ detail: string }>("EXPLAIN QUERY PLAN SELECT * FROM messages WHERE chat_id = ? ORDER BY at DESC, id DESC LIMIT 10").all(1).map((r) => r.detail).join(' | ');
    assert.match(plan, /messages_chat_at/);
    assert.doesNotMatch(plan, /TEMP B-TREE/, 'no sort: one index range');
  } finally {
    db.close();
  }
});
