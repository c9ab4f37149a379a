// Issue 12 item 6: a person picked by name stays a name (row, header, banner) — never a raw SIP address.
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

test('a conversation started with a person picked by name shows the name, not the SIP address', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const other = world.sim.people.find((p) => p.behaviour?.kind !== 'writeFirst' && !world.sim.control.receivedMessages(DEMO).length) ?? world.sim.people[2];
  if (!other) throw new Error('no contact');
  await page.keyboard.press('Control+n');
  const first = other.name.split(' ')[0] ?? other.name;
  await page.getByRole('combobox', { name: 'To' }).fill(first);
  await page.getByRole('listbox', { name: 'People' }).getByRole('option', { name: new RegExp(first) }).first().click();
  await expect(page.locator('.chip')).toHaveAttribute('data-sip', other.sip);
  const box = page.getByRole('textbox', { name: 'First message' });
  await box.fill('Names, not addresses');
  await box.press('Enter');
  await until(() => world.sim.control.receivedMessages(DEMO).some((m) => m.text === 'Names, not addresses'), 'the message at the server', 15_000);

  const bare = other.sip.replace(/^sip:/, '');
  const conv = (await world.service.listConversations({ limit: 50 })).items.find((c) => c.preview.includes('Names, not addresses'));
  expect(conv?.participants).toEqual([{ sip: other.sip, name: other.name }]);
  const row = page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').filter({ hasText: 'Names, not addresses' });
  await expect(row).toContainText(other.name);
  await expect(row).not.toContainText(bare);
  await expect(page.getByRole('main').getByRole('heading').first()).toContainText(other.name);
  await expect(page.getByRole('main')).not.toContainText(bare);
});
