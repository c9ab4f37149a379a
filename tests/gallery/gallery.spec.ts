/// <reference lib="dom" />
// The README's gallery: every window in light and dark, from the demo world as `npm start -- --demo`
// shows it (its 300 past conversations, its colleagues; nothing added by hand), written to
// docs/screenshots/<window>-<theme>.png. The only thing done to the world is what a colleague
// does in it: one of them writes, for the popup.
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '../e2e-browser/fixtures.ts';
import { DEMO, ROOT, until } from '../e2e-browser/harness.ts';

const OUT = join(ROOT, 'docs/screenshots');

async function save(page: Page, name: string): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await page.waitForTimeout(200); // the virtualized lists settle after their first measure
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`gallery, ${scheme}`, async ({ chromiumBrowser, world }) => {
    const signin = await world.open(chromiumBrowser, 'signin', { colorScheme: scheme });
    await expect(signin.getByRole('button', { name: 'Try the demo server' })).toBeVisible();
    // As someone whose Windows name differs from the address fills it in (issue 15).
    await signin.getByLabel('Sign-in address').fill('john.doe@contoso.com');
    await signin.getByRole('button', { name: 'Use a different sign-in name' }).click();
    await signin.getByLabel(/Sign-in name/).fill('CONTOSO\\jdoe');
    await signin.getByLabel('Sign-in address').focus();
    await save(signin, `signin-${scheme}`);

    await world.signIn();
    const history = await world.open(chromiumBrowser, 'history', { colorScheme: scheme });
    const list = history.getByRole('listbox', { name: 'Conversations' });
    await expect(list.getByRole('option').first()).toBeVisible();
    await expect(history.locator('.sync[role=status]', { hasText: 'Syncing' })).toHaveCount(0);
    await save(history, `history-${scheme}`);

    // The newest chat with one person, opened from the list as a user would.
    const chats = (await world.service.listChats({ limit: 30 })).items;
    const index = chats.findIndex((c) => c.latest.participants.filter((p) => p.sip !== DEMO).length === 1 && c.conversationCount > 1);
    await list.getByRole('option').nth(Math.max(0, index)).click();
    await expect(history.locator('.transcript .msg').first()).toBeVisible();
    await save(history, `conversation-${scheme}`);

    await history.keyboard.press('Control+f');
    await history.keyboard.type('lunch');
    await expect(history.getByRole('listbox', { name: /Search results/ }).getByRole('option').first()).toBeVisible();
    await save(history, `search-${scheme}`);
    await history.keyboard.press('Escape');

    await history.keyboard.press('Control+k');
    await expect(history.getByRole('dialog')).toBeVisible();
    await save(history, `palette-${scheme}`);
    await history.keyboard.press('Escape');

    await history.keyboard.press('Control+n');
    const someone = world.sim.people.find((p) => p.sip !== DEMO && !/demo/i.test(p.sip));
    await history.getByRole('combobox', { name: 'To' }).fill((someone?.name ?? 'a').slice(0, 3));
    await expect(history.getByRole('listbox', { name: 'People' }).getByRole('option').first()).toBeVisible();
    await save(history, `new-conversation-${scheme}`);

    // The People view: the demo account's contact list with live presence, then a colleague's card.
    await history.keyboard.press('Escape');
    await history.getByRole('tab', { name: 'People' }).click();
    const tree = history.getByRole('tree', { name: 'Contacts' });
    await expect(tree.getByRole('treeitem', { name: /Favourites/ })).toBeVisible();
    await expect(tree.locator('[role=treeitem][aria-level="2"] .presence-dot.p-unknown')).toHaveCount(0);
    await save(history, `people-${scheme}`);
    await tree.locator('[role=treeitem][aria-level="2"]').first().click();
    await expect(history.getByRole('button', { name: 'Send IM' })).toBeVisible();
    await save(history, `contact-card-${scheme}`);
    await history.getByRole('tab', { name: 'Chats' }).click();

    await history.getByRole('button', { name: 'Settings' }).click();
    await expect(history.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await save(history, `settings-${scheme}`);

    await history.keyboard.press('Control+/');
    await expect(history.getByRole('dialog')).toBeVisible();
    await save(history, `shortcuts-${scheme}`);
    await history.keyboard.press('Escape');

    // A colleague writes: the quick-reply popup.
    const writer = world.sim.people.find((p) => p.sip !== DEMO && !/demo|room|group/i.test(p.sip));
    if (!writer) throw new Error('no colleague');
    await world.sim.control.sendIm(writer.sip, DEMO, 'Are you joining the 3 pm design review? I saved you a seat 🙂');
    await until(async () => (await world.service.unreadSummary(5)).latest.some((x) => x.preview.includes('design review')), 'the message arrived');
    const popup = await world.open(chromiumBrowser, 'popup', { colorScheme: scheme });
    await expect(popup.getByRole('log')).toContainText('design review');
    await save(popup, `popup-${scheme}`);
    await popup.close();

    // A group chat: a colleague invites you with two others (as the demo's Rahul does), you accept,
    // they talk, a fourth joins late.
    const [lene, mei, kenji, amelie] = ['lene.aaling', 'mei.chen', 'kenji.watanabe', 'amelie.durand'].map((u) => `sip:${u}@contoso.com`) as [string, string, string, string];
    const invited = new Promise<number>((resolve) => {
      const off = world.service.on('invitation', (inv) => { if (inv.group && inv.from?.sip === lene) { off(); resolve(inv.conversationId); } });
    });
    const confId = await world.sim.control.groupInvite({ from: lene, to: DEMO, others: [mei, kenji], subject: 'Release 4.2 go/no-go', text: 'Morning all — can we decide on Thursday’s release?' });
    const groupId = await invited;
    await world.service.accept(groupId);
    await until(() => world.service.liveState(groupId)?.groupPhase === 'connected', 'in the group', 15_000);
    await world.sim.control.groupSay(confId, mei, 'QA signed off last night, all green on my side.');
    await world.sim.control.groupSay(confId, kenji, 'The migration dry-run took 14 minutes. Fine for a Thursday evening.');
    await world.sim.control.groupJoin(confId, amelie);
    // She writes once she is in (as a person would): her "joined" line comes before her words.
    await until(() => world.service.liveState(groupId)?.changes.some((c) => c.kind === 'joined' && c.uri === amelie), 'Amélie joined', 15_000);
    await new Promise((r) => setTimeout(r, 50));
    await world.sim.control.groupSay(confId, amelie, 'Sorry I’m late — support is ready for the release notes.');
    await world.host.showWindow('history', { to: 'conversation', conversationId: groupId });
    await expect(history.getByRole('list', { name: 'People in this conversation' }).getByRole('listitem')).toHaveCount(4);
    await expect(history.locator('.transcript')).toContainText('support is ready');
    await save(history, `group-chat-${scheme}`);
  });
}
