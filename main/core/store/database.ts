// Opening the account's database file inside the worker: private file modes, pragmas, integrity
// check, moving a corrupt file aside, migrations. (And the in-memory store's ':memory:' database.)
import { chmodSync, existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { uptime } from 'node:os';
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

/**
 * A fresh ':memory:' database with the same schema (every migration) and the same pragmas as a
 * file, less those about files (WAL, synchronous, busy_timeout): the in-memory store's.
 */
export function openMemoryDatabase(): Db {
  const db = openDatabase(':memory:');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  migrate(db);
  return db;
}

export function integrityProblem(db: Db): string | null {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const lines = rows.map((r) => r.quick_check);
  return lines.length === 1 && lines[0] === 'ok' ? null : lines.join('; ');
}

export function moveAside(path: string, log: (line: string) => void, reason: string): string {
  const target = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, target);
  for (const side of ['-wal', '-shm']) {
    if (existsSync(path + side)) renameSync(path + side, target + side);
  }
  log(`store: the database ${path} is damaged (${reason}); moved it to ${target} and created a new one — history will be downloaded again from the server`);
  return target;
}

// --- clean-shutdown markers ------------------------------------------------------------------
// A session writes `<file>.open-<pid>` (0600, fsynced) once the database is open and removes it
// after its clean close (TRUNCATE checkpoint, close). A marker left by a process that is gone — or
// by a previous boot of the machine (power loss) — means that session did not close cleanly. A
// marker of a live process (the CLI and the app may share the file) is not evidence of anything.

interface MarkerBody {
  pid: number;
  /** ms since epoch the machine booted (Date.now() - uptime), to tell a previous boot's pid apart. */
  boot: number;
}

const BOOT_TOLERANCE_MS = 120_000;

function bootTime(): number {
  return Date.now() - Math.round(uptime() * 1000);
}

export function markerPath(path: string, pid = process.pid): string {
  return `${path}.open-${pid}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Markers left by sessions that did not close cleanly (own pid counts only after a worker crash). */
export function staleMarkers(path: string, opts: { ownIsStale?: boolean } = {}): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.open-`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)));
  } catch {
    return [];
  }
  const stale: string[] = [];
  for (const name of names) {
    const pid = Number(name.slice(prefix.length));
    const full = join(dir, name);
    let body: Partial<MarkerBody> = {};
    try {
      body = JSON.parse(readFileSync(full, 'utf8')) as Partial<MarkerBody>;
    } catch {
      // torn write (crash while creating it): stale by definition
    }
    const sameBoot = typeof body.boot === 'number' && Math.abs(body.boot - bootTime()) < BOOT_TOLERANCE_MS;
    if (pid === process.pid) {
      if (opts.ownIsStale || !sameBoot) stale.push(full);
    } else if (!sameBoot || !pidAlive(pid)) {
      stale.push(full);
    }
  }
  return stale;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported (Windows): the marker is then only as durable as the OS makes it
  }
}

/** Write this session's marker, durably (a power loss right after must still find it). */
export function writeMarker(path: string): void {
  const marker = markerPath(path);
  const fd = openSync(marker, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, boot: bootTime() } satisfies MarkerBody));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  makePrivate(marker, 0o600);
  fsyncDir(dirname(path));
}

export function removeMarkers(markers: string[]): void {
  for (const m of markers) {
    try {
      unlinkSync(m);
    } catch {
      // already gone
    }
  }
}

// --- metadata --------------------------------------------------------------------------------------

const LAST_FULL_CHECK = 'last_full_check';

export function lastFullCheck(db: Db): number | null {
  const v = db.prepare<{ value: unknown }>('SELECT value FROM store_meta WHERE key = ?').get(LAST_FULL_CHECK)?.value;
  return typeof v === 'number' ? v : null;
}

export function recordFullCheck(db: Db, at = Date.now()): void {
  db.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    .run(LAST_FULL_CHECK, at);
}

/** How old the last full check may be before a background one runs (7 days). */
export const FULL_CHECK_MAX_AGE_MS = 7 * 24 * 3600_000;

export interface OpenIntegrity {
  /** 'full': quick_check ran before the database served anything; 'cheap': header + schema only. */
  check: 'full' | 'cheap';
  /** new file; previous session did not close cleanly; or a clean open. */
  reason: 'new' | 'unclean' | 'clean';
  /** ms since epoch of the last full check that passed (null: never recorded). */
  lastFullCheckAt: number | null;
  /** The last full check is older than the max age (or unknown): run one in the background. */
  backgroundDue: boolean;
}

export interface Opened {
  db: Db;
  movedAside: string | null;
  integrity: OpenIntegrity;
}

export interface OpenOptions {
  account?: string;
  busyTimeoutMs?: number;
  log?: (line: string) => void;
  /** The previous worker of this process died without closing: treat as an unclean shutdown. */
  afterCrash?: boolean;
  /** Override FULL_CHECK_MAX_AGE_MS (tests). */
  fullCheckMaxAgeMs?: number;
}

/**
 * Open (creating if needed) the database at `path`: mode 0600 in a 0700 directory, WAL,
 * integrity check, migrations. A damaged database — or a file that is not one — is renamed to
 * `<file>.corrupt-<timestamp>` (never deleted) and replaced by a fresh one.
 *
 * The full `quick_check` reads the whole file (seconds for a large history), so it runs before
 * serving only when the previous session did not close cleanly (a stale marker, or `afterCrash`).
 * A clean open only reads the header and the schema; `integrity.backgroundDue` asks the caller to
 * run the full check in the background when the last one is older than 7 days.
 */
export function openStoreDatabase(path: string, opts: OpenOptions = {}): Opened {
  const log = opts.log ?? (() => {});
  const busy = opts.busyTimeoutMs ?? 5000;
  const maxAge = opts.fullCheckMaxAgeMs ?? FULL_CHECK_MAX_AGE_MS;
  let movedAside: string | null = null;
  const stale = staleMarkers(path, { ownIsStale: opts.afterCrash === true });
  for (let attempt = 0; ; attempt++) {
    const isNew = !existsSync(path) || statSync(path).size === 0;
    ensurePrivateFile(path);
    let db: Db | null = null;
    try {
      db = openDatabase(path, { timeout: busy });
      configure(db, busy);
      tightenSidecars(path);
      // Cheap checks: the header (journal_mode above read it), the schema cookie and the schema.
      db.pragma('schema_version', { simple: true });
      db.pragma('user_version', { simple: true });
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
      const unclean = !isNew && (stale.length > 0 || opts.afterCrash === true);
      if (unclean) {
        const problem = integrityProblem(db);
        if (problem) throw new StoreError('corrupt', problem);
      }
      migrate(db, { log });
      if (opts.account) db.prepare('INSERT OR IGNORE INTO accounts (sip, created_at) VALUES (?, ?)').run(opts.account, Date.now());
      if (unclean || isNew) recordFullCheck(db);
      const last = lastFullCheck(db);
      writeMarker(path);
      removeMarkers(stale);
      if (unclean) log(`store: the previous session did not close cleanly; integrity check passed (${path})`);
      return {
        db,
        movedAside,
        integrity: {
          check: unclean ? 'full' : 'cheap',
          reason: isNew ? 'new' : unclean ? 'unclean' : 'clean',
          lastFullCheckAt: last,
          backgroundDue: last == null || Date.now() - last >= maxAge,
        },
      };
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
