// People rows ↔ the Store's shapes, and everything that bounds what reaches them (LIMITS): a card,
// a presence or a group from a hostile or broken server is stored cut to size, or skipped when it
// has no usable address — never thrown. Pure functions: the SQL is in people.ts.
import { LIMITS, isDateTime } from '../limits.ts';
import { clipLines, oneLine } from '../text.ts';
import { foldWord, normalizeSip } from './keys.ts';
import type { ContactGroupKind, PersonCard, PhoneNumbers } from './types.ts';

export interface PersonRow {
  sip: string;
  name: string;
  title: string;
  department: string;
  company: string;
  office: string;
  emails: string;
  work_phone: string;
  mobile_phone: string;
  home_phone: string;
  other_phone: string;
  contact_type: string;
  source_network: string;
  availability: string;
  activity: string;
  device_type: string;
  last_active: number | null;
  note: string;
  note_type: string;
  location: string;
  photo_etag: string | null;
  photo_file: string | null;
  card_at: number | null;
  presence_at: number | null;
  note_at: number | null;
  location_at: number | null;
  photo_at: number | null;
  updated_at: number;
  sort_key: string;
  search_key: string;
  /** Selected alongside: some membership names the person. */
  listed: number;
}

/** The card columns a PersonInput writes (the row's own names). */
export const CARD_COLUMNS = [
  'name', 'title', 'department', 'company', 'office', 'emails', 'work_phone', 'mobile_phone', 'home_phone', 'other_phone',
  'contact_type', 'source_network',
] as const;
export type CardColumns = { [K in (typeof CARD_COLUMNS)[number]]: string };

/** The columns of each part a PersonPatch writes (with its `*_at`). */
export const PART_COLUMNS = {
  presence: ['availability', 'activity', 'device_type', 'last_active'],
  note: ['note', 'note_type'],
  location: ['location'],
  photo: ['photo_etag', 'photo_file'],
} as const;
export type Part = keyof typeof PART_COLUMNS;
export type PartValues = Record<string, string | number | null>;
/** What a part's columns hold once it is cleared (back to "never read"). */
export const PART_CLEARED: Record<Part, PartValues> = {
  presence: { availability: '', activity: '', device_type: '', last_active: null },
  note: { note: '', note_type: '' },
  location: { location: '' },
  photo: { photo_etag: null, photo_file: null },
};

const KINDS: ReadonlySet<string> = new Set<ContactGroupKind>(['pinned', 'default', 'user', 'distribution', 'delegates', 'delegators', 'organization', 'other']);

/**
 * A SIP address as people are keyed ("sip:" + lower case), or null when it is none: not a string,
 * empty, longer than LIMITS.sipChars (cutting it would name somebody else), or with white space or
 * control characters inside.
 */
export function cleanSip(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > LIMITS.sipChars + 16) return null; // the 16: white space around it
  const sip = normalizeSip(v);
  // eslint-disable-next-line no-control-regex -- control characters make it no address
  if (sip.length <= 4 || sip.length > LIMITS.sipChars || /[\s\u0000-\u001f\u007f-\u009f]/.test(sip)) return null;
  return sip;
}

/** A one-line field: a string cut to `max`, or undefined (keep what is stored) for anything else. */
function field(v: unknown, max: number): string | undefined {
  return typeof v === 'string' ? oneLine(v, max) : undefined;
}

function emailsOf(v: unknown): string[] | undefined {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list) return undefined;
  const out: string[] = [];
  const seen = new Set<string>();
  // Only the first few entries are looked at: an array of a million addresses costs what 16 do.
  for (const e of list.slice(0, LIMITS.emailsPerPerson * 4)) {
    const mail = field(e, LIMITS.emailChars);
    if (!mail || seen.has(mail.toLowerCase())) continue;
    seen.add(mail.toLowerCase());
    out.push(mail);
    if (out.length === LIMITS.emailsPerPerson) break;
  }
  return out;
}

/** What a PersonInput would set, column by column (undefined: keep). Null: no usable address. */
export function cardOf(input: unknown): { sip: string; columns: Partial<CardColumns> } | null {
  if (!input || typeof input !== 'object') return null;
  const p = input as Record<string, unknown>;
  const sip = cleanSip(p.sip);
  if (!sip) return null;
  const phones = p.phones && typeof p.phones === 'object' ? (p.phones as Record<string, unknown>) : {};
  const emails = emailsOf(p.emails);
  const name = field(p.name, LIMITS.nameChars);
  const columns: Partial<CardColumns> = {
    // An empty name is "not known here", never "has no name": it does not erase a known one.
    name: name ? name : undefined,
    title: field(p.title, LIMITS.personFieldChars),
    department: field(p.department, LIMITS.personFieldChars),
    company: field(p.company, LIMITS.personFieldChars),
    office: field(p.office, LIMITS.personFieldChars),
    emails: emails ? JSON.stringify(emails) : undefined,
    work_phone: field(phones.work, LIMITS.phoneChars),
    mobile_phone: field(phones.mobile, LIMITS.phoneChars),
    home_phone: field(phones.home, LIMITS.phoneChars),
    other_phone: field(phones.other, LIMITS.phoneChars),
    contact_type: field(p.contactType, LIMITS.tokenChars),
    source_network: field(p.sourceNetwork, LIMITS.tokenChars),
  };
  return { sip, columns };
}

/** A cache file name the photo folder can hold: a bare name, no separators, no "." or "..". */
function photoFile(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > LIMITS.photoTagChars || v === '.' || v === '..') return null;
  return /^[A-Za-z0-9._-]+$/.test(v) ? v : null;
}

/** The values a patch's parts set, part by part (null: the part cleared). Parts absent are absent. */
export function patchValues(patch: unknown): Partial<Record<Part, PartValues | null>> {
  const out: Partial<Record<Part, PartValues | null>> = {};
  if (!patch || typeof patch !== 'object') return out;
  const p = patch as Record<string, unknown>;
  const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : null);
  const str = (v: unknown, max: number) => (typeof v === 'string' ? oneLine(v, max) : '');
  if (p.presence !== undefined) {
    const pr = obj(p.presence);
    const lastActive = pr?.lastActive;
    out.presence = pr && {
      availability: str(pr.availability, LIMITS.tokenChars),
      activity: str(pr.activity, LIMITS.activityChars),
      device_type: str(pr.deviceType, LIMITS.tokenChars),
      last_active: typeof lastActive === 'number' && isDateTime(lastActive) ? Math.trunc(lastActive) : null,
    };
  }
  if (p.note !== undefined) {
    const n = obj(p.note);
    out.note = n && { note: typeof n.message === 'string' ? clipLines(n.message, LIMITS.noteChars) : '', note_type: str(n.type, LIMITS.tokenChars) };
  }
  if (p.location !== undefined) {
    out.location = typeof p.location === 'string' ? { location: oneLine(p.location, LIMITS.locationChars) } : null;
  }
  if (p.photo !== undefined) {
    const ph = obj(p.photo);
    const file = photoFile(ph?.file);
    const etag = typeof ph?.etag === 'string' ? oneLine(ph.etag, LIMITS.photoTagChars) || null : null;
    out.photo = ph && (file || etag) ? { photo_etag: etag, photo_file: file } : null;
  }
  return out;
}

/** A group as the store keeps it, or null when it is no group at all. */
export function groupOf(input: unknown, index: number): { serverId: string; kind: ContactGroupKind; name: string; members: unknown[] } | null {
  if (!input || typeof input !== 'object') return null;
  const g = input as Record<string, unknown>;
  const kind = typeof g.kind === 'string' && KINDS.has(g.kind) ? (g.kind as ContactGroupKind) : 'other';
  const id = typeof g.serverId === 'string' || typeof g.serverId === 'number' ? oneLine(String(g.serverId), LIMITS.groupNameChars) : '';
  return {
    // A group without an id is known by its place (it keeps its folded state while it stays there).
    serverId: id || `${kind}#${index}`,
    kind,
    name: typeof g.name === 'string' ? oneLine(g.name, LIMITS.groupNameChars) : '',
    members: Array.isArray(g.members) ? g.members : [],
  };
}

/** The folded name (lists are ordered by it) and the text the filter matches: name, address, e-mails, title. */
export function personKeys(p: { sip: string; name: string; emails: string[]; title: string }): { sortKey: string; searchKey: string } {
  const sortKey = foldWord(p.name.trim() || p.sip.slice(4).split('@')[0]!);
  // Lines apart: a typed word (no white space in it) never matches across two fields.
  const searchKey = [foldWord(p.name), foldWord(p.sip), ...p.emails.map(foldWord), foldWord(p.title)].join('\n');
  return { sortKey, searchKey };
}

export function parseEmails(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : [];
  } catch {
    return [];
  }
}

export function toCard(r: PersonRow): PersonCard {
  const phones: PhoneNumbers = { work: r.work_phone, mobile: r.mobile_phone, home: r.home_phone, other: r.other_phone };
  return {
    sip: r.sip,
    name: r.name,
    title: r.title,
    department: r.department,
    company: r.company,
    office: r.office,
    emails: parseEmails(r.emails),
    phones,
    contactType: r.contact_type,
    sourceNetwork: r.source_network,
    presence: r.presence_at == null ? null : { availability: r.availability, activity: r.activity, deviceType: r.device_type, lastActive: r.last_active },
    note: r.note_at == null ? null : { message: r.note, type: r.note_type },
    location: r.location_at == null ? null : r.location,
    photo: r.photo_at == null || (r.photo_file == null && r.photo_etag == null) ? null : { etag: r.photo_etag, file: r.photo_file },
    inContactList: r.listed === 1,
    updated: { card: r.card_at, presence: r.presence_at, note: r.note_at, location: r.location_at, photo: r.photo_at },
  };
}

/** What the filter matches for the text typed: its words (white space apart, at most 8 of 64 characters), folded. */
export function filterWords(query: unknown): string[] {
  if (typeof query !== 'string') return [];
  return query.slice(0, 256).split(/\s+/).filter(Boolean).slice(0, 8).map((w) => foldWord(w.slice(0, 64)));
}

/** A LIKE pattern matching `text` literally (with ESCAPE '\'). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
