// Issue 12: the popup's header — a Close button (Esc still closes), and the person's name, never a
// raw SIP address, for a conversation the user started by picking someone by name.
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

test('popup: a Close button closes it, and so does Esc', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const [a] = world.sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst');
  if (!a) throw new Error('contacts');
  await world.sim.control.sendIm(a.sip, DEMO, 'Got a minute?');
  await until(async () => (await world.service.unreadSummary(5)).latest.some((c) => c.preview.includes('Got a minute')), 'the unread');
  const page = await world.open(chromiumBrowser, 'popup');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(a.name);
  const close = page.getByRole('button', { name: 'Close', exact: true });
  await expect(close).toBeVisible();
  await close.click();
  await expect.poll(() => world.host.closed.length).toBe(1);
  expect(world.host.closed).toEqual(['popup']);
  await page.getByRole('textbox', { name: `Reply to ${a.name}` }).focus();
  await page.keyboard.press('Escape');
  await expect.poll(() => world.host.closed.length).toBe(2);
});

test('popup: a conversation started by picking a person shows their name in the title', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  // The first contact echoes: start a conversation with them by SIP address, as the people picker does.
  const echo = world.sim.people.find((p) => p.behaviour?.kind === 'echo');
  if (!echo) throw new Error('no echoing contact');
  const { conversationId } = await world.service.startConversation(echo.sip, 'Hello from the picker');
  await until(async () => {
    const page = await world.service.listMessages(conversationId, { limit: 10 });
    return page.items.some((m) => m.direction === 'Incoming');
  }, 'the echo', 15_000);
  world.host.pending.set('popup', { to: 'conversation', conversationId });
  const page = await world.open(chromiumBrowser, 'popup');
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText(echo.name);
  await expect(page.getByRole('textbox', { name: `Reply to ${echo.name}` })).toBeVisible();
  await expect(heading).not.toContainText('@');
});
