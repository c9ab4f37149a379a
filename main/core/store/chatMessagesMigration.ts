// Migration: each message knows its chat, indexed by time (issue 12 item 5, measured). A chat's
// transcript ("the newest 100 messages of every conversation with Kenji") was a sort of all of the
// chat's messages — 5.7 ms p50 / 8.4 ms p99 for a 67-conversation chat in `npm run bench`; with
// (chat_id, at, id) it is one index range, like a single conversation's page.
// messages.chat_id is DERIVED from conversations.chat_id: the backend's INSERTs name it, a trigger
// sets it for any writer that does not, and a conversation that changes chat carries its messages.
import type { Db } from './sqlite.ts';
/** migrations.ts's Migration, restated: that module imports this one (no import cycle). */
interface Migration { version: number; name: string; up(db: Db): void }

/** The chat of the conversation `conversationIdSql` (for an INSERT's VALUES or a trigger). */
export const chatOfConversationSql = (conversationIdSql: string): string =>
  `(SELECT chat_id FROM conversations WHERE id = ${conversationIdSql})`;

export function chatMessagesMigration(version: number): Migration {
  return {
    version,
    name: 'messages.chat_id: a chat\'s transcript is one index range',
    up(db) {
      db.exec(`
        ALTER TABLE messages ADD COLUMN chat_id INTEGER;
        UPDATE messages SET chat_id = ${chatOfConversationSql('messages.conversation_id')};
        CREATE INDEX messages_chat_at ON messages (chat_id, at DESC, id DESC);
        CREATE TRIGGER messages_chat_insert AFTER INSERT ON messages
          WHEN new.chat_id IS NOT ${chatOfConversationSql('new.conversation_id')}
          BEGIN UPDATE messages SET chat_id = ${chatOfConversationSql('new.conversation_id')} WHERE id = new.id; END;
        CREATE TRIGGER conversations_chat_messages AFTER UPDATE OF chat_id ON conversations
          WHEN new.chat_id IS NOT old.chat_id
          BEGIN UPDATE messages SET chat_id = new.chat_id WHERE conversation_id = new.id; END;
      `);
    },
  };
}
