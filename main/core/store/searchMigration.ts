// Migration: the full-text index keyed by TIME, so that "newest matches first" is FTS5's own
// rowid order (a walk of the doclists that stops after a page) and not a sort of every match.
// Row ids do not follow time: the sync stores the newest conversations first, so their messages
// get the LOWEST ids, and a search that read the highest ids as the newest missed this week's
// messages (issue 12). Each message gets a search key, at × 1024 + a slot for messages of the
// same millisecond (|at| ≤ 8.64e15, so the key stays within SQLite's 64-bit integers); the index's
// rowid is that key. Keys never reach JavaScript (they can pass 2^53): SQL joins them to ids.
// The prefix index now covers 4-letter prefixes too: a 4-letter last word standing for more
// index terms than the backend expands was a merge of all their doclists (10+ ms per keystroke).
import type { Db } from './sqlite.ts';
/** migrations.ts's Migration, restated: that module imports this one (no import cycle). */
interface Migration { version: number; name: string; up(db: Db): void }

/** Messages of one millisecond that get keys in time order; more sort as the oldest (stand-in times). */
export const KEY_SLOTS = 1024;

/** The key for NEW (a trigger's row): the next free slot of its millisecond, else below every key. */
const newKey = `(SELECT CASE WHEN m IS NULL THEN b WHEN m < b + ${KEY_SLOTS - 1} THEN m + 1
    ELSE coalesce((SELECT min(key) FROM message_search_keys), 0) - 1 END
  FROM (SELECT max(key) AS m, max(-8640000000000000, min(8640000000000000, CAST(new.at AS INTEGER))) * ${KEY_SLOTS} AS b FROM message_search_keys
        WHERE key >= max(-8640000000000000, min(8640000000000000, CAST(new.at AS INTEGER))) * ${KEY_SLOTS} AND key < max(-8640000000000000, min(8640000000000000, CAST(new.at AS INTEGER))) * ${KEY_SLOTS} + ${KEY_SLOTS}))`;

const removeOld = `
  INSERT INTO messages_fts (messages_fts, rowid, text)
    SELECT 'delete', key, old.text FROM message_search_keys WHERE message_id = old.id;
  DELETE FROM message_search_keys WHERE message_id = old.id;`;
const addNew = `
  INSERT INTO message_search_keys (key, message_id) VALUES (${newKey}, new.id);
  INSERT INTO messages_fts (rowid, text) SELECT key, new.text FROM message_search_keys WHERE message_id = new.id;`;

export function searchByTimeMigration(version: number): Migration {
  return {
    version,
    name: 'full-text index in time order',
    up(db: Db) {
      db.exec(`
        DROP TRIGGER IF EXISTS messages_fts_insert;
        DROP TRIGGER IF EXISTS messages_fts_delete;
        DROP TRIGGER IF EXISTS messages_fts_update;
        DROP TABLE IF EXISTS messages_fts;
        CREATE TABLE message_search_keys (key INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE);
        INSERT INTO message_search_keys (key, message_id)
          SELECT CAST(at AS INTEGER) * ${KEY_SLOTS} + rn - 1, id
          FROM (SELECT id, at, row_number() OVER (PARTITION BY CAST(at AS INTEGER) ORDER BY id) AS rn FROM messages)
          WHERE rn <= ${KEY_SLOTS};
      `);
      // More than KEY_SLOTS messages in one millisecond (stand-in times): below every key.
      const rest = db.prepare<{ id: number }>('SELECT id FROM messages WHERE id NOT IN (SELECT message_id FROM message_search_keys) ORDER BY id').all();
      const put = db.prepare('INSERT INTO message_search_keys (key, message_id) VALUES ((SELECT min(key) - 1 FROM message_search_keys), ?)');
      for (const r of rest) put.run(r.id);
      db.exec(`
        CREATE VIEW message_search_content AS
          SELECT k.key AS key, m.text AS text FROM message_search_keys k JOIN messages m ON m.id = k.message_id;
        CREATE VIRTUAL TABLE messages_fts USING fts5 (
          text,
          content = 'message_search_content',
          content_rowid = 'key',
          tokenize = 'unicode61 remove_diacritics 2',
          prefix = '2 3 4'
        );
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN ${addNew} END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN ${removeOld} END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, at ON messages BEGIN ${removeOld} ${addNew} END;
        INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
      `);
    },
  };
}
