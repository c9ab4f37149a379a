// The store's worker thread: the only place that runs SQL. Receives typed requests (protocol.ts),
// answers each with its result and the changes it committed, or with a typed StoreError.
// Requests are handled one at a time, in order.
//
// The same script, started with workerData { role: 'integrityCheck' }, is the background checker:
// its own read-only connection runs the full quick_check (seconds on a large history) while this
// worker keeps serving requests (WAL: readers and the writer do not block each other).
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { Backend } from './backend.ts';
import {
  errorKind, integrityProblem, markerPath, moveAside, openStoreDatabase, recordFullCheck, removeMarkers, tightenSidecars, toStoreError,
} from './database.ts';
import type { OpenIntegrity } from './database.ts';
import { schemaVersion } from './migrations.ts';
import type { CheckpointMode, IntegrityStatus, OpName, OpenArgs, Ops, Request, Response, StoreMethod, WorkerMessage } from './protocol.ts';
import { runOperation, storeMethods } from './operations.ts';
import type { StoreChange } from './types.ts';
import { StoreError } from './types.ts';
import { openDatabase, sqliteCode } from './sqlite.ts';
import { describeError } from '../logSafe.ts';

const port = parentPort;
if (!port) throw new Error('store worker must run in a worker thread');

interface CheckerData { role: 'integrityCheck'; path: string; busyTimeoutMs: number }
type CheckerResult = { ok: true; problem: string | null } | { ok: false; error: string; corrupt: boolean };

if ((workerData as Partial<CheckerData> | null)?.role === 'integrityCheck') {
  // --- background checker ----------------------------------------------------------------------
  const data = workerData as CheckerData;
  let result: CheckerResult;
  try {
    const db = openDatabase(data.path, { readonly: true, fileMustExist: true, timeout: data.busyTimeoutMs });
    try {
      result = { ok: true, problem: integrityProblem(db) };
    } finally {
      db.close();
    }
  } catch (err) {
    result = { ok: false, error: err instanceof Error ? err.message : String(err), corrupt: errorKind(err) === 'corrupt' };
  }
  port.postMessage(result);
} else {
  serve(port);
}

function serve(port: NonNullable<typeof parentPort>): void {
  let backend: Backend | null = null;
  let dbPath = '';
  let openArgs: OpenArgs | null = null;
  let integrity: OpenIntegrity | null = null;
  let background: IntegrityStatus['background'] = 'none';
  let resets = 0;
  let checker: Worker | null = null;
  let checkTimer: NodeJS.Timeout | null = null;
  let lastRequestAt = Date.now();

  const post = (m: WorkerMessage) => port.postMessage(m);
  const log = (line: string) => post({ type: 'log', line });

  function requireBackend(): Backend {
    if (!backend) throw new StoreError('closed', 'the store is not open');
    return backend;
  }

  function stopBackgroundCheck(): boolean {
    if (checkTimer) clearTimeout(checkTimer);
    checkTimer = null;
    const running = checker;
    checker = null;
    // Terminating cannot interrupt SQLite mid-call; the checker's read connection ends with it.
    if (running) void running.terminate();
    return running != null;
  }

  /** Wait until no request came for `idleMs`, then start the checker thread. */
  function scheduleBackgroundCheck(): void {
    const idleMs = openArgs?.backgroundCheckIdleMs ?? 10_000;
    background = 'scheduled';
    const tick = () => {
      checkTimer = null;
      if (!backend) return;
      const quiet = Date.now() - lastRequestAt;
      if (quiet < idleMs) {
        checkTimer = setTimeout(tick, idleMs - quiet);
        return;
      }
      startChecker();
    };
    checkTimer = setTimeout(tick, idleMs);
  }

  function startChecker(): void {
    const owner = backend;
    const w = new Worker(new URL(import.meta.url), {
      name: 'ucwa-store-check',
      workerData: { role: 'integrityCheck', path: dbPath, busyTimeoutMs: openArgs?.busyTimeoutMs ?? 5000 } satisfies CheckerData,
    });
    checker = w;
    background = 'running';
    const started = Date.now();
    w.once('message', (r: CheckerResult) => {
      if (checker !== w) return;
      checker = null;
      void w.terminate();
      if (backend !== owner || !backend) return; // closed or reset meanwhile
      if (r.ok && r.problem == null) {
        background = 'passed';
        try {
          recordFullCheck(backend.db);
          if (integrity) integrity = { ...integrity, lastFullCheckAt: Date.now(), backgroundDue: false };
          log(`store: background integrity check passed in ${Date.now() - started} ms`);
        } catch (err) {
          log(`store: could not record the integrity check: ${describeError(err)}`);
        }
      } else if (r.ok || r.corrupt) {
        background = 'damaged';
        reset(r.ok ? r.problem! : r.error);
      } else {
        background = 'failed';
        log(`store: background integrity check failed: ${r.error}`);
      }
    });
    w.once('error', (err) => {
      if (checker !== w) return;
      checker = null;
      background = 'failed';
      log(`store: background integrity check failed: ${describeError(err)}`);
    });
  }

  /**
   * The database turned out damaged while in use: move it aside (like at open), start a fresh
   * one, and tell the calling thread (a 'reset' change: the service resyncs).
   */
  function reset(reason: string): void {
    const old = backend;
    backend = null;
    stopBackgroundCheck();
    try {
      old?.db.close();
    } catch {
      // already unusable
    }
    let movedAside: string;
    try {
      movedAside = moveAside(dbPath, log, reason);
      const opened = openStoreDatabase(dbPath, { account: openArgs?.account, busyTimeoutMs: openArgs?.busyTimeoutMs, log });
      backend = new Backend(opened.db);
      integrity = opened.integrity;
      resets++;
    } catch (err) {
      log(`store: could not replace the damaged database: ${describeError(err)}`);
      return;
    }
    post({ type: 'reset', reason, movedAside });
  }

  type Handler<K extends OpName> = (...args: Ops[K]['args']) => { result: Ops[K]['result']; changes?: StoreChange[] };
  type Handlers = { [K in OpName]: Handler<K> };

  const read = <R>(fn: (b: Backend) => R) => ({ result: fn(requireBackend()) });
  // The Store operations: one table (operations.ts), shared with the in-memory store.
  const storeHandlers = Object.fromEntries(storeMethods.map((op) => [
    op, (...args: Ops[typeof op]['args']) => runOperation(requireBackend(), op, args),
  ])) as { [K in StoreMethod]: Handler<K> };

  const handlers: Handlers = {
    ...storeHandlers,
    open(args) {
      if (backend) throw new StoreError('other', 'the store is already open');
      const opened = openStoreDatabase(args.path, {
        account: args.account, busyTimeoutMs: args.busyTimeoutMs, log, afterCrash: args.afterCrash, fullCheckMaxAgeMs: args.fullCheckMaxAgeMs,
      });
      backend = new Backend(opened.db);
      dbPath = args.path;
      openArgs = args;
      integrity = opened.integrity;
      if (integrity.backgroundDue) scheduleBackgroundCheck();
      return { result: { path: args.path, schemaVersion: schemaVersion(opened.db), movedAside: opened.movedAside, integrity: opened.integrity } };
    },
    checkpoint(mode: CheckpointMode) {
      const b = requireBackend();
      const r = (b.db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[])[0]!;
      tightenSidecars(dbPath);
      return { result: r };
    },
    quickCheck: () => read((b) => (b.db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check)),
    stats: () => read((b) => b.stats()),
    integrity() {
      requireBackend();
      return { result: { ...integrity!, background, resets } };
    },
    shutdown() {
      const b = backend;
      backend = null;
      // A running checker holds a read snapshot: TRUNCATE would wait for it (busy_timeout), so the
      // WAL is only checkpointed as far as it allows; the check runs again next session.
      const checking = stopBackgroundCheck();
      if (b) {
        let clean = true;
        try {
          b.db.pragma(checking ? 'wal_checkpoint(PASSIVE)' : 'wal_checkpoint(TRUNCATE)');
          b.db.pragma('optimize');
        } catch (err) {
          clean = false;
          log(`store: checkpoint at close failed: ${describeError(err)}`);
        }
        b.db.close();
        // Only a close that got this far is clean: the next open then skips the full check.
        if (clean) removeMarkers([markerPath(dbPath)]);
      }
      return { result: undefined };
    },
  };

  port.on('message', (req: Request) => {
    lastRequestAt = Date.now();
    let response: Response;
    try {
      const handler = handlers[req.op] as (...args: unknown[]) => { result: unknown; changes?: StoreChange[] };
      if (typeof handler !== 'function') throw new StoreError('other', `unknown store operation ${String(req.op)}`);
      const { result, changes } = handler(...(req.args as unknown[]));
      response = { type: 'result', id: req.id, ok: true, result, changes: changes ?? [] };
    } catch (err) {
      const e = toStoreError(err);
      // Damage found by a query: start over (the reset reaches the caller before this error).
      if (e.kind === 'corrupt' && backend && req.op !== 'open' && req.op !== 'shutdown') reset(e.message);
      response = { type: 'result', id: req.id, ok: false, error: { kind: e.kind, message: e.message, code: sqliteCode(err) } };
    }
    post(response);
  });
}
