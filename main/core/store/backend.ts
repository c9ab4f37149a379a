// The store's SQL: the one implementation of the Store contract (DESIGN-2 §4). Synchronous; it
// runs inside the worker thread for the account's database file (sqliteStore.ts → worker.ts) and
// on the calling thread for the in-memory store (memoryStore.ts, a ':memory:' database).
// Each public method is one Store operation (operations.ts says which are writes); writes run in
// one IMMEDIATE transaction and push the changes they made onto `changes`, which go back with the
// result and are emitted once the write has committed.
import { randomUUID } from 'node:crypto';
import type { Db, SqlValue, Statement } from './sqlite.ts';
import type {
  Chat, Conversation, ConversationFilter, DeliveryState, Direction, LogInput, Message, MessageInput, OutboxItem, OutboxUpdate,
  Page, Person, SearchHit, SearchPage, SearchQuery, StoreChange, SyncCheckpoint, UnreadSummary,
} from './types.ts';
import { StoreError } from './types.ts';
import {
  decodeCursor, dedupeKey, encodeCursor, foldWord, ftsQuery, MIN_PREFIX_LENGTH, normalizeSip, previewOf,
  searchWords, threadOrConversation,
} from './keys.ts';
import { bm25, idf, parseAverages, type IndexTotals, type QueryWord } from './searchRank.ts';
import { snippetOf } from './snippet.ts';
import type { StoreStats } from './protocol.ts';
import { isDateTime } from '../limits.ts';
import { chatOfConversationSql } from './chatMessagesMigration.ts';
import { PeopleTables } from './people.ts';

interface ConversationRow {
  id: number;
  log_key: string | null;
  log_href: string | null;
  thread_id: string | null;
  subject: string;
  type: string;
  direction: Direction;
  status: Conversation['status'];
  importance: string;
  created_at: number;
  last_activity_at: number;
  preview: string;
  participants: string;
  unread: number;
  missed: number;
  read_upto: number;
  chat_id: number | null;
  /** Every log's transcripts are stored (a conversation without logs: set by putTranscriptPage). */
  transcripts_complete: number;
}

interface LogRow {
  id: number;
  log_key: string;
  conversation_id: number;
  log_href: string;
  created_at: number;
  unread: number;
  fingerprint: string;
  transcripts_complete: number;
}

interface MessageRow {
  id: number;
  conversation_id: number;
  author_sip: string | null;
  author_name: string | null;
  direction: Direction;
  at: number;
  text: string;
  html: string | null;
  origin: Message['origin'];
  dedupe_key: string | null;
  client_id: string | null;
  delivery: DeliveryState | null;
  delivery_error: string | null;
  at_estimated: number;
}

interface OutboxRow {
  seq: number;
  client_id: string;
  conversation_id: number;
  message_id: number;
  text: string;
  html: string | null;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  created_at: number;
  operation_id: string | null;
  location: string | null;
  maybe_duplicate: number;
}

interface SearchRow {
  id: number;
  conversation_id: number;
  at: number;
  author_sip: string | null;
  author_name: string | null;
  direction: Direction;
  text: string;
}

/** What the worker keeps between searches (see Backend.refreshSearchCache). */
interface SearchCache {
  /** The FTS5 structure record the expansions were read under. */
  structure: Buffer | null;
  /** Long last-word prefix → its index terms (null: none, or too many to expand). */
  expansions: Map<string, string[] | null>;
  /** Index term (or '*' + prefix) → rows containing it. */
  docs: Map<string, number>;
  /** Index rows when `docs` was started, and when. */
  docsRows: number;
  docsAt: number;
}

const MAX_PAGE = 500;
const DEFAULT_PAGE = 50;
/** Search ranks (bm25) the newest matches up to this many: bounds latency for very common words. */
const SEARCH_CANDIDATES = 300;
/** Matches are counted up to this many ("10 000+ messages"): the count walks the doclists. */
const SEARCH_COUNT_CAP = 10_000;
/** Prefix lengths the FTS5 prefix index covers (searchMigration.ts: prefix = '2 3 4'). */
const PREFIX_INDEXED = 4;
/** A longer prefix standing for at most this many terms is searched as those terms, ORed. */
const EXPAND_TERMS = 16;
/** Cached row counts are recomputed once the index grew or shrank by more than this share… */
const DOCS_DRIFT = 0.01;
/** …or when they are this old. */
const DOCS_MAX_AGE_MS = 10 * 60_000;
/** Entries per search cache before it starts over. */
const SEARCH_CACHE_ENTRIES = 2000;
/** Term frequencies are counted in this much of a candidate's text. */
const RANK_TEXT_MAX = 20_000;
/** Outbox states that are not settled: the service still has work to do (pendingOutbox). */
const PENDING_STATES = `('queued', 'sending', 'accepted', 'uncertain')`;
const DELIVERY_STATES: ReadonlySet<string> = new Set<DeliveryState>(['queued', 'sending', 'accepted', 'delivered', 'failed', 'uncertain']);

function clampLimit(limit: number | undefined, dflt = DEFAULT_PAGE): number {
  if (limit == null || !Number.isFinite(limit)) return dflt;
  return Math.max(1, Math.min(MAX_PAGE, Math.trunc(limit)));
}

function parsePeople(json: string): Person[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as Person[]) : [];
  } catch {
    return [];
  }
}

function normalizePeople(people: Person[]): Person[] {
  const seen = new Set<string>();
  const out: Person[] = [];
  for (const p of people) {
    const sip = normalizeSip(p.sip);
    if (seen.has(sip)) continue;
    seen.add(sip);
    out.push({ sip, name: p.name ?? '' });
  }
  return out;
}

function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    // Set by the store's triggers on insert; a row without one is a chat of its own.
    chatId: r.chat_id ?? -r.id,
    logKey: r.log_key,
    logHref: r.log_href,
    threadId: r.thread_id,
    subject: r.subject,
    type: r.type,
    direction: r.direction,
    status: r.status,
    importance: r.importance,
    createdAt: r.created_at,
    lastActivityAt: r.last_activity_at,
    preview: r.preview,
    participants: parsePeople(r.participants),
    unread: r.unread === 1,
    missed: r.missed === 1,
    transcriptsComplete: r.transcripts_complete === 1,
  };
}

/** A chat row joined with its latest conversation (the `ch_` columns are the chat's). */
interface ChatRow extends ConversationRow {
  ch_id: number;
  ch_at: number;
  ch_n: number;
  ch_unread: number;
  ch_missed: number;
  ch_missed_unread: number;
  ch_since: number | null;
}

const CHAT_COLUMNS = `ch.id AS ch_id, ch.last_activity_at AS ch_at, ch.conversations AS ch_n, ch.unread AS ch_unread,
  ch.missed AS ch_missed, ch.missed_unread AS ch_missed_unread, ch.unread_since AS ch_since, c.*`;

function toChat(r: ChatRow): Chat {
  return {
    id: r.ch_id,
    latest: toConversation(r),
    lastActivityAt: r.ch_at,
    conversationCount: r.ch_n,
    unread: r.ch_unread > 0,
    missed: r.ch_missed > 0,
    missedUnread: r.ch_missed_unread > 0,
    unreadSince: r.ch_unread > 0 ? r.ch_since : null,
  };
}

function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    author: r.author_sip == null ? null : { sip: r.author_sip, name: r.author_name ?? '' },
    direction: r.direction,
    at: r.at,
    text: r.text,
    html: r.html,
    origin: r.origin,
    clientId: r.client_id,
    delivery: r.delivery,
    deliveryError: r.delivery_error,
    atEstimated: r.at_estimated === 1,
  };
}

function toOutbox(r: OutboxRow): OutboxItem {
  return {
    clientId: r.client_id,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    text: r.text,
    html: r.html,
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    operationId: r.operation_id,
    location: r.location,
    maybeDuplicate: r.maybe_duplicate === 1,
  };
}

/** A keyset cursor from the caller (any string is safe: a bad one is a typed error). */
function readCursor(raw: string | null | undefined): ReturnType<typeof decodeCursor> {
  try {
    return decodeCursor(raw);
  } catch {
    throw new StoreError('other', 'invalid cursor');
  }
}

/** `limit + 1` rows fetched → the page and, when there are more, the cursor after its last item. */
function pageOf<R, T extends { id: number }>(rows: R[], limit: number, map: (r: R) => T, time: (t: T) => number): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? encodeCursor({ t: time(last), i: last.id }) : null };
}

function notFound(what: string): StoreError {
  return new StoreError('other', `${what} not found`);
}

export class Backend {
  readonly db: Db;
  private readonly cache = new Map<string, Statement<unknown>>();
  private changes: StoreChange[] = [];
  private vocabReady = false;
  private readonly searchCache: SearchCache = {
    structure: null, expansions: new Map(), docs: new Map(), docsRows: 0, docsAt: 0,
  };
  /** People and the contact list (people.ts): its writes run in this Backend's transactions and emit through it. */
  readonly people: PeopleTables;
  constructor(db: Db) {
    this.db = db;
    this.people = new PeopleTables(db, (change) => this.emit(change));
    // How the FTS tokenizer folds words (lower case, no diacritics), for the contact filter.
    db.function('ucwa_fold', { deterministic: true }, (v) => (typeof v === 'string' ? foldWord(v) : v));
  }

  private st<Row>(sql: string): Statement<Row> {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s as Statement<Row>;
  }

  /** Run a write in one IMMEDIATE transaction; returns its result and the changes it produced. */
  write<R>(fn: () => R): { result: R; changes: StoreChange[] } {
    this.changes = [];
    try {
      const result = this.db.transaction(() => {
        const r = fn();
        this.flushChatChanges();
        return r;
      }).immediate();
      return { result, changes: this.changes };
    } finally {
      this.changes = [];
    }
  }

  private emit(change: StoreChange): void {
    this.changes.push(change);
  }

  /** The chats the triggers marked as touched by this write → 'chat' / 'chatRemoved' changes. */
  private flushChatChanges(): void {
    const touched = this.st<{ chat_id: number }>('SELECT chat_id FROM chat_changes ORDER BY chat_id').all();
    if (!touched.length) return;
    for (const { chat_id: id } of touched) {
      const chat = this.chatRow(id);
      this.emit(chat ? { kind: 'chat', chat: toChat(chat) } : { kind: 'chatRemoved', chatId: id });
    }
    this.st('DELETE FROM chat_changes').run();
  }

  private chatRow(id: number): ChatRow | undefined {
    return this.st<ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM chats ch JOIN conversations c ON c.id = ch.latest_conversation_id WHERE ch.id = ?`,
    ).get(id);
  }

  // --- rows -------------------------------------------------------------------------------------

  private conversationRow(id: number): ConversationRow | undefined {
    return this.st<ConversationRow>('SELECT * FROM conversations WHERE id = ?').get(id);
  }

  private requireConversation(id: number): ConversationRow {
    const row = this.conversationRow(id);
    if (!row) throw notFound(`conversation ${id}`);
    return row;
  }

  private messageRow(id: number): MessageRow | undefined {
    return this.st<MessageRow>('SELECT * FROM messages WHERE id = ?').get(id);
  }

  private outboxRow(clientId: string): OutboxRow | undefined {
    return this.st<OutboxRow>('SELECT * FROM outbox WHERE client_id = ?').get(clientId);
  }

  private emitConversation(id: number): void {
    const row = this.conversationRow(id);
    if (row) this.emit({ kind: 'conversation', conversation: toConversation(row) });
  }

  /** Counted in chats (the rows the user sees), from the chats the triggers keep. */
  private unreadCounts(): { unreadChats: number; missedChats: number } {
    const r = this.st<{ u: number; m: number }>(
      `SELECT (SELECT count(*) FROM chats WHERE unread > 0) AS u,
              (SELECT count(*) FROM chats WHERE missed_unread > 0) AS m`,
    ).get()!;
    return { unreadChats: r.u, missedChats: r.m };
  }

  private emitUnread(): void {
    this.emit({ kind: 'unread', summary: this.unreadCounts() });
  }

  /** The people of a conversation are people seen (their names kept, a 'person' change when new or renamed). */
  private upsertPeople(people: Person[]): void {
    this.people.upsertNames(people);
  }

  /** A conversation's activity time and preview follow its newest message. */
  private touchConversation(conversationId: number, at: number, text: string, markUnread: boolean): void {
    this.st(
      `UPDATE conversations SET
         preview = CASE WHEN ? >= last_activity_at THEN ? ELSE preview END,
         last_activity_at = max(last_activity_at, ?),
         unread = CASE WHEN ? THEN 1 ELSE unread END
       WHERE id = ?`,
    ).run(at, previewOf(text), at, markUnread ? 1 : 0, conversationId);
  }

  /** Recompute activity and preview from what is left after a message went away. */
  private refreshActivity(conversationId: number): void {
    this.st(
      `UPDATE conversations SET
         last_activity_at = max(created_at, coalesce((SELECT max(at) FROM messages WHERE conversation_id = ?), 0)),
         preview = coalesce((SELECT text FROM messages WHERE conversation_id = ? ORDER BY at DESC, id DESC LIMIT 1), preview)
       WHERE id = ?`,
    ).run(conversationId, conversationId, conversationId);
    const row = this.conversationRow(conversationId);
    if (row) this.st('UPDATE conversations SET preview = ? WHERE id = ?').run(previewOf(row.preview), conversationId);
  }

  /**
   * Insert a message or merge it into the row with the same dedupe key. A transcript copy keeps
   * the existing (live or outbox) row and only fills in what it lacked (html, author name).
   */
  private insertMessage(conversationId: number, thread: string, m: MessageInput): { row: MessageRow; inserted: boolean } {
    const authorSip = m.author ? normalizeSip(m.author.sip) : null;
    // The last line of defence for a time no Date can hold (the parsers already reject them).
    const holdable = isDateTime(m.at);
    const at = holdable ? Math.trunc(m.at) : 0;
    const key = dedupeKey(thread, at, authorSip, m.text);
    const row = this.st<MessageRow>(
      `INSERT INTO messages (conversation_id, chat_id, author_sip, author_name, direction, at, text, html, origin, dedupe_key, at_estimated)
       VALUES (?, ${chatOfConversationSql('?')}, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING *`,
    ).get(conversationId, conversationId, authorSip, m.author?.name ?? null, m.direction, at, m.text, m.html ?? null, m.origin, key, m.atEstimated || !holdable ? 1 : 0);
    if (row) return { row, inserted: true };
    const existing = this.st<MessageRow>('SELECT * FROM messages WHERE dedupe_key = ?').get(key)!;
    if ((existing.html == null && m.html != null) || (!existing.author_name && m.author?.name)) {
      const merged = this.st<MessageRow>(
        `UPDATE messages SET html = coalesce(html, ?), author_name = coalesce(nullif(author_name, ''), ?)
         WHERE id = ? RETURNING *`,
      ).get(m.html ?? null, m.author?.name ?? null, existing.id)!;
      return { row: merged, inserted: false };
    }
    return { row: existing, inserted: false };
  }

  // --- conversations ------------------------------------------------------------------------------

  private logRow(logKey: string): LogRow | undefined {
    return this.st<LogRow>('SELECT * FROM conversation_logs WHERE log_key = ?').get(logKey);
  }

  /** The conversation's newest log: the latest creationTime, then the one attached last. */
  private newestLog(conversationId: number): LogRow | undefined {
    return this.st<LogRow>('SELECT * FROM conversation_logs WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 1')
      .get(conversationId);
  }

  /** "Every log's transcripts are stored" (a conversation without logs keeps its own flag). */
  private refreshTranscriptsComplete(conversationId: number): void {
    this.st(
      `UPDATE conversations SET transcripts_complete = CASE
         WHEN NOT EXISTS (SELECT 1 FROM conversation_logs WHERE conversation_id = ?) THEN transcripts_complete
         ELSE NOT EXISTS (SELECT 1 FROM conversation_logs WHERE conversation_id = ? AND transcripts_complete = 0) END
       WHERE id = ?`,
    ).run(conversationId, conversationId, conversationId);
  }

  /**
   * A log joins the conversation it already belongs to, else the conversation of its thread (a
   * live one, or one with the thread's other logs: a continued conversation is a new log with the
   * same threadId), else a new conversation. The conversation's description (subject, status,
   * participants, log key and href…) is its newest log's; creation time the earliest, activity
   * the latest; unread when any of its logs is unread on the server and there was activity after
   * the user last read it here.
   */
  upsertLog(log: LogInput, fingerprint: string): { conversation: Conversation; needsTranscripts: boolean } {
    const participants = JSON.stringify(normalizePeople(log.participants));
    const missed = log.status === 'Missed' ? 1 : 0;
    const known = this.logRow(log.logKey);
    let row = known ? this.conversationRow(known.conversation_id) : undefined;
    if (!row && log.threadId) {
      row = this.st<ConversationRow>('SELECT * FROM conversations WHERE thread_id = ? ORDER BY last_activity_at DESC, id DESC LIMIT 1')
        .get(log.threadId);
    }
    const before = row ? this.unreadCounts() : null;
    let id: number;
    if (!row) {
      id = this.st<{ id: number }>(
        `INSERT INTO conversations (log_key, log_href, thread_id, subject, type, direction, status, importance,
           created_at, last_activity_at, preview, participants, unread, missed, transcripts_complete)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`,
      ).get(log.logKey, log.href, log.threadId, log.subject, log.type, log.direction, log.status, log.importance,
        log.createdAt, log.createdAt, previewOf(log.preview), participants, log.unread ? 1 : 0, missed)!.id;
    } else {
      id = row.id;
    }
    if (known) {
      this.st('UPDATE conversation_logs SET log_href = ?, created_at = ?, unread = ?, fingerprint = ? WHERE id = ?')
        .run(log.href, log.createdAt, log.unread ? 1 : 0, fingerprint, known.id);
    } else {
      this.st(
        `INSERT INTO conversation_logs (log_key, conversation_id, log_href, created_at, unread, fingerprint, transcripts_complete)
         VALUES (?, ?, ?, ?, ?, ?, 0)`,
      ).run(log.logKey, id, log.href, log.createdAt, log.unread ? 1 : 0, fingerprint);
    }
    if (row) {
      if (this.newestLog(id)?.log_key === log.logKey) {
        this.st(
          `UPDATE conversations SET log_key = ?, log_href = ?, subject = ?, type = ?, direction = ?, status = ?, importance = ?,
             preview = CASE WHEN ? <> '' THEN ? ELSE preview END, participants = ?, missed = ?
           WHERE id = ?`,
        ).run(log.logKey, log.href, log.subject, log.type, log.direction, log.status, log.importance,
          log.preview, previewOf(log.preview), participants, missed, id);
      }
      this.st(
        `UPDATE conversations SET thread_id = coalesce(thread_id, ?), created_at = min(created_at, ?),
           last_activity_at = max(last_activity_at, ?),
           unread = CASE WHEN EXISTS (SELECT 1 FROM conversation_logs WHERE conversation_id = ? AND unread = 1)
                          AND max(last_activity_at, ?) > read_upto THEN 1 ELSE 0 END
         WHERE id = ?`,
      ).run(log.threadId, log.createdAt, log.createdAt, id, log.createdAt, id);
    }
    this.refreshTranscriptsComplete(id);
    this.upsertPeople(log.participants);
    const after = this.conversationRow(id)!;
    const conversation = toConversation(after);
    if (!row || JSON.stringify(row) !== JSON.stringify(after)) this.emit({ kind: 'conversation', conversation });
    const counts = this.unreadCounts();
    if (!before ? after.unread === 1 : before.unreadChats !== counts.unreadChats || before.missedChats !== counts.missedChats) {
      this.emit({ kind: 'unread', summary: counts });
    }
    return { conversation, needsTranscripts: this.logRow(log.logKey)!.transcripts_complete !== 1 };
  }

  checkpoints(logKeys: string[]): SyncCheckpoint[] {
    if (logKeys.length === 0) return [];
    return this.st<{ log_key: string; fingerprint: string; transcripts_complete: number }>(
      `SELECT log_key, fingerprint, transcripts_complete FROM conversation_logs
       WHERE log_key IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(logKeys)).map((r) => ({
      logKey: r.log_key,
      fingerprint: r.fingerprint,
      transcriptsComplete: r.transcripts_complete === 1,
    }));
  }

  putTranscriptPage(conversationId: number, threadId: string | null, messages: MessageInput[], complete: boolean, logKey: string | null): { added: number } {
    const conv = this.requireConversation(conversationId);
    if (logKey != null && this.logRow(logKey)?.conversation_id !== conversationId) throw notFound(`log ${logKey} of conversation ${conversationId}`);
    const thread = threadOrConversation(threadId ?? conv.thread_id, conversationId);
    let added = 0;
    let newest: MessageInput | null = null;
    for (const m of messages) {
      if (this.insertMessage(conversationId, thread, m).inserted) {
        added++;
        if (!newest || m.at >= newest.at) newest = m;
      }
    }
    if (newest) this.touchConversation(conversationId, newest.at, newest.text, false);
    if (complete) {
      // The log's own pages are all stored (no log named: every log of the conversation, or the
      // conversation itself when it has none).
      if (logKey != null) this.st('UPDATE conversation_logs SET transcripts_complete = 1 WHERE log_key = ?').run(logKey);
      else this.st('UPDATE conversation_logs SET transcripts_complete = 1 WHERE conversation_id = ?').run(conversationId);
      this.st('UPDATE conversations SET transcripts_complete = 1 WHERE id = ?').run(conversationId);
      this.refreshTranscriptsComplete(conversationId);
    }
    // One event per page (not per message): the open conversation view reloads its page.
    const nowComplete = this.conversationRow(conversationId)!.transcripts_complete;
    if (added > 0 || nowComplete !== conv.transcripts_complete) this.emitConversation(conversationId);
    return { added };
  }

  ensureLiveConversation(input: { threadId: string; subject: string; direction: Direction; participants: Person[]; startedAt: number }): Conversation {
    const existing = this.st<ConversationRow>(
      'SELECT * FROM conversations WHERE thread_id = ? ORDER BY last_activity_at DESC, id DESC LIMIT 1',
    ).get(input.threadId);
    if (existing) return toConversation(existing);
    const row = this.st<ConversationRow>(
      `INSERT INTO conversations (thread_id, subject, type, direction, status, importance, created_at, last_activity_at, participants)
       VALUES (?, ?, 'Live', ?, 'Live', 'Normal', ?, ?, ?) RETURNING *`,
    ).get(input.threadId, input.subject, input.direction, input.startedAt, input.startedAt, JSON.stringify(normalizePeople(input.participants)))!;
    this.upsertPeople(input.participants);
    // Read again: RETURNING shows the row before the AFTER INSERT trigger put it in its chat.
    const conversation = toConversation(this.conversationRow(row.id)!);
    this.emit({ kind: 'conversation', conversation });
    return conversation;
  }

  addConversationParticipants(conversationId: number, people: Person[]): Conversation | null {
    const row = this.conversationRow(conversationId);
    if (!row) return null;
    const before = toConversation(row).participants;
    const merged = normalizePeople([...before, ...people]);
    if (merged.length === before.length) return toConversation(row);
    this.st('UPDATE conversations SET participants = ? WHERE id = ?').run(JSON.stringify(merged), conversationId);
    this.upsertPeople(people);
    const conversation = toConversation(this.conversationRow(conversationId)!);
    this.emit({ kind: 'conversation', conversation });
    return conversation;
  }

  getConversation(id: number): Conversation | null {
    const row = this.conversationRow(id);
    return row ? toConversation(row) : null;
  }

  findConversationByThread(threadId: string): Conversation | null {
    const row = this.st<ConversationRow>(
      'SELECT * FROM conversations WHERE thread_id = ? ORDER BY last_activity_at DESC, id DESC LIMIT 1',
    ).get(threadId);
    return row ? toConversation(row) : null;
  }

  listConversations(query: { filter?: ConversationFilter; contact?: string; cursor?: string | null; limit?: number }): Page<Conversation> {
    const limit = clampLimit(query.limit);
    const cursor = readCursor(query.cursor);
    const where: string[] = [];
    const params: SqlValue[] = [];
    let from = 'conversations c';
    if (query.contact) {
      from = 'conversation_participants p JOIN conversations c ON c.id = p.conversation_id';
      where.push('p.sip = ?');
      params.push(normalizeSip(query.contact));
    }
    if (query.filter === 'unread') where.push('c.unread = 1');
    else if (query.filter === 'missed') where.push('c.missed = 1');
    if (cursor) {
      where.push('(c.last_activity_at < ? OR (c.last_activity_at = ? AND c.id < ?))');
      params.push(cursor.t, cursor.t, cursor.i);
    }
    const sql = `SELECT c.* FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?`;
    const rows = this.st<ConversationRow>(sql).all(...params, limit + 1);
    return pageOf(rows, limit, toConversation, (x) => x.lastActivityAt);
  }

  markRead(conversationId: number): void {
    const row = this.requireConversation(conversationId);
    this.st('UPDATE conversations SET unread = 0, read_upto = last_activity_at WHERE id = ?').run(conversationId);
    if (row.unread === 1) {
      this.emitConversation(conversationId);
      this.emitUnread();
    }
  }

  /** Every unread conversation read at once ("Mark all read"); returns their ids. */
  markAllRead(): number[] {
    const ids = this.st<{ id: number }>('SELECT id FROM conversations WHERE unread = 1').all().map((r) => r.id);
    if (!ids.length) return ids;
    this.st('UPDATE conversations SET unread = 0, read_upto = last_activity_at WHERE unread = 1').run();
    for (const id of ids) this.emitConversation(id);
    this.emitUnread();
    return ids;
  }

  unreadSummary(limit = 5): UnreadSummary {
    // One per chat: its newest unread conversation (a chat is one row, one popup entry).
    const latest = this.st<ConversationRow>(
      `SELECT c.* FROM chats ch JOIN conversations c ON c.id = (
         SELECT id FROM conversations WHERE chat_id = ch.id AND unread = 1 ORDER BY last_activity_at DESC, id DESC LIMIT 1)
       WHERE ch.unread > 0 ORDER BY ch.last_activity_at DESC, ch.id DESC LIMIT ?`,
    ).all(Math.max(0, Math.min(MAX_PAGE, Math.trunc(limit)))).map(toConversation);
    return { ...this.unreadCounts(), latest };
  }

  // --- chats --------------------------------------------------------------------------------------

  listChats(query: { filter?: ConversationFilter; contact?: string; cursor?: string | null; limit?: number }): Page<Chat> {
    const limit = clampLimit(query.limit);
    const cursor = readCursor(query.cursor);
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.contact) {
      where.push(`ch.id IN (SELECT x.chat_id FROM conversation_participants p JOIN conversations x ON x.id = p.conversation_id WHERE p.sip = ?)`);
      params.push(normalizeSip(query.contact));
    }
    if (query.filter === 'unread') where.push('ch.unread > 0');
    else if (query.filter === 'missed') where.push('ch.missed > 0');
    if (cursor) {
      where.push('(ch.last_activity_at < ? OR (ch.last_activity_at = ? AND ch.id < ?))');
      params.push(cursor.t, cursor.t, cursor.i);
    }
    const rows = this.st<ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM chats ch JOIN conversations c ON c.id = ch.latest_conversation_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ch.last_activity_at DESC, ch.id DESC LIMIT ?`,
    ).all(...params, limit + 1);
    return pageOf(rows, limit, toChat, (x) => x.lastActivityAt);
  }

  getChat(chatId: number): Chat | null {
    const row = this.chatRow(chatId);
    return row ? toChat(row) : null;
  }

  chatConversationIds(chatId: number): number[] {
    return this.st<{ id: number }>('SELECT id FROM conversations WHERE chat_id = ? ORDER BY last_activity_at DESC, id DESC LIMIT 1000')
      .all(chatId).map((r) => r.id);
  }

  listChatMessages(chatId: number, query: { cursor?: string | null; limit?: number }): Page<Message> {
    return this.messagePage('chat_id = ?', chatId, query);
  }

  firstUnreadMessage(chatId: number): number | null {
    // In the chat's NEWEST unread conversation: servers keep old missed logs unread for months, and
    // a "New" line above those would open the chat far from what just arrived (the row's preview).
    const r = this.st<{ id: number }>(`SELECT m.id FROM
       (SELECT id, read_upto FROM conversations WHERE chat_id = ? AND unread = 1 ORDER BY last_activity_at DESC, id DESC LIMIT 1) c
       JOIN messages m ON m.conversation_id = c.id
       WHERE m.direction = 'Incoming' AND m.at > c.read_upto
       ORDER BY m.at, m.id LIMIT 1`).get(chatId);
    return r?.id ?? null;
  }

  markChatRead(chatId: number): number[] {
    const ids = this.st<{ id: number }>('SELECT id FROM conversations WHERE chat_id = ? AND unread = 1').all(chatId).map((r) => r.id);
    if (!ids.length) return ids;
    // Read up to now in EVERY conversation of it: "new" in the chat begins after this moment.
    this.st('UPDATE conversations SET unread = 0, read_upto = last_activity_at WHERE chat_id = ? AND (unread = 1 OR read_upto < last_activity_at)').run(chatId);
    for (const id of ids) this.emitConversation(id);
    this.emitUnread();
    return ids;
  }

  // --- messages -----------------------------------------------------------------------------------

  addMessage(conversationId: number, threadId: string | null, message: MessageInput, opts?: { markUnread?: boolean }): { message: Message; inserted: boolean } {
    const conv = this.requireConversation(conversationId);
    const thread = threadOrConversation(threadId ?? conv.thread_id, conversationId);
    const { row, inserted } = this.insertMessage(conversationId, thread, message);
    const result = { message: toMessage(row), inserted };
    if (inserted) {
      const markUnread = opts?.markUnread === true;
      this.touchConversation(conversationId, row.at, row.text, markUnread);
      this.emit({ kind: 'message', message: result.message });
      this.emitConversation(conversationId);
      if (markUnread && conv.unread !== 1) this.emitUnread();
    }
    return result;
  }

  /** Several live messages of one conversation in one transaction (one event batch). */
  addMessages(conversationId: number, threadId: string | null, messages: MessageInput[], opts?: { markUnread?: boolean }): { added: number } {
    const conv = this.requireConversation(conversationId);
    const thread = threadOrConversation(threadId ?? conv.thread_id, conversationId);
    const markUnread = opts?.markUnread === true;
    let added = 0;
    for (const m of messages) {
      const { row, inserted } = this.insertMessage(conversationId, thread, m);
      if (!inserted) continue;
      added++;
      this.touchConversation(conversationId, row.at, row.text, markUnread);
      this.emit({ kind: 'message', message: toMessage(row) });
    }
    if (added > 0) {
      this.emitConversation(conversationId);
      if (markUnread && conv.unread !== 1) this.emitUnread();
    }
    return { added };
  }

  /**
   * A live message stored with local time gets the server timestamp (and so its real dedupe key).
   * If another row already holds that key, the live row goes and the other one is returned.
   */
  restampMessage(messageId: number, at: number, threadId: string | null): Message | null {
    const row = this.messageRow(messageId);
    if (!row || !isDateTime(at)) return null;
    const conv = this.requireConversation(row.conversation_id);
    const stamp = Math.trunc(at);
    const key = dedupeKey(threadOrConversation(threadId ?? conv.thread_id, conv.id), stamp, row.author_sip, row.text);
    const twin = this.st<MessageRow>('SELECT * FROM messages WHERE dedupe_key = ? AND id <> ?').get(key, row.id);
    let survivor: MessageRow;
    if (twin) {
      this.st('DELETE FROM messages WHERE id = ?').run(row.id);
      this.emit({ kind: 'messageRemoved', conversationId: row.conversation_id, messageId: row.id });
      survivor = this.st<MessageRow>(
        `UPDATE messages SET html = coalesce(html, ?), author_name = coalesce(nullif(author_name, ''), ?) WHERE id = ? RETURNING *`,
      ).get(row.html, row.author_name, twin.id)!;
    } else {
      survivor = this.st<MessageRow>('UPDATE messages SET at = ?, dedupe_key = ?, at_estimated = 0 WHERE id = ? RETURNING *').get(stamp, key, row.id)!;
    }
    this.refreshActivity(conv.id);
    const message = toMessage(survivor);
    this.emit({ kind: 'message', message });
    this.emitConversation(conv.id);
    return message;
  }

  listMessages(conversationId: number, query: { cursor?: string | null; limit?: number }): Page<Message> {
    return this.messagePage('conversation_id = ?', conversationId, query);
  }

  /** Messages WHERE `of` (one parameter), newest first by (at, id), keyset-paged. */
  private messagePage(of: string, arg: number, query: { cursor?: string | null; limit?: number }): Page<Message> {
    const limit = clampLimit(query.limit);
    const cursor = readCursor(query.cursor);
    const rows = cursor
      ? this.st<MessageRow>(`SELECT * FROM messages WHERE ${of} AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?`)
        .all(arg, cursor.t, cursor.t, cursor.i, limit + 1)
      : this.st<MessageRow>(`SELECT * FROM messages WHERE ${of} ORDER BY at DESC, id DESC LIMIT ?`).all(arg, limit + 1);
    return pageOf(rows, limit, toMessage, (x) => x.at);
  }

  /** The message and up to `radius` messages on each side of it, newest first (like listMessages). */
  messagesAround(messageId: number, radius = 20): Message[] {
    const target = this.messageRow(messageId);
    if (!target) return [];
    const r = Math.max(0, Math.min(MAX_PAGE, Math.trunc(radius)));
    const newer = this.st<MessageRow>(
      `SELECT * FROM messages WHERE conversation_id = ? AND (at > ? OR (at = ? AND id > ?))
       ORDER BY at ASC, id ASC LIMIT ?`,
    ).all(target.conversation_id, target.at, target.at, target.id, r);
    const older = this.st<MessageRow>(
      `SELECT * FROM messages WHERE conversation_id = ? AND (at < ? OR (at = ? AND id < ?))
       ORDER BY at DESC, id DESC LIMIT ?`,
    ).all(target.conversation_id, target.at, target.at, target.id, r);
    return [...newer.reverse(), target, ...older].map(toMessage);
  }

  // --- search -------------------------------------------------------------------------------------

  private ensureVocab(): void {
    if (this.vocabReady) return;
    this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_vocab USING fts5vocab(main, messages_fts, 'row')`);
    this.vocabReady = true;
  }

  /**
   * Bring the search caches up to date with the index. Prefix expansions must be exact (a new term
   * must be found at once): they are dropped whenever the FTS5 structure record changed, which
   * every write to the index does. Document counts only weigh words against each other: they are
   * kept until the number of rows moved by more than 1 % or they are 10 minutes old.
   */
  private refreshSearchCache(): IndexTotals | null {
    const c = this.searchCache;
    const structure = this.st<Buffer>('SELECT block FROM messages_fts_data WHERE id = 10').pluck().get() as unknown as Buffer | undefined;
    if (!structure || !c.structure || !c.structure.equals(structure)) {
      c.expansions.clear();
      c.structure = structure ? Buffer.from(structure) : null;
    }
    const totals = parseAverages(this.st<Buffer>('SELECT block FROM messages_fts_data WHERE id = 1').pluck().get() as unknown as Buffer | undefined);
    const rows = totals?.rows ?? 0;
    const now = Date.now();
    if (Math.abs(rows - c.docsRows) > c.docsRows * DOCS_DRIFT || now - c.docsAt > DOCS_MAX_AGE_MS || c.docs.size > SEARCH_CACHE_ENTRIES) {
      c.docs.clear();
      c.docsRows = rows;
      c.docsAt = now;
    }
    if (c.expansions.size > SEARCH_CACHE_ENTRIES) c.expansions.clear();
    return totals;
  }

  /** Terms of the index starting with `prefix` (at most EXPAND_TERMS), or null when there are more. */
  private prefixTerms(prefix: string): string[] | null {
    const folded = foldWord(prefix);
    if ([...folded].length <= PREFIX_INDEXED) return null; // the prefix index answers these directly
    const c = this.searchCache;
    let found = c.expansions.get(folded);
    if (found === undefined) {
      this.ensureVocab();
      // fts5vocab reads each term's whole doclist to count its rows: worth keeping.
      const rows = this.st<{ term: string; doc: number }>('SELECT term, doc FROM temp.messages_vocab WHERE term >= ? AND term < ? LIMIT ?')
        .all(folded, `${folded}\u{10FFFF}`, EXPAND_TERMS + 1);
      found = rows.length === 0 || rows.length > EXPAND_TERMS ? null : rows.map((r) => r.term);
      c.expansions.set(folded, found);
      if (found) for (const r of rows) c.docs.set(r.term, r.doc);
    }
    return found;
  }

  /** Rows containing `term` (cached: see refreshSearchCache). */
  private termDocs(term: string): number {
    const c = this.searchCache;
    let n = c.docs.get(term);
    if (n === undefined) {
      this.ensureVocab();
      n = (this.st<number>('SELECT doc FROM temp.messages_vocab WHERE term = ?').pluck().get(term) as unknown as number | undefined) ?? 0;
      c.docs.set(term, n);
    }
    return n;
  }

  /** Rows containing a word starting with `prefix`, counted up to SEARCH_COUNT_CAP. Cached like termDocs. */
  private prefixDocs(prefix: string): number {
    const c = this.searchCache;
    const key = `*${prefix}`; // no index term starts with '*' (not a token character)
    let n = c.docs.get(key);
    if (n === undefined) {
      n = this.countMatches(`"${prefix.replace(/"/g, '""')}"*`, null);
      c.docs.set(key, n);
    }
    return n;
  }

  /**
   * Matches of an FTS5 query, counted up to SEARCH_COUNT_CAP + 1 (more reads as "10 000+"): a
   * walk of the doclists without touching the messages, ~1 ms per 10 000 matches.
   */
  private countMatches(match: string, conversationId: number | null): number {
    return (conversationId == null
      ? this.st<number>(`SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? LIMIT ${SEARCH_COUNT_CAP + 1})`).pluck().get(match)
      : this.st<number>(
        `SELECT count(*) FROM (SELECT 1 FROM messages_fts f JOIN message_search_keys k ON k.key = f.rowid JOIN messages m ON m.id = k.message_id
         WHERE messages_fts MATCH ? AND m.conversation_id = ? LIMIT ${SEARCH_COUNT_CAP + 1})`,
      ).pluck().get(match, conversationId)) as unknown as number;
  }

  search(text: string, query?: SearchQuery): SearchHit[] {
    return this.searchPage(text, query, false).hits; // no count: the hits only
  }

  /**
   * One page of matches and how many there are. The index's rowid is a time key (searchMigration.ts),
   * so 'newest' is FTS5's own order, stopped after the page; 'best' ranks (BM25) the newest
   * SEARCH_CANDIDATES matches — by time, not by row id, which the sync hands out newest first.
   */
  searchPage(text: string, query?: SearchQuery, withCount = true): SearchPage {
    const none: SearchPage = { hits: [], total: 0, totalIsLowerBound: false };
    const input = typeof text === 'string' ? text : '';
    if (searchWords(input).length === 0) return none;
    const totals = this.refreshSearchCache();
    // The words as FTS5 will see them: exact terms, the last one a prefix (or its expansion).
    let expansion: string[] | null = null;
    const match = ftsQuery(input, (p) => (expansion = this.prefixTerms(p)));
    if (!match) return none;
    const limit = clampLimit(query?.limit, 20);
    const offset = Math.max(0, Math.min(SEARCH_COUNT_CAP, Math.trunc(Number(query?.offset) || 0)));
    const conversationId = query?.conversationId ?? null;
    const total = withCount ? this.countMatches(match, conversationId) : SEARCH_COUNT_CAP;
    if (total === 0) return none;
    const page = (n: number, skip: number): SearchRow[] => this.st<SearchRow>(
      `SELECT m.id, m.conversation_id, m.at, m.author_sip, m.author_name, m.direction, m.text
       FROM messages_fts f JOIN message_search_keys k ON k.key = f.rowid JOIN messages m ON m.id = k.message_id
       WHERE messages_fts MATCH ?${conversationId != null ? ' AND m.conversation_id = ?' : ''}
       ORDER BY f.rowid DESC LIMIT ? OFFSET ?`,
    ).all(...(conversationId != null ? [match, conversationId] : [match]), n, skip);
    let shown: SearchRow[];
    // The query's words as the ranking and the snippets read them.
    const words: QueryWord[] = searchWords(input).map((w, i, all) => {
      const folded = foldWord(w);
      if (i !== all.length - 1 || [...w].length < MIN_PREFIX_LENGTH) return { terms: [folded], prefix: null };
      return expansion && expansion.length > 0 ? { terms: expansion, prefix: null } : { terms: null, prefix: folded };
    });
    // The store's default stays 'best' (its contract since search began); the app asks for 'newest'.
    if (query?.sort !== 'newest') {
      // The newest SEARCH_CANDIDATES matches: FTS5 walks the doclists newest first and stops, so a
      // word found in half the history costs little more than a rare one. No bm25() here: it would
      // count every phrase's rows on every query; the candidates are ranked below with cached counts.
      const candidates = page(SEARCH_CANDIDATES, 0);
      const rows = Math.max(totals?.rows ?? 0, candidates.length);
      const avgLength = totals && totals.rows > 0 ? totals.tokens / totals.rows : 0;
      const idfs = words.map((w) => idf(rows, w.terms ? w.terms.reduce((sum, t) => sum + this.termDocs(t), 0) : this.prefixDocs(w.prefix)));
      shown = candidates
        .map((r) => ({ r, score: bm25(r.text.length > RANK_TEXT_MAX ? r.text.slice(0, RANK_TEXT_MAX) : r.text, words, idfs, avgLength) }))
        .sort((a, b) => b.score - a.score || b.r.at - a.r.at || b.r.id - a.r.id)
        .slice(offset, offset + limit)
        .map((x) => x.r);
    } else {
      shown = page(limit, offset);
    }
    return { hits: this.searchHits(words, shown), total: Math.min(total, SEARCH_COUNT_CAP), totalIsLowerBound: total > SEARCH_COUNT_CAP };
  }

  /** Rows → hits, with their conversation and a snippet (for the hits shown only, from the text the
   * page already read: snippet.ts). */
  private searchHits(words: QueryWord[], shown: SearchRow[]): SearchHit[] {
    const hits: SearchHit[] = [];
    const conversations = new Map<number, SearchHit['conversation']>();
    for (const m of shown) {
      let conversation = conversations.get(m.conversation_id);
      if (!conversation) {
        const c = this.conversationRow(m.conversation_id);
        if (!c) continue;
        conversation = { id: c.id, subject: c.subject, participants: parsePeople(c.participants) };
        conversations.set(c.id, conversation);
      }
      hits.push({
        conversationId: m.conversation_id,
        messageId: m.id,
        at: m.at,
        author: m.author_sip == null ? null : { sip: m.author_sip, name: m.author_name ?? '' },
        direction: m.direction,
        snippet: snippetOf(m.text, words),
        conversation,
      });
    }
    return hits;
  }

  // --- outbox -------------------------------------------------------------------------------------

  enqueueOutbox(input: { conversationId: number; text: string; html?: string | null; author: Person; clientId?: string }): OutboxItem {
    this.requireConversation(input.conversationId);
    const clientId = input.clientId ?? randomUUID();
    const existing = this.outboxRow(clientId);
    if (existing) return toOutbox(existing); // idempotent: a retried enqueue is not a second message
    if (typeof input.text !== 'string' || (!input.text.trim() && !input.html)) throw new StoreError('other', 'an empty message cannot be sent');
    const now = Date.now();
    const msg = this.st<MessageRow>(
      `INSERT INTO messages (conversation_id, chat_id, author_sip, author_name, direction, at, text, html, origin, client_id, delivery)
       VALUES (?, ${chatOfConversationSql('?')}, ?, ?, 'Outgoing', ?, ?, ?, 'outbox', ?, 'queued') RETURNING *`,
    ).get(input.conversationId, input.conversationId, normalizeSip(input.author.sip), input.author.name ?? '', now, input.text, input.html ?? null, clientId)!;
    const item = this.st<OutboxRow>(
      `INSERT INTO outbox (client_id, conversation_id, message_id, text, html, state, attempts, created_at)
       VALUES (?, ?, ?, ?, ?, 'queued', 0, ?) RETURNING *`,
    ).get(clientId, input.conversationId, msg.id, input.text, input.html ?? null, now)!;
    this.touchConversation(input.conversationId, now, input.text, false);
    const out = toOutbox(item);
    this.emit({ kind: 'message', message: toMessage(msg) });
    this.emit({ kind: 'delivery', item: out });
    this.emitConversation(input.conversationId);
    return out;
  }

  /** Items the service still has to settle, in the order they were written (the outbox sequence). */
  pendingOutbox(conversationId?: number): OutboxItem[] {
    const rows = conversationId == null
      ? this.st<OutboxRow>(`SELECT * FROM outbox WHERE state IN ${PENDING_STATES} ORDER BY seq`).all()
      : this.st<OutboxRow>(`SELECT * FROM outbox WHERE state IN ${PENDING_STATES} AND conversation_id = ? ORDER BY seq`).all(conversationId);
    return rows.map(toOutbox);
  }

  outboxItem(clientId: string): OutboxItem | null {
    const row = this.outboxRow(String(clientId));
    return row ? toOutbox(row) : null;
  }

  /**
   * Move an outbox item to `state`; its message row's delivery and delivery error follow in the
   * same transaction. 'delivered' is final (it can only be confirmed again): a message that went
   * out is never queued again.
   */
  setOutboxState(clientId: string, state: DeliveryState, extra?: OutboxUpdate): OutboxItem {
    if (!DELIVERY_STATES.has(state)) throw new StoreError('other', `unknown delivery state ${String(state)}`);
    const item = this.outboxRow(clientId);
    if (!item) throw notFound(`outbox item ${clientId}`);
    if (item.state === 'delivered' && state !== 'delivered') {
      throw new StoreError('other', `outbox item ${clientId} was delivered: it cannot become '${state}'`);
    }
    const lastError = state === 'failed' ? (extra?.error ?? item.last_error ?? 'failed') : (extra?.error ?? null);
    const operationId = extra?.operationId !== undefined ? extra.operationId : item.operation_id;
    const location = extra?.location !== undefined ? extra.location : item.location;
    const maybeDuplicate = extra?.maybeDuplicate !== undefined ? (extra.maybeDuplicate ? 1 : 0) : item.maybe_duplicate;
    const updated = this.st<OutboxRow>(
      `UPDATE outbox SET state = ?, attempts = attempts + ?, last_error = ?, operation_id = ?, location = ?, maybe_duplicate = ?
       WHERE client_id = ? RETURNING *`,
    ).get(state, state === 'sending' ? 1 : 0, lastError, operationId, location, maybeDuplicate, clientId)!;
    let msg = this.messageRow(item.message_id);
    if (msg) {
      if (state === 'delivered') {
        const conv = this.requireConversation(item.conversation_id);
        const at = Math.trunc(extra?.sentAt ?? msg.at);
        const thread = threadOrConversation(extra?.threadId ?? conv.thread_id, conv.id);
        let key: string | null = dedupeKey(thread, at, msg.author_sip, msg.text);
        // The transcript (or live) copy may already be here: merge it into the outbox row (one row
        // stays). A twin that is another outbox message is another message the user wrote (the
        // same text twice, stamped alike): both stay, this one without the key.
        let twin = this.st<MessageRow>('SELECT * FROM messages WHERE dedupe_key = ? AND id <> ?').get(key, msg.id);
        if (twin?.client_id != null) {
          twin = undefined;
          key = msg.dedupe_key === key ? key : null;
        }
        if (twin) {
          this.st('DELETE FROM messages WHERE id = ?').run(twin.id);
          this.emit({ kind: 'messageRemoved', conversationId: twin.conversation_id, messageId: twin.id });
        }
        msg = this.st<MessageRow>(
          `UPDATE messages SET at = ?, dedupe_key = ?, delivery = 'delivered', delivery_error = ?,
             html = coalesce(html, ?), author_name = coalesce(nullif(author_name, ''), ?)
           WHERE id = ? RETURNING *`,
        ).get(at, key, lastError, twin?.html ?? null, twin?.author_name ?? null, msg.id)!;
        this.refreshActivity(conv.id);
        this.emitConversation(conv.id);
      } else {
        msg = this.st<MessageRow>('UPDATE messages SET delivery = ?, delivery_error = ? WHERE id = ? RETURNING *')
          .get(state, lastError, msg.id)!;
      }
      this.emit({ kind: 'message', message: toMessage(msg) });
    }
    const out = toOutbox(updated);
    this.emit({ kind: 'delivery', item: out });
    return out;
  }

  /**
   * The user gives up on a message that did not go out (queued, sending, failed, uncertain): the
   * outbox item and its message row go away. One the server accepted or delivered stays in the
   * history: refused with a StoreError. An unknown clientId is a no-op.
   */
  discardOutbox(clientId: string): void {
    const item = this.outboxRow(clientId);
    if (!item) return;
    if (item.state === 'accepted' || item.state === 'delivered') {
      throw new StoreError('other', `outbox item ${clientId} was ${item.state} by the server: it stays in the history`);
    }
    this.st('DELETE FROM outbox WHERE client_id = ?').run(clientId);
    const gone = this.st('DELETE FROM messages WHERE id = ?').run(item.message_id);
    if (gone.changes > 0) this.emit({ kind: 'messageRemoved', conversationId: item.conversation_id, messageId: item.message_id });
    this.refreshActivity(item.conversation_id);
    this.emitConversation(item.conversation_id);
  }

  // --- contacts -----------------------------------------------------------------------------------

  upsertContacts(people: Person[]): void {
    this.upsertPeople(people);
  }

  listContacts(query?: string, limit = 50): Person[] {
    const n = clampLimit(limit);
    // No name or address is longer (LIMITS.nameChars): a pasted page of text costs what a name does.
    const q = (query ?? '').trim().slice(0, 512).toLowerCase();
    if (!q) return this.st<Person>('SELECT sip, name FROM people ORDER BY name COLLATE NOCASE, sip LIMIT ?').all(n);
    const like = (t: string) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.st<Person>(
      `SELECT sip, name FROM people WHERE sip LIKE ? ESCAPE '\\' OR ucwa_fold(name) LIKE ? ESCAPE '\\'
       ORDER BY name COLLATE NOCASE, sip LIMIT ?`,
    ).all(like(q), like(foldWord(q)), n);
  }

  // --- maintenance --------------------------------------------------------------------------------

  stats(): StoreStats {
    const simple = (p: string) => this.db.pragma(p, { simple: true }) as number;
    return {
      pageCount: simple('page_count'),
      pageSize: simple('page_size'),
      freelistCount: simple('freelist_count'),
      messages: this.st<{ n: number }>('SELECT count(*) AS n FROM messages').get()!.n,
      conversations: this.st<{ n: number }>('SELECT count(*) AS n FROM conversations').get()!.n,
    };
  }
}
