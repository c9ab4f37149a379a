// The popover under your name in the history window (issue 13): your availability (Available …
// Off work), Reset status, and a note or a location typed inline. A menu while choosing (arrows,
// Home/End, Enter), a small form while typing (Enter saves); Esc closes either and the focus goes
// back to the button that opened it. A failure stays on screen in words, the popover open.
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Availability, IpcError, MyStatus, Result } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { CHOICES } from './myStatusView.ts';

/** The server's bound on a location (location_ref), as the core checks it. */
export const MAX_LOCATION = 60;

export type StatusPane = 'menu' | 'note' | 'location';

export function StatusMenu(props: {
  id: string;
  pane: StatusPane;
  setPane: (p: StatusPane) => void;
  chosen: Availability | null;
  status: MyStatus | null;
  onStatus: (s: MyStatus) => void;
  /** Close; `refocus` false when the user clicked elsewhere (the focus is theirs to place). */
  onClose: (refocus?: boolean) => void;
}): ReactNode {
  const { pane, onClose } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const box = useRef<HTMLDivElement>(null);

  // A click anywhere else closes it (the button that opened it toggles it by itself).
  useEffect(() => {
    const down = (e: MouseEvent) => {
      const el = box.current;
      const opener = document.querySelector(`[aria-controls="${props.id}"]`);
      if (el && e.target instanceof Node && !el.contains(e.target) && !opener?.contains(e.target)) onClose(false);
    };
    document.addEventListener('mousedown', down);
    return () => document.removeEventListener('mousedown', down);
  }, [onClose, props.id]);

  useEffect(() => setError(null), [pane]);

  /** A call that closes the popover when it worked, and says why in words when it did not. */
  const run = async <T,>(call: () => Promise<Result<T>>, then?: (v: T) => void) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await safe(call);
    setBusy(false);
    if (!r.ok) return setError(r.error);
    then?.(r.value);
    onClose();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      // Handled here: the window's own Esc (hide the window) must not also happen.
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === 'Tab' && pane === 'menu') {
      // A menu is left with Tab: closed, the focus back on its button, the next Tab goes on from there.
      e.preventDefault();
      onClose();
    }
  };

  return (
    <div ref={box} id={props.id} className="status-popover" onKeyDown={onKeyDown}>
      {pane === 'menu'
        ? <ChoiceList chosen={props.chosen} busy={busy}
          onChoose={(a) => void run(() => ucwa().setAvailability(a))}
          onReset={() => void run(() => ucwa().resetAvailability())}
          onNote={() => props.setPane('note')} onLocation={() => props.setPane('location')} />
        : <TextForm key={pane} what={pane} busy={busy}
          initial={(pane === 'note' ? props.status?.note : props.status?.location) ?? ''}
          onSave={(text) => void run(() => (pane === 'note' ? ucwa().setNote(text) : ucwa().setLocation(text)), props.onStatus)}
          onCancel={() => props.setPane('menu')}
          problem={(text) => (pane === 'location' && [...text.trim()].length > MAX_LOCATION ? `A location can be at most ${MAX_LOCATION} characters.` : null)} />}
      {error && <p className="notice error" role="alert" data-code={error.code}>{inWords(error)}</p>}
    </div>
  );
}

function ChoiceList(props: {
  chosen: Availability | null; busy: boolean;
  onChoose: (a: Availability) => void; onReset: () => void; onNote: () => void; onLocation: () => void;
}): ReactNode {
  const menu = useRef<HTMLDivElement>(null);
  const items = () => [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role^="menuitem"]') ?? [])];
  // Opened on what you are now (else the first choice), as a radio group is.
  useEffect(() => {
    const all = items();
    (all.find((b) => b.getAttribute('aria-checked') === 'true') ?? all[0])?.focus();
  }, []);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    const to = e.key === 'ArrowDown' ? (at + 1) % all.length : e.key === 'ArrowUp' ? (at - 1 + all.length) % all.length
      : e.key === 'Home' ? 0 : e.key === 'End' ? all.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    all[to]?.focus();
  };
  return (
    <div ref={menu} role="menu" aria-label="Your status" className="status-menu" onKeyDown={onKeyDown}>
      {CHOICES.map((c) => (
        <button key={c.availability} type="button" role="menuitemradio" aria-checked={props.chosen === c.availability} tabIndex={-1}
          className="status-item" aria-disabled={props.busy || undefined} onClick={() => props.onChoose(c.availability)}>
          <span className={`presence-dot p-${dotOf(c.availability)}`} aria-hidden="true" />
          <span>{c.label}</span>
        </button>
      ))}
      <div role="separator" className="status-sep" />
      <button type="button" role="menuitem" tabIndex={-1} className="status-item" aria-disabled={props.busy || undefined} onClick={props.onReset}>
        <span className="status-icon" aria-hidden="true">↺</span><span>Reset status</span>
      </button>
      <button type="button" role="menuitem" tabIndex={-1} className="status-item" aria-disabled={props.busy || undefined} onClick={props.onNote}>
        <span className="status-icon" aria-hidden="true">✎</span><span>Set a note…</span>
      </button>
      <button type="button" role="menuitem" tabIndex={-1} className="status-item" aria-disabled={props.busy || undefined} onClick={props.onLocation}>
        <span className="status-icon" aria-hidden="true">⊙</span><span>Set location…</span>
      </button>
    </div>
  );
}

function dotOf(a: Availability): string {
  switch (a) {
    case 'Online': return 'available';
    case 'Busy': return 'busy';
    case 'DoNotDisturb': return 'dnd';
    default: return 'away';
  }
}

/** A note or a location, typed in place: Enter saves, blank clears, Esc closes. */
function TextForm(props: {
  what: 'note' | 'location'; initial: string; busy: boolean;
  onSave: (text: string) => void; onCancel: () => void; problem: (text: string) => string | null;
}): ReactNode {
  const [text, setText] = useState(props.initial);
  const [shown, setShown] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const note = props.what === 'note';
  const count = [...text.trim()].length;
  const hintId = `status-${props.what}-hint`;
  return (
    <div role="dialog" aria-label={note ? 'Your note' : 'Your location'} className="status-form">
    <form onSubmit={(e) => {
      e.preventDefault();
      if (props.busy) return;
      const problem = props.problem(text);
      setShown(problem);
      if (!problem) props.onSave(text.trim());
    }}>
      <label className="field">
        <span>{note ? 'Note' : 'Location'}</span>
        <input ref={input} type="text" value={text} readOnly={props.busy} aria-describedby={hintId} aria-invalid={shown ? true : undefined}
          placeholder={note ? 'What’s happening?' : 'Where are you?'}
          onChange={(e) => { setText(e.target.value); setShown(null); }} />
      </label>
      <p id={hintId} className={`muted status-hint${!note && count > MAX_LOCATION ? ' over' : ''}`}>
        {note
          ? 'Enter saves it. Leave it empty to clear your note.'
          : `Up to ${MAX_LOCATION} characters (${count} of ${MAX_LOCATION}). Enter saves it; leave it empty to clear it.`}
      </p>
      {shown && <p className="notice error" role="alert">{shown}</p>}
      <div className="actions">
        <button type="submit" className="btn small primary" aria-disabled={props.busy || undefined}>Save</button>
        <button type="button" className="btn small" onClick={props.onCancel}>Back</button>
      </div>
    </form>
    </div>
  );
}
