// Assembles one run's `electron` module (what `import … from 'electron'` gives its main bundle) and
// the process it sees, and wires the pages' IPC binding to ipcMain.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Page } from '@playwright/test';
import type { IpcMainInvokeEvent } from 'electron';
import { makeApp } from './app.ts';
import { toAppUrl } from './appUrls.ts';
import { makeDesktop } from './desktop.ts';
import { electronEvent } from './events.ts';
import { runs } from './hooks.ts';
import { makeNetwork } from './network.ts';
import { makePartitions } from './partitions.ts';
import type { Run } from './run.ts';
import { makeBrowserWindow, makeWebContents, type EmulatedWebContents } from './window.ts';

export type Emulation = Awaited<ReturnType<typeof createElectron>>;

export async function createElectron(run: Run) {
  const bindingName = `__ucwaEmulatedIpc_${randomBytes(6).toString('hex')}`;
  const deliverKey = `__ucwaEmulatedDeliver_${randomBytes(6).toString('hex')}`;
  const app = makeApp(run);
  const network = makeNetwork(run);
  const desktop = makeDesktop(run);
  // Set below: finding a page's webContents needs BrowserWindow, which needs the partitions.
  let contentsOf: (page: Page) => EmulatedWebContents | null = () => null;
  const partitions = makePartitions(run, async (ctx) => {
    await ctx.route('**/*', (r) => network.route(r, contentsOf));
  });
  const WebContents = makeWebContents(run, {
    bindingName, deliverKey, schemes: network.schemes,
    session: (partition) => (partition ? partitions.fromPartition(partition) : network.session),
    contextFor: (partition) => partitions.contextFor(partition),
  });
  const BrowserWindow = makeBrowserWindow(run, WebContents, run.platform === 'win32');

  contentsOf = (page: Page): EmulatedWebContents | null => {
    const entry = run.pages.get(page);
    if (!entry) return null;
    const w = BrowserWindow.getAllWindows().find((x) => x.id === entry.id);
    return w ? w.contents : null;
  };

  // Every page created gets app 'web-contents-created' before it loads anything.
  const created = new WeakSet<object>();
  const announce = (wc: EmulatedWebContents) => {
    if (created.has(wc)) return;
    created.add(wc);
    run.emitSafely(() => run.appEmit('web-contents-created', electronEvent(), wc));
  };
  const OriginalWindow = BrowserWindow;
  const AnnouncingWindow = class BrowserWindow extends OriginalWindow {
    constructor(...args: ConstructorParameters<typeof OriginalWindow>) {
      super(...args);
      announce(this.contents);
    }
  };

  await run.opts.context.route('**/*', (r) => network.route(r, contentsOf));
  await run.opts.context.exposeBinding(bindingName, async (source, msg: { kind: string; channel: string; args: unknown[] }) => {
    const wc = contentsOf(source.page);
    if (!wc || wc.isDestroyed()) return { ok: false, message: 'the webContents is destroyed' };
    const frame = source.frame;
    const senderFrame = frame.isDetached() ? null : { url: toAppUrl(frame.url()), origin: new URL(toAppUrl(frame.url())).origin, parent: frame.parentFrame() ? {} : null, detached: false, isDestroyed: () => false };
    const event = { sender: wc, senderFrame, processId: 1, frameId: 1, type: 'frame' } as unknown as IpcMainInvokeEvent;
    if (msg.kind === 'send') {
      run.emitSafely(() => network.ipcMain.emit(msg.channel, event, ...msg.args));
      return { ok: true };
    }
    const handler = network.state.ipcHandlers.get(msg.channel);
    if (!handler) return { ok: false, message: `Error invoking remote method '${msg.channel}': Error: No handler registered for '${msg.channel}'` };
    try {
      const value = structuredClone(await handler(event, ...msg.args));
      if (wc.isDestroyed()) throw new Error('the page was destroyed before the reply'); // never reaches the page in Electron either
      return { ok: true, value };
    } catch (err) {
      return { ok: false, message: `Error invoking remote method '${msg.channel}': ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
    }
  });

  const electron = {
    app,
    BrowserWindow: AnnouncingWindow,
    ipcMain: network.ipcMain,
    protocol: network.protocol,
    session: {
      get defaultSession() { run.requireReady('session'); return network.session; },
      fromPartition: (partition: string) => (partition ? partitions.fromPartition(partition) : network.session),
    },
    net: network.net,
    Menu: desktop.Menu,
    MenuItem: desktop.MenuItem,
    Tray: desktop.Tray,
    Notification: desktop.Notification,
    nativeImage: desktop.nativeImage,
    nativeTheme: desktop.nativeTheme,
    powerMonitor: desktop.powerMonitor,
    screen: desktop.screen,
    shell: desktop.shell,
    clipboard: desktop.clipboard,
  };
  return { electron, app, network, desktop, partitions, BrowserWindow: AnnouncingWindow, contentsOf };
}

/** The process a run's bundle sees: Electron's argv, platform, env and versions; exit goes to app.exit. */
export function processFor(run: Run): NodeJS.Process {
  const versions = { ...process.versions, electron: '45.5.0', chrome: '142.0.0.0' };
  const overrides: Record<string | symbol, unknown> = {
    platform: run.platform,
    argv: run.opts.argv,
    env: run.opts.env,
    versions,
    type: 'browser',
    resourcesPath: `${run.opts.appRoot}/resources`,
    defaultApp: !run.opts.packaged,
    exit: (code?: number) => run.exit(code ?? 0),
  };
  // The app's log lines also go to its stderr: kept in userData/logs/main.log (AppRun.log()), shown
  // here only with UCWA_EMULATION_DEBUG=1, so a test run's output stays readable.
  if (!process.env.UCWA_EMULATION_DEBUG) overrides.stderr = new Writable({ write: (_c, _e, cb) => cb() });
  return new Proxy(process, {
    get(target, key) {
      if (key in overrides) return overrides[key];
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export function register(run: Run, electron: Record<string, unknown>): void {
  runs().set(run.opts.id, { electron, process: processFor(run), missingModules: run.opts.missingModules });
}
