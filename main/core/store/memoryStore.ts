// The Store contract (types.ts) held in this process's memory: for tests of the core that do not
// care about persistence, and as the CLI's fallback where the SQLite store cannot open.
// Same semantics as the SQLite store: store-issued ids, logs keyed by the last href segment,
// live threads adopted by their log, dedupe by thread + time + author + text hash, keyset cursors,
// FTS-like prefix search with U+E000/U+E001 marked snippets, the outbox lifecycle, change events.
// Every value handed out is a copy: callers can never mutate the store's state by accident.
import { createHash, randomUUID } from 'node:crypto';
import { StoreError } from './types.ts';
import type {
  Conversation, ConversationFilter, Direction, LogInput, Message, MessageInput, OutboxItem, Page, Person,
  SearchHit, Store, StoreChange, SyncCheckpoint, UnreadSummary, DeliveryState,
} from './types.ts';

export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
const PREVIEW_CHARS = 200;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

/** "Alice@Contoso.com" / "sip:alice@contoso.com" → "sip:alice@contoso.com". */
export function normalizeSip(sip: string): string {
  const s = sip.trim().toLowerCase();
  return s.startsWith('sip:') ? s : `sip:${s}`;
}

function person(p: Person): Person {
  return { sip: normalizeSip(p.sip), name: p.name };
}

/** thread + timestamp + author + hash(text): the live and the transcript copy of a message meet here. */
export function dedupeKey(threadId: string, at: number, author: Person | null, text: string): string {
  const hash = createHash('sha256').update(text.trim()).digest('base64url').slice(0, 22);
  return `${threadId}|${at}|${author ? normalizeSip(author.sip) : ''}|${hash}`;
}

// --- keyset cursors: opaque to callers, (time, id) of the last row of the previous page ---------
function encodeCursor(at: number, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}
function decodeCursor(cursor: string | null | undefined): [number, number] | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && Number.isFinite(n))) return [v[0] as number, v[1] as number];
  } catch { /* fall through */ }
  throw new StoreError('other', 'Invalid page cursor.');
}
function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE;
  return Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
}
/** Rows sorted newest first by (t, id); keep those strictly older than the cursor. */
function keysetPage<T>(rows: T[], key: (row: T) => [number, number], cursor: string | null | undefined, limit: number | undefined): Page<T> {
  const after = decodeCursor(cursor);
  const size = pageSize(limit);
  const sorted = [...rows].sort((a, b) => {
    const [ta, ia] = key(a); const [tb, ib] = key(b);
    return tb - ta || ib - ia;
  });
  const from = after
    ? sorted.filter((r) => { const [t, i] = key(r); return t < after[0] || (t === after[0] && i < after[1]); })
    : sorted;
  const items = from.slice(0, size);
  const last = items.at(-1);
  const next = from.length > size && last ? encodeCursor(...key(last)) : null;
  return { items, next };
}

// --- search: FTS5 unicode61 (remove_diacritics) + prefix queries, without FTS5 syntax ----------
const WORD = /[\p{L}\p{N}]+/gu;
function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}
/** The user's text as plain terms: quotes, stars, NEAR, AND/OR/NOT, parentheses are just characters. */
export function searchTerms(text: string): string[] {
  return [...new Set((fold(text).match(WORD) ?? []))];
}
function stripMarks(s: string): string {
  return s.replace(/[\uE000\uE001]/g, '');
}
/** Every term must be the prefix of a word of the text (FTS5 `"term"*` AND …). Returns the matching word spans or null. */
function matchSpans(text: string, terms: string[]): [number, number][] | null {
  const spans: [number, number][] = [];
  const found = new Set<string>();
  for (const m of text.matchAll(WORD)) {
    const w = fold(m[0]);
    let hit = false;
    for (const t of terms) if (w.startsWith(t)) { found.add(t); hit = true; }
    if (hit) spans.push([m.index, m.index + m[0].length]);
  }
  return found.size === terms.length ? spans : null;
}
/** ~ FTS5 snippet(): a window of the text around the first match, matches wrapped in U+E000 … U+E001. */
export function makeSnippet(text: string, spans: [number, number][], maxChars = 120): string {
  const first = spans[0];
  if (!first) return stripMarks(text.slice(0, maxChars));
  let start = Math.max(0, first[0] - Math.floor(maxChars / 3));
  let end = Math.min(text.length, start + maxChars);
  start = Math.max(0, Math.min(start, end - maxChars));
  // Do not cut words in half at the edges.
  if (start > 0) { const ws = text.slice(start).search(/\s/); if (ws >= 0 && start + ws < first[0]) start += ws + 1; }
  if (end < text.length) { const ws = text.slice(0, end).search(/\s\S*$/); if (ws > first[1]) end = ws; }
  let out = start > 0 ? '…' : '';
  let pos = start;
  for (const [a, b] of spans) {
    if (b <= start || a >= end) continue;
    const s = Math.max(a, start); const e = Math.min(b, end);
    out += stripMarks(text.slice(pos, s)) + MARK_START + stripMarks(text.slice(s, e)) + MARK_END;
    pos = e;
  }
  out += stripMarks(text.slice(pos, end));
  if (end < text.length) out += '…';
  return out;
}

function previewOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

interface StoredMessage extends Message {
  dedupe: string | null;
}

export function createMemoryStore(): Store {
  let closed = false;
  let nextConversationId = 1;
  let nextMessageId = 1;
  const conversations = new Map<number, Conversation>();
  const fingerprints = new Map<number, string>();
  const byLogKey = new Map<string, number>();
  const messages = new Map<number, StoredMessage>();
  const messagesOf = new Map<number, Set<number>>();
  const byDedupe = new Map<string, number>();
  const outbox = new Map<string, OutboxItem>();
  const contacts = new Map<string, Person>();
  const listeners = new Set<(change: StoreChange) => void>();

  function open(): void {
    if (closed) throw new StoreError('closed', 'The history store is closed.');
  }
  function emit(change: StoreChange): void {
    for (const l of [...listeners]) {
      try { l(structuredClone(change)); } catch { /* a listener's bug must not break a write */ }
    }
  }
  function counts(): Omit<UnreadSummary, 'latest'> {
    let unreadConversations = 0; let missedConversations = 0;
    for (const c of conversations.values()) {
      if (c.unread) unreadConversations++;
      if (c.unread && c.missed) missedConversations++;
    }
    return { unreadConversations, missedConversations };
  }
  /** Run a mutation and emit the unread summary when it changed. */
  function tracking<T>(fn: () => T): T {
    const before = counts();
    const result = fn();
    const after = counts();
    if (before.unreadConversations !== after.unreadConversations || before.missedConversations !== after.missedConversations) {
      emit({ kind: 'unread', summary: after });
    }
    return result;
  }
  function conversationOrThrow(id: number): Conversation {
    const c = conversations.get(id);
    if (!c) throw new StoreError('other', `Unknown conversation ${id}.`);
    return c;
  }
  function publicMessage(m: StoredMessage): Message {
    const { dedupe: _dedupe, ...rest } = m;
    return structuredClone(rest);
  }
  function threadOf(c: Conversation, threadId: string | null): string {
    return threadId ?? c.threadId ?? `conversation:${c.id}`;
  }
  function touch(c: Conversation, m: Message): void {
    if (m.at >= c.lastActivityAt) {
      c.lastActivityAt = m.at;
      if (m.text.trim()) c.preview = previewOf(m.text);
    } else if (!c.preview && m.text.trim()) {
      c.preview = previewOf(m.text);
    }
  }
  function insertMessage(c: Conversation, threadId: string | null, input: MessageInput, extra: Partial<Message> = {}): { message: StoredMessage; inserted: boolean } {
    const author = input.author ? person(input.author) : null;
    const dedupe = input.origin === 'outbox' ? null : dedupeKey(threadOf(c, threadId), input.at, author, input.text);
    if (dedupe !== null) {
      const existingId = byDedupe.get(dedupe);
      const existing = existingId !== undefined ? messages.get(existingId) : undefined;
      if (existing) return { message: existing, inserted: false };
    }
    const m: StoredMessage = {
      id: nextMessageId++,
      conversationId: c.id,
      author,
      direction: input.direction,
      at: input.at,
      text: input.text,
      html: input.html ?? null,
      origin: input.origin,
      clientId: null,
      delivery: null,
      deliveryError: null,
      ...extra,
      dedupe,
    };
    messages.set(m.id, m);
    let set = messagesOf.get(c.id);
    if (!set) { set = new Set(); messagesOf.set(c.id, set); }
    set.add(m.id);
    if (dedupe !== null) byDedupe.set(dedupe, m.id);
    touch(c, m);
    return { message: m, inserted: true };
  }
  function newConversation(fields: Omit<Conversation, 'id'>): Conversation {
    const c: Conversation = { id: nextConversationId++, ...fields };
    conversations.set(c.id, c);
    return c;
  }
  function findByThread(threadId: string): Conversation | null {
    let best: Conversation | null = null;
    for (const c of conversations.values()) {
      if (c.threadId !== threadId) continue;
      if (!best || c.lastActivityAt > best.lastActivityAt || (c.lastActivityAt === best.lastActivityAt && c.id > best.id)) best = c;
    }
    return best;
  }
  function outboxOrThrow(clientId: string): OutboxItem {
    const item = outbox.get(clientId);
    if (!item) throw new StoreError('other', `Unknown outbox item ${clientId}.`);
    return item;
  }
  function rebuildPreview(c: Conversation): void {
    let newest: StoredMessage | null = null;
    for (const id of messagesOf.get(c.id) ?? []) {
      const m = messages.get(id);
      if (m && (!newest || m.at > newest.at || (m.at === newest.at && m.id > newest.id))) newest = m;
    }
    if (newest) { c.preview = previewOf(newest.text); c.lastActivityAt = Math.max(c.createdAt, newest.at); }
  }

  const store: Store = {
    async upsertLog(log: LogInput, fingerprint: string) {
      open();
      return tracking(() => {
        let c: Conversation | null = null;
        const knownId = byLogKey.get(log.logKey);
        if (knownId !== undefined) c = conversations.get(knownId) ?? null;
        // A live conversation (no log yet) of the same thread adopts its log.
        if (!c && log.threadId) {
          const live = findByThread(log.threadId);
          if (live && live.logKey === null) c = live;
        }
        const participants = log.participants.map(person);
        if (!c) {
          c = newConversation({
            logKey: log.logKey, logHref: log.href, threadId: log.threadId, subject: log.subject, type: log.type,
            direction: log.direction, status: log.status, importance: log.importance, createdAt: log.createdAt,
            lastActivityAt: log.createdAt, preview: previewOf(log.preview), participants, unread: log.unread,
            missed: log.status === 'Missed', transcriptsComplete: false,
          });
          byLogKey.set(log.logKey, c.id);
          fingerprints.set(c.id, fingerprint);
          emit({ kind: 'conversation', conversation: structuredClone(c) });
          return { conversation: structuredClone(c), needsTranscripts: true };
        }
        const changed = fingerprints.get(c.id) !== fingerprint || c.logKey !== log.logKey || c.logHref !== log.href;
        const adopted = c.logKey === null;
        c.logHref = log.href; // hrefs change with every application: always keep the latest
        if (changed) {
          c.logKey = log.logKey;
          byLogKey.set(log.logKey, c.id);
          if (log.threadId) c.threadId = log.threadId;
          c.subject = log.subject || c.subject;
          c.type = log.type;
          c.direction = adopted ? c.direction : log.direction;
          c.status = log.status;
          c.importance = log.importance;
          if (!adopted) c.createdAt = log.createdAt;
          c.lastActivityAt = Math.max(c.lastActivityAt, c.createdAt);
          if (log.preview.trim() && (!adopted || !c.preview)) c.preview = previewOf(log.preview);
          if (participants.length) c.participants = participants;
          c.missed = log.status === 'Missed';
          // The server's read state wins when the log changed (read elsewhere, or new again).
          c.unread = adopted ? c.unread || log.unread : log.unread;
          fingerprints.set(c.id, fingerprint);
          emit({ kind: 'conversation', conversation: structuredClone(c) });
        }
        return { conversation: structuredClone(c), needsTranscripts: !c.transcriptsComplete };
      });
    },

    async checkpoints(logKeys: string[]) {
      open();
      const out: SyncCheckpoint[] = [];
      for (const logKey of logKeys) {
        const id = byLogKey.get(logKey);
        const c = id !== undefined ? conversations.get(id) : undefined;
        if (c && id !== undefined) out.push({ logKey, fingerprint: fingerprints.get(id) ?? '', transcriptsComplete: c.transcriptsComplete });
      }
      return out;
    },

    async putTranscriptPage(conversationId, threadId, page, complete) {
      open();
      const c = conversationOrThrow(conversationId);
      const added: StoredMessage[] = [];
      for (const input of page) {
        const r = insertMessage(c, threadId, input);
        if (r.inserted) added.push(r.message);
      }
      const wasComplete = c.transcriptsComplete;
      if (complete) c.transcriptsComplete = true;
      for (const m of added) emit({ kind: 'message', message: publicMessage(m) });
      if (added.length || wasComplete !== c.transcriptsComplete) emit({ kind: 'conversation', conversation: structuredClone(c) });
      return { added: added.length };
    },

    async ensureLiveConversation(input: { threadId: string; subject: string; direction: Direction; participants: Person[]; startedAt: number }) {
      open();
      const existing = findByThread(input.threadId);
      if (existing) {
        if (!existing.participants.length && input.participants.length) {
          existing.participants = input.participants.map(person);
          emit({ kind: 'conversation', conversation: structuredClone(existing) });
        }
        return structuredClone(existing);
      }
      const c = newConversation({
        logKey: null, logHref: null, threadId: input.threadId, subject: input.subject, type: 'Live',
        direction: input.direction, status: 'Live', importance: 'Normal', createdAt: input.startedAt,
        lastActivityAt: input.startedAt, preview: '', participants: input.participants.map(person),
        unread: false, missed: false, transcriptsComplete: false,
      });
      emit({ kind: 'conversation', conversation: structuredClone(c) });
      return structuredClone(c);
    },

    async getConversation(id: number) {
      open();
      const c = conversations.get(id);
      return c ? structuredClone(c) : null;
    },

    async findConversationByThread(threadId: string) {
      open();
      const c = findByThread(threadId);
      return c ? structuredClone(c) : null;
    },

    async listConversations(query: { filter?: ConversationFilter; contact?: string; cursor?: string | null; limit?: number }) {
      open();
      const contact = query.contact ? normalizeSip(query.contact) : null;
      const rows = [...conversations.values()].filter((c) => {
        if (query.filter === 'unread' && !c.unread) return false;
        if (query.filter === 'missed' && !c.missed) return false;
        if (contact && !c.participants.some((p) => p.sip === contact)) return false;
        return true;
      });
      const page = keysetPage(rows, (c) => [c.lastActivityAt, c.id], query.cursor, query.limit);
      return { items: page.items.map((c) => structuredClone(c)), next: page.next };
    },

    async markRead(conversationId: number) {
      open();
      tracking(() => {
        const c = conversations.get(conversationId);
        if (!c || !c.unread) return;
        c.unread = false;
        emit({ kind: 'conversation', conversation: structuredClone(c) });
      });
    },

    async unreadSummary(limit = 10) {
      open();
      const latest = keysetPage([...conversations.values()].filter((c) => c.unread), (c) => [c.lastActivityAt, c.id], null, Math.max(1, limit)).items;
      return { ...counts(), latest: limit <= 0 ? [] : latest.map((c) => structuredClone(c)) };
    },

    async addMessage(conversationId, threadId, input, opts) {
      open();
      return tracking(() => {
        const c = conversationOrThrow(conversationId);
        const r = insertMessage(c, threadId, input);
        if (r.inserted) {
          if (opts?.markUnread) c.unread = true;
          emit({ kind: 'message', message: publicMessage(r.message) });
          emit({ kind: 'conversation', conversation: structuredClone(c) });
        }
        return { message: publicMessage(r.message), inserted: r.inserted };
      });
    },

    async listMessages(conversationId, query) {
      open();
      const rows = [...(messagesOf.get(conversationId) ?? [])].map((id) => messages.get(id)).filter((m): m is StoredMessage => !!m);
      const page = keysetPage(rows, (m) => [m.at, m.id], query.cursor, query.limit);
      return { items: page.items.map(publicMessage), next: page.next };
    },

    async messagesAround(messageId, radius = 10) {
      open();
      const target = messages.get(messageId);
      if (!target) return [];
      const rows = [...(messagesOf.get(target.conversationId) ?? [])]
        .map((id) => messages.get(id)).filter((m): m is StoredMessage => !!m)
        .sort((a, b) => a.at - b.at || a.id - b.id);
      const i = rows.findIndex((m) => m.id === messageId);
      const r = Math.max(0, Math.floor(radius));
      return rows.slice(Math.max(0, i - r), i + r + 1).map(publicMessage);
    },

    async search(text, query = {}) {
      open();
      const terms = searchTerms(text);
      if (!terms.length) return [];
      const limit = pageSize(query.limit);
      const hits: (SearchHit & { id: number })[] = [];
      for (const m of messages.values()) {
        if (query.conversationId !== undefined && m.conversationId !== query.conversationId) continue;
        const spans = matchSpans(m.text, terms);
        if (!spans) continue;
        const c = conversations.get(m.conversationId);
        if (!c) continue;
        hits.push({
          id: m.id, conversationId: m.conversationId, messageId: m.id, at: m.at,
          author: m.author ? { ...m.author } : null, snippet: makeSnippet(m.text, spans),
          conversation: { id: c.id, subject: c.subject, participants: structuredClone(c.participants) },
        });
      }
      hits.sort((a, b) => b.at - a.at || b.id - a.id);
      return hits.slice(0, limit).map(({ id: _id, ...hit }) => hit);
    },

    async enqueueOutbox(input) {
      open();
      const clientId = input.clientId ?? randomUUID();
      const known = outbox.get(clientId);
      if (known) return { ...known }; // idempotent: a retried enqueue does not duplicate the message
      if (!input.text.trim() && !input.html) throw new StoreError('other', 'An empty message cannot be sent.');
      const c = conversationOrThrow(input.conversationId);
      const now = Date.now();
      const { message } = insertMessage(c, null, { author: input.author, direction: 'Outgoing', at: now, text: input.text, html: input.html ?? null, origin: 'outbox' }, { clientId, delivery: 'queued' });
      const item: OutboxItem = {
        clientId, conversationId: c.id, messageId: message.id, text: input.text, html: input.html ?? null,
        state: 'queued', attempts: 0, lastError: null, createdAt: now,
      };
      outbox.set(clientId, item);
      emit({ kind: 'message', message: publicMessage(message) });
      emit({ kind: 'delivery', item: { ...item } });
      emit({ kind: 'conversation', conversation: structuredClone(c) });
      return { ...item };
    },

    async pendingOutbox(conversationId?: number) {
      open();
      return [...outbox.values()]
        .filter((i) => (i.state === 'queued' || i.state === 'sending') && (conversationId === undefined || i.conversationId === conversationId))
        .sort((a, b) => a.createdAt - b.createdAt || a.messageId - b.messageId)
        .map((i) => ({ ...i }));
    },

    async outboxItem(clientId: string) {
      open();
      const item = outbox.get(clientId);
      return item ? { ...item } : null;
    },

    async setOutboxState(clientId: string, state: DeliveryState, extra = {}) {
      open();
      const item = outboxOrThrow(clientId);
      const m = messages.get(item.messageId);
      const c = conversations.get(item.conversationId);
      if (state === 'sending') item.attempts++;
      if (state === 'failed') item.lastError = extra.error ?? item.lastError ?? 'Not delivered.';
      else if (state === 'sent' || state === 'queued') item.lastError = extra.error ?? (state === 'sent' ? null : item.lastError);
      item.state = state;
      if (m) {
        m.delivery = state;
        m.deliveryError = item.lastError;
        if (state === 'sent' && c) {
          if (extra.sentAt !== undefined) m.at = extra.sentAt;
          if (m.dedupe !== null) byDedupe.delete(m.dedupe);
          const key = dedupeKey(threadOf(c, extra.threadId ?? null), m.at, m.author, m.text);
          // A live or transcript copy stored before the confirmation is the same message: keep this one.
          const twinId = byDedupe.get(key);
          const twin = twinId !== undefined && twinId !== m.id ? messages.get(twinId) : undefined;
          if (twin) {
            messages.delete(twin.id);
            messagesOf.get(twin.conversationId)?.delete(twin.id);
            emit({ kind: 'messageRemoved', conversationId: twin.conversationId, messageId: twin.id });
          }
          m.dedupe = key;
          byDedupe.set(key, m.id);
          touch(c, m);
        }
        emit({ kind: 'message', message: publicMessage(m) });
      }
      emit({ kind: 'delivery', item: { ...item } });
      if (state === 'sent' && c) emit({ kind: 'conversation', conversation: structuredClone(c) });
      return { ...item };
    },

    async discardOutbox(clientId: string) {
      open();
      const item = outbox.get(clientId);
      if (!item) return;
      outbox.delete(clientId);
      const m = messages.get(item.messageId);
      if (m) {
        messages.delete(m.id);
        messagesOf.get(m.conversationId)?.delete(m.id);
        if (m.dedupe !== null) byDedupe.delete(m.dedupe);
        emit({ kind: 'messageRemoved', conversationId: m.conversationId, messageId: m.id });
      }
      const c = conversations.get(item.conversationId);
      if (c) { rebuildPreview(c); emit({ kind: 'conversation', conversation: structuredClone(c) }); }
    },

    async upsertContacts(people: Person[]) {
      open();
      for (const p of people) contacts.set(normalizeSip(p.sip), person(p));
    },

    async listContacts(query?: string, limit = 50) {
      open();
      const q = query ? fold(query.trim()) : '';
      return [...contacts.values()]
        .filter((p) => !q || fold(p.name).includes(q) || p.sip.includes(q))
        .sort((a, b) => a.name.localeCompare(b.name) || a.sip.localeCompare(b.sip))
        .slice(0, pageSize(limit))
        .map((p) => ({ ...p }));
    },

    onChange(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },

    async close() {
      closed = true;
      listeners.clear();
    },
  };
  return store;
}
