// The typed request/response interface between the store's calling thread and its SQL worker.
// Every Store method is one operation (same arguments, same result: derived from types.ts, and
// mapped onto the Backend once, in operations.ts); a few lifecycle and maintenance operations come
// on top. Requests carry ids; responses carry the result and the changes the write produced
// (emitted by the calling thread once the write has committed), or a typed error.
import type { Store, StoreChange, StoreErrorKind } from './types.ts';
import type { OpenIntegrity } from './database.ts';

/** The Store methods that are operations on the database (everything but the lifecycle). */
export type StoreMethod = Exclude<keyof Store, 'onChange' | 'close'>;

export type CheckpointMode = 'PASSIVE' | 'FULL' | 'RESTART' | 'TRUNCATE';

export interface OpenArgs {
  path: string;
  account: string;
  /** busy_timeout in ms */
  busyTimeoutMs?: number;
  /** The previous worker died without closing the database: run the full check before serving. */
  afterCrash?: boolean;
  /** Age of the last full check that makes a background one due (default 7 days). */
  fullCheckMaxAgeMs?: number;
  /** How long the worker must have been idle before the background check starts (default 10 s). */
  backgroundCheckIdleMs?: number;
}

export interface OpenResult {
  path: string;
  schemaVersion: number;
  /** Path the previous (corrupt) file was moved to, when the database had to be recreated. */
  movedAside: string | null;
  integrity: OpenIntegrity;
}

/** Integrity checking of the open database (the `integrity` diagnostic op). */
export interface IntegrityStatus extends OpenIntegrity {
  /** The background full check: not needed, waiting for idle, running, or its outcome. */
  background: 'none' | 'scheduled' | 'running' | 'passed' | 'damaged' | 'failed';
  /** Times the database was found damaged while in use and replaced (this worker). */
  resets: number;
}

export interface StoreStats {
  pageCount: number;
  pageSize: number;
  freelistCount: number;
  messages: number;
  conversations: number;
}

export type Ops = {
  [K in StoreMethod]: { args: Parameters<Store[K]>; result: Awaited<ReturnType<Store[K]>> };
} & {
  open: { args: [OpenArgs]; result: OpenResult };
  checkpoint: { args: [CheckpointMode]; result: { busy: number; log: number; checkpointed: number } };
  quickCheck: { args: []; result: string[] };
  stats: { args: []; result: StoreStats };
  integrity: { args: []; result: IntegrityStatus };
  /** Checkpoint (TRUNCATE) and close the database; the worker then exits. */
  shutdown: { args: []; result: void };
};

export type OpName = keyof Ops;

export type Request = { [K in OpName]: { id: number; op: K; args: Ops[K]['args'] } }[OpName];

export interface WireError {
  kind: StoreErrorKind;
  message: string;
  /** SQLite error code when there was one ("SQLITE_BUSY", …). */
  code: string | null;
}

export type Response =
  | { type: 'result'; id: number; ok: true; result: unknown; changes: StoreChange[] }
  | { type: 'result'; id: number; ok: false; error: WireError };

export type WorkerMessage =
  | Response
  | { type: 'log'; line: string }
  /** The database was found damaged (by a query or the background check), moved aside and replaced. */
  | { type: 'reset'; reason: string; movedAside: string };
