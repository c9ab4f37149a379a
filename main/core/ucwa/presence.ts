// Presence, notes, locations and presence subscriptions (PROTOCOL-2 §1.2, §1.3, §1.5, §1.8), parsed
// from their JSON bodies: a contact's (contactPresence, contactNote, contactLocation) and one's own
// (presence, note, location) have the same properties. Total, bounded by LIMITS.
import { LIMITS } from '../limits.ts';
import { clipLines, oneLine } from '../text.ts';
import { parseUcwaDate } from './dates.ts';
import { asResource, lastSegment, link } from './links.ts';
import { idOf, sipFromUri, textOf } from './peopleFields.ts';
import type { PersonPatch } from '../store/types.ts';

/**
 * Availability as documented (Availability_ref), and 'Unknown' for anything else: MeDashboard's
 * "Inactive", the sample's "Unknown", a new server's token, garbage. The UI shows Unknown neutrally.
 */
export const AVAILABILITIES = ['Online', 'IdleOnline', 'Busy', 'IdleBusy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number] | 'Unknown';

/** What a client may set as its own availability (PreferredAvailability_ref). Offwork reads back as an activity. */
export const PREFERRED_AVAILABILITIES = ['Online', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offwork'] as const;

/**
 * The well-known activity tokens a client localises (contactPresence_ref, MeDashboard: the two
 * pages list `on-the-phone` and `in-a-call` for the same thing — both are kept). Any other activity
 * is the contact's own text, shown as it came.
 */
export const ACTIVITY_TOKENS = ['in-a-meeting', 'urgent-interruptions-only', 'on-the-phone', 'in-a-call', 'in-a-conference', 'off-work', 'presenting'] as const;

export const DEVICE_TYPES = ['PC', 'Mobile', 'Web', 'DeskPhone', 'Unknown'] as const;

const BY_LOWER: ReadonlyMap<string, Availability> = new Map(AVAILABILITIES.map((a) => [a.toLowerCase(), a]));

/** The documented availability a token is (case apart: input is case-insensitive in UCWA), else 'Unknown'. */
export function availabilityOf(token: unknown): Availability {
  return typeof token === 'string' && token.length <= 32 ? (BY_LOWER.get(token.trim().toLowerCase()) ?? 'Unknown') : 'Unknown';
}

export interface ParsedPresence {
  /** The documented value, or 'Unknown'. */
  availability: Availability;
  /** The token as the server sent it (cut to LIMITS.tokenChars; '' when absent) — what the store keeps. */
  raw: string;
  /** A token (ACTIVITY_TOKENS) or the contact's localised text; '' when absent (an offline contact has none). */
  activity: string;
  /** PC, Mobile, Web, DeskPhone, Unknown — or another value as it came; '' when absent. */
  deviceType: string;
  /** ms since epoch ("/Date(ms)/", the form every sample uses although the table says POSIX time); null when none or no date. */
  lastActive: number | null;
  self: string | null;
}

/** `contactPresence` or one's own `presence`. */
export function parsePresence(body: unknown): ParsedPresence {
  const r = asResource(body);
  const raw = textOf(r, 'availability', LIMITS.tokenChars) ?? '';
  return {
    availability: availabilityOf(raw),
    raw,
    activity: textOf(r, 'activity', LIMITS.activityChars) ?? '',
    deviceType: textOf(r, 'deviceType', LIMITS.tokenChars) ?? '',
    lastActive: parseUcwaDate(r?.lastActive),
    self: link(r, 'self') ?? null,
  };
}

/** The store's presence patch for a parsed presence: the token as it came (the UI maps an unknown one). */
export function presencePatch(p: ParsedPresence): NonNullable<PersonPatch['presence']> {
  return { availability: p.raw, activity: p.activity, deviceType: p.deviceType, lastActive: p.lastActive };
}

export type NoteType = 'Personal' | 'OutOfOffice';

export interface ParsedNote {
  /** The displayable note: a personal note or the Exchange out-of-office message; '' when none. */
  message: string;
  /** Personal (NoteType's default, when absent) or OutOfOffice; another value as it came. */
  type: NoteType | string;
  self: string | null;
}

/** `contactNote` or one's own `note`. */
export function parseNote(body: unknown): ParsedNote {
  const r = asResource(body);
  const message = typeof r?.message === 'string' ? clipLines(r.message, LIMITS.noteChars) : '';
  const type = textOf(r, 'type', LIMITS.tokenChars) ?? '';
  const lower = type.toLowerCase();
  return {
    message,
    type: lower === '' || lower === 'personal' ? 'Personal' : lower === 'outofoffice' ? 'OutOfOffice' : type,
    self: link(r, 'self') ?? null,
  };
}

export interface ParsedLocation {
  /** '' when none. */
  location: string;
  self: string | null;
}

/** `contactLocation` or one's own `location`. */
export function parseLocation(body: unknown): ParsedLocation {
  const r = asResource(body);
  return { location: textOf(r, 'location', LIMITS.locationChars) ?? '', self: link(r, 'self') ?? null };
}

export interface ParsedPresenceSubscription {
  /** Its `id`, else the last segment of its self href. */
  id: string;
  /** Renewed (POST ?duration=) and deleted here. */
  self: string;
  /** GET: who it covers. */
  memberships: string | null;
  /** POST {"contactUris": [...]}: add people. Absent from a group subscription's body (use memberships). */
  addToPresenceSubscription: string | null;
}

/** The 201 body of creating a presence subscription (or the one embedded in its events); null without a self link (it could be neither renewed nor deleted). */
export function parsePresenceSubscription(body: unknown): ParsedPresenceSubscription | null {
  const r = asResource(body);
  const self = link(r, 'self');
  if (!self) return null;
  return {
    id: idOf(r, 'id', LIMITS.groupNameChars) ?? oneLine(lastSegment(self), LIMITS.groupNameChars),
    self,
    memberships: link(r, 'memberships') ?? null,
    addToPresenceSubscription: link(r, 'addToPresenceSubscription') ?? null,
  };
}

/** A presence subscription lasts 10–30 minutes; renewing adds to what is left, capped at 30 (presenceSubscription_ref). */
export const SUBSCRIPTION_MINUTES = { min: 10, max: 30 } as const;

/**
 * The body of `POST presenceSubscriptions`: `duration` in the allowed range and the SIP addresses,
 * each once. The field is `uris` as the reference documents it; the trace spells it "Uris" — the
 * server matches names without case (P1 §0.1), so either reaches it.
 */
export function presenceSubscriptionRequest(uris: readonly string[], minutes: number = SUBSCRIPTION_MINUTES.max): { duration: number; uris: string[] } {
  const duration = Number.isFinite(minutes) ? Math.max(SUBSCRIPTION_MINUTES.min, Math.min(SUBSCRIPTION_MINUTES.max, Math.round(minutes))) : SUBSCRIPTION_MINUTES.max;
  return { duration, uris: distinctSips(uris) };
}

/** The body of `POST addToPresenceSubscription` (or `memberships`): `{"contactUris": [...]}`. */
export function addToPresenceSubscriptionRequest(uris: readonly string[]): { contactUris: string[] } {
  return { contactUris: distinctSips(uris) };
}

function distinctSips(uris: readonly string[]): string[] {
  const out = new Set<string>();
  for (const u of Array.isArray(uris) ? uris : []) {
    const sip = sipFromUri(u);
    if (sip) out.add(sip);
  }
  return [...out];
}
