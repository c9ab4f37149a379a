/// <reference lib="dom" />
// Issue 12, layout: narrow and wide windows, group heads, badges beside the preview.
import type { Locator } from '@playwright/test';
import { test, expect, shot } from './fixtures.ts';
import { DEMO } from './harness.ts';

const box = async (l: Locator) => (await l.boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 };

for (const width of [400, 1920]) {
  test(`at ${width} px messages stay readable and the sidebar fits the window`, async ({ chromiumBrowser, world }) => {
    const contact = world.sim.people.find((p) => p.sip !== DEMO) ?? world.sim.people[0]!;
    await world.signIn();
    const long = 'This is a long enough message to wrap across a reading width so the bubble width says how wide lines run in the column. '.repeat(3);
    await world.sim.control.sendIm(contact.sip, DEMO, long);
    const page = await world.open(chromiumBrowser, 'history', { width, height: 800 });
    const row = page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first();
    await expect(row).toContainText('This is a long enough');
    await row.click();
    const bubble = page.locator('.bubble', { hasText: 'This is a long enough' }).last();
    await expect(bubble).toBeVisible();
    const b = await box(bubble);
    await shot(page, `layout-${width}`);
    if (width === 400) expect(b.width, 'bubble width at 400 px').toBeGreaterThan(220);
    else {
      expect(b.width, 'bubble width at 1920 px (reading width)').toBeLessThan(760);
      const side = await box(page.locator('.sidebar'));
      expect(side.width, 'sidebar grows with the window').toBeGreaterThan(400);
    }
  });
}

test('the first bubble of a group is as wide as its text, not its name line', async ({ chromiumBrowser, world }) => {
  const contact = world.sim.people.find((p) => p.sip !== DEMO) ?? world.sim.people[0]!;
  await world.signIn();
  await world.sim.control.sendIm(contact.sip, DEMO, 'ok');
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first().click();
  const head = page.locator('.msg.head', { has: page.locator('.bubble', { hasText: /^ok$/ }) }).last();
  await expect(head).toBeVisible();
  const bw = (await box(head.locator('.bubble'))).width;
  const hw = (await box(head.locator('.msg-head'))).width;
  expect(bw, `bubble ${bw} vs name line ${hw}`).toBeLessThan(hw);
});

test('New/Missed badges do not squeeze the preview', async ({ chromiumBrowser, world }) => {
  const contact = world.sim.people.find((p) => p.sip !== DEMO) ?? world.sim.people[0]!;
  await world.signIn();
  await world.sim.control.sendIm(contact.sip, DEMO, 'Budget review — Yes, the numbers for the third quarter are in the shared folder');
  const page = await world.open(chromiumBrowser, 'history');
  const row = page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first();
  // New, or Missed when the chat holds a missed conversation too (one badge, not both).
  await expect(row.locator('.badge.unread, .badge.missed').first()).toBeVisible();
  expect(await row.locator('.badge.unread, .badge.missed').count()).toBe(1);
  const preview = (await box(row.locator('.conv-preview'))).width;
  const main = (await box(row.locator('.conv-main'))).width;
  expect(preview, `preview ${preview} of ${main}`).toBeGreaterThanOrEqual(main - 1);
  // And the badges leave the name room to be recognised ("Olu…" was all that was left of it).
  expect((await box(row.locator('.conv-name'))).width).toBeGreaterThanOrEqual(60);
});
