// The People view of the history window's sidebar (issue 13): the contact list in its groups,
// Favourites first, each person with their presence, activity and note, kept live; a filter as
// you type; Enter (or a double click) opens the chat with that person, a click or Space shows their
// card in the pane. One virtual tree (groups are treeitems that expand, people are inside them): a
// listbox's options may not expand, and a button inside an option is nested interaction.
import { memo, useEffect, useMemo, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';
import type { IpcError, Navigation } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { useDebounced, useUcwaEvent } from './hooks.ts';
import { useSession } from './session.tsx';
import { VirtualListbox } from './VirtualListbox.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { Avatar, usePresenceOf } from './Avatar.tsx';
import { cardOf, rememberCards, sipKey, usePerson, useWatchPeople } from './peopleCache.ts';
import { loadContactList, setGroupCollapsed, useContactGroups } from './contactGroups.ts';
import { filterWords, flattenPeople, type Expansion, type PeopleRow, rowHeight } from './peopleList.ts';
import { chatWith } from './chatWith.ts';
import type { PresenceView } from './presenceWords.ts';

/** How many people outside the contact list a filter offers (the directory search is Ctrl+F's). */
const OTHERS = 20;

/** "In a meeting", "Away 20 min", "Busy · Presenting": the words a row shows beside the dot. */
export function presenceLine(v: PresenceView): string {
  if (!v.detail) return v.words;
  return v.detail.startsWith(v.words) ? v.detail : `${v.words} · ${v.detail}`;
}

/** Why a distribution group's people can't be shown, in words (the server's refusals are common). */
export function expansionWords(e: IpcError): string {
  if (e.ucwaCode === 'TooManyContacts' || e.subcode === 'TooManyContacts') return 'This group is too large to show: the server won’t list that many people.';
  if (e.status === 403) return 'You aren’t allowed to see the people of this group.';
  if (e.code === 'notSignedIn') return 'Sign in to see the people of this group.';
  return inWords(e);
}

/** One person: picture with dot, name, presence in words, note. Re-renders alone when they change. */
const PersonLine = memo(function PersonLine({ sip }: { sip: string }): ReactNode {
  const card = usePerson(sip, { fetch: true });
  const name = card?.name || sip.replace(/^sip:/i, '');
  const note = card?.note?.message.trim() ?? '';
  const presence = usePresenceOf(card);
  return (
    <div className="pperson">
      <Avatar sip={sip} name={name} />
      <div className="pperson-main">
        <span className="pperson-name">{name}</span>
        {/* The dot already says it to screen readers (its label): shown, not read twice. */}
        <span className="pperson-presence" aria-hidden="true">{presenceLine(presence)}</span>
        {note && (
          <span className="pperson-note">
            {card?.note?.type === 'OutOfOffice' && <span className="oof">Out of office: </span>}{note}
          </span>
        )}
      </div>
    </div>
  );
});

function HeaderLine({ row }: { row: Extract<PeopleRow, { type: 'group' | 'section' }> }): ReactNode {
  const distribution = row.type === 'group' && row.group.kind === 'distribution';
  const count = distribution && row.count === 0 ? null : row.count;
  return (
    <div className="pgroup">
      {row.type === 'group' && <span className="pgroup-chev" aria-hidden="true">{row.expanded ? '▾' : '▸'}</span>}
      <span className="pgroup-name">{row.name}</span>
      {count !== null && <><span className="pgroup-count" aria-hidden="true">{count}</span><span className="sr-only">, {count === 1 ? '1 person' : `${count} people`}</span></>}
      {distribution && <span className="pgroup-kind">Distribution group</span>}
    </div>
  );
}

function RowView({ row }: { row: PeopleRow }): ReactNode {
  if (row.type === 'person') return <PersonLine sip={row.sip} />;
  if (row.type === 'note') return <div className="pnote">{row.text}</div>;
  return <HeaderLine row={row} />;
}

/** People outside the contact list who match the filter, from what the window's core knows. */
function useOtherPeople(query: string, self: string | null): { sips: string[]; forQuery: string } {
  const debounced = useDebounced(query.trim(), 150);
  const [found, setFound] = useState<{ sips: string[]; forQuery: string }>({ sips: [], forQuery: '' });
  useEffect(() => {
    if (filterWords(debounced).join('').length < 2) {
      setFound({ sips: [], forQuery: debounced });
      return;
    }
    let stale = false;
    void safe(() => ucwa().findPeople(debounced, { limit: OTHERS + 1 })).then((r) => {
      if (stale) return;
      const cards = r.ok ? r.value : [];
      rememberCards(cards);
      const me = self ? sipKey(self) : null;
      setFound({ sips: cards.filter((c) => !c.inContactList && sipKey(c.sip) !== me).slice(0, OTHERS).map((c) => sipKey(c.sip)), forQuery: debounced });
    });
    return () => { stale = true; };
  }, [debounced, self]);
  return found;
}

function SignedOutNote(): ReactNode {
  const s = useSession();
  if (s.status !== 'signedOut' && s.status !== 'error') return null;
  return <p className="people-status" role="status">Presence isn’t live while you’re signed out: these are your contacts as last seen.</p>;
}

export function People(props: {
  self: string | null;
  /** The person whose card the pane shows (their row is the selected one). */
  cardSip: string | null;
  onCard: (sip: string) => void;
  onCloseCard: () => void;
  onNavigate: (n: Navigation) => void;
  listRef?: (el: HTMLDivElement | null) => void;
  inputRef?: (el: HTMLInputElement | null) => void;
}): ReactNode {
  const { self, cardSip } = props;
  const { groups, error } = useContactGroups();
  const [query, setQuery] = useState('');
  const [expansions, setExpansions] = useState<ReadonlyMap<number, Expansion>>(new Map());
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [chosenKey, setChosenKey] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  // While filtering, a changed name or title can change what matches: count changes to re-filter.
  const [cardsChanged, setCardsChanged] = useState(0);
  const filtering = filterWords(query).length > 0;
  useUcwaEvent('person', () => { if (filtering) setCardsChanged((n) => n + 1); });
  const others = useOtherPeople(query, self);
  const inputEl = useRef<HTMLInputElement | null>(null);
  const listEl = useRef<HTMLDivElement | null>(null);

  const rows = useMemo(
    () => flattenPeople({ groups: groups ?? [], cardOf, expansions, query, others: filtering ? others.sips : [] }),
    // cardsChanged: the cards read through cardOf changed.
    [groups, expansions, query, filtering, others.sips, cardsChanged],
  );
  const activeIndex = activeKey === null ? -1 : rows.findIndex((r) => r.key === activeKey);
  const setActiveIndex = (i: number) => setActiveKey(rows[i]?.key ?? null);

  // The core watches every contact already; the people shown who are not contacts (a filter's other
  // people, an opened distribution group) are this view's to keep live. Not only the rows on screen:
  // a set that changed with every scroll would churn the server's presence subscription.
  const contacts = useMemo(() => new Set((groups ?? []).filter((g) => g.kind !== 'distribution').flatMap((g) => g.members.map(sipKey))), [groups]);
  const watched = useMemo(() => [...new Set(rows.flatMap((r) => (r.type === 'person' && !contacts.has(sipKey(r.sip)) ? [r.sip] : [])))], [rows, contacts]);
  useWatchPeople(watched, 'view');

  const openChat = (sip: string) => {
    setActionError(null);
    void chatWith(sip, self).then(props.onNavigate);
  };
  const toggle = (row: Extract<PeopleRow, { type: 'group' }>) => {
    const g = row.group;
    if (g.kind === 'distribution') {
      // Opened on request only, and read from the server each time it is opened (a distribution
      // group's people are not kept: they change without the user, and may be refused).
      const put = (e: Expansion | null) => setExpansions((old) => {
        const next = new Map(old);
        if (e) next.set(g.id, e); else next.delete(g.id);
        return next;
      });
      if (row.expanded) { put(null); return; }
      put({ state: 'loading' });
      void safe(() => ucwa().expandGroup(g.id)).then((r) => {
        if (r.ok) rememberCards(r.value);
        setExpansions((old) => {
          if (old.get(g.id)?.state !== 'loading') return old; // closed meanwhile
          const next = new Map(old);
          next.set(g.id, r.ok ? { state: 'done', members: r.value.map((c) => sipKey(c.sip)) } : { state: 'error', text: expansionWords(r.error) });
          return next;
        });
      });
      return;
    }
    setActionError(null);
    void setGroupCollapsed(g.id, row.expanded).then((e) => e && setActionError(inWords(e)));
  };
  const choose = (row: PeopleRow, via: 'Enter' | ' ' | 'click') => {
    if (row.type === 'group') toggle(row);
    else if (row.type === 'person') {
      if (via === 'Enter') openChat(row.sip);
      else { setChosenKey(row.key); props.onCard(row.sip); }
    }
  };

  const onListKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const row = rows[activeIndex];
    if (e.key === 'ArrowRight' && row?.type === 'group') {
      e.preventDefault();
      if (!row.expanded) toggle(row);
      else if (rows[activeIndex + 1]?.type !== 'group') setActiveIndex(activeIndex + 1);
    } else if (e.key === 'ArrowLeft' && row) {
      e.preventDefault();
      if (row.type === 'group' && row.expanded) toggle(row);
      else if ((row.type === 'person' || row.type === 'note') && row.parent) setActiveKey(row.parent);
    } else if (e.key === 'Escape') {
      if (query) { e.preventDefault(); setQuery(''); inputEl.current?.focus(); }
      else if (cardSip) { e.preventDefault(); props.onCloseCard(); }
    } else if (e.key === 'ContextMenu' && row?.type === 'person') {
      e.preventDefault();
      choose(row, ' ');
    } else if (/^[\p{L}\p{N}]$/u.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      // Typing in the list is typing a name: the filter takes the key (the browser sends it there).
      inputEl.current?.focus();
    }
  };

  const firstPerson = rows.find((r) => r.type === 'person');
  const onInputKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      if (query) setQuery('');
      else if (cardSip) props.onCloseCard();
      else void safe(() => ucwa().closeWindow());
    } else if (e.key === 'ArrowDown' && rows.length) {
      e.preventDefault();
      // Focus first: the list's onFocus makes its first row (a header) active, the person must win.
      listEl.current?.focus();
      setActiveKey((firstPerson ?? rows[0])!.key);
    } else if (e.key === 'Enter' && filtering && firstPerson?.type === 'person') {
      // As in Skype for Business: a name and Enter is a message to the first person found.
      e.preventDefault();
      openChat(firstPerson.sip);
    }
  };

  const selectedKey = cardSip && chosenKey && rows.some((r) => r.key === chosenKey && r.type === 'person' && sipKey(r.sip) === sipKey(cardSip)) ? chosenKey : null;
  const matchCount = rows.filter((r) => r.type === 'person').length;

  let body: ReactNode;
  if (groups === null && error) {
    body = (
      <div className="empty" role="alert">
        <p>{inWords(error)}</p>
        <button type="button" className="btn" onClick={() => void loadContactList()}>Try again</button>
      </div>
    );
  } else if (groups === null) {
    body = <div className="empty" role="status"><p className="muted">Loading contacts…</p></div>;
  } else if (groups.length === 0) {
    body = (
      <div className="empty" role="status">
        <p className="empty-title">No contacts yet</p>
        <p className="muted">People you add to your contacts in Skype for Business appear here, with their presence. Ctrl+N writes to anyone.</p>
      </div>
    );
  } else if (filtering && rows.length === 0) {
    body = others.forQuery === query.trim() || filterWords(query).join('').length < 2
      ? (
        <div className="empty" role="status">
          <p className="empty-title">No one matches “{query.trim()}”</p>
          <p className="muted">This filters your contacts and the people you have talked with. Ctrl+F searches the whole directory.</p>
        </div>
      )
      : <div className="empty" role="status" aria-busy="true"><p className="muted">Looking…</p></div>;
  } else {
    body = (
      <VirtualListbox
        id="people"
        role="tree"
        label={filtering ? `Contacts matching ${query.trim()}` : 'Contacts'}
        className="people-list"
        items={rows}
        getKey={(r) => r.key}
        rowHeight={34}
        rowSize={rowHeight}
        itemAria={(r) => ({ level: r.level, expanded: r.type === 'group' ? r.expanded : undefined, posinset: r.posinset, setsize: r.setsize })}
        activeIndex={activeIndex}
        setActiveIndex={setActiveIndex}
        selectedKey={selectedKey}
        onChoose={(r, _i, via) => choose(r, via)}
        onOtherKey={onListKey}
        listRef={(el) => { listEl.current = el; props.listRef?.(el); }}
        render={(r) => <ErrorBoundary what="this person" compact><RowView row={r} /></ErrorBoundary>}
      />
    );
  }

  return (
    <div className="people-view"
      onDoubleClick={(e) => {
        const row = rows[activeIndex];
        if (row?.type === 'person' && (e.target as Element).closest?.('[role="treeitem"]')) openChat(row.sip);
      }}>
      <div className="search-box" role="search">
        <input
          ref={(el) => { inputEl.current = el; props.inputRef?.(el); }}
          type="search"
          aria-label="Filter contacts by name, address or title"
          placeholder="Find a contact (Ctrl+2)"
          value={query}
          aria-controls="people"
          onChange={(e) => { setQuery(e.target.value); setActiveKey(null); }}
          onKeyDown={onInputKey}
        />
      </div>
      <SignedOutNote />
      {actionError && <p className="people-status error" role="alert">{actionError}</p>}
      {filtering && rows.length > 0 && <p className="sr-only" role="status">{matchCount === 1 ? '1 person matches' : `${matchCount} people match`}</p>}
      {body}
    </div>
  );
}
