/// <reference lib="dom" />
// An incoming invitation in the open chat (issue 12 minor): the banner asks, with Accept / Decline;
// the words come once — in the transcript — not again in the banner.
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

test('an incoming invitation: its words once in the transcript, the banner only asks; Accept connects', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const contact = world.sim.people.find((p) => p.sip !== DEMO && !/room|group/i.test(p.sip));
  if (!contact) throw new Error('no contact');
  const page = await world.open(chromiumBrowser, 'history');
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first()).toBeVisible();
  void world.sim.control.sendIm(contact.sip, DEMO, 'Got a minute for the roadmap?');
  const conv = await until(async () => (await world.service.listConversations({ contact: contact.sip, limit: 1 })).items.find((c) => c.preview.includes('roadmap')) ?? null, 'the invitation arrived');
  await world.host.showWindow('history', { to: 'conversation', conversationId: conv.id });
  const banner = page.locator('.banner.invite');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('wants to chat');
  await expect(banner).not.toContainText('roadmap');
  await expect(page.locator('.msg-text', { hasText: 'Got a minute for the roadmap?' })).toHaveCount(1);
  await banner.getByRole('button', { name: 'Accept' }).click();
  await expect(banner).toBeHidden();
  await expect(page.locator('.pane-header .badge.live')).toBeVisible();
  await expect(page.locator('.msg-text', { hasText: 'Got a minute for the roadmap?' })).toHaveCount(1);
});
