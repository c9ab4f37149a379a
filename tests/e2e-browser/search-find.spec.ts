/// <reference lib="dom" />
// Search (issue 12): the newest matches are found and counted, sorted as asked; one box finds
// people, conversations and messages; short queries, "You", the palette's scrolling, the opened hit.
import { test, expect, shot } from './fixtures.ts';
import type { World } from './harness.ts';

test.use({ simOptions: { demoConversations: 300 } });

/** Every stored message matching the word as the store's search does (a word starting so). */
async function matching(world: World, word: string): Promise<{ id: number; at: number }[]> {
  const re = new RegExp(`(^|[^\\p{L}\\p{N}])${word}`, 'iu');
  const out: { id: number; at: number }[] = [];
  let cursor: string | null = null;
  do {
    const page = await world.service.listConversations({ cursor, limit: 200 });
    for (const c of page.items) {
      let mc: string | null = null;
      do {
        const ms = await world.service.listMessages(c.id, { cursor: mc, limit: 500 });
        for (const m of ms.items) if (re.test(m.text)) out.push({ id: m.id, at: m.at });
        mc = ms.next;
      } while (mc);
    }
    cursor = page.next;
  } while (cursor);
  return out.sort((a, b) => b.at - a.at);
}

test('the newest match comes first, the matches are counted, Best match sorts, Show more pages on', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const truth = await matching(world, 'lunch');
  expect(truth.length).toBeGreaterThan(100);
  const newest = truth[0]!;
  // The store behind the window: the newest lunch is on the first page of results.
  expect((await world.service.search('lunch', 100)).map((h) => h.messageId)).toContain(newest.id);

  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('searchbox', { name: 'Search messages' }).fill('lunch');
  const results = page.getByRole('listbox', { name: /Search results/ });
  await expect(page.getByText(`${truth.length} messages`)).toBeVisible();
  await expect(results.getByRole('option').first().locator('.hit-row')).toHaveAttribute('data-message-id', String(newest.id));
  await shot(page, 'search-newest');
  // Best match: another order, the same count.
  await page.getByRole('combobox', { name: 'Sort' }).selectOption('best');
  await expect(page.getByText(`${truth.length} messages`)).toBeVisible();
  await expect(results.getByRole('option').first().locator('.hit-row')).not.toHaveAttribute('data-message-id', String(newest.id));
  await page.getByRole('combobox', { name: 'Sort' }).selectOption('newest');
  await expect(results.getByRole('option').first().locator('.hit-row')).toHaveAttribute('data-message-id', String(newest.id));
  // Scroll to the end: more pages arrive, up to every match.
  for (let i = 0; i < 60; i++) {
    const last = Number(await results.getByRole('option').last().getAttribute('aria-posinset'));
    if (last >= truth.length) break;
    await results.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForTimeout(50);
  }
  await expect(results.getByRole('option').last()).toHaveAttribute('aria-posinset', String(truth.length));
  await expect(results.getByRole('option').last().locator('.hit-row')).toHaveAttribute('data-message-id', String(truth.at(-1)!.id));
});

test('one box finds people, conversations and messages; a person opens their chat; one letter says what it does', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const box = page.getByRole('searchbox', { name: 'Search messages' });
  await box.fill('Lene');
  const people = page.getByRole('listbox', { name: /^People/ });
  await expect(people.getByRole('option', { name: /Lene Aaling/ })).toBeVisible();
  await expect(page.getByRole('listbox', { name: /^Conversations matching/ }).getByRole('option').first()).toContainText('Lene');
  await expect(page.getByText('No results')).toHaveCount(0);
  await shot(page, 'search-people');
  await people.getByRole('option', { name: /Lene Aaling/ }).click();
  await expect(page.getByRole('heading', { level: 2 })).toContainText('Lene');

  await box.fill('r');
  await expect(page.getByText('Type at least 2 letters to search messages')).toBeVisible();
  await expect(page.getByText(/Nothing matches/)).toHaveCount(0);
  await expect(page.getByRole('listbox', { name: /^People/ }).getByRole('option').first()).toBeVisible();
});

test('your own messages read "You" in results', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const self = (await world.service.state()).user!;
  await page.getByRole('searchbox', { name: 'Search messages' }).fill('lunch');
  const results = page.getByRole('listbox', { name: /Search results/ });
  await expect(results.getByRole('option').first()).toBeVisible();
  const authors = await results.locator('.hit-author').allTextContents();
  expect(authors.some((a) => a.startsWith('You'))).toBe(true);
  expect(authors.filter((a) => a.includes(self.name))).toEqual([]);
});

test('Ctrl+K: every result can be reached with the keyboard and the selection scrolls into view', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history', { height: 600 });
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first()).toBeVisible();
  await page.keyboard.press('Control+k');
  const dialog = page.getByRole('dialog', { name: 'Jump to a conversation' });
  const options = dialog.getByRole('option');
  await expect(options).toHaveCount(12);
  for (let i = 0; i < 11; i++) await page.keyboard.press('ArrowDown');
  await expect(options.nth(11)).toHaveAttribute('aria-selected', 'true');
  await expect(options.nth(11)).toBeInViewport({ ratio: 1 });
});

test('an opened hit is highlighted and its date is on screen', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('searchbox', { name: 'Search messages' }).fill('lunch');
  const results = page.getByRole('listbox', { name: /Search results/ });
  await results.getByRole('option').nth(3).click();
  const target = page.locator('.msg.target');
  await expect(target).toBeInViewport({ ratio: 1 });
  const bg = await target.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg, 'the row is tinted').not.toMatch(/rgba\(0, 0, 0, 0\)|transparent/);
  // The day it was said: the separator above it, on screen.
  const sep = await target.evaluate((el) => {
    for (let n = el.closest('[data-index]')?.previousElementSibling; n; n = n.previousElementSibling) {
      const s = n.querySelector('.day-sep');
      if (s) return s.getAttribute('aria-label');
    }
    return null;
  });
  expect(sep).not.toBeNull();
  await expect(page.getByRole('separator', { name: sep! })).toBeInViewport();
});
