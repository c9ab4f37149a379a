// Store benchmarks (DESIGN.md §9): ingest through the Store vs a bare better-sqlite3 loop (the
// floor), then reads and search on a large history, and how long the calling thread's event loop
// is ever blocked meanwhile (the store's SQL runs in its worker). `npm run bench` collects these.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createSqliteStore, databaseFileName } from '../main/core/store/sqliteStore.ts';
import { ensurePrivateFile, recordFullCheck } from '../main/core/store/database.ts';
import { migrate } from '../main/core/store/migrations.ts';
import { openDatabase } from '../main/core/store/sqlite.ts';
import type { LogInput, MessageInput, Person } from '../main/core/store/types.ts';
import { benchSearchQuality } from './searchQuality.ts';

export interface Figure {
  value: number;
  unit: string;
  floor?: number;
  target?: string;
}

const ACCOUNT = 'sip:bench@contoso.com';

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Message texts: a Zipf-ish vocabulary, plus known words with known frequencies. */
function textMaker(seed: number) {
  const rand = rng(seed);
  const syll = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'fo', 'gu', 'pe', 'zi', 'an', 'or', 'el', 'ur'];
  const vocab: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let j = 0; j < n; j++) w += syll[Math.floor(rand() * syll.length)];
    vocab.push(w);
  }
  return (i: number): string => {
    const words: string[] = [];
    const len = 6 + Math.floor(rand() * 14);
    for (let k = 0; k < len; k++) {
      // Zipf-like: small indexes are far more frequent
      words.push(vocab[Math.floor(vocab.length * Math.pow(rand(), 3))]!);
    }
    if (rand() < 0.2) words.splice(Math.floor(rand() * words.length), 0, 'meeting');
    if (rand() < 0.01) words.push('quarterly');
    if (rand() < 0.01) words.push('https://intranet.contoso.com/Quarter-Review');
    if (i % 100_000 === 7) words.push('zeppelin');
    return words.join(' ');
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeMany(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

function people(i: number): Person[] {
  return [{ sip: `sip:user${i % 300}@contoso.com`, name: `User ${i % 300}` }, { sip: 'sip:bench@contoso.com', name: 'Bench' }];
}

function logFor(c: number, createdAt: number): LogInput {
  return {
    logKey: `LOG${c}`, href: `/ucwa/oauth/v1/applications/1/communication/conversationLogs/LOG${c}`, threadId: `thread-${c}`,
    subject: `Conversation ${c}`, type: 'MessageLog', direction: c % 2 ? 'Incoming' : 'Outgoing', status: c % 17 === 0 ? 'Missed' : 'Archived',
    importance: 'Normal', createdAt, preview: '', participants: people(c), unread: c % 5 === 0,
  };
}

/**
 * A history of `messages` messages (50 per conversation) written straight into `path`, the newest
 * conversation first as the sync stores them: message ids run against time (what search must cope with).
 */
export function buildHistory(path: string, messages: number, seed = 2): number {
  const make = textMaker(seed);
  const texts = Array.from({ length: messages }, (_, k) => make(k));
  return bareInsert(path, messages / 50, 50, texts, true);
}

/** The floor: the same schema (FTS triggers included), one transaction, prepared INSERTs (a
 * conversation, its log, its messages), texts generated beforehand and a trivial unique key (no
 * hashing). */
function bareInsert(path: string, conversations: number, perConversation: number, texts: string[], newestFirst = false): number {
  const db = openDatabase(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  const t0 = performance.now();
  const conv = db.prepare(`INSERT INTO conversations (id, log_key, thread_id, subject, type, direction, status, created_at, last_activity_at, participants)
    VALUES (?, ?, ?, ?, 'MessageLog', 'Incoming', 'Archived', ?, ?, ?)`);
  const log = db.prepare(`INSERT INTO conversation_logs (log_key, conversation_id, log_href, created_at, fingerprint, transcripts_complete)
    VALUES (?, ?, ?, ?, 'fp', 1)`);
  // The chat named in the INSERT, as the backend does (else the safety-net trigger re-writes each row).
  const ins = db.prepare(`INSERT INTO messages (conversation_id, chat_id, author_sip, author_name, direction, at, text, origin, dedupe_key)
    VALUES (?, (SELECT chat_id FROM conversations WHERE id = ?), ?, ?, 'Incoming', ?, ?, 'transcript', ?)`);
  db.transaction(() => {
    let i = 0;
    for (let n = 1; n <= conversations; n++) {
      const c = newestFirst ? conversations + 1 - n : n;
      const at0 = 1_600_000_000_000 + c * 3_600_000;
      conv.run(c, `LOG${c}`, `thread-${c}`, `Conversation ${c}`, at0, at0, JSON.stringify(people(c)));
      log.run(`LOG${c}`, c, `/ucwa/oauth/v1/applications/1/communication/conversationLogs/LOG${c}`, at0);
      for (let k = 0; k < perConversation; k++, i++) {
        ins.run(c, c, `sip:user${c % 300}@contoso.com`, 'User', at0 + k * 1000, texts[i % texts.length]!, `k${i}`);
      }
    }
  }).immediate();
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

export async function benchStore(opts: { quick?: boolean } = {}): Promise<Record<string, Figure>> {
  const quick = opts.quick === true;
  const out: Record<string, Figure> = {};
  const root = mkdtempSync(join(tmpdir(), 'ucwa-bench-store-'));
  const loop = monitorEventLoopDelay({ resolution: 1 });
  try {
    // What this machine does to an idle event loop (other processes, scheduler): read the
    // event-loop figures below against it.
    loop.enable();
    await new Promise((r) => setTimeout(r, quick ? 500 : 2000));
    loop.disable();
    out['store.eventLoopDelayIdleBaseline'] = { value: round(loop.max / 1e6), unit: 'ms' };

    // --- ingest ------------------------------------------------------------------------------------
    const conversations = quick ? 200 : 2_000;
    const perConversation = 50;
    const total = conversations * perConversation;
    const make = textMaker(1);
    const texts = Array.from({ length: total }, (_, k) => make(k));
    const floorMs = bareInsert(join(root, 'floor.sqlite'), conversations, perConversation, texts);

    const store = await createSqliteStore({ dataDir: join(root, 'ingest'), account: ACCOUNT, checkpointIntervalMs: 0 });
    const author = (c: number): Person => ({ sip: `sip:user${c % 300}@contoso.com`, name: 'User' });
    loop.reset();
    loop.enable();
    const t0 = performance.now();
    // Like the service's sync: one log, then its transcript page, several logs in flight.
    const inFlight = new Set<Promise<unknown>>();
    let i = 0;
    for (let c = 1; c <= conversations; c++) {
      const at0 = 1_600_000_000_000 + c * 3_600_000;
      const page: MessageInput[] = [];
      for (let k = 0; k < perConversation; k++, i++) page.push({ author: author(c), direction: 'Incoming', at: at0 + k * 1000, text: texts[i]!, origin: 'transcript' });
      const p = store.upsertLog(logFor(c, at0), 'fp').then(({ conversation }) => store.putTranscriptPage(conversation.id, `thread-${c}`, page, true, `LOG${c}`));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 8) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const ingestMs = performance.now() - t0;
    loop.disable();
    const ingestLoopMax = loop.max / 1e6;
    const ingestLoopP99 = loop.percentile(99) / 1e6;
    await store.close();
    out[`store.ingest.${total / 1000}k.ms`] = { value: round(ingestMs, 0), unit: 'ms', floor: round(floorMs, 0), target: '<= 3x floor' };
    out['store.ingest.ratioToFloor'] = { value: round(ingestMs / floorMs), unit: 'x', target: '<= 3' };
    out['store.ingest.messagesPerSecond'] = { value: round(total / (ingestMs / 1000), 0), unit: 'msg/s', floor: round(total / (floorMs / 1000), 0) };
    out['store.ingest.eventLoopDelayMax'] = { value: round(ingestLoopMax), unit: 'ms', target: '< 20' };
    out['store.ingest.eventLoopDelayP99'] = { value: round(ingestLoopP99), unit: 'ms' };

    // --- a large history, built with direct SQL ------------------------------------------------------
    const big = quick ? 50_000 : 1_000_000;
    const bigConversations = big / 50;
    const dataDir = join(root, 'big');
    const path = join(dataDir, databaseFileName(ACCOUNT));
    ensurePrivateFile(path);
    const buildMs = buildHistory(path, big);
    {
      const db = openDatabase(path);
      db.exec('UPDATE conversations SET last_activity_at = created_at + 49000, unread = (id % 5 = 0)');
      recordFullCheck(db); // steady state: checked within the last 7 days, closed cleanly
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    }
    out[`store.build.${big / 1000}k.ms`] = { value: round(buildMs, 0), unit: 'ms' };

    const tOpen = performance.now();
    const bigStore = await createSqliteStore({ dataDir, account: ACCOUNT, checkpointIntervalMs: 0 });
    out[`store.open.${big / 1000}k.ms`] = { value: round(performance.now() - tOpen, 0), unit: 'ms', target: '< 200 (clean open)' };
    if (bigStore.lastOpen?.check !== 'cheap') throw new Error(`bench: expected a clean open, got ${JSON.stringify(bigStore.lastOpen)}`);
    try {
      const n = quick ? 100 : 300;
      await bigStore.listConversations({ limit: 50 }); // warm
      const list = await timeMany(n, () => bigStore.listConversations({ limit: 50 }));
      out['store.listConversations.firstPage.p50'] = { value: round(list.p50, 3), unit: 'ms' };
      out['store.listConversations.firstPage.p99'] = { value: round(list.p99, 3), unit: 'ms', target: '< 5' };
      const r = rng(3);
      const page = await timeMany(n, () => bigStore.listMessages(1 + Math.floor(r() * bigConversations), { limit: 50 }));
      out['store.listMessages.firstPage.p50'] = { value: round(page.p50, 3), unit: 'ms' };
      out['store.listMessages.firstPage.p99'] = { value: round(page.p99, 3), unit: 'ms', target: '< 5' };
      // Chats (issue 12 item 5): the list's rows and one transcript across a person's conversations.
      const chats = await timeMany(n, () => bigStore.listChats({ limit: 60 }));
      out['store.listChats.firstPage.p50'] = { value: round(chats.p50, 3), unit: 'ms' };
      out['store.listChats.firstPage.p99'] = { value: round(chats.p99, 3), unit: 'ms', target: '< 5' };
      const chatIds = (await bigStore.listChats({ limit: 200 })).items.map((c) => c.id);
      out['store.chats.count'] = { value: (await bigStore.listChats({ limit: 1000 })).items.length, unit: 'chats (of the first 1000)' };
      const biggest = Math.max(...(await bigStore.listChats({ limit: 200 })).items.map((c) => c.conversationCount));
      out['store.chats.largestConversationCount'] = { value: biggest, unit: 'conversations in one chat (of the newest 200)' };
      const chatPage = await timeMany(n, () => bigStore.listChatMessages(chatIds[Math.floor(r() * chatIds.length)]!, { limit: 100 }));
      out['store.listChatMessages.firstPage.p50'] = { value: round(chatPage.p50, 3), unit: 'ms' };
      out['store.listChatMessages.firstPage.p99'] = { value: round(chatPage.p99, 3), unit: 'ms', target: '< 5' };
      const unreadAt = await timeMany(n, () => bigStore.firstUnreadMessage(chatIds[Math.floor(r() * chatIds.length)]!));
      out['store.firstUnreadMessage.p99'] = { value: round(unreadAt.p99, 3), unit: 'ms', target: '< 5' };

      loop.reset();
      loop.enable();
      const sn = quick ? 30 : 100;
      for (const [name, q] of [['common', 'meeting'], ['rare', 'zeppelin'], ['prefix', 'quar'], ['twoWords', 'meeting quarterly']] as const) {
        await bigStore.search(q);
        const s = await timeMany(sn, () => bigStore.search(q, { limit: 20 }));
        out[`store.search.${name}.p50`] = { value: round(s.p50, 3), unit: 'ms' };
        out[`store.search.${name}.p99`] = { value: round(s.p99, 3), unit: 'ms', target: '< 50' };
      }
      loop.disable();
      Object.assign(out, await benchSearchQuality(bigStore, path, quick));
      out['store.search.eventLoopDelayMax'] = { value: round(loop.max / 1e6), unit: 'ms', target: '< 20' };
    out['store.search.eventLoopDelayP99'] = { value: round(loop.percentile(99) / 1e6), unit: 'ms' };
      const st = await bigStore.stats();
      out['store.sizePerMessage'] = { value: round((st.pageCount - st.freelistCount) * st.pageSize / st.messages, 0), unit: 'bytes' };
    } finally {
      await bigStore.close();
    }
    out['store.fileSizePerMessage'] = { value: round(statSync(path).size / big, 0), unit: 'bytes' };
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const results = await benchStore({ quick });
  console.table(results);
}
