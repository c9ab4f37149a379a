// Opening the account's database file inside the worker: private file modes, pragmas, integrity
// check, moving a corrupt file aside, migrations.
import { chmodSync, existsSync, mkdirSync, openSync, closeSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase, sqliteCode } from './sqlite.ts';
import type { Db } from './sqlite.ts';
import { migrate } from './migrations.ts';
import { StoreError } from './types.ts';
import type { StoreErrorKind } from './types.ts';

export function errorKind(err: unknown): StoreErrorKind {
  if (err instanceof StoreError) return err.kind;
  const code = sqliteCode(err);
  if (code) {
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
    if (code.startsWith('SQLITE_READONLY')) return 'readonly';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) return 'readonly';
  }
  if (err && typeof err === 'object' && 'code' in err) {
    const c = (err as { code: unknown }).code;
    if (c === 'EACCES' || c === 'EROFS' || c === 'EPERM') return 'readonly';
  }
  if (err instanceof TypeError && /database connection is not open/i.test(err.message)) return 'closed';
  return 'other';
}

export function toStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = sqliteCode(err);
  return new StoreError(errorKind(err), code ? `${message} (${code})` : message);
}

/** Only ever tighten: the owner keeps what they had, group and others lose everything. */
function makePrivate(path: string, mode: number): void {
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) !== 0) chmodSync(path, st.mode & mode & 0o700);
  } catch {
    // missing (e.g. -shm not created yet): nothing to tighten
  }
}

export function ensurePrivateFile(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  makePrivate(dir, 0o700);
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  makePrivate(path, 0o600);
}

export function tightenSidecars(path: string): void {
  makePrivate(`${path}-wal`, 0o600);
  makePrivate(`${path}-shm`, 0o600);
}

function configure(db: Db, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') throw new StoreError('readonly', `cannot switch the database to WAL (journal_mode=${String(mode)})`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -16000'); // 16 MB
}

function integrityProblem(db: Db): string | null {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const lines = rows.map((r) => r.quick_check);
  return lines.length === 1 && lines[0] === 'ok' ? null : lines.join('; ');
}

function moveAside(path: string, log: (line: string) => void, reason: string): string {
  const target = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, target);
  for (const side of ['-wal', '-shm']) {
    if (existsSync(path + side)) renameSync(path + side, target + side);
  }
  log(`store: the database ${path} is damaged (${reason}); moved it to ${target} and created a new one — history will be downloaded again from the server`);
  return target;
}

export interface Opened {
  db: Db;
  movedAside: string | null;
}

/**
 * Open (creating if needed) the database at `path`: mode 0600 in a 0700 directory, WAL,
 * integrity check, migrations. A damaged database — or a file that is not one — is renamed to
 * `<file>.corrupt-<timestamp>` (never deleted) and replaced by a fresh one.
 */
export function openStoreDatabase(path: string, opts: { account?: string; busyTimeoutMs?: number; log?: (line: string) => void } = {}): Opened {
  const log = opts.log ?? (() => {});
  const busy = opts.busyTimeoutMs ?? 5000;
  let movedAside: string | null = null;
  for (let attempt = 0; ; attempt++) {
    ensurePrivateFile(path);
    let db: Db | null = null;
    try {
      db = openDatabase(path, { timeout: busy });
      configure(db, busy);
      tightenSidecars(path);
      const problem = integrityProblem(db);
      if (problem) throw new StoreError('corrupt', problem);
      migrate(db, { log });
      if (opts.account) db.prepare('INSERT OR IGNORE INTO accounts (sip, created_at) VALUES (?, ?)').run(opts.account, Date.now());
      return { db, movedAside };
    } catch (err) {
      try {
        db?.close();
      } catch {
        // already unusable
      }
      if (errorKind(err) !== 'corrupt' || attempt > 0) throw toStoreError(err);
      movedAside = moveAside(path, log, err instanceof Error ? err.message : String(err));
    }
  }
}
