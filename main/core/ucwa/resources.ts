// Thin, typed calls on UCWA resources. Each follows only links the server gave; a missing link is a
// BadResponseError('missingLink') the caller can turn into a plain-words AppError.
import { encodeDataUrl, tryDecodeDataUrl } from './dataUrl.ts';
import { parseUcwaDate } from './dates.ts';
import { BadResponseError, UcwaError } from './errors.ts';
import { stripHtml } from './htmlText.ts';
import { LIMITS, truncateVisibly } from '../limits.ts';
import { asResource, embedded, embeddedList, lastSegment, link, links, str, type Resource } from './links.ts';
import { newOperationId } from './operationId.ts';
import { locationOf, type UcwaClient } from './client.ts';
import type { LogInput, MessageInput, Person } from '../store/types.ts';

function need(href: string | undefined, what: string): string {
  if (!href) throw new BadResponseError('missingLink', `the server offers no ${what} link`);
  return href;
}

export function personFromSip(sip: string, name?: string): Person {
  const s = sip.trim().toLowerCase();
  const norm = s.startsWith('sip:') ? s : `sip:${s}`;
  return { sip: norm, name: clipLine(name && name.length > 0 ? name : norm.slice(4), LIMITS.nameChars) };
}

/** A one-line field (name, subject) cut to `max` characters with an ellipsis. */
export function clipLine(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** SIP from a people/participant href ending in the address (".../people/lenea@contoso.com"). */
export function sipFromHref(href: string | undefined): string | null {
  if (!href) return null;
  const seg = lastSegment(href);
  return seg.includes('@') ? personFromSip(seg).sip : null;
}

// --- availability -------------------------------------------------------------------------

export async function makeMeAvailable(client: UcwaClient, href: string, opts: { html?: boolean } = {}): Promise<void> {
  try {
    // 204 or 201 (makeMeAvailable2) are both success.
    await client.post(href, {
      json: { SupportedModalities: ['Messaging'], SupportedMessageFormats: opts.html ? ['Plain', 'Html'] : ['Plain'], SignInAs: 'Online' },
    });
  } catch (err) {
    if (err instanceof UcwaError && err.is(409, 'AlreadyExists')) return; // called twice: already available
    throw err;
  }
}

export async function reportMyActivity(client: UcwaClient, href: string): Promise<void> {
  await client.post(href);
}

export async function setPresence(client: UcwaClient, href: string, availability: string): Promise<void> {
  await client.post(href, { json: { availability } });
}

export async function getPresence(client: UcwaClient, href: string): Promise<{ availability: string; activity: string }> {
  const r = await client.getJson(href);
  return { availability: str(r, 'availability') ?? 'Offline', activity: str(r, 'activity') ?? '' };
}

// --- people -------------------------------------------------------------------------------

function contactToPerson(c: Resource): Person | null {
  const uri = str(c, 'uri') ?? sipFromHref(link(c, 'self')) ?? undefined;
  if (!uri) return null;
  return personFromSip(uri, str(c, 'name'));
}

export async function searchPeople(client: UcwaClient, href: string, query: string, limit = 20): Promise<Person[]> {
  const r = await client.getJson(href, { query: { query, limit: String(Math.max(1, Math.min(100, limit))) } });
  return embeddedList(r, 'contact').map(contactToPerson).filter((p): p is Person => p !== null);
}

export async function listContacts(client: UcwaClient, href: string): Promise<Person[]> {
  const r = await client.getJson(href);
  return embeddedList(r, 'contact').map(contactToPerson).filter((p): p is Person => p !== null);
}

// --- messaging ----------------------------------------------------------------------------

export interface StartedOperation {
  operationId: string;
  /** Location of the 201 (the messagingInvitation), when given. */
  location: string | null;
}

export async function startMessaging(
  client: UcwaClient, href: string, input: { to: string; text?: string; subject?: string; threadId?: string; operationId?: string },
): Promise<StartedOperation> {
  const operationId = input.operationId ?? newOperationId();
  const body: Record<string, unknown> = { operationId, to: input.to, importance: 'Normal' };
  if (input.subject) body.subject = input.subject.slice(0, 250);
  if (input.threadId) body.threadId = input.threadId;
  if (input.text) body._links = { message: { href: encodeDataUrl(input.text) } };
  const res = await client.post(href, { json: body });
  return { operationId, location: locationOf(client, res) };
}

/** continueMessaging exactly per the seed page: POST {operationId, _links.message.href} → 201 + Location. */
export async function continueMessaging(client: UcwaClient, href: string, input: { text?: string; operationId?: string }): Promise<StartedOperation> {
  const operationId = (input.operationId ?? newOperationId()).slice(0, 50);
  const body: Record<string, unknown> = { operationId };
  if (input.text) body._links = { message: { href: encodeDataUrl(input.text) } };
  const res = await client.post(href, { json: body });
  return { operationId, location: locationOf(client, res) };
}

export async function acceptInvitation(client: UcwaClient, href: string): Promise<void> {
  await client.post(href);
}

export async function declineInvitation(client: UcwaClient, href: string): Promise<void> {
  await client.post(href, { json: { reason: 'Local' } });
}

export async function cancelInvitation(client: UcwaClient, href: string): Promise<void> {
  await client.post(href);
}

export async function sendMessage(
  client: UcwaClient, href: string, input: { text: string; html?: string | null; operationId: string },
): Promise<string | null> {
  const res = await client.post(href, {
    text: input.html ?? input.text,
    contentType: input.html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    query: { operationId: input.operationId },
  });
  return locationOf(client, res);
}

export async function setIsTyping(client: UcwaClient, href: string): Promise<void> {
  await client.post(href);
}

export async function stopMessaging(client: UcwaClient, href: string): Promise<void> {
  try {
    await client.post(href);
  } catch (err) {
    // The official samples treat 404 as "already ended".
    if (err instanceof UcwaError && err.status === 404) return;
    throw err;
  }
}

// --- messages in events -------------------------------------------------------------------

export interface MessageInfo {
  href: string;
  direction: 'Incoming' | 'Outgoing';
  at: number | null;
  /** The server sent a timestamp that is no date (out of range, garbage): `at` is null for it. */
  atRejected: boolean;
  text: string | null;
  html: string | null;
  operationId: string | null;
  status: string | null;
  /** From the message's contact link (a phone or anonymous participant has none), else its participant href. */
  authorSip: string | null;
  authorName: string | null;
  /** The author's participant href: the roster names them by it (§2.8), whatever the href looks like. */
  participantHref: string | null;
  /** The author's address from the contact link alone. */
  contactSip: string | null;
}

export function parseMessage(href: string, m: Resource | null): MessageInfo {
  const plain = tryDecodeDataUrl(link(m, 'plainMessage'));
  const html = tryDecodeDataUrl(link(m, 'htmlMessage'));
  const body = messageBody(plain?.text ?? null, html?.text ?? null);
  const at = parseUcwaDate(m?.timeStamp);
  const participantTitle = m ? (asResource(asResource(m._links)?.participant)?.title as string | undefined) : undefined;
  return {
    href,
    direction: str(m, 'direction') === 'Outgoing' ? 'Outgoing' : 'Incoming',
    at,
    atRejected: at === null && m?.timeStamp !== undefined && m?.timeStamp !== null,
    text: body?.text ?? null,
    html: body?.html ?? null,
    operationId: str(m, 'operationId') ?? null,
    status: str(m, 'status') ?? null,
    authorSip: sipFromHref(link(m, 'contact')) ?? sipFromHref(link(m, 'participant')),
    authorName: typeof participantTitle === 'string' && participantTitle ? participantTitle : null,
    participantHref: link(m, 'participant') ?? null,
    contactSip: sipFromHref(link(m, 'contact')),
  };
}

/**
 * A message's text and HTML as the client keeps them (LIMITS in main/core/limits.ts): the text is the
 * plain part, else the HTML's text; beyond the bound it is cut with a visible note, and an HTML part
 * over its bound is not kept (the message then shows as its text, note included).
 */
export function messageBody(plain: string | null, html: string | null): { text: string; html: string | null; truncated: boolean } | null {
  const full = plain ?? (html !== null ? stripHtml(html) : null);
  if (full === null) return null;
  const cut = truncateVisibly(full, LIMITS.messageTextChars);
  const keepHtml = html !== null && html.length <= LIMITS.messageHtmlChars && !cut.truncated;
  return { text: cut.text, html: keepHtml ? html : null, truncated: cut.truncated || (html !== null && !keepHtml) };
}

// --- history ------------------------------------------------------------------------------

export async function listConversationLogs(client: UcwaClient, href: string, limit?: number): Promise<string[]> {
  const r = await client.getJson(href, limit ? { query: { limit: String(limit) } } : {});
  return links(r, 'conversationLog');
}

export interface ParsedLog {
  input: LogInput;
  transcriptsHref: string | null;
  continueHref: string | null;
  markAsReadHref: string | null;
}

export function parseConversationLog(href: string, r: Resource, me: Person | null): ParsedLog {
  const recipients = embeddedList(r, 'conversationLogRecipient')
    .map((c) => {
      const sip = str(c, 'sipUri') ?? sipFromHref(link(c, 'contact'));
      return sip ? personFromSip(sip, str(c, 'displayName')) : null;
    })
    .filter((p): p is Person => p !== null && p.sip !== me?.sip);
  const self = link(r, 'self') ?? href;
  const status = str(r, 'status') === 'Missed' ? 'Missed' : 'Archived';
  return {
    input: {
      logKey: lastSegment(self),
      href: self,
      threadId: str(r, 'threadId') ?? null,
      subject: clipLine(str(r, 'subject') ?? '', LIMITS.subjectChars),
      type: str(r, 'type') ?? 'UnknownLog',
      direction: str(r, 'direction') === 'Outgoing' ? 'Outgoing' : 'Incoming',
      status,
      importance: str(r, 'importance') ?? 'Normal',
      createdAt: parseUcwaDate(r.creationTime) ?? 0,
      preview: str(r, 'previewMessage') ?? '',
      participants: recipients,
      // The docs define no read flag on a log; unread = not yet marked read and presented as
      // missed. Servers that add one (isRead / unread) are honoured.
      unread: typeof r.unread === 'boolean' ? r.unread : typeof r.isRead === 'boolean' ? !r.isRead : status === 'Missed',
    },
    transcriptsHref: link(r, 'conversationLogTranscripts') ?? null,
    continueHref: link(r, 'continueMessaging') ?? null,
    markAsReadHref: link(r, 'markAsRead') ?? null,
  };
}

/** Fingerprint of the log properties: an unchanged fingerprint means nothing to fetch. */
export function logFingerprint(log: LogInput): string {
  return JSON.stringify([log.threadId, log.subject, log.type, log.status, log.createdAt, log.preview, log.unread, log.participants.map((p) => p.sip)]);
}

export async function getConversationLog(client: UcwaClient, href: string, me: Person | null, signal?: AbortSignal): Promise<ParsedLog> {
  return parseConversationLog(href, await client.getJson(href, { signal }), me);
}

export interface TranscriptPage {
  messages: MessageInput[];
  next: string | null;
}

/**
 * One page of a log's transcripts. An entry whose timestamp is no date keeps `fallbackAt` (the log's
 * creation time: stable, so the same entry meets itself on the next sync) and is marked so.
 */
export function parseTranscriptPage(r: Resource, me: Person, people: Map<string, string>, fallbackAt = 0): TranscriptPage {
  const messages: MessageInput[] = [];
  for (const t of embeddedList(r, 'conversationLogTranscript')) {
    const mt = embedded(t, 'messageTranscript');
    if (!mt) continue; // audio / error transcripts carry no text
    const plain = tryDecodeDataUrl(link(mt, 'plainMessage'));
    const html = tryDecodeDataUrl(link(mt, 'htmlMessage'));
    const body = messageBody(plain?.text ?? null, html?.text ?? null);
    if (body === null) continue;
    const parsedAt = parseUcwaDate(t.timeStamp);
    const at = parsedAt ?? fallbackAt;
    const contactSip = sipFromHref(link(t, 'contact'));
    const fromMe = !contactSip && !!link(t, 'me');
    const author: Person | null = fromMe ? me : contactSip ? personFromSip(contactSip, people.get(contactSip)) : null;
    messages.push({
      author, direction: fromMe ? 'Outgoing' : 'Incoming', at, text: body.text, html: body.html, origin: 'transcript',
      ...(parsedAt === null ? { atEstimated: true } : {}),
    });
  }
  return { messages, next: link(r, 'nextConversationLogTranscripts') ?? null };
}

export async function getTranscriptPage(client: UcwaClient, href: string, me: Person, people: Map<string, string>, signal?: AbortSignal, fallbackAt = 0): Promise<TranscriptPage> {
  return parseTranscriptPage(await client.getJson(href, { signal }), me, people, fallbackAt);
}

export async function markAsRead(client: UcwaClient, href: string): Promise<void> {
  await client.post(href);
}

export async function getMissedItems(client: UcwaClient, href: string): Promise<Record<string, number>> {
  const r = await client.getJson(href);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number') out[k] = v;
  return out;
}

export { need, stripHtml };
