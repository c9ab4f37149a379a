// The emulation's own rules, checked against what the Electron docs say (so the emulation can
// disagree with main.ts, and a rule that silently stopped holding fails here).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sharedBrowser } from './harness.ts';
import { Run } from './emulation/run.ts';
import { createElectron } from './emulation/electron.ts';

async function bareRun(platform: NodeJS.Platform = 'linux') {
  const context = await (await sharedBrowser()).newContext();
  const run = new Run({ id: `rules-${Math.random()}`, platform, argv: ['/opt/e', '/app'], env: {}, appData: '/tmp/rules-appdata', home: '/tmp', packaged: false, appRoot: '/app', name: 'Rules', version: '1.0.0', context, missingModules: [] });
  const emu = await createElectron(run);
  return { run, emu, close: () => context.close() };
}

describe('emulation rules (Electron docs)', () => {
  test('before ready: BrowserWindow, Tray, screen and net throw; registerSchemesAsPrivileged works once, and not after ready', async () => {
    const { run, emu, close } = await bareRun();
    try {
      assert.throws(() => new emu.BrowserWindow({}), /before the app is ready/);
      assert.throws(() => new emu.desktop.Tray('/x.png'), /before the app is ready/);
      assert.throws(() => emu.desktop.screen.getPrimaryDisplay(), /before the app is ready/);
      await assert.rejects(emu.network.net.fetch('http://127.0.0.1:9/'), /before the app is ready/);
      emu.network.protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true } }]);
      assert.throws(() => emu.network.protocol.registerSchemesAsPrivileged([]), /only once/);
      await run.boot();
      assert.throws(() => emu.network.protocol.registerSchemesAsPrivileged([]), /before app is ready|only once/);
      assert.ok(JSON.stringify(run.applicationMenu).includes('Toggle Developer Tools'), 'the default menu when the app sets none');
    } finally {
      await close();
    }
  });

  test('one ipcMain.handle per channel; platform-only APIs exist only on their platform', async () => {
    const linux = await bareRun('linux');
    const win = await bareRun('win32');
    try {
      linux.emu.network.ipcMain.handle('c', () => 1);
      assert.throws(() => linux.emu.network.ipcMain.handle('c', () => 2), /second handler for 'c'/);
      const l = linux.emu.app as unknown as Record<string, unknown>;
      const w = win.emu.app as unknown as Record<string, unknown>;
      assert.equal(typeof l.setAppUserModelId, 'undefined');
      assert.equal(typeof w.setAppUserModelId, 'function');
      assert.equal(typeof l.setBadgeCount, 'function');
      assert.equal(typeof w.setBadgeCount, 'undefined');
      assert.equal(typeof (linux.emu.desktop.Notification as unknown as Record<string, unknown>).handleActivation, 'undefined');
    } finally {
      await linux.close();
      await win.close();
    }
  });

  test("net.fetch with redirect: 'manual' rejects with 'Redirect was cancelled' (electron#43715); net.request emits 'redirect'", async () => {
    const server = createServer((req, res) => {
      if (req.url === '/go') res.writeHead(302, { location: '/there' }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('here');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { run, emu, close } = await bareRun();
    try {
      await run.boot();
      await assert.rejects(emu.network.net.fetch(`${base}/go`, { redirect: 'manual' }), /Redirect was cancelled/);
      assert.equal(await (await emu.network.net.fetch(`${base}/go`)).text(), 'here');
      const seen = await new Promise<{ status: number; url: string }>((resolve, reject) => {
        const req = emu.network.net.request({ url: `${base}/go`, redirect: 'manual' });
        req.on('redirect', (status, _m, url) => {
          req.abort();
          resolve({ status, url });
        });
        req.on('error', reject);
        req.end();
      });
      assert.deepEqual(seen, { status: 302, url: `${base}/there` });
    } finally {
      await close();
      server.closeAllConnections();
      server.close();
    }
  });

  test('quit order: before-quit → windows close → will-quit → quit; a prevented close cancels the quit', async () => {
    const { run, emu, close } = await bareRun();
    try {
      await run.boot();
      const order: string[] = [];
      for (const e of ['before-quit', 'will-quit', 'quit']) emu.app.on(e, () => order.push(e));
      emu.app.on('window-all-closed', () => order.push('window-all-closed'));
      const w = new emu.BrowserWindow({ show: false });
      let refuse = true;
      w.on('close', (e: { preventDefault(): void }) => {
        order.push('close');
        if (refuse) e.preventDefault();
      });
      w.on('closed', () => order.push('closed'));
      emu.app.quit();
      assert.equal(run.state, 'running', 'a prevented close cancels the quit');
      refuse = false;
      emu.app.quit();
      assert.equal(await run.exited, 0);
      assert.deepEqual(order, ['before-quit', 'close', 'before-quit', 'close', 'closed', 'will-quit', 'quit']);
      assert.throws(() => w.show(), /Object has been destroyed/);
    } finally {
      await close();
    }
  });
});
