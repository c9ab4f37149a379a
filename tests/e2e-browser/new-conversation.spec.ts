/// <reference lib="dom" />
// The people picker of a new conversation (issue 12 minor): never offers yourself (it was the
// preselected first row), and lists more than eight people — a scrolling list that keeps the
// keyboard's choice in view.
import { test, expect } from './fixtures.ts';

test('the people picker leaves you out and offers more than eight, scrolling to the keyboard choice', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.keyboard.press('Control+n');
  const to = page.getByRole('combobox', { name: 'To' });
  await to.fill('demo');
  const options = page.getByRole('listbox', { name: 'People' }).getByRole('option');
  await expect(options.first()).toContainText('Devon Demo');
  await expect(options.filter({ hasText: 'Dana Demo' })).toHaveCount(0);
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');

  // Everyone at the company: more than the old eight, and the last one is reachable by keyboard.
  await to.fill('contoso');
  await expect.poll(() => options.count()).toBeGreaterThan(8);
  const n = await options.count();
  expect(n).toBeLessThanOrEqual(25);
  await expect(options.filter({ hasText: 'Dana Demo' })).toHaveCount(0);
  for (let i = 1; i < n; i++) await to.press('ArrowDown');
  const last = options.nth(n - 1);
  await expect(last).toHaveAttribute('aria-selected', 'true');
  await expect(last).toBeInViewport();
  await to.press('Enter');
  await expect(page.locator('.chip')).toBeVisible();
});
