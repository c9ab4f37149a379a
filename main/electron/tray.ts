// What the tray shows, as pure functions of the state: icon, badge, tooltip and the context menu
// model. main.ts turns the model into an Electron Menu (the only line touching the OS).
import type { Availability, Conversation, SessionState, Settings, UnreadCounts } from '../ipc/contract.ts';
import { availabilityLabel } from './presenceLabel.ts';

export type PresenceIcon = 'offline' | 'online' | 'busy' | 'dnd' | 'away';
/** Badge label on an unread icon: '1'…'9', '9plus'. */
export type UnreadIcon = `unread-${'1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '9plus'}`;
export type TrayIconKind = PresenceIcon | UnreadIcon;

export const PRESENCE_ICONS: readonly PresenceIcon[] = ['offline', 'online', 'busy', 'dnd', 'away'];
export const UNREAD_ICONS: readonly UnreadIcon[] = [
  'unread-1', 'unread-2', 'unread-3', 'unread-4', 'unread-5', 'unread-6', 'unread-7', 'unread-8', 'unread-9', 'unread-9plus',
];
export const ALL_TRAY_ICONS: readonly TrayIconKind[] = [...PRESENCE_ICONS, ...UNREAD_ICONS];

export interface TrayState {
  session: Pick<SessionState, 'status' | 'availability' | 'user' | 'demo'>;
  unread: UnreadCounts;
  /** Latest unread conversations (newest first). */
  latest: Pick<Conversation, 'id' | 'participants' | 'subject' | 'preview'>[];
  settings: Pick<Settings, 'doNotDisturb'>;
  platform: NodeJS.Platform;
  /** The Favourites (the server's pinned group) in the contact list's order, with their presence. */
  favourites?: readonly FavouriteEntry[];
}

export interface FavouriteEntry {
  sip: string;
  name: string;
  /** The server's token; null until read. */
  availability: string | null;
  activity: string;
}

/** Statuses in which the user still counts as signed in (token refresh, application re-created). */
const SHOWS_PRESENCE = new Set(['online', 'makingAvailable', 'reauthenticating', 'recreatingApplication']);
const CONNECTING = new Set(['discovering', 'authenticating', 'creatingApplication', 'reauthenticating', 'recreatingApplication', 'reconnecting']);

export function presenceIcon(session: TrayState['session']): PresenceIcon {
  if (!SHOWS_PRESENCE.has(session.status)) return 'offline';
  switch (session.availability) {
    case 'Busy': return 'busy';
    case 'DoNotDisturb': return 'dnd';
    case 'Away': case 'BeRightBack': case 'Offwork': return 'away';
    default: return 'online';
  }
}

/** The number on the tray/dock badge; 0 while Do not disturb is 'silent'. */
export function badgeCount(state: Pick<TrayState, 'session' | 'unread' | 'settings'>): number {
  if (state.session.availability === 'DoNotDisturb' && state.settings.doNotDisturb === 'silent') return 0;
  return Math.max(0, Math.floor(state.unread.unreadChats));
}

export function badgeLabel(count: number): string {
  if (count <= 0) return '';
  return count > 9 ? '9+' : String(Math.floor(count));
}

export function trayIconKind(state: Pick<TrayState, 'session' | 'unread' | 'settings'>): TrayIconKind {
  const n = badgeCount(state);
  if (n > 0) return n > 9 ? 'unread-9plus' : (`unread-${n}` as UnreadIcon);
  return presenceIcon(state.session);
}

/**
 * File (relative to build/tray) for an icon kind: macOS gets black+alpha template images (the
 * @2x twin is picked by Electron), Windows a 16 px image (+@2x), Linux a 32 px one (indicators scale down).
 */
export function trayIconFile(kind: TrayIconKind, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return `tray-${kind}-16Template.png`;
  if (platform === 'win32') return `tray-${kind}-16.png`;
  return `tray-${kind}-32.png`;
}

/** Windows taskbar overlay (a small red count) for a badge count; null clears it. */
export function overlayIconFile(count: number): string | null {
  if (count <= 0) return null;
  return `overlay-${count > 9 ? '9plus' : count}.png`;
}

const AVAILABILITY_LABEL: Record<Availability, string> = {
  Online: 'Available', Busy: 'Busy', DoNotDisturb: 'Do not disturb', BeRightBack: 'Be right back', Away: 'Away', Offwork: 'Off work',
};

function statusText(session: TrayState['session']): string {
  if (session.status === 'online') return session.availability ? AVAILABILITY_LABEL[session.availability] : 'Available';
  if (session.status === 'reconnecting') return 'Reconnecting…';
  if (CONNECTING.has(session.status) || session.status === 'makingAvailable') return 'Signing in…';
  if (session.status === 'error') return 'Not signed in (error)';
  if (session.status === 'signingOut') return 'Signing out…';
  return 'Not signed in';
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Tooltip, e.g. "UCWA Tray — Busy — 3 unread conversations, 1 missed". Windows caps tooltips at 127 chars. */
export function trayTooltip(state: Pick<TrayState, 'session' | 'unread'>): string {
  const parts = ['UCWA Tray'];
  if (state.session.demo) parts[0] = 'UCWA Tray (demo)';
  parts.push(statusText(state.session));
  const counts: string[] = [];
  if (state.unread.unreadChats > 0) counts.push(plural(state.unread.unreadChats, 'unread conversation', 'unread conversations'));
  if (state.unread.missedChats > 0) counts.push(`${state.unread.missedChats} missed`);
  if (counts.length) parts.push(counts.join(', '));
  const text = parts.join(' — ');
  return text.length > 127 ? `${text.slice(0, 126)}…` : text;
}

export type TrayAction =
  | { type: 'openConversation'; conversationId: number }
  | { type: 'openHistory' }
  /** A Favourite: open your chat with them, or a new conversation to them. */
  | { type: 'openChatWith'; sip: string }
  | { type: 'show' }
  | { type: 'signIn' }
  | { type: 'setAvailability'; availability: Availability }
  /** `forget`: also remove the remembered password and account ("Sign out and forget me"). */
  | { type: 'signOut'; forget?: boolean }
  | { type: 'quit' };

export type MenuItemModel =
  | { kind: 'item'; id: string; label: string; action: TrayAction; enabled: boolean; checked?: boolean }
  | { kind: 'separator' }
  | { kind: 'label'; id: string; label: string }
  | { kind: 'submenu'; id: string; label: string; items: MenuItemModel[] };

const PRESENCE_CHOICES: Availability[] = ['Online', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away'];
export const MAX_MENU_CONVERSATIONS = 5;

/** Menus do not wrap; '&' would become a mnemonic on Windows/Linux. */
function menuText(label: string): string {
  const clipped = label.length > 60 ? `${label.slice(0, 59)}…` : label;
  return clipped.replace(/&/g, '&&');
}

function conversationLabel(c: TrayState['latest'][number]): string {
  const who = c.participants.map((p) => p.name || p.sip.replace(/^sip:/i, '')).join(', ') || c.subject || 'Conversation';
  const preview = c.preview.replace(/\s+/g, ' ').trim();
  return menuText(preview ? `${who}: ${preview}` : who);
}

/** More than this many Favourites go to the People view (a menu taller than the screen scrolls badly). */
export const MAX_MENU_FAVOURITES = 25;

/**
 * "Mei Chen — Available". The words only while signed in: offline, the last presence read is
 * history, not news. A presence never read (or a token nobody documents) leaves the name alone.
 */
function favouriteLabel(f: FavouriteEntry, online: boolean): string {
  const name = f.name.trim().replace(/\s+/g, ' ') || f.sip.replace(/^sip:/i, '');
  const words = online ? availabilityLabel(f.availability, f.activity) : null;
  // The name is cut, never the words: they are what the menu is read for.
  if (!words) return menuText(name);
  const room = 60 - words.length - 3;
  return `${menuText(name.length > room ? `${name.slice(0, Math.max(1, room - 1))}…` : name)} — ${words}`;
}

function favouritesMenu(state: TrayState, online: boolean): MenuItemModel | null {
  const list = (state.favourites ?? []).slice(0, MAX_MENU_FAVOURITES);
  if (!list.length) return null;
  return {
    kind: 'submenu', id: 'favourites', label: 'Favourites',
    items: list.map((f) => ({ kind: 'item', id: `favourite-${f.sip}`, label: favouriteLabel(f, online), action: { type: 'openChatWith', sip: f.sip }, enabled: true })),
  };
}

/** Sign out keeps the remembered password (the next start signs in by itself); "forget me" removes it. */
function signOutItems(enabled: boolean): MenuItemModel[] {
  return [
    { kind: 'item', id: 'sign-out', label: 'Sign out', action: { type: 'signOut' }, enabled },
    { kind: 'item', id: 'sign-out-forget', label: 'Sign out and forget me', action: { type: 'signOut', forget: true }, enabled },
  ];
}

/** The tray context menu for a state. */
export function trayMenuModel(state: TrayState): MenuItemModel[] {
  const items: MenuItemModel[] = [];
  const online = state.session.status === 'online';
  if (state.platform === 'linux') {
    // Linux indicators never report a left click: the menu must offer a way to open the app.
    items.push({ kind: 'item', id: 'show', label: 'Show UCWA Tray', action: { type: 'show' }, enabled: true });
    items.push({ kind: 'separator' });
  }
  const latest = state.latest.slice(0, MAX_MENU_CONVERSATIONS);
  if (latest.length) {
    items.push({ kind: 'label', id: 'unread-header', label: 'Unread' });
    for (const c of latest) {
      items.push({ kind: 'item', id: `conversation-${c.id}`, label: conversationLabel(c), action: { type: 'openConversation', conversationId: c.id }, enabled: true });
    }
    items.push({ kind: 'separator' });
  }
  items.push({ kind: 'item', id: 'history', label: 'Open history', action: { type: 'openHistory' }, enabled: true });
  const favourites = favouritesMenu(state, online);
  if (favourites) items.push(favourites);
  items.push({ kind: 'separator' });
  if (online) {
    for (const a of PRESENCE_CHOICES) {
      items.push({
        kind: 'item', id: `presence-${a}`, label: AVAILABILITY_LABEL[a], action: { type: 'setAvailability', availability: a },
        enabled: true, checked: state.session.availability === a,
      });
    }
    items.push(...signOutItems(true));
  } else if (state.session.status === 'signedOut' || state.session.status === 'error') {
    items.push({ kind: 'label', id: 'status', label: statusText(state.session) });
    items.push({ kind: 'item', id: 'sign-in', label: 'Sign in…', action: { type: 'signIn' }, enabled: true });
  } else {
    items.push({ kind: 'label', id: 'status', label: statusText(state.session) });
    items.push(...signOutItems(state.session.status !== 'signingOut'));
  }
  items.push({ kind: 'separator' });
  items.push({ kind: 'item', id: 'quit', label: 'Quit UCWA Tray', action: { type: 'quit' }, enabled: true });
  return items;
}

/**
 * Clicking the tray icon while the popup is open: the click first takes the focus away from the
 * popup (its 'blur' hides it), then the tray's 'click' arrives and would show it again at once.
 * A click within this time of a blur-hide counts as "close it" (already done).
 */
export const BLUR_CLICK_GRACE_MS = 400;

export function trayClickAction(popup: { open: boolean; hiddenByBlurAt: number | null }, now: number): 'hide' | 'show' | 'none' {
  if (popup.open) return 'hide';
  if (popup.hiddenByBlurAt !== null && now - popup.hiddenByBlurAt >= 0 && now - popup.hiddenByBlurAt < BLUR_CLICK_GRACE_MS) return 'none';
  return 'show';
}

/**
 * macOS opens a tray's context menu on a LEFT click (and still emits 'click'): the popup and the
 * menu would open together. There the menu is popped up on 'right-click' instead of being set.
 */
export function traySetsContextMenu(platform: NodeJS.Platform): boolean {
  return platform !== 'darwin';
}
