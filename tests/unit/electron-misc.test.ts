import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLinuxAutostart, autostartDesktopEntry, autostartFile, loginItemSettings } from '../../main/electron/autostart.ts';
import { idleReport, networkChange } from '../../main/electron/idle.ts';
import { createLogger, redactLine } from '../../main/electron/log.ts';
import { createDemo, demoSignIn, DEMO_ACCOUNT } from '../../main/electron/demo.ts';
import { protocolClientArgs } from '../../main/electron/protocolClient.ts';

test('login items: hidden start passes --hidden (macOS: openAsHidden)', () => {
  assert.deepEqual(loginItemSettings({ startAtLogin: true, startHidden: true }, 'win32'), { openAtLogin: true, args: ['--hidden'] });
  assert.deepEqual(loginItemSettings({ startAtLogin: false, startHidden: false }, 'win32'), { openAtLogin: false, args: [] });
  assert.deepEqual(loginItemSettings({ startAtLogin: true, startHidden: true }, 'darwin'), { openAtLogin: true, openAsHidden: true });
});

test('Linux autostart .desktop file: quoted Exec, written and removed', async () => {
  const entry = autostartDesktopEntry({ exec: '/opt/UCWA Tray/ucwa-tray', hidden: true });
  assert.match(entry, /^\[Desktop Entry\]\nType=Application\n/);
  assert.match(entry, /\nExec="\/opt\/UCWA Tray\/ucwa-tray" --hidden\n/);
  assert.match(autostartDesktopEntry({ exec: '/x/100%', hidden: false }), /\nExec="\/x\/100%%"\n/);
  assert.equal(autostartFile({ XDG_CONFIG_HOME: '/cfg' }, '/home/u'), '/cfg/autostart/ucwa-tray.desktop');
  assert.equal(autostartFile({ XDG_CONFIG_HOME: 'relative' }, '/home/u'), '/home/u/.config/autostart/ucwa-tray.desktop');
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-autostart-'));
  try {
    const file = join(dir, 'autostart', 'ucwa-tray.desktop');
    await applyLinuxAutostart(file, true, entry);
    assert.equal(readFileSync(file, 'utf8'), entry);
    await applyLinuxAutostart(file, false, entry);
    assert.equal(existsSync(file), false);
    await applyLinuxAutostart(file, false, entry);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('idle: whole seconds, locked screen flagged; network nudges only on coming back online', () => {
  assert.deepEqual(idleReport(12.7, 'active'), { idleSeconds: 12, locked: false });
  assert.deepEqual(idleReport(-1, 'locked'), { idleSeconds: 0, locked: true });
  assert.deepEqual(idleReport(Number.NaN, 'unknown'), { idleSeconds: 0, locked: false });
  assert.equal(networkChange(null, true), null);
  assert.equal(networkChange(true, true), null);
  assert.equal(networkChange(true, false), null);
  assert.equal(networkChange(false, true), 'network');
});

test('logs redact passwords and tokens', () => {
  const line = redactLine('signIn {"sip":"sip:a@b.c","password":"hunter2"} Authorization: Bearer abc.def token=xyz&x=1 "access_token":"t0k"');
  for (const secret of ['hunter2', 'abc.def', 'xyz', 't0k']) assert.ok(!line.includes(secret), `${secret} in ${line}`);
  assert.ok(line.includes('sip:a@b.c'));
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-log-'));
  try {
    const file = join(dir, 'logs', 'main.log');
    const log = createLogger(file, { stderr: false });
    log('password=swordfish signed in');
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('swordfish'));
    assert.match(text, /password=\[redacted\] signed in/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo: starts the simulator once and signs in as the demo account', async () => {
  let starts = 0;
  const fakeSim = { url: 'http://127.0.0.1:5555/autodiscover/autodiscoverservice.svc/root', origin: 'http://127.0.0.1:5555', accounts: [{ sip: 'sip:other@contoso.com', password: 'x', name: 'O' }, { sip: DEMO_ACCOUNT, password: 'demo', name: 'Dana' }], stop: async () => undefined };
  const demo = createDemo({ start: async () => (starts++, fakeSim as never), log: () => undefined });
  const [a, b] = await Promise.all([demo.start(), demo.start()]);
  assert.equal(starts, 1);
  assert.deepEqual(a, { sip: DEMO_ACCOUNT, password: 'demo', server: fakeSim.url, remember: false, demo: true });
  assert.deepEqual(b, a);
  assert.throws(() => demoSignIn({ url: 'x', accounts: [] }), /no account/);
  await demo.stop();
  assert.equal(demo.simulator(), null);
});

test('sip:/im: registration: packaged app registers itself; a dev build only when forced, with its path', () => {
  assert.deepEqual(protocolClientArgs({ packaged: true, execPath: '/x', appPath: '/app' }), { register: true });
  assert.deepEqual(protocolClientArgs({ packaged: false, execPath: '/x', appPath: '/app' }), { register: false });
  assert.deepEqual(protocolClientArgs({ packaged: false, execPath: '/e', appPath: '/app', force: true }), { register: true, path: '/e', args: ['/app', '--'] });
});
