/// <reference lib="dom" />
// Issue 13: a presence dot wherever a person appears — the chat list's rows, the conversation's
// header (with the words beside the name), the quick-reply popup, the people of search results —
// and a change made on the server arriving on each. Asserted as the user meets it: the dot's words
// (its accessible name, also its tooltip) and the header's visible text.
import { test, expect } from './fixtures.ts';
import { DEMO, until, type World } from './harness.ts';

const AMELIE = 'sip:amelie.durand@contoso.com';
const KENJI = 'sip:kenji.watanabe@contoso.com';
const MINUTE = 60_000;

const nameOf = (world: World, sip: string): string => {
  const p = world.sim.people.find((x) => x.sip === sip);
  if (!p) throw new Error(`${sip} is not in the demo world`);
  return p.name;
};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a presence change on the server reaches the chat row’s dot and the conversation header’s words; a group has no dot', async ({ chromiumBrowser, world }) => {
  const amelie = nameOf(world, AMELIE);
  const now = Date.now();
  // The newest chats: one with Amélie, one with Amélie and Kenji (a group).
  world.sim.control.addLog(DEMO, { with: [AMELIE], subject: '', messages: [
    { from: AMELIE, text: 'Presence check: do you have a minute?', at: now - 2 * MINUTE },
    { from: DEMO, text: 'In a bit', at: now - 2 * MINUTE + 5000 },
  ] });
  world.sim.control.addLog(DEMO, { with: [AMELIE, KENJI], subject: 'Design review', messages: [
    { from: KENJI, text: 'Group check: slides are up', at: now - MINUTE },
  ] });
  // A known start: the demo's working-day rhythm moves everyone's presence by itself; an override holds.
  world.sim.control.setPresence(AMELIE, { availability: 'Online', activity: null });
  world.sim.control.setPresence(KENJI, { availability: 'Busy', activity: null });
  await world.signIn();

  const page = await world.open(chromiumBrowser, 'history');
  const list = page.getByRole('listbox', { name: 'Conversations' });
  const row = list.getByRole('option', { name: new RegExp(`^(?!.*,).*${escape(amelie)}`) }).filter({ hasText: 'In a bit' });
  const dot = row.getByRole('img');
  await expect(dot).toHaveAccessibleName('Available');
  await expect(dot).toHaveAttribute('title', 'Available');

  // A group chat: everyone's initials, no dot (whose would it be?).
  const group = list.getByRole('option').filter({ hasText: 'Group check' });
  await expect(group).toBeVisible();
  await expect(group.getByRole('img')).toHaveCount(0);
  await expect(group.locator('.avatar')).toBeVisible();

  // Amélie goes into a meeting: the row says so without a reload.
  world.sim.control.setPresence(AMELIE, { availability: 'Busy', activity: 'in-a-meeting' });
  await expect(dot).toHaveAccessibleName('Busy — In a meeting');

  // The chat's header: the same presence in words beside her name.
  await row.click();
  const header = page.locator('.pane-header');
  await expect(header.getByRole('heading', { level: 2 })).toHaveText(amelie);
  await expect(header.locator('.presence-line')).toContainText('Busy · In a meeting');
  // The words are on screen: the header's dot is not read out a second time.
  await expect(header.getByRole('img')).toHaveCount(0);
  await expect(header.locator('.presence-dot.p-busy')).toBeVisible();

  // Another change reaches both at once.
  world.sim.control.setPresence(AMELIE, { availability: 'DoNotDisturb', activity: null });
  await expect(header.locator('.presence-words')).toHaveText('Do not disturb');
  await expect(header.locator('.presence-line')).not.toContainText('In a meeting');
  await expect(dot).toHaveAccessibleName('Do not disturb');
  world.sim.control.setPresence(AMELIE, { availability: 'Away', activity: 'off-work' });
  await expect(header.locator('.presence-line')).toHaveText('Away · Off work');
  await expect(dot).toHaveAccessibleName('Away — Off work');
});

test('the quick-reply popup shows the sender’s presence dot', async ({ chromiumBrowser, world }) => {
  const mei = 'sip:mei.chen@contoso.com';
  world.sim.control.setPresence(mei, { availability: 'BeRightBack', activity: null });
  await world.signIn();
  await world.sim.control.sendIm(mei, DEMO, 'Popup presence: back in five?');
  await until(async () => (await world.service.unreadSummary(5)).latest.some((c) => c.preview.includes('Popup presence')), 'the unread');
  const page = await world.open(chromiumBrowser, 'popup');
  const header = page.locator('.popup-header');
  await expect(header.getByRole('heading', { level: 1 })).toHaveText(nameOf(world, mei));
  await expect(header.getByRole('img')).toHaveAccessibleName('Be right back');
  world.sim.control.setPresence(mei, { availability: 'Online', activity: null });
  await expect(header.getByRole('img')).toHaveAccessibleName('Available');
});

test('people found by a search carry their presence, kept live while listed — someone outside the contact list too', async ({ chromiumBrowser, world }) => {
  // Not a contact: only the search's own watch brings their presence changes.
  const kenji = nameOf(world, KENJI);
  world.sim.control.removeFromGroup(DEMO, KENJI);
  world.sim.control.setPresence(KENJI, { availability: 'Online', activity: null });
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('searchbox', { name: /Search messages/ }).fill('Kenji');
  const people = page.getByRole('listbox', { name: /People matching/ });
  const option = people.getByRole('option', { name: new RegExp(escape(kenji)) });
  await expect(option.getByRole('img')).toHaveAccessibleName('Available');
  await until(() => world.sim.control.presenceSubscriptions(DEMO).some((s) => s.uris.includes(KENJI)), 'Kenji in a presence subscription');
  world.sim.control.setPresence(KENJI, { availability: 'Busy', activity: 'on-the-phone' });
  await expect(option.getByRole('img')).toHaveAccessibleName('Busy — In a call');

  // The new-conversation picker's people too.
  await page.getByRole('button', { name: /New conversation/ }).click();
  await page.getByRole('combobox', { name: 'To' }).fill('Kenji');
  const picker = page.getByRole('listbox', { name: 'People' }).getByRole('option', { name: new RegExp(escape(kenji)) });
  await expect(picker.getByRole('img')).toHaveAccessibleName('Busy — In a call');
  world.sim.control.setPresence(KENJI, { availability: 'Away', activity: null });
  await expect(picker.getByRole('img')).toHaveAccessibleName('Away');
  await expect(option.getByRole('img')).toHaveAccessibleName('Away');
});
