/// <reference lib="dom" />
// Issue 12, keyboard: Esc in the composer, moving between conversations, the shortcut sheet,
// skip navigation (F6) and the unread count in the window title.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { DEMO } from './harness.ts';
import type { World } from './harness.ts';

async function openHistory(world: World, browser: Parameters<World['open']>[0]): Promise<Page> {
  await world.signIn();
  const page = await world.open(browser, 'history');
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').nth(3)).toBeVisible();
  return page;
}

const selectedName = (page: Page) => page.getByRole('listbox', { name: 'Conversations' }).locator('[role=option][aria-selected=true] .conv-name');
const optionName = (page: Page, i: number) => page.getByRole('listbox', { name: 'Conversations' }).locator(`[role=option][aria-posinset="${i + 1}"] .conv-name`);

test('Esc in an empty composer does not hide the window; Esc in the list still does', async ({ chromiumBrowser, world }) => {
  const page = await openHistory(world, chromiumBrowser);
  await optionName(page, 0).click();
  const composer = page.getByRole('textbox', { name: /^Message / });
  await expect(composer).toBeFocused();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  // The window must not have been asked to close; a later Esc from the list is what closes it.
  await page.getByRole('listbox', { name: 'Conversations' }).focus();
  expect(world.host.closed, 'Esc in the composer closed the window').toEqual([]);
  await page.keyboard.press('Escape');
  await expect.poll(() => world.host.closed.length).toBe(1);
});

test('Ctrl+Tab, Ctrl+Shift+Tab and Alt+Up/Down move between conversations in list order', async ({ chromiumBrowser, world }) => {
  const page = await openHistory(world, chromiumBrowser);
  const names = await Promise.all([0, 1, 2].map((i) => optionName(page, i).textContent()));
  await optionName(page, 0).click();
  await expect(selectedName(page)).toHaveText(names[0]!);
  await page.keyboard.press('Control+Tab');
  await expect(selectedName(page)).toHaveText(names[1]!);
  await expect(page.getByRole('region', { name: `Messages with ${names[1]}` })).toBeVisible();
  await page.keyboard.press('Alt+ArrowDown');
  await expect(selectedName(page)).toHaveText(names[2]!);
  await page.keyboard.press('Alt+ArrowUp');
  await expect(selectedName(page)).toHaveText(names[1]!);
  await page.keyboard.press('Control+Shift+Tab');
  await expect(selectedName(page)).toHaveText(names[0]!);
});

test('the shortcut sheet opens with Ctrl+/, ? and its button, lists every shortcut, and Esc only closes it', async ({ chromiumBrowser, world }) => {
  const page = await openHistory(world, chromiumBrowser);
  await page.keyboard.press('Control+/');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toBeVisible();
  for (const k of ['Ctrl+K', 'Ctrl+F', 'Ctrl+N', 'Ctrl+,', 'Ctrl+Tab', 'Ctrl+Shift+Tab', 'Alt+↑', 'Alt+↓', 'F6', 'Ctrl+/', 'Esc', 'Enter', 'Shift+Enter']) {
    await expect(sheet.locator('kbd', { hasText: k }).first(), k).toBeVisible();
  }
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  expect(world.host.closed).toEqual([]);
  // "?" from a place where one is not typing (the list), and the button.
  await page.getByRole('listbox', { name: 'Conversations' }).focus();
  await page.keyboard.press('?');
  await expect(sheet).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  await page.getByRole('button', { name: /Keyboard shortcuts/ }).click();
  await expect(sheet).toBeVisible();
  await sheet.getByRole('button', { name: 'Close' }).click();
  await expect(sheet).toBeHidden();
  // "?" typed in the composer is just a question mark.
  await optionName(page, 0).click();
  // Typed once the composer has the focus it takes when the conversation has loaded (keys typed
  // before that land in the list, which is another test's subject).
  await expect(page.getByRole('textbox', { name: /^Message / })).toBeFocused();
  await page.keyboard.type('why?');
  await expect(sheet).toBeHidden();
  await expect(page.getByRole('textbox', { name: /^Message / })).toHaveValue('why?');
});

test('after Ctrl+, the list is a few Tabs away, and F6 cycles sidebar and pane', async ({ chromiumBrowser, world }) => {
  const page = await openHistory(world, chromiumBrowser);
  await optionName(page, 0).click();
  await page.keyboard.press('Control+,');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  const list = page.getByRole('listbox', { name: 'Conversations' });
  // Keys to the list: Tab, and Enter on a skip link ("Go to the conversation list").
  let keys = 0;
  for (; keys < 20; keys++) {
    if (await list.evaluate((el) => el === document.activeElement)) break;
    const skip = await page.evaluate(() => /conversation list/i.test(document.activeElement?.textContent ?? '') && document.activeElement?.tagName === 'BUTTON');
    await page.keyboard.press(skip ? 'Enter' : 'Tab');
  }
  expect(keys, 'keys from Settings to the conversation list').toBeLessThanOrEqual(3);
  // F6: list → pane → list. The conversation loaded first (under load its composer takes the
  // focus when its transcript arrives — after an F6 pressed earlier).
  await optionName(page, 0).click();
  await expect(page.getByRole('textbox', { name: /^Message / })).toBeFocused();
  await list.focus();
  await page.keyboard.press('F6');
  await expect(page.getByRole('textbox', { name: /^Message / })).toBeFocused();
  await page.keyboard.press('F6');
  await expect(list).toBeFocused();
});

test('the window title shows the unread count', async ({ chromiumBrowser, world }) => {
  const page = await openHistory(world, chromiumBrowser);
  const first = await world.service.unreadSummary();
  const n0 = first.unreadChats;
  await expect.poll(() => page.title()).toBe(n0 ? `(${n0}) UCWA Tray` : 'UCWA Tray');
  // Someone whose chat is read (or who has none): their message makes one more unread chat.
  let contact = world.sim.people[0]!;
  for (const p of world.sim.people) {
    if (p.sip === DEMO || /room|group/i.test(p.sip)) continue;
    const chat = (await world.service.listChats({ contact: p.sip, limit: 1 })).items[0];
    if (!chat?.unread) { contact = p; break; }
  }
  await world.sim.control.sendIm(contact.sip, DEMO, 'Are you there?');
  await expect.poll(async () => (await world.service.unreadSummary()).unreadChats).toBeGreaterThan(n0);
  const n1 = (await world.service.unreadSummary()).unreadChats;
  await expect.poll(() => page.title()).toBe(`(${n1}) UCWA Tray`);
});
