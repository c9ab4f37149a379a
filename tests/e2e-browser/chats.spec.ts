/// <reference lib="dom" />
// One chat per set of people (issue 12 item 5): the list has one row per person, not one per past
// conversation; the chat shows every conversation with them in one transcript; writing continues
// the newest — checked at the simulator, by the thread the server received the words on.
import { test, expect, shot } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

const DAY = 86_400_000;
const GUEST = 'sip:ana.guest@guests.example';

test('one row per person; their past conversations read as one chat; a reply continues the newest', async ({ chromiumBrowser, world }) => {
  const now = Date.now();
  world.sim.control.addLog(DEMO, { with: [GUEST], subject: 'Budget', messages: [
    { from: GUEST, text: 'Older talk: the budget is due Monday', at: now - 10 * DAY },
    { from: DEMO, text: 'Older reply: I will have it ready', at: now - 10 * DAY + 60_000 },
  ] });
  world.sim.control.addLog(DEMO, { with: [GUEST], subject: 'Offsite', messages: [
    { from: GUEST, text: 'Newer talk: are you coming to the offsite?', at: now - 3 * DAY },
    { from: DEMO, text: 'Newer reply: yes, Thursday', at: now - 3 * DAY + 60_000 },
  ] });
  await world.signIn();
  const convs = await until(async () => {
    const items = (await world.service.listConversations({ contact: GUEST, limit: 10 })).items;
    return items.length >= 2 ? items : null;
  }, 'both past conversations synced');
  const [newer, older] = convs;
  if (!newer || !older) throw new Error('two conversations expected');
  expect(newer.threadId).not.toBe(older.threadId);
  expect(newer.chatId).toBe(older.chatId);

  const page = await world.open(chromiumBrowser, 'history');
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.getByRole('option').first()).toBeVisible();
  // The demo world's 300 conversations are with a few dozen people: every row shown is someone else.
  const names = await list.locator('.conv-name').allTextContents();
  expect(names.length).toBeGreaterThan(5);
  expect(names.filter((n, i) => names.indexOf(n) !== i), `rows: ${names.join(' | ')}`).toEqual([]);

  // Ctrl+K finds the guest once, and opens the chat.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('ana.guest');
  const options = page.getByRole('listbox', { name: 'Conversations' }).last().getByRole('option');
  await expect(options).toHaveCount(1);
  await page.keyboard.press('Enter');
  const transcript = page.getByRole('region', { name: /Messages with/ });
  for (const line of ['Older talk: the budget is due Monday', 'Older reply: I will have it ready', 'Newer talk: are you coming to the offsite?', 'Newer reply: yes, Thursday']) {
    await expect(transcript.getByText(line)).toBeVisible();
  }
  await shot(page, 'chat-light');

  // Writing continues the newest conversation: the server receives the words on its thread.
  const composer = page.getByRole('textbox', { name: /^Message / });
  await composer.fill('Continuing where we left off');
  await composer.press('Enter');
  const got = await until(() => world.sim.control.receivedMessages(DEMO).find((m) => m.text.includes('Continuing where we left off')) ?? null, 'the server got it');
  expect(got.threadId).toBe(newer.threadId);
  expect(got.to).toContain(GUEST);
  await expect(transcript.locator('.msg.own', { hasText: 'Continuing where we left off' })).toBeVisible();
  // Still one chat, and its row is the one on top.
  await expect(list.getByRole('option').first()).toContainText('Continuing where we left off');
  expect((await world.service.listChats({ contact: GUEST, limit: 10 })).items).toHaveLength(1);
});
