// "Add people" to a live conversation (issue 14): the same chips picker as New conversation, then
// one call; a one-to-one grows into a group in place. How each invitation goes is in the live
// state's `adding` (shown by the roster's AddingList), not here: this only asks.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { IpcError, Person } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { sipKey } from './peopleCache.ts';
import { PeoplePicker } from './PeoplePicker.tsx';
import { recipientsOf, recipientsProblem } from './recipients.ts';

export function AddPeople(props: {
  conversationId: number;
  /** Already in it (and you): not offered. */
  present: readonly string[];
  onClose: () => void;
}): ReactNode {
  const [chosen, setChosen] = useState<Person[]>([]);
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => { inputRef.current?.focus(); }, []);
  const exclude = new Set(props.present.map(sipKey));

  const add = async () => {
    const sips = recipientsOf(chosen, query);
    const problem = recipientsProblem(sips, query, 'Choose who to add.');
    if (problem) {
      setError({ code: 'invalidInput', message: problem });
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const r = await safe(() => ucwa().addParticipants(props.conversationId, sips));
    setBusy(false);
    if (!r.ok) { setError(r.error); return; }
    props.onClose();
  };

  return (
    <div className="add-people" role="group" aria-labelledby="add-people-label"
      onKeyDown={(e) => { if (e.key === 'Escape' && !e.defaultPrevented) { e.preventDefault(); props.onClose(); } }}>
      <label id="add-people-label" className="field" htmlFor="add-people-to"><span>Add people</span></label>
      <PeoplePicker id="add-people-to" inputRef={inputRef} chosen={chosen} onChosen={setChosen} query={query}
        onQuery={(q) => { setQuery(q); setError(null); }} exclude={exclude} onDone={() => void add()} />
      {error && <div className="notice error" role="alert" data-code={error.code}>{inWords(error)}</div>}
      <div className="actions">
        <button type="button" className="btn primary small" disabled={busy} onClick={() => void add()}>{busy ? 'Adding…' : 'Add'}</button>
        <button type="button" className="btn small" onClick={props.onClose}>Cancel</button>
      </div>
    </div>
  );
}
