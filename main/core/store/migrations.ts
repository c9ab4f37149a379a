// Numbered schema migrations, tracked by PRAGMA user_version. Each runs in its own transaction
// (with its user_version bump), so a crash leaves the database at the previous version, intact.
// Never edit a released migration: add a new one.
import type { Db } from './sqlite.ts';
import { previewOf } from './keys.ts';
import { MAX_DATE_MS } from '../limits.ts';
import { searchByTimeMigration } from './searchMigration.ts';
import { chatMigration } from './chatMigration.ts';
import { chatMessagesMigration } from './chatMessagesMigration.ts';
import { peopleMigration } from './peopleMigration.ts';

export interface Migration {
  version: number;
  /** What it does, for the log line. */
  name: string;
  up(db: Db): void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'base schema',
    up(db) {
      db.exec(`
        CREATE TABLE accounts (
          id INTEGER PRIMARY KEY,
          sip TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE contacts (
          sip TEXT PRIMARY KEY,
          name TEXT NOT NULL DEFAULT '',
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE conversations (
          id INTEGER PRIMARY KEY,
          log_key TEXT UNIQUE,
          log_href TEXT,
          thread_id TEXT,
          subject TEXT NOT NULL DEFAULT '',
          type TEXT NOT NULL,
          direction TEXT NOT NULL CHECK (direction IN ('Incoming', 'Outgoing')),
          status TEXT NOT NULL CHECK (status IN ('Archived', 'Missed', 'Live')),
          importance TEXT NOT NULL DEFAULT 'Normal',
          created_at INTEGER NOT NULL,
          last_activity_at INTEGER NOT NULL,
          preview TEXT NOT NULL DEFAULT '',
          participants TEXT NOT NULL DEFAULT '[]',
          unread INTEGER NOT NULL DEFAULT 0,
          missed INTEGER NOT NULL DEFAULT 0,
          -- last_activity_at when the user last read it: a later sync of a log the server still
          -- flags unread does not bring the badge back.
          read_upto INTEGER NOT NULL DEFAULT 0,
          fingerprint TEXT,
          transcripts_complete INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX conversations_activity ON conversations (last_activity_at DESC, id DESC);
        CREATE INDEX conversations_unread ON conversations (last_activity_at DESC, id DESC) WHERE unread = 1;
        CREATE INDEX conversations_missed ON conversations (last_activity_at DESC, id DESC) WHERE missed = 1;
        CREATE INDEX conversations_thread ON conversations (thread_id) WHERE thread_id IS NOT NULL;

        CREATE TABLE messages (
          id INTEGER PRIMARY KEY,
          conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          author_sip TEXT,
          author_name TEXT,
          direction TEXT NOT NULL CHECK (direction IN ('Incoming', 'Outgoing')),
          at INTEGER NOT NULL,
          text TEXT NOT NULL,
          html TEXT,
          origin TEXT NOT NULL CHECK (origin IN ('transcript', 'live', 'outbox')),
          -- NULL while an outbox message has no server timestamp yet.
          dedupe_key TEXT UNIQUE,
          client_id TEXT UNIQUE,
          delivery TEXT CHECK (delivery IN ('queued', 'sending', 'sent', 'failed')),
          delivery_error TEXT
        );
        CREATE INDEX messages_conversation_at ON messages (conversation_id, at DESC, id DESC);

        CREATE TABLE outbox (
          client_id TEXT PRIMARY KEY,
          conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
          text TEXT NOT NULL,
          html TEXT,
          state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          created_at INTEGER NOT NULL
        );
        CREATE INDEX outbox_pending ON outbox (created_at) WHERE state IN ('queued', 'sending');
        CREATE INDEX outbox_message ON outbox (message_id);
      `);
    },
  },
  {
    version: 2,
    name: 'full-text search over message text',
    up(db) {
      // External content: the text lives once, in messages; triggers keep the index in step.
      // unicode61 splits on punctuation, so words inside URLs are words of their own.
      db.exec(`
        CREATE VIRTUAL TABLE messages_fts USING fts5 (
          text,
          content = 'messages',
          content_rowid = 'id',
          tokenize = 'unicode61 remove_diacritics 2',
          prefix = '2 3'
        );
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
          INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
          INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
        END;
        INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
      `);
    },
  },
  {
    version: 3,
    name: 'participant index for the contact filter',
    up(db) {
      // The contact filter used to scan participants JSON; a table indexed by sip makes it a seek.
      // Triggers keep it in step with conversations.participants; existing rows are backfilled.
      db.exec(`
        CREATE TABLE conversation_participants (
          sip TEXT NOT NULL,
          conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          PRIMARY KEY (sip, conversation_id)
        ) WITHOUT ROWID;
        CREATE INDEX conversation_participants_conversation ON conversation_participants (conversation_id);
        CREATE TRIGGER conversations_participants_insert AFTER INSERT ON conversations BEGIN
          INSERT OR IGNORE INTO conversation_participants (sip, conversation_id)
            SELECT lower(json_extract(value, '$.sip')), new.id FROM json_each(new.participants)
            WHERE json_extract(value, '$.sip') IS NOT NULL;
        END;
        CREATE TRIGGER conversations_participants_update AFTER UPDATE OF participants ON conversations BEGIN
          DELETE FROM conversation_participants WHERE conversation_id = new.id;
          INSERT OR IGNORE INTO conversation_participants (sip, conversation_id)
            SELECT lower(json_extract(value, '$.sip')), new.id FROM json_each(new.participants)
            WHERE json_extract(value, '$.sip') IS NOT NULL;
        END;
        INSERT OR IGNORE INTO conversation_participants (sip, conversation_id)
          SELECT lower(json_extract(p.value, '$.sip')), c.id FROM conversations c, json_each(c.participants) p
          WHERE json_extract(p.value, '$.sip') IS NOT NULL;
      `);
    },
  },
  {
    version: 4,
    name: 'store metadata (last full integrity check)',
    up(db) {
      db.exec(`CREATE TABLE store_meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;`);
    },
  },
  {
    version: 5,
    name: 'outbox states and order; several logs per conversation',
    up(db) {
      // (a) The outbox's states (DESIGN-2 §2): 'sent' is now 'delivered'; 'accepted' and
      // 'uncertain' are new. A CHECK cannot be altered in place: messages.delivery is replaced by a
      // new column (ADD, copy, DROP, RENAME: transactional, ids and the FTS index untouched; the
      // DROP rewrites the table once), the small outbox table is rebuilt. The outbox gains an
      // explicit sequence (AUTOINCREMENT: a later row always has a larger one, even after deletes
      // or a VACUUM, which may renumber an implicit rowid) so that pending items keep the order
      // the user wrote them in, two in the same millisecond included.
      db.exec(`
        ALTER TABLE messages ADD COLUMN delivery_v5 TEXT
          CHECK (delivery_v5 IN ('queued', 'sending', 'accepted', 'delivered', 'failed', 'uncertain'));
        UPDATE messages SET delivery_v5 = CASE delivery WHEN 'sent' THEN 'delivered' ELSE delivery END
          WHERE delivery IS NOT NULL;
        ALTER TABLE messages DROP COLUMN delivery;
        ALTER TABLE messages RENAME COLUMN delivery_v5 TO delivery;

        CREATE TABLE outbox_v5 (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          client_id TEXT NOT NULL UNIQUE,
          conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
          text TEXT NOT NULL,
          html TEXT,
          state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'accepted', 'delivered', 'failed', 'uncertain')),
          attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          created_at INTEGER NOT NULL,
          -- the current or last POST's operationId, recorded before it goes out
          operation_id TEXT,
          -- the 201's Location
          location TEXT,
          -- re-sent after an uncertain outcome: may have arrived twice
          maybe_duplicate INTEGER NOT NULL DEFAULT 0 CHECK (maybe_duplicate IN (0, 1))
        );
        INSERT INTO outbox_v5 (client_id, conversation_id, message_id, text, html, state, attempts, last_error, created_at)
          SELECT client_id, conversation_id, message_id, text, html, CASE state WHEN 'sent' THEN 'delivered' ELSE state END,
                 attempts, last_error, created_at
          FROM outbox ORDER BY created_at, rowid;
        DROP TABLE outbox;
        ALTER TABLE outbox_v5 RENAME TO outbox;
        CREATE INDEX outbox_pending ON outbox (seq) WHERE state IN ('queued', 'sending', 'accepted', 'uncertain');
        CREATE INDEX outbox_message ON outbox (message_id);
        CREATE INDEX outbox_conversation ON outbox (conversation_id);
      `);

      // (b) A continued conversation is a new server log with the same threadId: a conversation
      // owns several logs. Fingerprint and transcript completeness are per log now;
      // conversations.log_key/log_href stay as the NEWEST log's (the links that continue it) and
      // conversations.transcripts_complete as "every log complete".
      db.exec(`
        CREATE TABLE conversation_logs (
          id INTEGER PRIMARY KEY,
          log_key TEXT NOT NULL UNIQUE,
          conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          log_href TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          -- the server's unread flag of this log (the conversation's badge: any log unread, and
          -- activity after the user last read it)
          unread INTEGER NOT NULL DEFAULT 0,
          fingerprint TEXT NOT NULL DEFAULT '',
          transcripts_complete INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX conversation_logs_conversation ON conversation_logs (conversation_id, created_at DESC, id DESC);
        INSERT INTO conversation_logs (log_key, conversation_id, log_href, created_at, unread, fingerprint, transcripts_complete)
          SELECT log_key, id, coalesce(log_href, ''), created_at, unread, coalesce(fingerprint, ''), transcripts_complete
          FROM conversations WHERE log_key IS NOT NULL ORDER BY created_at, id;
        ALTER TABLE conversations DROP COLUMN fingerprint;
      `);

      // (c) Threads an earlier version split into several conversations (one per log, or a live
      // one next to its logs) become one: the most recently active keeps its id and gets the
      // others' messages, outbox items and logs. Dedupe keys were already unique across the
      // whole table, so moving rows cannot collide.
      const threads = db.prepare<{ thread_id: string }>(
        'SELECT thread_id FROM conversations WHERE thread_id IS NOT NULL GROUP BY thread_id HAVING count(*) > 1',
      ).all().map((r) => r.thread_id);
      for (const thread of threads) mergeThread(db, thread);
    },
  },
  {
    version: 6,
    name: 'message times Date can hold; stand-in times marked',
    up(db) {
      // An earlier version stored any number the server sent as a time (/Date(99999999999999999)/):
      // every view of such a row then threw "Invalid time value". Those rows keep their message
      // with a stand-in time (their conversation's start) and are marked, as new ones are now.
      const max = MAX_DATE_MS;
      db.exec(`ALTER TABLE messages ADD COLUMN at_estimated INTEGER NOT NULL DEFAULT 0;`);
      db.prepare(
        `UPDATE messages SET at_estimated = 1,
           at = coalesce((SELECT CASE WHEN abs(c.created_at) <= ${max} THEN c.created_at ELSE 0 END FROM conversations c WHERE c.id = messages.conversation_id), 0)
         WHERE NOT (abs(at) <= ${max})`,
      ).run();
      db.prepare(`UPDATE conversations SET created_at = 0 WHERE NOT (abs(created_at) <= ${max})`).run();
      db.prepare(
        `UPDATE conversations SET last_activity_at = max(created_at, coalesce((SELECT max(at) FROM messages WHERE conversation_id = conversations.id), 0))
         WHERE NOT (abs(last_activity_at) <= ${max})`,
      ).run();
      db.prepare(`UPDATE conversation_logs SET created_at = 0 WHERE NOT (abs(created_at) <= ${max})`).run();
    },
  },
  searchByTimeMigration(7),
  chatMigration(8),
  chatMessagesMigration(9),
  peopleMigration(10),
];

interface MergeRow {
  id: number;
  log_key: string | null;
  log_href: string | null;
  subject: string;
  type: string;
  direction: string;
  status: string;
  importance: string;
  created_at: number;
  last_activity_at: number;
  preview: string;
  participants: string;
  unread: number;
  missed: number;
  read_upto: number;
}

/** Migration 5 (c): fold every conversation of `thread` into its most recently active one. */
function mergeThread(db: Db, thread: string): void {
  const rows = db.prepare<MergeRow>('SELECT * FROM conversations WHERE thread_id = ? ORDER BY last_activity_at DESC, id DESC').all(thread);
  const keep = rows[0]!;
  const others = rows.slice(1);
  const newestLog = db.prepare<{ log_key: string; log_href: string; conversation_id: number }>(
    `SELECT l.log_key, l.log_href, l.conversation_id FROM conversation_logs l JOIN conversations c ON c.id = l.conversation_id
     WHERE c.thread_id = ? ORDER BY l.created_at DESC, l.id DESC LIMIT 1`,
  ).get(thread);
  // The conversation the newest log belonged to describes the merged one (as upsertLog does).
  const source = rows.find((r) => r.id === newestLog?.conversation_id) ?? keep;
  for (const o of others) {
    for (const table of ['messages', 'outbox', 'conversation_logs']) {
      db.prepare(`UPDATE ${table} SET conversation_id = ? WHERE conversation_id = ?`).run(keep.id, o.id);
    }
    db.prepare('DELETE FROM conversations WHERE id = ?').run(o.id);
  }
  const newest = db.prepare<{ text: string }>('SELECT text FROM messages WHERE conversation_id = ? ORDER BY at DESC, id DESC LIMIT 1').get(keep.id);
  db.prepare(
    `UPDATE conversations SET log_key = ?, log_href = ?, subject = ?, type = ?, direction = ?, status = ?, importance = ?,
       participants = ?, missed = ?, created_at = ?, last_activity_at = ?, preview = ?, unread = ?, read_upto = ?,
       transcripts_complete = NOT EXISTS (SELECT 1 FROM conversation_logs WHERE conversation_id = ? AND transcripts_complete = 0)
     WHERE id = ?`,
  ).run(
    newestLog?.log_key ?? null, newestLog?.log_href ?? null, source.subject || keep.subject, source.type, source.direction, source.status,
    source.importance, source.participants, source.missed, Math.min(...rows.map((r) => r.created_at)),
    Math.max(...rows.map((r) => r.last_activity_at)), newest ? previewOf(newest.text) : keep.preview,
    Math.max(...rows.map((r) => r.unread)), Math.max(...rows.map((r) => r.read_upto)), keep.id, keep.id,
  );
}

export const latestVersion = migrations[migrations.length - 1]!.version;

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Bring the database up to `target` (default: latest). Returns the versions applied.
 * A database newer than this code is refused rather than guessed at.
 */
export function migrate(db: Db, opts: { target?: number; log?: (line: string) => void } = {}): number[] {
  const target = opts.target ?? latestVersion;
  const current = schemaVersion(db);
  if (current > latestVersion) {
    throw new Error(`database schema version ${current} is newer than this app (${latestVersion}); update the app`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    opts.log?.(`store: migrated schema to version ${m.version} (${m.name})`);
    applied.push(m.version);
  }
  return applied;
}
