// Migration: the CHAT (DESIGN-2 §3: chat ⊃ conversation ⊃ message). A chat gathers every
// conversation with the same people — each continued or restarted conversation with Kenji was a
// row of its own (issue 12: Kenji filled three of the first nine rows). The chat is DERIVED: its
// key is the sorted SIP addresses of a conversation's participants (the signed-in user is never
// among them), and its activity, latest conversation and unread counts are recomputed by triggers
// from its conversations on every change — no code path can forget to keep them in step, and the
// list, the tray and the filters all read the same numbers. A conversation with no known
// participant is a chat of its own ('c:' + its id).
// Which chats a write touched is collected in chat_changes (a real table: a trigger of the main
// schema cannot write a TEMP one); the backend turns those rows into 'chat' changes and empties
// the table before the write commits.
import type { Db } from './sqlite.ts';
/** migrations.ts's Migration, restated: that module imports this one (no import cycle). */
interface Migration { version: number; name: string; up(db: Db): void }

/** The chat key of a conversation row (`r` is new or old in a trigger, or the table's alias). */
export function chatKeySql(r: string): string {
  // (json_each of damaged JSON would fail the whole write: it reads '[]' instead.)
  return `coalesce((SELECT 'p:' || group_concat(s, ' ' ORDER BY s) FROM
        (SELECT DISTINCT lower(json_extract(value, '$.sip')) AS s
         FROM json_each(CASE WHEN json_valid(${r}.participants) AND json_type(${r}.participants) = 'array' THEN ${r}.participants ELSE '[]' END)
         WHERE json_type(value) = 'object' AND json_type(value, '$.sip') = 'text' AND json_extract(value, '$.sip') <> '')),
    'c:' || ${r}.id)`;
}

/** Recompute chat `x` from its conversations (and drop it once it has none). */
function refreshChat(x: string): string {
  const of = `FROM conversations WHERE chat_id = ${x}`;
  return `
    UPDATE chats SET
      last_activity_at = coalesce((SELECT max(last_activity_at) ${of}), 0),
      latest_conversation_id = (SELECT id ${of} ORDER BY last_activity_at DESC, id DESC LIMIT 1),
      conversations = (SELECT count(*) ${of}),
      unread = (SELECT count(*) ${of} AND unread = 1),
      missed = (SELECT count(*) ${of} AND missed = 1),
      missed_unread = (SELECT count(*) ${of} AND missed = 1 AND unread = 1),
      unread_since = (SELECT min(read_upto) ${of} AND unread = 1)
    WHERE id = ${x};
    DELETE FROM chats WHERE id = ${x} AND conversations = 0;`;
}

/** Put conversation `r` into the chat of its key (creating the chat). */
function assignChat(r: string): string {
  return `
    INSERT OR IGNORE INTO chats (key) VALUES (${chatKeySql(r)});
    UPDATE conversations SET chat_id = (SELECT id FROM chats WHERE key = ${chatKeySql(r)})
      WHERE id = ${r}.id AND chat_id IS NOT (SELECT id FROM chats WHERE key = ${chatKeySql(r)});`;
}

export function chatMigration(version: number): Migration {
  return {
    version,
    name: 'chats: one per set of participants, derived from its conversations',
    up(db) {
      db.exec(`
        CREATE TABLE chats (
          id INTEGER PRIMARY KEY,
          key TEXT NOT NULL UNIQUE,
          last_activity_at INTEGER NOT NULL DEFAULT 0,
          latest_conversation_id INTEGER,
          conversations INTEGER NOT NULL DEFAULT 0,
          unread INTEGER NOT NULL DEFAULT 0,
          missed INTEGER NOT NULL DEFAULT 0,
          missed_unread INTEGER NOT NULL DEFAULT 0,
          -- the earliest "read up to" of its unread conversations: where "New" begins
          unread_since INTEGER
        );
        CREATE INDEX chats_activity ON chats (last_activity_at DESC, id DESC);
        CREATE INDEX chats_unread ON chats (last_activity_at DESC, id DESC) WHERE unread > 0;
        CREATE INDEX chats_missed ON chats (last_activity_at DESC, id DESC) WHERE missed > 0;
        CREATE TABLE chat_changes (chat_id INTEGER PRIMARY KEY);
        ALTER TABLE conversations ADD COLUMN chat_id INTEGER REFERENCES chats (id);
        CREATE INDEX conversations_chat ON conversations (chat_id, last_activity_at DESC, id DESC);

        INSERT OR IGNORE INTO chats (key) SELECT ${chatKeySql('c')} FROM conversations c ORDER BY last_activity_at;
        UPDATE conversations SET chat_id = (SELECT id FROM chats WHERE key = ${chatKeySql('conversations')});
      `);
      // Every chat at once: the refresh's subqueries correlate with the row being updated.
      db.exec(refreshChat('chats.id'));
      db.exec(`
        CREATE TRIGGER conversations_chat_insert AFTER INSERT ON conversations BEGIN ${assignChat('new')} END;
        CREATE TRIGGER conversations_chat_participants AFTER UPDATE OF participants ON conversations BEGIN ${assignChat('new')} END;
        CREATE TRIGGER conversations_chat_refresh AFTER UPDATE OF chat_id, last_activity_at, unread, missed, read_upto ON conversations BEGIN
          ${refreshChat('new.chat_id')}
          ${refreshChat('old.chat_id')}
        END;
        CREATE TRIGGER conversations_chat_delete AFTER DELETE ON conversations BEGIN
          ${refreshChat('old.chat_id')}
          INSERT OR IGNORE INTO chat_changes (chat_id) SELECT old.chat_id WHERE old.chat_id IS NOT NULL;
        END;
        CREATE TRIGGER conversations_chat_changed AFTER UPDATE ON conversations
        -- only a real change is news (markRead of a read conversation announces nothing)
        WHEN (new.chat_id, new.last_activity_at, new.unread, new.missed, new.read_upto, new.preview, new.subject, new.participants,
              new.status, new.type, new.direction, new.log_key, new.thread_id, new.transcripts_complete)
          IS NOT (old.chat_id, old.last_activity_at, old.unread, old.missed, old.read_upto, old.preview, old.subject, old.participants,
              old.status, old.type, old.direction, old.log_key, old.thread_id, old.transcripts_complete)
        BEGIN
          INSERT OR IGNORE INTO chat_changes (chat_id) SELECT new.chat_id WHERE new.chat_id IS NOT NULL;
          INSERT OR IGNORE INTO chat_changes (chat_id) SELECT old.chat_id WHERE old.chat_id IS NOT NULL;
        END;
      `);
    },
  };
}
