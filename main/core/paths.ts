// The per-user data folder shared by the Electron app and the CLI, and the install's endpointId.
// The folder is exactly what Electron's app.getPath('userData') gives for productName "UCWA Tray",
// so the CLI reads the same cache the app writes (and the app needs no Electron call for it).
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
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
