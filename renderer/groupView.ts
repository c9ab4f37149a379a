// Group conversations (issue 14) as the renderer words them: the group's name, where joining is,
// the joined / left lines, people being added, and a live state built from an invitation alone.
// Pure (no React, no window.ucwa): tests/unit/groupView.test.ts runs it under node.
import type { InvitationInfo, IpcError, LiveState, Person } from '../main/ipc/contract.ts';
import { inWords } from './errors.ts';

// The contract names only the whole live state; its parts, named for the renderer.
export type RosterEntry = LiveState['roster'][number];
export type RosterChange = LiveState['changes'][number];
export type AddingInfo = LiveState['adding'][number];

/** Someone as the group shows them: a roster entry, a person of the history, an invitation's. */
export type Named = { name: string; uri?: string | null; sip?: string };

const addressOf = (p: Named): string => (p.uri ?? p.sip ?? '').replace(/^(sip|tel):/i, '');

/** A person's name in full: their name, else their address, else "Unknown" (never an empty label). */
export function fullName(p: Named | null | undefined): string {
  if (!p) return 'Unknown';
  return p.name.trim() || addressOf(p) || 'Unknown';
}

/** "Lene Aaling" → "Lene"; an address → the part before @ ("bob.smith"); a phone number whole. */
export function firstName(p: Named): string {
  const name = p.name.trim();
  if (name) return name.split(/\s+/)[0] ?? name;
  const addr = addressOf(p);
  return addr.split('@')[0] || 'Unknown';
}

/** "Lene", "Lene and Bob", "Lene, Bob and Carol", "Lene, Bob, Carol and 2 others". */
export function firstNames(people: readonly Named[], most = 3): string {
  const names = people.map(firstName);
  if (names.length === 0) return '';
  if (names.length === 1) return names[0] as string;
  if (names.length <= most) return `${names.slice(0, -1).join(', ')} and ${names.at(-1) as string}`;
  const rest = names.length - most;
  return `${names.slice(0, most).join(', ')} and ${rest === 1 ? '1 other' : `${rest} others`}`;
}

/** A group's name: its subject when it has one, else the first names of the others in it. */
export function groupName(subject: string | null | undefined, others: readonly Named[]): string {
  return subject?.trim() || firstNames(others) || 'Group conversation';
}

/** The others as the live state knows them (its roster), else as the history does (participants). */
export function othersOf(live: LiveState | null, participants: readonly Person[], self: string | null): Named[] {
  if (live && live.roster.length) return live.roster;
  const me = self?.toLowerCase() ?? null;
  return participants.filter((p) => p.sip.toLowerCase() !== me);
}

/** Whether a conversation is a group: the live state says so, or the history has two others or more. */
export function isGroup(live: LiveState | null, participants: readonly Person[], self: string | null): boolean {
  if (live?.group) return true;
  const me = self?.toLowerCase() ?? null;
  return participants.filter((p) => p.sip.toLowerCase() !== me).length >= 2;
}

/**
 * Where joining (or leaving) the group is, in words; null when there is nothing to say (connected,
 * a one-to-one) or when the transcript says it ("You left"). The core's error message is in words
 * already ("You were removed from the meeting"), so it is preferred to the generic one for its code.
 */
export function phaseWords(live: LiveState | null): string | null {
  if (!live?.group) return null;
  const why = errorWords(live.groupError);
  switch (live.groupPhase) {
    case 'starting': return 'Starting the group conversation…';
    case 'joining': return 'Joining…';
    case 'lobby': return 'Waiting in the lobby… Someone in the meeting will let you in.';
    case 'addingMessaging': return 'Joining the chat…';
    case 'leaving': return 'Leaving…';
    case 'ended': return why ? `The meeting ended: ${why}` : 'The meeting ended.';
    case 'failed': return why || 'Couldn’t join the group conversation.';
    default: return null;
  }
}

export function errorWords(e: IpcError | null | undefined): string {
  if (!e) return '';
  return e.message.trim() || inWords(e);
}

/** Whether the group is on its way in (a spinner, not an alert). */
export function phaseBusy(live: LiveState | null): boolean {
  return !!live?.group && ['starting', 'joining', 'lobby', 'addingMessaging', 'leaving'].includes(live.groupPhase ?? '');
}

/** Whether the group can no longer be written to from here (you left, or it is over). */
export function groupClosed(live: LiveState | null): boolean {
  return !!live?.group && ['leaving', 'left', 'ended', 'failed'].includes(live.groupPhase ?? '');
}

/** A joined / left line ("Carol Smith joined"). */
export function changeWords(c: RosterChange): string {
  if (c.kind === 'restarted') return 'This server cannot continue a past group conversation: a new one was started with the same people.';
  return `${fullName(c)} ${c.kind === 'joined' ? 'joined' : 'left'}`;
}

/** One person being added, as it goes ("Inviting Carol…", "Carol couldn’t be added: …"). */
export function addingWords(a: AddingInfo): string {
  const who = fullName(a);
  switch (a.state) {
    case 'inviting': return `Inviting ${who}…`;
    case 'joined': return `${who} joined`;
    default: {
      const why = errorWords(a.error);
      return why ? `${who} couldn’t be added: ${why}` : `${who} couldn’t be added.`;
    }
  }
}

/** A roster entry's own details in words ("Leader", "not in the chat", "Phone"). */
export function rosterDetails(e: RosterEntry): string[] {
  const out: string[] = [];
  if (e.role === 'Leader') out.push('Leader');
  if (e.phone) out.push('Phone');
  if (!e.inIm) out.push('not in the chat');
  return out;
}

/** The live state of a conversation known only from an invitation event (nothing group yet). */
export function liveWithInvitation(l: LiveState | null, inv: InvitationInfo): LiveState {
  return {
    conversationId: inv.conversationId,
    connection: l?.connection ?? 'disconnected',
    typing: l?.typing ?? [],
    invitation: inv,
    group: l?.group ?? inv.group,
    groupPhase: l?.groupPhase ?? null,
    groupError: l?.groupError ?? null,
    roster: l?.roster ?? [],
    changes: l?.changes ?? [],
    adding: l?.adding ?? [],
    subject: l?.subject ?? inv.subject,
  };
}

/** Who an invitation says is in a group, inviter first, without you and without repeats. */
export function invitationPeople(inv: InvitationInfo, self: string | null): Person[] {
  const me = self?.toLowerCase() ?? null;
  const seen = new Set<string>();
  const out: Person[] = [];
  for (const p of [...(inv.from ? [inv.from] : []), ...inv.others]) {
    const k = p.sip.toLowerCase();
    if (k === me || seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

/** "Lene Aaling invites you to a group conversation" and, when the server said, who else is in it. */
export function groupInvitationWords(inv: InvitationInfo, self: string | null): { title: string; others: string } {
  const from = inv.from ? fullName(inv.from) : 'Someone';
  const rest = invitationPeople(inv, self).filter((p) => p.sip.toLowerCase() !== inv.from?.sip.toLowerCase());
  const names = rest.map((p) => fullName(p));
  const others = names.length === 0 ? '' : names.length === 1 ? `With ${names[0] as string}` : `With ${names.slice(0, -1).join(', ')} and ${names.at(-1) as string}`;
  return { title: `${from} invites you to a group conversation`, others };
}

/** The name a message's author goes by in a group: theirs, the roster's for their address, or "Unknown". */
export function authorName(author: Person | null, roster: readonly RosterEntry[]): string {
  if (!author) return 'Unknown';
  if (author.name.trim()) return author.name.trim();
  const k = author.sip.toLowerCase();
  const r = roster.find((e) => e.uri?.toLowerCase() === k);
  return r?.name.trim() || author.sip.replace(/^sip:/i, '') || 'Unknown';
}
