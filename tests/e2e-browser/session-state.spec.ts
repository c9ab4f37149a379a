// Issue 12: signed-out state shown everywhere, the Settings minors, the sign-in form's minors.
import { test, expect } from './fixtures.ts';

test('after sign-out Settings and the conversation say so, and no row stays Live', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByText('Signed in as')).toBeVisible();
  await world.service.signOut();
  await expect(page.getByText('Signed in as')).toBeHidden();
  await expect(page.locator('.settings')).toContainText('Signed out');
  const first = await world.service.listConversations({ limit: 1 });
  const id = first.items[0]?.id;
  if (!id) throw new Error('no conversation');
  await world.host.showWindow('history', { to: 'conversation', conversationId: id });
  const banner = page.locator('.banner.signed-out');
  await expect(banner).toContainText('You are signed out — messages will be sent when you sign in');
  await expect(banner.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // The header's Live badge goes (the core disconnects every live record on sign-out); the list's
  // rows too: tests/e2e-browser/live-badge.spec.ts.
  await expect(page.locator('.pane-header .badge.live')).toHaveCount(0);
});

test('"Away after" can be cleared and retyped, says its range, and "Saved" goes away', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('button', { name: 'Settings' }).click();
  const field = page.getByRole('spinbutton', { name: /Away after/ });
  await field.fill('');
  await expect(field).toHaveValue('');
  await field.pressSequentially('25');
  await field.blur();
  await expect.poll(() => world.host.settings.awayAfterMinutes).toBe(25);
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expect(page.getByText('Saved', { exact: true })).toBeHidden({ timeout: 6000 });
  await field.fill('0');
  await field.blur();
  await expect(page.getByText('Enter a number of minutes from 1 to 240.')).toBeVisible();
  expect(world.host.settings.awayAfterMinutes).toBe(25);
});

test('sign-in: Remember me is off by default; a bare host is taken; the form does not jump', async ({ chromiumBrowser, world }) => {
  const page = await world.open(chromiumBrowser, 'signin');
  await expect(page.getByRole('checkbox', { name: /Remember me/ })).not.toBeChecked();
  const actions = page.locator('.actions');
  const before = await actions.boundingBox();
  await page.getByLabel('Sign-in address').fill('demo@contoso.com');
  await page.getByLabel('Password', { exact: true }).fill('demo');
  await page.getByRole('button', { name: 'Enter a server URL' }).click();
  const beforeServer = await actions.boundingBox();
  await page.getByLabel(/Server URL/).fill('not a host');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('like lyncdiscover.company.com');
  expect(before).not.toBeNull();
  // The error line has its room reserved: the buttons stay where they were.
  expect((await actions.boundingBox())?.y).toBe(beforeServer?.y);
  // A bare host:port (the simulator's) is read as https://…: the refusal is no longer "Invalid URL".
  await page.getByLabel(/Server URL/).fill(new URL(world.sim.url).host);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(alert).not.toContainText('Invalid');
});

for (const zoom of [1.5, 2]) {
  test(`sign-in at ${zoom * 100} % zoom: the title is whole and Sign in reachable`, async ({ chromiumBrowser, world }) => {
    // The window's CSS size at that zoom: 440×600 device pixels (its default size) divided by the zoom.
    const page = await world.open(chromiumBrowser, 'signin', { width: Math.round(440 / zoom), height: Math.round(600 / zoom) });
    const title = page.locator('.signin-title');
    await expect(title).toBeVisible();
    // Scrolled to the very top, the whole title is inside the window (centering must not push it above).
    const top = await title.evaluate((el) => {
      for (let p: Element | null = el; p; p = p.parentElement) p.scrollTop = 0;
      const r = el.getBoundingClientRect();
      return { top: r.top, left: r.left, right: r.right, fits: el.scrollWidth <= el.clientWidth + 1 };
    });
    expect(top.top).toBeGreaterThanOrEqual(0);
    expect(top.left).toBeGreaterThanOrEqual(0);
    expect(top.right).toBeLessThanOrEqual(Math.round(440 / zoom));
    expect(top.fits).toBe(true);
    const button = page.getByRole('button', { name: 'Sign in', exact: true });
    await button.scrollIntoViewIfNeeded();
    await expect(button).toBeInViewport();
  });
}
