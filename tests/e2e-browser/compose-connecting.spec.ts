/// <reference lib="dom" />
// While an invitation is still settling (issue 12 item 8): the "Connecting…" spinner is a small
// circle, not a stretched ellipse, and a second message is taken at once — the composer empties,
// the message shows as waiting — rather than Enter being ignored with no reason given.
import { test, expect } from './fixtures.ts';
import { DEMO, pastOneToOne } from './harness.ts';

test('a second message typed while connecting is taken, shown and kept in order; the spinner stays round', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const { conversation: c, other } = await pastOneToOne(world);
  world.sim.control.setBehaviour(other.sip, { kind: 'neverAnswer' });
  world.host.pending.set('history', { to: 'conversation', conversationId: c.id });
  const page = await world.open(chromiumBrowser, 'history');
  const composer = page.getByRole('textbox', { name: /^Message / });
  await expect(composer).toBeFocused();
  await composer.fill('First while connecting');
  await composer.press('Enter');
  const banner = page.locator('.banner.progress[data-state="connecting"]');
  await expect(banner).toBeVisible();
  const box = await banner.locator('.spinner').boundingBox();
  expect(box, 'spinner drawn').not.toBeNull();
  expect(Math.abs(box!.width - box!.height), `spinner ${box!.width}×${box!.height}`).toBeLessThanOrEqual(1);
  expect(box!.width).toBeLessThan(32);

  await composer.fill('Second while connecting');
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled(); // empty, not busy
  await composer.fill('Third');
  await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled();
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  const own = page.locator('.msg.own .msg-text');
  await expect(own.filter({ hasText: 'Second while connecting' })).toBeVisible();
  await expect(own.filter({ hasText: 'Third' })).toBeVisible();
  const texts = await own.allTextContents();
  const order = ['First while connecting', 'Second while connecting', 'Third'].map((t) => texts.findIndex((x) => x.includes(t)));
  expect(order, texts.join(' | ')).toEqual([...order].sort((a, b) => a - b));
  expect(order.every((i) => i >= 0)).toBe(true);
  // Each is in the outbox, in order (the page is newest first).
  const items = (await world.service.listMessages(c.id, { limit: 10 })).items.filter((m) => m.direction === 'Outgoing' && m.origin === 'outbox');
  expect(items.map((m) => m.text).slice(0, 3).reverse()).toEqual(['First while connecting', 'Second while connecting', 'Third']);
});

test('a new conversation: the second message, typed before they answer, is taken at once and shown after the first', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const other = world.sim.people.find((p) => p.sip !== DEMO && !/room|group/i.test(p.sip));
  if (!other) throw new Error('no contact');
  world.sim.control.setBehaviour(other.sip, { kind: 'neverAnswer' });
  const page = await world.open(chromiumBrowser, 'history');
  await page.keyboard.press('Control+n');
  await page.getByRole('combobox', { name: 'To' }).fill(other.sip.replace(/^sip:/, ''));
  const first = page.getByRole('textbox', { name: 'First message' });
  await first.fill('Hello, are you free?');
  await first.press('Enter');
  const composer = page.getByRole('textbox', { name: /^Message / });
  await expect(composer).toBeVisible();
  await composer.fill('It is about the offsite');
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  const own = page.locator('.msg.own .msg-text');
  await expect(own.filter({ hasText: 'It is about the offsite' })).toBeVisible();
  const texts = await own.allTextContents();
  expect(texts.findIndex((t) => t.includes('Hello, are you free?'))).toBeLessThan(texts.findIndex((t) => t.includes('It is about the offsite')));
  // Said, not silent: the message row says it is waiting for them.
  await expect(page.locator('.msg.own', { hasText: 'It is about the offsite' }).locator('[data-delivery]')).toHaveAttribute('data-delivery', /queued|sending|accepted/);
});
