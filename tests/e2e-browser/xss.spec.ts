/// <reference lib="dom" />
import { test, expect } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

const PAYLOAD = [
  '<p>Hello <b>bold</b> world</p>',
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '<a href="https://example.com/docs" onclick="window.__pwned = \'click\'">the docs</a>',
  '<a href="javascript:window.__pwned = \'jsurl\'">js link</a>',
  '<svg onload="window.__pwned = \'svg\'"><circle r="5"/></svg>',
  '<iframe src="javascript:window.__pwned = \'iframe\'"></iframe>',
  '<style>body { display: none }</style>',
  '<form action="https://evil.example"><input name="x"></form>',
  '<span style="position:fixed;inset:0">overlay</span>',
].join('');

test('HTML messages are sanitized: nothing runs, links open outside', async ({ chromiumBrowser, world }) => {
  const contact = world.sim.people[2] ?? world.sim.people[0];
  if (!contact) throw new Error('no contact');
  // One copy in the synced history (transcript), one arriving live.
  world.sim.control.addLog(DEMO, { with: [contact.sip], subject: 'html', messages: [{ from: contact.sip, text: 'Hello bold world', html: PAYLOAD, at: Date.now() - 3_600_000 }] });
  await world.signIn();
  await world.sim.control.sendIm(contact.sip, DEMO, 'Live hello', { html: PAYLOAD.replace('Hello', 'Live hello') });
  const convs = await until(async () => {
    const all = (await world.service.listConversations({ limit: 200 })).items;
    const past = all.find((c) => c.subject === 'html');
    const live = all.find((c) => c.preview.includes('Live hello'));
    return past && live ? { past, live } : null;
  }, 'both conversations');

  const page = await world.open(chromiumBrowser, 'history');
  for (const c of [convs.past, convs.live]) {
    await world.host.showWindow('history', { to: 'conversation', conversationId: c.id });
    const body = page.locator('.msg-text.html').first();
    await expect(body).toContainText('bold world');
    await expect(body.locator('b')).toHaveText('bold');
    const html = (await page.locator('.msg-text.html').evaluateAll((els) => els.map((e) => e.innerHTML))).join('');
    expect(html).not.toMatch(/<script|<iframe|<svg|<style|<form|<input|onerror|onclick|onload|javascript:|style=/i);
    const link = body.getByRole('link', { name: 'the docs' });
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);
    const before = page.url();
    await link.click();
    await expect.poll(() => world.host.opened).toContain('https://example.com/docs');
    expect(page.url()).toBe(before);
    await body.getByText('js link').click();
  }
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  // (Chromium reports CSP "violations" for inline handlers even while DOMPurify parses in an inert
  // document, so the violation list is not evidence either way; the DOM checks above are.)
  expect(world.host.opened.every((u) => u.startsWith('https://'))).toBe(true);
  await expect(page.locator('body')).toBeVisible();
});
