// Where "talk to this person" leads (the tray's Favourites): your one-to-one chat with them when
// there is one — its newest conversation, which the history window opens with every earlier one in
// the transcript — else a new conversation addressed to them. A group chat they were part of is
// not "the chat with Mei".
import type { Conversation, Navigation } from '../ipc/contract.ts';

export interface ConversationLookup {
  listConversations(query: { contact?: string; limit?: number }): Promise<{ items: Pick<Conversation, 'id' | 'participants'>[] }>;
}

/** Conversations looked through for a one-to-one (newest first; a group-heavy history may hide an old one). */
const LOOK_AT = 50;

const key = (sip: string): string => {
  const s = sip.trim().toLowerCase();
  return s.startsWith('sip:') ? s : `sip:${s}`;
};

export async function chatTarget(service: ConversationLookup, sip: string, self: string | null): Promise<Navigation> {
  const them = key(sip);
  const me = self ? key(self) : null;
  try {
    const { items } = await service.listConversations({ contact: them, limit: LOOK_AT });
    const oneToOne = items.find((c) => {
      const others = c.participants.map((p) => key(p.sip)).filter((s) => s !== me);
      return others.length === 1 && others[0] === them;
    });
    if (oneToOne) return { to: 'conversation', conversationId: oneToOne.id };
  } catch {
    // No history to read (no store yet): a new conversation still opens, and says what it can.
  }
  return { to: 'newConversation', sip: them };
}
