// BrowserWindow and webContents: each window is a Playwright page of the run's browser context (one
// context = Electron's defaultSession). No native display: visibility, focus and position are state,
// and the harness plays the window manager (focus elsewhere → 'blur').
// Rules emulated (docs: api/browser-window, api/web-contents):
//  - "You cannot use this module until the ready event of the app module is emitted."
//  - close(): 'close' (preventable) → the page is destroyed at once → 'closed'; any later call on the
//    window or its webContents throws "Object has been destroyed".
//  - 'ready-to-show' once, after the first load, when the window was created with show: false.
//  - loadURL() does not emit 'will-navigate' (only navigations the page starts do).
//  - webContents.send: arguments structured-cloned; lost when the page has no listener yet.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import type {
  BrowserWindow as ElectronBrowserWindow, BrowserWindowConstructorOptions, ContextMenuParams, HandlerDetails, NativeImage, Rectangle, WebContents as ElectronWebContents, WebPreferences,
  WindowOpenHandlerResponse,
} from 'electron';
import { toAppUrl, toPageUrl } from './appUrls.ts';
import { electronEvent, ElectronRuleError } from './events.ts';
import { preloadRuntime } from './preloadRuntime.ts';
import type { Run, WindowLike } from './run.ts';

let nextId = 1;

export type WebContentsMembers = 'id' | 'send' | 'getURL' | 'isLoading' | 'isDestroyed' | 'isDevToolsOpened' | 'setWindowOpenHandler' | 'loadURL' | 'getTitle'
  | 'cut' | 'copy' | 'paste' | 'selectAll' | 'undo' | 'redo' | 'replaceMisspelling' | 'focus' | 'openDevTools' | 'close';

export type BrowserWindowMembers = 'id' | 'webContents' | 'show' | 'hide' | 'focus' | 'blur' | 'close' | 'destroy' | 'isDestroyed' | 'isVisible' | 'isFocused'
  | 'isMinimized' | 'minimize' | 'restore' | 'setPosition' | 'getPosition' | 'getBounds' | 'loadURL' | 'getTitle' | 'setTitle';

export interface BridgeSettings {
  bindingName: string;
  deliverKey: string;
  schemes: () => ReadonlySet<string>;
  /** webContents.session: the run's defaultSession, or the partition's session (webPreferences.partition). */
  session: (partition?: string) => unknown;
  /** The browser context a window's pages load in: the run's, or its partition's own (cookies apart). */
  contextFor: (partition?: string) => Promise<BrowserContext>;
}

export function makeWebContents(run: Run, bridge: BridgeSettings) {
  class WebContents extends EventEmitter implements Pick<ElectronWebContents, WebContentsMembers> {
    readonly id = nextId++;
    readonly page: Promise<Page>;
    #page: Page | null = null;
    #destroyed = false;
    #loading = false;
    #url = '';
    #title = '';
    #queue: Promise<unknown> = Promise.resolve();
    #openHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null;
    /** The URL loadURL() is loading (its navigation is not a 'will-navigate'). */
    programmatic: string | null = null;
    readonly window: WindowLike;
    readonly webPreferences: WebPreferences;

    constructor(window: WindowLike, prefs: WebPreferences) {
      super();
      this.window = window;
      this.webPreferences = prefs;
      this.page = this.#open(prefs);
      this.page.catch(() => undefined);
    }

    async #open(prefs: WebPreferences): Promise<Page> {
      const page = await (await bridge.contextFor(prefs.partition)).newPage();
      // Electron's did-navigate: the main frame committed a navigation (a redirect's end included).
      page.on('framenavigated', (frame) => {
        if (frame !== page.mainFrame() || this.#destroyed) return;
        run.emitSafely(() => this.emit('did-navigate', electronEvent(), toAppUrl(frame.url()), 200, 'OK'));
      });
      this.#page = page;
      run.pages.set(page, { id: this.id, window: this.window });
      if (prefs.preload) {
        // A sandboxed preload is one CommonJS file run with a restricted require (docs: tutorial/sandbox).
        const source = readFileSync(prefs.preload, 'utf8');
        const args = { bindingName: bridge.bindingName, deliverKey: bridge.deliverKey, platform: run.platform, versions: { electron: '45.5.0', chrome: '142.0.0.0', node: process.versions.node } };
        await page.addInitScript(`(${preloadRuntime.toString()})(${JSON.stringify(args)}, function (require, module, exports, process) {\n${source}\n});`);
      }
      page.on('popup', (popup) => void this.#windowOpen(popup));
      page.on('close', () => {
        if (!this.#destroyed) this.window.destroy(); // the page went away on its own (renderer gone)
      });
      return page;
    }

    async #windowOpen(popup: Page): Promise<void> {
      // setWindowOpenHandler: window.open / target=_blank ask main first (docs: "window.open").
      const url = toAppUrl(popup.url());
      const action = this.#openHandler?.({ url, frameName: '', features: '', disposition: 'foreground-tab', referrer: { url: this.#url, policy: 'default' }, postBody: undefined as never }) ?? { action: 'allow' };
      if (action.action === 'deny') await popup.close().catch(() => undefined);
    }

    #alive(): void {
      if (this.#destroyed) throw new TypeError('Object has been destroyed');
    }

    isDestroyed(): boolean {
      return this.#destroyed;
    }

    get session(): unknown {
      return bridge.session(this.webPreferences.partition);
    }

    /** The user right-clicks in the page: Electron's 'context-menu' with its parameters. */
    rightClick(params: Partial<ContextMenuParams>): void {
      this.#alive();
      const full = {
        x: 10, y: 10, linkURL: '', linkText: '', pageURL: this.#url, frameURL: this.#url, srcURL: '', mediaType: 'none', hasImageContents: false,
        isEditable: false, selectionText: '', titleText: '', altText: '', suggestedFilename: '', misspelledWord: '', dictionarySuggestions: [],
        frameCharset: 'utf-8', formControlType: 'none', spellcheckEnabled: true, menuSourceType: 'mouse', mediaFlags: {},
        editFlags: { canUndo: false, canRedo: false, canCut: false, canCopy: false, canPaste: false, canDelete: false, canSelectAll: true, canEditRichly: false },
        ...params,
      };
      run.emitSafely(() => this.emit('context-menu', electronEvent(), full));
    }

    destroyNow(): void {
      if (this.#destroyed) return;
      this.#destroyed = true;
      // Electron destroys the page at once: an IPC reply still in flight never arrives.
      void this.page.then((p) => {
        run.pages.delete(p);
        return p.close({ runBeforeUnload: false });
      }).catch(() => undefined);
      this.emit('destroyed');
    }

    close(): void {
      this.window.destroy();
    }

    async loadURL(url: string): Promise<void> {
      this.#alive();
      const page = await this.page;
      const target = toPageUrl(url, bridge.schemes());
      this.programmatic = target;
      this.#loading = true;
      try {
        await page.goto(target, { waitUntil: 'load' });
        this.#url = toAppUrl(page.url());
        this.#title = await page.title().catch(() => '');
      } catch (err) {
        if (this.#destroyed) return;
        // Electron rejects with ERR_* codes (e.g. ERR_ABORTED (-3) loading '…').
        throw new Error(`ERR_FAILED (-2) loading '${url}': ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { cause: err });
      } finally {
        this.#loading = false;
        this.programmatic = null;
      }
      if (this.#destroyed) return;
      run.mark(`loaded ${new URL(this.#url).searchParams.get('window') ?? this.#url}`);
      run.emitSafely(() => this.emit('dom-ready', electronEvent()));
      run.emitSafely(() => this.emit('did-finish-load', electronEvent()));
    }

    send(channel: string, ...args: unknown[]): void {
      this.#alive();
      const payload = structuredClone(args); // "Arguments will be serialized with the Structured Clone Algorithm"
      this.#queue = this.#queue.then(async () => {
        const page = await this.page;
        if (this.#destroyed) return;
        await page.evaluate(([key, ch, a]) => {
          const deliver = (globalThis as unknown as Record<string, ((c: string, x: unknown[]) => void) | undefined>)[key as string];
          deliver?.(ch as string, a as unknown[]);
        }, [bridge.deliverKey, channel, payload] as const);
      }).catch(() => undefined);
    }

    getURL(): string {
      this.#alive();
      return this.#page && !this.#loading ? toAppUrl(this.#page.url()) : this.#url;
    }

    getTitle(): string {
      this.#alive();
      return this.#title;
    }

    isLoading(): boolean {
      this.#alive();
      return this.#loading;
    }

    isDevToolsOpened(): boolean {
      this.#alive();
      return false;
    }

    openDevTools(): void {
      this.#alive();
      run.record('webContents.openDevTools', this.id);
    }

    focus(): void {
      this.#alive();
    }

    setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
      this.#alive();
      this.#openHandler = handler;
    }

    async #edit(command: string): Promise<void> {
      const page = await this.page;
      await page.evaluate((c) => document.execCommand(c), command).catch(() => undefined);
    }

    cut(): void {
      this.#alive();
      run.record('webContents.cut', this.id);
      void this.#edit('cut');
    }

    copy(): void {
      this.#alive();
      run.record('webContents.copy', this.id);
      void this.#edit('copy');
    }

    paste(): void {
      this.#alive();
      run.record('webContents.paste', this.id);
      void this.#edit('paste');
    }

    selectAll(): void {
      this.#alive();
      run.record('webContents.selectAll', this.id);
      void this.#edit('selectAll');
    }

    undo(): void {
      this.#alive();
      void this.#edit('undo');
    }

    redo(): void {
      this.#alive();
      void this.#edit('redo');
    }

    replaceMisspelling(text: string): void {
      this.#alive();
      run.record('webContents.replaceMisspelling', this.id, text);
      void this.page.then((p) => p.evaluate((t) => document.execCommand('insertText', false, t), text)).catch(() => undefined);
    }
  }
  return WebContents;
}

export type EmulatedWebContents = InstanceType<ReturnType<typeof makeWebContents>>;

export function makeBrowserWindow(run: Run, WebContents: ReturnType<typeof makeWebContents>, setOverlayIcon: boolean) {
  class BrowserWindow extends EventEmitter implements Pick<ElectronBrowserWindow, BrowserWindowMembers>, WindowLike {
    static getAllWindows(): BrowserWindow[] {
      return run.windows.filter((w): w is BrowserWindow => w instanceof BrowserWindow && !w.isDestroyed());
    }

    static getFocusedWindow(): BrowserWindow | null {
      return run.focused instanceof BrowserWindow ? run.focused : null;
    }

    static fromWebContents(wc: { id: number }): BrowserWindow | null {
      return BrowserWindow.getAllWindows().find((w) => w.webContents.id === wc.id) ?? null;
    }

    readonly id: number;
    readonly webContents: ElectronWebContents;
    readonly options: BrowserWindowConstructorOptions;
    #destroyed = false;
    #visible = false;
    #minimized = false;
    #shownOnce = false;
    #title: string;
    #bounds: Rectangle;
    overlay: { image: NativeImage | null; description: string } | null = null;

    constructor(options: BrowserWindowConstructorOptions = {}) {
      run.requireReady('BrowserWindow');
      super();
      const prefs = options.webPreferences ?? {};
      if (prefs.preload !== undefined && !isAbsolute(prefs.preload)) throw new ElectronRuleError('webPreferences.preload must be an absolute path');
      // Sandboxed renderers are what this emulation runs: a preload that needs Node cannot be vouched for.
      if (prefs.sandbox === false || prefs.nodeIntegration === true || prefs.contextIsolation === false) {
        throw new ElectronRuleError('emulation: only sandboxed, context-isolated windows without Node integration are emulated');
      }
      this.options = options;
      this.#title = options.title ?? run.opts.name;
      this.#bounds = { x: options.x ?? 100, y: options.y ?? 100, width: options.width ?? 800, height: options.height ?? 600 };
      const wc = new WebContents(this, prefs);
      this.id = wc.id;
      this.webContents = wc as unknown as ElectronWebContents;
      run.windows.push(this);
      wc.once('did-finish-load', () => {
        if (!this.#destroyed && !this.#shownOnce && options.show === false) run.emitSafely(() => this.emit('ready-to-show', electronEvent()));
      });
      if (options.show !== false) this.show();
      if (setOverlayIcon) {
        // BrowserWindow.setOverlayIcon exists on Windows only (electron.d.ts: @platform win32).
        (this as unknown as { setOverlayIcon: (i: NativeImage | null, d: string) => void }).setOverlayIcon = (image, description) => {
          this.#alive();
          this.overlay = { image, description };
          run.record('win.setOverlayIcon', this.id, description);
        };
      }
    }

    #alive(): void {
      if (this.#destroyed) throw new TypeError('Object has been destroyed');
    }

    get contents(): EmulatedWebContents {
      return this.webContents as unknown as EmulatedWebContents;
    }

    emitWindowEvent(name: 'focus' | 'blur'): void {
      if (!this.#destroyed) run.emitSafely(() => this.emit(name, electronEvent()));
    }

    isDestroyed(): boolean {
      return this.#destroyed;
    }

    isVisible(): boolean {
      this.#alive();
      return this.#visible;
    }

    isFocused(): boolean {
      this.#alive();
      return run.focused === this;
    }

    isMinimized(): boolean {
      this.#alive();
      return this.#minimized;
    }

    show(): void {
      this.#alive();
      this.#shownOnce = true;
      this.#minimized = false;
      if (!this.#visible) {
        this.#visible = true;
        run.emitSafely(() => this.emit('show', electronEvent()));
      }
      run.focus(this); // "Shows and gives focus to the window."
    }

    hide(): void {
      this.#alive();
      if (!this.#visible) return;
      this.#visible = false;
      if (run.focused === this) run.focus(null);
      run.emitSafely(() => this.emit('hide', electronEvent()));
    }

    focus(): void {
      this.#alive();
      if (this.#visible) run.focus(this);
    }

    blur(): void {
      this.#alive();
      if (run.focused === this) run.focus(null);
    }

    minimize(): void {
      this.#alive();
      this.#minimized = true;
      if (run.focused === this) run.focus(null);
    }

    restore(): void {
      this.#alive();
      this.#minimized = false;
    }

    setPosition(x: number, y: number): void {
      this.#alive();
      this.#bounds = { ...this.#bounds, x, y };
    }

    getPosition(): number[] {
      this.#alive();
      return [this.#bounds.x, this.#bounds.y];
    }

    getBounds(): Rectangle {
      this.#alive();
      return { ...this.#bounds };
    }

    getTitle(): string {
      this.#alive();
      return this.#title;
    }

    setTitle(title: string): void {
      this.#alive();
      this.#title = title;
    }

    loadURL(url: string): Promise<void> {
      this.#alive();
      return this.contents.loadURL(url);
    }

    close(): void {
      if (this.#destroyed) return;
      const e = electronEvent();
      run.emitSafely(() => this.emit('close', e));
      if (e.defaultPrevented) return;
      this.destroy();
    }

    closeForQuit(): boolean {
      this.close();
      return this.#destroyed;
    }

    destroy(): void {
      if (this.#destroyed) return;
      this.#visible = false;
      this.contents.destroyNow();
      this.#destroyed = true;
      run.emitSafely(() => this.emit('closed'));
      run.windowGone(this);
    }
  }
  return BrowserWindow;
}

export type EmulatedBrowserWindow = InstanceType<ReturnType<typeof makeBrowserWindow>>;
