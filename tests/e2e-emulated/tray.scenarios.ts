// The tray, notifications, the popup, links, quit and the windows' security, through the real shell.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CALL_NAMES } from '../../preload/api.ts';
import { launchApp, until, type AppRun } from './harness.ts';
import { colleague, signInFromWindow, startWorld } from './world.ts';

let world: Awaited<ReturnType<typeof startWorld>>;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.stop();
});

async function signedIn(platform: NodeJS.Platform = 'linux'): Promise<AppRun> {
  const app = await launchApp({ platform });
  await signInFromWindow(app, world.sim.url, world.account);
  await app.window('history');
  await until(() => app.trayMenu().some((i) => i.label === 'Sign out'), 10_000, 'the signed-in tray menu');
  return app;
}

const contact = () => colleague(world.sim);

describe('tray', () => {
  test('signed out: status, Sign in…, Open history, Quit; Sign in… opens the sign-in window', async () => {
    const app = await launchApp();
    try {
      await app.window('signin');
      const labels = app.trayMenu().map((i) => i.label);
      for (const l of ['Show UCWA Tray', 'Open history', 'Sign in…', 'Quit UCWA Tray']) assert.ok(labels.includes(l), `${l} in ${labels.join(' | ')}`);
      app.run.windows.find(() => true)?.closeForQuit();
      await until(() => app.visibleWindows().length === 0, 5000, 'no window');
      app.clickTrayMenu('Sign in…');
      await app.window('signin');
    } finally {
      await app.dispose();
    }
  });

  test('signed in: presence choices with the current one checked; choosing Busy reaches the server; Open history; Sign out', async () => {
    const app = await signedIn();
    try {
      const menu = app.trayMenu();
      assert.equal(menu.find((i) => i.label === 'Available')?.checked, true, JSON.stringify(menu));
      app.clickTrayMenu('Busy');
      await until(() => app.trayMenu().find((i) => i.label === 'Busy')?.checked, 10_000, 'Busy checked');
      (await app.window('history')).win.close();
      app.clickTrayMenu('Open history');
      await app.window('history');
      app.clickTrayMenu('Sign out');
      await until(() => app.trayMenu().some((i) => i.label === 'Sign in…'), 10_000, 'the signed-out menu');
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
    }
  });

  test('the tray menu is set again only when what it shows changed (an open menu is not collapsed by a sync)', async () => {
    const app = await signedIn();
    try {
      await new Promise((r) => setTimeout(r, 1500)); // the history sync runs meanwhile
      const h = app.tray().menuHistory;
      const repeats = h.filter((m, i) => i > 0 && m === h[i - 1]).length;
      assert.equal(repeats, 0, `${repeats} of ${h.length} setContextMenu calls showed the same menu again`);
    } finally {
      await app.dispose();
    }
  });

  test('quit from the tray closes the store cleanly and exits 0', async () => {
    const app = await signedIn();
    const code = await app.quitFromTray();
    assert.equal(code, 0);
    assert.deepEqual(app.storeMarkers(), [], 'no unclean-shutdown marker left');
    assert.deepEqual(app.run.mainErrors, []);
    await app.dispose();
  });
});

describe('notifications and the popup', () => {
  test('a colleague writes → notification → click → the popup on that conversation → a reply reaches the server', async () => {
    const app = await signedIn();
    try {
      const from = contact();
      const text = `Lunch? ${Date.now()}`;
      await world.sim.control.sendIm(from, world.account.sip, text);
      const n = await until(() => app.notifications().find((x) => x.body.includes(text.split(' ')[0]!)), 20_000, 'a notification');
      app.emu.desktop.clickNotification(n);
      const { page } = await app.window('popup');
      await page.getByText(text).first().waitFor({ timeout: 20_000 });
      const reply = `Yes, 12:30 ${Date.now()}`;
      const box = page.getByRole('textbox').last();
      await box.fill(reply);
      await box.press('Enter');
      await until(() => world.sim.control.receivedMessages(world.account.sip).some((m) => m.text === reply && m.to.includes(from)), 20_000, 'the reply at the simulator');
    } finally {
      await app.dispose();
    }
  });

  test('Linux: a notification body is plain text (libnotify would render markup from the sender)', async () => {
    const app = await signedIn('linux');
    try {
      const text = `<b>bold</b> <a href="https://evil.example">x</a> ${Date.now()}`;
      await world.sim.control.sendIm(contact(), world.account.sip, text);
      const n = await until(() => app.notifications().find((x) => x.body.includes('bold')), 20_000, 'a notification');
      assert.doesNotMatch(n.body, /<b>|<a /, n.body);
    } finally {
      await app.dispose();
    }
  });

  test('the popup hides when focus goes elsewhere and toggles from the tray', async () => {
    const app = await signedIn();
    try {
      app.clickTray();
      const { win } = await app.window('popup');
      app.focusElsewhere();
      await until(() => !win.isVisible(), 5000, 'the popup hidden on blur');
      // A click right after the blur is the click that took the focus away (BLUR_CLICK_GRACE_MS): a later one opens it.
      await new Promise((r) => setTimeout(r, 500));
      app.clickTray();
      await until(() => win.isVisible(), 5000, 'the popup shown again from the tray');
    } finally {
      await app.dispose();
    }
  });
});

describe('security', () => {
  test('every window has the secure webPreferences and sees exactly window.ucwa', async () => {
    const app = await signedIn();
    try {
      app.clickTray();
      await app.window('popup');
      for (const { name, win } of app.windows()) {
        const p = win.contents.webPreferences;
        assert.equal(p.contextIsolation, true, name);
        assert.equal(p.sandbox, true, name);
        assert.equal(p.nodeIntegration, false, name);
        assert.equal(p.webSecurity, true, name);
        assert.equal(p.webviewTag, false, name);
        const page = await win.contents.page;
        const seen = await page.evaluate(() => ({
          keys: Object.keys((window as unknown as { ucwa: object }).ucwa).sort(),
          leaked: Object.keys(window).filter((k) => /ucwa|electron|ipc|require/i.test(k) && k !== 'ucwa'),
          node: typeof (window as unknown as { process?: unknown }).process,
        }));
        assert.deepEqual(seen.keys, [...CALL_NAMES, 'on'].sort(), name);
        assert.deepEqual(seen.leaked, [], name);
        assert.equal(seen.node, 'undefined', name);
      }
    } finally {
      await app.dispose();
    }
  });
});

describe('links and instances', () => {
  test('a second instance with a sip: link hands it to the first, which opens a new conversation to that address', async () => {
    const first = await signedIn();
    try {
      const second = await launchApp({ home: first.home, args: ['sip:bob.jones@contoso.com'] });
      assert.equal(await second.exited(), 0, 'the second instance quits');
      const { page } = await first.window('history');
      // The address stands in New conversation's To field (its value: not in the markup).
      await until(async () => (await page.locator('#new-to').inputValue().catch(() => '')).includes('bob.jones@contoso.com'), 10_000, 'the new conversation to bob.jones');
      await second.dispose();
    } finally {
      await first.dispose();
    }
  });
});

// --- issue 13: the Favourites submenu, and the sender's presence in a notification's title ---------

type EmulatedItem = { label: string; enabled: boolean; click(): void; submenu?: { items: EmulatedItem[] } | undefined };

/** The tray's "Favourites ▸" submenu as the user sees it (the context menu set on Linux). */
function favouriteItems(app: AppRun): EmulatedItem[] {
  const items = (app.tray().contextMenu?.items ?? []) as unknown as EmulatedItem[];
  return items.find((i) => i.label === 'Favourites')?.submenu?.items ?? [];
}
const favouriteLabels = (app: AppRun) => favouriteItems(app).map((i) => i.label);

describe('tray: Favourites', () => {
  const MEI = 'sip:mei.chen@contoso.com';
  after(() => {
    for (const sip of [MEI, 'sip:alex.rivera@contoso.com']) world.sim.control.clearPresence(sip);
  });

  test('Favourites ▸ lists the pinned people with their availability, follows a change, and a click opens the chat', async () => {
    world.sim.control.setPresence(MEI, { availability: 'Busy', activity: 'in-a-meeting' });
    // A past one-to-one with Mei (the world's six demo conversations may not have one).
    world.sim.control.addLog(world.account.sip, { with: [MEI], messages: [{ from: MEI, text: 'Favourites: the test plan is ready', at: Date.now() - 60_000 }] });
    const app = await signedIn();
    try {
      await until(() => favouriteLabels(app).includes('Mei Chen — Busy'), 20_000, `Mei as Busy in Favourites (now: ${favouriteLabels(app).join(' | ')})`);
      // demo's Favourites (simulator/demoWorld.ts), in the contact list's order (by name); none of them is you.
      assert.deepEqual(favouriteLabels(app).map((l) => l.split(' — ')[0]), ['Alex Rivera', 'Devon Demo', 'Lene Aaling', 'Mei Chen']);
      const top = app.trayMenu().map((i) => i.label);
      assert.equal(top[top.indexOf('Open history') + 1], 'Favourites', top.join(' | '));

      world.sim.control.setPresence(MEI, { availability: 'Online', activity: null });
      await until(() => favouriteLabels(app).includes('Mei Chen — Available'), 20_000, 'Mei Available in Favourites');

      // Mei: her chat opens in the history window.
      (await app.window('history')).win.close();
      favouriteItems(app).find((i) => i.label === 'Mei Chen — Available')!.click();
      const { page } = await app.window('history');
      await page.getByRole('heading', { level: 2, name: 'Mei Chen' }).waitFor({ timeout: 20_000 });
      await page.getByRole('region', { name: 'Messages with Mei Chen' }).getByText('Favourites: the test plan is ready').waitFor({ timeout: 20_000 });

      // Devon (no chat yet): a new conversation addressed to him.
      favouriteItems(app).find((i) => i.label.startsWith('Devon Demo'))!.click();
      await page.getByRole('heading', { name: 'New conversation' }).waitFor({ timeout: 10_000 });
      await until(async () => (await page.getByRole('combobox', { name: 'To' }).inputValue()) === 'demo2@contoso.com', 10_000, 'To: demo2');
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
    }
  });

  test("a notification's title carries the sender's availability as the app already knows it", async () => {
    const from = contact();
    world.sim.control.setPresence(from, { availability: 'Busy', activity: 'on-the-phone' });
    const app = await signedIn();
    try {
      const name = world.sim.people.find((p) => p.sip === from)!.name;
      // The shell has heard of it (a Favourite's line says so) before the message comes.
      await until(() => favouriteLabels(app).includes(`${name} — Busy`), 20_000, `${name} as Busy in Favourites`);
      const text = `Presence title ${Date.now()}`;
      await world.sim.control.sendIm(from, world.account.sip, text);
      const n = await until(() => app.notifications().find((x) => x.body.includes('Presence title')), 20_000, 'a notification');
      assert.equal(n.title, `${name} (Busy)`);
    } finally {
      await app.dispose();
    }
  });
});
