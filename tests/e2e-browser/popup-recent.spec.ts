// Issue 12: the popup's "1 of 20" counted missed conversations of 18 months ago (from the history
// sync). It steps only through conversations with activity in the last 24 hours.
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

const DAY = 24 * 60 * 60 * 1000;

test('popup: steps only through recent unread conversations, not months-old missed ones', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const [a, b] = world.sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst');
  if (!a || !b) throw new Error('contacts');
  await world.sim.control.sendIm(a.sip, DEMO, 'Recent one');
  await world.sim.control.sendIm(b.sip, DEMO, 'Recent two');
  await until(async () => (await world.service.unreadSummary(50)).latest.filter((c) => /Recent/.test(c.preview)).length === 2, 'two unread');
  const unread = (await world.service.unreadSummary(50)).latest;
  const recent = unread.filter((c) => c.lastActivityAt >= Date.now() - DAY);
  // The demo world's history has old unread (missed) conversations: the test means something.
  expect(unread.length).toBeGreaterThan(recent.length);

  const page = await world.open(chromiumBrowser, 'popup');
  const counter = page.getByRole('navigation', { name: 'Unread conversations' }).getByText(/\d+ of \d+/);
  await expect(counter).toHaveText(`1 of ${recent.length}`);
  // Stepping to the end never reaches an old one.
  const next = page.getByRole('button', { name: 'Next conversation' });
  for (let i = 1; i < recent.length; i++) await next.click();
  await expect(counter).toHaveText(`${recent.length} of ${recent.length}`);
  await expect(next).toBeDisabled();
});
