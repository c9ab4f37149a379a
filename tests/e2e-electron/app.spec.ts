// The Electron app end to end (Playwright `_electron`): demo mode → tray → a simulated contact
// writes → notification → reply from the quick-reply popup → the simulator receives it; the history
// window continues a past conversation; every window runs with the secure webPreferences.
// Runs wherever the Electron binary (node_modules/electron/path.txt + dist/, or
// ELECTRON_OVERRIDE_DIST_PATH) and a display exist; otherwise EVERY test reports itself skipped
// with the reason. Test hooks: UCWA_E2E=1 (honoured only by an unpackaged app) exposes the
// in-process demo simulator and service on the main process's globalThis.
import { test, expect, _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findElectron } from '../../scripts/start.mjs';

const root = join(import.meta.dirname, '..', '..');
const DEMO = 'sip:demo@contoso.com';

function skipReason(): string | null {
  const found = findElectron() as { path?: string; missing?: string };
  if (!found.path) return `Electron binary not available: ${found.missing} (it is downloaded from GitHub on first use; see docs/desktop.md)`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display: set DISPLAY/WAYLAND_DISPLAY or run under xvfb-run';
  }
  return null;
}
const reason = skipReason();

type Hooks = {
  service: { state(): { status: string }; listConversations(q: object): Promise<{ items: { id: number; logHref: string | null; participants: { sip: string }[] }[] }> };
  demo: { simulator(): { control: { sendIm(from: string, to: string, text: string): Promise<string>; receivedMessages(sip?: string): { text: string }[] }; people: { sip: string; behaviour?: { kind: string } }[] } | null };
  notifications: { title: string; body: string; conversationId: number }[];
};

test.describe('desktop app (Electron)', () => {
  test.skip(reason !== null, reason ?? '');
  test.describe.configure({ mode: 'serial' });

  let app: ElectronApplication;
  let userData: string;

  test.beforeAll(async () => {
    userData = mkdtempSync(join(tmpdir(), 'ucwa-e2e-electron-'));
    const found = findElectron() as { path: string };
    app = await electron.launch({
      executablePath: found.path,
      args: [root, '--demo'],
      cwd: root,
      env: { ...process.env, UCWA_E2E: '1', UCWA_USER_DATA_DIR: userData, ELECTRON_ENABLE_LOGGING: '1' },
      timeout: 60_000,
    });
    await expect.poll(() => app.evaluate(() => (globalThis as unknown as { __ucwaE2E?: Hooks }).__ucwaE2E?.service.state().status ?? 'starting'), { timeout: 45_000 }).toBe('online');
  });

  test.afterAll(async () => {
    await app?.close().catch(() => undefined);
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  async function windowPage(name: string): Promise<Page> {
    await expect.poll(() => app.windows().some((w) => w.url().includes(`window=${name}`)), { timeout: 20_000 }).toBe(true);
    const page = app.windows().find((w) => w.url().includes(`window=${name}`))!;
    await page.waitForLoadState('domcontentloaded');
    return page;
  }

  test('demo sign-in puts the app in the tray', async () => {
    const tray = await app.evaluate(() => {
      const t = (globalThis as unknown as { __ucwaTray?: { isDestroyed(): boolean } }).__ucwaTray;
      return t ? !t.isDestroyed() : false;
    });
    expect(tray).toBe(true);
  });

  test('a contact writes → notification → reply from the quick-reply popup reaches the simulator', async () => {
    const text = `Hello from the e2e test ${Date.now()}`;
    const from = await app.evaluate(async (_e, args) => {
      const h = (globalThis as unknown as { __ucwaE2E: Hooks }).__ucwaE2E;
      const sim = h.demo.simulator()!;
      const contact = sim.people.find((p) => p.behaviour?.kind !== 'decline')!.sip;
      await sim.control.sendIm(contact, args.to, args.text);
      return contact;
    }, { to: DEMO, text });
    await expect.poll(() => app.evaluate(() => (globalThis as unknown as { __ucwaE2E: Hooks }).__ucwaE2E.notifications.map((n) => n.body)), { timeout: 20_000 }).toContain(text);
    const conversationId = await app.evaluate((_e, t) => (globalThis as unknown as { __ucwaE2E: Hooks }).__ucwaE2E.notifications.find((n) => n.body === t)!.conversationId, text);

    // What a click on that notification does (Linux) / the tray's unread entry: the popup on that conversation.
    await app.evaluate(async (_e, id) => {
      const h = (globalThis as unknown as { __ucwaE2E: Hooks & { openPopup(id: number): Promise<void> } }).__ucwaE2E;
      await h.openPopup(id);
    }, conversationId);
    const popup = await windowPage('popup');
    await expect(popup.getByText(text).first()).toBeVisible({ timeout: 20_000 });
    const reply = `Reply from the popup ${Date.now()}`;
    const box = popup.getByRole('textbox').last();
    await box.fill(reply);
    await box.press('Enter');
    await expect.poll(() => app.evaluate((_e, r) => {
      const sim = (globalThis as unknown as { __ucwaE2E: Hooks }).__ucwaE2E.demo.simulator()!;
      return sim.control.receivedMessages('sip:demo@contoso.com').some((m) => m.text === r);
    }, reply), { timeout: 30_000 }).toBe(true);
    expect(from).toMatch(/^sip:/);
  });

  test('the history window opens and continues a past conversation', async () => {
    const id = await app.evaluate(async () => {
      const h = (globalThis as unknown as { __ucwaE2E: Hooks & { openHistory(nav?: object): Promise<void> } }).__ucwaE2E;
      let items: { id: number; logHref: string | null }[] = [];
      for (let i = 0; i < 100 && !items.some((c) => c.logHref); i++) {
        items = (await h.service.listConversations({ limit: 50 })).items;
        if (!items.some((c) => c.logHref)) await new Promise((r) => setTimeout(r, 200));
      }
      const past = items.find((c) => c.logHref)!;
      await h.openHistory({ to: 'conversation', conversationId: past.id });
      return past.id;
    });
    expect(id).toBeGreaterThan(0);
    const history = await windowPage('history');
    const text = `Continuing from history ${Date.now()}`;
    const box = history.getByRole('textbox').last();
    await box.fill(text);
    await box.press('Enter');
    await expect.poll(() => app.evaluate((_e, t) => {
      const sim = (globalThis as unknown as { __ucwaE2E: Hooks }).__ucwaE2E.demo.simulator()!;
      return sim.control.receivedMessages('sip:demo@contoso.com').some((m) => m.text === t);
    }, text), { timeout: 30_000 }).toBe(true);
  });

  test('every window runs with the secure webPreferences and sees only window.ucwa', async () => {
    // Open all three so each is checked.
    await app.evaluate(async () => {
      const h = (globalThis as unknown as { __ucwaE2E: { openHistory(): Promise<void> } }).__ucwaE2E;
      await h.openHistory();
    });
    const prefs = await app.evaluate(() => (globalThis as unknown as { __ucwaE2E: { webPreferences(): { name: string; url: string; prefs: Record<string, unknown> | null }[] } }).__ucwaE2E.webPreferences());
    expect(prefs.length).toBeGreaterThan(0);
    for (const w of prefs) {
      expect(w.prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
      expect(String(w.prefs?.preload)).toMatch(/out[\\/]preload[\\/]index\.cjs$/);
      expect(w.url).toMatch(/^app:\/\/ui\/index\.html\?window=/);
    }
    for (const page of app.windows()) {
      // What the page can reach: no Node, only window.ucwa, and no file:// (webSecurity).
      const seen = await page.evaluate(async () => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        ucwa: Object.keys((globalThis as unknown as { ucwa: object }).ucwa).length,
        file: await fetch('file:///etc/hostname').then(() => 'read', () => 'refused'),
      }));
      expect(seen).toEqual({ require: 'undefined', process: 'undefined', ucwa: 32, file: 'refused' });
    }
  });
});
