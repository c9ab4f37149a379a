// One emulated Electron process ("a run"): the state every emulated module shares — readiness,
// lifecycle, windows, IPC handlers, protocol handlers, menus, trays, notifications — and the rules
// that cut across modules (APIs that throw before 'ready', platform-only APIs, the quit order).
// Sources: electron.d.ts of the installed electron package and https://electronjs.org/docs/latest/api/.
import type { BrowserContext, Page } from '@playwright/test';
import { electronEvent, ElectronRuleError } from './events.ts';

export interface RunOptions {
  id: string;
  platform: NodeJS.Platform;
  /** process.argv as Electron gives it: [execPath, ...args] (unpackaged: [execPath, appPath, ...args]). */
  argv: string[];
  env: Record<string, string | undefined>;
  /** Electron's appData (userData defaults to appData/productName). */
  appData: string;
  home: string;
  packaged: boolean;
  appRoot: string;
  name: string;
  version: string;
  context: BrowserContext;
  missingModules: string[];
  /** A Windows toast activation that launched this process (Notification.handleActivation replays it). */
  launchActivation?: { type: string; arguments: string; reply?: string };
}

export type RunState = 'starting' | 'running' | 'quitting' | 'exited';

/** The objects the run's modules register with it; typed loosely here to keep files independent. */
export interface WindowLike {
  readonly id: number;
  isDestroyed(): boolean;
  isVisible(): boolean;
  /** Close as app.quit() does: 'close' may be prevented. Returns false when it was. */
  closeForQuit(): boolean;
  destroy(): void;
  emitWindowEvent(name: 'focus' | 'blur'): void;
}

export interface MenuLike {
  readonly items: { label: string; role?: string | undefined; submenu?: MenuLike | undefined }[];
}

/** Instances of one process: single-instance locks are per userData directory (app.requestSingleInstanceLock). */
const locks = new Map<string, Run>();

export class Run {
  readonly opts: RunOptions;
  state: RunState = 'starting';
  ready = false;
  readonly #readyWaiters: (() => void)[] = [];
  readonly exited: Promise<number>;
  #resolveExit!: (code: number) => void;
  exitCode: number | null = null;
  /** Errors thrown by the app's own event listeners (Electron shows "A JavaScript error occurred in the main process"). */
  readonly mainErrors: Error[] = [];
  readonly windows: WindowLike[] = [];
  focused: WindowLike | null = null;
  readonly pages = new Map<Page, { id: number; window: WindowLike }>();
  applicationMenu: MenuLike | null = null;
  applicationMenuSet = false;
  readonly calls: { api: string; args: unknown[] }[] = [];
  /** Emitter of the `app` module (set by app.ts) and hook for window-all-closed. */
  appEmit: (name: string, ...args: unknown[]) => boolean = () => false;
  appListenerCount: (name: string) => number = () => 0;
  activationHandler: ((details: { type: string; arguments: string; reply?: string }) => void) | null = null;
  userData: string;
  lockedDir: string | null = null;
  /** performance.now() of the first time something happened (tray created, a window's first load): for npm run bench. */
  readonly marks = new Map<string, number>();

  mark(name: string): void {
    if (!this.marks.has(name)) this.marks.set(name, performance.now());
  }

  constructor(opts: RunOptions) {
    this.opts = opts;
    this.userData = `${opts.appData}/${opts.name}`;
    this.exited = new Promise((r) => (this.#resolveExit = r));
  }

  record(api: string, ...args: unknown[]): void {
    this.calls.push({ api, args });
  }

  callsOf(api: string): unknown[][] {
    return this.calls.filter((c) => c.api === api).map((c) => c.args);
  }

  /** "This module cannot be used until the ready event of the app module is emitted." (screen, powerMonitor, BrowserWindow, Tray, protocol, session, net). */
  requireReady(what: string): void {
    if (this.state === 'exited') throw new ElectronRuleError(`${what}: the process has exited`);
    if (!this.ready) throw new ElectronRuleError(`${what} cannot be used before the app is ready (Electron docs: "cannot be used until the ready event of the app module is emitted")`);
  }

  get platform(): NodeJS.Platform {
    return this.opts.platform;
  }

  onReady(fn: () => void): void {
    if (this.ready) fn();
    else this.#readyWaiters.push(fn);
  }

  /** The app's listeners run inside Electron; an exception there is the main process's, not the caller's. */
  emitSafely(emit: () => unknown): void {
    try {
      emit();
    } catch (err) {
      this.mainErrors.push(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Boots after the main module evaluated: will-finish-launching → (macOS open-url) → ready. */
  async boot(openUrl?: string): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.state !== 'starting') return; // quit() during evaluation (e.g. the second instance)
    this.emitSafely(() => this.appEmit('will-finish-launching'));
    if (openUrl && this.platform === 'darwin') this.emitSafely(() => this.appEmit('open-url', electronEvent(), openUrl));
    this.ready = true;
    this.state = 'running';
    // Electron sets its default menu (with Reload and Toggle Developer Tools) at ready unless the app
    // set one (lib/browser/default-menu.ts; docs "Menu: Default menu").
    if (!this.applicationMenuSet) this.applicationMenu = defaultMenu(this.platform);
    for (const w of this.#readyWaiters.splice(0)) w();
    this.emitSafely(() => this.appEmit('ready', electronEvent(), {}));
  }

  acquireLock(): boolean {
    const dir = this.userData;
    const holder = locks.get(dir);
    if (holder && holder !== this && holder.state !== 'exited') return false;
    locks.set(dir, this);
    this.lockedDir = dir;
    return true;
  }

  lockHolder(): Run | null {
    const holder = locks.get(this.userData);
    return holder && holder !== this && holder.state !== 'exited' ? holder : null;
  }

  releaseLock(): void {
    if (this.lockedDir && locks.get(this.lockedDir) === this) locks.delete(this.lockedDir);
    this.lockedDir = null;
  }

  /**
   * app.quit(): before-quit (preventable) → every window is asked to close (any 'close' prevented
   * cancels the quit) → will-quit (preventable) → quit → exit 0. window-all-closed is not emitted
   * on this path (docs: app events 'window-all-closed', 'before-quit', 'will-quit', 'quit').
   */
  quit(): void {
    if (this.state === 'exited' || this.state === 'quitting') return;
    if (!this.ready) {
      // Before ready there are no windows; Electron quits as soon as it can.
      this.terminate(0);
      return;
    }
    const before = electronEvent();
    this.emitSafely(() => this.appEmit('before-quit', before));
    if (before.defaultPrevented) return;
    this.state = 'quitting';
    for (const w of [...this.windows]) {
      if (w.isDestroyed()) continue;
      if (!w.closeForQuit()) {
        this.state = 'running';
        return;
      }
    }
    const will = electronEvent();
    this.emitSafely(() => this.appEmit('will-quit', will));
    if (will.defaultPrevented) {
      this.state = 'running';
      return;
    }
    this.emitSafely(() => this.appEmit('quit', electronEvent(), 0));
    this.terminate(0);
  }

  /** app.exit(code): "All windows will be closed immediately without asking the user, and the before-quit and will-quit events will not be emitted." */
  exit(code: number): void {
    if (this.state === 'exited') return;
    for (const w of [...this.windows]) if (!w.isDestroyed()) w.destroy();
    this.terminate(code);
  }

  terminate(code: number): void {
    if (this.state === 'exited') return;
    this.state = 'exited';
    this.exitCode = code;
    this.releaseLock();
    this.#resolveExit(code);
  }

  /** A window was destroyed: app 'window-all-closed' when none is left (not while quitting). */
  windowGone(w: WindowLike): void {
    const i = this.windows.indexOf(w);
    if (i >= 0) this.windows.splice(i, 1);
    if (this.focused === w) this.focused = null;
    if (this.windows.length === 0 && this.state === 'running') {
      // "If you do not subscribe to this event and all windows are closed, the default behavior is to quit the app."
      if (this.appListenerCount('window-all-closed') === 0) this.quit();
      else this.emitSafely(() => this.appEmit('window-all-closed'));
    }
  }

  focus(w: WindowLike | null): void {
    if (this.focused === w) return;
    const prev = this.focused;
    this.focused = w;
    if (prev && !prev.isDestroyed()) prev.emitWindowEvent('blur');
    if (w) w.emitWindowEvent('focus');
  }
}

/** The labels of Electron's default application menu (lib/browser/default-menu.ts, docs "Default menu"). */
function defaultMenu(platform: NodeJS.Platform): MenuLike {
  const sub = (labels: [string, string?][]): MenuLike => ({ items: labels.map(([label, role]) => ({ label, role })) });
  const items = [
    ...(platform === 'darwin' ? [{ label: 'Electron', role: 'appMenu' }] : []),
    { label: 'File', role: 'fileMenu', submenu: sub([['Quit', 'quit']]) },
    { label: 'Edit', role: 'editMenu', submenu: sub([['Undo', 'undo'], ['Redo', 'redo'], ['Cut', 'cut'], ['Copy', 'copy'], ['Paste', 'paste'], ['Select All', 'selectAll']]) },
    { label: 'View', role: 'viewMenu', submenu: sub([['Reload', 'reload'], ['Force Reload', 'forceReload'], ['Toggle Developer Tools', 'toggleDevTools']]) },
    { label: 'Window', role: 'windowMenu' },
    { label: 'Help', role: 'help' },
  ];
  return { items };
}
