// The shell's start-up and sign-in, measured on the REAL bundle under the Electron emulation
// (tests/e2e-emulated): process start → tray ready → first window loaded (its first paint follows the
// load in Chromium), and "Sign in" clicked → first history row on screen. Each beside a peer measured
// in the same run: the same renderer page loaded straight into a Chromium page (no main process),
// and the core's own sign-in against the same simulator (no shell, no renderer).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeBrowser, launchApp, sharedBrowser } from '../tests/e2e-emulated/harness.ts';
import { signInFromWindow, startWorld } from '../tests/e2e-emulated/world.ts';
import { createMessengerService } from '../main/core/app/index.ts';
import { createMemoryStore } from '../main/core/store/memoryStore.ts';
import { createMemorySecrets } from '../main/core/secrets/keychain.ts';
import { contentSecurityPolicy } from '../main/electron/appProtocol.ts';
import type { Figure } from './run.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (v: number) => Math.round(v * 10) / 10;

export async function benchShell(opts: { quick: boolean }): Promise<Record<string, Figure>> {
  const runs = opts.quick ? 3 : 7;
  const world = await startWorld();
  const toTray: number[] = [];
  const toWindow: number[] = [];
  const toList: number[] = [];
  const pagePeer: number[] = [];
  const coreSignIn: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const app = await launchApp();
      try {
        await app.window('signin');
        toTray.push(app.run.marks.get('tray')! - app.startedAt);
        toWindow.push(app.run.marks.get('loaded signin')! - app.startedAt);
        const clicked = performance.now();
        await signInFromWindow(app, world.sim.url, world.account);
        const history = await app.window('history');
        await history.page.locator('.vlist-row').first().waitFor({ timeout: 30_000 });
        toList.push(performance.now() - clicked);
      } finally {
        await app.dispose();
      }
      // Peer: the same renderer page, no main process (served from memory with the same CSP).
      const browser = await sharedBrowser();
      const ctx = await browser.newContext();
      try {
        const p = await ctx.newPage();
        const root = join(import.meta.dirname, '..', 'out', 'renderer');
        await ctx.route('https://ui.peer/**', async (r) => {
          const path = new URL(r.request().url()).pathname;
          const file = join(root, path === '/' ? 'index.html' : path);
          const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : file.endsWith('.html') ? 'text/html' : 'application/octet-stream';
          try {
            await r.fulfill({ status: 200, headers: { 'content-type': type, 'content-security-policy': contentSecurityPolicy() }, body: readFileSync(file) });
          } catch {
            await r.fulfill({ status: 404 });
          }
        });
        const t0 = performance.now();
        await p.goto('https://ui.peer/index.html?window=signin', { waitUntil: 'load' });
        pagePeer.push(performance.now() - t0);
      } finally {
        await ctx.close();
      }
      const service = createMessengerService({ fetch, store: createMemoryStore(), secrets: createMemorySecrets(), endpointId: `bench-${i}`, userAgent: 'bench', log: () => {} });
      const t1 = performance.now();
      await service.signIn({ sip: world.account.sip, password: world.account.password, server: world.sim.url, remember: false });
      coreSignIn.push(performance.now() - t1);
      await service.close();
    }
  } finally {
    await world.stop();
    await closeBrowser();
  }
  return {
    startToTray: { value: ms(median(toTray)), unit: 'ms', target: 'informational (module evaluation + ready + createAppService)' },
    startToFirstWindowLoaded: { value: ms(median(toWindow)), unit: 'ms', floor: ms(median(pagePeer)), target: 'floor = the same page loaded alone' },
    signInToFirstHistoryRow: { value: ms(median(toList)), unit: 'ms', floor: ms(median(coreSignIn)), target: 'floor = the core signing in alone' },
  };
}
