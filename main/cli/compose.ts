// The CLI's composition root: Node's fetch (with the OS CA store and env proxy), the OS keychain,
// the SQLite store of the account in the shared data folder, the install's endpointId, and the
// simulator for demo mode. Everything here has side effects; run.ts only sees the Runtime seam.
import { createMessengerService } from '../core/app/index.ts';
import type { Store } from '../core/store/types.ts';
import { createKeychain, createMemorySecrets } from '../core/secrets/keychain.ts';
import { createMemoryStore } from '../core/store/memoryStore.ts';
import { createSqliteStore } from '../core/store/sqliteStore.ts';
import { endpointId, ensureDataDir, rememberedLogins, rememberedServers, removeLogFiles } from '../core/paths.ts';
import { accountPhotoDir, removeAccountDatabase, removeAccountPhotos } from '../core/store/accountFiles.ts';
import { setupNodeNetworking } from '../core/ucwa/nodeNet.ts';
import type { DemoServer, Runtime, ServiceSetup } from './run.ts';
import { toErrorShape } from './errors.ts';
import { cliSignInMethods } from './signInMethods.ts';
import { join } from 'node:path';

export const CLI_VERSION = '0.1.0';
const USER_AGENT = `UCWA Tray CLI/${CLI_VERSION}`;

async function openStore(setup: ServiceSetup, warnings: string[]): Promise<Store> {
  try {
    return await createSqliteStore({ dataDir: setup.dataDir, account: setup.account, log: setup.log });
  } catch (err) {
    // The history then lives only as long as this command: say so, do not fail the command.
    warnings.push(`the local history database cannot be opened (${toErrorShape(err).message}); using a temporary in-memory history`);
    return createMemoryStore();
  }
}

let networkingReady = false;

export function createRuntime(): Runtime {
  return {
    async createService(setup) {
      if (!networkingReady) { setupNodeNetworking(); networkingReady = true; }
      const warnings: string[] = [];
      await ensureDataDir(setup.dataDir);
      const store = await openStore(setup, warnings);
      try {
        const service = createMessengerService({
          fetch: globalThis.fetch,
          store,
          secrets: setup.demo ? createMemorySecrets() : createKeychain(),
          endpointId: await endpointId(setup.dataDir),
          userAgent: USER_AGENT,
          log: setup.log,
          // Shared with the app: the account's photo cache in the same data folder. A command asks for
          // the photos it shows (whois), not for the whole list each time it signs in.
          photoDir: accountPhotoDir(setup.dataDir, setup.account),
          prefetchPhotos: false,
          signInMethods: cliSignInMethods({ ...(setup.clientId ? { clientId: setup.clientId } : {}), ...(setup.authority ? { authority: setup.authority } : {}), say: setup.say ?? (() => undefined) }),
        });
        return { service, warnings };
      } catch (err) {
        await store.close().catch(() => undefined);
        throw err;
      }
    },
    createSecrets(demo) {
      // Demo mode never touches the user's keychain.
      return demo ? createMemorySecrets() : createKeychain();
    },
    async startDemo(opts): Promise<DemoServer> {
      const seed = opts.seed === undefined ? undefined : /^\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed;
      // Loaded only for demo mode: the simulator stays out of every other command's start-up.
      const { startSimulator } = await import('../../simulator/index.ts');
      const sim = await startSimulator({
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {}),
        controlEndpoint: opts.controlEndpoint ?? false,
      });
      const account = sim.accounts.find((a) => a.sip === 'sip:demo@contoso.com') ?? sim.accounts[0];
      if (!account) { await sim.stop(); throw new Error('The demo server has no account.'); }
      const echo = sim.people.find((p) => p.behaviour?.kind === 'echo') ?? sim.people[0];
      return { url: sim.url, origin: sim.origin, control: opts.controlEndpoint ?? false, account: { sip: account.sip, password: account.password }, contact: echo?.sip ?? null, stop: () => sim.stop() };
    },
    async removeLocalData(dataDir, account) {
      const removed = [...await removeAccountDatabase(dataDir, account), ...await removeAccountPhotos(dataDir, account)];
      for (const [file, kept] of [['servers.json', rememberedServers(dataDir)], ['logins.json', rememberedLogins(dataDir)]] as const) {
        if ((await kept.get(account)) === undefined) continue;
        await kept.set(account, undefined);
        removed.push(join(dataDir, file));
      }
      return [...removed, ...(await removeLogFiles(dataDir))];
    },
    async runSimulatorCli(argv) {
      // The simulator's CLI keeps running (its own SIGINT handler stops it and exits).
      const { runSimulatorCli } = await import('../../simulator/cli.ts');
      await runSimulatorCli(argv);
      return 0;
    },
  };
}
