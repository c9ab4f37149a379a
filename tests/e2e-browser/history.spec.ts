/// <reference lib="dom" />
import { test, expect, shot } from './fixtures.ts';
import { DEMO } from './harness.ts';

test.use({ simOptions: { demoConversations: 300 } });

/** Past conversations with `n` people the demo world does not know: one chat each. */
function addGuests(world: { sim: { control: { addLog: (user: string, log: { with: string[]; messages: { from: string; text: string; at: number }[] }) => unknown } } }, n: number): void {
  const base = Date.now() - 90 * 24 * HOUR;
  for (let i = 0; i < n; i++) {
    const guest = `sip:guest${i}@guests.example`;
    world.sim.control.addLog(DEMO, { with: [guest], messages: [{ from: guest, text: `Hello from guest ${i}`, at: base + i * 60_000 }] });
  }
}

const HOUR = 3_600_000;

test('a few hundred chats: sync progress, virtualized list, keyset paging as you scroll', async ({ chromiumBrowser, world }) => {
  // One row per chat (issue 12 item 5): the demo world's 300 conversations are with a few dozen
  // people, so 250 guests make the list long enough to page.
  addGuests(world, 250);
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
  const total = (await world.service.listChats({ limit: 500 })).items.length;
  expect(total).toBeGreaterThanOrEqual(250);
  expect((await world.service.listConversations({ limit: 500 })).items.length).toBeGreaterThan(total);
  const domRows = await list.getByRole('option').count();
  expect(domRows, 'rows in the DOM are bounded by the viewport').toBeLessThan(40);

  // Scroll to the end: pages arrive by cursor until every chat is reachable, DOM stays small.
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
  const missed = (await world.service.listChats({ filter: 'missed', limit: 500 })).items.length;
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
  // The chat holds this person's older conversations too: scroll up a screen at a time until the
  // log's first line shows (it is not the top of the chat).
  const line0 = page.getByText('Line 0 about the weekly plan');
  for (let i = 0; i < 60 && !(await line0.isVisible()); i++) {
    await transcript.evaluate((el) => { el.scrollTop = Math.max(0, el.scrollTop - el.clientHeight / 2); });
    await page.waitForTimeout(50);
  }
  await expect(line0).toBeVisible();
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
  // Tab order: your status first, then the header buttons (new, settings, shortcuts) and the view's
  // tabs, then search, filters and the list.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: /change your status/ })).toBeFocused();
  const search = page.getByRole('searchbox');
  for (let i = 0; i < 6 && !(await search.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(search).toBeFocused();
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
