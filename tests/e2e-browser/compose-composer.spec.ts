/// <reference lib="dom" />
// Issue 12, composer: grows with its text, drafts per conversation, emoji picker, emoticons,
// and formatted (coloured) messages shown without CSP errors.
import { test, expect } from './fixtures.ts';
import { DEMO } from './harness.ts';

test('the composer grows with wrapped text up to a limit, then scrolls', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first().click();
  const box = page.getByRole('textbox', { name: /^Message / });
  const h0 = await box.evaluate((el) => el.getBoundingClientRect().height);
  await box.fill('word '.repeat(60)); // one line of text, wrapped over several
  await expect.poll(() => box.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(h0 + 20);
  await box.fill('word '.repeat(600));
  const h = await box.evaluate((el) => ({ h: el.getBoundingClientRect().height, sh: el.scrollHeight, ch: el.clientHeight }));
  expect(h.h).toBeLessThanOrEqual(200);
  expect(h.sh).toBeGreaterThan(h.ch);
});

test('drafts stay with their conversation, also across a reload', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const opt = (i: number) => page.getByRole('listbox', { name: 'Conversations' }).locator(`[role=option][aria-posinset="${i + 1}"]`);
  const box = page.getByRole('textbox', { name: /^Message / });
  await opt(0).click();
  await box.fill('half a thought');
  await opt(1).click();
  await expect(box).toHaveValue('');
  await box.fill('another draft');
  await opt(0).click();
  await expect(box).toHaveValue('half a thought');
  await page.reload();
  await opt(1).click();
  await expect(box).toHaveValue('another draft');
});

test('the emoji picker inserts an emoji by mouse and by keyboard; Esc closes it only', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first().click();
  const box = page.getByRole('textbox', { name: /^Message / });
  await box.fill('hi ');
  await page.getByRole('button', { name: 'Insert emoji' }).click();
  const picker = page.getByRole('dialog', { name: 'Emoji' });
  await picker.getByRole('button', { name: /thumbs up/i }).click();
  await expect(box).toHaveValue('hi 👍');
  await expect(picker).toBeHidden();
  await expect(box).toBeFocused();
  // Keyboard: Tab to the button, Enter opens with focus on the first emoji, arrows move, Enter picks.
  await page.getByRole('button', { name: 'Insert emoji' }).focus();
  await page.keyboard.press('Enter');
  await expect(picker).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(box).not.toHaveValue('hi 👍');
  await expect(box).toHaveValue(/^hi 👍.+$/u);
  await page.getByRole('button', { name: 'Insert emoji' }).click();
  await expect(picker).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(picker).toBeHidden();
  expect(world.host.closed).toEqual([]);
});

test('emoticons show as emoji, but not inside links or words', async ({ chromiumBrowser, world }) => {
  const contact = world.sim.people.find((p) => p.sip !== DEMO) ?? world.sim.people[0]!;
  await world.signIn();
  await world.sim.control.sendIm(contact.sip, DEMO, 'Great :) see you :D ;) <3 http://example.com/a:)b and abc:)def');
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').filter({ hasText: 'see you' }).click();
  const body = page.locator('.msg-text', { hasText: 'see you' }).last();
  await expect(body).toHaveText('Great 🙂 see you 😀 😉 ❤️ http://example.com/a:)b and abc:)def');
  await expect(body.getByRole('link')).toHaveAttribute('href', 'http://example.com/a:)b');
});

test('inline colours of formatted messages show, with no CSP errors', async ({ chromiumBrowser, world }) => {
  const contact = world.sim.people.find((p) => p.sip !== DEMO) ?? world.sim.people[0]!;
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const csp: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await world.sim.control.sendIm(contact.sip, DEMO, 'Red and bold', {
    html: '<p><span style="color: #cc0000; font-weight: bold">Red</span> and <span style="background-color: yellow; font-style: italic; position: fixed">marked</span> <span style="color: expression(alert(1)); text-decoration: underline">under</span></p>',
  });
  await page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').filter({ hasText: 'Red and marked' }).click();
  const red = page.locator('.msg-text.html span', { hasText: 'Red' }).last();
  await expect(red).toHaveCSS('color', 'rgb(204, 0, 0)');
  await expect(red).toHaveCSS('font-weight', '700');
  const marked = page.locator('.msg-text.html span', { hasText: 'marked' }).last();
  await expect(marked).toHaveCSS('background-color', 'rgb(255, 255, 0)');
  await expect(marked).toHaveCSS('font-style', 'italic');
  await expect(marked).not.toHaveCSS('position', 'fixed');
  await expect(page.locator('.msg-text.html span', { hasText: 'under' }).last()).toHaveCSS('text-decoration-line', 'underline');
  await page.waitForTimeout(300); // let late console messages in before saying there were none
  expect(csp).toEqual([]);
});
