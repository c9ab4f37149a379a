/// <reference lib="dom" />
// The renderer end-to-end harness (DESIGN.md §8): the PRODUCTION renderer bundle (out/renderer, built
// by scripts/build.mjs, unmodified) served over node:http with the production CSP, in headless Debian
// Chromium; its `window.ucwa` is a bridge to the very `createHandlers(service, host)` the Electron
// shell registers on ipcMain, over the REAL core: createMessengerService + the SQLite store (temp
// dir) + the UCWA simulator over real HTTP on 127.0.0.1. No Electron, no mocks of the core.
import { contentSecurityPolicy } from '../../main/electron/appProtocol.ts';
import { createServer, type Server } from 'node:http';
import { readFile, mkdtemp, rm, cp } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { createHandlers, forwardEvents, type CallerInfo, type HandlerControls, type HandlerHost, type Handlers } from '../../main/ipc/handlers.ts';
import { callNames, defaultSettings, type EventName, type EventPayload, type Navigation, type Settings, type WindowName } from '../../main/ipc/contract.ts';
import { createMessengerService } from '../../main/core/app/index.ts';
import type { MessengerService, SignInRequest } from '../../main/core/app/types.ts';
import { createSqliteStore, type SqliteStore } from '../../main/core/store/sqliteStore.ts';
import { createMemoryStore } from '../../main/core/store/memoryStore.ts';
import type { Store } from '../../main/core/store/types.ts';
import { createAccountService } from '../../main/electron/accountService.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const RENDERER_DIR = join(ROOT, 'out/renderer');
export const DEMO = 'sip:demo@contoso.com';

/** The very header every UI response carries in the app (one source, so the test cannot drift). */
export const CSP = contentSecurityPolicy();

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2',
};

/** A static server for out/renderer with the production CSP header on every response. */
export async function serveRenderer(dir = RENDERER_DIR): Promise<{ origin: string; server: Server; close: () => Promise<void> }> {
  if (!existsSync(join(dir, 'app.js')) || !existsSync(join(dir, 'index.html'))) {
    // Not built yet (or another build just wiped out/): build it exactly as `npm run build` does.
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(join(dir, 'app.js'))) throw new Error(`${dir}/app.js is missing and \`node scripts/build.mjs\` did not make it`);
  }
  // Serve a snapshot: scripts/build.mjs starts by deleting out/, and other builds may run meanwhile.
  const root = await mkdtemp(join(tmpdir(), 'ucwa-renderer-'));
  await cp(dir, root, { recursive: true });
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const file = normalize(join(root, decodeURIComponent(url.pathname)));
      if (!(file === root || file.startsWith(root + sep))) { res.writeHead(403).end(); return; }
      try {
        const body = await readFile(file);
        res.writeHead(200, {
          'content-type': MIME[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        });
        res.end(body);
      } catch {
        res.writeHead(404, { 'content-security-policy': CSP }).end();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(root, { recursive: true, force: true });
  };
  return { origin: `http://127.0.0.1:${port}`, server, close };
}

/** What the Electron shell does for the handlers, done in memory and recorded for assertions. */
export class TestHost implements HandlerHost {
  settings: Settings = { ...defaultSettings };
  opened: string[] = [];
  shown: { name: WindowName; navigation?: Navigation }[] = [];
  closed: string[] = [];
  pending = new Map<string, Navigation>();
  logs: string[] = [];
  private world: { sim: Simulator; emitTo: (window: string | null, e: EventName, p: unknown) => void };
  constructor(world: { sim: Simulator; emitTo: (window: string | null, e: EventName, p: unknown) => void }) {
    this.world = world;
  }
  async startDemo(): Promise<SignInRequest> {
    const a = this.world.sim.accounts.find((x) => x.sip === DEMO) ?? this.world.sim.accounts[0];
    if (!a) throw new Error('no demo account');
    return { sip: a.sip, password: a.password, server: this.world.sim.url, remember: false };
  }
  async getSettings() { return this.settings; }
  async setSettings(patch: Partial<Settings>) {
    this.settings = { ...this.settings, ...patch };
    this.world.emitTo(null, 'settings', this.settings);
    return this.settings;
  }
  async openExternal(url: string) { this.opened.push(url); }
  async showWindow(name: WindowName, navigation?: Navigation) {
    this.shown.push(navigation ? { name, navigation } : { name });
    if (navigation) this.world.emitTo(name, 'navigate', navigation);
  }
  async closeWindow(caller: CallerInfo) { this.closed.push(String(caller.window ?? '?')); }
  async pendingNavigation(caller: CallerInfo) {
    const w = String(caller.window ?? '');
    const n = this.pending.get(w) ?? null;
    this.pending.delete(w);
    return n;
  }
  log(line: string) { this.logs.push(line); }
}

/** The pages a world has open, and how events reach them (the preload's webContents.send). */
export interface Bridge {
  pages: Map<Page, string>;
  emitTo(window: string | null, event: EventName, payload: unknown): void;
}

export function createBridge(): Bridge {
  const pages = new Map<Page, string>();
  return {
    pages,
    emitTo(window, event, payload) {
      for (const [page, name] of pages) {
        if (window && name !== window) continue;
        if (page.isClosed()) continue;
        page.evaluate(([e, p]) => (globalThis as unknown as { __ucwaEmit?: (e: string, p: unknown) => void }).__ucwaEmit?.(e as string, p), [event, payload] as const)
          .catch(() => undefined);
      }
    },
  };
}

/**
 * `window.__ucwaInvoke` over a bare DevTools binding: the page sends `{id, call, args}` as JSON, the
 * answer comes back as `__ucwaDeliver(id, json)`, one tiny script per answer.
 */
async function cdpBridge(page: Page, invoke: (call: string, args: unknown) => Promise<unknown>): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Runtime.bindingCalled', (e: { name: string; payload: string; executionContextId: number }) => {
    if (e.name !== '__ucwaCdp') return;
    const { id, call, args } = JSON.parse(e.payload) as { id: number; call: string; args: unknown };
    void invoke(call, args)
      .catch((err: unknown) => ({ ok: false, error: { code: 'internal', message: String(err) } }))
      .then((answer) => cdp.send('Runtime.evaluate', {
        expression: `__ucwaDeliver(${id}, ${JSON.stringify(JSON.stringify(answer ?? null))})`, contextId: e.executionContextId,
      }))
      .catch(() => undefined); // the page went away meanwhile
  });
  await cdp.send('Runtime.enable');
  await cdp.send('Runtime.addBinding', { name: '__ucwaCdp' });
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown> & { __ucwaCdp: (payload: string) => void };
    const waiting = new Map<number, (v: unknown) => void>();
    let seq = 0;
    Object.defineProperty(window, '__ucwaDeliver', { value: (id: number, json: string) => { waiting.get(id)?.(JSON.parse(json)); waiting.delete(id); } });
    Object.defineProperty(window, '__ucwaInvoke', {
      value: (call: string, args: unknown) => new Promise((resolve) => {
        const id = ++seq;
        waiting.set(id, resolve);
        w.__ucwaCdp(JSON.stringify({ id, call, args }));
      }),
    });
  });
}

/** Open one window of the production bundle with `window.ucwa` bridged to `handlers`. */
export async function openBridgedPage(o: {
  browser: Browser; origin: string; name: WindowName; handlers: Handlers & Partial<HandlerControls>; bridge: Bridge; logs: string[];
  colorScheme?: 'light' | 'dark'; width?: number; height?: number; beforeLoad?: (page: Page) => Promise<void>;
  /**
   * How calls travel. 'playwright' (the default): Playwright's exposeBinding. 'cdp': a bare DevTools
   * binding whose answers come back as one small expression — what the benchmarks use, because the
   * first answer through exposeBinding makes Playwright compile its own helper script in the page
   * (20-30 ms of the page's main thread, and more under load), a cost no window of the app has:
   * Electron's IPC is a message pipe, as this is.
   */
  transport?: 'playwright' | 'cdp';
}): Promise<Page> {
  const { name, handlers, logs } = o;
  const context = await o.browser.newContext({
    viewport: { width: o.width ?? (name === 'popup' ? 400 : name === 'signin' ? 480 : 1100), height: o.height ?? (name === 'popup' ? 480 : name === 'signin' ? 600 : 720) },
    colorScheme: o.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => logs.push(`pageerror(${name}): ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') logs.push(`console(${name}): ${msg.text()}`); });
  // The bridge: same call names as the preload, each one a call into the real handlers.
  const invoke = async (call: string, args: unknown): Promise<unknown> => {
    const h = (callNames as readonly string[]).includes(call) ? handlers[call as keyof Handlers] as (c: CallerInfo, a: unknown) => Promise<unknown> : undefined;
    if (!h) return { ok: false, error: { code: 'forbidden', message: `Unknown call ${call}` } };
    return h({ window: name }, args);
  };
  if (o.transport === 'cdp') await cdpBridge(page, invoke);
  else await page.exposeBinding('__ucwaInvoke', (_source, call: string, args: unknown) => invoke(call, args));
  await page.addInitScript((names: string[]) => {
    const listeners = new Map<string, Set<(p: unknown) => void>>();
    const w = window as unknown as Record<string, unknown> & { __ucwaInvoke: (n: string, a: unknown[]) => Promise<unknown> };
    const api: Record<string, unknown> = {
      on(event: string, listener: (p: unknown) => void) {
        let set = listeners.get(event);
        if (!set) listeners.set(event, (set = new Set()));
        set.add(listener);
        return () => { set.delete(listener); };
      },
    };
    for (const n of names) api[n] = (...args: unknown[]) => w.__ucwaInvoke(n, args);
    Object.defineProperty(window, '__ucwaEmit', {
      value: (event: string, payload: unknown) => {
        for (const l of listeners.get(event) ?? []) {
          try { l(payload); } catch (err) { console.error(err); }
        }
      },
    });
    Object.defineProperty(window, 'ucwa', { value: Object.freeze(api) });
  }, callNames as string[]);
  o.bridge.pages.set(page, name);
  page.on('close', () => {
    o.bridge.pages.delete(page);
    // As the shell does when a window is destroyed: its presence watches go with it.
    o.handlers.releaseWindow?.(name);
  });
  await o.beforeLoad?.(page);
  await page.goto(`${o.origin}/index.html?window=${name}`);
  return page;
}

export interface World {
  sim: Simulator;
  service: MessengerService;
  store: SqliteStore;
  host: TestHost;
  handlers: Handlers & HandlerControls;
  dataDir: string;
  /** Where the production bundle is served (for openBridgedPage with other handlers). */
  origin: string;
  /** Open a window of the production bundle with its bridge. */
  open(browser: Browser, name: WindowName, opts?: { colorScheme?: 'light' | 'dark'; width?: number; height?: number; beforeLoad?: (page: Page) => Promise<void> }): Promise<Page>;
  /** Sign the demo account in from the test side and wait for the history sync to finish. */
  signIn(): Promise<void>;
  waitSynced(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The newest past conversation with exactly one other person, and that person. */
export async function pastOneToOne(world: World) {
  const page = await world.service.listConversations({ limit: 100 });
  const c = page.items.find((x) => x.status !== 'Live' && x.participants.filter((p) => p.sip !== DEMO).length === 1);
  if (!c) throw new Error('no one-to-one conversation in the demo world');
  const other = c.participants.find((p) => p.sip !== DEMO);
  if (!other) throw new Error('no participant');
  return { conversation: c, other };
}

/**
 * `accounts`: the service is the shell's account service (main/electron/accountService.ts), one
 * SQLite store per account as the app has it, so that another account can sign in; the demo
 * account's store is `store`. Without it, one core service on the demo account's store.
 */
export async function startWorld(opts: { sim?: SimulatorOptions; accounts?: boolean } = {}): Promise<World> {
  // Timers are scaled down, but an unanswered invitation must stay up long enough for a person (the test) to answer.
  const sim = await startSimulator({ autoGroupInvites: false, timeScale: 0.002, seed: 7, demoConversations: 60, invitationTimeoutSec: 20_000, ...opts.sim });
  const dataDir = await mkdtemp(join(tmpdir(), 'ucwa-e2e-'));
  const store = await createSqliteStore({ dataDir, account: DEMO, checkpointIntervalMs: 0 });
  const coreService = (storeOf: Store, photoDir: string) => createMessengerService({
    fetch: globalThis.fetch,
    store: storeOf,
    endpointId: 'e2e-browser-endpoint',
    userAgent: 'UCWA Tray e2e',
    // Photos cached on disk as the app does (services.ts): the windows show them.
    photoDir,
    random: () => 0.5,
    timing: {
      reportActivityMs: 60_000,
      typingThrottleMs: 200,
      backoffBaseMs: 50,
      backoffMaxMs: 500,
      syncAfterConversationEndMs: 200,
      pgetClientTimeoutMs: 5000,
      invitationTimeoutMs: 10_000,
      requestTimeoutMs: 5000,
      channelRestartWaitMs: 100,
    },
  });
  let handlers: (Handlers & HandlerControls) | null = null;
  let demoStoreUsed = false;
  const service: MessengerService = opts.accounts
    ? await createAccountService({
      async create(account) {
        if (!account) return coreService(createMemoryStore(), join(dataDir, 'photos-nobody'));
        const own = account === DEMO && !demoStoreUsed;
        if (own) demoStoreUsed = true;
        const s = own ? store : await createSqliteStore({ dataDir, account, checkpointIntervalMs: 0 });
        return coreService(s, join(dataDir, `photos-${account.replace(/\W/g, '_')}`));
      },
      rememberedAccount: async () => null,
      beforeSwitch: () => handlers?.releaseAll(),
    })
    : coreService(store, join(dataDir, 'photos'));
  const bridge = createBridge();
  const emitTo = bridge.emitTo;
  const host = new TestHost({ sim, emitTo });
  const h = createHandlers(service, host);
  handlers = h;
  const unforward = forwardEvents(service, <E extends EventName>(e: E, p: EventPayload<E>) => emitTo(null, e, p));
  const staticServer = await serveRenderer();

  const world: World = {
    sim, service, store, host, handlers: h, dataDir, origin: staticServer.origin,
    open: (browser, name, o = {}) => openBridgedPage({ browser, origin: staticServer.origin, name, handlers: h, bridge, logs: host.logs, ...o }),
    async signIn() {
      const s = await service.signIn({ ...(await host.startDemo()), demo: true });
      if (s.status !== 'online') throw new Error(`sign-in ended in ${s.status}: ${JSON.stringify(s.error)}`);
      // The service's own first sync after sign-in does not always start (reported to the core's
      // owner: enterOnline schedules it before the session counts as online); ask for it as the
      // tray menu's "Sync now" would.
      await new Promise((r) => setTimeout(r, 100));
      const p = service.syncProgress();
      if (!p.running && p.total === 0) await service.syncNow();
      await world.waitSynced();
    },
    async waitSynced(timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      // Sync starts right after sign-in; wait until it ran and stopped with everything stored.
      await new Promise((r) => setTimeout(r, 50));
      for (;;) {
        const p = service.syncProgress();
        if (!p.running && p.total > 0 && p.done >= p.total) return;
        if (!p.running && p.error) throw new Error(`sync failed: ${p.error.message}`);
        if (Date.now() > end) throw new Error(`sync did not finish: ${JSON.stringify(p)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      unforward();
      await Promise.all([...bridge.pages.keys()].map((p) => p.context().close().catch(() => undefined)));
      await service.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      await sim.stop().catch(() => undefined);
      await staticServer.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

export async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
