// Credentials live only in the OS keychain (or in memory): never in SQLite, logs or files.
export interface Secrets {
  /** False where no keychain is reachable (no Secret Service on Linux, locked, …). */
  available(): Promise<boolean>;
  getPassword(account: string): Promise<string | null>;
  /** Throws SecretsError 'noKeychain' (secrets/errors.ts) when unavailable: the caller tells the user it was not remembered. */
  setPassword(account: string, password: string): Promise<void>;
  deletePassword(account: string): Promise<void>;
  /** Accounts with a remembered password (for sign-in at launch). */
  accounts(): Promise<string[]>;
}
