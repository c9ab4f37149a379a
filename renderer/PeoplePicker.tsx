// Choosing people by name (issue 14): the chosen as chips before the field, the people search as a
// listbox under it. Used by New conversation and by "Add people". Enter or a click picks the row
// the keyboard is on; Enter on a full address makes it a chip; Backspace in an empty field removes
// the last chip; each chip has its own remove button. The typed text is the caller's (a full
// address typed and never picked still counts as a recipient in New conversation).
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { Person } from '../main/ipc/contract.ts';
import { MAX_GROUP_INVITEES } from './limits.ts';
import { safe, ucwa } from './api.ts';
import { listKey, useDebounced } from './hooks.ts';
import { displayName } from './text.tsx';
import { Avatar } from './Avatar.tsx';
import { useWatchSearchResults } from './searchWatch.ts';
import { sipKey } from './peopleCache.ts';
import { looksLikeSip, normaliseSip } from './recipients.ts';

/** How many people a search offers (a scrolling list: a common first name is more than eight people). */
const PEOPLE = 25;


const chipName = (p: Person): string => p.name || p.sip.replace(/^sip:/i, '');

export function PeoplePicker(props: {
  /** The field's id (its <label htmlFor> is the caller's); the list's ids derive from it. */
  id: string;
  chosen: readonly Person[];
  onChosen: (next: Person[]) => void;
  query: string;
  onQuery: (q: string) => void;
  /** People not offered (yourself, people already in the conversation), as sipKey. */
  exclude?: ReadonlySet<string>;
  /** No search for this exact text (an address given by a sip: link, already what is meant). */
  quiet?: string;
  /** Enter with nothing typed: the caller moves on (to the message box, to Add). */
  onDone?: () => void;
  placeholder?: string;
  inputRef?: RefObject<HTMLInputElement | null>;
}): ReactNode {
  const { chosen, onChosen, query, onQuery, exclude } = props;
  const [people, setPeople] = useState<Person[]>([]);
  const [active, setActive] = useState(-1);
  const [said, setSaid] = useState('');
  const ownRef = useRef<HTMLInputElement>(null);
  const inputRef = props.inputRef ?? ownRef;
  const debounced = useDebounced(query, 150);
  const listId = `${props.id}-list`;
  const optId = (i: number) => `${props.id}-opt-${i}`;
  const chosenKeys = new Set(chosen.map((p) => sipKey(p.sip)));
  const skip = [...(exclude ?? []), ...chosenKeys].sort().join('\n');

  useEffect(() => {
    const q = debounced.trim();
    if (q.length < 2 || (props.quiet !== undefined && debounced === props.quiet)) {
      setPeople([]);
      return;
    }
    let stale = false;
    const left = new Set(skip ? skip.split('\n') : []);
    void safe(() => ucwa().searchPeople(q, PEOPLE + left.size + 1)).then((r) => {
      if (stale || !r.ok) return;
      // Never yourself nor someone already chosen (a new conversation is with someone else).
      const offered = r.value.filter((p) => !left.has(sipKey(p.sip))).slice(0, PEOPLE);
      setPeople(offered);
      setActive(offered.length ? 0 : -1);
    });
    return () => { stale = true; };
  }, [debounced, skip, props.quiet]);

  // The people offered are kept live while listed (most are not contacts).
  useWatchSearchResults(people.map((p) => p.sip));

  // The keyboard's choice stays in view as the list scrolls.
  useEffect(() => {
    if (active >= 0) document.getElementById(optId(active))?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const add = (p: Person) => {
    if (chosenKeys.has(sipKey(p.sip))) { onQuery(''); return; }
    if (chosen.length >= MAX_GROUP_INVITEES) { setSaid(`At most ${MAX_GROUP_INVITEES} people at once.`); return; }
    onChosen([...chosen, p]);
    onQuery('');
    setPeople([]);
    setSaid(`${chipName(p)} added.`);
    inputRef.current?.focus();
  };
  const remove = (p: Person, refocus: boolean) => {
    onChosen(chosen.filter((c) => c !== p));
    setSaid(`${chipName(p)} removed.`);
    if (refocus) inputRef.current?.focus();
  };

  const open = people.length > 0 && query.trim().length >= 2;
  return (
    <div className="picker">
      <div className="to-row">
        {chosen.length > 0 && (
          <ul className="chips" aria-label="Chosen">
            {chosen.map((p) => (
              <li key={p.sip} className="chip" data-sip={p.sip} title={p.sip.replace(/^sip:/i, '')}>
                <span className="chip-name">{chipName(p)}</span>
                <button type="button" className="chip-remove" aria-label={`Remove ${chipName(p)}`} onClick={() => remove(p, true)}>
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <input
          ref={inputRef}
          id={props.id}
          type="text"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && active >= 0 ? optId(active) : undefined}
          placeholder={chosen.length ? 'Add another' : (props.placeholder ?? 'Name or name@company.com')}
          autoComplete="off"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
          onKeyDown={(e) => {
            if (open) {
              const n = listKey(e.key, active, people.length);
              if (n !== null) { e.preventDefault(); setActive(n); return; }
              if (e.key === 'Enter' && active >= 0) { e.preventDefault(); add(people[active] as Person); return; }
              if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setPeople([]); return; }
            }
            const el = e.currentTarget;
            if (e.key === 'Backspace' && el.selectionStart === 0 && el.selectionEnd === 0 && chosen.length) {
              e.preventDefault();
              remove(chosen[chosen.length - 1] as Person, false);
              return;
            }
            if (e.key === 'Enter') {
              e.preventDefault();
              if (looksLikeSip(query)) add({ sip: normaliseSip(query), name: '' });
              else if (!query.trim()) props.onDone?.();
            }
          }}
        />
      </div>
      <ul id={listId} role="listbox" aria-label="People" className={`people${open ? '' : ' hidden'}`}>
        {open && people.map((p, i) => (
          <li key={p.sip} id={optId(i)} role="option" aria-selected={i === active} className={`person${i === active ? ' active' : ''}`}
            onMouseDown={(e) => e.preventDefault()} onClick={() => add(p)}>
            <Avatar sip={p.sip} name={displayName(p)} size="small" />
            <span>{displayName(p)}</span> <span className="muted">{p.sip.replace(/^sip:/i, '')}</span>
          </li>
        ))}
      </ul>
      <div className="sr-only" role="status">{said}</div>
    </div>
  );
}
