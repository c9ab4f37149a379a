import { test, expect, shot } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

test('an incoming IM in the quick-reply popup, answered from there with the keyboard only', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const contact = world.sim.people.find((p) => p.behaviour?.kind !== 'writeFirst') ?? world.sim.people[0];
  if (!contact) throw new Error('no contact');
  await world.sim.control.sendIm(contact.sip, DEMO, 'Are you free for lunch at noon?');
  await until(async () => (await world.service.unreadSummary(5)).latest.some((c) => c.preview.includes('lunch')), 'the unread conversation');

  const page = await world.open(chromiumBrowser, 'popup');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(contact.name.split(' ')[0] ?? contact.name);
  await expect(page.getByRole('log')).toContainText('Are you free for lunch at noon?');
  const reply = page.getByRole('textbox', { name: /^Reply to / });
  await expect(reply).toBeFocused();
  await expect(page.getByRole('button', { name: 'Accept' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Decline' })).toBeVisible();
  await shot(page, 'popup-light');
  await page.keyboard.type('Yes — see you at noon');
  await page.keyboard.press('Enter');
  await until(() => world.sim.control.receivedMessages(DEMO).some((m) => m.text === 'Yes — see you at noon'), 'the reply at the server', 15_000);
  await expect(page.getByRole('log')).toContainText('Yes — see you at noon');

  // Open in history, by keyboard.
  await page.getByRole('button', { name: 'Open in history' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => world.host.shown.at(-1)).toMatchObject({ name: 'history', navigation: { to: 'conversation' } });
  await expect.poll(() => world.host.closed).toContain('popup'); // closeWindow is its own IPC call after showWindow
  await page.keyboard.press('Escape');
});

test('popup: step through several unread conversations; Decline; Esc closes', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const [a, b] = world.sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst');
  if (!a || !b) throw new Error('contacts');
  await world.sim.control.sendIm(a.sip, DEMO, 'First question');
  await world.sim.control.sendIm(b.sip, DEMO, 'Second question');
  await until(async () => (await world.service.unreadSummary(5)).latest.filter((c) => /question/.test(c.preview)).length >= 2, 'two unread');
  const page = await world.open(chromiumBrowser, 'popup');
  await expect(page.getByText(/1 of \d+/)).toBeVisible();
  await expect(page.getByRole('log')).toContainText('Second question');
  await page.getByRole('button', { name: 'Next conversation' }).click();
  await expect(page.getByRole('log')).toContainText('First question');
  await expect(page.getByText(/2 of \d+/)).toBeVisible();
  const first = (await world.service.listConversations({ limit: 50 })).items.find((c) => c.preview.includes('First question'));
  if (!first) throw new Error('conversation');
  expect(world.service.liveState(first.id)?.invitation?.state).toBe('ringing');
  await page.getByRole('button', { name: 'Decline' }).click();
  await expect.poll(() => world.service.liveState(first.id)?.invitation?.state ?? 'gone').not.toBe('ringing');
  await page.keyboard.press('Escape');
  await expect.poll(() => world.host.closed).toContain('popup');
});

test('popup opened from a notification shows that conversation first, even when it is read', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const [a, b] = world.sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst');
  if (!a || !b) throw new Error('contacts');
  await world.sim.control.sendIm(a.sip, DEMO, 'Unread one');
  await until(async () => (await world.service.unreadSummary(5)).latest.some((c) => c.preview.includes('Unread one')), 'unread');
  // A past conversation with b, already read: the notification click names it.
  const past = (await world.service.listConversations({ contact: b.sip, limit: 1 })).items[0];
  if (!past) throw new Error('no past conversation with b');
  await world.service.markRead(past.id);
  world.host.pending.set('popup', { to: 'conversation', conversationId: past.id });
  const page = await world.open(chromiumBrowser, 'popup');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(b.name.split(' ')[0] ?? b.name);
  // And a later click (the shell shows the popup with a navigate event) on the unread one switches to it.
  const unread = (await world.service.unreadSummary(5)).latest.find((c) => c.preview.includes('Unread one'));
  if (!unread) throw new Error('unread');
  await world.host.showWindow('popup', { to: 'conversation', conversationId: unread.id });
  await expect(page.getByRole('heading', { level: 1 })).toContainText(a.name.split(' ')[0] ?? a.name);
});
