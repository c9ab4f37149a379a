import { useEffect, useRef, useState, type ReactNode } from 'react';
import { MAX_MESSAGE_LENGTH_UI } from './limits.ts';

/** Enter sends, Shift+Enter adds a line; typing notifications are throttled here (one per 3 s). */
export function Composer(props: {
  label: string;
  placeholder?: string;
  onSend: (text: string) => Promise<boolean>;
  onTyping?: () => void;
  autoFocus?: boolean;
  id?: string;
  disabled?: boolean;
}): ReactNode {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);

  useEffect(() => {
    if (props.autoFocus) ref.current?.focus();
  }, [props.autoFocus]);

  const submit = async () => {
    const t = text;
    if (!t.trim() || busy) return;
    setBusy(true);
    setText('');
    const ok = await props.onSend(t);
    setBusy(false);
    if (!ok) setText((cur) => cur || t); // nothing was sent: give the words back
    ref.current?.focus();
  };

  const lines = Math.min(6, Math.max(1, text.split('\n').length));
  return (
    <form className="composer" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <textarea
        ref={ref}
        id={props.id}
        aria-label={props.label}
        placeholder={props.placeholder}
        rows={lines}
        value={text}
        maxLength={MAX_MESSAGE_LENGTH_UI}
        disabled={props.disabled}
        onChange={(e) => {
          setText(e.target.value);
          const now = Date.now();
          if (props.onTyping && e.target.value && now - lastTyping.current > 3000) {
            lastTyping.current = now;
            props.onTyping();
          }
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <button type="submit" className="btn primary" disabled={busy || !text.trim()}>Send</button>
    </form>
  );
}
