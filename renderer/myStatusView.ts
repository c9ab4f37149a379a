// Your own status as the history window's header shows it (issue 13). The session's availability
// is the one you have (the core keeps it in step with what the server reports); MyStatus adds what
// only the server says: the activity ("In a meeting", from the calendar) and your note. Off work is
// set as Offwork but reads back from the server as Away with the activity off-work (PROTOCOL-2
// §1.3): it is "Off work" here, never "Away".
import type { Availability, MyStatus, SessionState } from '../main/ipc/contract.ts';
import { availabilityWords, presenceView, type PresenceKind } from './presenceWords.ts';

export interface MyStatusView {
  kind: PresenceKind;
  /** "Available", "Off work", … or, while not signed in, what the session is doing. */
  words: string;
  /** "In a meeting", or ''. */
  detail: string;
  /** The menu's checked choice; null when none of them is what you are (not signed in, unknown). */
  chosen: Availability | null;
  /** Your note, '' when none (or not signed in: a note is only seen while you are). */
  note: string;
}

/** The menu's choices in the order Skype for Business lists them, with the contract's tokens. */
export const CHOICES: readonly { availability: Availability; label: string }[] = [
  { availability: 'Online', label: 'Available' },
  { availability: 'Busy', label: 'Busy' },
  { availability: 'DoNotDisturb', label: 'Do not disturb' },
  { availability: 'BeRightBack', label: 'Be right back' },
  { availability: 'Away', label: 'Appear away' },
  { availability: 'Offwork', label: 'Off work' },
];

/** Your availability's dot and words: as anyone's (presenceView), but Off work, which nobody reads
 * back as an availability, is its own words on an Away dot. */
function shownOf(a: Availability): { kind: PresenceKind; words: string } {
  return { kind: a === 'Offwork' ? 'away' : presenceView({ availability: a }).kind, words: availabilityWords[a] };
}

/** Statuses in which you count as signed in (a token refresh or a recreated application is not offline). */
const SIGNED_IN = new Set<SessionState['status']>(['online', 'makingAvailable', 'reauthenticating', 'recreatingApplication']);

/** While not signed in the header says where the session is, in as few words as a status line has. */
const NOT_SIGNED_IN: Partial<Record<SessionState['status'], string>> = {
  signedOut: 'Signed out', error: 'Not connected', reconnecting: 'Offline', signingOut: 'Signing out…',
};

const isOffWork = (activity: string): boolean => /^off[-\s_]?work$/i.test(activity.trim());

/**
 * Your own presence's activity is often the server's display string of the availability itself
 * ("Available", "Inactive" — the reference sample's own presence): that is not more to say.
 */
const SAYS_NOTHING = new Set(['available', 'busy', 'away', 'inactive', 'be right back', 'do not disturb', 'offline', 'online', 'off work']);

/** What the server's token reads as when the session has no availability of its own yet. */
function fromToken(token: string | null, activity: string): Availability | null {
  if (isOffWork(activity) || token === 'Offwork') return 'Offwork';
  switch (token) {
    case 'Online': return 'Online';
    case 'Busy': case 'IdleBusy': return 'Busy';
    case 'DoNotDisturb': return 'DoNotDisturb';
    case 'BeRightBack': return 'BeRightBack';
    case 'Away': case 'IdleOnline': return 'Away';
    default: return null;
  }
}

export function myStatusView(session: Pick<SessionState, 'status' | 'availability'>, status: MyStatus | null): MyStatusView {
  if (!SIGNED_IN.has(session.status)) {
    return { kind: 'offline', words: NOT_SIGNED_IN[session.status] ?? 'Signing in…', detail: '', chosen: null, note: '' };
  }
  const activity = status?.activity ?? '';
  const set = session.availability ?? fromToken(status?.availability ?? null, activity);
  // Away (the reference sample: Online) with the activity off-work is how the server reads Off work
  // back — when it is the availability the session has too, not a report from before another choice.
  const token = status?.availability ?? null;
  const readBack = isOffWork(activity) && ((set === 'Away' && token === 'Away') || (set === 'Online' && token === 'Online'));
  const chosen = readBack ? 'Offwork' : set;
  const note = (status?.note ?? '').trim();
  if (!chosen) {
    const v = presenceView(status ? { availability: status.availability, activity } : null);
    return { kind: v.kind, words: v.words, detail: v.detail, chosen: null, note };
  }
  const shown = shownOf(chosen);
  const raw = presenceView({ availability: status?.availability ?? null, activity }).detail;
  const detail = chosen === 'Offwork' || isOffWork(activity) || SAYS_NOTHING.has(raw.toLowerCase()) ? '' : raw;
  return { kind: shown.kind, words: shown.words, detail, chosen, note };
}
