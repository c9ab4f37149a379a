/// <reference lib="dom" />
// Reading a chat with unread messages (issue 12 minors): it opens at a "New" divider placed before
// its first unread message (the store says which); scrolled up, a new message shows "1 new
// message ↓" instead of moving the reader; the day of the topmost row stays in sight.
import { test, expect, seriousViolations } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

const HOUR = 3_600_000;

test('a "New" divider where the unread part begins, a "new message ↓" pill, the date at the top', async ({ chromiumBrowser, world }) => {
  const contact = world.sim.people.find((p) => p.sip !== DEMO && !/room|group/i.test(p.sip));
  if (!contact) throw new Error('no contact');
  const base = Date.now() - 26 * HOUR;
  world.sim.control.addLog(DEMO, {
    with: [contact.sip], subject: 'Unread batch', unread: true,
    messages: Array.from({ length: 40 }, (_, i) => ({ from: i % 3 ? contact.sip : DEMO, text: `Batch line ${i}`, at: base + i * 60_000 })),
  });
  await world.signIn();
  const conv = await until(async () => (await world.service.listConversations({ contact: contact.sip, limit: 50 })).items.find((c) => c.subject === 'Unread batch') ?? null, 'synced');
  const firstUnread = await world.service.firstUnreadMessage(conv.chatId);
  expect(firstUnread).not.toBeNull();
  const around = await world.service.messagesAround(firstUnread!);
  const expected = around.find((m) => m.id === firstUnread)!.text;

  const page = await world.open(chromiumBrowser, 'history');
  await world.host.showWindow('history', { to: 'conversation', conversationId: conv.id });
  const divider = page.getByRole('separator', { name: 'New messages' });
  await expect(divider).toBeInViewport();
  await expect(page.locator('.t-row:has(.new-sep) + .t-row')).toContainText(expected);
  // The divider reads in both themes (axe: no serious or critical violation).
  expect(await seriousViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  // Opening read it: the divider stays while the chat is open.
  await expect.poll(async () => (await world.service.getChat(conv.chatId))?.unread).toBe(false);
  await expect(divider).toBeVisible();

  // Scrolled up, a new message does not move the reader: a pill says so and takes them there.
  const transcript = page.getByRole('region', { name: /Messages with/ });
  await transcript.evaluate((el) => { el.scrollTop = 0; });
  await page.waitForTimeout(100);
  const before = await transcript.evaluate((el) => el.scrollTop);
  await world.sim.control.sendIm(contact.sip, DEMO, 'Ping while you scroll');
  const pill = page.getByRole('button', { name: /^1 new message/ });
  await expect(pill).toBeVisible();
  expect(Math.abs((await transcript.evaluate((el) => el.scrollTop)) - before)).toBeLessThan(200);
  await pill.click();
  await expect(page.locator('.msg-text', { hasText: 'Ping while you scroll' })).toBeInViewport();
  await expect(pill).toBeHidden();
  // At the bottom, the day of the topmost row is in sight.
  const sticky = page.locator('.sticky-day > span');
  await expect(sticky).toHaveText(/\S/);
  expect(await sticky.textContent()).not.toBe('Unknown date');
});
