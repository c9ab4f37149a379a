// Search finds the NEWEST matches even when row ids do not follow time: the sync stores the
// newest conversations first, so their messages get the lowest ids (issue 12, item 2). The
// corpus here is built that way: the newest "lunch" is the lowest row id of 401 matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../main/core/store/memoryStore.ts';
import { logInput, msg } from './storeContract.ts';

const DAY = 86_400_000;
const now = Date.UTC(2026, 11, 1);

async function corpus() {
  const store = createMemoryStore();
  // Stored first (lowest ids): the conversation of two days ago, as the sync does.
  const recent = await store.upsertLog(logInput({ logKey: 'new', threadId: 'th-new', subject: 'Today' }), 'fp');
  await store.putTranscriptPage(recent.conversation.id, 'th-new', [msg(now - 2 * DAY, 'Lunch? 🍜')], true, 'new');
  // Then 40 older conversations, 10 lunches each, a year and more ago (higher ids).
  for (let c = 0; c < 40; c++) {
    const { conversation } = await store.upsertLog(logInput({ logKey: `old${c}`, threadId: `th-old${c}`, subject: `Old ${c}` }), 'fp');
    const msgs = Array.from({ length: 10 }, (_, i) => msg(now - (400 + c * 10 + i) * DAY, `lunch at noon ${c}-${i}`));
    await store.putTranscriptPage(conversation.id, `th-old${c}`, msgs, true, `old${c}`);
  }
  return { store, recentId: recent.conversation.id };
}

test('newest first: the newest match leads though its row id is the lowest; the total counts every match', async () => {
  const { store, recentId } = await corpus();
  try {
    const page = await store.searchPage('lunch', { sort: 'newest', limit: 20 });
    assert.equal(page.total, 401);
    assert.equal(page.hits[0]!.conversationId, recentId, 'the lunch of two days ago comes first');
    const ats = page.hits.map((h) => h.at);
    assert.deepEqual(ats, [...ats].sort((a, b) => b - a), 'newest first');
    // Paging goes on where the first page stopped, to the oldest.
    const next = await store.searchPage('lunch', { sort: 'newest', limit: 20, offset: 20 });
    assert.ok(next.hits[0]!.at <= page.hits.at(-1)!.at);
    assert.equal(next.hits.filter((h) => page.hits.some((p) => p.messageId === h.messageId)).length, 0);
  } finally {
    await store.close();
  }
});

test('best match ranks among the newest matches by time, not the highest row ids', async () => {
  const { store, recentId } = await corpus();
  try {
    const page = await store.searchPage('lunch', { sort: 'best', limit: 100 });
    assert.equal(page.total, 401);
    assert.ok(page.hits.some((h) => h.conversationId === recentId), 'the newest lunch is among the best matches');
    // The shortest text ranks first among equals (BM25), and it is the newest lunch.
    assert.equal((await store.search('lunch', { sort: 'best', limit: 1 }))[0]!.conversationId, recentId);
  } finally {
    await store.close();
  }
});

test('search() (the first page) holds the lunch of two days ago', async () => {
  const { store, recentId } = await corpus();
  try {
    const hits = await store.search('lunch', { limit: 100 });
    assert.ok(hits.some((h) => h.conversationId === recentId), `newest hit found: ${new Date(Math.max(...hits.map((h) => h.at))).toISOString()}`);
  } finally {
    await store.close();
  }
});

test('upgrading a database: existing messages get time keys (more than 1024 in one millisecond too); restamps and deletes follow', async () => {
  const { openDatabase } = await import('../../main/core/store/sqlite.ts');
  const { migrate } = await import('../../main/core/store/migrations.ts');
  const { Backend } = await import('../../main/core/store/backend.ts');
  const db = openDatabase(':memory:');
  try {
    migrate(db, { target: 6 });
    db.exec(`INSERT INTO conversations (id, subject, type, direction, status, created_at, last_activity_at, participants)
      VALUES (1, 'x', 'MessageLog', 'Incoming', 'Archived', 0, 0, '[]')`);
    const ins = db.prepare(`INSERT INTO messages (conversation_id, direction, at, text, origin) VALUES (1, 'Incoming', ?, ?, 'transcript')`);
    ins.run(now, 'lunch newest'); // the lowest id, the newest time
    for (let i = 0; i < 1100; i++) ins.run(now - DAY, `lunch same millisecond ${i}`);
    migrate(db);
    const b = new Backend(db);
    const page = b.searchPage('lunch', { sort: 'newest', limit: 5 });
    assert.equal(page.total, 1101);
    assert.equal(page.hits[0]!.messageId, 1);
    assert.equal(b.searchPage('millisecond', { sort: 'newest', limit: 5 }).total, 1100, 'every message of the crowded millisecond is indexed');
    // A restamp moves the message in time order; a delete takes it out of the index.
    db.prepare('UPDATE messages SET at = ? WHERE id = 2').run(now + DAY);
    assert.equal(b.searchPage('lunch', { sort: 'newest', limit: 1 }).hits[0]!.messageId, 2);
    db.prepare('DELETE FROM messages WHERE id = 2').run();
    assert.equal(b.searchPage('lunch', { sort: 'newest', limit: 1 }).hits[0]!.messageId, 1);
    assert.equal(b.searchPage('lunch', {}).total, 1100);
    assert.deepEqual(db.prepare("SELECT count(*) AS n FROM message_search_keys").get(), { n: 1100 });
    db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
  } finally {
    db.close();
  }
});
