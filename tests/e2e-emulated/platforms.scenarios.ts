// The macOS and Windows branches of main.ts, run as logic on this machine (process.platform of the
// run), and the start-up settings: inline replies, toast activation after a restart, Dock clicks,
// open-url, start hidden, start at login, and the right-click menu.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until, type AppRun } from './harness.ts';
import { colleague, signInFromWindow, startWorld } from './world.ts';

let world: Awaited<ReturnType<typeof startWorld>>;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.stop();
});

const contact = () => colleague(world.sim);
const received = (text: string) => world.sim.control.receivedMessages(world.account.sip).some((m) => m.text === text);

async function signedIn(platform: NodeJS.Platform, opts: { remember?: boolean; home?: string } = {}): Promise<AppRun> {
  const app = await launchApp({ platform, ...(opts.home ? { home: opts.home } : {}) });
  await signInFromWindow(app, world.sim.url, world.account, opts.remember ?? false);
  await app.window('history');
  return app;
}

async function incoming(app: AppRun, text: string) {
  await world.sim.control.sendIm(contact(), world.account.sip, text);
  return until(() => app.notifications().find((n) => n.body === text), 20_000, `a notification "${text}"`);
}

describe('macOS', () => {
  test('inline reply from the notification reaches the server', async () => {
    const app = await signedIn('darwin');
    try {
      const n = await incoming(app, `mac ping ${Date.now()}`);
      assert.equal(n.hasReply, true);
      const reply = `mac pong ${Date.now()}`;
      app.emu.desktop.replyToNotification(n, reply);
      await until(() => received(reply), 20_000, 'the inline reply at the simulator');
    } finally {
      await app.dispose();
    }
  });

  test('a Dock click with no window open shows the history window; the app menu has Edit, never Reload', async () => {
    const app = await signedIn('darwin');
    try {
      (await app.window('history')).win.close();
      await until(() => app.visibleWindows().length === 0, 5000, 'no window');
      app.run.emitSafely(() => app.run.appEmit('activate', { preventDefault() {}, defaultPrevented: false }, false));
      await app.window('history');
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
    }
  });

  test('launched by a sip: link (open-url before ready): a new conversation to that address', async () => {
    const app = await launchApp({ platform: 'darwin', openUrl: 'sip:carol.white@contoso.com' });
    try {
      const { page } = await app.window('history');
      // The address stands in New conversation's To field (its value: not in the markup).
      await until(async () => (await page.locator('#new-to').inputValue().catch(() => '')).includes('carol.white@contoso.com'), 10_000, 'the new conversation to carol.white');
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
    }
  });
});

describe('Windows', () => {
  test('a fixed toast activator CLSID, the same in every run', async () => {
    const a = await launchApp({ platform: 'win32' });
    const b = await launchApp({ platform: 'win32' });
    try {
      const ids = [a, b].map((x) => x.run.callsOf('app.setToastActivatorCLSID')[0]?.[0]);
      assert.ok(ids[0], 'setToastActivatorCLSID was called');
      assert.equal(ids[0], ids[1]);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  test('inline reply from the toast reaches the server once (the toast activation repeats it under the same key)', async () => {
    const app = await signedIn('win32');
    try {
      const n = await incoming(app, `win ping ${Date.now()}`);
      assert.equal(n.hasReply, true);
      const reply = `win pong ${Date.now()}`;
      app.emu.desktop.replyToNotification(n, reply);
      await until(() => received(reply), 20_000, 'the inline reply at the simulator');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(world.sim.control.receivedMessages(world.account.sip).filter((m) => m.text === reply).length, 1, 'sent once');
    } finally {
      await app.dispose();
    }
  });

  test('inline reply; then, after a restart, a reply from the Action Center toast still reaches the server', async () => {
    const first = await signedIn('win32', { remember: true });
    const n = await incoming(first, `win ping ${Date.now()}`);
    const reply = `win pong ${Date.now()}`;
    first.emu.desktop.replyToNotification(n, reply);
    await until(() => received(reply), 20_000, 'the inline reply at the simulator');
    assert.equal(await first.quitFromTray(), 0);
    await first.dispose();

    const late = `late reply ${Date.now()}`;
    const second = await launchApp({ platform: 'win32', home: first.home, launchActivation: { type: 'reply', arguments: `id=${n.id}`, reply: late } });
    try {
      await until(() => received(late), 20_000, 'the reply from the toast after the restart');
      assert.deepEqual(second.run.mainErrors, []);
    } finally {
      await second.dispose();
    }
  });

  test('start at login (packaged): the login item carries --hidden when "start hidden" is on', async () => {
    const app = await launchApp({ platform: 'win32', packaged: true });
    try {
      const { page } = await app.window('signin');
      await page.evaluate(() => (window as unknown as { ucwa: { setSettings(s: object): Promise<unknown> } }).ucwa.setSettings({ startAtLogin: true, startHidden: true }));
      const last = app.run.callsOf('app.setLoginItemSettings').at(-1)?.[0] as { openAtLogin: boolean; args?: string[] } | undefined;
      assert.deepEqual(last, { openAtLogin: true, args: ['--hidden'] });
    } finally {
      await app.dispose();
    }
  });
});

describe('start hidden', () => {
  test('signed out and started with --hidden: the sign-in window anyway (or the user would see nothing)', async () => {
    const fresh = await launchApp({ args: ['--hidden'] });
    try {
      await fresh.window('signin');
    } finally {
      await fresh.dispose();
    }
  });

  test('signed in with the remembered account and started with --hidden: only the tray', async () => {
    const first = await signedIn('linux', { remember: true });
    assert.equal(await first.quitFromTray(), 0);
    await first.dispose();
    const hidden = await launchApp({ home: first.home, args: ['--hidden'] });
    try {
      await until(() => hidden.trayMenu().some((i) => i.label === 'Available'), 20_000, 'online with the remembered account');
      assert.deepEqual(hidden.visibleWindows(), []);
    } finally {
      await hidden.dispose();
    }
  });
});

describe('right-click menu', () => {
  test('spelling suggestions, add to dictionary, cut/copy/paste, copy link, select all', async () => {
    const app = await signedIn('linux');
    try {
      const { win } = await app.window('history');
      win.contents.rightClick({ isEditable: true, misspelledWord: 'helo', dictionarySuggestions: ['hello', 'help'], editFlags: { canUndo: false, canRedo: false, canCut: true, canCopy: true, canPaste: true, canDelete: true, canSelectAll: true, canEditRichly: false } });
      const menu = app.emu.desktop.state.lastPopup()!;
      const labels = menu.items.map((i) => i.label).filter(Boolean);
      assert.deepEqual(labels, ['hello', 'help', 'Add to dictionary', 'Cut', 'Copy', 'Paste', 'Select all']);
      menu.items.find((i) => i.label === 'hello')!.click();
      assert.deepEqual(app.run.callsOf('webContents.replaceMisspelling').at(-1)?.[1], 'hello');
      menu.items.find((i) => i.label === 'Add to dictionary')!.click();
      assert.deepEqual(app.emu.network.state.dictionary, ['helo']);

      win.contents.rightClick({ linkURL: 'https://intranet.contoso.com/x', selectionText: 'x', editFlags: { canUndo: false, canRedo: false, canCut: false, canCopy: true, canPaste: false, canDelete: false, canSelectAll: true, canEditRichly: false } });
      const link = app.emu.desktop.state.lastPopup()!;
      assert.deepEqual(link.items.map((i) => i.label).filter(Boolean), ['Copy link', 'Copy', 'Select all']);
      link.items.find((i) => i.label === 'Copy link')!.click();
      assert.equal(app.emu.desktop.clip.text, 'https://intranet.contoso.com/x');
    } finally {
      await app.dispose();
    }
  });
});
