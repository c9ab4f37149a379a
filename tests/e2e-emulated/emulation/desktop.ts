// The desktop-facing modules: Tray, Menu/MenuItem, Notification, nativeImage, nativeTheme,
// powerMonitor, screen, shell. Nothing is drawn; every call is state the harness reads and every
// user gesture (tray click, menu click, notification click or reply) is an event the harness emits.
// Platform rules (electron.d.ts @platform tags; methods compiled only on some platforms are absent
// elsewhere, so calling them is a TypeError as in Electron):
//  - Notification 'reply' and hasReply: darwin, win32. Notification.handleActivation: win32.
//  - Tray 'right-click', popUpContextMenu: darwin, win32. Tray 'click' on Linux only with a
//    StatusNotifierItem host; the harness emits it everywhere (most panels do).
//  - "In order for changes made to individual MenuItems to take effect, you have to call
//    setContextMenu again" (Linux) — so each setContextMenu is counted: rebuilding it closes an open menu.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type {
  Display, Menu as ElectronMenu, MenuItem as ElectronMenuItem, MenuItemConstructorOptions, NativeImage, Notification as ElectronNotification, NotificationConstructorOptions,
  Point, PopupOptions, Rectangle, Tray as ElectronTray,
} from 'electron';
import { electronEvent, ElectronRuleError } from './events.ts';
import type { MenuLike, Run } from './run.ts';

type TrayMembers = 'setImage' | 'setToolTip' | 'setContextMenu' | 'getBounds' | 'destroy' | 'isDestroyed' | 'setTitle' | 'setPressedImage';
type NotificationMembers = 'show' | 'close' | 'title' | 'body' | 'silent' | 'hasReply' | 'replyPlaceholder' | 'id' | 'groupId';
type MenuItemMembers = 'id' | 'label' | 'type' | 'checked' | 'enabled' | 'visible' | 'role' | 'click' | 'submenu';

export class EmulatedNativeImage {
  readonly path: string;
  #template = false;
  constructor(path: string) {
    this.path = path;
  }
  isEmpty(): boolean {
    return !this.path || !existsSync(this.path);
  }
  setTemplateImage(option: boolean): void {
    this.#template = option;
  }
  isTemplateImage(): boolean {
    return this.#template;
  }
  getSize(): { width: number; height: number } {
    return this.isEmpty() ? { width: 0, height: 0 } : { width: 16, height: 16 };
  }
}

export function makeDesktop(run: Run) {
  const mac = run.platform === 'darwin';
  const win = run.platform === 'win32';

  class MenuItem implements Pick<ElectronMenuItem, MenuItemMembers> {
    id: string;
    label: string;
    type: ElectronMenuItem['type'];
    checked: boolean;
    enabled: boolean;
    visible: boolean;
    role: ElectronMenuItem['role'];
    submenu: ElectronMenuItem['submenu'];
    readonly #click: MenuItemConstructorOptions['click'];
    constructor(o: MenuItemConstructorOptions) {
      this.id = o.id ?? '';
      this.label = o.label ?? (o.role ? String(o.role) : '');
      this.type = o.type ?? (o.submenu ? 'submenu' : 'normal');
      this.checked = o.checked ?? false;
      this.enabled = o.enabled ?? true;
      this.visible = o.visible ?? true;
      this.role = o.role as ElectronMenuItem['role'];
      this.submenu = o.submenu ? ((o.submenu instanceof Menu ? o.submenu : Menu.buildFromTemplate(o.submenu as MenuItemConstructorOptions[])) as unknown as ElectronMenuItem['submenu']) : undefined;
      this.#click = o.click;
    }
    click(): void {
      if (!this.enabled) return;
      run.emitSafely(() => (this.#click as ((...a: unknown[]) => void) | undefined)?.(this, undefined, { triggeredByAccelerator: false }));
    }
  }

  class Menu extends EventEmitter implements MenuLike {
    static buildFromTemplate(template: (MenuItemConstructorOptions | MenuItem)[]): Menu {
      const m = new Menu();
      for (const t of template) m.append(t instanceof MenuItem ? t : new MenuItem(t));
      return m;
    }
    static setApplicationMenu(menu: Menu | null): void {
      run.applicationMenu = menu;
      run.applicationMenuSet = true;
    }
    static getApplicationMenu(): MenuLike | null {
      return run.applicationMenu;
    }
    readonly items: MenuItem[] = [];
    popups = 0;
    append(item: MenuItem): void {
      this.items.push(item);
    }
    getMenuItemById(id: string): MenuItem | null {
      return this.items.find((i) => i.id === id) ?? null;
    }
    popup(options?: PopupOptions): void {
      this.popups++;
      run.record('menu.popup', options?.window ? 'window' : 'none');
      setLastPopup(this);
    }
    closePopup(): void {
      if (lastPopup === this) lastPopup = null;
    }
  }
  let lastPopup: Menu | null = null;
  const setLastPopup = (m: Menu | null) => {
    lastPopup = m;
  };

  class Tray extends EventEmitter implements Pick<ElectronTray, TrayMembers> {
    image: NativeImage;
    tooltip = '';
    title = '';
    contextMenu: Menu | null = null;
    contextMenuSets = 0;
    popUps = 0;
    #destroyed = false;
    constructor(image: NativeImage | string) {
      run.requireReady('Tray');
      super();
      run.mark('tray');
      this.image = typeof image === 'string' ? (new EmulatedNativeImage(image) as unknown as NativeImage) : image;
      trays.push(this);
      if (mac || win) {
        // Tray.popUpContextMenu: macOS, Windows (electron.d.ts @platform darwin,win32).
        (this as unknown as { popUpContextMenu: (m?: Menu) => void }).popUpContextMenu = (menu) => {
          this.popUps++;
          lastPopup = menu ?? this.contextMenu;
        };
      }
    }
    setImage(image: NativeImage | string): void {
      this.image = typeof image === 'string' ? (new EmulatedNativeImage(image) as unknown as NativeImage) : image;
    }
    setPressedImage(): void {}
    setToolTip(toolTip: string): void {
      this.tooltip = toolTip;
    }
    setTitle(title: string): void {
      this.title = title;
    }
    /** What each setContextMenu call showed (labels, checks, enabled, submenus too): a repeat is a needless rebuild. */
    readonly menuHistory: string[] = [];
    setContextMenu(menu: ElectronMenu | null): void {
      this.contextMenuSets++;
      this.contextMenu = menu as unknown as Menu | null;
      const shown = (m: Menu): unknown[] => m.items.map((i) => [i.label, i.checked, i.enabled, ...(i.submenu ? [shown(i.submenu as unknown as Menu)] : [])]);
      this.menuHistory.push(JSON.stringify(this.contextMenu ? shown(this.contextMenu) : null));
    }
    getBounds(): Rectangle {
      // Linux reports no tray geometry (docs: tray.getBounds is macOS/Windows).
      if (run.platform === 'linux') return { x: 0, y: 0, width: 0, height: 0 };
      return win ? { x: 1780, y: 1040, width: 24, height: 40 } : { x: 1700, y: 0, width: 22, height: 24 };
    }
    destroy(): void {
      this.#destroyed = true;
    }
    isDestroyed(): boolean {
      return this.#destroyed;
    }
  }
  const trays: Tray[] = [];

  const shown: Notification[] = [];
  let activation: ((details: { type: string; arguments: string; reply?: string }) => void) | null = null;
  class Notification extends EventEmitter implements Pick<ElectronNotification, NotificationMembers> {
    static isSupported(): boolean {
      return true;
    }
    id: string;
    groupId: string;
    title: string;
    body: string;
    silent: boolean;
    hasReply: boolean;
    replyPlaceholder: string;
    readonly options: NotificationConstructorOptions;
    shownAt: number | null = null;
    constructor(options: NotificationConstructorOptions = {}) {
      super();
      this.options = options;
      this.id = options.id ?? '';
      this.groupId = options.groupId ?? '';
      this.title = options.title ?? '';
      this.body = options.body ?? '';
      this.silent = options.silent ?? false;
      this.hasReply = options.hasReply ?? false;
      this.replyPlaceholder = options.replyPlaceholder ?? '';
    }
    show(): void {
      this.shownAt = Date.now();
      shown.push(this);
      run.emitSafely(() => this.emit('show', electronEvent()));
    }
    close(): void {
      run.emitSafely(() => this.emit('close', electronEvent({ reason: 'userCanceled' })));
    }
  }
  if (win) {
    // "Registers a callback to handle all notification activations … If an activation already occurred
    // before calling this method, the callback is invoked immediately" (Notification.handleActivation, win32).
    (Notification as unknown as { handleActivation: (cb: typeof activation) => void }).handleActivation = (cb) => {
      activation = cb;
      const pending = run.opts.launchActivation;
      if (pending && cb) {
        run.opts.launchActivation = undefined;
        run.emitSafely(() => cb(pending));
      }
    };
  }

  /** The user clicks a shown notification. */
  function clickNotification(n: Notification): void {
    run.emitSafely(() => n.emit('click', electronEvent()));
    if (win) run.emitSafely(() => activation?.({ type: 'click', arguments: toastArguments(n) }));
  }

  /** The user types a reply into a shown notification (macOS, Windows only). */
  function replyToNotification(n: Notification, text: string): void {
    if (!mac && !win) throw new ElectronRuleError(`Notification replies do not exist on ${run.platform} (electron.d.ts: 'reply' is @platform darwin,win32)`);
    if (!n.hasReply) throw new ElectronRuleError('this notification was shown without hasReply');
    run.emitSafely(() => n.emit('reply', electronEvent({ reply: text }), text));
    if (win) run.emitSafely(() => activation?.({ type: 'reply', arguments: toastArguments(n), reply: text }));
  }

  const nativeImage = {
    createFromPath: (path: string): NativeImage => new EmulatedNativeImage(path) as unknown as NativeImage,
    createEmpty: (): NativeImage => new EmulatedNativeImage('') as unknown as NativeImage,
  };

  const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false, themeSource: 'system' as const, shouldUseHighContrastColors: false });

  const power = { idleSeconds: 0, locked: false };
  const powerMonitor = Object.assign(new EventEmitter(), {
    getSystemIdleTime(): number {
      run.requireReady('powerMonitor');
      return power.idleSeconds;
    },
    getSystemIdleState(threshold: number): 'active' | 'idle' | 'locked' | 'unknown' {
      run.requireReady('powerMonitor');
      if (power.locked) return 'locked';
      return power.idleSeconds >= threshold ? 'idle' : 'active';
    },
    isOnBatteryPower: () => false,
  });

  // One 1920×1080 display; the work area leaves the taskbar (Windows, bottom) or the menu bar / top panel.
  const bounds = { x: 0, y: 0, width: 1920, height: 1080 };
  const workArea = win ? { x: 0, y: 0, width: 1920, height: 1040 } : { x: 0, y: mac ? 25 : 27, width: 1920, height: mac ? 1055 : 1053 };
  const display = { id: 1, bounds, workArea, scaleFactor: 1, size: { width: 1920, height: 1080 }, workAreaSize: { width: workArea.width, height: workArea.height } } as unknown as Display;
  const screen = {
    getCursorScreenPoint(): Point {
      run.requireReady("The 'screen' module");
      return { x: 960, y: 540 };
    },
    getPrimaryDisplay(): Display {
      run.requireReady("The 'screen' module");
      return display;
    },
    getAllDisplays(): Display[] {
      run.requireReady("The 'screen' module");
      return [display];
    },
    getDisplayNearestPoint(): Display {
      run.requireReady("The 'screen' module");
      return display;
    },
    getDisplayMatching(): Display {
      run.requireReady("The 'screen' module");
      return display;
    },
  };

  const opened: string[] = [];
  const shell = {
    async openExternal(url: string): Promise<void> {
      opened.push(url);
    },
    async openPath(path: string): Promise<string> {
      opened.push(path);
      return '';
    },
    showItemInFolder(path: string): void {
      opened.push(path);
    },
  };

  const clip = { text: '' };
  const clipboard = {
    writeText(text: string): void {
      clip.text = String(text);
    },
    readText(): string {
      return clip.text;
    },
  };

  return {
    Menu, MenuItem, Tray, Notification, nativeImage, nativeTheme, powerMonitor, screen, shell, clipboard, clip,
    state: { trays, shown, opened, power, lastPopup: () => lastPopup },
    clickNotification, replyToNotification,
  };
}

/**
 * What Windows hands back as ActivationArguments.arguments for a toast Electron raised: the
 * notification's id among its launch arguments. [inferred] from the docs of handleActivation and
 * ActivationArguments; a real Windows session is needed to see the exact string.
 */
function toastArguments(n: { id: string }): string {
  return `id=${n.id}`;
}
