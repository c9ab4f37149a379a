// Sign-in through the real shell: the window the user is left with, discovery redirects, the demo.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until } from './harness.ts';
import { signInFromWindow as signIn, startRedirector, startWorld } from './world.ts';

let world: Awaited<ReturnType<typeof startWorld>>;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.stop();
});

describe('sign-in', () => {
  test('password sign-in from the sign-in window leaves the history window on screen', async () => {
    const app = await launchApp();
    try {
      await signIn(app, world.sim.url, world.account);
      const { page } = await app.window('history');
      await page.getByRole('main').or(page.locator('body')).first().waitFor();
      await until(() => app.visibleWindows().join() === 'history', 10_000, `only the history window (now: ${app.visibleWindows().join(', ')})`);
      assert.equal(app.tray().tooltip.includes('Available') || app.tray().tooltip.length > 0, true);
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
    }
  });

  test('discovery answered with a 302 signs in (net.fetch refuses redirect: manual)', async () => {
    const redirector = await startRedirector(world.sim.url);
    const app = await launchApp();
    try {
      await signIn(app, redirector.url, world.account);
      await app.window('history');
      assert.ok(redirector.hits() >= 1, 'discovery went through the redirector');
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
      await redirector.stop();
    }
  });

  test('the demo button shows the history window', async () => {
    const app = await launchApp();
    try {
      const { page } = await app.window('signin');
      await page.getByRole('button', { name: 'Try the demo server' }).click();
      await app.window('history');
      await until(() => app.visibleWindows().join() === 'history', 10_000, `only the history window (now: ${app.visibleWindows().join(', ')})`);
    } finally {
      await app.dispose();
    }
  });
});

describe('start-up robustness', () => {
  test('a machine without the keychain binding still starts, and says why passwords are not remembered', async () => {
    const app = await launchApp({ missingModules: ['@napi-rs/keyring'] });
    try {
      assert.deepEqual(app.run.mainErrors.map((e) => e.message), []);
      await app.window('signin');
      await until(() => /keychain/i.test(app.log()), 5000, 'a log line about the keychain');
    } finally {
      await app.dispose();
    }
  });

  test('no default application menu (no Reload, no Developer Tools); macOS gets an Edit menu', async () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const app = await launchApp({ platform });
      try {
        await app.window('signin');
        const menu = app.run.applicationMenu;
        const labels = JSON.stringify(menu);
        assert.doesNotMatch(labels, /Reload|Developer Tools|toggleDevTools/, `${platform}: ${labels}`);
        if (platform === 'darwin') assert.match(labels, /"editMenu"|Edit/, 'macOS has an Edit menu so ⌘C/⌘V work');
        else assert.equal(menu, null, `${platform}: no menu bar`);
      } finally {
        await app.dispose();
      }
    }
  });
});
