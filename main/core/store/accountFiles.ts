// The files of one account's history in the data folder, for "Delete local history" and
// `ucwa forget`: the database, its -wal and -shm files, a rollback journal, clean-shutdown markers,
// and the copies moved aside as damaged (which hold the same history). Names are matched exactly,
// so another account's files — even one whose name starts the same way — are never touched.
import { rm, stat } from 'node:fs/promises';
import { namesIn } from '../paths.ts';
import { basename, join } from 'node:path';
import { markerPath, staleMarkers } from './database.ts';
import { databaseFileName } from './sqliteStore.ts';
import { StoreError } from './types.ts';

/** Whether a file name in the data folder belongs to the database named `dbName`. */
export function isAccountDatabaseFile(name: string, dbName: string): boolean {
  const suffix = /^(?:-wal|-shm|-journal|\.open-\d+|\.corrupt-[0-9TZ-]+(?:-wal|-shm)?)?$/;
  return name.startsWith(dbName) && suffix.test(name.slice(dbName.length));
}

/** The paths of the account's database files that exist now. */
export async function accountDatabaseFiles(dataDir: string, account: string): Promise<string[]> {
  const dbName = databaseFileName(account);
  const names = await namesIn(dataDir);
  return names.filter((n) => isAccountDatabaseFile(n, dbName)).sort().map((n) => join(dataDir, n));
}

/**
 * Another live process (the app, or a `ucwa listen`) has the database open: removing the files
 * under it would leave it writing to a history that is gone and recreating half of it. Our own
 * process counts as closed: the caller closes its store first.
 */
export function openElsewhere(dataDir: string, account: string, names: string[]): boolean {
  const db = join(dataDir, databaseFileName(account));
  const markers = names.filter((n) => /\.open-\d+$/.test(n) && n.startsWith(`${basename(db)}.open-`)).map((n) => join(dataDir, n));
  const stale = new Set(staleMarkers(db, { ownIsStale: true }));
  return markers.some((m) => !stale.has(m) && m !== markerPath(db));
}

/**
 * Removes the account's database files (the store must be closed). Refuses, removing nothing, when
 * another process has the database open. Returns the paths removed.
 */
export async function removeAccountDatabase(dataDir: string, account: string): Promise<string[]> {
  const files = await accountDatabaseFiles(dataDir, account);
  if (openElsewhere(dataDir, account, files.map((f) => basename(f)))) {
    throw new StoreError('busy', 'this history is open in another program (UCWA Tray or a running ucwa command); quit it first');
  }
  // The database last: a crash half-way leaves a database without its WAL (SQLite starts it anew),
  // never a WAL that a later database of the same name would replay.
  const db = join(dataDir, databaseFileName(account));
  for (const f of [...files.filter((f) => f !== db), ...files.filter((f) => f === db)]) await rm(f, { force: true });
  return files;
}

/**
 * The account's photo cache folder (<dataDir>/photos/<account>-<hash>): one per account, so that
 * removing an account's local data removes the pictures its sign-ins fetched, and nobody else's.
 */
export function accountPhotoDir(dataDir: string, account: string): string {
  return join(dataDir, 'photos', databaseFileName(account).replace(/\.sqlite$/, ''));
}

/** Removes the account's photo cache folder (its files are the cache's own); returns it when it existed. */
export async function removeAccountPhotos(dataDir: string, account: string): Promise<string[]> {
  const dir = accountPhotoDir(dataDir, account);
  try {
    await stat(dir);
  } catch {
    return [];
  }
  await rm(dir, { recursive: true, force: true });
  return [dir];
}
