// Enterprise sign-in through the real shell (issue 15), in the Electron emulation: AD FS — the
// organisation's page in a window of its own partition, its form and MFA step filled in as a person
// would (in Chromium), then the passive grant with the pool's cookie from that partition; modern
// authentication — the system browser (shell.openExternal) and the loopback redirect; Windows
// sign-in — what can be proved without a domain-joined Windows machine: the hosts Chromium is
// allowed to answer Negotiate/NTLM for, and the words when the computer's account is not accepted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../simulator/index.ts';
import type { Simulator, SimulatorOptions } from '../../simulator/types.ts';
import { open, submit } from '../simulator/oauthBrowser.ts';
import { launchApp, until, type AppRun } from './harness.ts';
import type { EmulatedBrowserWindow } from './emulation/window.ts';

const JOHN = { sip: 'sip:john.doe@contoso.com', name: 'John Doe', password: 'Winter2026!', signInNames: ['CONTOSO\\jdoe'] };

async function world(opts: SimulatorOptions): Promise<Simulator> {
  return startSimulator({ autoGroupInvites: false, host: '127.0.0.1', port: 0, seed: 11, demoConversations: 3, timeScale: 0.05, users: [JOHN], ...opts });
}

/** The sign-in window, filled as a person would, without a password (the server needs none). */
async function startSignIn(app: AppRun, sim: Simulator): Promise<void> {
  const { page } = await app.window('signin');
  await page.locator('input[name=sip]').fill('john.doe@contoso.com');
  await page.getByRole('button', { name: 'Enter a server URL' }).click();
  await page.locator('input[name=server]').fill(sim.url);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The organisation's sign-in window (its page is on the pool's or the identity provider's address, not app://). */
async function organisationWindow(app: AppRun) {
  const w = await until(() => app.emu.BrowserWindow.getAllWindows().map((x) => x as unknown as EmulatedBrowserWindow)
    .find((x) => !x.isDestroyed() && /\/adfs\//.test(x.contents.getURL())), 20_000, 'the organisation sign-in window');
  return { win: w, page: await w.contents.page };
}

describe('enterprise sign-in (issue 15)', () => {
  let adfs: Simulator;
  before(async () => {
    adfs = await world({ grants: ['urn:microsoft.rtc:passive', 'urn:microsoft.rtc:anonmeeting'], passive: { mfa: true, mfaCode: '424242' } });
  });
  after(async () => {
    await adfs.stop();
  });

  test('AD FS: the organisation page in its own partition, user name + password, the MFA code, then signed in (history on screen)', async () => {
    const app = await launchApp();
    try {
      await startSignIn(app, adfs);
      const { win, page } = await organisationWindow(app);
      // Its own session: not the app's default one, no preload (no window.ucwa), no Node.
      const prefs = win.contents.webPreferences;
      assert.equal(prefs.partition, 'ucwa-organisation-sign-in');
      assert.equal(prefs.preload, undefined);
      assert.equal(prefs.sandbox, true);
      assert.equal(await page.evaluate(() => typeof (globalThis as { ucwa?: unknown }).ucwa), 'undefined');
      // Meanwhile the sign-in window says what is happening, and which server offers what.
      const signin = (await app.window('signin')).page;
      await signin.getByRole('status').filter({ hasText: 'Sign in on your organisation’s page' }).waitFor({ timeout: 10_000 });
      assert.equal(await signin.getByTestId('signin-server').innerText(), `Server: ${new URL(adfs.url).host} — offers your organisation’s sign-in page.`);
      await page.getByLabel('User name').fill('CONTOSO\\jdoe');
      await page.getByLabel('Password').fill(JOHN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Code').fill('424242');
      await page.getByRole('button', { name: 'Verify' }).click();
      await app.window('history', { timeout: 30_000 });
      await until(() => win.isDestroyed() || null, 10_000, 'the organisation window closed once signed in');
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
    }
  });

  test('AD FS: closing the organisation page is "cancelled", in words, and the sign-in window stays', async () => {
    const app = await launchApp();
    try {
      await startSignIn(app, adfs);
      const { win } = await organisationWindow(app);
      win.close();
      const { page } = await app.window('signin');
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 15_000 });
      assert.equal(await alert.getAttribute('data-code'), 'signInCancelled');
      assert.match(await alert.innerText(), /closed your organisation’s sign-in page before signing in/);
    } finally {
      await app.dispose();
    }
  });

  test('modern authentication: the system browser signs in, the loopback redirect brings the code back, signed in', async () => {
    const sim = await world({ modernAuth: {}, grants: ['urn:microsoft.rtc:anonmeeting'] });
    const app = await launchApp();
    try {
      await startSignIn(app, sim);
      const url = await until(() => app.emu.desktop.state.opened.find((u) => /\/oauth2\/authorize\?/.test(u)), 20_000, 'the browser opened on the authorization page');
      const authorize = new URL(url);
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
      assert.match(authorize.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      // The person, in their browser.
      const done = await submit(await open(url), { username: 'CONTOSO\\jdoe', password: JOHN.password }, 'Sign in');
      assert.ok(done.location, `redirected back: ${done.status}`);
      await fetch(done.location);
      await app.window('history', { timeout: 30_000 });
      assert.deepEqual(app.run.mainErrors, []);
    } finally {
      await app.dispose();
      await sim.stop();
    }
  });

  test('Windows sign-in: Chromium may answer NTLM/Negotiate for the discovered token host only; a computer whose account is not accepted is told so', async () => {
    const sim = await world({ grants: ['urn:microsoft.rtc:windows', 'urn:microsoft.rtc:anonmeeting'] });
    const app = await launchApp();
    try {
      await startSignIn(app, sim);
      const { page } = await app.window('signin');
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 15_000 });
      assert.equal(await alert.getAttribute('data-code'), 'methodNotOffered');
      assert.match(await alert.innerText(), /Windows sign-in|password/i);
      // This machine has no Windows session: the emulation's Chromium answers the 401 as a
      // non-domain computer would. Which hosts were allowed is what the app decides.
      assert.deepEqual(app.emu.network.state.ntlmAllowed, ['127.0.0.1']);
    } finally {
      await app.dispose();
      await sim.stop();
    }
  });
});
