// Text and JSON shapes of the CLI's output (pure functions).
import type { AddingInfo, Conversation, InvitationInfo, Message, MyStatus, Person, PersonCard, PhotoBytes, RosterChange, RosterEntry, SearchHit } from '../core/app/types.ts';
import { isDateTime } from '../core/limits.ts';
import { availabilityOf } from '../core/ucwa/presence.ts';

// A time Date can hold: the store guarantees it; a damaged database must not make the CLI throw.
const valid = isDateTime;

export function iso(ms: number): string {
  return valid(ms) ? new Date(ms).toISOString() : 'unknown';
}

/** "2026-11-20 14:03" in local time. */
export function localTime(ms: number): string {
  if (!valid(ms)) return 'time unknown    ';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function others(c: Conversation, me: string | null): Person[] {
  const list = c.participants.filter((p) => p.sip !== me);
  return list.length ? list : c.participants;
}

function names(people: Person[]): string {
  return people.map((p) => p.name || p.sip.replace(/^sip:/, '')).join(', ');
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function conversationJson(c: Conversation) {
  return {
    id: c.id,
    threadId: c.threadId,
    subject: c.subject,
    type: c.type,
    direction: c.direction,
    status: c.status,
    time: iso(c.lastActivityAt),
    createdAt: iso(c.createdAt),
    preview: c.preview,
    participants: c.participants,
    unread: c.unread,
    missed: c.missed,
  };
}

export function conversationLine(c: Conversation, me: string | null): string {
  const arrow = c.direction === 'Incoming' ? '←' : '→';
  const flags = [c.unread ? 'unread' : '', c.missed ? 'missed' : ''].filter(Boolean).join(',');
  const who = clip(names(others(c, me)), 28).padEnd(28);
  const subject = c.subject ? `${clip(c.subject, 30)} — ` : '';
  return `#${String(c.id).padEnd(5)} ${localTime(c.lastActivityAt)}  ${arrow} ${c.status.padEnd(8)} ${who} ${subject}${clip(c.preview, 60)}${flags ? `  (${flags})` : ''}`;
}

export function messageJson(m: Message) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    time: iso(m.at),
    ...(m.atEstimated ? { timeEstimated: true } : {}),
    sender: m.author,
    direction: m.direction,
    text: m.text,
    ...(m.delivery ? { delivery: m.delivery } : {}),
    ...(m.deliveryError ? { deliveryError: m.deliveryError } : {}),
  };
}

export function messageLine(m: Message): string {
  const who = m.author ? (m.author.name || m.author.sip.replace(/^sip:/, '')) : '*';
  const arrow = m.direction === 'Incoming' ? '←' : '→';
  const state = m.delivery && m.delivery !== 'delivered' && m.delivery !== 'accepted' ? `  [${m.delivery}${m.deliveryError ? `: ${m.deliveryError}` : ''}]` : '';
  return `[${m.atEstimated ? 'time unknown    ' : localTime(m.at)}] ${arrow} ${who}: ${m.text}${state}`;
}

export function invitationJson(inv: InvitationInfo) {
  return {
    conversationId: inv.conversationId,
    direction: inv.direction,
    state: inv.state,
    from: inv.from,
    subject: inv.subject,
    text: inv.text,
    unsupported: inv.unsupported,
    group: inv.group,
    others: inv.others,
    ...(inv.error ? { error: inv.error } : {}),
  };
}

export function invitationLine(inv: InvitationInfo): string {
  const from = inv.from ? `${inv.from.name || inv.from.sip} <${inv.from.sip.replace(/^sip:/, '')}>` : 'someone';
  const subject = inv.subject ? ` "${clip(inv.subject, 60)}"` : '';
  const what = inv.unsupported ? 'invites you to a meeting (not supported here)'
    : inv.group ? `invites you to a group conversation${subject}${inv.others.length ? ` with ${clip(names(inv.others), 120)}` : ''}`
      : 'wants to chat';
  return `[${localTime(Date.now())}] #${inv.conversationId} ${from} ${what}${inv.text ? `: ${inv.text}` : ''}`;
}

// --- group conversations (issue 14) ----------------------------------------------------------------

/** "Carol Jones <carol@contoso.com>", "+1 555 0100 (phone)", or the name alone (anonymous). */
export function rosterName(name: string, uri: string | null): string {
  if (!uri) return name || '(someone)';
  if (/^tel:/i.test(uri)) return `${name || uri.replace(/^tel:/i, '')} (phone)`;
  const address = uri.replace(/^sip:/, '');
  return name && name !== uri && name !== address ? `${name} <${address}>` : address;
}

export function rosterJson(r: RosterEntry) {
  return { uri: r.uri, name: r.name, role: r.role, inChat: r.inIm, phone: r.phone };
}

/** "  Leader    Carol Jones <carol@contoso.com>", and "(in the meeting, not in the chat)" when so. */
export function rosterLine(r: RosterEntry): string {
  return `  ${(r.role === 'Unknown' ? '' : r.role).padEnd(9)} ${rosterName(r.name, r.uri)}${r.inIm ? '' : '  (in the meeting, not in the chat)'}`;
}

/** The people who took part in a conversation that is not live (from the history): no role, no chat state. */
export function pastParticipantJson(p: Person) {
  return { uri: p.sip, name: p.name, role: null, inChat: null, phone: /^tel:/i.test(p.sip) };
}

export function changeJson(conversationId: number, c: RosterChange) {
  return { event: c.kind, conversationId, time: iso(c.at), uri: c.uri, name: c.name };
}

export function changeLine(conversationId: number, c: RosterChange): string {
  if (c.kind === 'restarted') return `[${localTime(c.at)}] #${conversationId} this server cannot continue a past group conversation: a new one was started with the same people`;
  return `[${localTime(c.at)}] #${conversationId} ${rosterName(c.name, c.uri)} ${c.kind}`;
}

/** How an invitation into a group went, as `send` and `add` print it. */
export interface InviteeOutcome {
  uri: string;
  name: string;
  state: 'joined' | 'failed' | 'noAnswer';
  error: AddingInfo['error'];
}

export function inviteeJson(o: InviteeOutcome) {
  return { uri: o.uri, name: o.name, state: o.state, ...(o.error ? { error: o.error } : {}) };
}

export function inviteeLine(o: InviteeOutcome, timeout: number): string {
  const who = rosterName(o.name, o.uri);
  if (o.state === 'joined') return `${who} joined.`;
  if (o.state === 'failed') return `${who} did not join${o.error ? `: ${o.error.message}` : '.'}`;
  return `${who} did not answer within --timeout (${timeout} s).`;
}

/** Characters of a search snippet printed (FTS5 snippets are ~64 tokens). */
const MAX_SNIPPET = 2_000;

/** Snippet marks (U+E000 … U+E001) → bold on a terminal, [brackets] elsewhere. */
export function renderSnippet(snippet: string, tty: boolean): string {
  // The store's snippets are a few dozen words; a longer one is cut before marks are expanded.
  const bounded = snippet.length > MAX_SNIPPET ? `${snippet.slice(0, MAX_SNIPPET)}…` : snippet;
  // split/join: one native pass per mark, however many marks a snippet holds.
  const [open, close] = tty ? ['\u001b[1m', '\u001b[22m'] : ['[', ']'];
  return bounded.split('\uE000').join(open).split('\uE001').join(close);
}

export function searchHitJson(h: SearchHit) {
  return {
    conversationId: h.conversationId,
    messageId: h.messageId,
    time: iso(h.at),
    sender: h.author,
    snippet: h.snippet,
    text: h.snippet.replace(/[\uE000\uE001]/g, ''),
    conversation: h.conversation,
  };
}

export function searchHitLine(h: SearchHit, tty: boolean): string {
  const who = h.author ? (h.author.name || h.author.sip) : '*';
  return `#${String(h.conversationId).padEnd(5)} [${localTime(h.at)}] ${who}: ${renderSnippet(h.snippet, tty)}`;
}

// --- people and presence ---------------------------------------------------------------------------

const AVAILABILITY_LABELS: Readonly<Record<string, string>> = {
  Online: 'Available', IdleOnline: 'Inactive', Busy: 'Busy', IdleBusy: 'Busy (inactive)', DoNotDisturb: 'Do not disturb',
  BeRightBack: 'Be right back', Away: 'Away', Offline: 'Offline', Unknown: 'Unknown',
};

/** The well-known activity tokens in words (PROTOCOL-2 §1.3); any other activity is the person's own text. */
const ACTIVITY_LABELS: Readonly<Record<string, string>> = {
  'in-a-meeting': 'In a meeting', 'urgent-interruptions-only': 'Urgent interruptions only', 'on-the-phone': 'In a call',
  'in-a-call': 'In a call', 'in-a-conference': 'In a conference call', 'off-work': 'Off work', presenting: 'Presenting',
};

/** A card's or your availability in words; null (never read) is "Unknown" too. */
export function availabilityLabel(token: string | null | undefined): string {
  return AVAILABILITY_LABELS[availabilityOf(token)] ?? 'Unknown';
}

export function activityLabel(activity: string): string {
  return ACTIVITY_LABELS[activity.toLowerCase()] ?? activity;
}

/** A terminal shape for each availability (never colour alone): ● available, ■ busy, ⊘ do not disturb, ◐ away, ○ offline. */
function mark(token: string | null | undefined): string {
  switch (availabilityOf(token)) {
    case 'Online': return '●';
    case 'IdleOnline': return '◌';
    case 'Busy': case 'IdleBusy': return '■';
    case 'DoNotDisturb': return '⊘';
    case 'BeRightBack': case 'Away': return '◐';
    case 'Offline': return '○';
    default: return '?';
  }
}

export function personJson(p: PersonCard) {
  return {
    sip: p.sip,
    name: p.name,
    availability: p.presence ? availabilityOf(p.presence.availability) : null,
    ...(p.presence && availabilityOf(p.presence.availability) === 'Unknown' ? { availabilityToken: p.presence.availability } : {}),
    activity: p.presence?.activity ?? '',
    note: p.note?.message ?? '',
    ...(p.note?.type && p.note.type !== 'Personal' ? { noteType: p.note.type } : {}),
    location: p.location ?? '',
    title: p.title, department: p.department, company: p.company, office: p.office,
    emails: p.emails, phones: p.phones,
    inContactList: p.inContactList,
    ...(p.presence?.lastActive ? { lastActive: iso(p.presence.lastActive) } : {}),
  };
}

/** "● Available  Mei Chen <mei.chen@contoso.com>  In a meeting — Back at 3" */
export function personLine(p: PersonCard): string {
  const avail = p.presence ? availabilityLabel(p.presence.availability) : 'Unknown';
  const activity = p.presence?.activity ? activityLabel(p.presence.activity) : '';
  const note = p.note?.message ? clip(p.note.message, 60) : '';
  const extra = [activity, note].filter(Boolean).join(' — ');
  return `${mark(p.presence?.availability)} ${avail.padEnd(15)} ${clip(p.name || p.sip, 28)} <${p.sip.replace(/^sip:/, '')}>${extra ? `  ${extra}` : ''}`;
}

/** The card of `ucwa whois`, one field a line (empty ones left out). */
export function personCardLines(p: PersonCard): string[] {
  const phones = Object.entries(p.phones).filter(([, v]) => v).map(([k, v]) => `${v.replace(/^tel:/, '')} (${k})`);
  const rows: [string, string][] = [
    ['Name', p.name], ['Address', p.sip.replace(/^sip:/, '')],
    ['Status', `${p.presence ? availabilityLabel(p.presence.availability) : 'Unknown'}${p.presence?.activity ? ` — ${activityLabel(p.presence.activity)}` : ''}`],
    ['Note', p.note?.message ? `${p.note.message}${p.note.type === 'OutOfOffice' ? ' (out of office)' : ''}` : ''],
    ['Location', p.location ?? ''], ['Title', p.title], ['Department', p.department], ['Company', p.company], ['Office', p.office],
    ['E-mail', p.emails.join(', ')], ['Phone', phones.join(', ')],
    ['Contact list', p.inContactList ? 'yes' : 'no'],
  ];
  return rows.filter(([, v]) => v).map(([k, v]) => `${`${k}:`.padEnd(14)}${v}`);
}

/** Whether `ucwa whois` found a photo: its type and size (the picture itself is for the app). */
export function photoJson(photo: PhotoBytes | null): { mime: string; bytes: number } | null {
  return photo ? { mime: photo.mime, bytes: Buffer.byteLength(photo.base64, 'base64') } : null;
}

export function photoLine(photo: PhotoBytes | null): string {
  const p = photoJson(photo);
  const kind = p?.mime.replace(/^image\//, '').toUpperCase();
  return `${'Photo:'.padEnd(14)}${p ? `yes (${kind}, ${Math.max(1, Math.round(p.bytes / 1024))} KB)` : 'none'}`;
}

export function myStatusLine(m: MyStatus): string {
  const activity = m.activity ? ` — ${activityLabel(m.activity)}` : '';
  return [
    `${mark(m.availability)} ${availabilityLabel(m.availability)}${activity}`,
    ...(m.note ? [`Note: ${m.note}${m.noteType === 'OutOfOffice' ? ' (out of office)' : ''}`] : []),
    ...(m.location ? [`Location: ${m.location}`] : []),
  ].join('\n');
}

export function myStatusJson(m: MyStatus) {
  return {
    availability: m.availability === null ? null : availabilityOf(m.availability),
    ...(m.availability !== null && availabilityOf(m.availability) === 'Unknown' ? { availabilityToken: m.availability } : {}),
    activity: m.activity, note: m.note, noteType: m.noteType, location: m.location,
  };
}
