/// <reference lib="dom" />
import { test, expect, shot } from './fixtures.ts';
import { DEMO } from './harness.ts';

test.use({ simOptions: { demoConversations: 300 } });

const HOUR = 3_600_000;

test('a few hundred conversations: sync progress, virtualized list, keyset paging as you scroll', async ({ chromiumBrowser, world }) => {
  const page = await world.open(chromiumBrowser, 'history');
  // Record every sync line the window shows (the sync can be quicker than a poll).
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { __syncSeen: string[] }).__syncSeen = []);
    new MutationObserver(() => {
      const t = document.querySelector('.sync')?.textContent;
      if (t && !seen.includes(t)) seen.push(t);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await world.signIn();
  const seen = await page.evaluate(() => (window as unknown as { __syncSeen: string[] }).__syncSeen);
  expect(seen.some((t) => /Syncing history…( \d+ of \d+)?/.test(t)), `sync lines seen: ${seen.join(' | ')}`).toBe(true);

  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.getByRole('option').first()).toBeVisible();
  const total = (await world.service.listConversations({ limit: 500 })).items.length;
  expect(total).toBeGreaterThanOrEqual(300);
  const domRows = await list.getByRole('option').count();
  expect(domRows, 'rows in the DOM are bounded by the viewport').toBeLessThan(40);

  // Scroll to the end: pages arrive by cursor until every conversation is reachable, DOM stays small.
  for (let i = 0; i < 40; i++) {
    await list.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForTimeout(60);
    const last = await list.getByRole('option').last().getAttribute('aria-posinset');
    if (Number(last) >= total) break;
  }
  await expect(list.getByRole('option').last()).toHaveAttribute('aria-posinset', String(total));
  expect(await list.getByRole('option').count()).toBeLessThan(40);

  // Filters.
  await page.getByRole('button', { name: /^Missed( \d+)?$/ }).click();
  await expect(page.getByRole('button', { name: /^Missed( \d+)?$/ })).toHaveAttribute('aria-pressed', 'true');
  const missed = (await world.service.listConversations({ filter: 'missed', limit: 500 })).items.length;
  if (missed) await expect(list.getByRole('option').first()).toContainText('Missed');
  else await expect(page.getByText('No missed conversations')).toBeVisible();
});

test('search as you type finds a message and opens the conversation at that message', async ({ chromiumBrowser, world }) => {
  const contact = world.sim.people[3] ?? world.sim.people[0];
  if (!contact) throw new Error('no contact');
  const base = Date.now() - 40 * 24 * HOUR;
  const messages = Array.from({ length: 120 }, (_, i) => ({
    from: i % 2 ? DEMO : contact.sip,
    text: i === 30 ? 'The quarterly zebracorn report is ready for review' : `Line ${i} about the weekly plan`,
    at: base + i * 60_000,
  }));
  world.sim.control.addLog(DEMO, { with: [contact.sip], messages, subject: 'Weekly plan' });
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first()).toBeVisible();

  await page.keyboard.press('Control+f');
  const search = page.getByRole('searchbox', { name: 'Search messages' });
  await expect(search).toBeFocused();
  await page.keyboard.type('zebrac', { delay: 30 });
  const results = page.getByRole('listbox', { name: /Search results/ });
  await expect(results.getByRole('option')).toHaveCount(1);
  await expect(results.locator('mark')).toHaveText(/zebrac/i);
  await shot(page, 'search-light');
  // Keyboard: down into the results, Enter opens.
  await page.keyboard.press('ArrowDown');
  await expect(results).toBeFocused();
  await page.keyboard.press('Enter');
  const target = page.locator('.msg.target');
  await expect(target).toContainText('zebracorn report');
  await expect(target).toBeInViewport();
  // Older messages load on scroll up (the transcript starts near the hit, not at the top).
  const transcript = page.getByRole('region', { name: /Messages with/ });
  await transcript.evaluate((el) => { el.scrollTop = 0; });
  await expect(page.getByText('Line 0 about the weekly plan')).toBeVisible();
  // No result.
  await search.fill('qqqxxyyzz');
  await expect(page.getByText('No results')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(search).toHaveValue('');
});

test('keyboard: arrows and Enter in the list, Ctrl+K palette, Esc closes, markRead on open', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.getByRole('option').first()).toBeVisible();
  // Tab order: header buttons (new, settings, shortcuts), search, filters, then the list.
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  await expect(page.getByRole('searchbox')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(list).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const activeId = await list.getAttribute('aria-activedescendant');
  expect(activeId).toBeTruthy();
  await page.keyboard.press('Enter');
  await expect(page.locator(`#${activeId}`)).toHaveAttribute('aria-selected', 'true');
  const convId = Number(activeId?.split('-o-')[1]);
  await expect(page.getByRole('textbox', { name: /^Message / })).toBeVisible();
  await expect.poll(async () => (await world.service.getConversation(convId))?.unread).toBe(false);

  // Palette.
  await page.keyboard.press('Control+k');
  const dialog = page.getByRole('dialog', { name: 'Jump to a conversation' });
  await expect(dialog).toBeVisible();
  const name = world.sim.people[1]?.name ?? '';
  await page.keyboard.type(name.split(' ')[0] ?? name);
  await expect(dialog.getByRole('option').first()).toContainText(name.split(' ')[0] ?? name);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { level: 2 })).toContainText(name.split(' ')[0] ?? name);
  await page.keyboard.press('Control+k');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(world.host.closed).toHaveLength(0);
  // Esc with nothing open hides the window (to the tray).
  await page.getByRole('searchbox').focus();
  await page.keyboard.press('Escape');
  await expect.poll(() => world.host.closed).toContain('history');
});
