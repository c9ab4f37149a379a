// The SQLite Store (DESIGN.md §5): this side runs on the calling thread (Electron main or the CLI)
// and never runs a query — every operation is a typed request to the worker (worker.ts), which
// owns the database. Change events are emitted here once the worker reports a committed write.
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CheckpointMode, IntegrityStatus, OpName, OpenResult, Ops, Request, StoreStats, WorkerMessage } from './protocol.ts';
import type { Store, StoreChange } from './types.ts';
import { StoreError } from './types.ts';
import { describeError } from '../logSafe.ts';

export interface SqliteStoreOptions {
  /** The user data folder; the database file goes directly inside it. */
  dataDir: string;
  /** The signed-in SIP account ("sip:alice@contoso.com"); one database per account. */
  account: string;
  log?: (line: string) => void;
  /** Where the worker script is (default: next to this module, or next to the bundle). */
  workerPath?: string;
  busyTimeoutMs?: number;
  /** How often to run a PASSIVE WAL checkpoint (default 5 minutes; 0 disables). */
  checkpointIntervalMs?: number;
  /** Age of the last full integrity check that makes a background one due (default 7 days). */
  fullCheckMaxAgeMs?: number;
  /** Idle time of the worker before the background check starts (default 10 s). */
  backgroundCheckIdleMs?: number;
}

export interface SqliteStore extends Store {
  /** The database file. */
  readonly path: string;
  /** The worker currently serving the store (null between a crash and the next request). */
  readonly worker: Worker | null;
  /** Set when the database was found damaged (at open or while in use) and moved aside. */
  readonly movedAside: string | null;
  /** How the last (re)open checked the database (null before the first open). */
  readonly lastOpen: OpenResult['integrity'] | null;
  /** Diagnostics: open check, last full check, background check state. */
  integrity(): Promise<IntegrityStatus>;
  checkpoint(mode?: CheckpointMode): Promise<Ops['checkpoint']['result']>;
  quickCheck(): Promise<string[]>;
  stats(): Promise<StoreStats>;
}

const DEFAULT_CHECKPOINT_MS = 5 * 60_000;

/** "sip:Alice@Contoso.com" → "alice@contoso.com-1a2b3c4d.sqlite": readable, filesystem-safe, and
 * distinct per account even where sanitising maps two accounts to the same characters. */
export function databaseFileName(account: string): string {
  const normalized = account.trim().toLowerCase().replace(/^sip:/, '');
  // Only a prefix is made readable (the hash keeps every character apart): a hostile or mistyped
  // 1 MB account name costs nothing more than a short one.
  const readable = normalized.slice(0, 256).replace(/[^a-z0-9._@-]/g, '_').replace(/^[.-]+/, '').slice(0, 64) || 'account';
  const hash = createHash('sha256').update(normalized).digest('hex').slice(0, 8);
  return `${readable}-${hash}.sqlite`;
}

/**
 * The worker script: beside this module when it runs as TypeScript (tests, CLI from source);
 * beside the bundle (out/main/storeWorker.mjs) when bundled — the CLI bundle in out/cli looks in
 * ../main. The first candidate that exists wins.
 */
export function resolveWorkerPath(override?: string): URL {
  if (override) return pathToFileURL(override);
  const self = import.meta.url;
  if (self.endsWith('.ts')) return new URL('./worker.ts', self);
  const here = dirname(fileURLToPath(self));
  const candidates = [join(here, 'storeWorker.mjs'), join(here, '..', 'main', 'storeWorker.mjs'), join(here, 'worker.js')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new StoreError('other', `store worker script not found (looked in ${candidates.join(', ')})`);
  return pathToFileURL(found);
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: StoreError): void;
}

class SqliteStoreImpl implements SqliteStore {
  readonly path: string;
  movedAside: string | null = null;
  lastOpen: OpenResult['integrity'] | null = null;
  /** The previous worker stopped without closing the database (the next open checks it fully). */
  private crashed = false;
  private readonly opts: SqliteStoreOptions;
  private readonly log: (line: string) => void;
  private readonly workerUrl: URL;
  private current: Worker | null = null;
  private opening: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(opts: SqliteStoreOptions) {
    this.opts = opts;
    this.log = opts.log ?? (() => {});
    this.path = join(opts.dataDir, databaseFileName(opts.account));
    this.workerUrl = resolveWorkerPath(opts.workerPath);
  }

  get worker(): Worker | null {
    return this.current;
  }

  async start(): Promise<void> {
    await this.ensureOpen();
    const every = this.opts.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_MS;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.checkpoint('PASSIVE').catch((err: unknown) => this.log(`store: periodic checkpoint failed: ${describeError(err)}`));
      }, every);
      this.timer.unref();
    }
  }

  // --- worker plumbing ----------------------------------------------------------------------------

  private spawn(): Worker {
    // A worker inherits the process's flags; --input-type (node -e) would make it fail to start.
    const evalFlags = process.execArgv.some((a) => a.startsWith('--input-type'));
    const w = new Worker(this.workerUrl, { name: 'ucwa-store', ...(evalFlags ? { execArgv: [] } : {}) });
    w.unref();
    w.on('message', (m: WorkerMessage) => this.onMessage(m));
    w.on('error', (err) => this.onWorkerGone(w, `error: ${err.message}`));
    w.on('exit', (code) => this.onWorkerGone(w, `exit code ${code}`));
    this.current = w;
    return w;
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'log') {
      this.log(m.line);
      return;
    }
    if (m.type === 'reset') {
      this.movedAside = m.movedAside;
      this.emit({ kind: 'reset', reason: m.reason });
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    this.updateRef();
    if (m.ok) {
      for (const change of m.changes) this.emit(change);
      p.resolve(m.result);
    } else {
      p.reject(new StoreError(m.error.kind, m.error.message));
    }
  }

  private onWorkerGone(w: Worker, reason: string): void {
    if (this.current !== w) return;
    this.current = null;
    this.opening = null;
    if (!this.closing) {
      this.crashed = true;
      this.log(`store: the database worker stopped (${reason}); it will be restarted on the next request`);
    }
    const err = new StoreError(this.closed ? 'closed' : 'other', `the store worker stopped (${reason})`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Keep the process alive only while a request is waiting for its answer. */
  private updateRef(): void {
    if (!this.current) return;
    if (this.pending.size > 0) this.current.ref();
    else this.current.unref();
  }

  private send<K extends OpName>(w: Worker, op: K, args: Ops[K]['args']): Promise<Ops[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.updateRef();
      const req = { id, op, args } as Request;
      try {
        w.postMessage(req);
      } catch (err) {
        this.pending.delete(id);
        reject(new StoreError('other', `cannot reach the store worker: ${String(err)}`));
      }
    });
  }

  private ensureOpen(): Promise<void> {
    if (this.current && this.opening) return this.opening;
    const w = this.spawn();
    const afterCrash = this.crashed;
    const opening = this.send(w, 'open', [{
      path: this.path, account: this.opts.account, busyTimeoutMs: this.opts.busyTimeoutMs, afterCrash,
      fullCheckMaxAgeMs: this.opts.fullCheckMaxAgeMs, backgroundCheckIdleMs: this.opts.backgroundCheckIdleMs,
    }])
      .then((r: OpenResult) => {
        if (r.movedAside) this.movedAside = r.movedAside;
        this.lastOpen = r.integrity;
        this.crashed = false;
      })
      .catch(async (err: unknown) => {
        if (this.current === w) {
          this.current = null;
          this.opening = null;
        }
        await w.terminate();
        throw err;
      });
    this.opening = opening;
    return opening;
  }

  private async call<K extends OpName>(op: K, ...args: Ops[K]['args']): Promise<Ops[K]['result']> {
    if (this.closed || this.closing) throw new StoreError('closed', 'the store is closed');
    // The arguments as they are now: the request is posted only once the worker is open, and a
    // caller changing its objects meanwhile must not change what is stored.
    let copy: Ops[K]['args'];
    try {
      copy = structuredClone(args);
    } catch (err) {
      throw new StoreError('other', `cannot pass the arguments to the store: ${String(err)}`);
    }
    await this.ensureOpen();
    const w = this.current;
    if (!w || this.closed) throw new StoreError('closed', 'the store is closed');
    return this.send(w, op, copy);
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.log(`store: a change listener threw: ${describeError(err)}`);
      }
    }
  }

  // --- Store ----------------------------------------------------------------------------------------

  upsertLog(...a: Ops['upsertLog']['args']) { return this.call('upsertLog', ...a); }
  checkpoints(...a: Ops['checkpoints']['args']) { return this.call('checkpoints', ...a); }
  putTranscriptPage(...a: Ops['putTranscriptPage']['args']) { return this.call('putTranscriptPage', ...a); }
  ensureLiveConversation(...a: Ops['ensureLiveConversation']['args']) { return this.call('ensureLiveConversation', ...a); }
  addConversationParticipants(...a: Ops['addConversationParticipants']['args']) { return this.call('addConversationParticipants', ...a); }
  getConversation(...a: Ops['getConversation']['args']) { return this.call('getConversation', ...a); }
  findConversationByThread(...a: Ops['findConversationByThread']['args']) { return this.call('findConversationByThread', ...a); }
  listConversations(...a: Ops['listConversations']['args']) { return this.call('listConversations', ...a); }
  markRead(...a: Ops['markRead']['args']) { return this.call('markRead', ...a); }
  markAllRead(...a: Ops['markAllRead']['args']) { return this.call('markAllRead', ...a); }
  unreadSummary(...a: Ops['unreadSummary']['args']) { return this.call('unreadSummary', ...a); }
  listChats(...a: Ops['listChats']['args']) { return this.call('listChats', ...a); }
  getChat(...a: Ops['getChat']['args']) { return this.call('getChat', ...a); }
  chatConversationIds(...a: Ops['chatConversationIds']['args']) { return this.call('chatConversationIds', ...a); }
  listChatMessages(...a: Ops['listChatMessages']['args']) { return this.call('listChatMessages', ...a); }
  firstUnreadMessage(...a: Ops['firstUnreadMessage']['args']) { return this.call('firstUnreadMessage', ...a); }
  markChatRead(...a: Ops['markChatRead']['args']) { return this.call('markChatRead', ...a); }
  addMessage(...a: Ops['addMessage']['args']) { return this.call('addMessage', ...a); }
  addMessages(...a: Ops['addMessages']['args']) { return this.call('addMessages', ...a); }
  restampMessage(...a: Ops['restampMessage']['args']) { return this.call('restampMessage', ...a); }
  listMessages(...a: Ops['listMessages']['args']) { return this.call('listMessages', ...a); }
  messagesAround(...a: Ops['messagesAround']['args']) { return this.call('messagesAround', ...a); }
  search(...a: Ops['search']['args']) { return this.call('search', ...a); }
  searchPage(...a: Ops['searchPage']['args']) { return this.call('searchPage', ...a); }
  enqueueOutbox(...a: Ops['enqueueOutbox']['args']) { return this.call('enqueueOutbox', ...a); }
  pendingOutbox(...a: Ops['pendingOutbox']['args']) { return this.call('pendingOutbox', ...a); }
  outboxItem(...a: Ops['outboxItem']['args']) { return this.call('outboxItem', ...a); }
  setOutboxState(...a: Ops['setOutboxState']['args']) { return this.call('setOutboxState', ...a); }
  discardOutbox(...a: Ops['discardOutbox']['args']) { return this.call('discardOutbox', ...a); }
  upsertContacts(...a: Ops['upsertContacts']['args']) { return this.call('upsertContacts', ...a); }
  listContacts(...a: Ops['listContacts']['args']) { return this.call('listContacts', ...a); }
  replaceContactList(...a: Ops['replaceContactList']['args']) { return this.call('replaceContactList', ...a); }
  contactList(...a: Ops['contactList']['args']) { return this.call('contactList', ...a); }
  findPeople(...a: Ops['findPeople']['args']) { return this.call('findPeople', ...a); }
  getPerson(...a: Ops['getPerson']['args']) { return this.call('getPerson', ...a); }
  getPeople(...a: Ops['getPeople']['args']) { return this.call('getPeople', ...a); }
  upsertPeople(...a: Ops['upsertPeople']['args']) { return this.call('upsertPeople', ...a); }
  patchPerson(...a: Ops['patchPerson']['args']) { return this.call('patchPerson', ...a); }
  setGroupCollapsed(...a: Ops['setGroupCollapsed']['args']) { return this.call('setGroupCollapsed', ...a); }

  checkpoint(mode: CheckpointMode = 'PASSIVE') { return this.call('checkpoint', mode); }
  quickCheck() { return this.call('quickCheck'); }
  stats() { return this.call('stats'); }
  integrity() { return this.call('integrity'); }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const w = this.current;
    if (w && this.opening) {
      try {
        await this.opening;
        // Requests already sent are answered first: the worker handles them in order.
        await this.send(w, 'shutdown', []);
      } catch (err) {
        this.log(`store: close: ${describeError(err)}`);
      }
    }
    this.closed = true;
    if (w) await w.terminate();
    this.current = null;
    this.listeners.clear();
  }
}

/** Open the account's store (creating the database on first use). Rejects with a StoreError. */
export async function createSqliteStore(opts: SqliteStoreOptions): Promise<SqliteStore> {
  const store = new SqliteStoreImpl(opts);
  await store.start();
  return store;
}

/** The composition roots' shorthand: the account's store in the user data folder. */
export function openStoreForAccount(dataDir: string, account: string, log?: (line: string) => void): Promise<SqliteStore> {
  return createSqliteStore({ dataDir, account, log });
}
