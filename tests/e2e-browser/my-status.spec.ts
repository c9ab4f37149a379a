/// <reference lib="dom" />
// Issue 13: your own status in the history window's header — your photo, your availability with a
// dot and your note — changed there from a small menu (keyboard first: Enter opens it on what you
// are, arrows move, Esc closes and gives the focus back) and checked where it counts: on the server.
import { test, expect, shot } from './fixtures.ts';
import { DEMO, until, type World } from './harness.ts';
import type { Page } from '@playwright/test';

const served = (world: World) => world.sim.control.presenceOf(DEMO);

function header(page: Page) {
  const button = page.getByRole('button', { name: /change your status/ });
  return {
    button,
    words: button.locator('.me-words'),
    note: button.locator('.me-note'),
    menu: page.getByRole('menu', { name: 'Your status' }),
  };
}

test('your availability from the header menu reaches the server and the header; Off work reads as Off work; Reset', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const me = header(page);
  await expect(me.button).toContainText('Dana Demo');
  await expect(me.words).toHaveText('Available');
  await expect(me.button.locator('.presence-dot.p-available')).toBeVisible();
  // Your photo (the server has one for you), not initials.
  await expect(me.button.locator('img.photo')).toBeVisible();

  // Keyboard: Enter opens the menu on what you are; ↓ then Enter chooses Busy.
  await me.button.focus();
  await page.keyboard.press('Enter');
  await expect(me.button).toHaveAttribute('aria-expanded', 'true');
  const available = me.menu.getByRole('menuitemradio', { name: 'Available' });
  await expect(available).toBeFocused();
  await expect(available).toHaveAttribute('aria-checked', 'true');
  await expect(me.menu.getByRole('menuitemradio')).toHaveText(['Available', 'Busy', 'Do not disturb', 'Be right back', 'Appear away', 'Off work']);
  for (const name of ['Reset status', 'Set a note…', 'Set location…']) await expect(me.menu.getByRole('menuitem', { name, exact: true })).toBeVisible();
  await shot(page, 'my-status-menu');
  await page.keyboard.press('ArrowDown');
  await expect(me.menu.getByRole('menuitemradio', { name: 'Busy' })).toBeFocused();
  await page.keyboard.press('Enter');
  await until(() => served(world).availability === 'Busy', 'Busy on the server');
  await expect(me.words).toHaveText('Busy');
  await expect(me.menu).toBeHidden();
  await expect(me.button).toBeFocused();

  // Esc closes without choosing, the focus back on the button, and the window stays (Esc elsewhere hides it).
  await page.keyboard.press('Enter');
  await expect(me.menu.getByRole('menuitemradio', { name: 'Busy' })).toHaveAttribute('aria-checked', 'true');
  // The menu has taken the focus (as it does when it opens) before the key: a loaded CI machine
  // once pressed Esc while the focus was still on the button.
  await expect(me.menu.getByRole('menuitemradio', { name: 'Busy' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(me.menu).toBeHidden();
  await expect(me.button).toBeFocused();
  expect(world.host.closed).toEqual([]);

  // Off work: the server reads it back as Away + off-work; the header says Off work.
  await me.button.click();
  await me.menu.getByRole('menuitemradio', { name: 'Off work' }).click();
  await until(() => served(world).availability === 'Away' && served(world).activity === 'off-work', 'Off work on the server');
  await expect(me.words).toHaveText('Off work');
  await me.button.click();
  await expect(me.menu.getByRole('menuitemradio', { name: 'Off work' })).toHaveAttribute('aria-checked', 'true');

  // Appear away, then Reset status: Available again.
  await me.menu.getByRole('menuitemradio', { name: 'Appear away' }).click();
  await until(() => served(world).availability === 'Away' && served(world).activity !== 'off-work', 'Away on the server');
  await expect(me.words).toHaveText('Away');
  await me.button.click();
  await me.menu.getByRole('menuitem', { name: 'Reset status' }).click();
  await until(() => served(world).availability === 'Online', 'Available on the server');
  await expect(me.words).toHaveText('Available');
});

test('a note set in the header shows there and the server has it; blank clears it; a location says its limit', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const me = header(page);
  // The demo account's own note, read from the server.
  await expect(me.note).toHaveText('Planning 4.3 this week');

  await me.button.click();
  await me.menu.getByRole('menuitem', { name: 'Set a note…' }).click();
  const note = page.getByRole('dialog', { name: 'Your note' }).getByRole('textbox', { name: 'Note' });
  await expect(note).toBeFocused();
  await expect(note).toHaveValue('Planning 4.3 this week');
  await note.fill('Heads down until 3');
  await note.press('Enter');
  await until(() => served(world).note === 'Heads down until 3', 'the note on the server');
  await expect(me.note).toHaveText('Heads down until 3');
  await expect(me.button).toBeFocused();

  // Blank clears it.
  await me.button.click();
  await me.menu.getByRole('menuitem', { name: 'Set a note…' }).click();
  await note.fill('');
  await note.press('Enter');
  await until(() => served(world).note === '', 'the note cleared on the server');
  await expect(me.note).toHaveCount(0);

  // A location: the limit is said before it is hit, and a longer one is refused in words.
  await me.button.click();
  await me.menu.getByRole('menuitem', { name: 'Set location…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Your location' });
  const location = dialog.getByRole('textbox', { name: 'Location' });
  await expect(location).toBeFocused();
  await expect(dialog).toContainText('Up to 60 characters');
  await location.fill('x'.repeat(61));
  await expect(dialog).toContainText('61 of 60');
  await shot(page, 'my-status-location');
  await location.press('Enter');
  await expect(dialog.getByRole('alert')).toHaveText('A location can be at most 60 characters.');
  expect(served(world).location).toBe('Building 20, Redmond');
  await location.fill('Building 7, room 2.14');
  await location.press('Enter');
  await until(() => served(world).location === 'Building 7, room 2.14', 'the location on the server');
  await expect(dialog).toBeHidden();

  // Esc in the form closes it too.
  await me.button.click();
  await me.menu.getByRole('menuitem', { name: 'Set a note…' }).click();
  await expect(note).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Your note' })).toBeHidden();
  await expect(me.button).toBeFocused();
  expect(world.host.closed).toEqual([]);
});

test('a failure is said in words and the menu stays; a change from another endpoint shows by itself', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const me = header(page);
  await expect(me.words).toHaveText('Available');

  world.sim.control.addFault({ route: '/me/note', method: 'POST', status: 403, times: 1 });
  await me.button.click();
  await me.menu.getByRole('menuitem', { name: 'Set a note…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Your note' });
  await dialog.getByRole('textbox', { name: 'Note' }).fill('This one will fail');
  await dialog.getByRole('textbox', { name: 'Note' }).press('Enter');
  // In words, never the status code.
  await expect(page.locator('.status-popover').getByRole('alert')).toHaveText('The server couldn’t do that right now. Try again.');
  await expect(dialog).toBeVisible();
  expect(served(world).note).toBe('Planning 4.3 this week');
  // The words are kept: Enter again, and this time it goes.
  await dialog.getByRole('textbox', { name: 'Note' }).press('Enter');
  await until(() => served(world).note === 'This one will fail', 'the note on the second try');
  await expect(me.note).toHaveText('This one will fail');

  // A refused availability: said in the menu, which stays open on the same choices.
  world.sim.control.addFault({ route: '/me/presence', method: 'POST', status: 403, times: 1 });
  await me.button.click();
  await me.menu.getByRole('menuitemradio', { name: 'Be right back' }).click();
  await expect(page.locator('.status-popover').getByRole('alert')).toHaveText('The server couldn’t do that right now. Try again.');
  await expect(me.menu).toBeVisible();
  await expect(me.words).toHaveText('Available');

  // Another endpoint (the desk client) sets Do not disturb and a note: the header follows.
  await page.keyboard.press('Escape');
  world.sim.control.setPresence(DEMO, { availability: 'DoNotDisturb', note: 'In the lab' });
  await expect(me.words).toHaveText('Do not disturb');
  await expect(me.note).toHaveText('In the lab');
  await expect(me.button.locator('.presence-dot.p-dnd')).toBeVisible();
});
