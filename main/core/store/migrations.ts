// Numbered schema migrations, tracked by PRAGMA user_version. Each runs in its own transaction
// (with its user_version bump), so a crash leaves the database at the previous version, intact.
// Never edit a released migration: add a new one.
import type { Db } from './sqlite.ts';

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
];

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
