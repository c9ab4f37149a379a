// How a colleague's presence reads and looks (issue 13): Skype for Business's colours — green
// available, red busy, dark red with a bar for do not disturb, yellow away, grey offline — each
// with a shape and words as well, never colour alone. The server's availability is an open set
// (PROTOCOL-2 §1.3: MeDashboard's "Inactive", samples' "Unknown", whatever another client
// publishes): anything unknown reads "Unknown". Activity is a well-known token to put in words,
// else the contact's own text shown as it is.

import type { Availability } from '../main/ipc/contract.ts';

/** Your own availability (the session's token, one you can set) in words. */
export const availabilityWords: Record<Availability, string> = {
  Online: 'Available',
  Busy: 'Busy',
  DoNotDisturb: 'Do not disturb',
  BeRightBack: 'Be right back',
  Away: 'Away',
  Offwork: 'Off work',
};

/** The look of a presence dot; the CSS gives each a colour and a shape. */
export type PresenceKind = 'available' | 'busy' | 'dnd' | 'away' | 'offline' | 'unknown';

const KINDS: Record<string, { kind: PresenceKind; words: string }> = {
  Online: { kind: 'available', words: 'Available' },
  IdleOnline: { kind: 'away', words: 'Inactive' },
  // Not in the Availability enum, but MeDashboard lists it (for the Idle* values).
  Inactive: { kind: 'away', words: 'Inactive' },
  Busy: { kind: 'busy', words: 'Busy' },
  IdleBusy: { kind: 'busy', words: 'Busy (inactive)' },
  DoNotDisturb: { kind: 'dnd', words: 'Do not disturb' },
  BeRightBack: { kind: 'away', words: 'Be right back' },
  Away: { kind: 'away', words: 'Away' },
  Offline: { kind: 'offline', words: 'Offline' },
};

/** Tokens Microsoft's docs list (contactPresence_ref and MeDashboard disagree on one: both kept). */
const ACTIVITIES: Record<string, string> = {
  'in-a-meeting': 'In a meeting',
  'in-a-conference': 'In a conference call',
  'on-the-phone': 'In a call',
  'in-a-call': 'In a call',
  'urgent-interruptions-only': 'Urgent interruptions only',
  'off-work': 'Off work',
  presenting: 'Presenting',
};

export interface PresenceView {
  kind: PresenceKind;
  /** "Available", "Busy", … or "Unknown": what a screen reader says and the card shows. */
  words: string;
  /** "In a meeting", "Away 20 min", the contact's own text, or '' when there is nothing more to say. */
  detail: string;
}

/** Minutes since `lastActive`, in the short form the list shows ("20 min", "3 h", "2 days"). */
function since(lastActive: number, now: number): string {
  const min = Math.floor((now - lastActive) / 60_000);
  if (!Number.isFinite(min) || min < 1) return '';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h`;
  const d = Math.floor(h / 24);
  return d === 1 ? '1 day' : `${d} days`;
}

/** Whether presenceView's words for `p` age with time ("Away 20 min"): then they are drawn again each minute. */
export function presenceAges(p: { availability?: string | null; activity?: string | null; lastActive?: number | null } | null | undefined): boolean {
  const token = typeof p?.availability === 'string' ? p.availability : '';
  const kind = Object.hasOwn(KINDS, token) ? KINDS[token]?.kind : undefined;
  return kind === 'away' && typeof p?.lastActive === 'number' && !(typeof p.activity === 'string' && p.activity.trim());
}

/** A presence as the app shows it. Every input may be missing or hostile. */
export function presenceView(p: { availability?: string | null; activity?: string | null; lastActive?: number | null } | null | undefined, now = Date.now()): PresenceView {
  // Own keys only: a token such as "constructor" is a word from the server, not a lookup.
  const token = typeof p?.availability === 'string' ? p.availability : '';
  const known = Object.hasOwn(KINDS, token) ? KINDS[token] : undefined;
  const kind = known?.kind ?? 'unknown';
  const words = known?.words ?? 'Unknown';
  const raw = typeof p?.activity === 'string' ? p.activity.trim() : '';
  const key = raw.toLowerCase();
  let detail = raw ? (Object.hasOwn(ACTIVITIES, key) ? ACTIVITIES[key]! : raw) : '';
  // "Away 20 min": how long, when the server says when they were last active and nothing else.
  if (!detail && kind === 'away' && typeof p?.lastActive === 'number') {
    const ago = since(p.lastActive, now);
    if (ago) detail = `${words} ${ago}`;
  }
  if (detail === words) detail = '';
  return { kind, words, detail: detail.length > 120 ? `${detail.slice(0, 119)}…` : detail };
}
