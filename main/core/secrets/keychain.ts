// Passwords in the OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret Service)
// through @napi-rs/keyring. Never anything on disk in plaintext: where no keychain is reachable,
// remembering a password fails with SecretsError 'noKeychain' and the caller tells the user.
//
// Linux: every entry is pinned to the Secret Service store. Unpinned, the binding silently falls
// back to the kernel keyutils keyring, which lives in memory and is gone after a reboot — a
// "remembered" password that is silently forgotten. Pinned, the constructor throws instead.
//
// The binding is a native addon per platform: it is loaded on first use, not at import, so a machine
// (or a package) without it still starts and only loses remembered passwords, with a log line saying why.
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { SecretsError } from './errors.ts';
import type { Secrets } from './types.ts';

type Binding = { AsyncEntry: typeof AsyncEntry };

export interface KeychainOptions {
  /** Told once when the native binding cannot be loaded (the app logs it). */
  log?: (line: string) => void;
  /** Service name of every entry; default "UCWA Tray". Tests use their own. */
  service?: string;
  /** How long a keychain call may take before the keychain counts as unavailable (ms); default 10 s. */
  timeoutMs?: number;
}

/** Entries with these user names are ours, not accounts (user names of real accounts are SIP URIs). */
const PROBE_USER = '__ucwa_probe__';
const INDEX_USER = '__ucwa_accounts__';

const NO_KEYCHAIN = 'Your password will not be remembered: no system keychain is available.';

export function entryOptions(platform: NodeJS.Platform = process.platform): EntryOptions | undefined {
  // Only Linux has a choice of stores; elsewhere the option is ignored, but keep it explicit.
  return platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
}

export function createKeychain(opts: KeychainOptions = {}): Secrets {
  const service = opts.service ?? 'UCWA Tray';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let availability: Promise<boolean> | null = null;
  // Index updates are read-modify-write: serialise them so two concurrent setPassword calls
  // cannot lose an account.
  let indexQueue: Promise<unknown> = Promise.resolve();
  let binding: Promise<Binding | null> | null = null;

  function loadBinding(): Promise<Binding | null> {
    binding ??= import('@napi-rs/keyring').then(
      (m: Binding & { default?: Binding }) => (typeof m.AsyncEntry === 'function' ? m : (m.default ?? null)),
      (err: unknown) => {
        opts.log?.(`keychain: the system keychain binding (@napi-rs/keyring) could not be loaded, so passwords will not be remembered: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      },
    );
    return binding;
  }

  async function entry(user: string): Promise<AsyncEntry> {
    const b = await loadBinding();
    if (!b) throw new SecretsError('noKeychain', NO_KEYCHAIN);
    // Throws when the pinned store is unavailable (no D-Bus session, no Secret Service).
    return new b.AsyncEntry(service, user, entryOptions());
  }

  function signal(): AbortSignal {
    return AbortSignal.timeout(timeoutMs);
  }

  async function probe(): Promise<boolean> {
    try {
      const e = await entry(PROBE_USER);
      const value = `probe-${process.pid}-${Date.now()}`;
      await e.setPassword(value, signal());
      const read = await e.getPassword(signal());
      await e.deletePassword(signal());
      return read === value;
    } catch {
      return false;
    }
  }

  function available(): Promise<boolean> {
    availability ??= probe();
    return availability;
  }

  async function requireKeychain(): Promise<void> {
    if (!(await available())) throw new SecretsError('noKeychain', NO_KEYCHAIN);
  }

  function keychainError(err: unknown): SecretsError {
    // A keychain that answered the probe but fails now (locked, daemon gone): same meaning for the user.
    return new SecretsError('noKeychain', NO_KEYCHAIN, { cause: err });
  }

  async function readIndex(): Promise<string[]> {
    const raw = await (await entry(INDEX_USER)).getPassword(signal());
    if (!raw) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
    } catch {
      return []; // a damaged index only loses the list, never a password
    }
  }

  function updateIndex(change: (accounts: string[]) => string[]): Promise<void> {
    const next = indexQueue.then(async () => {
      const before = await readIndex();
      const after = change(before);
      if (after.length === before.length && after.every((a, i) => a === before[i])) return;
      const index = await entry(INDEX_USER);
      if (after.length) await index.setPassword(JSON.stringify(after), signal());
      else await index.deletePassword(signal());
    });
    indexQueue = next.catch(() => undefined);
    return next;
  }

  function checkAccount(account: string): void {
    if (!account || account === PROBE_USER || account === INDEX_USER) {
      throw new SecretsError('invalidInput', 'That account name cannot be stored in the keychain.');
    }
  }

  return {
    available,

    async getPassword(account) {
      checkAccount(account);
      if (!(await available())) return null;
      try {
        return await (await entry(account)).getPassword(signal());
      } catch (err) {
        throw keychainError(err);
      }
    },

    async setPassword(account, password) {
      checkAccount(account);
      await requireKeychain();
      try {
        await (await entry(account)).setPassword(password, signal());
        await updateIndex((list) => (list.includes(account) ? list : [...list, account]));
      } catch (err) {
        throw keychainError(err);
      }
    },

    async deletePassword(account) {
      checkAccount(account);
      if (!(await available())) return; // nothing can have been remembered
      try {
        await (await entry(account)).deletePassword(signal());
        await updateIndex((list) => list.filter((a) => a !== account));
      } catch (err) {
        throw keychainError(err);
      }
    },

    async accounts() {
      if (!(await available())) return [];
      try {
        return await readIndex();
      } catch (err) {
        throw keychainError(err);
      }
    },
  };
}

/** Secrets for hosts without a keychain (and tests): held in this process's memory only. */
export function createMemorySecrets(): Secrets {
  const map = new Map<string, string>();
  return {
    available: async () => true,
    getPassword: async (account) => map.get(account) ?? null,
    setPassword: async (account, password) => { map.set(account, password); },
    deletePassword: async (account) => { map.delete(account); },
    accounts: async () => [...map.keys()],
  };
}
