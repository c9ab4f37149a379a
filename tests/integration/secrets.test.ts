// The keychain against a REAL Secret Service (gnome-keyring in the private D-Bus session that
// `npm test` starts). Outside such a session the tests that need it report themselves skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createKeychain } from '../../main/core/secrets/keychain.ts';
import { SecretsError } from '../../main/core/secrets/errors.ts';
import { toAppError } from '../../main/core/app/errors.ts';

const keychainModule = fileURLToPath(new URL('../../main/core/secrets/keychain.ts', import.meta.url));
const hasBus = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS) && process.platform === 'linux';
const noBusReason = 'no D-Bus session with a Secret Service (run through `npm test`, which starts dbus-run-session + gnome-keyring)';

function secretTool(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('secret-tool', args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

test('a remembered password lands in the Secret Service and comes back', async (t) => {
  if (!hasBus) return t.skip(noBusReason);
  const service = `UCWA Tray test ${randomUUID()}`;
  const keychain = createKeychain({ service });
  assert.equal(await keychain.available(), true, 'the Secret Service of this session must be usable');

  await keychain.setPassword('sip:alice@contoso.com', 'correct horse');
  assert.equal(await keychain.getPassword('sip:alice@contoso.com'), 'correct horse');

  // What the OS keychain itself holds, read by another program.
  const found = secretTool('lookup', 'service', service, 'username', 'sip:alice@contoso.com');
  if (found.status === null) t.diagnostic('secret-tool is not installed: skipped the external check');
  else assert.equal(found.stdout, 'correct horse', `secret-tool lookup: ${found.stderr}`);

  // A second instance (another process in real life) sees the same password and account list.
  const again = createKeychain({ service });
  assert.equal(await again.getPassword('sip:alice@contoso.com'), 'correct horse');
  assert.deepEqual(await again.accounts(), ['sip:alice@contoso.com']);

  await keychain.setPassword('sip:alice@contoso.com', 'new password');
  assert.equal(await keychain.getPassword('sip:alice@contoso.com'), 'new password');

  await keychain.deletePassword('sip:alice@contoso.com');
  assert.equal(await keychain.getPassword('sip:alice@contoso.com'), null);
  assert.deepEqual(await keychain.accounts(), []);
  if (found.status !== null) {
    const gone = secretTool('search', '--all', 'service', service);
    assert.equal(gone.stdout.trim(), '', 'nothing of this service is left in the keychain (probe and index included)');
  }
});

test('accounts() lists every remembered account, also under concurrent writes', async (t) => {
  if (!hasBus) return t.skip(noBusReason);
  const service = `UCWA Tray test ${randomUUID()}`;
  const keychain = createKeychain({ service });
  const accounts = ['sip:a@contoso.com', 'sip:b@contoso.com', 'sip:c@contoso.com'];
  await Promise.all(accounts.map((a, i) => keychain.setPassword(a, `pw${i}`)));
  assert.deepEqual([...(await keychain.accounts())].sort(), accounts);
  for (const [i, a] of accounts.entries()) assert.equal(await keychain.getPassword(a), `pw${i}`);
  await keychain.deletePassword('sip:b@contoso.com');
  assert.deepEqual([...(await keychain.accounts())].sort(), ['sip:a@contoso.com', 'sip:c@contoso.com']);
  assert.equal(await keychain.getPassword('sip:never@contoso.com'), null);
  await keychain.deletePassword('sip:never@contoso.com'); // deleting an unknown account is fine
  for (const a of accounts) await keychain.deletePassword(a);
  assert.deepEqual(await keychain.accounts(), []);
});

test('the reserved entry names cannot be used as accounts', async () => {
  const keychain = createKeychain({ service: 'UCWA Tray test reserved' });
  // secrets/ throws its own SecretsError; the app maps it to the same code and sentence.
  const invalid = (err: unknown) => err instanceof SecretsError && err.code === 'invalidInput'
    && toAppError(err).code === 'invalidInput' && toAppError(err).message === 'That account name cannot be stored in the keychain.';
  await assert.rejects(keychain.setPassword('__ucwa_accounts__', 'x'), invalid);
  await assert.rejects(keychain.getPassword(''), invalid);
});

test('without a Secret Service: unavailable, and remembering fails with noKeychain (no fallback)', async (t) => {
  if (process.platform !== 'linux') return t.skip('the Secret Service exists only on Linux');
  // A child process without a D-Bus session: the pinned Secret Service store cannot be reached and
  // the binding must not fall back to the kernel keyring.
  const script = `
    import { createKeychain } from ${JSON.stringify(keychainModule)};
    const k = createKeychain({ service: 'UCWA Tray test unavailable' });
    const out = { available: await k.available() };
    try { await k.setPassword('sip:alice@contoso.com', 'pw'); out.set = 'stored'; }
    catch (err) { out.set = { code: err.code, message: err.message }; }
    out.get = await k.getPassword('sip:alice@contoso.com');
    out.accounts = await k.accounts();
    console.log(JSON.stringify(out));
  `;
  const env = { ...process.env };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  env.DISPLAY = '';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
  assert.deepEqual(out, {
    available: false,
    set: { code: 'noKeychain', message: 'Your password will not be remembered: no system keychain is available.' },
    get: null,
    accounts: [],
  });
});
