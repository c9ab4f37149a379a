import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { IpcError, Person } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { listKey, useDebounced } from './hooks.ts';
import { displayName } from './text.tsx';
import { Avatar } from './Avatar.tsx';
import { useWatchSearchResults } from './searchWatch.ts';
import { Composer } from './Composer.tsx';
import { useSession } from './session.tsx';

/** How many people a search offers (a scrolling list: a common first name is more than eight people). */
const PEOPLE = 25;

const looksLikeSip = (s: string): boolean => /^(sip:|im:)?[^\s@]+@[^\s@]+\.[^\s@]+$/i.test(s.trim());
const normalise = (s: string): string => s.trim().replace(/^im:/i, 'sip:').replace(/^(?!sip:)/i, 'sip:');

export function NewConversation(props: { sip?: string | undefined; onStarted: (id: number) => void }): ReactNode {
  const [query, setQuery] = useState(props.sip ? props.sip.replace(/^(sip|im):/i, '') : '');
  const [person, setPerson] = useState<Person | null>(props.sip ? { sip: normalise(props.sip), name: '' } : null);
  const [people, setPeople] = useState<Person[]>([]);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState<IpcError | null>(null);
  const toRef = useRef<HTMLInputElement>(null);
  const debounced = useDebounced(query, 150);
  const self = useSession().user?.sip.toLowerCase() ?? null;

  useEffect(() => {
    if (props.sip) {
      setQuery(props.sip.replace(/^(sip|im):/i, ''));
      setPerson({ sip: normalise(props.sip), name: '' });
    } else {
      toRef.current?.focus();
    }
  }, [props.sip]);

  useEffect(() => {
    if (person || debounced.trim().length < 2) {
      setPeople([]);
      return;
    }
    let stale = false;
    void safe(() => ucwa().searchPeople(debounced.trim(), PEOPLE + 1)).then((r) => {
      if (!stale && r.ok) {
        // Never yourself: a new conversation is with someone else (it was the preselected first row).
        const others = r.value.filter((p) => p.sip.toLowerCase() !== self).slice(0, PEOPLE);
        setPeople(others);
        setActive(others.length ? 0 : -1);
      }
    });
    return () => { stale = true; };
  }, [debounced, person, self]);

  // The people offered are kept live while listed (most are not contacts).
  useWatchSearchResults(people.map((p) => p.sip));

  // The keyboard's choice stays in view as the list scrolls.
  useEffect(() => {
    if (active >= 0) document.getElementById(`person-${active}`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const choose = (p: Person) => {
    setPerson(p);
    setQuery(displayName(p));
    setPeople([]);
  };

  const send = async (text: string): Promise<boolean> => {
    setError(null);
    const to = person?.sip ?? (looksLikeSip(query) ? normalise(query) : null);
    if (!to) {
      setError({ code: 'invalidInput', message: 'Choose a person, or type a full address like name@company.com.' });
      toRef.current?.focus();
      return false;
    }
    const r = await safe(() => ucwa().startConversation(to, text));
    if (!r.ok) { setError(r.error); return false; }
    props.onStarted(r.value.conversationId);
    return true;
  };

  const open = people.length > 0 && !person;
  return (
    <section className="new-conversation" aria-labelledby="new-title">
      <header className="pane-header"><h2 id="new-title">New conversation</h2></header>
      <div className="new-body">
        <label className="field" htmlFor="new-to">
          <span>To</span>
        </label>
        <div className="to-row">
          <input
            ref={toRef}
            id="new-to"
            type="text"
            role="combobox"
            aria-expanded={open}
            aria-controls="people-list"
            aria-autocomplete="list"
            aria-activedescendant={open && active >= 0 ? `person-${active}` : undefined}
            placeholder="Name or name@company.com"
            autoComplete="off"
            value={query}
            onChange={(e) => { setQuery(e.target.value); setPerson(null); }}
            onKeyDown={(e) => {
              if (open) {
                const n = listKey(e.key, active, people.length);
                if (n !== null) { e.preventDefault(); setActive(n); return; }
                if (e.key === 'Enter' && active >= 0) { e.preventDefault(); choose(people[active] as Person); return; }
              }
              if (e.key === 'Enter') {
                e.preventDefault();
                (document.querySelector('.new-conversation textarea') as HTMLTextAreaElement | null)?.focus();
              }
            }}
          />
          {person && <span className="chip" data-sip={person.sip}>{person.sip.replace(/^sip:/i, '')}</span>}
        </div>
        <ul id="people-list" role="listbox" aria-label="People" className={`people${open ? '' : ' hidden'}`}>
          {people.map((p, i) => (
            <li key={p.sip} id={`person-${i}`} role="option" aria-selected={i === active} className={`person${i === active ? ' active' : ''}`}
              onMouseDown={(e) => e.preventDefault()} onClick={() => choose(p)}>
              <Avatar sip={p.sip} name={displayName(p)} size="small" />
              <span>{displayName(p)}</span> <span className="muted">{p.sip.replace(/^sip:/i, '')}</span>
            </li>
          ))}
        </ul>
        {error && <div className="notice error" role="alert" data-code={error.code}>{inWords(error)}</div>}
      </div>
      <div className="grow" />
      <Composer label="First message" placeholder="Write the first message" onSend={send} autoFocus={!!props.sip} />
    </section>
  );
}
