// The data folder shared by the app and the CLI (what Electron's userData gives), and the endpointId.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userDataDir, endpointId } from '../../main/core/paths.ts';

test('userDataDir matches Electron userData for productName "UCWA Tray" on each OS', () => {
  assert.equal(userDataDir({ platform: 'linux', env: {}, home: '/home/ann' }), '/home/ann/.config/UCWA Tray');
  assert.equal(userDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg' }, home: '/home/ann' }), '/xdg/UCWA Tray');
  assert.equal(userDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: 'relative' }, home: '/home/ann' }), '/home/ann/.config/UCWA Tray');
  assert.equal(userDataDir({ platform: 'darwin', env: {}, home: '/Users/ann' }), '/Users/ann/Library/Application Support/UCWA Tray');
  assert.equal(userDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, home: 'C:\\Users\\ann' }), 'C:\\Users\\ann\\AppData\\Roaming\\UCWA Tray');
  assert.equal(userDataDir({ platform: 'win32', env: {}, home: 'C:\\Users\\ann' }), 'C:\\Users\\ann\\AppData\\Roaming\\UCWA Tray');
});

test('endpointId is created once (0600), stable, shared by concurrent callers, and repaired if damaged', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'ucwa-paths-')), 'nested', 'UCWA Tray');
  try {
    const ids = await Promise.all([endpointId(dir), endpointId(dir), endpointId(dir)]);
    assert.match(ids[0]!, /^[0-9a-f-]{36}$/);
    assert.equal(new Set(ids).size, 1);
    assert.equal(await endpointId(dir), ids[0]);
    const file = join(dir, 'endpoint-id');
    if (process.platform !== 'win32') {
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
    }
    assert.equal(readFileSync(file, 'utf8').trim(), ids[0]);
    writeFileSync(file, 'garbage');
    const repaired = await endpointId(dir);
    assert.match(repaired, /^[0-9a-f-]{36}$/);
    assert.equal(await endpointId(dir), repaired);
  } finally {
    rmSync(join(dir, '..', '..'), { recursive: true, force: true });
  }
});
