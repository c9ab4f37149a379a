// Issue 12, blocker 1: a message from someone else while a reply is half typed in the quick-reply
// popup must not move the popup, lose the draft or redirect the rest of the reply.
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

const sip = (s: string) => s.toLowerCase().replace(/^sip:/, '');

test('popup: another contact writing mid-reply changes neither the view nor who receives the reply', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const [mei, tosh] = world.sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst');
  if (!mei || !tosh) throw new Error('contacts');
  await world.sim.control.sendIm(mei.sip, DEMO, 'Can you check the release notes?');
  await until(async () => (await world.service.unreadSummary(5)).latest.some((c) => c.preview.includes('release notes')), 'the first unread');

  const page = await world.open(chromiumBrowser, 'popup');
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText(mei.name);
  const reply = page.getByRole('textbox', { name: `Reply to ${mei.name}` });
  await expect(reply).toBeFocused();
  const counter = page.getByRole('navigation', { name: 'Unread conversations' }).getByText(/\d+ of \d+/);
  const before = await counter.innerText();

  await page.keyboard.type('Sure, I will have a lo');
  await world.sim.control.sendIm(tosh.sip, DEMO, 'Quick question about the rota');
  // Wait until the popup has taken the new arrival in (its counter changes either way).
  await expect(counter).not.toHaveText(before);

  await page.keyboard.type('ok after lunch');
  await page.keyboard.press('Enter');
  const full = 'Sure, I will have a look after lunch';
  // What the server received from the user, and for whom: exactly the full reply, to the first person.
  const sent = () => world.sim.control.receivedMessages(DEMO).map((m) => ({ to: m.to.map(sip), text: m.text }));
  await expect.poll(sent, { timeout: 15_000 }).toEqual([{ to: [sip(mei.sip)], text: full }]);
  await expect(heading).toHaveText(mei.name);
});

test('popup: a new arrival is announced, and drafts are kept per conversation when stepping', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const [mei, tosh] = world.sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst');
  if (!mei || !tosh) throw new Error('contacts');
  await world.sim.control.sendIm(mei.sip, DEMO, 'Can you check the release notes?');
  await until(async () => (await world.service.unreadSummary(5)).latest.some((c) => c.preview.includes('release notes')), 'the first unread');
  const page = await world.open(chromiumBrowser, 'popup');
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText(mei.name);
  await page.keyboard.type('Draft for Mei');

  await world.sim.control.sendIm(tosh.sip, DEMO, 'Quick question about the rota');
  const notice = page.getByRole('status').filter({ hasText: `${tosh.name} wrote` });
  await expect(notice).toBeVisible();
  await expect(heading).toHaveText(mei.name);
  await notice.getByRole('button', { name: /Show/ }).click();
  await expect(heading).toHaveText(tosh.name);
  await expect(page.getByRole('log')).toContainText('Quick question about the rota');
  const toshBox = page.getByRole('textbox', { name: `Reply to ${tosh.name}` });
  await expect(toshBox).toHaveValue('');
  await toshBox.fill('Draft for Tosh');

  // Back to Mei (wherever she now is in the list) by the stepper: her draft is still there.
  const prev = page.getByRole('button', { name: 'Previous conversation' });
  for (let i = 0; i < 25 && (await heading.innerText()) !== mei.name && (await prev.isEnabled()); i++) await prev.click();
  await expect(heading).toHaveText(mei.name);
  await expect(page.getByRole('textbox', { name: `Reply to ${mei.name}` })).toHaveValue('Draft for Mei');
  expect(world.sim.control.receivedMessages(DEMO)).toEqual([]);
});
