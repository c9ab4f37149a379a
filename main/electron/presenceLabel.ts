// A colleague's availability in words for the shell's own surfaces (the tray's Favourites, a
// notification's title). Menus and notification titles are plain text: no dot, no colour, so the
// words are all there is. The same words as the windows' presence (renderer/presenceWords.ts) —
// the renderer may not be imported from main, and main may not be imported by the renderer except
// for types, so the small table is repeated on purpose. Unknown tokens (the server's availability
// is an open set, PROTOCOL-2 §1.3) give null: a title says nothing rather than "Unknown".

const WORDS: Readonly<Record<string, string>> = {
  Online: 'Available',
  IdleOnline: 'Inactive',
  Inactive: 'Inactive',
  Busy: 'Busy',
  IdleBusy: 'Busy',
  DoNotDisturb: 'Do not disturb',
  BeRightBack: 'Be right back',
  Away: 'Away',
  Offline: 'Offline',
  // Only ever what YOU set (PreferredAvailability); some servers echo it back as is.
  Offwork: 'Off work',
};

/** "off-work", "Off Work" (the reference sample's display string) and "off work" are one activity. */
function isOffWork(activity: string | null | undefined): boolean {
  return typeof activity === 'string' && activity.trim().toLowerCase().replace(/[\s_]+/g, '-') === 'off-work';
}

/**
 * The words for an availability token and activity, or null when there is nothing trustworthy to
 * say. Off work reads back from the server as Away (or Online) with the activity off-work
 * (PROTOCOL-2 §1.3): that is "Off work", not "Away".
 */
export function availabilityLabel(availability: string | null | undefined, activity?: string | null): string | null {
  if (typeof availability !== 'string' || !Object.hasOwn(WORDS, availability)) return null;
  if (availability !== 'Offline' && isOffWork(activity)) return 'Off work';
  return WORDS[availability] ?? null;
}
