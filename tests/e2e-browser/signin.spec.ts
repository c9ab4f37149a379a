import { test, expect } from './fixtures.ts';

test('demo sign-in: progress, then the history window opens and sign-in closes', async ({ chromiumBrowser, world }) => {
  const page = await world.open(chromiumBrowser, 'signin');
  await expect(page.getByLabel('Sign-in address')).toBeFocused();
  await page.getByRole('button', { name: 'Try the demo server' }).click();
  await expect.poll(() => world.host.shown.map((s) => s.name)).toContain('history');
  await expect.poll(() => world.host.closed).toContain('signin');
  expect(world.service.state().status).toBe('online');
  expect(world.service.state().demo).toBe(true);
});

test('wrong password is said in plain words, keyboard only', async ({ chromiumBrowser, world }) => {
  const page = await world.open(chromiumBrowser, 'signin');
  await page.keyboard.type('demo@contoso.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not-the-password');
  await page.keyboard.press('Tab'); // "Enter a server URL"
  await page.keyboard.press('Enter');
  await expect(page.getByLabel(/Server URL/)).toBeFocused();
  await page.keyboard.type(world.sim.url);
  await page.keyboard.press('Enter');
  const alert = page.getByRole('alert');
  await expect(alert).toHaveAttribute('data-code', 'wrongPassword');
  await expect(alert).toContainText('That address and password don’t match');
  expect(world.host.shown).toHaveLength(0);
  // Now the right one, still from the keyboard.
  await page.getByLabel('Password', { exact: true }).fill('demo');
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await expect.poll(() => world.host.shown.map((s) => s.name), { timeout: 15_000 }).toContain('history');
});

test('an explicit server that does not answer is named in plain words', async ({ chromiumBrowser, world }) => {
  const page = await world.open(chromiumBrowser, 'signin');
  await page.getByLabel('Sign-in address').fill('demo@contoso.com');
  await page.getByLabel('Password', { exact: true }).fill('demo');
  await page.getByRole('button', { name: 'Enter a server URL' }).click();
  // A loopback port nobody listens on: the given server cannot be reached.
  await page.getByLabel(/Server URL/).fill('http://127.0.0.1:9/autodiscover/autodiscoverservice.svc/root');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toBeVisible({ timeout: 20_000 });
  const code = await alert.getAttribute('data-code');
  expect(code).toBe('network');
  await expect(alert).toContainText('Could not reach 127.0.0.1');
  await expect(alert).not.toContainText('undefined');
});

test.describe('a sign-in name that differs from the address', () => {
  test.use({ simOptions: { users: [{ sip: 'sip:john.doe@contoso.com', name: 'John Doe', password: 'Winter2026!', signInNames: ['CONTOSO\\jdoe'] }] } });

  test('the address alone is refused with a pointer to the sign-in name; with CONTOSO\\jdoe it signs in', async ({ chromiumBrowser, world }) => {
    const page = await world.open(chromiumBrowser, 'signin');
    await page.getByLabel('Sign-in address').fill('john.doe@contoso.com');
    await page.getByLabel('Password', { exact: true }).fill('Winter2026!');
    await page.getByRole('button', { name: 'Enter a server URL' }).click();
    await page.getByLabel(/Server URL/).fill(world.sim.url);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toHaveAttribute('data-code', 'wrongPassword');
    await expect(alert).toContainText('Use a different sign-in name');
    // Which server it found and what that server offers (its challenge), said under the failure.
    await expect(page.getByTestId('signin-server')).toHaveText(`Server: ${new URL(world.sim.url).host} — offers user name and password or Windows sign-in.`);
    // As the words say: the link, then the field (focused), then Enter.
    await page.getByRole('button', { name: 'Use a different sign-in name' }).click();
    const name = page.getByLabel(/Sign-in name/);
    await expect(name).toBeFocused();
    await page.keyboard.type('CONTOSO\\jdoe');
    await page.keyboard.press('Enter');
    await expect.poll(() => world.host.shown.map((s) => s.name), { timeout: 15_000 }).toContain('history');
    expect(world.service.state().user?.sip).toBe('sip:john.doe@contoso.com');
  });
});
