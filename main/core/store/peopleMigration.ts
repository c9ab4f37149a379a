// Migration: PEOPLE and the CONTACT LIST (issue 13; PROTOCOL-2 §1), cached so the People view shows
// at once, offline, and a sync then refreshes it.
// - `people`: everyone the app has seen (contacts, conversation participants, search results), keyed
//   like Person.sip ("sip:" + lower case). It takes over the `contacts` table of migration 1 (names
//   only): one row per person, so a name learnt from a conversation and a card read from the
//   directory cannot disagree. Each part (card, presence, note, location, photo) records when it was
//   last read; NULL: never. `sort_key` (the folded name) orders lists, `search_key` (folded name,
//   address, e-mails, title) is what the filter matches: both are computed by the backend in JS on
//   every write (peopleRows.ts), as here for the rows carried over — the folding is JavaScript's
//   (keys.ts foldWord), the one the message search uses, not SQLite's.
// - `contact_groups`: the server's groups, by its opaque id, with their kind, name and position in
//   the server's order, and whether the user folded the group in the People view.
// - `contact_group_members`: who is in which group. A person is "in the contact list" while some
//   membership names them; leaving it deletes the membership, never the person.
import type { Db } from './sqlite.ts';
import { personKeys } from './peopleRows.ts';
/** migrations.ts's Migration, restated: that module imports this one (no import cycle). */
interface Migration { version: number; name: string; up(db: Db): void }

export const GROUP_KINDS = ['pinned', 'default', 'user', 'distribution', 'delegates', 'delegators', 'organization', 'other'] as const;

export function peopleMigration(version: number): Migration {
  return {
    version,
    name: 'people (cards, presence, notes) and the contact list\'s groups',
    up(db) {
      db.exec(`
        CREATE TABLE people (
          sip TEXT PRIMARY KEY,
          name TEXT NOT NULL DEFAULT '',
          title TEXT NOT NULL DEFAULT '',
          department TEXT NOT NULL DEFAULT '',
          company TEXT NOT NULL DEFAULT '',
          office TEXT NOT NULL DEFAULT '',
          -- JSON array of strings
          emails TEXT NOT NULL DEFAULT '[]',
          work_phone TEXT NOT NULL DEFAULT '',
          mobile_phone TEXT NOT NULL DEFAULT '',
          home_phone TEXT NOT NULL DEFAULT '',
          other_phone TEXT NOT NULL DEFAULT '',
          contact_type TEXT NOT NULL DEFAULT '',
          source_network TEXT NOT NULL DEFAULT '',
          -- the server's token as it came (an unknown one too: the UI shows it as "Unknown")
          availability TEXT NOT NULL DEFAULT '',
          activity TEXT NOT NULL DEFAULT '',
          device_type TEXT NOT NULL DEFAULT '',
          last_active INTEGER,
          note TEXT NOT NULL DEFAULT '',
          note_type TEXT NOT NULL DEFAULT '',
          location TEXT NOT NULL DEFAULT '',
          photo_etag TEXT,
          -- a bare file name in the photo cache folder, never a path
          photo_file TEXT,
          -- when each part was last read from the server (ms; NULL: never, or cleared)
          card_at INTEGER,
          presence_at INTEGER,
          note_at INTEGER,
          location_at INTEGER,
          photo_at INTEGER,
          -- the last time any value of the row changed
          updated_at INTEGER NOT NULL,
          sort_key TEXT NOT NULL DEFAULT '',
          search_key TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX people_sort ON people (sort_key, sip);
        INSERT INTO people (sip, name, updated_at) SELECT sip, name, updated_at FROM contacts;
        DROP TABLE contacts;

        CREATE TABLE contact_groups (
          id INTEGER PRIMARY KEY,
          server_id TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL CHECK (kind IN (${GROUP_KINDS.map((k) => `'${k}'`).join(', ')})),
          name TEXT NOT NULL DEFAULT '',
          position INTEGER NOT NULL,
          collapsed INTEGER NOT NULL DEFAULT 0 CHECK (collapsed IN (0, 1))
        );
        CREATE TABLE contact_group_members (
          group_id INTEGER NOT NULL REFERENCES contact_groups (id) ON DELETE CASCADE,
          sip TEXT NOT NULL REFERENCES people (sip) ON DELETE CASCADE,
          PRIMARY KEY (group_id, sip)
        ) WITHOUT ROWID;
        CREATE INDEX contact_group_members_sip ON contact_group_members (sip);
      `);
      // The rows carried over get their keys (a name and an address are all they have).
      const update = db.prepare('UPDATE people SET sort_key = ?, search_key = ? WHERE sip = ?');
      for (const r of db.prepare<{ sip: string; name: string }>('SELECT sip, name FROM people').all()) {
        const keys = personKeys({ sip: r.sip, name: r.name, emails: [], title: '' });
        update.run(keys.sortKey, keys.searchKey, r.sip);
      }
    },
  };
}
