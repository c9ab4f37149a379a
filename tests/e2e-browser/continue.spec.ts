import { test, expect, shot } from './fixtures.ts';
import { DEMO, pastOneToOne, until } from './harness.ts';

test('continue a past conversation: invitation progress, the reply, typing, delivery', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const { conversation, other } = await pastOneToOne(world);
  world.sim.control.setBehaviour(other.sip, { kind: 'echo' });
  // Opened at load through pendingNavigation (as a notification click would).
  world.host.pending.set('history', { to: 'conversation', conversationId: conversation.id });
  const page = await world.open(chromiumBrowser, 'history');
  const composer = page.getByRole('textbox', { name: /^Message / });
  await expect(composer).toBeFocused();
  await composer.fill('Picking this up again — still on for Friday?');
  await composer.press('Enter');
  await expect(page.locator('.msg-text', { hasText: 'Echo: Picking this up again — still on for Friday?' })).toBeVisible({ timeout: 15_000 });
  await until(() => world.sim.control.receivedMessages(DEMO).some((m) => m.text.includes('still on for Friday')), 'the server got the first message');
  const own = page.locator('.msg.own').filter({ hasText: 'still on for Friday?' }).last();
  await expect(own.locator('[data-delivery]')).toHaveAttribute('data-delivery', /^(accepted|delivered)$/ );

  // Live now: the next message goes through send(), the contact's typing shows.
  await expect(page.getByText('Live', { exact: true }).first()).toBeVisible();
  await composer.fill('Second line');
  await composer.press('Shift+Enter');
  await composer.pressSequentially('third line');
  await expect(composer).toHaveValue('Second line\nthird line');
  await composer.press('Enter');
  await expect(page.locator('.msg-text', { hasText: 'Echo: Second line' })).toBeVisible();
  const live = world.sim.control.liveConversations(DEMO).find((c) => c.participants.includes(other.sip) && /connected/i.test(c.state));
  if (live) {
    await world.sim.control.setTyping(live.threadId, other.sip, true);
    await expect(page.getByRole('status').filter({ hasText: 'is typing…' })).toBeVisible();
    await world.sim.control.setTyping(live.threadId, other.sip, false);
    await expect(page.getByText('is typing…')).toBeHidden();
  }
  // New incoming messages are announced to screen readers.
  await expect(page.getByRole('log', { name: 'New messages' })).toContainText('Echo: Second line');
  await shot(page, 'conversation-light');
});

// Refused for good (the seed's table): said in words, the message kept as "Not sent" with Retry / Discard.
const continueFaults = [
  { fault: { status: 409, subcode: 'TooManyGroups' }, code: 'continueTooManyGroups', words: 'too many conversations going on at once' },
  { fault: { status: 409, subcode: 'None' }, code: 'continueUnsupported', words: 'can’t be continued' },
  { fault: { status: 410, subcode: 'CannotRedirect' }, code: 'continueCannotRedirect', words: 'no backup pool' },
] as const;
// Transient: the outbox tries again by itself; the user has nothing to do.
const transientFaults = [
  { fault: { status: 409, subcode: 'AlreadyExists', times: 2 }, code: 'continueAlreadyExists' },
  { fault: { status: 500, subcode: 'CallbackChannelError', times: 2 }, code: 'continueCallbackChannel' },
  { fault: { status: 503, times: 2 }, code: 'poolUnavailable' },
] as const;

test('each continueMessaging error is said in words; the message stays with Retry / Discard', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const { conversation } = await pastOneToOne(world);
  const page = await world.open(chromiumBrowser, 'history');
  world.host.pending.clear();
  await world.host.showWindow('history', { to: 'conversation', conversationId: conversation.id });
  const composer = page.getByRole('textbox', { name: /^Message / });
  await expect(composer).toBeVisible();
  for (const [i, { fault, code, words }] of continueFaults.entries()) {
    const remove = world.sim.control.addFault({ route: 'continueMessaging', method: 'POST', ...fault });
    const text = `try ${code}`;
    await composer.fill(text);
    await composer.press('Enter');
    const banner = page.locator('.banner.progress.failed');
    await expect(banner, code).toHaveAttribute('data-code', code, { timeout: 15_000 });
    await expect(banner).toContainText(words);
    await expect(banner).toHaveRole('alert');
    // The message stays in the transcript, not sent, with Retry / Discard.
    const row = page.locator('.msg.own').filter({ hasText: text });
    await expect(row.locator('[data-delivery="failed"]')).toContainText('Not sent');
    if (i === 0) await shot(page, 'continue-error-light');
    remove();
    if (i < continueFaults.length - 1) {
      await row.getByRole('button', { name: 'Discard' }).click();
      await expect(row).toHaveCount(0);
      await banner.getByRole('button', { name: 'Dismiss' }).click();
      await expect(banner).toHaveCount(0);
    } else {
      // The fault is gone: Retry delivers it.
      await row.getByRole('button', { name: 'Retry' }).click();
      await until(() => world.sim.control.receivedMessages(DEMO).some((m) => m.text === text), 'the retried message at the server', 15_000);
      await expect(row.locator('[data-delivery]')).toHaveAttribute('data-delivery', /^(accepted|delivered)$/, { timeout: 15_000 });
      await world.service.hangUp(conversation.id); // the next ones continue the conversation again
    }
  }
  for (const { fault, code } of transientFaults) {
    world.sim.control.addFault({ route: 'continueMessaging', method: 'POST', ...fault });
    const text = `try ${code}`;
    await composer.fill(text);
    await composer.press('Enter');
    const row = page.locator('.msg.own').filter({ hasText: text });
    // No Retry button to press: it goes by itself once the server lets it.
    await expect(row.locator('[data-delivery]'), code).toHaveAttribute('data-delivery', /^(accepted|delivered)$/, { timeout: 15_000 });
    await world.service.hangUp(conversation.id);
  }
  // Discarded messages never reached the server; each of the others did, once.
  expect(world.sim.control.receivedMessages(DEMO).filter((m) => m.text.startsWith('try ')).map((m) => m.text))
    .toEqual(['try continueCannotRedirect', ...transientFaults.map((t) => `try ${t.code}`)]);
});
