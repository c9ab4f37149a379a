/// <reference lib="dom" />
// Group conversations in the renderer (issue 14), over the real core and the simulator's conferences:
// a group invitation in the popup (who invites, who else, the subject) accepted there; the roster with
// presence; joined / left lines in the transcript, which are not messages; each member's name on their
// messages; Add people growing a live one-to-one into a group; Leave; and New conversation with two
// chips starting a group on the server.
import type { Browser, Page } from '@playwright/test';
import type { InvitationInfo } from '../../main/ipc/contract.ts';
import { test, expect, shot } from './fixtures.ts';
import { DEMO, until, type World } from './harness.ts';

// The colleagues' presence stays as the test sets it (no working-day rhythm).
test.use({ simOptions: { presenceRhythm: false } });

const sip = (user: string) => `sip:${user}@contoso.com`;
const LENE = sip('lene.aaling');
const MEI = sip('mei.chen');
const KENJI = sip('kenji.watanabe');
const AMELIE = sip('amelie.durand');
// Both echo in the demo world: they answer, and so join what they are invited to.
const ALEX = sip('alex.rivera');
const LARS = sip('lars.nilsson');
// Not the subject of the demo world's own group invitation (Rahul's, soon after every sign-in).
const SUBJECT = 'Budget sign-off for Q3';

const roster = (page: Page) => page.getByRole('list', { name: 'People in this conversation' });
const member = (page: Page, name: string) => roster(page).getByRole('listitem').filter({ hasText: name });
const lines = (page: Page) => page.locator('.transcript .sys-line');
const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });
const title = (page: Page) => page.locator('.pane-header').getByRole('heading', { level: 2 });

/** The next group invitation from Lene the core raises (subscribed before anything is sent; the
 * demo world's Rahul invites to a group of his own after sign-in). */
function nextGroupInvitation(world: World): Promise<InvitationInfo> {
  return new Promise((resolve) => {
    const off = world.service.on('invitation', (inv) => {
      if (!inv.group || inv.from?.sip !== LENE) return;
      off();
      resolve(inv);
    });
  });
}

/** The server's conference of `confId` as it holds it now. */
function conference(world: World, confId: string) {
  return world.sim.control.conferences().find((c) => c.id === confId);
}

/** Lene invites you into a group with Mei and Kenji; accepted from the core; the chat open in the history window. */
async function inGroup(world: World, browser: Browser): Promise<{ page: Page; confId: string; conversationId: number }> {
  await world.signIn();
  const page = await world.open(browser, 'history');
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option').first()).toBeVisible();
  const invited = nextGroupInvitation(world);
  const confId = await world.sim.control.groupInvite({ from: LENE, to: DEMO, others: [MEI, KENJI], subject: SUBJECT, text: 'Shall we decide on the release?' });
  const { conversationId } = await invited;
  await world.service.accept(conversationId);
  await until(() => world.service.liveState(conversationId)?.groupPhase === 'connected', 'in the group', 15_000);
  await world.host.showWindow('history', { to: 'conversation', conversationId });
  await expect(roster(page)).toBeVisible();
  return { page, confId, conversationId };
}

/** Signed in; Lene invites you into a group with Mei and Kenji; the popup opened at it, as the notification's click does. */
async function invitedInPopup(world: World, browser: Browser) {
  await world.signIn();
  const invited = nextGroupInvitation(world);
  const confId = await world.sim.control.groupInvite({ from: LENE, to: DEMO, others: [MEI, KENJI], subject: SUBJECT, text: 'Shall we decide on the release?' });
  const inv = await invited;
  world.host.pending.set('popup', { to: 'conversation', conversationId: inv.conversationId });
  const popup = await world.open(browser, 'popup');
  const banner = popup.locator('.banner.invite');
  await expect(banner).toContainText('Lene Aaling invites you to a group conversation');
  return { confId, inv, popup, banner };
}

test('a group invitation in the popup says who invites, who else is in it and the subject; Accept joins, the roster shows them with presence', async ({ chromiumBrowser, world }) => {
  world.sim.control.setPresence(MEI, { availability: 'Busy', activity: 'in-a-meeting' });
  world.sim.control.setPresence(KENJI, { availability: 'Away', activity: null });
  const { confId, inv, popup, banner } = await invitedInPopup(world, chromiumBrowser);
  await expect(popup.getByRole('heading', { level: 1 })).toHaveText(SUBJECT);
  await expect(banner).toContainText(/With (Mei Chen and Kenji Watanabe|Kenji Watanabe and Mei Chen)/);
  await expect(banner).toContainText(`Subject: ${SUBJECT}`);
  await shot(popup, 'groups-popup-invitation');
  await banner.getByRole('button', { name: 'Accept' }).click();
  await expect(banner).toBeHidden();
  await until(() => world.service.liveState(inv.conversationId)?.groupPhase === 'connected', 'in the group', 15_000);
  await until(() => conference(world, confId)?.members.some((m) => m.uri === DEMO && m.inIm), 'you in the conference’s IM at the server', 15_000);

  // The chat in the history window: its name is the subject; the roster lists the others, with presence.
  const page = await world.open(chromiumBrowser, 'history');
  await world.host.showWindow('history', { to: 'conversation', conversationId: inv.conversationId });
  await expect(title(page)).toHaveText(SUBJECT);
  await expect(roster(page).getByRole('listitem')).toHaveCount(3);
  await expect(member(page, 'Lene Aaling')).toContainText('Leader');
  await expect(member(page, 'Mei Chen').getByRole('img')).toHaveAccessibleName('Busy — In a meeting');
  await expect(member(page, 'Mei Chen')).toContainText('Busy');
  await expect(member(page, 'Kenji Watanabe').getByRole('img')).toHaveAccessibleName('Away');
  // Live: a change of presence reaches the roster's dot.
  world.sim.control.setPresence(KENJI, { availability: 'Online', activity: null });
  await expect(member(page, 'Kenji Watanabe').getByRole('img')).toHaveAccessibleName('Available');
  await shot(page, 'groups-roster-light');
});

test('Decline on a group invitation in the popup: the banner goes, you are not in the meeting, the others carry on', async ({ chromiumBrowser, world }) => {
  const { confId, inv, popup, banner } = await invitedInPopup(world, chromiumBrowser);
  await banner.getByRole('button', { name: 'Decline' }).click();
  await expect(banner).toBeHidden();
  // The core told the server (the invitation ended as declined), and you never joined its IM.
  await until(() => world.service.liveState(inv.conversationId)?.invitation?.state === 'declined', 'declined', 15_000);
  const conf = conference(world, confId);
  expect(conf, 'the meeting goes on without you').toBeTruthy();
  expect(conf!.members.some((m) => m.uri === DEMO && m.inIm)).toBe(false);
  expect(conf!.members.some((m) => m.uri === LENE)).toBe(true);
  // What Lene wrote with her invitation stays readable; nothing asks to be accepted any more.
  await expect(popup.getByRole('log')).toContainText('Shall we decide on the release?');
  await expect(popup.getByRole('button', { name: 'Accept' })).toHaveCount(0);
});

test('someone joins and someone leaves: "joined" / "left" lines among the messages, the roster follows; each member’s name on their messages', async ({ chromiumBrowser, world }) => {
  const { page, confId } = await inGroup(world, chromiumBrowser);
  await expect(member(page, 'Mei Chen')).toHaveCount(1);
  await expect(member(page, 'Amélie Durand')).toHaveCount(0);

  await world.sim.control.groupJoin(confId, AMELIE);
  await expect(lines(page).filter({ hasText: 'Amélie Durand joined' })).toBeVisible();
  await expect(member(page, 'Amélie Durand')).toHaveCount(1);

  await world.sim.control.groupLeave(confId, MEI);
  await expect(lines(page).filter({ hasText: 'Mei Chen left' })).toBeVisible();
  await expect(member(page, 'Mei Chen')).toHaveCount(0);
  // In the order they happened.
  const said = await lines(page).allTextContents();
  expect(said.findIndex((t) => t.includes('Amélie Durand joined'))).toBeLessThan(said.findIndex((t) => t.includes('Mei Chen left')));

  // Two members write: each group of bubbles carries its author's name.
  await world.sim.control.groupSay(confId, LENE, 'Numbers look fine to me');
  await world.sim.control.groupSay(confId, KENJI, 'Network is ready as well');
  const lene = page.locator('.msg', { hasText: 'Numbers look fine to me' });
  const kenji = page.locator('.msg', { hasText: 'Network is ready as well' });
  await expect(lene.locator('.msg-author')).toHaveText('Lene Aaling');
  await expect(kenji.locator('.msg-author')).toHaveText('Kenji Watanabe');
  // The lines are not messages: not among the bubbles, not stored, not found by search.
  await expect(page.locator('.msg', { hasText: 'joined' })).toHaveCount(0);
  expect((await world.service.searchMessages('joined', {})).total).toBe(0);
  await shot(page, 'groups-lines');
});

test('Add people on a live one-to-one: it grows into a group in place, the roster shows both, the header the group’s name', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  const { conversationId } = await world.service.startConversation(ALEX, 'Hello Alex');
  await until(() => world.service.liveState(conversationId)?.connection === 'connected', 'the one-to-one connected', 15_000);
  await world.host.showWindow('history', { to: 'conversation', conversationId });
  await expect(title(page)).toHaveText('Alex Rivera');
  await expect(roster(page)).toHaveCount(0);

  await page.getByRole('button', { name: 'Add people' }).click();
  const to = page.getByRole('combobox', { name: 'Add people' });
  await expect(to).toBeFocused();
  await to.fill('Lars');
  await page.getByRole('listbox', { name: 'People' }).getByRole('option', { name: /Lars Nilsson/ }).click();
  await expect(page.locator('.add-people .chip')).toHaveAttribute('data-sip', LARS);
  // Alex is in it already: not offered again ("ra" finds him and Rahul Mehta; only Rahul is offered).
  await to.fill('ra');
  await expect(page.getByRole('listbox', { name: 'People' }).getByRole('option', { name: /Rahul Mehta/ })).toBeVisible();
  await expect(page.getByRole('listbox', { name: 'People' }).getByRole('option', { name: /Alex Rivera/ })).toHaveCount(0);
  await to.fill('');
  await page.getByRole('button', { name: 'Add', exact: true }).click();

  await expect(roster(page)).toBeVisible({ timeout: 15_000 });
  await expect(member(page, 'Lars Nilsson')).toHaveCount(1, { timeout: 15_000 });
  await expect(member(page, 'Alex Rivera')).toHaveCount(1);
  await expect(title(page)).toHaveText('Alex and Lars');
  // The same conversation, a group now, at the server too.
  expect(world.service.liveState(conversationId)?.group).toBe(true);
  await until(() => world.sim.control.conferences(DEMO).some((c) => [ALEX, LARS].every((u) => c.members.some((m) => m.uri === u))), 'Alex and Lars in the conference', 15_000);
});

test('Leave: "You left" ends the transcript and the composer is closed; the server no longer has you', async ({ chromiumBrowser, world }) => {
  const { page, confId } = await inGroup(world, chromiumBrowser);
  await expect(composer(page)).toBeEnabled();
  await expect(lines(page).filter({ hasText: 'You left' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Leave' }).click();
  await expect(lines(page).filter({ hasText: 'You left' })).toBeVisible();
  await expect(composer(page)).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Leave' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add people' })).toHaveCount(0);
  await until(() => !conference(world, confId)?.members.some((m) => m.uri === DEMO), 'you gone from the conference', 15_000);
});

test('New conversation with two chips starts a group (with a subject) that has both at the server', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const page = await world.open(chromiumBrowser, 'history');
  await page.keyboard.press('Control+n');
  const to = page.getByRole('combobox', { name: 'To' });
  const people = page.getByRole('listbox', { name: 'People' });
  const chips = page.locator('.new-conversation .chip');
  const subject = page.getByRole('textbox', { name: /^Subject/ });
  const pick = async (typed: string, name: string) => {
    await to.fill(typed);
    await expect(people.getByRole('option').first()).toContainText(name);
    await to.press('Enter');
    await expect(to).toHaveValue('');
  };

  await pick('Alex', 'Alex Rivera');
  await expect(chips).toHaveCount(1);
  await expect(subject).toHaveCount(0); // one person: a one-to-one, no subject
  await pick('Lars', 'Lars Nilsson');
  await expect(chips).toHaveCount(2);
  await expect(subject).toBeVisible();
  // A third by mistake: its remove button; another: Backspace in the empty field.
  await pick('Mei', 'Mei Chen');
  await page.getByRole('button', { name: 'Remove Mei Chen' }).click();
  await expect(to).toBeFocused();
  await pick('Kenji', 'Kenji Watanabe');
  await expect(chips).toHaveCount(3);
  await to.press('Backspace');
  await expect(chips).toHaveCount(2);
  expect(await chips.evaluateAll((els) => els.map((e) => e.getAttribute('data-sip')))).toEqual([ALEX, LARS]);

  await subject.fill('Launch plan');
  const first = page.getByRole('textbox', { name: 'First message' });
  await first.fill('Hello both');
  await first.press('Enter');

  // The group opens: its name is the subject, its roster the two.
  await expect(title(page)).toHaveText('Launch plan', { timeout: 15_000 });
  await expect(member(page, 'Alex Rivera')).toHaveCount(1, { timeout: 15_000 });
  await expect(member(page, 'Lars Nilsson')).toHaveCount(1, { timeout: 15_000 });
  // At the server: one conference with both, its subject, and the first message from you.
  const conf = await until(() => world.sim.control.conferences(DEMO).find((c) => [ALEX, LARS].every((u) => c.members.some((m) => m.uri === u))), 'a conference with Alex and Lars', 15_000);
  expect(conf.subject).toBe('Launch plan');
  await until(() => conference(world, conf.id)?.messages.some((m) => m.from === DEMO && m.text === 'Hello both'), 'the first message in the conference', 15_000);
});

test('a meeting link typed in New conversation joins that meeting’s conversation; a link to no meeting is said in words', async ({ chromiumBrowser, world }) => {
  await world.signIn();
  const meeting = await world.sim.control.scheduleMeeting({ organizer: LENE, subject: 'Design review', members: [MEI] });
  const page = await world.open(chromiumBrowser, 'history');
  await page.keyboard.press('Control+n');
  const to = page.getByRole('combobox', { name: 'To' });
  await to.fill('https://meet.contoso.com/lene.aaling/NOSUCH99');
  await page.getByRole('button', { name: 'Join the meeting' }).click();
  await expect(page.getByRole('alert')).toContainText('No meeting was found');
  await to.fill(meeting.joinUrl);
  await page.getByRole('button', { name: 'Join the meeting' }).click();
  await expect(title(page)).toHaveText('Design review');
  await expect(member(page, 'Mei Chen')).toBeVisible();
  // Its IM is live: a message reaches the meeting at the server.
  await composer(page).fill('joined from the link');
  await composer(page).press('Enter');
  await until(() => world.sim.control.conferences(DEMO).some((c) => c.subject === 'Design review' && c.messages.some((m) => m.text === 'joined from the link')), 'the message in the meeting');
});
