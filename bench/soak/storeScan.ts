// Reads a Store through its public API only (listConversations / listMessages / outboxItem), so the
// soak works on the current core and on the rebuilt one alike.
import type { Message, Store } from '../../main/core/store/types.ts';
import { parseMessage } from './accounts.ts';
import type { Side } from './accounts.ts';

export interface SoakRow {
  from: Side;
  to: Side;
  seq: number;
  messageId: number;
  conversationId: number;
  at: number;
  direction: Message['direction'];
  origin: Message['origin'];
  clientId: string | null;
  delivery: string | null;
}

/** Every soak message stored, oldest first by (at, id) — the order a user would read them in. */
export async function scanSoakMessages(store: Store): Promise<SoakRow[]> {
  const rows: SoakRow[] = [];
  let convCursor: string | null = null;
  do {
    const convs = await store.listConversations({ cursor: convCursor, limit: 200 });
    for (const c of convs.items) {
      let cursor: string | null = null;
      do {
        const page = await store.listMessages(c.id, { cursor, limit: 500 });
        for (const m of page.items) {
          const p = parseMessage(m.text);
          if (!p) continue;
          rows.push({ ...p, messageId: m.id, conversationId: c.id, at: m.at, direction: m.direction, origin: m.origin, clientId: m.clientId, delivery: m.delivery });
        }
        cursor = page.next;
      } while (cursor);
    }
    convCursor = convs.next;
  } while (convCursor);
  rows.sort((x, y) => x.at - y.at || x.messageId - y.messageId);
  return rows;
}
