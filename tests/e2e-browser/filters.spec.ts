// Issue 12 minors: filter pills with counts, "Mark all read", and an opened row that stays put in
// the Unread filter (the list does not shift under the mouse).
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

test('Unread pill counts, the opened row stays in the Unread filter, Mark all read empties it', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const [a, b] = world.sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst');
  if (!a || !b) throw new Error('contacts');
  await world.sim.control.sendIm(a.sip, DEMO, 'Filter one');
  await world.sim.control.sendIm(b.sip, DEMO, 'Filter two');
  await until(async () => (await world.service.unreadSummary(5)).latest.filter((c) => /Filter/.test(c.preview)).length >= 2, 'two unread');
  const unread = (await world.service.unreadSummary(1)).unreadChats;

  const page = await world.open(chromiumBrowser, 'history');
  const pill = page.getByRole('button', { name: /^Unread/ });
  await expect(pill).toHaveAccessibleName(`Unread ${unread}`);
  await pill.click();
  const list = page.getByRole('listbox', { name: 'Conversations' });
  const row = list.getByRole('option').filter({ hasText: 'Filter one' });
  await row.click();
  await expect.poll(async () => (await world.service.unreadSummary(1)).unreadChats).toBe(unread - 1);
  await expect(pill).toHaveAccessibleName(`Unread ${unread - 1}`);
  // Read now, but still on screen where it was while it is open.
  await expect(row).toBeVisible();

  await page.getByRole('button', { name: 'Mark all read' }).click();
  await expect.poll(async () => (await world.service.unreadSummary(1)).unreadChats).toBe(0);
  await expect(pill).toHaveAccessibleName('Unread');
  await expect(page.getByRole('button', { name: 'Mark all read' })).toHaveCount(0);
});
