// The `app` module of one run. Rules emulated (docs: api/app):
//  - whenReady()/isReady(); quit order and exit() in run.ts.
//  - requestSingleInstanceLock: the lock is per userData directory; the first instance gets
//    'second-instance' (event, argv, workingDirectory, additionalData) when another asks.
//  - setPath('userData') before ready; getPath of an unknown name throws.
//  - platform-only members exist only there (electron.d.ts @platform): setAppUserModelId,
//    setToastActivatorCLSID (win32); setLoginItemSettings (darwin, win32); setBadgeCount (linux,
//    darwin); dock (darwin); setDesktopName (linux, and "must be called before the ready event").
//  - 'activate' and 'open-url' are macOS events (the harness only emits them there).
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { App, LoginItemSettings, Settings } from 'electron';
import { ElectronRuleError, electronEvent } from './events.ts';
import type { Run } from './run.ts';

type AppMembers = 'isPackaged' | 'getVersion' | 'getName' | 'getPath' | 'setPath' | 'getAppPath' | 'requestSingleInstanceLock' | 'hasSingleInstanceLock'
  | 'releaseSingleInstanceLock' | 'quit' | 'exit' | 'whenReady' | 'isReady' | 'focus' | 'setAsDefaultProtocolClient' | 'isDefaultProtocolClient'
  | 'removeAsDefaultProtocolClient' | 'getLocale';

export function makeApp(run: Run) {
  const o = run.opts;
  const paths = new Map<string, string>([
    ['home', o.home], ['appData', o.appData], ['userData', run.userData], ['sessionData', run.userData], ['temp', join(o.home, 'tmp')],
    ['exe', o.argv[0] ?? '/opt/electron/electron'], ['module', o.argv[0] ?? '/opt/electron/electron'], ['desktop', join(o.home, 'Desktop')],
    ['documents', join(o.home, 'Documents')], ['downloads', join(o.home, 'Downloads')], ['logs', join(run.userData, 'logs')], ['crashDumps', join(run.userData, 'Crashpad')],
  ]);
  let loginItems: Settings = { openAtLogin: false };
  let badge = 0;
  let desktopName: string | null = null;

  class EmulatedApp extends EventEmitter implements Pick<App, AppMembers> {
    readonly isPackaged = o.packaged;
    readonly name = o.name;
    getVersion(): string {
      return o.version;
    }
    getName(): string {
      return o.name;
    }
    getLocale(): string {
      return 'en-US';
    }
    getAppPath(): string {
      return o.appRoot;
    }
    getPath(name: Parameters<App['getPath']>[0]): string {
      const p = paths.get(name);
      if (!p) throw new Error(`Failed to get '${name}' path`);
      return p;
    }
    setPath(name: string, path: string): void {
      paths.set(name, path);
      if (name === 'userData') {
        run.userData = path;
        paths.set('logs', join(path, 'logs'));
      }
    }
    requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean {
      if (run.acquireLock()) return true;
      const holder = run.lockHolder();
      if (holder) {
        const argv = [...o.argv];
        // The first instance hears of it on its own event loop turn, after this process gave up.
        setImmediate(() => holder.emitSafely(() => holder.appEmit('second-instance', electronEvent(), argv, o.home, additionalData ?? {})));
      }
      return false;
    }
    hasSingleInstanceLock(): boolean {
      return run.lockedDir !== null;
    }
    releaseSingleInstanceLock(): void {
      run.releaseLock();
    }
    quit(): void {
      run.quit();
    }
    exit(exitCode = 0): void {
      run.exit(exitCode);
    }
    whenReady(): Promise<void> {
      return new Promise((resolve) => run.onReady(resolve));
    }
    isReady(): boolean {
      return run.ready;
    }
    focus(): void {
      run.record('app.focus');
    }
    setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
      run.record('app.setAsDefaultProtocolClient', protocol, path, args);
      return true;
    }
    isDefaultProtocolClient(protocol: string): boolean {
      return run.callsOf('app.setAsDefaultProtocolClient').some((a) => a[0] === protocol);
    }
    removeAsDefaultProtocolClient(): boolean {
      return true;
    }
  }

  const app = new EmulatedApp();
  run.appEmit = (name, ...args) => app.emit(name, ...args);
  run.appListenerCount = (name) => app.listenerCount(name);
  const extra = app as unknown as Record<string, unknown>;
  if (run.platform === 'win32') {
    extra.setAppUserModelId = (id: string) => run.record('app.setAppUserModelId', id);
    extra.setToastActivatorCLSID = (id: string) => {
      if (!/^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(id)) throw new Error(`Invalid CLSID: ${id}`);
      run.record('app.setToastActivatorCLSID', id);
    };
  }
  if (run.platform === 'win32' || run.platform === 'darwin') {
    extra.setLoginItemSettings = (s: Settings) => {
      loginItems = { ...loginItems, ...s };
      run.record('app.setLoginItemSettings', s);
    };
    extra.getLoginItemSettings = (): LoginItemSettings => ({ openAtLogin: loginItems.openAtLogin ?? false } as unknown as LoginItemSettings);
  }
  if (run.platform === 'linux' || run.platform === 'darwin') {
    extra.setBadgeCount = (count = 0) => {
      badge = count;
      run.record('app.setBadgeCount', count);
      return true;
    };
    extra.getBadgeCount = () => badge;
  }
  if (run.platform === 'darwin') {
    extra.dock = { setBadge: (t: string) => run.record('dock.setBadge', t), show: async () => undefined, hide: () => undefined, setMenu: () => undefined };
  }
  if (run.platform === 'linux') {
    extra.setDesktopName = (name: string) => {
      if (run.ready) throw new ElectronRuleError('app.setDesktopName must be called before the ready event');
      desktopName = name;
    };
    extra.getDesktopName = () => desktopName;
  }
  return app;
}
