// The typed request/response interface between the store's calling thread and its SQL worker.
// Every Store method is one operation (same arguments, same result); a few lifecycle and
// maintenance operations come on top. Requests carry ids; responses carry the result and the
// changes the write produced (emitted by the calling thread once the write has committed), or a
// typed error.
import type { Message, MessageInput, Store, StoreChange, StoreErrorKind } from './types.ts';

type StoreMethod = Exclude<keyof Store, 'onChange' | 'close' | 'addMessages' | 'restampMessage'>;

export type CheckpointMode = 'PASSIVE' | 'FULL' | 'RESTART' | 'TRUNCATE';

export interface OpenArgs {
  path: string;
  account: string;
  /** busy_timeout in ms */
  busyTimeoutMs?: number;
}

export interface OpenResult {
  path: string;
  schemaVersion: number;
  /** Path the previous (corrupt) file was moved to, when the database had to be recreated. */
  movedAside: string | null;
}

export interface StoreStats {
  pageCount: number;
  pageSize: number;
  freelistCount: number;
  messages: number;
  conversations: number;
}

export type Ops = {
  [K in StoreMethod]-?: { args: Parameters<NonNullable<Store[K]>>; result: Awaited<ReturnType<NonNullable<Store[K]>>> };
} & {
  // Optional Store members requested by the messenger service (spelled out here so this file
  // does not depend on whether types.ts declares them yet).
  addMessages: { args: [conversationId: number, threadId: string | null, messages: MessageInput[], opts?: { markUnread?: boolean }]; result: { added: number } };
  restampMessage: { args: [messageId: number, at: number, threadId: string | null]; result: Message | null };
  open: { args: [OpenArgs]; result: OpenResult };
  checkpoint: { args: [CheckpointMode]; result: { busy: number; log: number; checkpointed: number } };
  quickCheck: { args: []; result: string[] };
  stats: { args: []; result: StoreStats };
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

export type WorkerMessage = Response | { type: 'log'; line: string };
