// A live group conversation's own state (PROTOCOL-2 §2.7): the roster as a set keyed by participant
// href (`added` repeats for role changes and typing: insert-or-update; `deleted` removes), who is in
// its IM (participantMessaging), the joined/left lines, the people being added, and the links the
// group flow follows. Plain data and pure updates; Groups (groups.ts) drives them and Lives emits.
import type { AddingInfo, AppErrorShape, GroupPhase, RosterChange, RosterEntry } from './types.ts';

export interface RosterMember extends RosterEntry {
  href: string;
}

export interface GroupState {
  phase: GroupPhase;
  error: AppErrorShape | null;
  /** The others, by participant href, in the order they joined (a Map keeps insertion order). */
  members: Map<string, RosterMember>;
  /** Participant hrefs in the IM whose participant has not been read yet (the event came first). */
  imOnly: Set<string>;
  /** The local participant's href (never a member: you are not among "the others"). */
  localHref: string | null;
  changes: RosterChange[];
  adding: Map<string, AddingInfo>;
  subject: string;
  /** messaging.addMessaging, when the IM is not joined (or dropped on escalation). */
  addMessagingHref: string | null;
  addParticipantHref: string | null;
}

/** Joined/left lines kept per conversation (a long meeting must not grow them for ever). */
export const CHANGES_KEPT = 200;
/** People kept in a roster: a large meeting (or a hostile server) must not make every 'live' event huge. */
export const MEMBERS_KEPT = 500;

export function newGroupState(phase: GroupPhase, subject = ''): GroupState {
  return {
    phase, error: null, members: new Map(), imOnly: new Set(), localHref: null, changes: [], adding: new Map(),
    subject, addMessagingHref: null, addParticipantHref: null,
  };
}

export function addChange(g: GroupState, change: RosterChange): void {
  g.changes.push(change);
  if (g.changes.length > CHANGES_KEPT) g.changes.splice(0, g.changes.length - CHANGES_KEPT);
}

/**
 * A participant added or updated. `announce`: say "joined" (not for the people already there when
 * this app joined, nor for a participant re-added under a new href after an escalation).
 */
export function upsertMember(g: GroupState, m: RosterMember, at: number, announce: boolean): boolean {
  const before = g.members.get(m.href);
  if (!before && g.members.size >= MEMBERS_KEPT) return false;
  const imFirst = g.imOnly.delete(m.href);
  const inIm = (before?.inIm ?? false) || imFirst || m.inIm;
  const next: RosterMember = { ...m, inIm, name: m.name || before?.name || '', uri: m.uri ?? before?.uri ?? null };
  // The same person under another href (participant hrefs may change on escalation, §2.5): one row.
  const twin = next.uri ? [...g.members.values()].find((x) => x.href !== next.href && x.uri === next.uri) : undefined;
  if (twin) g.members.delete(twin.href);
  g.members.set(next.href, next);
  const changed = !before || JSON.stringify(before) !== JSON.stringify(next);
  if (!before && !twin && announce) addChange(g, { at, kind: 'joined', uri: next.uri, name: next.name });
  if (next.uri) {
    const a = g.adding.get(next.uri);
    if (a && a.state === 'inviting') g.adding.set(next.uri, { ...a, state: 'joined', name: next.name || a.name });
  }
  return changed || !!twin;
}

/** A participant deleted: they left the conversation. */
export function removeMember(g: GroupState, href: string, at: number): boolean {
  const m = g.members.get(href);
  g.imOnly.delete(href);
  if (!m) return false;
  g.members.delete(href);
  addChange(g, { at, kind: 'left', uri: m.uri, name: m.name });
  return true;
}

/** participantMessaging added / deleted: in the IM or not. */
export function setInIm(g: GroupState, participantHref: string, inIm: boolean): boolean {
  const m = g.members.get(participantHref);
  if (!m) {
    if (inIm) g.imOnly.add(participantHref);
    else g.imOnly.delete(participantHref);
    return false;
  }
  if (m.inIm === inIm) return false;
  g.members.set(participantHref, { ...m, inIm });
  return true;
}

export function rosterOf(g: GroupState): RosterEntry[] {
  return [...g.members.values()].map(({ href: _href, ...e }) => e);
}

/** The member a message's participant link names, by href. */
export function memberByHref(g: GroupState | null, href: string | null): RosterMember | null {
  if (!g || !href) return null;
  return g.members.get(href) ?? null;
}
