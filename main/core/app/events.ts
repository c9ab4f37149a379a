// The service's event emitter, with the coalescing of list updates while an event batch runs.
import type { AnyServiceEventName as ServiceEventName, AnyServiceEvents as ServiceEvents } from './types.ts';
import type { LogFn } from '../ucwa/transport.ts';
import type { Chat, Conversation, UnreadSummary } from '../store/types.ts';
import { describeError } from '../logSafe.ts';

type UnreadCounts = Omit<UnreadSummary, 'latest'>;
interface Coalescing { seen: Set<number>; conversations: Map<number, Conversation>; chats: Map<number, Chat>; seenChats: Set<number>; unread: UnreadCounts | null }

export class ServiceEmitter {
  private readonly listeners = new Map<ServiceEventName, Set<(p: unknown) => void>>();
  private coalescing: Coalescing | null = null;
  private readonly log: LogFn;

  constructor(log: LogFn) {
    this.log = log;
  }

  emit<E extends ServiceEventName>(event: E, payload: ServiceEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        // One broken listener (a closed window, a CLI printer) must not stop the others.
        this.log(`listener for ${event} threw: ${describeError(err)}`);
      }
    }
  }

  on<E extends ServiceEventName>(event: E, listener: (payload: ServiceEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (p: unknown) => void);
    return () => set.delete(listener as (p: unknown) => void);
  }

  // While an event batch is processed, conversation and unread changes are coalesced: the first
  // change of a conversation goes out at once (listeners learn of it before its messages), later
  // ones only as the latest state at the end of the batch, and the unread summary once. A burst of
  // 1 000 messages is 1 000 'message' events but one list update and one tray recount.

  /** Run `fn` with coalescing on (nested calls join the outer one). */
  async coalesce<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.coalescing === null;
    if (outer) this.coalescing = { seen: new Set(), conversations: new Map(), chats: new Map(), seenChats: new Set(), unread: null };
    try {
      return await fn();
    } finally {
      if (outer) this.flush();
    }
  }

  conversation(c: Conversation): void {
    const co = this.coalescing;
    if (!co) this.emit('conversation', c);
    else if (!co.seen.has(c.id)) {
      co.seen.add(c.id);
      this.emit('conversation', c);
    } else co.conversations.set(c.id, c);
  }

  /** Chats coalesce as conversations do (a burst in one chat: one row update at the end). */
  chat(c: Chat): void {
    const co = this.coalescing;
    if (!co) this.emit('chat', c);
    else if (!co.seenChats.has(c.id)) {
      co.seenChats.add(c.id);
      this.emit('chat', c);
    } else co.chats.set(c.id, c);
  }

  unread(summary: UnreadCounts): void {
    if (this.coalescing) this.coalescing.unread = summary;
    else this.emit('unread', summary);
  }

  private flush(): void {
    const c = this.coalescing;
    this.coalescing = null;
    if (!c) return;
    for (const conv of c.conversations.values()) this.emit('conversation', conv);
    for (const chat of c.chats.values()) this.emit('chat', chat);
    if (c.unread) this.emit('unread', c.unread);
  }
}
