// SQLite-specific behaviour of the store: files and modes, migrations with data, crash safety
// (killed worker, killed process), damaged files, typed errors, query plans.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir, uptime } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createSqliteStore, databaseFileName } from '../../main/core/store/sqliteStore.ts';
import type { SqliteStore } from '../../main/core/store/sqliteStore.ts';
import { openDatabase } from '../../main/core/store/sqlite.ts';
import { latestVersion, migrate } from '../../main/core/store/migrations.ts';
import { StoreError } from '../../main/core/store/types.ts';
import type { MessageInput, Person, StoreChange } from '../../main/core/store/types.ts';
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
const open = (dataDir: string, extra: { log?: (l: string) => void; busyTimeoutMs?: number; fullCheckMaxAgeMs?: number; backgroundCheckIdleMs?: number } = {}) =>
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
      await store.putTranscriptPage(conversation.id, null, [msg(1, 'hello')], true, null);
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
    await store.putTranscriptPage(conversation.id, null, [msg(5, 'kept')], true, null);
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
      assert.equal((await store.unreadSummary()).unreadChats, 1);
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

  it('from version 4 with data (migration 5): sent becomes delivered, logs move to their own table, split threads become one conversation', async () => {
    const dir = freshDir();
    const path = join(dir, databaseFileName(ACCOUNT));
    const { ensurePrivateFile } = await import('../../main/core/store/database.ts');
    ensurePrivateFile(path);
    const db = openDatabase(path);
    db.pragma('foreign_keys = ON');
    migrate(db, { target: 4 });
    const bob = JSON.stringify([{ sip: 'sip:bob@contoso.com', name: 'Bob' }]);
    const conv = db.prepare(`INSERT INTO conversations (id, log_key, log_href, thread_id, subject, type, direction, status, created_at, last_activity_at,
                               preview, participants, unread, missed, read_upto, fingerprint, transcripts_complete)
                             VALUES (?, ?, ?, ?, ?, 'MessageLog', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`);
    // One thread split in three by the old version: its first log, its continuation's log, and a live conversation.
    conv.run(1, 'A1', '/logs/A1', 'th-split', 'Budget', 'Incoming', 'Archived', 1000, 2000, 'my reply', bob, 0, 0, 'fa', 1);
    conv.run(2, 'A2', '/logs/A2', 'th-split', 'Budget, continued', 'Outgoing', 'Missed', 5000, 6000, 'second part', bob, 1, 1, 'fb', 0);
    conv.run(3, null, null, 'th-split', 'Budget', 'Outgoing', 'Live', 7000, 9000, 'queued two', '[]', 0, 0, null, 0);
    conv.run(4, 'B1', '/logs/B1', 'th-other', 'Other', 'Incoming', 'Archived', 3000, 3000, '', bob, 0, 0, 'fo', 1);
    const message = db.prepare(`INSERT INTO messages (id, conversation_id, author_sip, author_name, direction, at, text, origin, dedupe_key, client_id, delivery, delivery_error)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    message.run(1, 1, 'sip:bob@contoso.com', 'Bob', 'Incoming', 1500, 'first part', 'transcript', 'k1', null, null, null);
    message.run(2, 1, 'sip:me@contoso.com', 'Me', 'Outgoing', 1800, 'my reply', 'outbox', 'k2', 'c-sent', 'sent', null);
    message.run(3, 2, 'sip:bob@contoso.com', 'Bob', 'Incoming', 6000, 'second part', 'transcript', 'k3', null, null, null);
    message.run(4, 3, 'sip:me@contoso.com', 'Me', 'Outgoing', 8000, 'refused', 'outbox', null, 'c-failed', 'failed', 'declined');
    message.run(5, 3, 'sip:me@contoso.com', 'Me', 'Outgoing', 9000, 'queued one', 'outbox', null, 'c-q1', 'queued', null);
    message.run(6, 3, 'sip:me@contoso.com', 'Me', 'Outgoing', 9000, 'queued two', 'outbox', null, 'c-q2', 'queued', null);
    const outbox = db.prepare(`INSERT INTO outbox (client_id, conversation_id, message_id, text, state, attempts, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    outbox.run('c-sent', 1, 2, 'my reply', 'sent', 1, null, 1700);
    outbox.run('c-failed', 3, 4, 'refused', 'failed', 1, 'declined', 8000);
    outbox.run('c-q1', 3, 5, 'queued one', 'queued', 0, null, 9000);
    outbox.run('c-q2', 3, 6, 'queued two', 'queued', 0, null, 9000); // the same millisecond
    db.close();

    const lines: string[] = [];
    const store = await open(dir, { log: (l) => lines.push(l) });
    try {
      assert.ok(lines.some((l) => l.includes('version 5')), lines.join('\n'));
      const list = await store.listConversations({});
      assert.deepEqual(list.items.map((c) => c.id), [3, 4], 'the split thread is one conversation: the most recently active kept its id');
      const merged = list.items[0]!;
      assert.equal(merged.logKey, 'A2', "the newest log's links continue it");
      assert.equal(merged.logHref, '/logs/A2');
      assert.equal(merged.subject, 'Budget, continued');
      assert.equal(merged.status, 'Missed');
      assert.equal(merged.missed, true);
      assert.equal(merged.unread, true);
      assert.equal(merged.createdAt, 1000);
      assert.equal(merged.lastActivityAt, 9000);
      assert.equal(merged.transcriptsComplete, false, 'A2 still has transcripts to fetch');
      assert.deepEqual(merged.participants, [{ sip: 'sip:bob@contoso.com', name: 'Bob' }]);
      assert.equal(await store.getConversation(1), null);
      assert.equal(await store.getConversation(2), null);
      const msgs = await store.listMessages(3, { limit: 100 });
      assert.deepEqual(msgs.items.map((m) => m.id), [6, 5, 4, 3, 2, 1]);
      assert.equal(msgs.items.find((m) => m.id === 2)?.delivery, 'delivered');
      assert.equal(msgs.items.find((m) => m.id === 4)?.delivery, 'failed');
      assert.equal(msgs.items.find((m) => m.id === 4)?.deliveryError, 'declined');
      assert.deepEqual((await store.listConversations({ contact: 'sip:bob@contoso.com' })).items.map((c) => c.id), [3, 4]);
      assert.deepEqual((await store.search('second')).map((h) => h.conversationId), [3]);

      const sent = await store.outboxItem('c-sent');
      assert.deepEqual(sent && [sent.state, sent.conversationId, sent.messageId, sent.operationId, sent.location, sent.maybeDuplicate], ['delivered', 3, 2, null, null, false]);
      assert.equal((await store.outboxItem('c-failed'))?.lastError, 'declined');
      assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), ['c-q1', 'c-q2']);
      await assert.rejects(store.discardOutbox('c-sent'), StoreError);

      const cps = new Map((await store.checkpoints(['A1', 'A2', 'B1'])).map((c) => [c.logKey, c]));
      assert.deepEqual(cps.get('A1'), { logKey: 'A1', fingerprint: 'fa', transcriptsComplete: true });
      assert.deepEqual(cps.get('A2'), { logKey: 'A2', fingerprint: 'fb', transcriptsComplete: false });
      assert.deepEqual(cps.get('B1'), { logKey: 'B1', fingerprint: 'fo', transcriptsComplete: true });
      const again = await store.upsertLog(logInput({ logKey: 'A1', threadId: 'th-split', createdAt: 1000 }), 'fa');
      assert.equal(again.conversation.id, 3);
      assert.equal(again.needsTranscripts, false);
      assert.equal((await store.upsertLog(logInput({ logKey: 'A3', threadId: 'th-split', createdAt: 20_000 }), 'fc')).conversation.id, 3);
      assert.deepEqual(await store.quickCheck(), ['ok']);
    } finally {
      await store.close();
    }
    const check = openDatabase(path);
    try {
      assert.equal(check.pragma('user_version', { simple: true }), latestVersion);
      assert.deepEqual(check.pragma('foreign_key_check'), []);
      const cols = (check.pragma('table_info(conversations)') as { name: string }[]).map((c) => c.name);
      assert.ok(!cols.includes('fingerprint'), 'the fingerprint is per log now');
    } finally {
      check.close();
    }
  });

  it('pending outbox order is the outbox sequence, not the clock (the system clock set back between two messages)', async () => {
    const dir = freshDir();
    let store = await open(dir);
    const live = await store.ensureLiveConversation({ threadId: 'th-clock', subject: 's', direction: 'Outgoing', participants: [], startedAt: 1 });
    const a = await store.enqueueOutbox({ conversationId: live.id, text: 'written first', author: me });
    const b = await store.enqueueOutbox({ conversationId: live.id, text: 'written second', author: me });
    const path = store.path;
    await store.close();
    const db = openDatabase(path);
    db.prepare('UPDATE outbox SET created_at = created_at - 3600000 WHERE client_id = ?').run(b.clientId);
    db.close();
    store = await open(dir);
    try {
      assert.deepEqual((await store.pendingOutbox()).map((i) => i.clientId), [a.clientId, b.clientId]);
      assert.deepEqual((await store.pendingOutbox(live.id)).map((i) => i.clientId), [a.clientId, b.clientId]);
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
      await store.setOutboxState(a.clientId, 'delivered', { sentAt: 50, threadId: 'th-r' });
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
      await store.putTranscriptPage(conversation.id, null, [msg(10, 'small committed page')], false, null);
      const worker = store.worker!;
      const big = store.putTranscriptPage(conversation.id, null, bigPage(150_000, 1_000), true, null);
      const outcome = big.then(() => 'completed', (e: unknown) => e);
      assert.ok(await waitForWalGrowth(store.path, 2_000_000), 'the big transaction is under way');
      await worker.terminate();
      const err = await outcome;
      assert.ok(err instanceof StoreError, `the big write must be interrupted, got ${String(err)}`);
      assert.ok(lines.some((l) => l.includes('worker stopped')));
      // the next request reopens the database, checking it fully first (the worker died mid-write)
      assert.deepEqual(await store.quickCheck(), ['ok']);
      assert.equal(store.lastOpen?.check, 'full');
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
      await store.putTranscriptPage(c.id, 'th-p', page, true, null);
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
    const dbPath = join(dir, databaseFileName(ACCOUNT));
    assert.ok(existsSync(`${dbPath}.open-${child.pid}`), 'the killed session left its marker');
    const store = await open(dir);
    try {
      assert.deepEqual(store.lastOpen && [store.lastOpen.check, store.lastOpen.reason], ['full', 'unclean'], 'checked before serving');
      assert.ok(!existsSync(`${dbPath}.open-${child.pid}`));
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

/** A closed (cleanly) database of 3000 messages with junk written over pages in the middle. */
async function damagedDatabase(dir: string): Promise<string> {
  const store = await open(dir);
  const { conversation } = await store.upsertLog(logInput({ logKey: 'k' }), 'fp');
  await store.putTranscriptPage(conversation.id, null, bigPage(3000, 0), true, null);
  const path = store.path;
  await store.close();
  // scribble over pages in the middle of the file (not the header)
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  const junk = Buffer.alloc(4096 * 4, 0xa5);
  writeSync(fd, junk, 0, junk.length, Math.floor(size / 2 / 4096) * 4096);
  closeSync(fd);
  return path;
}

const markers = (path: string) => readdirSync(dirname(path)).filter((f) => f.startsWith(`${basename(path)}.open-`));

/** Poll (less often than the idle time the background check waits for: a request is activity). */
async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('SQLite store: integrity checks', () => {
  it('a clean reopen skips the full check (header and schema only); the session marker exists only while open', async () => {
    const dir = freshDir();
    let store = await open(dir);
    assert.deepEqual(store.lastOpen && [store.lastOpen.check, store.lastOpen.reason, store.lastOpen.backgroundDue], ['cheap', 'new', false]);
    assert.deepEqual(markers(store.path), [`${basename(store.path)}.open-${process.pid}`]);
    const { conversation } = await store.upsertLog(logInput({ logKey: 'c' }), 'fp');
    await store.putTranscriptPage(conversation.id, null, [msg(1, 'kept')], true, null);
    await store.close();
    assert.deepEqual(markers(store.path), [], 'a clean close removes the marker');
    store = await open(dir);
    try {
      assert.deepEqual(store.lastOpen && [store.lastOpen.check, store.lastOpen.reason], ['cheap', 'clean']);
      const st = await store.integrity();
      assert.equal(st.background, 'none', 'the last full check is recent: no background check');
      assert.ok(st.lastFullCheckAt != null && Date.now() - st.lastFullCheckAt < 60_000);
      assert.equal((await store.listMessages(conversation.id, {})).items[0]?.text, 'kept');
    } finally {
      await store.close();
    }
  });

  it('a marker of a live process (another session on the same file) is not an unclean shutdown', async () => {
    const dir = freshDir();
    let store = await open(dir);
    const path = store.path;
    await store.close();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const bootNow = Date.now() - Math.round(uptime() * 1000);
      writeFileSync(`${path}.open-${other.pid}`, JSON.stringify({ pid: other.pid, boot: bootNow }), { mode: 0o600 });
      store = await open(dir);
      assert.equal(store.lastOpen?.check, 'cheap');
      await store.close();
      assert.ok(existsSync(`${path}.open-${other.pid}`), "another session's marker is left alone");
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('the periodic full check runs in the background once the worker is idle, and records its time', async () => {
    const dir = freshDir();
    let store = await open(dir);
    await store.upsertLog(logInput({ logKey: 'p' }), 'fp');
    await store.close();
    store = await open(dir, { fullCheckMaxAgeMs: 0, backgroundCheckIdleMs: 50 });
    try {
      assert.equal(store.lastOpen?.check, 'cheap', 'a due check does not block the open');
      assert.equal(store.lastOpen?.backgroundDue, true);
      const before = store.lastOpen!.lastFullCheckAt!;
      const st = await until(() => store.integrity(), (v) => v.background === 'passed');
      assert.equal(st.background, 'passed');
      assert.ok(st.lastFullCheckAt! >= before);
      assert.equal((await store.listConversations({})).items.length, 1);
    } finally {
      await store.close();
    }
  });

  it('damage found by the background check: moved aside, fresh database, a reset change', async () => {
    const dir = freshDir();
    const path = await damagedDatabase(dir);
    const lines: string[] = [];
    const store = await open(dir, { fullCheckMaxAgeMs: 0, backgroundCheckIdleMs: 20, log: (l) => lines.push(l) });
    const resets: StoreChange[] = [];
    store.onChange((c) => {
      if (c.kind === 'reset') resets.push(c);
    });
    try {
      assert.equal(store.lastOpen?.check, 'cheap');
      const st = await until(() => store.integrity(), (v) => v.resets > 0);
      assert.equal(st.resets, 1, lines.join('\n'));
      assert.equal(resets.length, 1);
      assert.ok(store.movedAside && existsSync(store.movedAside));
      assert.ok(lines.some((l) => l.includes('damaged') && l.includes(store.movedAside!)), lines.join('\n'));
      assert.equal((await store.listConversations({})).items.length, 0, 'fresh database: the service re-syncs');
      assert.deepEqual(await store.quickCheck(), ['ok']);
      assert.ok(existsSync(path));
    } finally {
      await store.close();
    }
  });

  it('SQLITE_CORRUPT while in use: the file is moved aside, a fresh database serves, a reset change is emitted', async () => {
    const dir = freshDir();
    await damagedDatabase(dir);
    const lines: string[] = [];
    const store = await open(dir, { log: (l) => lines.push(l) });
    const changes: StoreChange[] = [];
    store.onChange((c) => changes.push(c));
    try {
      assert.deepEqual(store.lastOpen && [store.lastOpen.check, store.lastOpen.reason], ['cheap', 'clean'], 'a clean open does not read the pages');
      assert.equal(store.movedAside, null);
      // read everything until a query reaches the damaged pages
      let failure: unknown = null;
      try {
        const id = (await store.listConversations({})).items[0]!.id;
        let cursor: string | null = null;
        do {
          const page = await store.listMessages(id, { cursor, limit: 500 });
          cursor = page.next;
        } while (cursor);
        for (const q of ['bulk', 'quarterly budget', 'things', 'number']) await store.search(q, { limit: 500 });
        await store.quickCheck();
      } catch (err) {
        failure = err;
      }
      assert.ok(failure instanceof StoreError && failure.kind === 'corrupt', `expected a corrupt error, got ${String(failure)}`);
      const reset = changes.find((c) => c.kind === 'reset');
      assert.ok(reset && reset.kind === 'reset' && reset.reason.length > 0);
      assert.ok(store.movedAside && existsSync(store.movedAside));
      assert.ok(lines.some((l) => l.includes('damaged') && l.includes(store.movedAside!)), lines.join('\n'));
      assert.equal((await store.integrity()).resets, 1);
      assert.equal((await store.listConversations({})).items.length, 0);
      await store.upsertLog(logInput({ logKey: 'again' }), 'fp');
      assert.equal((await store.listConversations({})).items.length, 1);
      assert.deepEqual(await store.quickCheck(), ['ok']);
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

  it('after an unclean shutdown, a database with damaged pages is moved aside at open', async () => {
    const dir = freshDir();
    const path = await damagedDatabase(dir);
    // the session before did not close cleanly: its marker is still there (a previous boot's)
    writeFileSync(`${path}.open-4242`, JSON.stringify({ pid: 4242, boot: 0 }), { mode: 0o600 });
    const lines: string[] = [];
    const store = await open(dir, { log: (l) => lines.push(l) });
    try {
      assert.ok(store.movedAside, lines.join('\n'));
      assert.deepEqual(markers(path), [`${basename(path)}.open-${process.pid}`], 'the stale marker is gone');
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

describe('SQLite store: search ranking', () => {
  it('the best-matching message comes first, however old; rarer words weigh more', async () => {
    const store = await open(freshDir());
    try {
      const { conversation } = await store.upsertLog(logInput({ logKey: 'rank', threadId: 'th-rank' }), 'fp');
      const base = 1_700_000_000_000;
      const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor';
      const page: MessageInput[] = [
        msg(base, 'budget budget: the quarterly budget'), // the oldest, and the obvious best match
        msg(base + 1, 'alpha omega omega omega'),
        msg(base + 2, 'alpha alpha alpha omega'),
      ];
      for (let i = 0; i < 40; i++) page.push(msg(base + 10 + i, `${filler} budget ${i} quarterly ${filler}`));
      for (let i = 0; i < 40; i++) page.push(msg(base + 100 + i, `alpha ${filler} ${i}`)); // alpha is common, omega rare
      await store.putTranscriptPage(conversation.id, 'th-rank', page, true, null);
      const budget = await store.search('budget');
      assert.equal(budget.length, 20);
      assert.equal(budget[0]!.at, base, 'a short text saying it three times beats forty long ones saying it once');
      assert.match(budget[0]!.snippet, /\uE000budget\uE001/);
      assert.equal((await store.search('quarterly budget'))[0]!.at, base);
      assert.equal((await store.search('quarterly budg'))[0]!.at, base, 'the last word a prefix');
      assert.equal((await store.search('budget', { conversationId: conversation.id }))[0]!.at, base);
      const ao = await store.search('alpha omega');
      assert.deepEqual(ao.map((h) => h.at), [base + 1, base + 2], 'three times the rare word beats three times the common one');
    } finally {
      await store.close();
    }
  });

  it('a new word is found by prefix at once (the prefix expansions the worker keeps follow the index)', async () => {
    const store = await open(freshDir());
    try {
      const { conversation } = await store.upsertLog(logInput({ logKey: 'pfx', threadId: 'th-pfx' }), 'fp');
      await store.putTranscriptPage(conversation.id, 'th-pfx', [msg(1_700_000_000_000, 'a zeppelin over the city')], true, null);
      assert.equal((await store.search('zepp')).length, 1);
      assert.equal((await store.search('zeppelins')).length, 0);
      await store.addMessage(conversation.id, 'th-pfx', msg(1_700_000_001_000, 'two zeppelins now', { origin: 'live' }));
      assert.equal((await store.search('zepp')).length, 2, 'the new term is part of the expansion');
      assert.equal((await store.search('zeppelins')).length, 1);
      await store.addMessage(conversation.id, 'th-pfx', msg(1_700_000_002_000, 'zeppelinmania', { origin: 'live' }));
      assert.equal((await store.search('zeppelin')).length, 3);
      assert.equal((await store.search('city zepp')).length, 1);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite store: query plans', () => {
  it('pages, the pending outbox and a conversation\'s newest log are index walks (no sort)', async () => {
    const store = await open(freshDir());
    const path = store.path;
    await store.upsertLog(logInput({ logKey: 'q' }), 'fp');
    await store.close();
    const db = openDatabase(path, { readonly: true });
    try {
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...[1, 2, 3, 4].slice(0, sql.split('?').length - 1)) as { detail: string }[]).map((r) => r.detail).join(' | ');
      const list = plan('SELECT c.* FROM conversations c WHERE (c.last_activity_at < ? OR (c.last_activity_at = ? AND c.id < ?)) ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?');
      assert.doesNotMatch(list, /TEMP B-TREE/, list);
      const msgs = plan('SELECT * FROM messages WHERE conversation_id = ? AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT 5');
      assert.match(msgs, /messages_conversation_at/, msgs);
      assert.doesNotMatch(msgs, /TEMP B-TREE/, msgs);
      const pending = plan(`SELECT * FROM outbox WHERE state IN ('queued', 'sending', 'accepted', 'uncertain') ORDER BY seq`);
      assert.match(pending, /outbox_pending/, pending);
      assert.doesNotMatch(pending, /TEMP B-TREE/, pending);
      const newest = plan('SELECT * FROM conversation_logs WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 1');
      assert.match(newest, /conversation_logs_conversation/, newest);
      assert.doesNotMatch(newest, /TEMP B-TREE/, newest);
    } finally {
      db.close();
    }
  });
});
