// Issue 12: at 200 % zoom the popup was unusable. A 400×480 popup at 200 % is a 200×240 CSS-pixel
// viewport (what the page lays out in); every control must be reachable and nothing cut off.
import type { Locator, Page } from '@playwright/test';
import { test, expect, shot } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

/** In the viewport once scrolled to, whole, and the topmost element at its centre (not covered). */
async function reachable(page: Page, l: Locator): Promise<void> {
  await l.scrollIntoViewIfNeeded();
  const box = await l.boundingBox();
  const vp = page.viewportSize();
  if (!box || !vp) throw new Error('no box');
  expect(box.x, 'left edge').toBeGreaterThanOrEqual(0);
  expect(box.y, 'top edge').toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, 'right edge').toBeLessThanOrEqual(vp.width + 0.5);
  expect(box.y + box.height, 'bottom edge').toBeLessThanOrEqual(vp.height + 0.5);
  expect(box.height, 'height').toBeGreaterThan(8);
  expect(await l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!top && (el === top || el.contains(top));
  }), 'not covered').toBe(true);
}

test('popup at 200 % zoom: title readable, every control reachable, reply sent', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const [a] = world.sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst');
  if (!a) throw new Error('contacts');
  await world.sim.control.sendIm(a.sip, DEMO, 'Are you joining the planning meeting this afternoon?');
  await until(async () => (await world.service.unreadSummary(5)).latest.some((c) => c.preview.includes('planning')), 'the unread');
  const page = await world.open(chromiumBrowser, 'popup', { width: 200, height: 240 });
  const title = page.getByRole('heading', { level: 1 });
  await expect(title).toHaveText(a.name);
  // The name is not cut to an ellipsis.
  expect(await title.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
  await expect(page.getByRole('button', { name: 'Accept' })).toBeVisible();
  await shot(page, 'popup-zoom-200');
  for (const l of [
    title,
    page.getByRole('button', { name: 'Close', exact: true }),
    page.getByRole('button', { name: 'Next conversation' }),
    page.getByRole('log'),
    page.getByRole('button', { name: 'Accept' }),
    page.getByRole('button', { name: 'Decline' }),
    page.getByRole('button', { name: 'Open in history' }),
    page.getByRole('textbox', { name: `Reply to ${a.name}` }),
  ]) await reachable(page, l);
  await page.getByRole('textbox', { name: `Reply to ${a.name}` }).fill('Yes, see you there');
  const send = page.getByRole('button', { name: 'Send' });
  await reachable(page, send);
  await send.click();
  await expect.poll(() => world.sim.control.receivedMessages(DEMO).map((m) => m.text)).toEqual(['Yes, see you there']);
});
