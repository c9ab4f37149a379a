// Group IM on the wire (PROTOCOL-2 §2): an ad hoc meeting (startOnlineMeeting), a scheduled one
// (joinOnlineMeeting), its IM (addMessaging), invitations (addParticipant), leaving (DELETE the
// conversation), and the participant resource a roster and a message's author are read from.
// Thin calls that follow only the links the server gave, as resources.ts.
import { UcwaError } from './errors.ts';
import { embeddedList, link, str, type Resource } from './links.ts';
import { newOperationId } from './operationId.ts';
import { locationOf, type UcwaClient } from './client.ts';
import { clipLine, sipFromHref } from './resources.ts';
import { LIMITS } from '../limits.ts';

export interface Posted {
  operationId: string;
  location: string | null;
}

/** startOnlineMeeting: an ad hoc meeting. No `to`, no first message (§2.2): the invitees come after. */
export async function startOnlineMeeting(client: UcwaClient, href: string, input: { subject?: string; threadId?: string; operationId?: string }): Promise<Posted> {
  const operationId = (input.operationId ?? newOperationId()).slice(0, 50);
  const body: Record<string, unknown> = { operationId, importance: 'Normal' };
  if (input.subject) body.subject = input.subject.slice(0, 250);
  if (input.threadId) body.threadId = input.threadId;
  const res = await client.post(href, { json: body });
  return { operationId, location: locationOf(client, res) };
}

/** joinOnlineMeeting with a conference URI (§2.11); 404 DestinationNotFound for an unknown meeting. */
export async function joinOnlineMeeting(client: UcwaClient, href: string, input: { onlineMeetingUri: string; operationId?: string }): Promise<Posted> {
  const operationId = (input.operationId ?? newOperationId()).slice(0, 50);
  const res = await client.post(href, { json: { onlineMeetingUri: input.onlineMeetingUri, operationId, importance: 'Normal' } });
  return { operationId, location: locationOf(client, res) };
}

/** addMessaging: join the IM of a conversation already in a meeting (§2.2 step 6). */
export async function addMessaging(client: UcwaClient, href: string, operationId = newOperationId()): Promise<Posted> {
  const op = operationId.slice(0, 50);
  const res = await client.post(href, { json: { operationId: op } });
  return { operationId: op, location: locationOf(client, res) };
}

/** addParticipant: invite one person (a one-to-one is escalated by the server first, §2.4). */
export async function addParticipant(client: UcwaClient, href: string, to: string, operationId = newOperationId()): Promise<Posted> {
  const op = operationId.slice(0, 50);
  const res = await client.post(href, { json: { to, operationId: op } });
  return { operationId: op, location: locationOf(client, res) };
}

/** Leave: DELETE the conversation (§2.10) — "the user is leaving"; the others carry on. */
export async function leaveConversation(client: UcwaClient, href: string): Promise<void> {
  try {
    await client.request('DELETE', href);
  } catch (err) {
    // Already gone on the server: left all the same.
    if (err instanceof UcwaError && (err.status === 404 || err.status === 410)) return;
    throw err;
  }
}

export interface ParticipantInfo {
  /** sip: or tel: address, lower-cased sip; null when the server gave none. */
  uri: string | null;
  name: string;
  role: 'Leader' | 'Attendee' | 'Unknown';
  phone: boolean;
  local: boolean;
}

/**
 * A participant resource (§2.7): `uri` and `name` first; the contact link's address and the link's
 * title as fallbacks; the href itself only as a last resort — reference hrefs are opaque numbers.
 */
export function parseParticipant(r: Resource | null, href?: string, title?: string): ParticipantInfo | null {
  const uri = normaliseUri(str(r, 'uri')) ?? sipFromHref(link(r, 'contact')) ?? sipFromHref(href);
  const rawName = str(r, 'name') || title || '';
  if (!uri && !rawName) return null;
  const phone = !!uri && uri.startsWith('tel:') || str(r, 'sourceNetwork') === 'PublicSwitchedTelephoneNetwork';
  const roleRaw = str(r, 'role');
  const role = roleRaw === 'Leader' || roleRaw === 'Attendee' ? roleRaw : 'Unknown';
  const name = clipLine(rawName || (uri ? uri.replace(/^(sip|tel):/, '') : ''), LIMITS.nameChars);
  // The user's own participant: `local`, or the `me` link only it has (§2.7).
  return { uri, name, role, phone, local: r?.local === true || !!link(r, 'me') };
}

export interface ListedParticipant {
  /** The participant's href as the server wrote it. */
  href: string;
  info: ParticipantInfo;
  /** In the IM (a participantMessaging link). */
  inIm: boolean;
}

/**
 * Who is in a conversation now, from its participants collection — read from the conversation
 * when its href is not known. No GET is documented for it (§2.7): servers answer with
 * `_embedded.participant[]`; the participant events stay the primary source.
 */
export async function listParticipants(client: UcwaClient, at: { participants?: string | undefined; conversation?: string | null }): Promise<ListedParticipant[]> {
  let href = at.participants;
  if (!href && at.conversation) href = link(await client.getJson(at.conversation), 'participants');
  if (!href) return [];
  const out: ListedParticipant[] = [];
  for (const p of embeddedList(await client.getJson(href), 'participant')) {
    const self = link(p, 'self');
    const info = self ? parseParticipant(p, self) : null;
    if (self && info) out.push({ href: self, info, inIm: !!link(p, 'participantMessaging') || !!link(p, 'messaging') });
  }
  return out;
}

/** "SIP:Bob@Contoso.com" → "sip:bob@contoso.com"; tel: kept as it is (no spaces); anything else null. */
export function normaliseUri(raw: string | undefined): string | null {
  if (!raw) return null;
  const v = raw.trim();
  if (/^tel:/i.test(v)) return `tel:${v.slice(4).replace(/\s+/g, '')}`;
  const low = v.toLowerCase();
  if (/^sip:[^@\s]+@[^@\s]+$/.test(low)) return low;
  if (/^[^@\s:]+@[^@\s:]+$/.test(low)) return `sip:${low}`;
  return null;
}

/**
 * A meeting's join URL → candidate conference URIs (§2.11): the official sample's rule
 * (https://meet.<domain>/<user>/<id> → sip:<user>@<domain>;gruu;opaque=app:conf:focus:id:<id>),
 * then the same with the signed-in user's domain (admins name the simple-URL host freely). A conference
 * URI is taken as it is. Empty when the text is neither.
 */
export function meetingUriCandidates(text: string, myDomain: string | null): string[] {
  const t = text.trim();
  if (/^sip:[^@\s]+@[^;\s]+;gruu;opaque=app:conf:focus:id:[^\s]+$/i.test(t)) return [t];
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    return [];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return [];
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  } catch {
    return []; // a malformed %-escape: not a meeting link
  }
  if (parts.length < 2) return [];
  const user = parts[parts.length - 2] as string;
  const id = parts[parts.length - 1] as string;
  if (!/^[\w.-]+$/.test(user) || !/^[\w-]+$/.test(id)) return [];
  const hostDomain = url.hostname.split('.').slice(1).join('.');
  const out: string[] = [];
  for (const d of [hostDomain, myDomain]) {
    if (!d) continue;
    const uri = `sip:${user.toLowerCase()}@${d.toLowerCase()};gruu;opaque=app:conf:focus:id:${id}`;
    if (!out.includes(uri)) out.push(uri);
  }
  return out;
}
