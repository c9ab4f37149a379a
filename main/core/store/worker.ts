// The store's worker thread: the only place that runs SQL. Receives typed requests (protocol.ts),
// answers each with its result and the changes it committed, or with a typed StoreError.
// Requests are handled one at a time, in order.
import { parentPort } from 'node:worker_threads';
import { Backend } from './backend.ts';
import { openStoreDatabase, tightenSidecars, toStoreError } from './database.ts';
import { schemaVersion } from './migrations.ts';
import type { CheckpointMode, OpName, Ops, Request, Response, WorkerMessage } from './protocol.ts';
import type { StoreChange } from './types.ts';
import { StoreError } from './types.ts';
import { sqliteCode } from './sqlite.ts';

const port = parentPort;
if (!port) throw new Error('store worker must run in a worker thread');

let backend: Backend | null = null;
let dbPath = '';

const post = (m: WorkerMessage) => port.postMessage(m);
const log = (line: string) => post({ type: 'log', line });

function requireBackend(): Backend {
  if (!backend) throw new StoreError('closed', 'the store is not open');
  return backend;
}

type Handler<K extends OpName> = (...args: Ops[K]['args']) => { result: Ops[K]['result']; changes?: StoreChange[] };
type Handlers = { [K in OpName]: Handler<K> };

const read = <R>(fn: (b: Backend) => R) => ({ result: fn(requireBackend()) });
const write = <R>(fn: (b: Backend) => R) => {
  const b = requireBackend();
  return b.write(() => fn(b));
};

const handlers: Handlers = {
  open(args) {
    if (backend) throw new StoreError('other', 'the store is already open');
    const { db, movedAside } = openStoreDatabase(args.path, { account: args.account, busyTimeoutMs: args.busyTimeoutMs, log });
    backend = new Backend(db);
    dbPath = args.path;
    return { result: { path: args.path, schemaVersion: schemaVersion(db), movedAside } };
  },
  upsertLog: (log, fingerprint) => write((b) => b.upsertLog(log, fingerprint)),
  checkpoints: (keys) => read((b) => b.checkpoints(keys)),
  putTranscriptPage: (id, thread, messages, complete) => write((b) => b.putTranscriptPage(id, thread, messages, complete)),
  ensureLiveConversation: (input) => write((b) => b.ensureLiveConversation(input)),
  getConversation: (id) => read((b) => b.getConversation(id)),
  findConversationByThread: (thread) => read((b) => b.findConversationByThread(thread)),
  listConversations: (query) => read((b) => b.listConversations(query)),
  markRead: (id) => write((b) => b.markRead(id)),
  unreadSummary: (limit) => read((b) => b.unreadSummary(limit)),
  addMessage: (id, thread, message, opts) => write((b) => b.addMessage(id, thread, message, opts)),
  addMessages: (id, thread, messages, opts) => write((b) => b.addMessages(id, thread, messages, opts)),
  restampMessage: (id, at, thread) => write((b) => b.restampMessage(id, at, thread)),
  listMessages: (id, query) => read((b) => b.listMessages(id, query)),
  messagesAround: (id, radius) => read((b) => b.messagesAround(id, radius)),
  search: (text, query) => read((b) => b.search(text, query)),
  enqueueOutbox: (input) => write((b) => b.enqueueOutbox(input)),
  pendingOutbox: (id) => read((b) => b.pendingOutbox(id)),
  setOutboxState: (clientId, state, extra) => write((b) => b.setOutboxState(clientId, state, extra)),
  discardOutbox: (clientId) => write((b) => b.discardOutbox(clientId)),
  upsertContacts: (people) => write((b) => b.upsertContacts(people)),
  listContacts: (query, limit) => read((b) => b.listContacts(query, limit)),
  checkpoint(mode: CheckpointMode) {
    const b = requireBackend();
    const r = (b.db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[])[0]!;
    tightenSidecars(dbPath);
    return { result: r };
  },
  quickCheck: () => read((b) => (b.db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check)),
  stats: () => read((b) => b.stats()),
  shutdown() {
    const b = backend;
    backend = null;
    if (b) {
      try {
        b.db.pragma('wal_checkpoint(TRUNCATE)');
        b.db.pragma('optimize');
      } catch (err) {
        log(`store: checkpoint at close failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      b.db.close();
    }
    return { result: undefined };
  },
};

port.on('message', (req: Request) => {
  let response: Response;
  try {
    const handler = handlers[req.op] as (...args: unknown[]) => { result: unknown; changes?: StoreChange[] };
    if (typeof handler !== 'function') throw new StoreError('other', `unknown store operation ${String(req.op)}`);
    const { result, changes } = handler(...(req.args as unknown[]));
    response = { type: 'result', id: req.id, ok: true, result, changes: changes ?? [] };
  } catch (err) {
    const e = toStoreError(err);
    response = { type: 'result', id: req.id, ok: false, error: { kind: e.kind, message: e.message, code: sqliteCode(err) } };
  }
  post(response);
});
