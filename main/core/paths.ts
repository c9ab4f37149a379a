// The per-user data folder shared by the Electron app and the CLI, and the install's endpointId.
// The folder is exactly what Electron's app.getPath('userData') gives for productName "UCWA Tray",
// so the CLI reads the same cache the app writes (and the app needs no Electron call for it).
import { mkdir, readdir, readFile, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';
import { randomUUID } from 'node:crypto';

export const PRODUCT_NAME = 'UCWA Tray';

export interface PathEnv {
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
  home?: string;
}

/** Electron's app.getPath('appData'): the per-user configuration root of the OS. */
export function appDataDir(opts: PathEnv = {}): string {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  const home = opts.home ?? homedir();
  if (platform === 'win32') return env.APPDATA || win32.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support');
  // Linux and the BSDs: XDG, as Electron (Chromium) resolves it. Relative values are invalid per spec.
  const xdg = env.XDG_CONFIG_HOME;
  return xdg && xdg.startsWith('/') ? xdg : posix.join(home, '.config');
}

/** `<appData>/UCWA Tray`. */
export function userDataDir(opts: PathEnv = {}): string {
  const platform = opts.platform ?? process.platform;
  const base = appDataDir(opts);
  return platform === 'win32' ? win32.join(base, PRODUCT_NAME) : posix.join(base, PRODUCT_NAME);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Creates the data folder (0700 where modes exist) if needed. */
export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
}

/**
 * The stable endpointId of this install (UCWA `endpointId` of every application), a UUID kept in
 * `<dataDir>/endpoint-id` (mode 0600). Created on first use; two processes racing both end with the
 * id that reached the disk first.
 */
export async function endpointId(dataDir: string): Promise<string> {
  const file = join(dataDir, 'endpoint-id');
  const existing = await readId(file);
  if (existing) return existing;
  await ensureDataDir(dataDir);
  const id = randomUUID();
  try {
    await writeFile(file, `${id}\n`, { mode: 0o600, flag: 'wx' });
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const raced = await readId(file);
  if (raced) return raced;
  // The file exists but holds no id (damaged): replace it.
  await writeFile(file, `${id}\n`, { mode: 0o600 });
  await chmod(file, 0o600).catch(() => undefined);
  return id;
}

async function readId(file: string): Promise<string | null> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return UUID.test(text) ? text.toLowerCase() : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

// --- the app's logs and remembered servers: files of the data folder that the CLI also forgets ------

/** The app's log folder (the CLI has no log file: with UCWA_DEBUG it logs to stderr only). */
export function logDir(dataDir: string): string {
  return join(dataDir, 'logs');
}

/** The app's log file; its rotated copies are `main.log.1` (the newest) to `main.log.<n>`. */
export const MAIN_LOG_NAME = 'main.log';

/** A log file of the app: the current one or a rotated copy. */
export function isLogFileName(name: string): boolean {
  return name === MAIN_LOG_NAME || /^main\.log\.\d{1,3}$/.test(name);
}

/** The names in a folder; none when the folder does not exist (nothing to remove there). */
export async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Removes the app's log files (current and rotated); returns the paths removed. */
export async function removeLogFiles(dataDir: string): Promise<string[]> {
  const dir = logDir(dataDir);
  const names = await namesIn(dir);
  const removed: string[] = [];
  for (const name of names.filter(isLogFileName)) {
    await rm(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

export interface RememberedServers {
  get(account: string): Promise<string | undefined>;
  set(account: string, server: string | undefined): Promise<void>;
}

/**
 * `<dataDir>/servers.json`: { "sip:user@domain": "https://…" } — the server each remembered account
 * signs in to (not a secret, so not in the keychain).
 */
export function rememberedServers(dataDir: string): RememberedServers {
  return rememberedPerAccount(join(dataDir, 'servers.json'));
}

/**
 * `<dataDir>/logins.json`: { "sip:user@domain": "CONTOSO\\jdoe" } — the sign-in name of each
 * remembered account whose Windows name differs from its SIP address (not a secret either).
 */
export function rememberedLogins(dataDir: string): RememberedServers {
  return rememberedPerAccount(join(dataDir, 'logins.json'));
}

/**
 * One string per account in a small JSON file. Writes are queued (read, change, write a temp file,
 * rename) so two changes in a row never lose one.
 */
function rememberedPerAccount(path: string): RememberedServers {
  const read = async (): Promise<Record<string, string>> => {
    try {
      const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {}; // missing or damaged: only the remembered server is lost, never a password
    }
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get: async (account) => (await read())[account],
    set(account, server) {
      const next = queue.then(async () => {
        const all = await read();
        if (server) all[account] = server;
        else if (account in all) delete all[account];
        else return; // nothing to forget: no file is created for it
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
        await rename(tmp, path);
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
