import { memo, useCallback, useEffect, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';
// One row per CHAT (every conversation with the same people, issue 12 item 5): the row shows the
// chat's newest conversation — its people, its preview — and the chat's unread state.
import type { Chat, Conversation, IpcError } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { useUcwaEvent } from './hooks.ts';
import { VirtualListbox } from './VirtualListbox.tsx';
import { fullTime, isoTime, participantsLabel, shortTime } from './text.tsx';
import { Avatar } from './Avatar.tsx';
import { useContactsSeeded } from './contactsSeed.ts';
import { onlyOther } from './participants.ts';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { FIRST_PAGE, firstListNow, takeFirstList } from './firstList.ts';

export type Filter = 'all' | 'unread' | 'missed';
const PAGE = FIRST_PAGE;

const passes = (c: Chat, f: Filter): boolean => f === 'all' || (f === 'unread' ? c.unread : c.missed);
const newerFirst = (a: Chat, b: Chat): number => b.lastActivityAt - a.lastActivityAt || b.id - a.id;

/** A row of the list: a chat. */
export interface ListEntry { chatId: number; conversationId: number }

export const ChatRow = memo(function ChatRow({ chat, self, live, fetch }: { chat: Chat; self: string | null; live: boolean; fetch?: boolean }): ReactNode {
  return <ConversationRow c={chat.latest} self={self} unread={chat.unread} missed={chat.missedUnread || chat.latest.missed} live={live} fetch={fetch} />;
});

/**
 * A conversation's row. "Live" is said only of an IM connected now (the core's live connections),
 * never of the stored status: a conversation started here is stored 'Live' before its log exists,
 * and stays so through an unanswered invitation or a sign-out (issue 12 items 7, 8).
 */
export const ConversationRow = memo(function ConversationRow({ c, self, unread = c.unread, missed = c.missed, live = false, fetch = true }: {
  c: Conversation; self: string | null; unread?: boolean; missed?: boolean; live?: boolean;
  /** Ask the core for the person's card when the window has none (false until the contact list is in). */
  fetch?: boolean | undefined;
}): ReactNode {
  const names = participantsLabel(c.participants, self);
  const text = c.subject && c.subject !== c.preview ? `${c.subject} — ${c.preview}` : c.preview;
  return (
    <div className={`conv-row${unread ? ' unread' : ''}`}>
      <Avatar sip={onlyOther(c, self)} name={names} fetch={fetch} />
      <div className="conv-main">
        <div className="conv-top">
          <span className="conv-name">{names}</span>
          {/* Badges sit on the name line: on the preview line they cut it to "Budget review — Y…". */}
          {live && <span className="badge live">Live</span>}
          {missed && <span className="badge missed">Missed</span>}
          {/* Missed already asks for attention (and the row is bold): one badge leaves the name room. */}
          {unread && !missed && <span className="badge unread">New</span>}
          <time className="conv-time" dateTime={isoTime(c.lastActivityAt)} title={fullTime(c.lastActivityAt)}>{shortTime(c.lastActivityAt)}</time>
        </div>
        <div className="conv-bottom">
          <span className="conv-preview">{text || <span className="muted">No messages</span>}</span>
        </div>
      </div>
    </div>
  );
});

export function ConversationList(props: {
  filter: Filter;
  /** The open chat. */
  selectedId: number | null;
  self: string | null;
  /** Opens the chat at its newest conversation. */
  onOpen: (entry: ListEntry) => void;
  onOtherKey?: (e: KeyboardEvent<HTMLDivElement>) => void;
  listRef?: (el: HTMLDivElement | null) => void;
  /** The rows in the order shown, whenever it changes (Ctrl+Tab / Alt+↑↓ step through it). */
  onOrder?: (rows: ListEntry[]) => void;
}): ReactNode {
  const { filter, onOrder } = props;
  // The first render already has the rows when the early prefetch has answered (firstList.ts).
  const [items, setItems] = useState<Chat[]>(() => firstListNow(filter)?.items ?? []);
  const [next, setNext] = useState<string | null>(() => firstListNow(filter)?.next ?? null);
  const [loading, setLoading] = useState(() => firstListNow(filter) === null);
  const [error, setError] = useState<IpcError | null>(null);
  const [active, setActive] = useState(-1);
  const [connected, setConnected] = useState<ReadonlySet<number>>(new Set());
  const gen = useRef(0);
  const seeded = useContactsSeeded();
  // The open row stays where it is while it is open, even when it no longer passes the filter
  // (opening an unread one reads it): a list that shifts under the mouse loses the user's place.
  const selected = useRef(props.selectedId);
  selected.current = props.selectedId;

  const loadFirst = useCallback(async () => {
    const g = ++gen.current;
    setLoading(true);
    const r = await (takeFirstList(filter) ?? safe(() => ucwa().listChats({ filter, limit: PAGE })));
    if (g !== gen.current) return;
    setLoading(false);
    if (!r.ok) return setError(r.error);
    setError(null);
    setItems(r.value.items);
    setNext(r.value.next);
  }, [filter]);

  useEffect(() => {
    setActive(-1);
    void loadFirst();
  }, [loadFirst]);

  const loadMore = useCallback(async () => {
    if (!next) return;
    const g = gen.current;
    setLoading(true);
    const r = await safe(() => ucwa().listChats({ filter, cursor: next, limit: PAGE }));
    if (g !== gen.current) return;
    setLoading(false);
    if (!r.ok) return setError(r.error);
    setItems((old) => {
      const seen = new Set(old.map((c) => c.id));
      return old.concat(r.value.items.filter((c) => !seen.has(c.id)));
    });
    setNext(r.value.next);
  }, [filter, next]);

  // Live updates: a changed chat moves to its place (newest activity first).
  useUcwaEvent('chatRemoved', ({ chatId }) => setItems((old) => old.filter((o) => o.id !== chatId)));
  useUcwaEvent('chat', (c) => {
    setItems((old) => {
      const at = old.findIndex((o) => o.id === c.id);
      if (!passes(c, filter) && at >= 0 && c.id === selected.current) return old.map((o) => (o.id === c.id ? c : o));
      const rest = old.filter((o) => o.id !== c.id);
      if (!passes(c, filter)) return rest.length === old.length ? old : rest;
      const last = rest[rest.length - 1];
      if (next && last && newerFirst(c, last) > 0) return rest; // older than what is loaded: paging will bring it
      const i = rest.findIndex((o) => newerFirst(c, o) < 0);
      const out = rest.slice();
      out.splice(i < 0 ? out.length : i, 0, c);
      return out;
    });
  });
  useEffect(() => { onOrder?.(items.map((c) => ({ chatId: c.id, conversationId: c.latest.id }))); }, [items, onOrder]);
  useUcwaEvent('session', (s) => {
    if (s.status === 'online' && items.length === 0) void loadFirst();
    if (s.status !== 'online') setConnected(new Set());
  });
  useEffect(() => {
    void safe(() => ucwa().connectedConversations()).then((r) => r.ok && setConnected(new Set(r.value)));
  }, []);
  useUcwaEvent('live', (l) => setConnected((old) => {
    const on = l.connection === 'connected';
    if (on === old.has(l.conversationId)) return old;
    const next = new Set(old);
    if (on) next.add(l.conversationId); else next.delete(l.conversationId);
    return next;
  }));

  if (error && !items.length) {
    return (
      <div className="empty" role="alert">
        <p>{inWords(error)}</p>
        <button type="button" className="btn" onClick={() => void loadFirst()}>Try again</button>
      </div>
    );
  }
  if (!loading && !items.length) {
    return (
      <div className="empty" role="status">
        <p className="empty-title">{filter === 'unread' ? 'All caught up' : filter === 'missed' ? 'No missed conversations' : 'No conversations yet'}</p>
        <p className="muted">{filter === 'all' ? 'Conversations appear here as soon as they are synced or started.' : 'Nothing matches this filter.'}</p>
      </div>
    );
  }
  return (
    <VirtualListbox
      id="conversations"
      label="Conversations"
      className="conv-list"
      items={items}
      getKey={(c) => c.id}
      rowHeight={64}
      activeIndex={active}
      setActiveIndex={setActive}
      selectedKey={props.selectedId}
      onChoose={(c) => props.onOpen({ chatId: c.id, conversationId: c.latest.id })}
      hasMore={!!next}
      loading={loading}
      onEndReached={() => void loadMore()}
      onOtherKey={props.onOtherKey}
      listRef={props.listRef}
      render={(c) => <ErrorBoundary what="this conversation" compact><ChatRow chat={c} self={props.self} live={connected.has(c.latest.id)} fetch={seeded} /></ErrorBoundary>}
    />
  );
}
