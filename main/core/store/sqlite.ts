// A narrow typed view of better-sqlite3 (the package ships no type declarations and @types is not
// installed). Only the store (its worker, or the in-memory store), migrations, tests and bench open
// databases through this.
import { createRequire } from 'node:module';

export type SqlValue = string | number | bigint | Buffer | null;
export type Params = SqlValue[] | Record<string, SqlValue>;

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<Row = Record<string, unknown>> {
  run(...params: SqlValue[] | [Record<string, SqlValue>]): RunResult;
  get(...params: SqlValue[] | [Record<string, SqlValue>]): Row | undefined;
  all(...params: SqlValue[] | [Record<string, SqlValue>]): Row[];
  iterate(...params: SqlValue[] | [Record<string, SqlValue>]): IterableIterator<Row>;
  pluck(on?: boolean): Statement<Row>;
  raw(on?: boolean): Statement<Row>;
}

export interface Db {
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly name: string;
  prepare<Row = Record<string, unknown>>(sql: string): Statement<Row>;
  exec(sql: string): Db;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Register a JS function callable from SQL on this connection. */
  function(name: string, options: { deterministic?: boolean; varargs?: boolean; directOnly?: boolean }, fn: (...args: SqlValue[]) => SqlValue): Db;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) & { immediate: (...args: A) => R };
  close(): Db;
}

export interface OpenOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  /** busy timeout in ms (better-sqlite3 default 5000). */
  timeout?: number;
}

type DatabaseCtor = new (filename: string, options?: OpenOptions) => Db;

const require = createRequire(import.meta.url);
let ctor: DatabaseCtor | null = null;

export function openDatabase(filename: string, options?: OpenOptions): Db {
  ctor ??= require('better-sqlite3') as DatabaseCtor;
  return new ctor(filename, options);
}

/** The SQLite error code of a thrown better-sqlite3 error ("SQLITE_BUSY", …), if any. */
export function sqliteCode(err: unknown): string | null {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    const code = (err as { code: string }).code;
    return code.startsWith('SQLITE_') ? code : null;
  }
  return null;
}
