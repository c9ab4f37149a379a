// Settings → Delete local history: the confirmation says what goes (and what stays), Cancel changes
// nothing, and Delete makes the one IPC call with the confirmation the contract asks for. (The
// browser bridge's host has no files to delete; the deletion itself is tested in
// tests/integration/forget.test.ts and the IPC validation in tests/unit/ipc-validation.test.ts.)
import { test, expect, shot, seriousViolations } from './fixtures.ts';

test('Delete local history asks first, says what goes, and calls deleteLocalHistory({ confirm: true })', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.keyboard.press('Control+,');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out and forget me' })).toBeVisible();

  await page.getByRole('button', { name: 'Delete local history…' }).click();
  const dialog = page.getByRole('alertdialog', { name: /Delete the local history of demo@contoso\.com\?/ });
  await expect(dialog).toBeVisible();
  for (const what of [/history database, with its -wal and -shm files/, /messages not sent yet/, /remembered password \(in the system keychain\) and its server/, /log files/, /You will be signed out/, /Other accounts and the settings on this page are not touched/]) {
    await expect(dialog).toContainText(what);
  }
  await expect(dialog.getByRole('button', { name: 'Delete', exact: true })).toBeFocused();
  await shot(page, 'settings-delete-confirm');
  expect(await seriousViolations(page)).toEqual([]);

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(world.service.state().status).toBe('online');

  await page.getByRole('button', { name: 'Delete local history…' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete', exact: true }).click();
  // The bridge's host cannot delete: its typed refusal comes back — which it would not if the
  // arguments had been refused (that is an invalidArgument, logged as "ipc: rejected").
  await expect(page.getByRole('alert')).toBeVisible();
  expect(world.host.logs.filter((l) => l.includes('rejected deleteLocalHistory'))).toEqual([]);
  expect(world.service.state().status).toBe('online');
});
