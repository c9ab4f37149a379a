// Ctrl/Cmd+K: jump to a conversation by name. A modal dialog with a combobox; Esc closes.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Conversation } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { listKey, useDebounced } from './hooks.ts';
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
    const query = debounced.trim().toLowerCase();
    recent.current ??= safe(() => ucwa().listConversations({ limit: 200 })).then((r) => (r.ok ? r.value.items : []));
    void (async () => {
      const all = await recent.current;
      if (!all) return;
      const matches = (c: Conversation) => c.participants.some((p) => p.name.toLowerCase().includes(query) || p.sip.toLowerCase().includes(query))
        || c.subject.toLowerCase().includes(query);
      let found = query ? all.filter(matches) : all;
      if (query && found.length < 12) {
        // Someone not in the recent ones: find the person, then their latest conversation (by SIP).
        const people = await safe(() => ucwa().searchPeople(query, 5));
        if (people.ok) {
          const more = await Promise.all(people.value.map((p) => safe(() => ucwa().listConversations({ contact: p.sip, limit: 1 }))));
          const seen = new Set(found.map((c) => c.id));
          for (const r of more) if (r.ok) for (const c of r.value.items) if (!seen.has(c.id)) { seen.add(c.id); found = found.concat(c); }
        }
      }
      if (stale) return;
      setItems(found.slice(0, 12));
      setActive(0);
    })();
    return () => { stale = true; };
  }, [debounced]);

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
