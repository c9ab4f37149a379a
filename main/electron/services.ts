// Builds the messenger service for the app: Electron's net.fetch (system proxy, PAC, integrated
// auth), the OS keychain, one SQLite store per account in userData, the install's endpointId.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createMessengerService } from '../core/app/index.ts';
import type { Secrets } from '../core/secrets/types.ts';
import type { SignInMethods } from '../core/ucwa/grants.ts';
import { createMemoryStore } from '../core/store/memoryStore.ts';
import { createSqliteStore } from '../core/store/sqliteStore.ts';
import type { Store } from '../core/store/types.ts';
import { endpointId, ensureDataDir, rememberedLogins, rememberedServers, removeLogFiles, type RememberedServers } from '../core/paths.ts';
import { describeError } from '../core/logSafe.ts';
import { accountKey, createAccountService, type AccountService } from './accountService.ts';
import { accountPhotoDir, removeAccountDatabase, removeAccountPhotos } from '../core/store/accountFiles.ts';

export type AppService = AccountService;

export interface AppServiceOptions {
  dataDir: string;
  fetch: typeof fetch;
  secrets: Secrets;
  userAgent: string;
  log: (line: string) => void;
  /** Removes the log files (the logger's own, which also starts counting anew); default: remove them from the data folder. */
  clearLogs?: () => void;
  /** The bundled store worker (out/main/storeWorker.mjs); inside an asar it must be the unpacked copy. */
  workerPath?: string;
  /** See AccountServiceDeps.beforeSwitch. */
  beforeSwitch?: () => void;
  /** Windows sign-in, AD FS and modern authentication as the app does them (signInMethods.ts). */
  signInMethods?: SignInMethods;
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
      opts.log(`store: cannot open the history of ${account} (${describeError(err)}); using memory for this session`);
      return createMemoryStore();
    }
  }
  return createAccountService({
    async create(account) {
      const store = await openStore(account);
      return createMessengerService({
        fetch: opts.fetch, store, secrets: opts.secrets, endpointId: id, userAgent: opts.userAgent, log: opts.log, photoDir: accountPhotoDir(opts.dataDir, account ?? 'sip:nobody'),
        ...(opts.signInMethods ? { signInMethods: opts.signInMethods } : {}),
      });
    },
    async rememberedAccount(sip) {
      if (sip) return accountKey(sip);
      const accounts = await opts.secrets.accounts().catch(() => [] as string[]);
      return accounts[0] ?? null;
    },
    servers: serverFile(opts.dataDir),
    logins: rememberedLogins(opts.dataDir),
    async removeLocalData(account) {
      await removeAccountDatabase(opts.dataDir, account);
      await removeAccountPhotos(opts.dataDir, account);
      if (opts.clearLogs) opts.clearLogs();
      else await removeLogFiles(opts.dataDir);
    },
    log: opts.log,
    ...(opts.beforeSwitch ? { beforeSwitch: opts.beforeSwitch } : {}),
  });
}

/** userData/servers.json (the remembered server of each account): shared with the CLI, which forgets entries too. */
export function serverFile(dataDir: string): RememberedServers {
  return rememberedServers(dataDir);
}

export function storeWorkerPath(mainDir: string): string {
  return unpackedPath(join(mainDir, 'storeWorker.mjs'));
}
