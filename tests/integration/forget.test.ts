// "Sign out", "Sign out and forget me" and "Delete local history" of the app's service
// (main/electron/services.ts, which runs under plain Node), against the simulator, a REAL Secret
// Service (gnome-keyring in the private D-Bus session `npm test` starts) and SQLite files on disk:
// what each one leaves on this computer, and that another account's files are never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeychain } from '../../main/core/secrets/keychain.ts';
import { createAppService } from '../../main/electron/services.ts';
import { createLogger } from '../../main/electron/log.ts';
import { logDir, MAIN_LOG_NAME } from '../../main/core/paths.ts';
import { databaseFileName } from '../../main/core/store/sqliteStore.ts';
import { accountPhotoDir, isAccountDatabaseFile, removeAccountDatabase } from '../../main/core/store/accountFiles.ts';
import { ME, sim, until } from './helpers.ts';

const hasBus = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS) && process.platform === 'linux';
const noBusReason = 'no D-Bus session with a Secret Service (run through `npm test`, which starts dbus-run-session + gnome-keyring)';
const OTHER = 'sip:demo2@contoso.com';

function secretToolLookup(service: string, account: string): string | null {
  const r = spawnSync('secret-tool', ['lookup', 'service', service, 'username', account], { encoding: 'utf8' });
  return r.status === null ? null : r.stdout;
}

const servers = (dir: string): Record<string, string> => {
  try {
    return JSON.parse(readFileSync(join(dir, 'servers.json'), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
};
const dbFiles = (dir: string, account: string) => readdirSync(dir).filter((n) => isAccountDatabaseFile(n, databaseFileName(account))).sort();

test('Sign out keeps the remembered password; Sign out and forget me removes it (and the remembered server), from the real keychain', async (t) => {
  if (!hasBus) return t.skip(noBusReason);
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-forget-'));
  const keychainService = `UCWA Tray test ${randomUUID()}`;
  const secrets = createKeychain({ service: keychainService });
  const s = await sim();
  const app = await createAppService({ dataDir: dir, fetch: globalThis.fetch, secrets, userAgent: 'UCWA-Tray-test', log: () => undefined });
  try {
    assert.equal((await app.signIn({ sip: ME, password: 'demo', server: s.url, remember: true })).status, 'online');
    assert.equal(await secrets.getPassword(ME), 'demo');
    assert.equal(servers(dir)[ME], s.url);

    await app.signOut();
    assert.equal(app.state().status, 'signedOut');
    assert.equal(await secrets.getPassword(ME), 'demo', 'a plain sign-out keeps the remembered password');
    assert.equal(servers(dir)[ME], s.url, 'and the remembered server');
    assert.equal((await app.signInRemembered())?.status, 'online', 'so the next start signs in by itself');

    await app.signOut({ forget: true });
    assert.equal(await secrets.getPassword(ME), null, 'forget me: the keychain entry is gone');
    assert.deepEqual(await secrets.accounts(), []);
    const external = secretToolLookup(keychainService, ME);
    if (external === null) t.diagnostic('secret-tool is not installed: skipped the external check');
    else assert.equal(external, '', 'the Secret Service itself no longer has it');
    assert.equal(servers(dir)[ME], undefined, 'and the remembered account (its server)');
    assert.equal(await app.signInRemembered(), null, 'nothing to sign in with any more');
    assert.ok(dbFiles(dir, ME).includes(databaseFileName(ME)), 'the history stays (that is Delete local history)');
  } finally {
    await app.close();
    await s.stop();
    for (const a of await secrets.accounts().catch(() => [])) await secrets.deletePassword(a);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Delete local history: signed out, keychain entry, database + -wal/-shm, remembered server and logs gone; another account untouched', async (t) => {
  if (!hasBus) return t.skip(noBusReason);
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-delete-history-'));
  const keychainService = `UCWA Tray test ${randomUUID()}`;
  const secrets = createKeychain({ service: keychainService });
  const logFile = join(logDir(dir), MAIN_LOG_NAME);
  const log = createLogger(logFile, { stderr: false });
  const s = await sim();
  const app = await createAppService({ dataDir: dir, fetch: globalThis.fetch, secrets, userAgent: 'UCWA-Tray-test', log, clearLogs: () => log.clear() });
  try {
    // Another account of this computer, with its own history, password and server.
    assert.equal((await app.signIn({ sip: OTHER, password: 'demo', server: s.url, remember: true })).status, 'online');
    await app.signOut();
    // A look-alike that only starts with the database's name belongs to nobody we delete.
    const lookAlike = `${databaseFileName(ME)}.backup-by-hand`;
    writeFileSync(join(dir, lookAlike), 'mine, not the app\'s');

    assert.equal((await app.signIn({ sip: ME, password: 'demo', server: s.url, remember: true })).status, 'online');
    // The switch closed the other account's store: its files are at rest now.
    const otherFiles = dbFiles(dir, OTHER);
    assert.ok(otherFiles.includes(databaseFileName(OTHER)), `the other account's database exists: ${readdirSync(dir).join(', ')}`);
    const otherBytes = readFileSync(join(dir, databaseFileName(OTHER)));
    await app.syncNow().catch(() => undefined);
    const mine = dbFiles(dir, ME);
    for (const f of [databaseFileName(ME), `${databaseFileName(ME)}-wal`, `${databaseFileName(ME)}-shm`]) assert.ok(mine.includes(f), `${f} in ${mine.join(', ')}`);
    writeFileSync(`${logFile}.1`, 'an older log');
    assert.ok(existsSync(logFile), 'the session was logged');

    // The photos this account's sign-in fetched (the demo world's contacts have some).
    await until(() => existsSync(accountPhotoDir(dir, ME)) && readdirSync(accountPhotoDir(dir, ME)).length > 0, 'photos cached');
    mkdirSync(accountPhotoDir(dir, OTHER), { recursive: true });
    writeFileSync(join(accountPhotoDir(dir, OTHER), 'keep.png'), 'the other account\'s');

    const sessions: string[] = [];
    app.on('session', (st) => sessions.push(st.status));
    assert.deepEqual(await app.deleteLocalHistory(), { account: ME });
    assert.equal(existsSync(accountPhotoDir(dir, ME)), false, 'its photo cache is gone');
    assert.ok(existsSync(join(accountPhotoDir(dir, OTHER), 'keep.png')), 'the other account\'s photos stay');

    assert.equal(app.state().status, 'signedOut');
    assert.equal(app.account(), null, 'the app goes on with nobody signed in');
    assert.equal(sessions.at(-1), 'signedOut', 'the windows are told');
    assert.deepEqual(dbFiles(dir, ME), [], 'the database, its -wal, -shm and markers are gone');
    assert.equal(await secrets.getPassword(ME), null, 'its keychain entry is gone');
    assert.equal(servers(dir)[ME], undefined, 'its remembered server is gone');
    assert.deepEqual(readdirSync(logDir(dir)).filter((n) => n.startsWith('main.log')), [], 'the logs are gone');
    // The other account: files, password and server as they were.
    assert.deepEqual(dbFiles(dir, OTHER), otherFiles);
    assert.ok(readFileSync(join(dir, databaseFileName(OTHER))).equals(otherBytes), 'its database unchanged');
    assert.equal(await secrets.getPassword(OTHER), 'demo');
    assert.equal(servers(dir)[OTHER], s.url);
    assert.ok(existsSync(join(dir, lookAlike)));
    assert.ok(existsSync(join(dir, 'endpoint-id')), 'the install\'s own files stay');

    // Nothing left to delete; the app still works (signing in again starts a fresh history).
    await assert.rejects(app.deleteLocalHistory(), (err: Error & { code?: string }) => err.code === 'notSignedIn');
    assert.equal((await app.signIn({ sip: ME, password: 'demo', server: s.url })).status, 'online');
    assert.ok(dbFiles(dir, ME).includes(databaseFileName(ME)));
    log('still logging after the clear');
    assert.match(readFileSync(logFile, 'utf8'), /still logging/);
  } finally {
    await app.close();
    await s.stop();
    for (const a of await secrets.accounts().catch(() => [])) await secrets.deletePassword(a);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the database files of an account open in another live process are not removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-delete-busy-'));
  try {
    mkdirSync(dir, { recursive: true });
    const db = join(dir, databaseFileName(ME));
    writeFileSync(db, 'db');
    writeFileSync(`${db}-wal`, 'wal');
    // The marker a live session writes (here: our parent process, which is alive and not us).
    const boot = Date.now() - Math.round((await import('node:os')).uptime() * 1000);
    writeFileSync(`${db}.open-${process.ppid}`, JSON.stringify({ pid: process.ppid, boot }));
    await assert.rejects(removeAccountDatabase(dir, ME), (err: Error & { kind?: string }) => err.kind === 'busy' && /open in another program/.test(err.message));
    assert.ok(existsSync(db) && existsSync(`${db}-wal`), 'nothing was removed');
    // A marker left by a process that is gone is a crash, not a live session: removed with the rest.
    rmSync(`${db}.open-${process.ppid}`);
    writeFileSync(`${db}.open-999999999`, JSON.stringify({ pid: 999999999, boot }));
    const removed = await removeAccountDatabase(dir, ME);
    assert.equal(removed.length, 3);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
