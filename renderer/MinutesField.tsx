import { useEffect, useState, type ReactNode } from 'react';

/**
 * A number field that can be cleared and retyped: the text is a local draft, saved when it is a
 * valid whole number in range and the field loses focus (or Enter); out of range it says the range.
 * (Saving on each keystroke made backspace from 10 save 1, and 0 clamp to 100.)
 */
export function MinutesField(props: { label: string; suffix: string; value: number; min: number; max: number; onSave: (n: number) => void }): ReactNode {
  const { value, min, max, onSave } = props;
  const [draft, setDraft] = useState(String(value));
  const [invalid, setInvalid] = useState(false);
  useEffect(() => { setDraft(String(value)); setInvalid(false); }, [value]);
  const commit = () => {
    const n = Number(draft.trim());
    if (draft.trim() === '' || !Number.isInteger(n) || n < min || n > max) { setInvalid(true); return; }
    setInvalid(false);
    if (n !== value) onSave(n);
  };
  return (
    <>
      <label className="field inline">
        <span>{props.label}</span>
        <input type="number" min={min} max={max} value={draft} aria-invalid={invalid || undefined} aria-describedby={invalid ? 'minutes-range' : undefined}
          onChange={(e) => { setDraft(e.target.value); setInvalid(false); }}
          onBlur={commit}
          onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); commit(); } }} />
        <span>{props.suffix}</span>
      </label>
      {invalid && <p id="minutes-range" className="field-error" role="alert">Enter a number of minutes from {min} to {max}.</p>}
    </>
  );
}
