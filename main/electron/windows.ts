// Window options as pure data: every BrowserWindow gets the same locked-down webPreferences, and
// the quick-reply popup's position is computed from the tray bounds and the work area.
import type { BrowserWindowConstructorOptions, Rectangle, WebPreferences } from 'electron';
import type { WindowName } from '../ipc/contract.ts';
import { APP_ORIGIN } from './appProtocol.ts';

export const WINDOW_NAMES: readonly WindowName[] = ['history', 'popup', 'signin'];

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
    // Middle-click on a link would open a window (denied anyway): do not even raise it.
    disableBlinkFeatures: 'Auxclick',
  };
}

export const POPUP_SIZE = { width: 380, height: 520 } as const;

export function windowOptions(name: WindowName, opts: { preloadPath: string; platform: NodeJS.Platform; icon?: string }): BrowserWindowConstructorOptions {
  const base: BrowserWindowConstructorOptions = {
    show: false,
    title: 'UCWA Tray',
    backgroundColor: '#00000000',
    ...(opts.icon && opts.platform !== 'darwin' ? { icon: opts.icon } : {}),
    webPreferences: secureWebPreferences(opts.preloadPath),
  };
  switch (name) {
    case 'history':
      return { ...base, title: 'UCWA Tray — History', width: 980, height: 680, minWidth: 560, minHeight: 400, backgroundColor: '#ffffff' };
    case 'signin':
      return { ...base, title: 'Sign in — UCWA Tray', width: 440, height: 600, minWidth: 320, minHeight: 360, resizable: true, maximizable: false, fullscreenable: false, backgroundColor: '#ffffff' };
    case 'popup':
      return {
        ...base,
        title: 'Quick reply — UCWA Tray',
        ...POPUP_SIZE,
        frame: false,
        resizable: false,
        movable: false,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        skipTaskbar: true,
        alwaysOnTop: true,
        backgroundColor: '#ffffff',
      };
  }
}

/** Where each window loads the UI: relative to the app:// origin, the renderer picks its view from ?window=. */
export function windowUrl(name: WindowName): string {
  return `${APP_ORIGIN}/index.html?window=${name}`;
}

/**
 * Position of the popup next to the tray icon, inside the work area. The taskbar side is where the
 * tray sits outside the work area; Linux often reports empty tray bounds → the corner of the work
 * area nearest the usual tray (top-right on macOS/Linux, bottom-right on Windows).
 */
export function popupPosition(args: { tray: Rectangle | null; workArea: Rectangle; size: { width: number; height: number }; platform: NodeJS.Platform; margin?: number }): { x: number; y: number } {
  const { workArea: wa, size } = args;
  const m = args.margin ?? 8;
  const clampX = (x: number) => Math.round(Math.min(Math.max(x, wa.x + m), wa.x + wa.width - size.width - m));
  const clampY = (y: number) => Math.round(Math.min(Math.max(y, wa.y + m), wa.y + wa.height - size.height - m));
  const t = args.tray;
  if (!t || (t.width === 0 && t.height === 0)) {
    const top = args.platform !== 'win32';
    return { x: clampX(wa.x + wa.width - size.width - m), y: top ? clampY(wa.y + m) : clampY(wa.y + wa.height - size.height - m) };
  }
  const cx = t.x + t.width / 2;
  const cy = t.y + t.height / 2;
  if (cy < wa.y) return { x: clampX(cx - size.width / 2), y: clampY(t.y + t.height + m) }; // bar on top
  if (cy > wa.y + wa.height) return { x: clampX(cx - size.width / 2), y: clampY(t.y - size.height - m) }; // bar at bottom
  if (cx < wa.x) return { x: clampX(t.x + t.width + m), y: clampY(cy - size.height / 2) }; // bar on the left
  if (cx > wa.x + wa.width) return { x: clampX(t.x - size.width - m), y: clampY(cy - size.height / 2) }; // bar on the right
  // Tray inside the work area (auto-hide taskbar, some Linux panels): open beside it, towards the centre.
  const below = cy < wa.y + wa.height / 2;
  return { x: clampX(cx - size.width / 2), y: clampY(below ? t.y + t.height + m : t.y - size.height - m) };
}
