import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALL_TRAY_ICONS, badgeCount, badgeLabel, overlayIconFile, presenceIcon, trayIconFile, trayIconKind, trayMenuModel, trayTooltip,
  type MenuItemModel, type TrayState,
} from '../../main/electron/tray.ts';

const root = join(import.meta.dirname, '..', '..');

function state(over: Partial<TrayState> & { status?: TrayState['session']['status']; availability?: TrayState['session']['availability']; unread?: TrayState['unread'] } = {}): TrayState {
  return {
    session: { status: over.status ?? 'online', availability: over.availability === undefined ? 'Online' : over.availability, user: { sip: 'sip:demo@contoso.com', name: 'Dana' }, demo: false },
    unread: over.unread ?? { unreadChats: 0, missedChats: 0 },
    latest: over.latest ?? [],
    settings: over.settings ?? { doNotDisturb: 'silent' },
    platform: over.platform ?? 'win32',
  };
}
const ids = (m: MenuItemModel[]) => m.map((i) => (i.kind === 'separator' ? '-' : i.id));

test('presence icon follows availability; not signed in → offline', () => {
  assert.equal(presenceIcon(state().session), 'online');
  assert.equal(presenceIcon(state({ availability: 'Busy' }).session), 'busy');
  assert.equal(presenceIcon(state({ availability: 'DoNotDisturb' }).session), 'dnd');
  assert.equal(presenceIcon(state({ availability: 'Away' }).session), 'away');
  assert.equal(presenceIcon(state({ availability: 'BeRightBack' }).session), 'away');
  assert.equal(presenceIcon(state({ availability: 'Offwork' }).session), 'away');
  assert.equal(presenceIcon(state({ status: 'reauthenticating', availability: 'Busy' }).session), 'busy', 'a token refresh is not offline');
  for (const status of ['signedOut', 'error', 'reconnecting', 'discovering', 'signingOut'] as const) {
    assert.equal(presenceIcon(state({ status, availability: 'Online' }).session), 'offline', status);
  }
});

test('badge count, label and unread icon (1–9, 9+)', () => {
  assert.equal(badgeLabel(0), '');
  assert.equal(badgeLabel(1), '1');
  assert.equal(badgeLabel(9), '9');
  assert.equal(badgeLabel(10), '9+');
  assert.equal(trayIconKind(state()), 'online');
  assert.equal(trayIconKind(state({ unread: { unreadChats: 3, missedChats: 0 } })), 'unread-3');
  assert.equal(trayIconKind(state({ unread: { unreadChats: 9, missedChats: 0 } })), 'unread-9');
  assert.equal(trayIconKind(state({ unread: { unreadChats: 42, missedChats: 0 } })), 'unread-9plus');
});

test('Do not disturb: silent hides the count, badgeOnly keeps it', () => {
  const unread = { unreadChats: 2, missedChats: 0 };
  assert.equal(badgeCount(state({ availability: 'DoNotDisturb', unread })), 0);
  assert.equal(trayIconKind(state({ availability: 'DoNotDisturb', unread })), 'dnd');
  assert.equal(badgeCount(state({ availability: 'DoNotDisturb', unread, settings: { doNotDisturb: 'badgeOnly' } })), 2);
  assert.equal(badgeCount(state({ availability: 'Busy', unread })), 2);
});

test('icon files per platform exist in build/tray (macOS template images)', () => {
  for (const kind of ALL_TRAY_ICONS) {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const file = trayIconFile(kind, platform);
      if (platform === 'darwin') assert.match(file, /Template\.png$/);
      assert.ok(existsSync(join(root, 'build', 'tray', file)), `build/tray/${file}`);
      if (platform !== 'linux') assert.ok(existsSync(join(root, 'build', 'tray', file.replace('.png', '@2x.png'))), `@2x of ${file}`);
    }
    assert.ok(existsSync(join(root, 'build', 'tray', `tray-${kind}.ico`)), `${kind}.ico`);
  }
  assert.equal(overlayIconFile(0), null);
  assert.equal(overlayIconFile(4), 'overlay-4.png');
  assert.equal(overlayIconFile(12), 'overlay-9plus.png');
  for (const f of ['overlay-1.png', 'overlay-9plus.png']) assert.ok(existsSync(join(root, 'build', f)), f);
});

test('tooltip with status and counts, capped for Windows', () => {
  assert.equal(trayTooltip(state()), 'UCWA Tray — Available');
  assert.equal(trayTooltip(state({ availability: 'Busy', unread: { unreadChats: 3, missedChats: 1 } })), 'UCWA Tray — Busy — 3 unread conversations, 1 missed');
  assert.equal(trayTooltip(state({ unread: { unreadChats: 1, missedChats: 0 } })), 'UCWA Tray — Available — 1 unread conversation');
  assert.equal(trayTooltip(state({ status: 'signedOut', availability: null })), 'UCWA Tray — Not signed in');
  assert.equal(trayTooltip(state({ status: 'reconnecting' })), 'UCWA Tray — Reconnecting…');
  assert.ok(trayTooltip(state({ unread: { unreadChats: 1e15, missedChats: 1e15 } })).length <= 127);
});

test('menu when online: presence choices with the current one checked, history, sign out, quit', () => {
  const m = trayMenuModel(state({ availability: 'Busy' }));
  assert.deepEqual(ids(m), ['history', '-', 'presence-Online', 'presence-Busy', 'presence-DoNotDisturb', 'presence-BeRightBack', 'presence-Away', 'sign-out', 'sign-out-forget', '-', 'quit']);
  const labels = m.flatMap((i) => (i.kind === 'item' ? [i.label] : []));
  assert.deepEqual(labels.slice(1, 8), ['Available', 'Busy', 'Do not disturb', 'Be right back', 'Away', 'Sign out', 'Sign out and forget me']);
  const checked = m.filter((i) => i.kind === 'item' && i.checked).map((i) => (i.kind === 'item' ? i.id : ''));
  assert.deepEqual(checked, ['presence-Busy']);
  const dnd = m.find((i) => i.kind === 'item' && i.id === 'presence-DoNotDisturb');
  assert.deepEqual(dnd?.kind === 'item' && dnd.action, { type: 'setAvailability', availability: 'DoNotDisturb' });
  const quit = m.at(-1);
  assert.deepEqual(quit?.kind === 'item' && quit.action, { type: 'quit' });
});

test('menu lists the latest unread conversations (at most 5) that open the quick reply', () => {
  const latest = Array.from({ length: 7 }, (_, i) => ({
    id: i + 1, subject: '', preview: `hello & ${'x'.repeat(i * 20)}`, participants: [{ sip: `sip:p${i}@contoso.com`, name: i === 0 ? '' : `Person ${i}` }],
  }));
  const m = trayMenuModel(state({ latest, unread: { unreadChats: 7, missedChats: 0 } }));
  const convs = m.filter((i) => i.kind === 'item' && i.id.startsWith('conversation-'));
  assert.equal(convs.length, 5);
  const first = convs[0]!;
  assert.ok(first.kind === 'item');
  assert.deepEqual(first.action, { type: 'openConversation', conversationId: 1 });
  assert.equal(first.label, 'p0@contoso.com: hello &&', 'falls back to the address; & escaped (no mnemonic)');
  for (const c of convs) assert.ok(c.kind === 'item' && c.label.length <= 62);
  assert.equal(ids(m)[0], 'unread-header');
});

test('menu when signed out: Sign in…, no presence; while connecting: status + sign out', () => {
  const out = trayMenuModel(state({ status: 'signedOut', availability: null }));
  assert.deepEqual(ids(out), ['history', '-', 'status', 'sign-in', '-', 'quit']);
  const err = trayMenuModel(state({ status: 'error', availability: null }));
  assert.ok(ids(err).includes('sign-in'));
  const conn = trayMenuModel(state({ status: 'reconnecting' }));
  assert.deepEqual(ids(conn), ['history', '-', 'status', 'sign-out', 'sign-out-forget', '-', 'quit']);
  for (const id of ['sign-out', 'sign-out-forget']) {
    const signingOut = trayMenuModel(state({ status: 'signingOut' })).find((i) => i.kind === 'item' && i.id === id);
    assert.equal(signingOut?.kind === 'item' && signingOut.enabled, false, id);
  }
  assert.ok(!ids(out).includes('sign-out-forget'), 'nothing to sign out of');
});

test('Sign out keeps the remembered password; "Sign out and forget me" asks to forget it', () => {
  for (const status of ['online', 'reconnecting', 'authenticating'] as const) {
    const m = trayMenuModel(state({ status }));
    const action = (id: string) => {
      const item = m.find((i) => i.kind === 'item' && i.id === id);
      return item?.kind === 'item' ? item.action : null;
    };
    assert.deepEqual(action('sign-out'), { type: 'signOut' }, status);
    assert.deepEqual(action('sign-out-forget'), { type: 'signOut', forget: true }, status);
    const labels = m.flatMap((i) => (i.kind === 'item' ? [i.label] : []));
    assert.ok(labels.includes('Sign out and forget me'), status);
  }
});

test('Linux: the menu always starts with Show (indicators report no left click)', () => {
  for (const status of ['online', 'signedOut', 'reconnecting'] as const) {
    const m = trayMenuModel(state({ status, platform: 'linux' }));
    assert.equal(ids(m)[0], 'show');
    const show = m[0]!;
    assert.deepEqual(show.kind === 'item' && show.action, { type: 'show' });
  }
  assert.ok(!ids(trayMenuModel(state({ platform: 'darwin' }))).includes('show'));
});
