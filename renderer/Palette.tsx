// Ctrl/Cmd+K: jump to a conversation by name. A modal dialog with a combobox; Esc closes.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Conversation } from '../main/ipc/contract.ts';
import { listKey, useDebounced } from './hooks.ts';
import { findConversations } from './findConversations.ts';
import { ConversationRow } from './ConversationList.tsx';

export function Palette(props: { self: string | null; onOpen: (id: number) => void; onClose: () => void }): ReactNode {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<Conversation[]>([]);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const debounced = useDebounced(q, 100);

  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    inputRef.current?.focus();
    return () => prev?.focus?.();
  }, []);

  // The recent conversations, loaded once: most jumps go to someone talked to lately.
  const recent = useRef<Promise<Conversation[]> | null>(null);
  useEffect(() => {
    let stale = false;
    void findConversations(debounced, 12, recent).then((found) => {
      if (stale) return;
      setItems(found);
      setActive(0);
    });
    return () => { stale = true; };
  }, [debounced]);

  // The keyboard's choice stays in view: the list scrolls (all 12 reachable, not the first 7).
  const activeId = items[active]?.id;
  useEffect(() => {
    if (activeId != null) document.getElementById(`pal-${activeId}`)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  const choose = (c: Conversation | undefined) => {
    if (!c) return;
    props.onOpen(c.id);
    props.onClose();
  };

  return (
    <div className="palette-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) props.onClose(); }}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Jump to a conversation">
        <input
          ref={inputRef}
          type="text"
          role="combobox"
          aria-label="Jump to a conversation"
          aria-expanded={items.length > 0}
          aria-controls="palette-list"
          aria-autocomplete="list"
          aria-activedescendant={items[active] ? `pal-${items[active].id}` : undefined}
          placeholder="Jump to a conversation…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            const n = listKey(e.key, active, items.length);
            if (n !== null) { e.preventDefault(); setActive(n); return; }
            if (e.key === 'Enter') { e.preventDefault(); choose(items[active]); return; }
            if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); props.onClose(); return; }
            if (e.key === 'Tab') e.preventDefault(); // focus stays in the dialog
          }}
        />
        <ul id="palette-list" role="listbox" aria-label="Conversations" className="palette-list">
          {items.map((c, i) => (
            <li key={c.id} id={`pal-${c.id}`} role="option" aria-selected={i === active} className={`vlist-row static${i === active ? ' active' : ''}`}
              onMouseDown={(e) => e.preventDefault()} onClick={() => choose(c)}>
              <ConversationRow c={c} self={props.self} />
            </li>
          ))}
          {!items.length && <li className="empty" role="presentation">No conversations match “{q}”.</li>}
        </ul>
      </div>
    </div>
  );
}
