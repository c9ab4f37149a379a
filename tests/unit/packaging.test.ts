// The electron-builder configuration: schema-valid for electron-builder itself, and the choices
// that matter (fuses, targets, native modules unpacked, no rebuild, deb dependencies, links).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const mod = (await import(join(root, 'electron-builder.js') as string)) as { default: Config; e2eConfig: Config };
const config = mod.default;
const e2e = mod.e2eConfig;

test('electron-builder accepts both configurations (its own schema validation)', async () => {
  const require = createRequire(join(root, 'node_modules', 'electron-builder', 'package.json'));
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration: (c: Config, l: { isEnabled: boolean; add(): void }) => Promise<void> };
  const logger = { isEnabled: false, add() {} };
  await validateConfiguration(structuredClone(config), logger);
  await validateConfiguration(structuredClone(e2e), logger);
});

test('identity, output, files, no rebuild', () => {
  assert.equal(config.appId, 'org.ucwatray.app');
  assert.equal(config.productName, 'UCWA Tray');
  assert.equal(config.directories.output, 'release');
  assert.ok(config.files.includes('out/**/*'));
  assert.ok(config.files.includes('package.json'));
  assert.equal(config.npmRebuild, false);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.main, 'out/main/index.js', 'the bundle build.mjs writes');
  assert.equal(pkg.scripts.dist, 'node scripts/dist.mjs');
});

test('fuses: release locked down; the e2e build differs only by inspect', () => {
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  });
  assert.deepEqual(e2e.electronFuses, { ...config.electronFuses, enableNodeCliInspectArguments: true });
  assert.deepEqual({ ...e2e, electronFuses: null, directories: null }, { ...config, electronFuses: null, directories: null });
  assert.notEqual(e2e.directories.output, config.directories.output);
});

test('targets: AppImage + deb, NSIS x64 + arm64, dmg + zip', () => {
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, [{ target: 'nsis', arch: ['x64', 'arm64'] }]);
  assert.deepEqual(config.mac.target.map((t: { target: string }) => t.target), ['dmg', 'zip']);
});

test('native modules and the store worker are unpacked from the asar', () => {
  assert.equal(config.asar, true);
  for (const p of ['**/*.node', 'node_modules/better-sqlite3/**', 'node_modules/@napi-rs/keyring*/**', 'out/main/storeWorker.mjs']) assert.ok(config.asarUnpack.includes(p), p);
  assert.ok(existsSync(join(root, 'node_modules', 'better-sqlite3', 'prebuilds')), 'better-sqlite3 ships prebuilds (no rebuild needed)');
});

test('deb dependencies, sip/im protocols, mac entitlements, icons present', () => {
  for (const dep of ['libsecret-1-0', 'libnotify4', 'libxss1', 'libnss3', 'libgtk-3-0']) assert.ok(config.deb.depends.includes(dep), dep);
  assert.deepEqual(config.protocols.flatMap((p: { schemes: string[] }) => p.schemes).sort(), ['im', 'sip']);
  assert.deepEqual(config.linux.mimeTypes, ['x-scheme-handler/sip', 'x-scheme-handler/im']);
  for (const f of [config.mac.entitlements, config.mac.entitlementsInherit, config.win.icon, config.mac.icon, 'build/icons/256x256.png', 'build/tray/tray-online-16.png']) {
    assert.ok(existsSync(join(root, f)), f);
  }
  const ent = readFileSync(join(root, config.mac.entitlements), 'utf8');
  assert.match(ent, /com\.apple\.security\.cs\.allow-jit/);
  assert.doesNotMatch(ent, /allow-unsigned-executable-memory|get-task-allow/);
});
