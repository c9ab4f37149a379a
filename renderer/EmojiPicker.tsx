// A small, curated emoji picker (no network, no font or sprite downloads): a button and a popover
// grid. Keyboard: Enter/Space opens with focus on the first emoji, arrows move, Enter picks, Esc
// closes; focus goes back to the composer either way.
import { useEffect, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';

export const EMOJI: readonly { e: string; name: string }[] = [
  { e: '🙂', name: 'slightly smiling face' }, { e: '😀', name: 'grinning face' }, { e: '😂', name: 'face with tears of joy' },
  { e: '😉', name: 'winking face' }, { e: '😍', name: 'smiling face with heart-eyes' }, { e: '🤔', name: 'thinking face' },
  { e: '😮', name: 'face with open mouth' }, { e: '🙁', name: 'slightly frowning face' }, { e: '😢', name: 'crying face' },
  { e: '😛', name: 'face with tongue' }, { e: '😎', name: 'smiling face with sunglasses' }, { e: '🙏', name: 'folded hands' },
  { e: '👍', name: 'thumbs up' }, { e: '👎', name: 'thumbs down' }, { e: '👏', name: 'clapping hands' }, { e: '👋', name: 'waving hand' },
  { e: '🙌', name: 'raising hands' }, { e: '💪', name: 'flexed biceps' }, { e: '❤️', name: 'red heart' }, { e: '🎉', name: 'party popper' },
  { e: '🔥', name: 'fire' }, { e: '✅', name: 'check mark' }, { e: '❌', name: 'cross mark' }, { e: '⭐', name: 'star' },
  { e: '☕', name: 'hot beverage' }, { e: '🍕', name: 'pizza' }, { e: '🍜', name: 'steaming bowl' }, { e: '📅', name: 'calendar' },
  { e: '📎', name: 'paperclip' }, { e: '💡', name: 'light bulb' }, { e: '🚀', name: 'rocket' }, { e: '👀', name: 'eyes' },
];
const COLS = 8;

export function EmojiPicker(props: { onPick: (emoji: string) => void; onDone: () => void; disabled?: boolean }): ReactNode {
  const [open, setOpen] = useState(false);
  const [at, setAt] = useState(0);
  const grid = useRef<HTMLDivElement>(null);
  const wrap = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    if (!open) return;
    grid.current?.querySelectorAll<HTMLButtonElement>('button')[at]?.focus();
  }, [open, at]);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => { if (!wrap.current?.contains(e.target as Node)) setOpen(false); };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const close = () => { setOpen(false); props.onDone(); };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const move: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLS, ArrowUp: -COLS };
    if (e.key in move) {
      e.preventDefault();
      setAt((i) => Math.min(EMOJI.length - 1, Math.max(0, i + (move[e.key] ?? 0))));
    } else if (e.key === 'Home') { e.preventDefault(); setAt(0); }
    else if (e.key === 'End') { e.preventDefault(); setAt(EMOJI.length - 1); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); }
    else if (e.key === 'Tab') { setOpen(false); }
  };

  return (
    <span ref={wrap} className="emoji-wrap">
      <button type="button" className="icon-btn emoji-btn" aria-label="Insert emoji" title="Emoji" aria-haspopup="dialog" aria-expanded={open}
        disabled={props.disabled} onClick={() => { setAt(0); setOpen((o) => !o); }}>
        <span aria-hidden="true">🙂</span>
      </button>
      {open && (
        <div ref={grid} className="emoji-pop" role="dialog" aria-label="Emoji" onKeyDown={onKey}>
          {EMOJI.map((x, i) => (
            <button key={x.e} type="button" aria-label={x.name} title={x.name} tabIndex={i === at ? 0 : -1}
              onClick={() => { props.onPick(x.e); close(); }}>{x.e}</button>
          ))}
        </div>
      )}
    </span>
  );
}
