// One keyboard-friendly, virtualized listbox for conversations, search hits, people and the palette.
// @tanstack/react-virtual: headless (our markup and ARIA stay ours), tiny, and keeps the DOM bounded
// by the viewport however many thousand rows the history holds.
import { useEffect, useRef, type ReactNode, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { listKey } from './hooks.ts';

export interface VirtualListboxProps<T> {
  id: string;
  label: string;
  items: T[];
  getKey: (item: T) => string | number;
  rowHeight: number;
  /** Rows of more than one height (a tree's headers and people): each item's height, known upfront. */
  rowSize?: (item: T) => number;
  /** 'tree': rows are treeitems (the People view: groups that expand, people inside them). */
  role?: 'listbox' | 'tree';
  /** A tree's structure for each row (level, expanded, position in its set); defaults to a flat list. */
  itemAria?: (item: T, index: number) => { level: number; expanded?: boolean; posinset: number; setsize: number };
  render: (item: T, state: { active: boolean; selected: boolean; index: number }) => ReactNode;
  activeIndex: number;
  setActiveIndex: (i: number) => void;
  selectedKey?: string | number | null;
  /** Enter, Space or a click on a row; `via` says which (the People view gives each its own meaning). */
  onChoose: (item: T, index: number, via: 'Enter' | ' ' | 'click') => void;
  onEndReached?: () => void;
  hasMore?: boolean;
  loading?: boolean;
  className?: string;
  /** Keys the listbox doesn't handle itself (Esc, letters → back to the search box, …). */
  onOtherKey?: (e: KeyboardEvent<HTMLDivElement>) => void;
  listRef?: (el: HTMLDivElement | null) => void;
}

export const optionId = (listId: string, key: string | number): string => `${listId}-o-${key}`;

export function VirtualListbox<T>(props: VirtualListboxProps<T>): ReactNode {
  const { id, items, getKey, rowHeight, activeIndex, setActiveIndex } = props;
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const keyNav = useRef(false);
  const virtualizer = useVirtualizer({
    count: items.length + (props.hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (props.rowSize && i < items.length ? props.rowSize(items[i] as T) : rowHeight),
    overscan: 6,
    getItemKey: (i) => (i < items.length ? getKey(items[i] as T) : '__more'),
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.length ? (virtualItems[virtualItems.length - 1]?.index ?? 0) : -1;

  // Keyset paging: ask for the next page when the rendered window nears the end.
  useEffect(() => {
    if (props.hasMore && !props.loading && props.onEndReached && lastIndex >= items.length - 8) props.onEndReached();
  }, [lastIndex, items.length, props.hasMore, props.loading, props.onEndReached]);

  useEffect(() => {
    if (keyNav.current && activeIndex >= 0 && activeIndex < items.length) virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
    keyNav.current = false;
  }, [activeIndex, items.length, virtualizer]);

  const active = activeIndex >= 0 && activeIndex < items.length ? (items[activeIndex] as T) : null;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next = listKey(e.key, activeIndex, items.length, Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / rowHeight) - 1));
    if (next !== null) {
      e.preventDefault();
      keyNav.current = true;
      setActiveIndex(next);
      return;
    }
    if ((e.key === 'Enter' || e.key === ' ') && active) {
      e.preventDefault();
      props.onChoose(active, activeIndex, e.key === 'Enter' ? 'Enter' : ' ');
      return;
    }
    props.onOtherKey?.(e);
  };

  return (
    <div
      ref={(el) => {
        scrollRef.current = el;
        props.listRef?.(el);
      }}
      id={id}
      role={props.role ?? 'listbox'}
      aria-label={props.label}
      aria-activedescendant={active ? optionId(id, getKey(active)) : undefined}
      aria-busy={props.loading || undefined}
      tabIndex={0}
      className={`vlist ${props.className ?? ''}`}
      onKeyDown={onKeyDown}
      onFocus={() => {
        if (activeIndex < 0 && items.length) setActiveIndex(0);
      }}
    >
      <div className="vlist-inner" style={{ height: virtualizer.getTotalSize() }}>
        {virtualItems.map((vi) => {
          if (vi.index >= items.length) {
            return (
              <div key="__more" className="vlist-row vlist-more" aria-hidden="true" style={{ transform: `translateY(${vi.start}px)`, height: vi.size }}>
                Loading…
              </div>
            );
          }
          const item = items[vi.index] as T;
          const key = getKey(item);
          const isActive = vi.index === activeIndex;
          const selected = props.selectedKey != null && key === props.selectedKey;
          const tree = props.itemAria?.(item, vi.index);
          return (
            <div
              key={vi.key}
              id={optionId(id, key)}
              role={props.role === 'tree' ? 'treeitem' : 'option'}
              aria-selected={selected}
              aria-level={tree?.level}
              aria-expanded={tree?.expanded}
              aria-posinset={tree ? tree.posinset : vi.index + 1}
              aria-setsize={tree ? tree.setsize : props.hasMore ? -1 : items.length}
              className={`vlist-row${isActive ? ' active' : ''}${selected ? ' selected' : ''}`}
              style={{ transform: `translateY(${vi.start}px)`, height: vi.size }}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => {
                // Focus first: onFocus puts a list that had no active row on its first one, and the
                // row clicked must win over that.
                scrollRef.current?.focus({ preventScroll: true });
                setActiveIndex(vi.index);
                props.onChoose(item, vi.index, 'click');
              }}
            >
              {props.render(item, { active: isActive, selected, index: vi.index })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
