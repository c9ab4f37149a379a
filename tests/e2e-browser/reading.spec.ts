// Issue 12 item 4: the conversation the user is reading does not turn unread when someone writes in it.
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

test('a message arriving in the open, focused conversation is read: no New, no unread count', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const contact = world.sim.people.find((p) => p.behaviour?.kind !== 'writeFirst') ?? world.sim.people[0];
  if (!contact) throw new Error('no contact');
  await world.sim.control.sendIm(contact.sip, DEMO, 'Did you see the draft?');
  await until(async () => (await world.service.unreadSummary(5)).latest.some((c) => c.preview.includes('draft')), 'the unread conversation');

  const page = await world.open(chromiumBrowser, 'history');
  await page.bringToFront();
  const list = page.getByRole('listbox', { name: /conversations/i });
  const row = list.getByRole('option').filter({ hasText: 'Did you see the draft?' });
  await row.click();
  await expect(page.getByRole('main')).toContainText('Did you see the draft?');
  const conv = (await world.service.listConversations({ limit: 50 })).items.find((c) => c.preview.includes('draft'));
  if (!conv) throw new Error('conversation');
  await expect.poll(async () => (await world.service.getConversation(conv.id))?.unread).toBe(false);
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect.poll(() => world.service.liveState(conv.id)?.connection).toBe('connected');
  const before = (await world.service.unreadSummary(5)).unreadChats;

  const thread = conv.threadId ?? '';
  await world.sim.control.sendInConversation(thread, contact.sip, 'It is in the shared folder');
  await expect(page.getByRole('main')).toContainText('It is in the shared folder');
  expect((await world.service.getConversation(conv.id))?.unread).toBe(false);
  expect((await world.service.unreadSummary(5)).unreadChats).toBe(before);
  await expect(list.getByRole('option').filter({ hasText: 'shared folder' }).locator('.badge.unread')).toHaveCount(0);

  // Away from the window the same message would count: blur, write, come back → read again.
  await page.evaluate(() => window.dispatchEvent(new Event('blur')));
  await expect.poll(() => world.service.isReading(conv.id)).toBe(false);
  await world.sim.control.sendInConversation(thread, contact.sip, 'Ping?');
  await expect.poll(async () => (await world.service.getConversation(conv.id))?.unread).toBe(true);
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect.poll(async () => (await world.service.getConversation(conv.id))?.unread).toBe(false);
});
