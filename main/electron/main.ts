// The Electron shell (composition root, DESIGN.md §2): tray, notifications, windows, IPC, the
// app:// protocol and the lifecycle. Thin on purpose — every decision is a pure function in a
// sibling module (tested under Node); this file only turns them into Electron calls.
import {
  app, BrowserWindow, clipboard, Menu, Notification, Tray, ipcMain, nativeImage, net, powerMonitor, protocol, screen, session, shell,
} from 'electron';
import type { ContextMenuParams, MenuItemConstructorOptions, NativeImage, WebContents, WebPreferences } from 'electron';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callChannel, callNames, eventChannel, type EventName, type EventPayload, type Navigation, type Settings, type WindowName } from '../ipc/contract.ts';
import { createHandlers, forwardEvents, validateExternalUrl } from '../ipc/handlers.ts';
import { createKeychain } from '../core/secrets/keychain.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, resolveAppRequest } from './appProtocol.ts';
import { applyLinuxAutostart, autostartDesktopEntry, autostartFile, loginItemSettings } from './autostart.ts';
import { createPendingNavigation, createShellHost } from './host.ts';
import { IDLE_POLL_MS, idleReport, networkChange } from './idle.ts';
import { checkSender, senderInfo } from './ipcGuard.ts';
import { parseImLink, parseShellArgs } from './links.ts';
import { createLogger, linkScheme } from './log.ts';
import { describeError, safeUrl } from '../core/logSafe.ts';
import { logDir, MAIN_LOG_NAME } from '../core/paths.ts';
import {
  activationTarget, createNotificationGate, createReplyDeduper, fromInvitation, fromMessage, notificationContent, replyText,
  type NotificationSource,
} from './notifications.ts';
import { LINK_SCHEMES, protocolClientArgs } from './protocolClient.ts';
import { startSimulator } from '../../simulator/index.ts';
import { createDemo } from './demo.ts';
import { createAppService, storeWorkerPath, type AppService } from './services.ts';
import { createShellPeople, type ShellPeople } from './shellPeople.ts';
import { chatTarget } from './chatTarget.ts';
import { loadSettingsFile, saveSettingsFile } from './settingsFile.ts';
import { badgeCount, overlayIconFile, trayIconFile, trayIconKind, trayMenuModel, trayClickAction, traySetsContextMenu, trayTooltip, type MenuItemModel, type TrayAction, type TrayState } from './tray.ts';
import { launchWindow } from './launch.ts';
import { applicationMenuTemplate } from './appMenu.ts';
import { contextMenuModel, type ContextAction } from './contextMenu.ts';
import { chromiumFetch } from './netFetch.ts';
import { appSignInMethods } from './signInMethods.ts';
import { isOrganisationSignIn } from './signInWindow.ts';
import { POPUP_SIZE, popupPosition, windowOptions, windowUrl } from './windows.ts';

const APP_ID = 'org.ucwatray.app';
// Windows: toasts left in the Action Center activate the app through this COM class id. Electron
// generates a random one per run unless it is set, so a toast from an earlier run could not reach a
// later one (docs: app.setToastActivatorCLSID — "should be called early"). Fixed for this app.
const TOAST_ACTIVATOR_CLSID = '{5B1C6A4E-3F2D-4C8B-9E7A-0D4F6B2C8A31}';
if (process.platform === 'win32') {
  app.setAppUserModelId(APP_ID);
  app.setToastActivatorCLSID(TOAST_ACTIVATOR_CLSID);
}

// Must happen before 'ready': app:// becomes a standard, secure origin.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const appRoot = resolve(here, '..', '..');
const rendererRoot = join(appRoot, 'out', 'renderer');
const preloadPath = join(appRoot, 'out', 'preload', 'index.cjs');
const buildDir = app.isPackaged ? join(process.resourcesPath, 'build') : join(appRoot, 'build');
const trayIconDir = join(buildDir, 'tray');

/** Test hooks (Playwright): only in an unpackaged app started with UCWA_E2E=1. Never in a release. */
const e2e = !app.isPackaged && process.env.UCWA_E2E === '1';
if (process.env.UCWA_USER_DATA_DIR && !app.isPackaged) app.setPath('userData', resolve(process.env.UCWA_USER_DATA_DIR));

const args = parseShellArgs(process.argv.slice(1));
let quitting = false;
let pendingLink: string | null = args.link;

if (!app.requestSingleInstanceLock()) {
  // A second launch (e.g. a sip: link) hands its argv to the first instance and leaves.
  app.quit();
} else {
  // macOS: a link that launched the app arrives as 'open-url' around 'will-finish-launching'. An ESM
  // main module is evaluated asynchronously, so registering inside 'will-finish-launching' could
  // come too late for it: register now (before 'ready', which is all Electron requires).
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const sip = parseImLink(url);
    if (sip) openLink(sip);
  });
  app.on('second-instance', (_e, argv) => {
    const a = parseShellArgs(argv.slice(1));
    if (a.link) openLink(a.link);
    // Before start() has built the service (a second launch during startup): no window may be made
    // yet (BrowserWindow before 'ready' throws); start() shows what is needed.
    else if (service) void showWindow(current.session?.status === 'online' ? 'history' : 'signin');
  });
  // macOS: a click on the Dock icon (or reopening the app) with no window open shows one.
  app.on('activate', () => {
    if (service) void showWindow(service.state().status === 'signedOut' ? 'signin' : 'history');
  });
  app.on('window-all-closed', () => {
    /* a tray app keeps running without windows; Quit is in the tray menu */
  });
  void app.whenReady().then(start).catch((err: unknown) => {
    log(`startup failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    app.exit(1);
  });
}

const log = createLogger(join(logDir(app.getPath('userData')), MAIN_LOG_NAME));
const settingsPath = join(app.getPath('userData'), 'settings.json');
let settings: Settings;
let service: AppService;
/** Presence as already known, for the tray's Favourites and the notifications' titles (no waiting). */
let people: ShellPeople | null = null;
let tray: Tray | null = null;
const windows = new Map<WindowName, BrowserWindow>();
/** e2e only: the webPreferences each window was created with (Electron 45 has no public getter). */
const createdWith = new Map<WindowName, WebPreferences>();
const pending = createPendingNavigation();
const current: { session: EventPayload<'session'> | null } = { session: null };

function openLink(sip: string): void {
  if (!service) {
    pendingLink = sip;
    return;
  }
  void showWindow('history', { to: 'newConversation', sip });
}

// ------------------------------------------------------------------ windows
function windowNameOf(contents: WebContents): WindowName | undefined {
  for (const [name, win] of windows) if (!win.isDestroyed() && win.webContents.id === contents.id) return name;
  return undefined;
}

function createWindow(name: WindowName): BrowserWindow {
  const icon = join(buildDir, 'icons', '256x256.png');
  const opts = windowOptions(name, { preloadPath, platform: process.platform, ...(existsSync(icon) ? { icon } : {}) });
  const webPreferences = { ...opts.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, disableBlinkFeatures: 'Auxclick' };
  if (e2e) createdWith.set(name, webPreferences);
  const win = new BrowserWindow({
    ...opts,
    // Exactly secureWebPreferences(); the essentials restated literally so a reader (or a static
    // scanner such as Electronegativity) sees them where the window is made.
    webPreferences: { ...opts.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, disableBlinkFeatures: 'Auxclick' },
  });
  windows.set(name, win);
  // A page that goes (the window destroyed, or reloading: the new page holds none of the old one's
  // state) releases the presence it kept live. Only while it is the current window of that name (or
  // none is): a new window of the name may already hold its own.
  const contents = win.webContents;
  const releaseIfCurrent = () => {
    const now = windows.get(name);
    if (now === win || now === undefined) handlers?.releaseWindow(name);
  };
  contents.on('destroyed', releaseIfCurrent);
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) releaseIfCurrent();
  });
  win.on('closed', () => {
    // Only if still the current one (a new window of that name may already replace it); a
    // navigation it never took must not steer the next window of that name.
    if (windows.get(name) !== win) return;
    windows.delete(name);
    pending.take(name);
    handlers?.releaseWindow(name);
  });
  if (name === 'popup') {
    win.on('blur', () => {
      if (!e2e && !win.isDestroyed() && win.isVisible() && !win.webContents.isDevToolsOpened()) {
        popupHiddenByBlurAt = Date.now();
        win.hide();
      }
    });
    // Closing the popup only hides it: it opens again instantly from the tray.
    win.on('close', (e) => {
      if (!quitting) {
        e.preventDefault();
        win.hide();
      }
    });
  }
  win.once('ready-to-show', () => {
    if (win.isDestroyed()) return;
    if (name === 'popup') positionPopup(win);
    win.show();
  });
  void win.loadURL(windowUrl(name));
  return win;
}

function positionPopup(win: BrowserWindow): void {
  const bounds = tray?.getBounds() ?? null;
  const point = bounds && bounds.width > 0 ? { x: bounds.x, y: bounds.y } : screen.getCursorScreenPoint();
  const { workArea } = screen.getDisplayNearestPoint(point);
  const { x, y } = popupPosition({ tray: bounds, workArea, size: POPUP_SIZE, platform: process.platform });
  win.setPosition(x, y, false);
}

async function showWindow(name: WindowName, navigation?: Navigation): Promise<void> {
  const win = windows.get(name);
  if (navigation) pending.set(name, navigation);
  if (!win || win.isDestroyed()) {
    createWindow(name); // the renderer reads the pending navigation at load
    return;
  }
  if (navigation) {
    if (!win.webContents.isLoading()) pending.take(name);
    // Still loading: the page may already have asked for its pending navigation (and got none), so
    // send it as an event too; a page not yet listening takes it from `pending` at load instead.
    win.webContents.send(eventChannel('navigate'), navigation);
  }
  if (name === 'popup') positionPopup(win);
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

function hideWindow(name: string): void {
  const win = windows.get(name as WindowName);
  if (!win || win.isDestroyed()) return;
  if (name === 'popup') win.hide();
  else win.close();
}

function broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void {
  for (const win of windows.values()) if (!win.isDestroyed()) win.webContents.send(eventChannel(event), payload);
}

// ------------------------------------------------------------------ security
function hardenSessions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    log(`security: denied permission request ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      // The organisation's sign-in page navigates within its pool and identity provider: signInWindow.ts decides.
      if (isOrganisationSignIn(contents)) return;
      event.preventDefault();
      openExternalIfSafe(url, 'navigation');
    });
    contents.on('will-redirect', (event) => {
      if (!isOrganisationSignIn(contents)) event.preventDefault();
    });
    contents.on('context-menu', (_event, params) => showContextMenu(contents, params));
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      openExternalIfSafe(url, 'window.open');
      return { action: 'deny' };
    });
  });
}

/** The organisation's sign-in page (AD FS): its own partition, no preload, no Node (signInWindow.ts). */
function openSignInWindow(o: { partition: string; title: string }): BrowserWindow {
  const ses = session.fromPartition(o.partition);
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    log(`security: denied permission request ${permission} (sign-in page)`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  const icon = join(buildDir, 'icons', '256x256.png');
  return new BrowserWindow({
    width: 520, height: 700, title: o.title, autoHideMenuBar: true, ...(existsSync(icon) ? { icon } : {}),
    webPreferences: { partition: o.partition, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, disableBlinkFeatures: 'Auxclick' },
  });
}

function showContextMenu(contents: WebContents, params: ContextMenuParams): void {
  const run = (a: ContextAction) => {
    switch (a.type) {
      case 'replaceMisspelling': return contents.replaceMisspelling(a.word);
      case 'addToDictionary': return void contents.session.addWordToSpellCheckerDictionary(a.word);
      case 'copyLink': return clipboard.writeText(a.url);
      case 'cut': return contents.cut();
      case 'copy': return contents.copy();
      case 'paste': return contents.paste();
      case 'selectAll': return contents.selectAll();
    }
  };
  const template = contextMenuModel(params).map((item): MenuItemConstructorOptions => (item.action
    ? { label: item.label, enabled: item.enabled, click: () => run(item.action!) }
    : { type: 'separator' }));
  const win = BrowserWindow.fromWebContents(contents);
  Menu.buildFromTemplate(template).popup(win ? { window: win } : {});
}

function openExternalIfSafe(raw: string, via: string): void {
  const url = validateExternalUrl(raw);
  if (!url) {
    // Its scheme only: the link came from a message, and logs hold no message text.
    log(`security: refused ${via} to a ${linkScheme(raw)} link`);
    return;
  }
  void shell.openExternal(url.href);
}

function registerAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const r = resolveAppRequest(request.url, rendererRoot, request.method);
    if (!r.ok) {
      log(`app://: ${r.status} ${r.reason} (${safeUrl(request.url)})`);
      return new Response(null, { status: r.status });
    }
    try {
      const body = await readFile(r.file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: r.headers });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

// ------------------------------------------------------------------ settings
async function writeSettings(next: Settings): Promise<void> {
  settings = next;
  await saveSettingsFile(settingsPath, next);
  applyLoginItem(next);
  broadcast('settings', next);
  scheduleTrayUpdate();
}

function applyLoginItem(s: Settings): void {
  if (!app.isPackaged) return; // never register a development build at login
  if (process.platform === 'linux') {
    const exec = process.env.APPIMAGE ?? process.execPath;
    void applyLinuxAutostart(autostartFile(), s.startAtLogin, autostartDesktopEntry({ exec, hidden: s.startHidden }))
      .catch((err: Error) => log(`autostart: ${err.message}`));
  } else {
    app.setLoginItemSettings(loginItemSettings(s, process.platform));
  }
}

// ------------------------------------------------------------------ tray
const iconCache = new Map<string, NativeImage>();
function trayImage(file: string): NativeImage {
  let img = iconCache.get(file);
  if (!img) {
    img = nativeImage.createFromPath(join(trayIconDir, file));
    if (file.endsWith('Template.png')) img.setTemplateImage(true);
    iconCache.set(file, img);
  }
  return img;
}

let trayState: TrayState = {
  session: { status: 'signedOut', availability: null, user: null, demo: false },
  unread: { unreadChats: 0, missedChats: 0 },
  latest: [],
  settings: { doNotDisturb: 'silent' },
  platform: process.platform,
};
let trayTimer: NodeJS.Timeout | null = null;

function scheduleTrayUpdate(): void {
  if (trayTimer) return;
  trayTimer = setTimeout(() => {
    trayTimer = null;
    void updateTray();
  }, 100);
}

async function updateTray(): Promise<void> {
  const s = service.state();
  let unread = trayState.unread;
  let latest = trayState.latest;
  try {
    const summary = await service.unreadSummary(5);
    unread = { unreadChats: summary.unreadChats, missedChats: summary.missedChats };
    latest = summary.latest.filter((c) => c.unread);
  } catch {
    /* not signed in / no store yet: keep the last counts */
  }
  trayState = { session: s, unread, latest, settings: { doNotDisturb: settings.doNotDisturb }, platform: process.platform, favourites: people?.favourites() ?? [] };
  if (!tray) return;
  const kind = trayIconKind(trayState);
  tray.setImage(trayImage(trayIconFile(kind, process.platform)));
  tray.setToolTip(trayTooltip(trayState));
  // Linux indicators only pick up a changed menu when it is set again.
  setTrayMenu();
  const count = badgeCount(trayState);
  if (process.platform === 'win32') {
    const overlay = overlayIconFile(count);
    const target = windows.get('history') ?? windows.get('signin');
    if (target && !target.isDestroyed()) target.setOverlayIcon(overlay ? trayImage(`../${overlay}`) : null, count ? `${count} unread` : '');
  } else {
    app.setBadgeCount(count); // macOS dock; Linux Unity launchers
  }
}

function toTemplate(model: MenuItemModel[]): MenuItemConstructorOptions[] {
  return model.map((item): MenuItemConstructorOptions => {
    if (item.kind === 'separator') return { type: 'separator' };
    if (item.kind === 'label') return { id: item.id, label: item.label, enabled: false };
    if (item.kind === 'submenu') return { id: item.id, label: item.label, submenu: toTemplate(item.items) };
    return {
      id: item.id,
      label: item.label,
      enabled: item.enabled,
      ...(item.checked !== undefined ? { type: 'radio', checked: item.checked } : {}),
      click: () => void runTrayAction(item.action),
    };
  });
}

async function runTrayAction(action: TrayAction): Promise<void> {
  try {
    switch (action.type) {
      case 'openConversation': return await showWindow('popup', { to: 'conversation', conversationId: action.conversationId });
      case 'openHistory': return await showWindow('history');
      case 'openChatWith': return await showWindow('history', await chatTarget(service, action.sip, service.state().user?.sip ?? null));
      case 'show': return await showWindow(service.state().status === 'signedOut' ? 'signin' : 'history');
      case 'signIn': return await showWindow('signin');
      case 'setAvailability': return await service.setAvailability(action.availability);
      case 'signOut':
        // Plain Sign out keeps the remembered password; "Sign out and forget me" removes it.
        await service.signOut(action.forget ? { forget: true } : undefined);
        return;
      case 'quit':
        quitting = true;
        app.quit();
        return;
    }
  } catch (err) {
    log(`tray: ${action.type} failed: ${describeError(err)}`);
  }
}

let trayMenu: Menu | null = null;
let popupHiddenByBlurAt: number | null = null;

let trayMenuKey = '';
function setTrayMenu(): void {
  if (!tray) return;
  // Rebuild only when what the menu shows changed: setting it again closes a menu the user has open
  // (and a history sync updates the tray state dozens of times a second).
  const model = trayMenuModel(trayState);
  const key = JSON.stringify(model);
  if (trayMenu && key === trayMenuKey) return;
  trayMenuKey = key;
  trayMenu = Menu.buildFromTemplate(toTemplate(model));
  if (traySetsContextMenu(process.platform)) tray.setContextMenu(trayMenu);
}

function createTray(): void {
  tray = new Tray(trayImage(trayIconFile('offline', process.platform)));
  tray.setToolTip('UCWA Tray');
  tray.on('click', () => {
    const popup = windows.get('popup');
    const open = !!popup && !popup.isDestroyed() && popup.isVisible();
    const action = trayClickAction({ open, hiddenByBlurAt: popupHiddenByBlurAt }, Date.now());
    popupHiddenByBlurAt = null;
    if (action === 'hide') popup?.hide();
    else if (action === 'show') void showWindow('popup');
  });
  if (!traySetsContextMenu(process.platform)) {
    tray.on('right-click', () => {
      if (tray && trayMenu) tray.popUpContextMenu(trayMenu);
    });
  }
  setTrayMenu();
  if (e2e) (globalThis as Record<string, unknown>).__ucwaTray = tray;
}

// ------------------------------------------------------------------ notifications
const live = new Map<string, Notification>(); // keep a reference, or the 'click'/'reply' handlers are collected
let notificationSeq = 0;
let lastNotificationId: string | null = null;
const gate = createNotificationGate();
const acceptReply = createReplyDeduper();
const shownNotifications: { id: string; title: string; body: string; conversationId: number }[] = [];

function notify(src: NotificationSource | null): void {
  if (!src || !gate(src, Date.now())) return;
  // The user is looking at this conversation: the message is on screen already.
  if (service.isReading(src.conversationId)) return;
  const content = notificationContent(src, {
    settings, availability: service.state().availability, platform: process.platform, seq: ++notificationSeq,
    senderPresence: people?.presenceOf(src.from?.sip),
  });
  if (!content) return;
  if (e2e) shownNotifications.push({ id: content.id, title: content.title, body: content.body, conversationId: content.conversationId });
  if (!Notification.isSupported()) return;
  const icon = join(buildDir, 'icons', '256x256.png');
  const n = new Notification({
    id: content.id, title: content.title, body: content.body, silent: content.silent, hasReply: content.hasReply,
    ...(content.replyPlaceholder ? { replyPlaceholder: content.replyPlaceholder } : {}),
    groupId: content.groupId,
    ...(existsSync(icon) ? { icon } : {}),
  });
  live.set(content.id, n);
  lastNotificationId = content.id;
  const forget = () => live.delete(content.id);
  n.on('click', () => {
    forget();
    void showWindow('popup', { to: 'conversation', conversationId: content.conversationId });
  });
  n.on('reply', (details, legacyReply) => {
    forget();
    void handleReply(content.id, content.conversationId, replyText(details, legacyReply));
  });
  // Windows emits 'close' when the toast times out into the Action Center, where it can still be
  // clicked or replied to: keep the object (bounded below) so its own events still fire then.
  n.on('close', () => {
    if (process.platform !== 'win32') forget();
  });
  n.on('failed', (_e, error) => {
    forget();
    log(`notification failed: ${error}`);
  });
  n.show();
  while (live.size > 50) live.delete(live.keys().next().value as string);
}

async function handleReply(notificationKey: string, conversationId: number, text: string): Promise<void> {
  if (!text || !text.trim()) return;
  if (!acceptReply(notificationKey, text, Date.now())) {
    log(`notification: duplicate reply to ${notificationKey} ignored`);
    return;
  }
  try {
    await service.send(conversationId, text); // accepts a ringing invitation first when needed
  } catch (err) {
    log(`notification reply failed: ${describeError(err)}`);
    await showWindow('popup', { to: 'conversation', conversationId });
  }
}

function registerActivationHandler(): void {
  // Windows: a toast clicked or replied to after the Notification object is gone, or that launched the app.
  if (process.platform !== 'win32' || typeof Notification.handleActivation !== 'function') return;
  Notification.handleActivation((details) => {
    const target = activationTarget(details, lastNotificationId);
    if (target.kind === 'reply') void whenReady(() => handleReply(target.key, target.conversationId, target.text));
    else if (target.kind === 'open') void whenReady(() => showWindow('popup', { to: 'conversation', conversationId: target.conversationId }));
    else if (details.type === 'reply') log(`notification: activation ignored (${target.reason}); a live notification handles its own reply`);
  });
}

let demo: ReturnType<typeof createDemo> | null = null;
let readyResolve: () => void;
const serviceReady = new Promise<void>((r) => (readyResolve = r));
async function whenReady(fn: () => Promise<void>): Promise<void> {
  await serviceReady;
  await fn();
}

// ------------------------------------------------------------------ power, idle, network
let idleTimer: NodeJS.Timeout | null = null;
function watchPower(): void {
  // Linux/macOS shutdown: let the windows close (the popup's close handler only hides otherwise).
  powerMonitor.on('shutdown', () => {
    quitting = true;
  });
  powerMonitor.on('resume', () => service.nudge('resume'));
  powerMonitor.on('unlock-screen', () => service.nudge('resume'));
  powerMonitor.on('lock-screen', () => service.reportIdle(powerMonitor.getSystemIdleTime(), true, settings.awayAfterMinutes * 60));
  let online: boolean | null = null;
  const tick = () => {
    const threshold = settings.awayAfterMinutes * 60;
    const r = idleReport(powerMonitor.getSystemIdleTime(), powerMonitor.getSystemIdleState(threshold));
    service.reportIdle(r.idleSeconds, r.locked, threshold);
    const now = net.isOnline();
    if (networkChange(online, now)) service.nudge('network');
    online = now;
  };
  tick();
  idleTimer = setInterval(tick, IDLE_POLL_MS);
  idleTimer.unref();
}

// ------------------------------------------------------------------ IPC
/** The IPC handlers (registerIpc), for what the shell tells them outside a call. */
let handlers: ReturnType<typeof createHandlers> | null = null;

function registerIpc(host: ReturnType<typeof createShellHost>): void {
  const h = createHandlers(service, host);
  handlers = h;
  for (const name of callNames) {
    ipcMain.handle(callChannel(name), async (event, rawArgs: unknown) => {
      const check = checkSender(senderInfo(() => event.senderFrame));
      if (!check.ok) {
        log(`ipc: refused ${name}: ${check.reason}`);
        return { ok: false, error: { code: 'forbidden', message: 'This page may not use UCWA Tray.' } };
      }
      const window = windowNameOf(event.sender);
      return h[name](window ? { window } : {}, rawArgs);
    });
  }
  forwardEvents(service, (event, payload) => broadcast(event, payload));
}

// ------------------------------------------------------------------ start
async function start(): Promise<void> {
  log(`UCWA Tray ${app.getVersion()} starting (Electron ${process.versions.electron}, ${process.platform}/${process.arch}${e2e ? ', e2e hooks on' : ''})`);
  hardenSessions();
  registerAppProtocol();
  const menuTemplate = applicationMenuTemplate(process.platform);
  Menu.setApplicationMenu(menuTemplate ? Menu.buildFromTemplate(menuTemplate) : null);
  settings = await loadSettingsFile(settingsPath, log);
  applyLoginItem(settings);
  registerActivationHandler();

  const protocolReg = protocolClientArgs({ packaged: app.isPackaged, execPath: process.execPath, appPath: appRoot, force: process.env.UCWA_REGISTER_LINKS === '1' });
  if (protocolReg.register) {
    for (const scheme of LINK_SCHEMES) {
      if (protocolReg.path) app.setAsDefaultProtocolClient(scheme, protocolReg.path, protocolReg.args ?? []);
      else app.setAsDefaultProtocolClient(scheme);
    }
  }

  const theDemo = createDemo({ start: startSimulator, log });
  demo = theDemo;
  service = await createAppService({
    dataDir: app.getPath('userData'),
    fetch: chromiumFetch(net),
    signInMethods: appSignInMethods({
      openSignInWindow,
      allowIntegratedAuth: (hosts) => session.defaultSession.allowNTLMCredentialsForDomains(hosts),
      partitionFetch: (partition) => {
        const ses = session.fromPartition(partition);
        // The partition's cookies (the pool's, set by the sign-in page) go with the grant.
        return chromiumFetch({
          fetch: (input, init) => ses.fetch(input, { ...init, credentials: 'include' }),
          request: (options) => net.request({ ...options, session: ses, credentials: 'include' }),
        });
      },
      openExternal: (url) => shell.openExternal(url),
      ...(process.env.UCWA_CLIENT_ID ? { clientId: process.env.UCWA_CLIENT_ID } : {}),
      ...(process.env.UCWA_AUTHORITY ? { authority: process.env.UCWA_AUTHORITY } : {}),
      log,
    }),
    // Development builds may use their own keychain entries (tests run many app instances side by side).
    secrets: createKeychain({ log, ...(!app.isPackaged && process.env.UCWA_KEYCHAIN_SERVICE ? { service: process.env.UCWA_KEYCHAIN_SERVICE } : {}) }),
    userAgent: `UCWA-Tray/${app.getVersion()} Electron/${process.versions.electron}`,
    log,
    clearLogs: () => log.clear(),
    workerPath: storeWorkerPath(here),
    // The windows' presence watches were the old account's service's (the windows send them again).
    beforeSwitch: () => handlers?.releaseAll(),
  });
  const host = createShellHost({
    startDemo: () => theDemo.start(),
    readSettings: () => settings,
    writeSettings,
    openExternal: (url) => shell.openExternal(url),
    showWindow,
    hideWindow,
    pending,
    deleteLocalHistory: () => service.deleteLocalHistory(),
    log,
  });
  registerIpc(host);
  // Before any sign-in, so that it sees the session come online (and reads the contact list then).
  people = createShellPeople(service, { onFavouritesChanged: scheduleTrayUpdate, log });
  for (const event of ['session', 'unread', 'conversation'] as const) service.on(event, () => scheduleTrayUpdate());
  service.on('session', (s) => {
    const wasOnline = current.session?.status === 'online';
    current.session = s;
    // Signed in from the sign-in window: main opens the history window, THEN closes the sign-in
    // window (closing it destroys its page at once, so the page's own reply would never land and
    // nothing would be left on screen). A keychain warning keeps the sign-in window up: its
    // Continue button moves on.
    if (s.status === 'online' && !wasOnline && s.error?.code !== 'noKeychain') {
      const signin = windows.get('signin');
      if (signin && !signin.isDestroyed()) {
        void showWindow('history').then(() => {
          if (!signin.isDestroyed()) signin.close();
        });
      }
    }
  });
  service.on('invitation', (inv) => notify(fromInvitation(inv)));
  service.on('message', (msg) => notify(fromMessage(msg)));
  createTray();
  watchPower();
  if (e2e) {
    (globalThis as Record<string, unknown>).__ucwaE2E = {
      demo: theDemo, service, notifications: shownNotifications,
      windows: () => [...windows.entries()].filter(([, w]) => !w.isDestroyed()).map(([name, w]) => ({ name, id: w.webContents.id })),
      reply: (conversationId: number, text: string, key = `e2e-${conversationId}`) => handleReply(key, conversationId, text),
      openPopup: (conversationId: number) => showWindow('popup', { to: 'conversation', conversationId }),
      openHistory: (navigation?: Navigation) => showWindow('history', navigation),
      webPreferences: () => [...windows.entries()].filter(([, w]) => !w.isDestroyed()).map(([name, w]) => ({ name, url: w.webContents.getURL(), prefs: createdWith.get(name) ?? null })),
      trayMenu: () => trayMenuModel(trayState),
    };
  }

  // Sign in: --demo, else the remembered account, else ask.
  let signedIn = false;
  if (args.demo) {
    try {
      const s = await service.signIn({ ...(await theDemo.start()), demo: true });
      signedIn = s.status === 'online';
    } catch (err) {
      log(`demo sign-in failed: ${describeError(err)}`);
    }
  } else {
    try {
      const s = await service.signInRemembered();
      signedIn = s !== null;
    } catch (err) {
      log(`sign-in with the remembered account failed: ${describeError(err)}`);
    }
  }
  // Toast activations wait for this: a reply from the Action Center that launched the app needs the
  // remembered account's history (and session), which only exist once the launch sign-in settled.
  readyResolve();
  scheduleTrayUpdate();
  const first = launchWindow({ signedIn, link: pendingLink, hiddenArg: args.hidden, startHidden: settings.startHidden });
  pendingLink = null;
  if (first) await showWindow(first.window, first.navigation);
}

app.on('before-quit', () => {
  quitting = true;
});

let closing = false;
app.on('will-quit', (event) => {
  if (idleTimer) clearInterval(idleTimer); // no idle report into a closing service
  idleTimer = null;
  if (closing || !service) return;
  event.preventDefault();
  closing = true;
  const done = () => app.exit(0);
  const timer = setTimeout(done, 5000);
  // The demo server is ours: stop it so its sockets close before the process ends.
  void Promise.allSettled([service.close(), demo?.stop()]).then(() => {
    clearTimeout(timer);
    done();
  });
});
