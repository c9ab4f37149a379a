// Where "chat with this person" goes (People view, contact card): the chat with just them if there
// is one — what the conversation list would open — else a new conversation to them. A group chat
// they were part of is not "the chat with them" (listChats' contact filter returns those too).
import type { Chat, Navigation } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { sipKey } from './peopleCache.ts';

/** How many of their chats to look through for the one-to-one (newest first). */
const LOOK = 50;

export function isOneToOne(chat: Chat, sip: string, self: string | null): boolean {
  const me = self ? sipKey(self) : null;
  const others = chat.latest.participants.map((p) => sipKey(p.sip)).filter((s) => s !== me);
  return others.length === 1 && others[0] === sipKey(sip);
}

export async function chatWith(sip: string, self: string | null): Promise<Navigation> {
  const r = await safe(() => ucwa().listChats({ contact: sipKey(sip), limit: LOOK }));
  const chat = r.ok ? r.value.items.find((c) => isOneToOne(c, sip, self)) : undefined;
  return chat ? { to: 'conversation', conversationId: chat.latest.id } : { to: 'newConversation', sip: sipKey(sip) };
}
