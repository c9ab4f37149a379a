// The People view's rows, worked out from the contact list (issue 13): the groups and the people in
// them flattened into one list for the virtual tree (a 1 000-person list keeps a bounded DOM), or,
// while filtering, the contacts that match (each once) and the other people the window knows.
// Pure functions: no IPC, no DOM, unit-tested.
import type { ContactGroup, PersonCard } from '../main/ipc/contract.ts';

export type PeopleRow =
  | { type: 'group'; key: string; group: ContactGroup; name: string; expanded: boolean; count: number; level: 1; posinset: number; setsize: number }
  /** A heading while filtering ("Contacts", "Other people"): nothing to expand. */
  | { type: 'section'; key: string; name: string; count: number; level: 1; posinset: number; setsize: number }
  | { type: 'person'; key: string; sip: string; parent: string | null; level: 1 | 2; posinset: number; setsize: number }
  /** Words in place of members (a distribution group's while they are read, or why they can't be). */
  | { type: 'note'; key: string; text: string; parent: string; level: 2; posinset: number; setsize: number };

/** What the user calls each group: the server's pinned group is "Favourites" (its name on the wire is "Pinned Contacts"). */
export function groupName(g: ContactGroup): string {
  if (g.kind === 'pinned') return 'Favourites';
  return g.name.trim() || (g.kind === 'default' ? 'Other Contacts' : 'Unnamed group');
}

/** Favourites first, then the others in the server's order (a stable sort keeps it). */
export function orderGroups(groups: readonly ContactGroup[]): ContactGroup[] {
  return [...groups].sort((a, b) => Number(b.kind === 'pinned') - Number(a.kind === 'pinned') || a.position - b.position);
}

/**
 * Text as the filter compares it: case- and accent-insensitive ("Sofía" and "sofia", "Weiß" and
 * "weiss", "Björn" and "bjorn").
 */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss').replace(/ø/g, 'o').replace(/æ/g, 'ae').replace(/ł/g, 'l');
}

/** The words typed, folded; empty: no filter. */
export function filterWords(query: string): string[] {
  return fold(query).split(/\s+/).filter(Boolean).slice(0, 8);
}

const haystacks = new WeakMap<PersonCard, string>();

/** Whether every word typed is in the person's name, address or title. */
export function matches(sip: string, card: PersonCard | undefined, words: readonly string[]): boolean {
  if (!words.length) return true;
  let hay = card ? haystacks.get(card) : undefined;
  if (hay === undefined) {
    hay = fold([card?.name ?? '', sip.replace(/^sip:/i, ''), card?.title ?? ''].join('\n'));
    if (card) haystacks.set(card, hay);
  }
  return words.every((w) => hay.includes(w));
}

/** A distribution group's people, read from the server when the user opens it. */
export type Expansion = { state: 'loading' } | { state: 'done'; members: readonly string[] } | { state: 'error'; text: string };

export interface FlattenInput {
  groups: readonly ContactGroup[];
  /** The card of a person, when the window holds it. */
  cardOf: (sip: string) => PersonCard | undefined;
  /** Distribution groups the user opened in this window (their members come only on request), by id. */
  expansions: ReadonlyMap<number, Expansion>;
  query: string;
  /** While filtering: people outside the contact list who match (search-only people), already filtered. */
  others?: readonly string[];
}

/** A distribution group opens on request only: its stored flag never says "expanded" by itself. */
export function isExpanded(g: ContactGroup, expansions: ReadonlyMap<number, Expansion>): boolean {
  return g.kind === 'distribution' ? expansions.has(g.id) : !g.collapsed;
}

/** A group's people as the view knows them: a distribution group's once read. */
function membersOf(g: ContactGroup, expansions: ReadonlyMap<number, Expansion>): readonly string[] {
  if (g.kind !== 'distribution') return g.members;
  const e = expansions.get(g.id);
  return e?.state === 'done' ? e.members : g.members;
}

export const groupKey = (g: ContactGroup): string => `g${g.id}`;

export function flattenPeople(input: FlattenInput): PeopleRow[] {
  const words = filterWords(input.query);
  const groups = orderGroups(input.groups);
  return words.length ? filtered(groups, input, words) : tree(groups, input.expansions);
}

function tree(groups: ContactGroup[], expansions: ReadonlyMap<number, Expansion>): PeopleRow[] {
  const rows: PeopleRow[] = [];
  groups.forEach((g, gi) => {
    const key = groupKey(g);
    const expanded = isExpanded(g, expansions);
    const members = membersOf(g, expansions);
    rows.push({ type: 'group', key, group: g, name: groupName(g), expanded, count: members.length, level: 1, posinset: gi + 1, setsize: groups.length });
    if (!expanded) return;
    const e = g.kind === 'distribution' ? expansions.get(g.id) : undefined;
    const note = e?.state === 'loading' ? 'Reading the people of this group…' : e?.state === 'error' ? e.text : members.length === 0 ? 'No one is in this group.' : null;
    if (note) {
      rows.push({ type: 'note', key: `${key}-note`, text: note, parent: key, level: 2, posinset: 1, setsize: 1 });
      return;
    }
    members.forEach((sip, i) => {
      rows.push({ type: 'person', key: `${key}|${sip}`, sip, parent: key, level: 2, posinset: i + 1, setsize: members.length });
    });
  });
  return rows;
}

function filtered(groups: ContactGroup[], input: FlattenInput, words: string[]): PeopleRow[] {
  // Across every group, collapsed ones too, each person once (Favourites come first, so a favourite
  // keeps the place it has there).
  const seen = new Set<string>();
  const found: string[] = [];
  for (const g of groups) {
    if (g.kind === 'distribution') continue;
    for (const sip of g.members) {
      if (seen.has(sip)) continue;
      seen.add(sip);
      if (matches(sip, input.cardOf(sip), words)) found.push(sip);
    }
  }
  // An opened distribution group's people are not contacts: with the other people who match.
  const others: string[] = [];
  const more = [...groups.flatMap((g) => (g.kind === 'distribution' ? membersOf(g, input.expansions) : [])).filter((s) => matches(s, input.cardOf(s), words)), ...(input.others ?? [])];
  for (const s of more) {
    if (seen.has(s)) continue;
    seen.add(s);
    others.push(s);
  }
  const rows: PeopleRow[] = [];
  if (!found.length && !others.length) return rows;
  const sections = (found.length ? 1 : 0) + (others.length ? 1 : 0);
  const add = (name: string, key: string, sips: string[], pos: number) => {
    rows.push({ type: 'section', key, name, count: sips.length, level: 1, posinset: pos, setsize: sections });
    sips.forEach((sip, i) => rows.push({ type: 'person', key: `${key}|${sip}`, sip, parent: key, level: 2, posinset: i + 1, setsize: sips.length }));
  };
  if (found.length) add('Contacts', 's-contacts', found, 1);
  if (others.length) add('Other people', 's-others', others, found.length ? 2 : 1);
  return rows;
}

/** The row's height in the virtual list (headers are one line, people three). */
export const rowHeight = (r: PeopleRow): number => (r.type === 'person' ? 62 : r.type === 'note' ? 44 : 34);
