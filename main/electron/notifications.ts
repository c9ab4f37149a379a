// Native notifications as pure decisions: what to show (privacy, Do not disturb, platform reply
// support) and when a reply counts (the OS may report one reply twice: instance event + activation).
import type { Availability, InvitationInfo, Message, Person, Settings } from '../ipc/contract.ts';
import { availabilityLabel } from './presenceLabel.ts';

export interface NotificationSource {
  conversationId: number;
  from: Person | null;
  text: string | null;
  /** A new incoming invitation (vs. one more message in a live conversation). */
  invitation: boolean;
  /** A group invitation: who else is in it and its subject (the notification says both). */
  group?: { others: Person[]; subject: string };
}

export interface NotificationContent {
  /** Unique per notification; carries the conversation id so an activation that launched the app can find it. */
  id: string;
  conversationId: number;
  title: string;
  body: string;
  silent: boolean;
  /** Inline reply (macOS, Windows). On Linux a click opens the quick-reply popup instead. */
  hasReply: boolean;
  replyPlaceholder?: string;
  groupId: string;
}

/** Platforms whose native notifications take an inline reply in Electron ≥ 42. */
export function supportsInlineReply(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

export function fromInvitation(inv: InvitationInfo): NotificationSource | null {
  if (inv.direction !== 'Incoming') return null;
  return {
    conversationId: inv.conversationId, from: inv.from, text: inv.unsupported ? null : inv.text, invitation: true,
    ...(inv.group ? { group: { others: inv.others, subject: inv.subject } } : {}),
  };
}

export function fromMessage(msg: Message): NotificationSource | null {
  if (msg.direction !== 'Incoming' || msg.origin !== 'live') return null;
  return { conversationId: msg.conversationId, from: msg.author, text: msg.text, invitation: false };
}

const MAX_BODY = 240;
/** A sender's name longer than this is cut (a title is one line). */
const MAX_TITLE = 100;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function withPresence(name: string, presence: { availability: string | null; activity?: string | null } | null | undefined): string {
  const words = presence ? availabilityLabel(presence.availability, presence.activity) : null;
  return words ? `${name} (${words})` : name;
}

export function notificationId(conversationId: number, seq: number): string {
  return `ucwa-c${conversationId}-n${seq}`;
}

/** The conversation id encoded in a notification id (or in Windows' raw activation arguments). */
export function conversationFromNotificationId(text: string | undefined | null): number | null {
  const m = /ucwa-c(\d{1,15})-n\d+/.exec(text ?? '');
  if (!m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function escapeNotificationMarkup(text: string): string {
  // split/join: native passes, several times faster than a replace callback per character.
  return text.split('&').join('&amp;').split('<').join('&lt;').split('>').join('&gt;').split('"').join('&quot;').split("'").join('&apos;');
}

/**
 * What to show for an incoming IM or invitation, or null for nothing (Do not disturb).
 * With notificationShowText off the text never reaches the OS (lock screens, notification centres).
 * `senderPresence`: the sender's presence as the app already knows it — the title says it,
 * "Lene Andersen (Busy)", so "can I call her now?" is answered without opening anything. Unknown
 * (never read, or a token nobody documents): the name alone.
 */
export function notificationContent(
  src: NotificationSource,
  ctx: {
    settings: Pick<Settings, 'notificationShowText' | 'notificationSound'>; availability: Availability | null; platform: NodeJS.Platform; seq: number;
    senderPresence?: { availability: string | null; activity?: string | null } | null;
  },
): NotificationContent | null {
  if (ctx.availability === 'DoNotDisturb') return null;
  // Both are cut before they are flattened: a 1 MB message costs what a short one does.
  const name = clip(src.from?.name?.trim() || src.from?.sip.replace(/^sip:/i, '') || 'Someone', MAX_TITLE);
  const text = (src.text ?? '').trimStart().slice(0, MAX_BODY * 8).replace(/\s+/g, ' ').trim();
  let body: string;
  if (src.group) {
    // Who invites is the title; the body says it is a group, with whom, about what — then the text.
    const lead = groupLead(src.group, ctx.settings.notificationShowText);
    body = ctx.settings.notificationShowText && text ? `${lead}: ${text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text}` : lead;
  } else if (!ctx.settings.notificationShowText) body = src.invitation ? `New conversation from ${name}` : `New message from ${name}`;
  else if (text) body = text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
  else body = src.invitation ? `${name} wants to chat` : `New message from ${name}`;
  // Linux notification servers render a subset of markup in the body (Desktop Notifications spec,
  // "Markup"): a sender could bold, link or hide text. Escape it so the body is exactly the text.
  if (ctx.platform === 'linux') body = escapeNotificationMarkup(body);
  const hasReply = supportsInlineReply(ctx.platform);
  return {
    id: notificationId(src.conversationId, ctx.seq),
    conversationId: src.conversationId,
    title: withPresence(name, ctx.senderPresence),
    body,
    silent: !ctx.settings.notificationSound,
    hasReply,
    ...(hasReply ? { replyPlaceholder: `Reply to ${name}` } : {}),
    groupId: `ucwa-c${src.conversationId}`,
  };
}

/** "Group conversation “Plans” with Bob, Carol and 2 others" (the subject only when texts are shown: it may be private). */
function groupLead(group: { others: Person[]; subject: string }, showText: boolean): string {
  const names = group.others.map((p) => p.name.trim() || p.sip.replace(/^(sip|tel):/i, ''));
  const shown = names.slice(0, 3).map((n) => clip(n, 40));
  const more = names.length - shown.length;
  const withWhom = shown.length ? ` with ${shown.join(', ')}${more > 0 ? ` and ${more} other${more === 1 ? '' : 's'}` : ''}` : '';
  const subject = showText && group.subject.trim() ? ` “${clip(group.subject.trim().replace(/\s+/g, ' '), 80)}”` : '';
  return `Group conversation${subject}${withWhom}`;
}

/**
 * The invitation's first message usually comes again as a message event (the server re-delivers
 * it after accept): one notification per conversation + text within `windowMs`.
 */
export function createNotificationGate(windowMs = 10_000): (src: NotificationSource, now: number) => boolean {
  const seen = new Map<string, number>();
  return (src, now) => {
    for (const [k, at] of seen) if (now - at > windowMs) seen.delete(k);
    const key = `${src.conversationId}\u0000${(src.text ?? '').trim()}`;
    if (seen.has(key)) return false;
    seen.set(key, now);
    return true;
  };
}

/**
 * A reply is accepted once even if the OS reports it twice (Windows: the instance's 'reply' event
 * and Notification.handleActivation for the same toast). Keyed by notification id + text.
 */
export function createReplyDeduper(windowMs = 30_000): (notificationKey: string, text: string, now: number) => boolean {
  const seen = new Map<string, number>();
  return (notificationKey, text, now) => {
    for (const [k, at] of seen) if (now - at > windowMs) seen.delete(k);
    const key = `${notificationKey}\u0000${text}`;
    if (seen.has(key)) return false;
    seen.set(key, now);
    return true;
  };
}

/** The reply text of a Notification 'reply' event: `details.reply` (Electron ≥ 42), else the legacy second argument. */
export function replyText(details: unknown, legacy?: unknown): string {
  const fromDetails = details && typeof details === 'object' ? (details as { reply?: unknown }).reply : undefined;
  if (typeof fromDetails === 'string') return fromDetails;
  return typeof legacy === 'string' ? legacy : '';
}

export type ActivationTarget =
  | { kind: 'reply'; key: string; conversationId: number; text: string }
  | { kind: 'open'; conversationId: number }
  | { kind: 'none'; reason: string };

/**
 * What a Windows toast activation (Notification.handleActivation) asks for. A reply is only sent
 * when the activation itself names the notification: guessing (the last notification shown) could
 * send the text to the wrong person — and twice, since the live instance's own 'reply' event
 * handles it too, under its own key. A click may fall back to the last notification (it only opens a window).
 */
export function activationTarget(
  details: { type: string; arguments?: string | null; reply?: string | null },
  lastNotificationId: string | null,
): ActivationTarget {
  const named = /ucwa-c\d{1,15}-n\d+/.exec(details.arguments ?? '')?.[0] ?? null;
  if (details.type === 'reply') {
    const text = details.reply ?? '';
    if (!text.trim()) return { kind: 'none', reason: 'empty reply' };
    const conversationId = conversationFromNotificationId(named);
    if (!named || conversationId === null) return { kind: 'none', reason: 'reply without a notification id' };
    return { kind: 'reply', key: named, conversationId, text };
  }
  if (details.type === 'click') {
    const conversationId = conversationFromNotificationId(named ?? lastNotificationId);
    if (conversationId === null) return { kind: 'none', reason: 'click without a notification id' };
    return { kind: 'open', conversationId };
  }
  return { kind: 'none', reason: `activation type ${details.type}` };
}
