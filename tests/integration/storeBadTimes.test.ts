// A time no Date can hold never poisons the cache (issue 11: one /Date(99999999999999999)/ made every
// later `ucwa history`, `history --offline` and `transcript --offline` fail with "Invalid time
// value"). New rows: the store keeps such a message with a stand-in time, marked. Old rows, written
// by an earlier version: migration 6 repairs them. Real SQLite through the store's worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore, databaseFileName } from '../../main/core/store/sqliteStore.ts';
import { openDatabase } from '../../main/core/store/sqlite.ts';
import { migrate } from '../../main/core/store/migrations.ts';
import { ensurePrivateFile } from '../../main/core/store/database.ts';
import { msg } from '../unit/storeContract.ts';

const ACCOUNT = 'sip:me@contoso.com';
let root = '';
let n = 0;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'ucwa-badtimes-'));
});
after(() => rmSync(root, { recursive: true, force: true }));
const freshDir = () => join(root, `d${++n}`);
const open = (dataDir: string) => createSqliteStore({ dataDir, account: ACCOUNT, checkpointIntervalMs: 0 });

test('a message with a time Date cannot hold is stored with a stand-in time, marked, and every view still reads', async () => {
  const store = await open(freshDir());
  try {
    const conv = await store.ensureLiveConversation({ threadId: 't1', subject: '', direction: 'Incoming', participants: [], startedAt: 1_000 });
    await store.addMessages(conv.id, 't1', [msg(1e17, 'from the far future'), msg(2_000, 'ordinary'), msg(3_000, 'marked by the parser', { atEstimated: true })]);
    const page = await store.listMessages(conv.id, {});
    const byText = new Map(page.items.map((m) => [m.text, m]));
    assert.equal(byText.get('from the far future')!.atEstimated, true);
    assert.ok(!Number.isNaN(new Date(byText.get('from the far future')!.at).getTime()));
    assert.equal(byText.get('ordinary')!.atEstimated, false);
    assert.equal(byText.get('marked by the parser')!.atEstimated, true);
    for (const m of page.items) new Date(m.at).toISOString(); // what the CLI and the renderer do
    const list = await store.listConversations({});
    for (const c of list.items) new Date(c.lastActivityAt).toISOString();
    assert.equal((await store.search('future', {})).length, 1, 'it is found like any other');
  } finally {
    await store.close();
  }
});

test('migration 6 repairs rows an earlier version stored with such times', async () => {
  const dir = freshDir();
  const path = join(dir, databaseFileName(ACCOUNT));
  ensurePrivateFile(path);
  const db = openDatabase(path);
  db.pragma('foreign_keys = ON');
  migrate(db, { target: 5 });
  db.prepare(`INSERT INTO conversations (id, log_key, log_href, thread_id, subject, type, direction, status, created_at, last_activity_at,
                preview, participants, unread, missed, read_upto, transcripts_complete)
              VALUES (1, 'L1', '/logs/L1', 'th', 'Poisoned', 'MessageLog', 'Incoming', 'Archived', 5000, 99999999999999999, 'x', '[]', 0, 0, 0, 1)`).run();
  db.prepare(`INSERT INTO conversation_logs (log_key, conversation_id, log_href, created_at) VALUES ('L1', 1, '/logs/L1', -99999999999999999)`).run();
  const m = db.prepare(`INSERT INTO messages (conversation_id, author_sip, author_name, direction, at, text, origin, dedupe_key) VALUES (1, NULL, NULL, 'Incoming', ?, ?, 'transcript', ?)`);
  m.run(1e17, 'bad', 'k1'); // what /Date(99999999999999999)/ parsed to
  m.run(6000, 'good', 'k2');
  db.close();

  const store = await open(dir);
  try {
    const [conv] = (await store.listConversations({})).items;
    assert.ok(conv);
    assert.equal(conv.lastActivityAt, 6000, 'activity from the messages that have a time');
    const msgs = (await store.listMessages(conv.id, {})).items;
    const bad = msgs.find((x) => x.text === 'bad')!;
    assert.equal(bad.at, 5000, "the stand-in is the conversation's start");
    assert.equal(bad.atEstimated, true);
    assert.equal(msgs.find((x) => x.text === 'good')!.atEstimated, false);
    for (const x of msgs) new Date(x.at).toISOString();
  } finally {
    await store.close();
  }
});
