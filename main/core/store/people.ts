// The SQL of people and the contact list (tables: peopleMigration.ts). Part of the Backend: it runs
// inside the Backend's write transactions (operations.ts) and announces its changes through the
// Backend's `emit`, so a sync's replace and the changes it announces commit together.
//
// Orders (documented on the Store interface):
// - groups: the pinned group (the SfB client's Favourites) first, then every other group in the
//   order the server listed them (myGroups' order, as the sync passes it) — the server's order is
//   the user's arrangement; the store does not impose one of its own;
// - members of a group, and the contact list's people: by folded name (case and diacritics apart:
//   "Zoé" between "Zeno" and "Zola"), then by address;
// - findPeople: contact-list members first, then names starting with the first word typed, then names
//   with a word starting with it, then by name.
import type { Db, SqlValue, Statement } from './sqlite.ts';
import type { ContactGroup, ContactGroupKind, ContactList, Person, PersonCard, StoreChange } from './types.ts';
import { StoreError } from './types.ts';
import { LIMITS } from '../limits.ts';
import {
  CARD_COLUMNS, PART_CLEARED, PART_COLUMNS, cardOf, cleanSip, filterWords, groupOf, likeLiteral, parseEmails, patchValues, personKeys, toCard,
  type CardColumns, type Part, type PartValues, type PersonRow,
} from './peopleRows.ts';

interface GroupRow {
  id: number;
  server_id: string;
  kind: ContactGroupKind;
  name: string;
  position: number;
  collapsed: number;
}

const LISTED = 'EXISTS (SELECT 1 FROM contact_group_members m WHERE m.sip = p.sip)';
const PERSON = `SELECT p.*, ${LISTED} AS listed FROM people p`;
const MAX_PEOPLE = 500;

function clampLimit(limit: unknown, dflt: number): number {
  return typeof limit === 'number' && Number.isFinite(limit) ? Math.max(1, Math.min(MAX_PEOPLE, Math.trunc(limit))) : dflt;
}

export class PeopleTables {
  private readonly db: Db;
  private readonly emit: (change: StoreChange) => void;
  private readonly cache = new Map<string, Statement<unknown>>();

  constructor(db: Db, emit: (change: StoreChange) => void) {
    this.db = db;
    this.emit = emit;
  }

  private st<Row>(sql: string): Statement<Row> {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s as Statement<Row>;
  }

  private row(sip: string): PersonRow | undefined {
    return this.st<PersonRow>(`${PERSON} WHERE p.sip = ?`).get(sip);
  }

  private announce(sip: string): void {
    const row = this.row(sip);
    if (row) this.emit({ kind: 'person', person: toCard(row) });
  }

  /**
   * Write a person's card columns (undefined ones keep what is stored); a new person gets a row.
   * `read`: a card read from the directory (records when). Returns whether a value changed (a new
   * person counts) — the keys follow the values, the timestamps are no news.
   */
  private writeCard(sip: string, columns: Partial<CardColumns>, now: number, read: boolean): boolean {
    const old = this.row(sip);
    const next = {} as CardColumns;
    for (const c of CARD_COLUMNS) next[c] = columns[c] ?? old?.[c] ?? (c === 'emails' ? '[]' : '');
    if (old && CARD_COLUMNS.every((c) => next[c] === old[c])) {
      if (read) this.st('UPDATE people SET card_at = ? WHERE sip = ?').run(now, sip);
      return false;
    }
    const keys = personKeys({ sip, name: next.name, emails: parseEmails(next.emails), title: next.title });
    const values: SqlValue[] = CARD_COLUMNS.map((c) => next[c]);
    if (!old) {
      this.st(
        `INSERT INTO people (sip, ${CARD_COLUMNS.join(', ')}, card_at, updated_at, sort_key, search_key)
         VALUES (?, ${CARD_COLUMNS.map(() => '?').join(', ')}, ?, ?, ?, ?)`,
      ).run(sip, ...values, read ? now : null, now, keys.sortKey, keys.searchKey);
    } else {
      this.st(
        `UPDATE people SET ${CARD_COLUMNS.map((c) => `${c} = ?`).join(', ')},
           card_at = coalesce(?, card_at), updated_at = ?, sort_key = ?, search_key = ? WHERE sip = ?`,
      ).run(...values, read ? now : null, now, keys.sortKey, keys.searchKey, sip);
    }
    return true;
  }

  // --- people ---------------------------------------------------------------------------------------

  /** Names of people seen in conversations (and the old upsertContacts): an empty name keeps a known one. */
  upsertNames(people: Person[]): void {
    if (!Array.isArray(people)) return;
    const now = Date.now();
    for (const p of people) {
      const card = cardOf(p && typeof p === 'object' ? { sip: p.sip, name: p.name } : null);
      if (card && this.writeCard(card.sip, card.columns, now, false)) this.announce(card.sip);
    }
  }

  upsertPeople(people: unknown): { changed: number } {
    if (!Array.isArray(people)) return { changed: 0 };
    const now = Date.now();
    let changed = 0;
    for (const input of people.slice(0, LIMITS.contactListMembers)) {
      const card = cardOf(input);
      if (card && this.writeCard(card.sip, card.columns, now, true)) {
        changed++;
        this.announce(card.sip);
      }
    }
    return { changed };
  }

  getPerson(sip: string): PersonCard | null {
    const s = cleanSip(sip);
    const row = s ? this.row(s) : undefined;
    return row ? toCard(row) : null;
  }

  getPeople(sips: unknown): PersonCard[] {
    if (!Array.isArray(sips)) return [];
    const wanted = [...new Set(sips.slice(0, MAX_PEOPLE * 4).map(cleanSip).filter((s): s is string => s !== null))].slice(0, MAX_PEOPLE);
    const rows = this.st<PersonRow>(`${PERSON} WHERE p.sip IN (SELECT value FROM json_each(?))`).all(JSON.stringify(wanted));
    const bySip = new Map(rows.map((r) => [r.sip, r]));
    return wanted.flatMap((s) => {
      const r = bySip.get(s);
      return r ? [toCard(r)] : [];
    });
  }

  findPeople(query: string, opts?: { contactsOnly?: boolean; limit?: number }): PersonCard[] {
    const words = filterWords(query);
    const where = [...(opts?.contactsOnly === true ? [LISTED] : []), ...words.map(() => `p.search_key LIKE ? ESCAPE '\\'`)];
    const first = words[0];
    const rank = first === undefined ? '' : `CASE WHEN p.sort_key LIKE ? ESCAPE '\\' THEN 0 WHEN p.sort_key LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END, `;
    const params: SqlValue[] = words.map((w) => `%${likeLiteral(w)}%`);
    if (first !== undefined) params.push(`${likeLiteral(first)}%`, `% ${likeLiteral(first)}%`);
    return this.st<PersonRow>(
      `${PERSON} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY listed DESC, ${rank}p.sort_key, p.sip LIMIT ?`,
    ).all(...params, clampLimit(opts?.limit, 50)).map(toCard);
  }

  patchPerson(sip: string, patch: unknown): { changed: boolean; person: PersonCard | null } {
    const s = cleanSip(sip);
    if (!s) return { changed: false, person: null };
    const parts = Object.entries(patchValues(patch)) as [Part, PartValues | null][];
    if (parts.length === 0) return { changed: false, person: this.getPerson(s) };
    const now = Date.now();
    const created = !this.row(s) && this.writeCard(s, {}, now, false);
    const old = this.row(s)!;
    let changed = created;
    for (const [part, given] of parts) {
      const columns = PART_COLUMNS[part];
      const at = `${part}_at` as const;
      const values = given ?? PART_CLEARED[part];
      const known = old[at] != null;
      // Read: news when it was not known, or a value differs. Cleared: news when it was known.
      changed ||= given ? !known || columns.some((c) => values[c] !== old[c]) : known;
      this.st(`UPDATE people SET ${columns.map((c) => `${c} = ?`).join(', ')}, ${at} = ? WHERE sip = ?`)
        .run(...columns.map((c) => values[c] ?? null), given ? now : null, s);
    }
    if (changed) {
      this.st('UPDATE people SET updated_at = ? WHERE sip = ?').run(now, s);
      this.announce(s);
    }
    return { changed, person: toCard(this.row(s)!) };
  }

  // --- the contact list -------------------------------------------------------------------------

  /** The groups in their order, each with its members' addresses by name. */
  groups(): ContactGroup[] {
    const groups = this.st<GroupRow>(`SELECT * FROM contact_groups ORDER BY kind = 'pinned' DESC, position, id`).all();
    const byId = new Map<number, ContactGroup>();
    const out = groups.map((g) => {
      const group: ContactGroup = { id: g.id, serverId: g.server_id, kind: g.kind, name: g.name, position: g.position, collapsed: g.collapsed === 1, members: [] };
      byId.set(g.id, group);
      return group;
    });
    const members = this.st<{ group_id: number; sip: string }>(
      'SELECT m.group_id, m.sip FROM contact_group_members m JOIN people p ON p.sip = m.sip ORDER BY p.sort_key, p.sip',
    ).all();
    for (const m of members) byId.get(m.group_id)?.members.push(m.sip);
    return out;
  }

  contactList(): ContactList {
    return {
      groups: this.groups(),
      people: this.st<PersonRow>(`${PERSON} WHERE ${LISTED} ORDER BY p.sort_key, p.sip`).all().map(toCard),
    };
  }

  private listedSips(): Set<string> {
    return new Set(this.st<string>('SELECT DISTINCT sip FROM contact_group_members').pluck().all() as unknown as string[]);
  }

  replaceContactList(list: unknown): { changed: boolean; groups: number; members: number; skipped: number } {
    const input = list && typeof list === 'object' ? (list as { groups?: unknown; people?: unknown }) : null;
    // A programming error, not bad data: a missing list must never read as "the server emptied it".
    if (!input || !Array.isArray(input.groups)) throw new StoreError('other', 'a contact list needs its groups (an array)');
    const now = Date.now();
    let skipped = 0;
    const touched = new Set<string>();

    const cards = Array.isArray(input.people) ? input.people : [];
    skipped += Math.max(0, cards.length - LIMITS.contactListMembers);
    for (const c of cards.slice(0, LIMITS.contactListMembers)) {
      const card = cardOf(c);
      if (!card) skipped++;
      else if (this.writeCard(card.sip, card.columns, now, true)) touched.add(card.sip);
    }

    // The groups as given, bounded, each once (the first of a repeated id wins).
    const groups: { serverId: string; kind: ContactGroupKind; name: string; sips: string[] }[] = [];
    const ids = new Set<string>();
    let members = 0;
    input.groups.forEach((raw, index) => {
      const g = groups.length < LIMITS.contactGroups ? groupOf(raw, index) : null;
      if (!g || ids.has(g.serverId)) {
        skipped++;
        return;
      }
      ids.add(g.serverId);
      const sips = new Set<string>();
      for (const m of g.members) {
        const sip = members + sips.size < LIMITS.contactListMembers ? cleanSip(m) : null;
        if (!sip) skipped++;
        else sips.add(sip); // a repeat is the same membership
      }
      members += sips.size;
      groups.push({ serverId: g.serverId, kind: g.kind, name: g.name, sips: [...sips] });
    });

    const before = JSON.stringify(this.groups());
    const listedBefore = this.listedSips();
    for (const g of groups) {
      for (const sip of g.sips) if (!this.row(sip) && this.writeCard(sip, {}, now, false)) touched.add(sip);
    }
    // Groups the server no longer lists go, with their memberships (explicitly: not relying on the
    // foreign-key pragma of whoever opened the database).
    const keep = JSON.stringify([...ids]);
    this.st('DELETE FROM contact_group_members WHERE group_id IN (SELECT id FROM contact_groups WHERE server_id NOT IN (SELECT value FROM json_each(?)))').run(keep);
    this.st('DELETE FROM contact_groups WHERE server_id NOT IN (SELECT value FROM json_each(?))').run(keep);
    groups.forEach((g, position) => {
      const id = this.st<number>(
        `INSERT INTO contact_groups (server_id, kind, name, position) VALUES (?, ?, ?, ?)
         ON CONFLICT (server_id) DO UPDATE SET kind = excluded.kind, name = excluded.name, position = excluded.position
         RETURNING id`,
      ).pluck().get(g.serverId, g.kind, g.name, position) as unknown as number;
      const sips = JSON.stringify(g.sips);
      this.st('DELETE FROM contact_group_members WHERE group_id = ? AND sip NOT IN (SELECT value FROM json_each(?))').run(id, sips);
      this.st('INSERT OR IGNORE INTO contact_group_members (group_id, sip) SELECT ?, value FROM json_each(?)').run(id, sips);
    });

    // Who joined or left the list is news about them too (their card's inContactList).
    const listedAfter = this.listedSips();
    for (const sip of listedBefore) if (!listedAfter.has(sip)) touched.add(sip);
    for (const sip of listedAfter) if (!listedBefore.has(sip)) touched.add(sip);
    for (const sip of [...touched].sort()) this.announce(sip);
    const after = this.groups();
    const listChanged = JSON.stringify(after) !== before;
    if (listChanged) this.emit({ kind: 'contactList', groups: after });
    return { changed: listChanged || touched.size > 0, groups: groups.length, members, skipped };
  }

  setGroupCollapsed(groupId: number, collapsed: boolean): ContactGroup | null {
    if (!Number.isSafeInteger(groupId)) return null;
    const flag = collapsed === true ? 1 : 0;
    const r = this.st('UPDATE contact_groups SET collapsed = ? WHERE id = ? AND collapsed <> ?').run(flag, groupId, flag);
    const groups = this.groups();
    if (r.changes > 0) this.emit({ kind: 'contactList', groups });
    return groups.find((g) => g.id === groupId) ?? null;
  }
}
