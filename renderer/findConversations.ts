// Conversations matching a name or subject, one per chat (its newest conversation, issue 12 item 5):
// the recent chats (loaded once per caller), then, for someone not among them, that person's chat. Shared by the search box and
// Ctrl+K. Pure of React; `recent` is the caller's cache of the recent conversations.
import type { Conversation } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';

export type RecentCache = { current: Promise<Conversation[]> | null };

export function matchesConversation(c: Conversation, query: string): boolean {
  const q = query.trim().toLowerCase();
  return c.participants.some((p) => p.name.toLowerCase().includes(q) || p.sip.toLowerCase().includes(q)) || c.subject.toLowerCase().includes(q);
}

export async function findConversations(query: string, limit: number, recent: RecentCache): Promise<Conversation[]> {
  const q = query.trim().toLowerCase();
  recent.current ??= safe(() => ucwa().listChats({ limit: 200 })).then((r) => (r.ok ? r.value.items.map((c) => c.latest) : []));
  const all = await recent.current;
  let found = q ? all.filter((c) => matchesConversation(c, q)) : all;
  if (q && found.length < limit) {
    const people = await safe(() => ucwa().searchPeople(q, 5));
    if (people.ok) {
      const more = await Promise.all(people.value.map((p) => safe(() => ucwa().listChats({ contact: p.sip, limit: 1 }))));
      const seen = new Set(found.map((c) => c.chatId));
      for (const r of more) if (r.ok) for (const chat of r.value.items) if (!seen.has(chat.id)) { seen.add(chat.id); found = found.concat(chat.latest); }
    }
  }
  return found.slice(0, limit);
}
