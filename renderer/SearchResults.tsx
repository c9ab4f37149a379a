import { useEffect, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';
import type { IpcError, SearchHit } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { VirtualListbox } from './VirtualListbox.tsx';
import { Highlight, displayName, fullTime, participantsLabel, shortTime } from './text.tsx';

/** Search-as-you-type results; `query` is already debounced by the caller. */
export function SearchResults(props: {
  query: string;
  self: string | null;
  onOpen: (hit: SearchHit) => void;
  onOtherKey?: (e: KeyboardEvent<HTMLDivElement>) => void;
  listRef?: (el: HTMLDivElement | null) => void;
  onResults?: (count: number) => void;
}): ReactNode {
  const { query } = props;
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [active, setActive] = useState(-1);
  const [selected, setSelected] = useState<number | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    const s = ++seq.current;
    void safe(() => ucwa().search(query, 100)).then((r) => {
      if (s !== seq.current) return; // a newer keystroke won
      if (!r.ok) {
        setError(r.error);
        setHits([]);
        return;
      }
      setError(null);
      setHits(r.value);
      setActive(-1);
      props.onResults?.(r.value.length);
    });
  }, [query]);

  if (hits === null) return <div className="empty" role="status"><span className="spinner" aria-hidden="true" /> Searching…</div>;
  if (error) return <div className="empty" role="alert">{inWords(error)}</div>;
  if (!hits.length) {
    return (
      <div className="empty" role="status">
        <p className="empty-title">No results</p>
        <p className="muted">Nothing in your history matches “{query}”.</p>
      </div>
    );
  }
  return (
    <>
      <div className="sr-only" role="status">{hits.length === 100 ? 'Many results' : `${hits.length} results`}</div>
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
        onChoose={(h) => {
          setSelected(h.messageId);
          props.onOpen(h);
        }}
        onOtherKey={props.onOtherKey}
        listRef={props.listRef}
        render={(h) => (
          <div className="hit-row">
            <div className="conv-top">
              <span className="conv-name">{participantsLabel(h.conversation.participants, props.self)}</span>
              <time className="conv-time" title={fullTime(h.at)}>{shortTime(h.at)}</time>
            </div>
            <div className="hit-snippet">
              {h.author && <span className="hit-author">{displayName(h.author)}: </span>}
              <Highlight snippet={h.snippet} />
            </div>
          </div>
        )}
      />
    </>
  );
}
