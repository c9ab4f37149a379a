// Builds the messenger service for the app: Electron's net.fetch (system proxy, PAC, integrated
// auth), the OS keychain, one SQLite store per account in userData, the install's endpointId.
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMessengerService } from '../core/app/index.ts';
import type { MessengerService } from '../core/app/types.ts';
import type { Secrets } from '../core/secrets/types.ts';
import { createMemoryStore } from '../core/store/memoryStore.ts';
import { createSqliteStore } from '../core/store/sqliteStore.ts';
import type { Store } from '../core/store/types.ts';
import { endpointId, ensureDataDir } from '../core/paths.ts';
import { accountKey, createAccountService } from './accountService.ts';

export type AppService = MessengerService & { account(): string | null };

export interface AppServiceOptions {
  dataDir: string;
  fetch: typeof fetch;
  secrets: Secrets;
  userAgent: string;
  log: (line: string) => void;
  /** The bundled store worker (out/main/storeWorker.mjs); inside an asar it must be the unpacked copy. */
  workerPath?: string;
}

/** Worker threads cannot start a script inside app.asar: use the unpacked twin (electron-builder asarUnpack). */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export async function createAppService(opts: AppServiceOptions): Promise<AppService> {
  await ensureDataDir(opts.dataDir);
  const id = await endpointId(opts.dataDir);
  const workerPath = opts.workerPath && existsSync(opts.workerPath) ? opts.workerPath : undefined;
  async function openStore(account: string | null): Promise<Store> {
    if (!account) return createMemoryStore();
    try {
      return await createSqliteStore({ dataDir: opts.dataDir, account, log: opts.log, ...(workerPath ? { workerPath } : {}) });
    } catch (err) {
      opts.log(`store: cannot open the history of ${account} (${err instanceof Error ? err.message : String(err)}); using memory for this session`);
      return createMemoryStore();
    }
  }
  return createAccountService({
    async create(account) {
      const store = await openStore(account);
      return createMessengerService({ fetch: opts.fetch, store, secrets: opts.secrets, endpointId: id, userAgent: opts.userAgent, log: opts.log });
    },
    async rememberedAccount(sip) {
      if (sip) return accountKey(sip);
      const accounts = await opts.secrets.accounts().catch(() => [] as string[]);
      return accounts[0] ?? null;
    },
    servers: serverFile(opts.dataDir),
    log: opts.log,
  });
}

/** userData/servers.json: { "sip:user@domain": "https://…" } — the server each remembered account uses. */
export function serverFile(dataDir: string): NonNullable<Parameters<typeof createAccountService>[0]['servers']> {
  const path = join(dataDir, 'servers.json');
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
        else delete all[account];
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
        await rename(tmp, path);
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

export function storeWorkerPath(mainDir: string): string {
  return unpackedPath(join(mainDir, 'storeWorker.mjs'));
}
