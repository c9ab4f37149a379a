// Runs the REAL bundled main process (out/main/index.js) and preload (out/preload/index.cjs) under
// the Electron emulation (emulation/), one app run per launch, all in one Debian Chromium. A run is
// a fresh evaluation of the bundle with its own `electron` module and process view; restarting is
// launching again on the same home directory. The harness plays the user and the desktop: it clicks
// the tray and its menu, notifications and windows, and focuses elsewhere.
import { mkdtempSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Page } from '@playwright/test';
import { installElectronEmulation } from './emulation/hooks.ts';
import { Run } from './emulation/run.ts';
import { createElectron, register, type Emulation } from './emulation/electron.ts';
import type { EmulatedBrowserWindow } from './emulation/window.ts';
import { electronEvent } from './emulation/events.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const MAIN_BUNDLE = join(ROOT, 'out/main/index.js');
const CHROMIUM = '/usr/bin/chromium';

installElectronEmulation();

let browser: Browser | null = null;
let seq = 0;

export function ensureBuilt(): void {
  if (existsSync(MAIN_BUNDLE) && existsSync(join(ROOT, 'out/preload/index.cjs')) && existsSync(join(ROOT, 'out/renderer/app.js'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('`node scripts/build.mjs` failed: the emulated shell runs the built bundle');
}

export async function sharedBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (npm test installs it when root)`);
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = null;
  if (process.env.UCWA_EMULATION_DEBUG) setTimeout(() => console.log('still active:', process.getActiveResourcesInfo()), 2000).unref();
}

export interface LaunchOptions {
  platform?: NodeJS.Platform;
  /** Command-line arguments after the app (e.g. ['--demo'], ['sip:bob@contoso.com']). */
  args?: string[];
  /** Same home = same userData (a restart, or a second instance). */
  home?: string;
  env?: Record<string, string | undefined>;
  packaged?: boolean;
  missingModules?: string[];
  launchActivation?: { type: string; arguments: string; reply?: string };
  /** macOS: the URL the app was launched with ('open-url' before ready). */
  openUrl?: string;
}

export async function launchApp(opts: LaunchOptions = {}): Promise<AppRun> {
  ensureBuilt();
  const b = await sharedBrowser();
  const id = String(++seq);
  const platform = opts.platform ?? 'linux';
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'ucwa-emulated-home-'));
  const appData = platform === 'win32' ? join(home, 'AppData', 'Roaming') : platform === 'darwin' ? join(home, 'Library', 'Application Support') : join(home, '.config');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { productName: string; version: string };
  const exe = platform === 'win32' ? 'C:\\Program Files\\UCWA Tray\\UCWA Tray.exe' : '/opt/UCWA Tray/ucwa-tray';
  const argv = opts.packaged ? [exe, ...(opts.args ?? [])] : [exe, ROOT, ...(opts.args ?? [])];
  // Each home gets its own keychain entries (the Secret Service is shared by every run of this machine).
  const env: Record<string, string | undefined> = { ...process.env, HOME: home, UCWA_KEYCHAIN_SERVICE: `UCWA Tray emulated ${home}`, ...opts.env };
  delete env.UCWA_E2E; // the emulation observes from outside: no test hooks in the app
  delete env.UCWA_USER_DATA_DIR;
  const context = await b.newContext({ viewport: { width: 980, height: 680 } });
  const run = new Run({
    id, platform, argv, env, appData, home, packaged: opts.packaged ?? false, appRoot: ROOT, name: pkg.productName, version: pkg.version, context,
    missingModules: opts.missingModules ?? [], ...(opts.launchActivation ? { launchActivation: opts.launchActivation } : {}),
  });
  const emu = await createElectron(run);
  register(run, emu.electron);
  const started = performance.now();
  let startupError: Error | null = null;
  try {
    await import(`${pathToFileURL(MAIN_BUNDLE).href}?ucwaRun=${id}`);
  } catch (err) {
    // Electron shows "A JavaScript error occurred in the main process" and the app never starts.
    startupError = err instanceof Error ? err : new Error(String(err));
    run.mainErrors.push(startupError);
    run.terminate(1);
  }
  if (!startupError) await run.boot(opts.openUrl);
  return new AppRun(run, emu, home, started);
}

export class AppRun {
  readonly run: Run;
  readonly emu: Emulation;
  readonly home: string;
  readonly startedAt: number;
  constructor(run: Run, emu: Emulation, home: string, startedAt: number) {
    this.run = run;
    this.emu = emu;
    this.home = home;
    this.startedAt = startedAt;
  }

  get userData(): string {
    return this.run.userData;
  }

  /** Live windows with the name their URL gives (?window=history|popup|signin). */
  windows(): { name: string; win: EmulatedBrowserWindow; visible: boolean }[] {
    return this.emu.BrowserWindow.getAllWindows().map((win) => {
      const w = win as unknown as EmulatedBrowserWindow;
      let name = '?';
      try {
        name = new URL(w.contents.getURL() || 'app://ui/').searchParams.get('window') ?? '?';
      } catch {
        /* not loaded */
      }
      return { name, win: w, visible: w.isVisible() };
    });
  }

  visibleWindows(): string[] {
    return this.windows().filter((w) => w.visible).map((w) => w.name).sort();
  }

  /** The window of that name once it exists, has loaded and (by default) is visible. */
  async window(name: string, opts: { visible?: boolean; timeout?: number } = {}): Promise<{ win: EmulatedBrowserWindow; page: Page }> {
    const w = await until(() => this.windows().find((x) => x.name === name && !x.win.contents.isLoading() && (opts.visible === false || x.visible)), opts.timeout ?? 20_000, `a visible ${name} window (visible now: ${this.visibleWindows().join(', ') || 'none'})`);
    return { win: w.win, page: await w.win.contents.page };
  }

  tray() {
    const t = this.emu.desktop.state.trays.find((x) => !x.isDestroyed());
    if (!t) throw new Error('no tray icon');
    return t;
  }

  /** The tray menu as the user sees it: the context menu on Windows/Linux, the right-click menu on macOS. */
  trayMenu(): { label: string; enabled: boolean; checked: boolean; type: string }[] {
    const t = this.tray();
    let menu = t.contextMenu;
    if (!menu && this.run.platform === 'darwin') {
      this.rightClickTray();
      menu = this.emu.desktop.state.lastPopup() as typeof menu;
    }
    return (menu?.items ?? []).map((i) => ({ label: i.label, enabled: i.enabled, checked: i.checked, type: String(i.type) }));
  }

  clickTrayMenu(label: string | RegExp): void {
    const t = this.tray();
    const menu = t.contextMenu ?? (this.rightClickTray(), this.emu.desktop.state.lastPopup());
    const item = menu?.items.find((i) => (typeof label === 'string' ? i.label === label : label.test(i.label)));
    if (!item) throw new Error(`no tray menu item ${String(label)} in: ${(menu?.items ?? []).map((i) => i.label).join(' | ')}`);
    if (!item.enabled) throw new Error(`tray menu item ${item.label} is disabled`);
    (item as unknown as { click(): void }).click();
  }

  clickTray(): void {
    const t = this.tray();
    this.run.emitSafely(() => t.emit('click', electronEvent(), t.getBounds(), { x: 0, y: 0 }));
  }

  rightClickTray(): void {
    const t = this.tray();
    this.run.emitSafely(() => t.emit('right-click', electronEvent(), t.getBounds()));
  }

  /** The window manager moves focus away from the app (a click on the desktop). */
  focusElsewhere(): void {
    this.run.focus(null);
  }

  notifications() {
    return this.emu.desktop.state.shown;
  }

  /** Quit from the tray menu and wait for the process to end. */
  async quitFromTray(): Promise<number> {
    this.clickTrayMenu(/^Quit/);
    return this.exited();
  }

  exited(timeout = 15_000): Promise<number> {
    return Promise.race([this.run.exited, new Promise<number>((_r, reject) => setTimeout(() => reject(new Error(`the app did not exit within ${timeout} ms`)), timeout).unref())]);
  }

  log(): string {
    const file = join(this.userData, 'logs', 'main.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Unclean-shutdown markers left by the store (`<db>.open-<pid>`). */
  storeMarkers(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (/\.open-\d+$/.test(e.name)) out.push(join(dir, e.name));
      }
    };
    walk(this.userData);
    return out;
  }

  /** Ends the run whatever its state (after a test), then closes its browser context. */
  async dispose(): Promise<void> {
    if (this.run.state !== 'exited') {
      this.run.quit();
      await this.exited(10_000).catch(() => this.run.exit(0));
    }
    await this.run.opts.context.close().catch(() => undefined);
    await this.emu.partitions.close();
  }
}

export async function until<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeout: number, what: string): Promise<T> {
  const end = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
