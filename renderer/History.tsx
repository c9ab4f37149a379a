// The history window: sidebar (search, filters, conversation list or search results) and a pane
// (conversation, new conversation, settings, a contact card); the sidebar switches between Chats and
// People. Keyboard: Ctrl/Cmd+F search, Ctrl/Cmd+K palette, Ctrl/Cmd+N new conversation, Ctrl/Cmd+,
// settings, Ctrl/Cmd+1 / Ctrl/Cmd+2 Chats / People, arrows in lists, Esc closes.
import { useCallback, useEffect, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';
import type { IpcError, Navigation, SearchHit, SyncProgress, UnreadCounts } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { modKey, useDebounced, useUcwaEvent } from './hooks.ts';
import { statusWords, useSession } from './session.tsx';
import { MyStatus } from './MyStatus.tsx';
import { ConversationList, type Filter, type ListEntry } from './ConversationList.tsx';
import { SearchResults } from './SearchResults.tsx';
import { ConversationView } from './Conversation.tsx';
import { NewConversation } from './NewConversation.tsx';
import { Settings } from './Settings.tsx';
import { Palette } from './Palette.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { ShortcutSheet } from './ShortcutSheet.tsx';
import { isEditable } from './shortcuts.ts';
import { useUnreadTitle } from './unreadTitle.ts';
import { stepIn } from './listOrder.ts';
import { SidebarTabs, SIDE_PANEL_ID, tabId, useSideTab, type SideTab } from './SidebarTabs.tsx';
import { People } from './People.tsx';
import { ContactCard } from './ContactCard.tsx';

type View =
  | { kind: 'none' }
  | { kind: 'conversation'; id: number; chatId?: number | undefined; messageId?: number | undefined; nonce: number }
  | { kind: 'new'; sip?: string | undefined; nonce: number }
  | { kind: 'settings' }
  | { kind: 'person'; sip: string };

let nonce = 0;

function SyncBanner(): ReactNode {
  const [p, setP] = useState<SyncProgress | null>(null);
  useEffect(() => {
    void safe(() => ucwa().syncProgress()).then((r) => r.ok && setP(r.value));
  }, []);
  useUcwaEvent('sync', setP);
  if (!p) return null;
  if (p.error) {
    return (
      <div className="sync error" role="alert">
        {inWords(p.error)} <button type="button" className="linkish" onClick={() => void safe(() => ucwa().syncNow())}>Try again</button>
      </div>
    );
  }
  if (!p.running) return null;
  return (
    <div className="sync" role="status">
      <span>Syncing history…{p.total > 0 ? ` ${p.done.toLocaleString()} of ${p.total.toLocaleString()}` : ''}</span>
      <progress max={p.total || 1} value={p.total ? p.done : undefined} aria-label="History sync progress" />
    </div>
  );
}

/** The filter pills with their counts (unread, and missed not yet read) and "Mark all read". */
function Filters(props: { filter: Filter; setFilter: (f: Filter) => void }): ReactNode {
  const [counts, setCounts] = useState<UnreadCounts | null>(null);
  useEffect(() => {
    void safe(() => ucwa().unreadSummary(1)).then((r) => r.ok && setCounts({ unreadChats: r.value.unreadChats, missedChats: r.value.missedChats }));
  }, []);
  useUcwaEvent('unread', setCounts);
  const count = (f: Filter) => (f === 'unread' ? counts?.unreadChats : f === 'missed' ? counts?.missedChats : 0) ?? 0;
  const label = (f: Filter) => (f === 'all' ? 'All' : f === 'unread' ? 'Unread' : 'Missed');
  return (
    <div className="filters" role="group" aria-label="Show">
      {(['all', 'unread', 'missed'] as const).map((f) => (
        <button key={f} type="button" className={`filter${props.filter === f ? ' on' : ''}`} aria-pressed={props.filter === f} onClick={() => props.setFilter(f)}>
          {/* The count is part of the visible name (no aria-label that could differ from it). */}
          {label(f)}{count(f) > 0 && <>{' '}<span className="pill-count">{count(f) > 999 ? '999+' : count(f)}</span></>}
        </button>
      ))}
      {(counts?.unreadChats ?? 0) > 0 && (
        <button type="button" className="linkish mark-all" onClick={() => void safe(() => ucwa().markAllRead())}>Mark all read</button>
      )}
    </div>
  );
}

function SessionBanner(): ReactNode {
  const s = useSession();
  if (s.status === 'online' || s.status === 'signingOut') return null;
  if (s.status === 'signedOut') {
    return (
      <div className="sync" role="status">
        Signed out — your history is still here.{' '}
        <button type="button" className="linkish" onClick={() => void safe(() => ucwa().showWindow('signin'))}>Sign in</button>
      </div>
    );
  }
  const why = s.error && s.error.code !== 'noKeychain' ? ` ${inWords(s.error)}` : '';
  return <div className={`sync${s.status === 'error' ? ' error' : ''}`} role="status">{statusWords[s.status]}{why}</div>;
}

export function History(): ReactNode {
  const session = useSession();
  const self = session.user?.sip ?? null;
  const [view, setView] = useState<View>({ kind: 'none' });
  const [filter, setFilter] = useState<Filter>('all');
  const [query, setQuery] = useState('');
  const [palette, setPalette] = useState(false);
  const [navError, setNavError] = useState<IpcError | null>(null);
  const debounced = useDebounced(query.trim(), 120);
  const searchRef = useRef<HTMLInputElement>(null);
  const listEl = useRef<HTMLDivElement | null>(null);
  const paneRef = useRef<HTMLElement | null>(null);
  const [sheet, setSheet] = useState(false);
  const [tab, setTab] = useSideTab();
  const tabRef = useRef(tab);
  tabRef.current = tab;
  const peopleInput = useRef<HTMLInputElement | null>(null);
  // Where the focus goes once a switch of tab has rendered (a shortcut switched: the user wants to be there).
  const focusAfterSwitch = useRef<'search' | 'filter' | 'list' | null>(null);
  const switchTab = useCallback((t: SideTab, focus: 'search' | 'filter' | 'list' | null) => {
    focusAfterSwitch.current = focus;
    setTab(t);
  }, [setTab]);
  useEffect(() => {
    const f = focusAfterSwitch.current;
    focusAfterSwitch.current = null;
    if (f === 'search') { searchRef.current?.focus(); searchRef.current?.select(); }
    else if (f === 'filter') { peopleInput.current?.focus(); peopleInput.current?.select(); }
    else if (f === 'list') (listEl.current ?? searchRef.current)?.focus();
  }, [tab, switchTab]);
  // The list's rows (chats, top to bottom) as ConversationList last showed them: what Ctrl+Tab and
  // Alt+↑/↓ step through.
  const order = useRef<readonly ListEntry[]>([]);
  // The chat the open conversation belongs to: the list highlights its row. Known at once when a
  // row is opened; reported by the pane when the conversation came from elsewhere (search, popup).
  const [openChat, setOpenChat] = useState<number | null>(null);
  const selected = useRef<number | null>(null);
  useUnreadTitle('UCWA Tray');
  const onOrder = useCallback((rows: ListEntry[]) => { order.current = rows; }, []);

  const navigate = useCallback((n: Navigation) => {
    setNavError(null);
    if (n.to === 'conversation') { setOpenChat(null); setView({ kind: 'conversation', id: n.conversationId, messageId: n.messageId, nonce: ++nonce }); }
    else if (n.to === 'newConversation') setView({ kind: 'new', sip: n.sip, nonce: ++nonce });
    else if (n.to === 'settings') setView({ kind: 'settings' });
    else if (n.to === 'search') searchRef.current?.focus();
  }, []);

  useEffect(() => {
    void safe(() => ucwa().pendingNavigation()).then((r) => {
      if (r.ok && r.value) navigate(r.value);
      else if (!r.ok) setNavError(r.error);
    });
  }, [navigate]);
  useUcwaEvent('navigate', navigate);

  const openConversation = (id: number, messageId?: number, chatId: number | null = null) => {
    setOpenChat(chatId);
    setView({ kind: 'conversation', id, chatId: chatId ?? undefined, messageId, nonce: ++nonce });
  };

  // F6 (and Shift+F6): the list ↔ the pane (its composer if it has one), as in browsers and mail apps.
  const cycleRegion = useCallback(() => {
    const pane = paneRef.current;
    if (pane && !pane.contains(document.activeElement)) {
      const target = pane.querySelector<HTMLElement>('.composer textarea:not(:disabled)') ?? pane;
      target.focus();
    } else (listEl.current ?? searchRef.current)?.focus();
  }, []);

  // Global shortcuts.
  useEffect(() => {
    // Moving between conversations goes first (capture): Alt+↓ in the list must not also move its cursor.
    const onMove = (e: globalThis.KeyboardEvent) => {
      const tab = e.key === 'Tab' && (e.ctrlKey || e.metaKey) && !e.altKey;
      const alt = (e.key === 'ArrowDown' || e.key === 'ArrowUp') && e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey;
      if (!tab && !alt) return;
      if (document.querySelector('[aria-modal="true"]')) return; // a dialog is open: its keys are its own
      const delta = tab ? (e.shiftKey ? -1 : 1) : e.key === 'ArrowDown' ? 1 : -1;
      const to = stepIn(order.current.map((r) => r.chatId), selected.current, delta);
      e.preventDefault();
      e.stopPropagation();
      const row = order.current.find((r) => r.chatId === to);
      if (row) { setOpenChat(row.chatId); setView({ kind: 'conversation', id: row.conversationId, chatId: row.chatId, nonce: ++nonce }); }
    };
    const onKey = (e: globalThis.KeyboardEvent) => {
      const k = e.key.toLowerCase();
      if (modKey(e) && k === 'f') {
        e.preventDefault();
        // Search is the Chats view's: from People, go there first.
        if (tabRef.current !== 'chats') switchTab('chats', 'search'); else { searchRef.current?.focus(); searchRef.current?.select(); }
        return;
      }
      if (modKey(e) && !e.shiftKey && !e.altKey && (k === '1' || k === '2' || e.code === 'Digit1' || e.code === 'Digit2')) {
        e.preventDefault();
        const people = k === '2' || e.code === 'Digit2';
        if (people) { if (tabRef.current === 'people') peopleInput.current?.focus(); else switchTab('people', 'filter'); }
        else if (tabRef.current === 'chats') (listEl.current ?? searchRef.current)?.focus(); else switchTab('chats', 'list');
        return;
      }
      if (modKey(e) && k === 'k') { e.preventDefault(); setPalette(true); return; }
      if (modKey(e) && k === 'n') { e.preventDefault(); setView({ kind: 'new', nonce: ++nonce }); return; }
      if (modKey(e) && k === ',') {
        e.preventDefault();
        setView({ kind: 'settings' });
        // Focus to the top of the pane: the next Tab is its "Go to the conversation list" link,
        // not a walk through every setting (issue 12: it took 17 Tabs).
        paneRef.current?.focus({ preventScroll: true });
        return;
      }
      if (modKey(e) && (k === '/' || e.code === 'Slash')) { e.preventDefault(); setSheet((v) => !v); return; }
      if (e.key === 'F6' && !e.defaultPrevented) { e.preventDefault(); cycleRegion(); return; }
      if (e.defaultPrevented || isEditable(e.target)) return; // keys typed into a field are text
      if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); setSheet(true); return; }
      // Esc hides the window only from places that are not for writing: in the composer (even an
      // empty one) Esc is a slip of the finger away from losing the window.
      if (e.key === 'Escape') void safe(() => ucwa().closeWindow());
    };
    window.addEventListener('keydown', onMove, true);
    window.addEventListener('keydown', onKey);
    return () => { window.removeEventListener('keydown', onMove, true); window.removeEventListener('keydown', onKey); };
  }, [cycleRegion, switchTab]);

  // Esc or ✕ on a card: back to the empty pane, and the focus back to the list the card came from
  // when it was in the card (it would be lost on the removed node).
  const closeCard = useCallback(() => {
    const inPane = paneRef.current?.contains(document.activeElement) ?? false;
    setView({ kind: 'none' });
    if (inPane) (listEl.current ?? peopleInput.current)?.focus();
  }, []);

  const selectedId = view.kind === 'conversation' ? openChat : null;
  selected.current = selectedId;
  const searching = debounced.length > 0;

  const listOtherKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' && query) { e.preventDefault(); setQuery(''); searchRef.current?.focus(); }
  };

  return (
    <div className="history">
      <aside className="sidebar" aria-label="Conversations, people and search">
        <header className="side-header">
          <MyStatus />
          <button type="button" className="icon-btn" aria-label="New conversation (Ctrl+N)" title="New conversation"
            onClick={() => setView({ kind: 'new', nonce: ++nonce })}><span aria-hidden="true">✎</span></button>
          <button type="button" className="icon-btn" aria-label="Settings" title="Settings" aria-pressed={view.kind === 'settings'}
            onClick={() => setView({ kind: 'settings' })}><span aria-hidden="true">⚙</span></button>
          <button type="button" className="icon-btn" aria-label="Keyboard shortcuts (Ctrl+/)" title="Keyboard shortcuts"
            onClick={() => setSheet(true)}><span aria-hidden="true">⌨</span></button>
        </header>
        <SidebarTabs tab={tab} onTab={(t) => switchTab(t, null)} />
        <div className="side-panel" role="tabpanel" id={SIDE_PANEL_ID} aria-labelledby={tabId(tab)}>
        {tab === 'chats' ? <>
        <div className="search-box" role="search">
          <input
            ref={searchRef}
            type="search"
            aria-label="Search messages, people and conversations"
            placeholder="Search (Ctrl+F)"
            value={query}
            aria-controls={searching ? 'search-results' : 'conversations'}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                if (query) setQuery(''); else void safe(() => ucwa().closeWindow());
              } else if (e.key === 'ArrowDown' || (e.key === 'Enter' && searching)) {
                e.preventDefault();
                listEl.current?.focus();
              }
            }}
          />
        </div>
        <SessionBanner />
        <SyncBanner />
        {!searching && <Filters filter={filter} setFilter={setFilter} />}
        <div className="side-list">
          <ErrorBoundary what={searching ? 'the search results' : 'the conversation list'} key={searching ? 'search' : 'list'}>
          {searching ? (
            <SearchResults query={debounced} self={self} listRef={(el) => { listEl.current = el; }} onOtherKey={listOtherKey}
              onOpen={(h: SearchHit) => openConversation(h.conversationId, h.messageId)} onNavigate={navigate} />
          ) : (
            <ConversationList filter={filter} selectedId={selectedId} self={self} listRef={(el) => { listEl.current = el; }}
              onOpen={(row) => openConversation(row.conversationId, undefined, row.chatId)} onOtherKey={listOtherKey} onOrder={onOrder} />
          )}
          </ErrorBoundary>
        </div>
        </> : <>
          <SessionBanner />
          <div className="side-list">
            <ErrorBoundary what="the contact list">
              <People self={self} cardSip={view.kind === 'person' ? view.sip : null} onNavigate={navigate}
                onCard={(sip) => setView({ kind: 'person', sip })} onCloseCard={closeCard}
                listRef={(el) => { listEl.current = el; }} inputRef={(el) => { peopleInput.current = el; }} />
            </ErrorBoundary>
          </div>
        </>}
        </div>
      </aside>
      <main className="pane" ref={paneRef} tabIndex={-1} aria-label="Conversation pane">
        <button type="button" className="skip-link" onClick={() => (listEl.current ?? searchRef.current)?.focus()}>Go to the conversation list (F6)</button>
        {navError && <div className="banner failed" role="alert">{inWords(navError)}</div>}
        <ErrorBoundary what={view.kind === 'conversation' ? 'this conversation' : view.kind === 'settings' ? 'the settings' : view.kind === 'person' ? 'this contact card' : 'this view'}
          key={view.kind === 'conversation' ? `c${view.id}` : view.kind === 'person' ? `p${view.sip}` : view.kind}>
        {view.kind === 'conversation' && <ConversationView key={`${view.id}`} id={view.id} knownChat={view.chatId} messageId={view.messageId} nonce={view.nonce} onChat={setOpenChat} />}
        {view.kind === 'new' && <NewConversation key={view.nonce} sip={view.sip} onStarted={(id) => openConversation(id)} />}
        {view.kind === 'settings' && <Settings />}
        {view.kind === 'person' && <ContactCard key={view.sip} sip={view.sip} self={self} onNavigate={navigate} onClose={closeCard} />}
        </ErrorBoundary>
        {view.kind === 'none' && tab === 'people' && (
          <div className="empty pane-empty">
            <p className="empty-title">Pick a person</p>
            <p className="muted">Click one (or press Space) for their card; Enter or a double click opens your chat with them.</p>
          </div>
        )}
        {view.kind === 'none' && tab === 'chats' && (
          <div className="empty pane-empty">
            <p className="empty-title">Pick a conversation</p>
            <p className="muted">Or start a new one with Ctrl+N. Ctrl+K jumps to anyone, Ctrl+F searches every message.</p>
          </div>
        )}
      </main>
      {sheet && <ShortcutSheet onClose={() => setSheet(false)} />}
      {palette && <Palette self={self} onOpen={(id) => openConversation(id)} onClose={() => setPalette(false)} />}
    </div>
  );
}
