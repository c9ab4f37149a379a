// The search box's results: PEOPLE (the directory, or the contacts offline), CONVERSATIONS (by
// subject or a participant's name) and MESSAGES (full text, newest first or best match, counted,
// paged as you scroll). `query` is already debounced by the caller.
import { useCallback, useEffect, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';
import type { Conversation, IpcError, Navigation, Person, SearchHit, SearchSort } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { VirtualListbox } from './VirtualListbox.tsx';
import { ConversationRow } from './ConversationList.tsx';
import { findConversations, type RecentCache } from './findConversations.ts';
import { Highlight, displayName, fullTime, participantsLabel, shortTime } from './text.tsx';
import { Avatar } from './Avatar.tsx';
import { useWatchSearchResults } from './searchWatch.ts';

/** Shorter queries search people only: one letter matches most of the history. */
export const MIN_MESSAGE_QUERY = 2;
const PAGE = 50;
const GROUP = 4;

export function countLabel(total: number, lowerBound: boolean): string {
  return `${total}${lowerBound ? '+' : ''} ${total === 1 && !lowerBound ? 'message' : 'messages'}`;
}

/** A hit's author as the list says it: you are "You". */
export function authorLabel(h: SearchHit, self: string | null): string | null {
  if (h.direction === 'Outgoing' || (self && h.author?.sip.toLowerCase() === self.toLowerCase())) return 'You';
  return h.author ? displayName(h.author) : null;
}

/** The existing chat with a person, or a new conversation with them. */
async function personTarget(p: Person): Promise<Navigation> {
  const r = await safe(() => ucwa().listConversations({ contact: p.sip, limit: 1 }));
  const c = r.ok ? r.value.items[0] : undefined;
  return c ? { to: 'conversation', conversationId: c.id } : { to: 'newConversation', sip: p.sip };
}

/** A short, static listbox (People, Conversations): each option is focusable, Enter opens. */
function Group<T>(props: { title: string; label: string; items: T[]; getKey: (t: T) => string | number; render: (t: T) => ReactNode; onChoose: (t: T) => void }): ReactNode {
  if (!props.items.length) return null;
  return (
    <section className="search-group">
      <h3 className="search-group-title">{props.title}</h3>
      <ul role="listbox" aria-label={props.label}>
        {props.items.map((t) => (
          <li key={props.getKey(t)} role="option" aria-selected={false} tabIndex={0} className="vlist-row static"
            onClick={() => props.onChoose(t)}
            onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); props.onChoose(t); } }}>
            {props.render(t)}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SearchResults(props: {
  query: string;
  self: string | null;
  onOpen: (hit: SearchHit) => void;
  onNavigate: (n: Navigation) => void;
  onOtherKey?: (e: KeyboardEvent<HTMLDivElement>) => void;
  listRef?: (el: HTMLDivElement | null) => void;
  onResults?: (count: number) => void;
}): ReactNode {
  const { query, self } = props;
  const messagesToo = query.trim().length >= MIN_MESSAGE_QUERY;
  const [sort, setSort] = useState<SearchSort>('newest');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [total, setTotal] = useState({ n: 0, lower: false });
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [people, setPeople] = useState<Person[] | null>(null);
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [active, setActive] = useState(-1);
  const [selected, setSelected] = useState<number | null>(null);
  const seq = useRef(0);
  const recent: RecentCache = useRef(null);

  // People and conversations: by name, from the first letter.
  useEffect(() => {
    let stale = false;
    setPeople(null);
    void safe(() => ucwa().searchPeople(query, GROUP + 1)).then((r) => {
      if (stale) return;
      const others = r.ok ? r.value.filter((p) => !self || p.sip.toLowerCase() !== self.toLowerCase()) : [];
      setPeople(others.slice(0, GROUP));
    });
    if (messagesToo) void findConversations(query, GROUP, recent).then((c) => { if (!stale) setConversations(c); });
    else setConversations([]);
    return () => { stale = true; };
  }, [query, self, messagesToo]);

  // Messages: the first page, again when the sort changes.
  useEffect(() => {
    const s = ++seq.current;
    setHits(messagesToo ? null : []);
    setActive(-1);
    setMore(false);
    if (!messagesToo) return;
    setLoading(true);
    void safe(() => ucwa().searchMessages(query, { sort, limit: PAGE })).then((r) => {
      if (s !== seq.current) return; // a newer keystroke won
      setLoading(false);
      if (!r.ok) { setError(r.error); setHits([]); return; }
      setError(null);
      setHits(r.value.hits);
      setTotal({ n: r.value.total, lower: r.value.totalIsLowerBound });
      setMore(r.value.hits.length === PAGE && r.value.hits.length < r.value.total);
      props.onResults?.(r.value.total);
    });
  }, [query, sort, messagesToo]);

  const loadMore = useCallback(() => {
    if (!hits || loading) return;
    const s = seq.current;
    setLoading(true);
    void safe(() => ucwa().searchMessages(query, { sort, limit: PAGE, offset: hits.length })).then((r) => {
      if (s !== seq.current) return;
      setLoading(false);
      if (!r.ok) { setMore(false); return; }
      const seen = new Set(hits.map((h) => h.messageId));
      const next = hits.concat(r.value.hits.filter((h) => !seen.has(h.messageId)));
      setHits(next);
      setMore(r.value.hits.length === PAGE && next.length < r.value.total);
    });
  }, [hits, loading, query, sort]);

  // The people found are kept live while listed: most are not contacts, so nothing else would.
  useWatchSearchResults((people ?? []).map((p) => p.sip));
  const openPerson = (p: Person) => void personTarget(p).then(props.onNavigate);
  const groups = (
    <>
      <Group title="People" label={`People matching ${query}`} items={people ?? []} getKey={(p) => p.sip} onChoose={openPerson}
        render={(p) => (
          <div className="hit-row person-row">
            <Avatar sip={p.sip} name={displayName(p)} size="small" />
            <span className="person-text">
              <span className="conv-name">{displayName(p)}</span>
              <span className="muted">{p.sip.replace(/^sip:/i, '')}</span>
            </span>
          </div>
        )} />
      <Group title="Conversations" label={`Conversations matching ${query}`} items={conversations} getKey={(c) => c.id}
        onChoose={(c) => props.onNavigate({ to: 'conversation', conversationId: c.id })}
        render={(c) => <ConversationRow c={c} self={self} />} />
    </>
  );

  if (!messagesToo) {
    return (
      <div className="search-panel">
        <div className="search-groups">{groups}</div>
        <p className="muted search-hint" role="status">
          {people && !people.length ? `No people match “${query}”. ` : ''}Type at least 2 letters to search messages.
        </p>
      </div>
    );
  }
  if (error) return <div className="empty" role="alert">{inWords(error)}</div>;
  const nothing = hits !== null && !hits.length && people !== null && !people.length && !conversations.length;
  if (nothing) {
    return (
      <div className="empty" role="status">
        <p className="empty-title">No results</p>
        <p className="muted">Nothing in your history matches “{query}”.</p>
      </div>
    );
  }
  return (
    <div className="search-panel">
      <div className="search-groups">{groups}</div>
      <div className="search-head">
        <h3 className="search-group-title" role="status">{hits === null ? 'Messages: searching…' : hits.length ? countLabel(total.n, total.lower) : 'No messages'}</h3>
        {hits !== null && hits.length > 0 && <select aria-label="Sort" value={sort} onChange={(e) => setSort(e.target.value === 'best' ? 'best' : 'newest')}>
          <option value="newest">Newest first</option>
          <option value="best">Best match</option>
        </select>}
      </div>
      {hits === null && <div className="empty" role="status"><span className="spinner" aria-hidden="true" /> Searching…</div>}
      {hits !== null && hits.length > 0 && (
        <VirtualListbox
          id="search-results"
          label={`Search results for ${query}`}
          className="search-list"
          items={hits}
          getKey={(h) => h.messageId}
          rowHeight={72}
          activeIndex={active}
          setActiveIndex={setActive}
          selectedKey={selected}
          hasMore={more}
          loading={loading}
          onEndReached={loadMore}
          onChoose={(h) => {
            setSelected(h.messageId);
            props.onOpen(h);
          }}
          onOtherKey={props.onOtherKey}
          listRef={props.listRef}
          render={(h) => {
            const author = authorLabel(h, self);
            return (
              <div className="hit-row" data-message-id={h.messageId}>
                <div className="conv-top">
                  <span className="conv-name">{participantsLabel(h.conversation.participants, self)}</span>
                  <time className="conv-time" title={fullTime(h.at)}>{shortTime(h.at)}</time>
                </div>
                <div className="hit-snippet">
                  {author && <span className="hit-author">{author}: </span>}
                  <Highlight snippet={h.snippet} />
                </div>
              </div>
            );
          }}
        />
      )}
    </div>
  );
}
