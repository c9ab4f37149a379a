/// <reference lib="dom" />
// The People view and the contact card (issue 13), over the real core and the simulator's demo
// world: the contact list in its groups (Favourites first), collapsing remembered by the core,
// filtering as you type, presence arriving on the dots, Enter opening or starting the chat, the
// card with its details and Send IM, Favourites added and removed, a big list with a bounded DOM.
import type { Locator, Page } from '@playwright/test';
import { test, expect, shot } from './fixtures.ts';
import { DEMO, until, type World } from './harness.ts';

// The demo colleagues live a day's rhythm (a day is 43 s at the harness's time scale): frozen here, so
// that only what a test changes changes.
test.use({ simOptions: { presenceRhythm: false } });

const sip = (user: string) => `sip:${user}@contoso.com`;
const MEI = sip('mei.chen');

const tree = (page: Page) => page.getByRole('tree', { name: /^Contacts/ });
const header = (page: Page, name: string) => tree(page).locator('[role=treeitem][aria-level="1"]', { has: page.locator('.pgroup-name', { hasText: new RegExp(`^${name}$`) }) });
const row = (page: Page, name: string) => tree(page).locator('[role=treeitem][aria-level="2"]', { has: page.locator('.pperson-name', { hasText: new RegExp(`^${name}$`) }) });
const headerNames = (page: Page) => tree(page).locator('[role=treeitem][aria-level="1"] .pgroup-name').allTextContents();
const filterBox = (page: Page) => page.getByRole('searchbox', { name: /^Filter contacts/ });
/** The rows between a group's header and the next header, as the user reads them. */
async function membersShown(page: Page, group: string): Promise<string[]> {
  return tree(page).evaluate((el, name) => {
    // In the order on screen (the virtual list's nodes are not in it).
    const rows = [...el.querySelectorAll('[role=treeitem]')].sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
    const out: string[] = [];
    let inside = false;
    for (const r of rows) {
      if (r.getAttribute('aria-level') === '1') { inside = r.querySelector('.pgroup-name')?.textContent === name; continue; }
      if (inside) out.push(r.querySelector('.pperson-name')?.textContent ?? '');
    }
    return out;
  }, group);
}

async function openPeople(world: World, browser: Parameters<World['open']>[0], opts: { height?: number; signIn?: boolean; beforeLoad?: (page: Page) => Promise<void> } = {}): Promise<Page> {
  if (opts.signIn !== false) await world.signIn();
  const page = await world.open(browser, 'history', { ...(opts.height ? { height: opts.height } : {}), ...(opts.beforeLoad ? { beforeLoad: opts.beforeLoad } : {}) });
  await page.getByRole('tab', { name: 'People' }).click();
  await expect(header(page, 'Favourites')).toBeVisible();
  return page;
}

/** The card's value for a label ("Title" → "QA Engineer"). */
const field = (card: Locator, label: string) => card.locator('.card-field', { has: card.page().locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');

test('the contact list: Favourites first, then the server’s groups in its order, each person with presence and note', async ({ chromiumBrowser, world }) => {
  world.sim.control.setPresence(MEI, { availability: 'Busy', activity: 'in-a-meeting', note: 'Reviewing the 4.2 test plan' });
  const page = await openPeople(world, chromiumBrowser, { height: 2000 });
  const server = world.sim.control.contactList(DEMO);
  const pinned = (g: { kind: string }) => g.kind === 'pinnedGroup';
  const expected = [...server.filter(pinned), ...server.filter((g) => !pinned(g))].map((g) => (pinned(g) ? 'Favourites' : g.name));
  await expect.poll(() => headerNames(page)).toEqual(expected);
  expect(expected[0]).toBe('Favourites');

  // Favourites holds the server's pinned group, by name, and is open.
  await expect(header(page, 'Favourites')).toHaveAttribute('aria-expanded', 'true');
  await expect.poll(() => membersShown(page, 'Favourites')).toEqual(['Alex Rivera', 'Devon Demo', 'Lene Aaling', 'Mei Chen']);
  // A person: presence in words (the dot says it to screen readers), and the note.
  const mei = row(page, 'Mei Chen').first();
  await expect(mei.locator('.presence-dot')).toHaveAttribute('aria-label', 'Busy — In a meeting');
  await expect(mei.locator('.pperson-presence')).toHaveText('Busy · In a meeting');
  await expect(mei.locator('.pperson-note')).toHaveText('Reviewing the 4.2 test plan');

  // Distribution groups start closed and open on request: their people read from the server, or
  // why not (the company-wide one is too large for it).
  const dg = header(page, 'Platform Engineering');
  await expect(dg).toHaveAttribute('aria-expanded', 'false');
  await expect(dg).toContainText('Distribution group');
  await dg.click();
  await expect(dg).toHaveAttribute('aria-expanded', 'true');
  await expect.poll(() => membersShown(page, 'Platform Engineering')).toContain('Hannah Schulz');
  await dg.click();
  await expect(dg).toHaveAttribute('aria-expanded', 'false');
  await expect.poll(() => membersShown(page, 'Platform Engineering')).toEqual([]);
  const everyone = header(page, 'Contoso Worldwide');
  await everyone.click();
  await expect(everyone).toHaveAttribute('aria-expanded', 'true');
  await expect(tree(page).getByText('This group is too large to show')).toBeVisible();
  await shot(page, 'people-groups-light');
});

test('collapsing a group hides its people and is remembered after a reload; the view stays People', async ({ chromiumBrowser, world }) => {
  const page = await openPeople(world, chromiumBrowser, { height: 2000 });
  const team = header(page, 'Platform Team');
  await expect(team).toHaveAttribute('aria-expanded', 'true');
  await expect(row(page, 'Rahul Mehta')).toHaveCount(1); // only in Platform Team
  await team.click();
  await expect(team).toHaveAttribute('aria-expanded', 'false');
  await expect(row(page, 'Rahul Mehta')).toHaveCount(0);
  await expect.poll(async () => (await world.service.contactList()).groups.find((g) => g.name === 'Platform Team')?.collapsed).toBe(true);

  await page.reload();
  await expect(page.getByRole('tab', { name: 'People' })).toHaveAttribute('aria-selected', 'true');
  await expect(header(page, 'Platform Team')).toHaveAttribute('aria-expanded', 'false');
  await expect(header(page, 'Favourites')).toHaveAttribute('aria-expanded', 'true');
  await expect(row(page, 'Mei Chen')).toHaveCount(1);
  await expect(row(page, 'Rahul Mehta')).toHaveCount(0);

  // And open again, from the keyboard: → on the header.
  await header(page, 'Platform Team').click();
  await expect(header(page, 'Platform Team')).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(header(page, 'Platform Team')).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('ArrowRight');
  await expect(header(page, 'Platform Team')).toHaveAttribute('aria-expanded', 'true');
  await expect(row(page, 'Rahul Mehta')).toHaveCount(1);
});

test('the filter narrows the list as you type: by name, address or title, any case and accents, across groups', async ({ chromiumBrowser, world }) => {
  const page = await openPeople(world, chromiumBrowser, { height: 2000 });
  // A collapsed group's people are found too.
  await header(page, 'Leadership').click();
  await expect(header(page, 'Leadership')).toHaveAttribute('aria-expanded', 'false');
  const names = () => tree(page).locator('.pperson-name').allTextContents();
  const box = filterBox(page);

  await box.fill('sofia');
  await expect.poll(names).toEqual(['Sofía Márquez']);
  await box.fill('WEISS');
  await expect.poll(names).toEqual(['Jonas Weiß']);
  await box.fill('qa engineer');
  await expect.poll(names).toEqual(['Mei Chen']);
  await box.fill('lene.aal');
  await expect.poll(names).toEqual(['Lene Aaling']);
  // Alex is a favourite and in Platform Team: once.
  await box.fill('alex');
  await expect.poll(names).toEqual(['Alex Rivera']);
  // Letter by letter, as typed.
  await box.fill('');
  await box.pressSequentially('bjö');
  await expect.poll(names).toEqual(['Björn Lindqvist']);

  await box.fill('zzzz');
  await expect(page.getByText('No one matches “zzzz”')).toBeVisible();
  await box.press('Escape');
  await expect(box).toHaveValue('');
  await expect(header(page, 'Favourites')).toBeVisible();
  expect(world.host.closed, 'Esc clearing the filter hid the window').toEqual([]);
});

test('a presence change at the server reaches the person’s dot', async ({ chromiumBrowser, world }) => {
  const page = await openPeople(world, chromiumBrowser);
  await filterBox(page).fill('kenji');
  const dot = row(page, 'Kenji Watanabe').locator('.presence-dot');
  await expect(dot).not.toHaveAttribute('aria-label', 'Unknown');

  world.sim.control.setPresence(sip('kenji.watanabe'), { availability: 'Busy', activity: 'in-a-meeting' });
  await expect(dot).toHaveAttribute('aria-label', 'Busy — In a meeting');
  await expect(dot).toHaveClass(/p-busy/);
  world.sim.control.setPresence(sip('kenji.watanabe'), { availability: 'DoNotDisturb', activity: null });
  await expect(dot).toHaveAttribute('aria-label', 'Do not disturb');
  await expect(row(page, 'Kenji Watanabe').locator('.pperson-presence')).toHaveText('Do not disturb');
  world.sim.control.setPresence(sip('kenji.watanabe'), { availability: 'Offline' });
  await expect(dot).toHaveAttribute('aria-label', 'Offline');
  world.sim.control.setPresence(sip('kenji.watanabe'), { note: 'Tokyo hours this week' });
  await expect(row(page, 'Kenji Watanabe').locator('.pperson-note')).toHaveText('Tokyo hours this week');
});

test('someone Away says for how long, from the server’s lastActive ("Away 20 min"), and it ages while the window stays open', async ({ chromiumBrowser, world }) => {
  // The page's clock is Playwright's (it runs as time does, and can jump): the minutes pass without waiting.
  const page = await openPeople(world, chromiumBrowser, { beforeLoad: (p) => p.clock.install() });
  // Mei is in Favourites, on screen without filtering (a filter would also search the directory).
  const mei = row(page, 'Mei Chen').first();
  // Away with no activity of its own: the time since they were last active is the detail.
  world.sim.control.setPresence(MEI, { availability: 'Away', activity: null, lastActive: Date.now() - 20 * 60_000 - 5_000 });
  await expect(mei.locator('.presence-dot')).toHaveClass(/p-away/);
  await expect(mei.locator('.pperson-presence')).toHaveText('Away 20 min');
  await expect(mei.locator('.presence-dot')).toHaveAttribute('aria-label', 'Away — Away 20 min');
  // Five minutes later, nothing new from the server: the words have aged (list and dot).
  await page.clock.fastForward('05:00');
  await expect(mei.locator('.pperson-presence')).toHaveText('Away 25 min');
  await expect(mei.locator('.presence-dot')).toHaveAttribute('aria-label', 'Away — Away 25 min');
  // An activity of its own says more than the time: no minutes then.
  world.sim.control.setPresence(MEI, { availability: 'Away', activity: 'off-work', lastActive: Date.now() - 20 * 60_000 });
  await expect(mei.locator('.pperson-presence')).toHaveText('Away · Off work');
});

test('Enter on a contact opens the chat with them, or starts a new conversation when there is none', async ({ chromiumBrowser, world }) => {
  const page = await openPeople(world, chromiumBrowser);
  // Someone with a one-to-one chat (the demo world's past conversations are with these colleagues).
  const contacts = (await world.service.contactList()).people;
  let withChat: { name: string; conversationId: number } | null = null;
  for (const p of contacts) {
    const chats = (await world.service.listChats({ contact: p.sip, limit: 50 })).items;
    const one = chats.find((c) => c.latest.participants.filter((x) => x.sip !== DEMO).length === 1 && c.latest.participants.some((x) => x.sip === p.sip));
    if (one && p.name) { withChat = { name: p.name, conversationId: one.latest.id }; break; }
  }
  if (!withChat) throw new Error('no contact with a one-to-one chat in the demo world');
  expect((await world.service.listChats({ contact: sip('rahul.mehta'), limit: 10 })).items).toEqual([]);

  const box = filterBox(page);
  await box.fill(withChat.name);
  await box.press('ArrowDown');
  await expect(tree(page)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: `Messages with ${withChat.name}` })).toBeVisible();

  // Nobody to continue with: a new conversation to them, ready to write.
  await box.fill('rahul');
  await box.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'New conversation' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'To' })).toHaveValue('rahul.mehta@contoso.com');
  const first = page.getByRole('textbox', { name: 'First message' });
  await expect(first).toBeFocused();
  await page.keyboard.type('Hello from the People view');
  await page.keyboard.press('Enter');
  const got = await until(() => world.sim.control.receivedMessages(DEMO).find((m) => m.text === 'Hello from the People view') ?? null, 'the message at the server', 15_000);
  expect(got.to).toContain(sip('rahul.mehta'));

  // A double click opens the chat too.
  await box.fill(withChat.name);
  await page.getByRole('button', { name: 'Settings' }).click();
  await row(page, withChat.name).dblclick();
  await expect(page.getByRole('region', { name: `Messages with ${withChat.name}` })).toBeVisible();
});

test('the contact card: presence, note, location, address, title, department, phone; live; Send IM; Esc closes', async ({ chromiumBrowser, world }) => {
  world.sim.control.setPresence(MEI, { availability: 'Busy', activity: 'in-a-meeting', note: 'Reviewing the 4.2 test plan', noteType: 'Personal', location: 'Building 20, Redmond' });
  const page = await openPeople(world, chromiumBrowser);
  await row(page, 'Mei Chen').click();
  const card = page.getByRole('region', { name: 'Mei Chen' });
  await expect(card.getByRole('heading', { name: 'Mei Chen' })).toBeVisible();
  await expect(card.locator('.card-presence')).toHaveText('Busy · In a meeting');
  await expect(field(card, 'IM address')).toHaveText('mei.chen@contoso.com');
  await expect(field(card, 'E-mail')).toHaveText('mei.chen@contoso.com');
  await expect(field(card, 'Title')).toHaveText('QA Engineer');
  await expect(field(card, 'Department')).toHaveText('Quality');
  await expect(field(card, 'Office')).toHaveText('20/2110');
  await expect(field(card, 'Work phone')).toHaveText('+14255550110');
  await expect(card.locator('.card-note')).toContainText('Note');
  await expect(card.locator('.card-note')).toContainText('Reviewing the 4.2 test plan');
  await expect(card.locator('.card-note')).toContainText('Building 20, Redmond');
  // The row the card came from is the selected one.
  await expect(row(page, 'Mei Chen').first()).toHaveAttribute('aria-selected', 'true');
  await shot(page, 'people-card-light');

  // Live while open: an out-of-office note says so.
  world.sim.control.setPresence(MEI, { note: 'Back on Monday', noteType: 'OutOfOffice', availability: 'Away' });
  await expect(card.locator('.card-oof')).toContainText('Out of office');
  await expect(card.locator('.card-oof')).toContainText('Back on Monday');
  await expect(card.locator('.card-presence')).toContainText('Away');

  // Esc closes the card (and does not hide the window).
  await card.getByRole('heading', { name: 'Mei Chen' }).click();
  await card.getByRole('button', { name: 'Send IM' }).focus();
  await page.keyboard.press('Escape');
  await expect(card).toBeHidden();
  expect(world.host.closed).toEqual([]);

  // Space on a row opens it from the keyboard; Send IM opens the chat with her (or a new one).
  await filterBox(page).fill('mei');
  await filterBox(page).press('ArrowDown');
  await page.keyboard.press('Space');
  await expect(card).toBeVisible();
  await expect(tree(page)).toBeFocused(); // browsing on stays possible
  const chats = (await world.service.listChats({ contact: MEI, limit: 50 })).items;
  const one = chats.find((c) => c.latest.participants.filter((x) => x.sip !== DEMO).length === 1);
  await card.getByRole('button', { name: 'Send IM' }).click();
  if (one) await expect(page.getByRole('region', { name: 'Messages with Mei Chen' })).toBeVisible();
  else await expect(page.getByRole('combobox', { name: 'To' })).toHaveValue('mei.chen@contoso.com');
});

test('Add to Favourites and Remove from Favourites, from the card', async ({ chromiumBrowser, world }) => {
  const TOSH = sip('tosh.meston');
  const page = await openPeople(world, chromiumBrowser, { height: 2000 });
  await expect.poll(() => membersShown(page, 'Favourites')).not.toContain('Tosh Meston');
  await row(page, 'Tosh Meston').click();
  const card = page.getByRole('region', { name: 'Tosh Meston' });
  await card.getByRole('button', { name: 'Add to Favourites' }).click();
  await expect(card.getByRole('alert')).toHaveCount(0);
  await expect(card.getByRole('button', { name: 'Remove from Favourites' })).toBeVisible();
  await expect.poll(() => membersShown(page, 'Favourites')).toContain('Tosh Meston');
  expect(world.sim.control.contactList(DEMO).find((g) => g.kind === 'pinnedGroup')?.members).toContain(TOSH);

  await card.getByRole('button', { name: 'Remove from Favourites' }).click();
  await expect(card.getByRole('button', { name: 'Add to Favourites' })).toBeVisible();
  await expect.poll(() => membersShown(page, 'Favourites')).not.toContain('Tosh Meston');
  expect(world.sim.control.contactList(DEMO).find((g) => g.kind === 'pinnedGroup')?.members).not.toContain(TOSH);
});

test('the Chats | People switch from the keyboard: arrow keys, Ctrl+2 / Ctrl+1, and Ctrl+F back to search', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const chatsTab = page.getByRole('tab', { name: 'Chats' });
  const peopleTab = page.getByRole('tab', { name: 'People' });
  await expect(chatsTab).toHaveAttribute('aria-selected', 'true');
  await chatsTab.focus();
  await page.keyboard.press('ArrowRight');
  await expect(peopleTab).toBeFocused();
  await expect(peopleTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'People' }).getByRole('tree', { name: 'Contacts' })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(chatsTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Chats' }).getByRole('listbox', { name: 'Conversations' })).toBeVisible();

  // Ctrl+2: People, ready to type a name.
  await page.getByRole('listbox', { name: 'Conversations' }).focus();
  await page.keyboard.press('Control+2');
  await expect(filterBox(page)).toBeFocused();
  await page.keyboard.type('mei');
  await expect(tree(page).locator('.pperson-name')).toHaveText(['Mei Chen']);
  // Ctrl+1: back to the chats, the list focused; Ctrl+F from People goes to Chats' search.
  await page.keyboard.press('Control+1');
  await expect(page.getByRole('listbox', { name: 'Conversations' })).toBeFocused();
  await page.keyboard.press('Control+2');
  await expect(filterBox(page)).toBeFocused();
  await page.keyboard.press('Control+f');
  await expect(page.getByRole('searchbox', { name: 'Search messages, people and conversations' })).toBeFocused();
  await expect(chatsTab).toHaveAttribute('aria-selected', 'true');

  // The tree from the keyboard: ← from a person goes to its group.
  await page.keyboard.press('Control+2');
  await filterBox(page).fill('');
  await filterBox(page).press('ArrowDown');
  await expect(tree(page)).toBeFocused();
  const active = () => tree(page).evaluate((el) => document.getElementById(el.getAttribute('aria-activedescendant') ?? '')?.textContent ?? '');
  await expect.poll(active).toContain('Alex Rivera');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(active).toMatch(/Favourites/);
  await expect.poll(active).not.toContain('Alex Rivera');
  // The sheet lists the new keys.
  await page.keyboard.press('Control+/');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  for (const k of ['Ctrl+1', 'Ctrl+2', 'Space']) await expect(sheet.locator('kbd', { hasText: k }).first()).toBeVisible();
});

test('signed out, the list is the one last seen, and says presence is not live', async ({ chromiumBrowser, world }) => {
  const page = await openPeople(world, chromiumBrowser);
  await world.service.signOut();
  await expect(page.getByText(/Presence isn’t live while you’re signed out/)).toBeVisible();
  await page.reload();
  await expect(header(page, 'Favourites')).toBeVisible();
  await expect(row(page, 'Mei Chen')).toHaveCount(1);
  await expect(page.getByText(/Presence isn’t live while you’re signed out/)).toBeVisible();
});

test('no contacts yet: said in words', async ({ chromiumBrowser, world }) => {
  // Never signed in: the cache holds no list.
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('tab', { name: 'People' }).click();
  await expect(page.getByText('No contacts yet')).toBeVisible();
});

test('1 000 people in 30 groups render with a bounded DOM, and the last is reachable from the keyboard', async ({ chromiumBrowser, world }) => {
  const N = 1000;
  const groups = Array.from({ length: 30 }, (_, g) => ({
    serverId: g === 0 ? 'pinned' : `g${g}`, kind: g === 0 ? ('pinned' as const) : ('user' as const), name: g === 0 ? 'Pinned Contacts' : `Team ${g}`, members: [] as string[],
  }));
  const people = Array.from({ length: N }, (_, i) => {
    const s = `sip:person${String(i).padStart(4, '0')}@contoso.com`;
    groups[i % 30]!.members.push(s);
    return { sip: s, name: `Person ${String(i).padStart(4, '0')}`, title: 'Engineer' };
  });
  await world.store.replaceContactList({ groups, people });
  const page = await world.open(chromiumBrowser, 'history');
  await page.getByRole('tab', { name: 'People' }).click();
  await expect(header(page, 'Favourites')).toBeVisible();
  const rendered = await tree(page).locator('[role=treeitem]').count();
  expect(rendered, 'treeitems in the DOM').toBeLessThan(60);
  // The list takes the focus (its first row active), then End. Twice in CI the key was lost —
  // the list still at its top, focus elsewhere after the list's first data arrived — so the user's
  // step is retried (bounded) rather than raced; the last row must still come from the keyboard.
  await expect(async () => {
    await tree(page).focus();
    await expect(tree(page)).toBeFocused({ timeout: 500 });
    await expect(tree(page)).toHaveAttribute('aria-activedescendant', /.+/, { timeout: 500 });
    await page.keyboard.press('End');
    // The last group (Team 29) ends with person 989.
    await expect(row(page, 'Person 0989')).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  expect(await tree(page).locator('[role=treeitem]').count()).toBeLessThan(60);
  await filterBox(page).fill('person 0421');
  await expect(tree(page).locator('.pperson-name')).toHaveText(['Person 0421']);
});

test.describe('another account', () => {
  // The shell's account service: one store per account, as the app has it.
  test.use({ accounts: true });

  test('signing out and in as another account with the window open shows that account’s people, not the one before', async ({ chromiumBrowser, world }) => {
    const demo2 = { sip: sip('demo2'), password: 'demo', server: world.sim.url };
    // The other account has signed in on this computer before: its list is in its store, so its
    // sign-in changes nothing there (no 'contactList' event tells the window).
    expect((await world.service.signIn(demo2)).status).toBe('online');
    await expect.poll(async () => (await world.service.contactList()).groups.some((g) => g.name === 'Friends')).toBe(true);
    await world.service.signOut();
    const page = await openPeople(world, chromiumBrowser, { height: 2000 });
    await expect.poll(() => membersShown(page, 'Favourites')).toEqual(['Alex Rivera', 'Devon Demo', 'Lene Aaling', 'Mei Chen']);
    await expect(header(page, 'Leadership')).toBeVisible();

    // Signed out, the same account's list stays on screen (the window keeps it).
    await world.service.signOut();
    await expect(page.locator('.me-status')).toContainText(/signed out|offline/i);
    await expect.poll(() => membersShown(page, 'Favourites')).toEqual(['Alex Rivera', 'Devon Demo', 'Lene Aaling', 'Mei Chen']);

    // Another account signs in (its own store): the window shows its list, its cards, its name.
    expect((await world.service.signIn(demo2)).status).toBe('online');
    await expect(page.locator('.me-name')).toHaveText('Devon Demo');
    await expect.poll(() => membersShown(page, 'Favourites')).toEqual(['Alex Rivera', 'Dana Demo', 'Hannah Schulz']);
    await expect.poll(() => headerNames(page)).toContain('Friends');
    await expect(header(page, 'Leadership')).toHaveCount(0);
    await expect.poll(() => membersShown(page, 'Friends')).toEqual(['Amélie Durand', 'Mei Chen']);

    // Presence of the new account's people arrives (its service was asked to watch them).
    world.sim.control.setPresence(sip('hannah.schulz'), { availability: 'Busy', activity: 'in-a-meeting' });
    await expect(row(page, 'Hannah Schulz').first().locator('.presence-dot')).toHaveAttribute('aria-label', 'Busy — In a meeting');

    // Collapsing acts on this account's group (its id in this account's store).
    await header(page, 'Friends').click();
    await expect(header(page, 'Friends')).toHaveAttribute('aria-expanded', 'false');
    await expect.poll(async () => (await world.service.contactList()).groups.find((g) => g.name === 'Friends')?.collapsed).toBe(true);
  });
});
