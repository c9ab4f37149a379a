// Every window, light and dark: a screenshot (test-results/screenshots) and axe-core with no serious
// or critical violation. Also the keyboard-only paths of the settings and new-conversation panes.
import type { Page } from '@playwright/test';
import { test, expect, shot, seriousViolations } from './fixtures.ts';
import { DEMO, until } from './harness.ts';

for (const scheme of ['light', 'dark'] as const) {
  test(`every window in ${scheme}: screenshots and axe (no serious or critical violation)`, async ({ chromiumBrowser, world }) => {
    test.setTimeout(120_000);
    const problems: string[] = [];
    const check = async (page: Page, name: string) => {
      await page.waitForTimeout(150); // let the virtualizer settle
      await shot(page, `${name}-${scheme}`);
      for (const v of await seriousViolations(page)) problems.push(`${name}: ${v}`);
    };

    const signin = await world.open(chromiumBrowser, 'signin', { colorScheme: scheme });
    await expect(signin.getByRole('button', { name: 'Try the demo server' })).toBeVisible();
    await check(signin, 'signin');
    // The error state too.
    await signin.getByLabel('Sign-in address').fill('demo@contoso.com');
    await signin.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(signin.getByRole('alert')).toBeVisible();
    await check(signin, 'signin-error');

    const contact = world.sim.people.find((p) => p.behaviour?.kind === 'echo') ?? world.sim.people[0];
    if (!contact) throw new Error('contact');
    world.sim.control.addLog(DEMO, {
      with: [contact.sip], subject: 'Launch checklist',
      messages: [
        { from: contact.sip, text: 'Morning! Is the launch checklist final? https://intranet.contoso.com/launch', at: Date.now() - 26 * 3_600_000 },
        { from: DEMO, text: 'Almost — two items left.', at: Date.now() - 26 * 3_600_000 + 60_000 },
        { from: contact.sip, text: 'Great. Ping me when it is done.', html: '<p>Great. <b>Ping me</b> when it is done.</p>', at: Date.now() - 3_600_000 },
      ],
    });
    await world.signIn();
    const history = await world.open(chromiumBrowser, 'history', { colorScheme: scheme });
    const list = history.getByRole('listbox', { name: 'Conversations' });
    await expect(list.getByRole('option').first()).toBeVisible();
    await check(history, 'history');

    const c = (await world.service.listConversations({ limit: 200 })).items.find((x) => x.subject === 'Launch checklist');
    if (!c) throw new Error('conversation');
    await world.host.showWindow('history', { to: 'conversation', conversationId: c.id });
    await expect(history.getByText('Ping me')).toBeVisible();
    await check(history, 'conversation');

    await history.keyboard.press('Control+f');
    await history.keyboard.type('checklist');
    await expect(history.getByRole('listbox', { name: /Search results/ }).getByRole('option').first()).toBeVisible();
    await check(history, 'search');
    await history.keyboard.press('Escape');

    await history.keyboard.press('Control+k');
    await expect(history.getByRole('dialog')).toBeVisible();
    await check(history, 'palette');
    await history.keyboard.press('Escape');

    await history.getByRole('button', { name: 'Settings' }).click();
    await expect(history.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await check(history, 'settings');

    await history.getByRole('button', { name: /New conversation/ }).click();
    await history.getByRole('combobox', { name: 'To' }).fill(contact.name.slice(0, 3));
    await expect(history.getByRole('listbox', { name: 'People' }).getByRole('option').first()).toBeVisible();
    await check(history, 'new-conversation');

    // The People view (issue 13): the contact list as a tree, a distribution group opened, and a card.
    await history.getByRole('tab', { name: 'People' }).click();
    const people = history.getByRole('tree', { name: 'Contacts' });
    await expect(people.getByRole('treeitem', { level: 2 }).first()).toBeVisible();
    await check(history, 'people');
    await people.getByRole('treeitem', { level: 2 }).first().click();
    await expect(history.locator('.contact-card h2')).toBeVisible();
    await check(history, 'contact-card');
    await history.getByRole('tab', { name: 'Chats' }).click();

    await world.sim.control.sendIm(contact.sip, DEMO, 'Quick one: can you review the deck before 3?');
    await until(async () => (await world.service.unreadSummary(5)).latest.some((x) => x.preview.includes('deck')), 'unread');
    const popup = await world.open(chromiumBrowser, 'popup', { colorScheme: scheme });
    await expect(popup.getByRole('log')).toContainText('review the deck');
    await check(popup, 'popup');

    expect(problems, problems.join('\n')).toEqual([]);
  });
}

test('settings and availability, keyboard only', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.keyboard.press('Control+,');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  const showText = page.getByRole('checkbox', { name: 'Show message text in notifications' });
  await showText.focus();
  await page.keyboard.press('Space');
  await expect.poll(() => world.host.settings.notificationShowText).toBe(false);
  await page.getByRole('combobox', { name: 'While Do not disturb' }).selectOption('badgeOnly');
  await expect.poll(() => world.host.settings.doNotDisturb).toBe('badgeOnly');
  const away = page.getByRole('spinbutton', { name: /Away after/ });
  await away.fill('25');
  await away.press('Enter'); // saved on Enter or leaving the field, not per keystroke (issue 12)
  await expect.poll(() => world.host.settings.awayAfterMinutes).toBe(25);
  await page.getByRole('checkbox', { name: 'Start when I log in' }).check();
  await page.getByRole('checkbox', { name: 'Start hidden in the tray' }).check();
  await page.getByRole('checkbox', { name: 'Play a sound' }).uncheck();
  await expect.poll(() => world.host.settings).toMatchObject({ startAtLogin: true, startHidden: true, notificationSound: false });
  await page.getByRole('combobox', { name: 'Status' }).selectOption('Busy');
  await expect.poll(() => world.service.state().availability).toBe('Busy');
  await page.getByRole('button', { name: 'Sign out', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => world.service.state().status).toBe('signedOut');
  await expect.poll(() => world.host.shown.at(-1)?.name).toBe('signin');
});

test('new conversation from a sip: link (navigate event), keyboard only', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const contact = world.sim.people.find((p) => p.behaviour?.kind === 'echo') ?? world.sim.people[0];
  if (!contact) throw new Error('contact');
  const page = await world.open(chromiumBrowser, 'history');
  await world.host.showWindow('history', { to: 'newConversation', sip: contact.sip });
  await expect(page.getByRole('heading', { name: 'New conversation' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'To' })).toHaveValue(contact.sip.replace(/^sip:/, ''));
  const first = page.getByRole('textbox', { name: 'First message' });
  await expect(first).toBeFocused();
  await page.keyboard.type('Hello from a sip: link');
  await page.keyboard.press('Enter');
  await until(() => world.sim.control.receivedMessages(DEMO).some((m) => m.text === 'Hello from a sip: link'), 'the first message at the server', 15_000);
  await expect(page.locator('.msg-text', { hasText: 'Echo: Hello from a sip: link' })).toBeVisible({ timeout: 15_000 });

  // And by searching a person, from the keyboard (Ctrl+N).
  await page.keyboard.press('Control+n');
  const to = page.getByRole('combobox', { name: 'To' });
  await expect(to).toBeFocused();
  const other = world.sim.people[2] ?? contact;
  await page.keyboard.type(other.name.split(' ')[0] ?? other.name);
  await expect(page.getByRole('listbox', { name: 'People' }).getByRole('option', { name: new RegExp(other.name.split(' ')[0] ?? '') }).first()).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('.chip')).toHaveAttribute('data-sip', other.sip);
  await page.keyboard.press('Enter'); // to the message box
  await expect(page.getByRole('textbox', { name: 'First message' })).toBeFocused();
});
