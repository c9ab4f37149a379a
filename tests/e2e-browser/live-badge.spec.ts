/// <reference lib="dom" />
// "Live" means connected now (issue 12 items 7, 8 and the minor "Live shows on invitations not yet
// accepted"): not while an invitation is unanswered, yes once they answer, and not after sign-out —
// in the list's row and in the pane's header alike.
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

test('the Live badge follows the connection: not while inviting, yes when connected, gone after sign-out', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const people = world.sim.people.filter((p) => p.sip !== DEMO && !/room|group/i.test(p.sip));
  const [slow, quick] = people;
  if (!slow || !quick) throw new Error('two contacts needed');
  world.sim.control.setBehaviour(slow.sip, { kind: 'neverAnswer' });
  world.sim.control.setBehaviour(quick.sip, { kind: 'echo' });
  const page = await world.open(chromiumBrowser, 'history');
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.getByRole('option').first()).toBeVisible();

  // An invitation nobody answers: the row is on top, says nothing of Live; neither does the header.
  const waiting = await world.service.startConversation(slow.sip, 'Anyone there?');
  await world.host.showWindow('history', { to: 'conversation', conversationId: waiting.conversationId });
  await expect(page.locator('.banner.progress[data-state="connecting"]')).toBeVisible();
  await expect(list.getByRole('option').first()).toContainText('Anyone there?');
  await expect(list.getByRole('option').first().locator('.badge.live')).toHaveCount(0);
  await expect(page.locator('.pane-header .badge.live')).toHaveCount(0);

  // One that is answered: Live in its row and its header.
  const answered = await world.service.startConversation(quick.sip, 'Quick question');
  await until(async () => (await world.service.liveState(answered.conversationId))?.connection === 'connected' || null, 'connected');
  await world.host.showWindow('history', { to: 'conversation', conversationId: answered.conversationId });
  const row = list.getByRole('option').filter({ hasText: /Quick question|Echo: Quick question/ }).first();
  await expect(row.locator('.badge.live')).toBeVisible();
  await expect(page.locator('.pane-header .badge.live')).toBeVisible();
  await expect(list.locator('.badge.live')).toHaveCount(1);

  // Signed out: nothing is live any more.
  await world.service.signOut();
  await expect(page.locator('.banner.signed-out')).toBeVisible();
  await expect(list.locator('.badge.live')).toHaveCount(0);
  await expect(page.locator('.pane-header .badge.live')).toHaveCount(0);
});
