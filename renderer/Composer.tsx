import { useEffect, useRef, useState, type ReactNode } from 'react';
import { MAX_MESSAGE_LENGTH_UI } from './limits.ts';
import { loadDraft, saveDraft } from './drafts.ts';
import { EmojiPicker } from './EmojiPicker.tsx';

/** Enter sends, Shift+Enter adds a line; typing notifications are throttled here (one per 3 s). */
export function Composer(props: {
  label: string;
  placeholder?: string;
  onSend: (text: string) => Promise<boolean>;
  onTyping?: () => void;
  autoFocus?: boolean;
  id?: string;
  disabled?: boolean;
  /** Keeps unsent words under this key (one per conversation) across switches and reloads. */
  draftKey?: string;
}): ReactNode {
  const { draftKey } = props;
  const [text, setText] = useState(() => (draftKey ? loadDraft(draftKey) : ''));
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);

  useEffect(() => {
    if (props.autoFocus) ref.current?.focus();
  }, [props.autoFocus]);
  useEffect(() => { if (draftKey) saveDraft(draftKey, text); }, [draftKey, text]);

  /** Puts `s` at the caret (or over the selection), as typing it would. */
  const insert = (s: string) => {
    const el = ref.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = (text.slice(0, start) + s + text.slice(end)).slice(0, MAX_MESSAGE_LENGTH_UI);
    setText(next);
    requestAnimationFrame(() => { el?.focus(); el?.setSelectionRange(start + s.length, start + s.length); });
  };

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
          // Esc in the composer does nothing: it never hides the window from here, not even when the
          // field is empty (issue 12), and a second Esc must not either (so no blur to the body).
          if (e.key === 'Escape' && !e.nativeEvent.isComposing) { e.preventDefault(); return; }
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <EmojiPicker onPick={insert} onDone={() => ref.current?.focus()} disabled={props.disabled} />
      <button type="submit" className="btn primary" disabled={busy || !text.trim()}>Send</button>
    </form>
  );
}
