// The "Chats | People" switch at the top of the history window's sidebar (issue 13): a tab list
// (arrow keys, Home and End move between the tabs and choose, as the ARIA tabs pattern has it;
// Ctrl/Cmd+1 and Ctrl/Cmd+2 from anywhere, in History.tsx). The choice is remembered by this
// window's storage: the window opens on the view it was left on.
import { useCallback, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';
import { SIDEBAR_TAB_KEY } from './firstList.ts';

export type SideTab = 'chats' | 'people';
const TABS: { id: SideTab; label: string }[] = [{ id: 'chats', label: 'Chats' }, { id: 'people', label: 'People' }];
const STORAGE_KEY = SIDEBAR_TAB_KEY;
export const SIDE_PANEL_ID = 'side-panel';
export const tabId = (t: SideTab): string => `side-tab-${t}`;

function readTab(): SideTab {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'people' ? 'people' : 'chats';
  } catch {
    return 'chats'; // storage refused (a locked-down profile): the default view
  }
}

export function useSideTab(): [SideTab, (t: SideTab) => void] {
  const [tab, set] = useState<SideTab>(readTab);
  const choose = useCallback((t: SideTab) => {
    set(t);
    try { localStorage.setItem(STORAGE_KEY, t); } catch { /* not remembered, still switched */ }
  }, []);
  return [tab, choose];
}

export function SidebarTabs(props: { tab: SideTab; onTab: (t: SideTab) => void }): ReactNode {
  const refs = useRef(new Map<SideTab, HTMLButtonElement | null>());
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = TABS.findIndex((t) => t.id === props.tab);
    const to = e.key === 'ArrowRight' ? (at + 1) % TABS.length
      : e.key === 'ArrowLeft' ? (at - 1 + TABS.length) % TABS.length
        : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    const next = TABS[to]!.id;
    props.onTab(next);
    refs.current.get(next)?.focus();
  };
  return (
    <div className="side-tabs" role="tablist" aria-label="Sidebar" onKeyDown={onKeyDown}>
      {TABS.map((t) => (
        <button key={t.id} ref={(el) => { refs.current.set(t.id, el); }} type="button" role="tab" id={tabId(t.id)}
          className={`side-tab${props.tab === t.id ? ' on' : ''}`} aria-selected={props.tab === t.id} aria-controls={SIDE_PANEL_ID}
          tabIndex={props.tab === t.id ? 0 : -1} onClick={() => props.onTab(t.id)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}
