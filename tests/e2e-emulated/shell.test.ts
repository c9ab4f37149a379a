// The real Electron shell (main.ts + preload, as bundled) under the emulation: what a user sees.
// One process, one Chromium for every scenario (the scenario files are imported here, in order).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, launchApp } from './harness.ts';

after(closeBrowser);

describe('cold start', () => {
  test('with no account, the sign-in window is shown', async () => {
    const app = await launchApp();
    try {
      const { page } = await app.window('signin');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.deepEqual(app.visibleWindows(), ['signin']);
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
    }
  });
});

await import('./rules.scenarios.ts');
await import('./signin.scenarios.ts');
await import('./enterpriseSignIn.scenarios.ts');
await import('./tray.scenarios.ts');
await import('./platforms.scenarios.ts');
