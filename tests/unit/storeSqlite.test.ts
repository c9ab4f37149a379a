// The Store contract against the SQLite store (a real database in a temp folder, a real worker).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../main/core/store/sqliteStore.ts';
import { storeContractTests } from './storeContract.ts';

storeContractTests('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-store-'));
  const store = await createSqliteStore({ dataDir: dir, account: 'sip:me@contoso.com' });
  return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
