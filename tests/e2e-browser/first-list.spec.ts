/// <reference lib="dom" />
// The history window opens on its rows (issue 12, first list < 150 ms): the first page of chats is
// asked for before the bundle runs (renderer/prefetch.ts), so when its answer is in before the
// bundle has run, the window's first render already holds it and the list never appears empty
// first. The window never waits for it: a slow answer leaves the window drawn and usable, and the
// rows follow.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { openBridgedPage, until } from './harness.ts';
import type { Handlers } from '../../main/ipc/handlers.ts';

/**
 * Records, in the page, how many rows the conversation list held when it was first painted: counted
 * in the animation frame after the list entered the DOM (frame callbacks run just before a paint).
 */
async function watchFirstList(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __firstListRows?: number };
    const mo = new MutationObserver(() => {
      if (!document.querySelector('#conversations')) return;
      mo.disconnect();
      requestAnimationFrame(() => { w.__firstListRows = document.querySelectorAll('#conversations [role=option]').length; });
    });
    mo.observe(document, { childList: true, subtree: true });
  });
}

// These windows have their own bridge, so the world does not close them: each closes here, or its
// app would run on against a closed service through the tests that follow.
const opened: Page[] = [];
test.afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.context().close().catch(() => undefined)));
});

test('the list is drawn with its rows in the first render, never empty first', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const calls: string[] = [];
  // A copy whose calls are counted (a Proxy could not: the handlers object is frozen, and a frozen
  // property read through a Proxy must return the property itself).
  const handlers = Object.fromEntries(Object.entries(world.handlers).map(([key, h]) => [
    key, typeof h === 'function' ? (...args: unknown[]) => { calls.push(key); return (h as (...a: unknown[]) => unknown)(...args); } : h,
  ])) as unknown as Handlers;
  const page = await openBridgedPage({
    browser: chromiumBrowser, origin: world.origin,
    name: 'history', handlers, bridge: { pages: new Map(), emitTo: () => undefined }, logs: world.host.logs,
    beforeLoad: async (p) => {
      await watchFirstList(p);
      // The bundle held back until the early answer is in: what a fast IPC gives, made certain.
      await p.route('**/app.js', async (route) => {
        await until(() => calls.includes('listChats') ? true : null, 'the early listChats call', 10_000);
        await new Promise((r) => setTimeout(r, 300));
        await route.continue();
      });
    },
    // Calls as Electron's IPC makes them (a message pipe): see openBridgedPage.
    transport: 'cdp',
  });
  opened.push(page);
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first()).toBeVisible();
  const first = await page.evaluate(() => (window as unknown as { __firstListRows?: number }).__firstListRows);
  expect(first, 'rows in the list when it was first painted').toBeGreaterThan(5);
  // The prefetched page is the one the list shows: one first-page request, not two.
  expect(calls.filter((c) => c === 'listChats')).toHaveLength(1);
});

test('a slow first answer does not hold the window: it draws, then the rows come', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const handlers: Handlers = { ...world.handlers, listChats: async (c, a) => { await gate; return world.handlers.listChats(c, a); } };
  const page = await openBridgedPage({
    browser: chromiumBrowser, origin: world.origin, name: 'history', handlers, bridge: { pages: new Map(), emitTo: () => undefined }, logs: world.host.logs,
  });
  opened.push(page);
  // The window is there and usable while the list's answer is still out.
  await expect(page.getByRole('searchbox', { name: 'Search messages' })).toBeVisible();
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option')).toHaveCount(0);
  open();
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first()).toBeVisible();
});
