// SQLite-specific behaviour of the store: files and modes, migrations with data, crash safety
// (killed worker, killed process), damaged files, typed errors, query plans.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore, databaseFileName } from '../../main/core/store/sqliteStore.ts';
import type { SqliteStore } from '../../main/core/store/sqliteStore.ts';
import { openDatabase } from '../../main/core/store/sqlite.ts';
import { latestVersion, migrate } from '../../main/core/store/migrations.ts';
import { StoreError } from '../../main/core/store/types.ts';
import type { MessageInput, Person } from '../../main/core/store/types.ts';
import { logInput, msg } from '../unit/storeContract.ts';

const ACCOUNT = 'sip:Me@Contoso.com';
const me: Person = { sip: 'sip:me@contoso.com', name: 'Me' };
let root = '';
before(() => {
  root = mkdtempSync(join(tmpdir(), 'ucwa-store-it-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const freshDir = () => join(root, `d${++n}`, 'userData');
const open = (dataDir: string, extra: { log?: (l: string) => void; busyTimeoutMs?: number } = {}) =>
  createSqliteStore({ dataDir, account: ACCOUNT, checkpointIntervalMs: 0, ...extra });
const mode = (p: string) => statSync(p).mode & 0o777;

const walSize = (dbPath: string) => (existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0);

/** Wait until the WAL has grown by `bytes` (uncommitted pages of a big transaction spill there). */
async function waitForWalGrowth(dbPath: string, bytes: number, timeoutMs = 20_000): Promise<boolean> {
  const start = walSize(dbPath);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (walSize(dbPath) - start >= bytes) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

function bigPage(count: number, base: number): MessageInput[] {
  const out: MessageInput[] = [];
  for (let i = 0; i < count; i++) out.push(msg(base + i, `bulk message number ${i} about the quarterly budget and other things`));
  return out;
}

describe('SQLite store: files', () => {
  it('one database per account, created 0600 in a 0700 folder (WAL side files too)', async () => {
    const dir = freshDir();
    const store = await open(dir);
    try {
      assert.equal(store.path, join(dir, databaseFileName(ACCOUNT)));
      assert.match(databaseFileName(ACCOUNT), /^me@contoso\.com-[0-9a-f]{8}\.sqlite$/);
      assert.notEqual(databaseFileName('sip:a/b@x.com'), databaseFileName('sip:a_b@x.com'));
      assert.doesNotMatch(databaseFileName('sip:../../etc/passwd'), /\//);
      const { conversation } = await store.upsertLog(logInput({ logKey: 'k' }), 'fp');
      await store.putTranscriptPage(conversation.id, null, [msg(1, 'hello')], true);
      assert.equal(mode(dir), 0o700);
      for (const f of readdirSync(dir)) assert.equal(mode(join(dir, f)), 0o600, f);
      assert.ok(existsSync(`${store.path}-wal`));
    } finally {
      await store.close();
    }
    assert.equal(mode(store.path), 0o600);
  });

  it('the composition root can reopen it: data survives a close', async () => {
    const dir = freshDir();
    let store = await open(dir);
    const { conversation } = await store.upsertLog(logInput({ logKey: 'persist' }), 'fp');
    await store.putTranscriptPage(conversation.id, null, [msg(5, 'kept')], true);
    await store.close();
    store = await open(dir);
    try {
      assert.equal((await store.listMessages(conversation.id, {})).items[0]?.text, 'kept');
      assert.deepEqual(await store.quickCheck(), ['ok']);
    } finally {
      await store.close();
    }
    assert.ok(!existsSync(`${store.path}-wal`) || statSync(`${store.path}-wal`).size === 0, 'close checkpoints the WAL (TRUNCATE)');
  });
});

describe('SQLite store: migrations', () => {
  function seedV1(path: string) {
    const db = openDatabase(path);
    migrate(db, { target: 1 });
    db.prepare(`INSERT INTO conversations (id, log_key, thread_id, subject, type, direction, status, created_at, last_activity_at, participants, unread)
                VALUES (1, 'OLD1', 'th-old', 'Old times', 'MessageLog', 'Incoming', 'Archived', 1000, 2000, ?, 1)`)
      .run(JSON.stringify([{ sip: 'sip:bob@contoso.com', name: 'Bob' }]));
    db.prepare(`INSERT INTO messages (conversation_id, author_sip, author_name, direction, at, text, origin, dedupe_key)
                VALUES (1, 'sip:bob@contoso.com', 'Bob', 'Incoming', 2000, 'the zeppelin lands at noon', 'transcript', 'k-old')`).run();
    return db;
  }

  it('from version 1 with data: messages become searchable, participants become filterable', async () => {
    const dir = freshDir();
    const path = join(dir, databaseFileName(ACCOUNT));
    const { ensurePrivateFile } = await import('../../main/core/store/database.ts');
    ensurePrivateFile(path);
    seedV1(path).close();
    const lines: string[] = [];
    const store = await open(dir, { log: (l) => lines.push(l) });
    try {
      assert.ok(lines.some((l) => l.includes('version 2')) && lines.some((l) => l.includes('version 3')), lines.join('\n'));
      const hits = await store.search('zeppelin');
      assert.equal(hits.length, 1);
      assert.equal(hits[0]!.conversation.subject, 'Old times');
      assert.deepEqual((await store.listConversations({ contact: 'sip:bob@contoso.com' })).items.map((c) => c.id), [1]);
      assert.equal((await store.unreadSummary()).unreadConversations, 1);
      const { conversation } = await store.upsertLog(logInput({ logKey: 'OLD1', threadId: 'th-old' }), 'fp');
      assert.equal(conversation.id, 1);
    } finally {
      await store.close();
    }
    const db = openDatabase(path);
    assert.equal(db.pragma('user_version', { simple: true }), latestVersion);
    db.close();
  });

  it('from version 2 with data: the participant index is backfilled and kept in step', async () => {
    const dir = freshDir();
    const path = join(dir, databaseFileName(ACCOUNT));
    const { ensurePrivateFile } = await import('../../main/core/store/database.ts');
    ensurePrivateFile(path);
    const db = seedV1(path);
    migrate(db, { target: 2 });
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    db.prepare(`INSERT INTO conversations (id, log_key, subject, type, direction, status, created_at, last_activity_at, participants)
                VALUES (2, 'OLD2', 'Second', 'MessageLog', 'Outgoing', 'Missed', 3000, 3000, ?)`)
      .run(JSON.stringify([{ sip: 'sip:carol@contoso.com', name: 'Carol' }, { sip: 'sip:bob@contoso.com', name: 'Bob' }]));
    db.prepare(`INSERT INTO messages (conversation_id, direction, at, text, origin, dedupe_key) VALUES (2, 'Outgoing', 3000, 'airship follows', 'transcript', 'k2')`).run();
    db.close();
    const store = await open(dir);
    try {
      assert.deepEqual((await store.listConversations({ contact: 'sip:bob@contoso.com' })).items.map((c) => c.id), [2, 1]);
      assert.deepEqual((await store.listConversations({ contact: 'sip:carol@contoso.com' })).items.map((c) => c.id), [2]);
      assert.equal((await store.search('airship')).length, 1);
      // kept in step after the migration
      await store.upsertLog(logInput({ logKey: 'OLD2', participants: [{ sip: 'sip:dave@contoso.com', name: 'Dave' }] }), 'fp2');
      assert.deepEqual((await store.listConversations({ contact: 'sip:carol@contoso.com' })).items.map((c) => c.id), []);
      assert.deepEqual((await store.listConversations({ contact: 'sip:dave@contoso.com' })).items.map((c) => c.id), [2]);
    } finally {
      await store.close();
    }
  });

  it('a database from a newer app version is refused, not guessed at', async () => {
    const dir = freshDir();
    const path = join(dir, databaseFileName(ACCOUNT));
    const { ensurePrivateFile } = await import('../../main/core/store/database.ts');
    ensurePrivateFile(path);
    const db = openDatabase(path);
    migrate(db);
    db.pragma(`user_version = ${latestVersion + 1}`);
    db.close();
    await assert.rejects(open(dir), (e: unknown) => e instanceof StoreError && /newer/.test(e.message));
    assert.ok(existsSync(path), 'the file is left alone');
  });
});

describe('SQLite store: crash safety', () => {
  it('the outbox survives a restart: a message left "sending" is pending again', async () => {
    const dir = freshDir();
    let store: SqliteStore = await open(dir);
    const live = await store.ensureLiveConversation({ threadId: 'th-r', subject: 's', direction: 'Outgoing', participants: [], startedAt: 1 });
    const a = await store.enqueueOutbox({ conversationId: live.id, text: 'one', author: me });
    const b = await store.enqueueOutbox({ conversationId: live.id, text: 'two', author: me });
    await store.setOutboxState(a.clientId, 'sending');
    await store.close();
    store = await open(dir);
    try {
      const pending = await store.pendingOutbox();
      assert.deepEqual(pending.map((i) => [i.clientId, i.state, i.attempts]), [[a.clientId, 'sending', 1], [b.clientId, 'queued', 0]]);
      assert.equal((await store.setOutboxState(a.clientId, 'sending')).attempts, 2);
      await store.setOutboxState(a.clientId, 'sent', { sentAt: 50, threadId: 'th-r' });
      assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), [b.clientId]);
    } finally {
      await store.close();
    }
  });

  it('killing the worker in the middle of a big transaction loses nothing committed and shows nothing partial', async () => {
    const dir = freshDir();
    const lines: string[] = [];
    const store = await open(dir, { log: (l) => lines.push(l) });
    try {
      const live = await store.ensureLiveConversation({ threadId: 'th-k', subject: 's', direction: 'Outgoing', participants: [], startedAt: 1 });
      const item = await store.enqueueOutbox({ conversationId: live.id, text: 'committed before the crash', author: me });
      const { conversation } = await store.upsertLog(logInput({ logKey: 'big' }), 'fp');
      await store.putTranscriptPage(conversation.id, null, [msg(10, 'small committed page')], false);
      const worker = store.worker!;
      const big = store.putTranscriptPage(conversation.id, null, bigPage(150_000, 1_000), true);
      const outcome = big.then(() => 'completed', (e: unknown) => e);
      assert.ok(await waitForWalGrowth(store.path, 2_000_000), 'the big transaction is under way');
      await worker.terminate();
      const err = await outcome;
      assert.ok(err instanceof StoreError, `the big write must be interrupted, got ${String(err)}`);
      assert.ok(lines.some((l) => l.includes('worker stopped')));
      // the next request reopens the database
      assert.deepEqual(await store.quickCheck(), ['ok']);
      assert.notEqual(store.worker, worker);
      const msgs = await store.listMessages(conversation.id, { limit: 500 });
      assert.deepEqual(msgs.items.map((m) => m.text), ['small committed page'], 'no partial transaction visible');
      assert.equal((await store.getConversation(conversation.id))?.transcriptsComplete, false);
      assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), [item.clientId]);
      assert.equal((await store.search('quarterly budget')).length, 0, 'the FTS index has nothing of the lost page');
      assert.equal((await store.search('small committed')).length, 1);
    } finally {
      await store.close();
    }
  });

  it('killing the whole process mid-transaction (SIGKILL) leaves an intact database', async () => {
    const dir = freshDir();
    const storeUrl = new URL('../../main/core/store/sqliteStore.ts', import.meta.url).href;
    const code = `
      import { createSqliteStore } from ${JSON.stringify(storeUrl)};
      const store = await createSqliteStore({ dataDir: ${JSON.stringify(dir)}, account: ${JSON.stringify(ACCOUNT)}, checkpointIntervalMs: 0 });
      const c = await store.ensureLiveConversation({ threadId: 'th-p', subject: 's', direction: 'Incoming', participants: [], startedAt: 1 });
      await store.addMessage(c.id, 'th-p', { author: null, direction: 'Incoming', at: 2, text: 'durable line', origin: 'live' });
      const page = [];
      for (let i = 0; i < 150000; i++) page.push({ author: null, direction: 'Incoming', at: 100 + i, text: 'doomed ' + i, origin: 'transcript' });
      process.stdout.write('ready\\n');
      await store.putTranscriptPage(c.id, 'th-p', page, true);
      process.stdout.write('finished\\n');
    `;
    const script = join(root, `crash-${n}.mjs`);
    writeFileSync(script, code);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      });
      child.on('exit', () => resolve());
    });
    assert.ok(out.includes('ready'), 'the child process started');
    await waitForWalGrowth(join(dir, databaseFileName(ACCOUNT)), 2_000_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    assert.ok(!out.includes('finished'), 'the process must die mid-write');
    const store = await open(dir);
    try {
      assert.deepEqual(await store.quickCheck(), ['ok']);
      const c = await store.findConversationByThread('th-p');
      assert.ok(c);
      const page = await store.listMessages(c.id, { limit: 500 });
      assert.deepEqual(page.items.map((m) => m.text), ['durable line']);
      assert.equal((await store.search('doomed')).length, 0);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite store: damaged files', () => {
  it('a file that is not a database is moved aside (never deleted) and a fresh one is created', async () => {
    const dir = freshDir();
    const path = join(dir, databaseFileName(ACCOUNT));
    const { ensurePrivateFile } = await import('../../main/core/store/database.ts');
    ensurePrivateFile(path);
    writeFileSync(path, 'this is not a database, it is a shopping list: eggs, milk'.repeat(200));
    const lines: string[] = [];
    const store = await open(dir, { log: (l) => lines.push(l) });
    try {
      assert.ok(store.movedAside);
      assert.match(store.movedAside, /\.corrupt-/);
      assert.match(readFileText(store.movedAside), /shopping list/);
      assert.ok(lines.some((l) => l.includes('damaged') && l.includes(store.movedAside!)), lines.join('\n'));
      await store.upsertLog(logInput({ logKey: 'fresh' }), 'fp');
      assert.equal((await store.listConversations({})).items.length, 1);
    } finally {
      await store.close();
    }
  });

  it('a database with damaged pages is moved aside at open', async () => {
    const dir = freshDir();
    let store = await open(dir);
    const { conversation } = await store.upsertLog(logInput({ logKey: 'k' }), 'fp');
    await store.putTranscriptPage(conversation.id, null, bigPage(3000, 0), true);
    const path = store.path;
    await store.close();
    // scribble over pages in the middle of the file (not the header)
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    const junk = Buffer.alloc(4096 * 4, 0xa5);
    writeSync(fd, junk, 0, junk.length, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const lines: string[] = [];
    store = await open(dir, { log: (l) => lines.push(l) });
    try {
      assert.ok(store.movedAside, lines.join('\n'));
      assert.ok(existsSync(store.movedAside));
      assert.deepEqual(await store.quickCheck(), ['ok']);
      assert.equal((await store.listConversations({})).items.length, 0, 'fresh database: the service re-syncs');
    } finally {
      await store.close();
    }
  });
});

function readFileText(p: string): string {
  return spawnSync('cat', [p]).stdout.toString();
}

describe('SQLite store: typed errors', () => {
  it("a write blocked by another connection's lock fails as 'busy', then works once the lock is gone", async () => {
    const dir = freshDir();
    const store = await open(dir, { busyTimeoutMs: 50 });
    const other = openDatabase(store.path);
    try {
      other.exec('BEGIN EXCLUSIVE');
      await assert.rejects(store.upsertLog(logInput({ logKey: 'b' }), 'fp'), (e: unknown) => e instanceof StoreError && e.kind === 'busy');
      other.exec('COMMIT');
      await store.upsertLog(logInput({ logKey: 'b' }), 'fp');
    } finally {
      other.close();
      await store.close();
    }
  });

  it("a database the user cannot write fails to open as 'readonly'", async (t) => {
    const dir = freshDir();
    let store = await open(dir);
    const path = store.path;
    await store.close();
    const root = process.getuid?.() === 0;
    if (root) {
      // root writes through file modes: make the file immutable instead
      const r = spawnSync('chattr', ['+i', path]);
      if (r.status !== 0) return t.skip('chattr +i is not available here');
    } else {
      spawnSync('chmod', ['0400', path]);
      spawnSync('chmod', ['0500', dir]);
    }
    try {
      await assert.rejects(open(dir).then((s) => (store = s)), (e: unknown) => e instanceof StoreError && e.kind === 'readonly');
    } finally {
      if (root) spawnSync('chattr', ['-i', path]);
      else {
        spawnSync('chmod', ['0700', dir]);
        spawnSync('chmod', ['0600', path]);
      }
    }
  });

  it('a cursor the store did not issue is a typed error', async () => {
    const store = await open(freshDir());
    try {
      await assert.rejects(store.listConversations({ cursor: 'garbage!' }), StoreError);
      await assert.rejects(store.listMessages(1, { cursor: Buffer.from('{"x":1}').toString('base64url') }), StoreError);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite store: query plans', () => {
  it('pages are index walks (no sort) and search uses FTS5', async () => {
    const store = await open(freshDir());
    const path = store.path;
    await store.upsertLog(logInput({ logKey: 'q' }), 'fp');
    await store.close();
    const db = openDatabase(path, { readonly: true });
    try {
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, 2, 3, 4) as { detail: string }[]).map((r) => r.detail).join(' | ');
      const list = plan('SELECT c.* FROM conversations c WHERE (c.last_activity_at < ? OR (c.last_activity_at = ? AND c.id < ?)) ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?');
      assert.doesNotMatch(list, /TEMP B-TREE/, list);
      const msgs = plan('SELECT * FROM messages WHERE conversation_id = ? AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT 5');
      assert.match(msgs, /messages_conversation_at/, msgs);
      assert.doesNotMatch(msgs, /TEMP B-TREE/, msgs);
    } finally {
      db.close();
    }
  });
});
