// The keyboard shortcut sheet (Ctrl+/ or ?): a modal dialog listing shortcuts.ts.
import { useEffect, useRef, type ReactNode } from 'react';
import { shortcutGroups } from './shortcuts.ts';

export function ShortcutSheet(props: { onClose: () => void }): ReactNode {
  const closeRef = useRef<HTMLButtonElement>(null);
  const back = useRef<Element | null>(null);
  useEffect(() => {
    back.current = document.activeElement;
    closeRef.current?.focus();
    // Give focus back to where it was, so the sheet is a glance, not a detour.
    return () => { if (back.current instanceof HTMLElement && back.current.isConnected) back.current.focus(); };
  }, []);
  return (
    <div className="palette-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) props.onClose(); }}>
      <div className="palette shortcut-sheet" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title"
        onKeyDown={(e) => {
          // Esc closes the sheet only (the window's own Esc handler sees it as handled).
          if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); props.onClose(); }
          else if (e.key === 'Tab') { e.preventDefault(); closeRef.current?.focus(); } // one control: focus stays
        }}>
        <header className="sheet-header">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button ref={closeRef} type="button" className="btn small" onClick={props.onClose}>Close</button>
        </header>
        <div className="sheet-body">
          {shortcutGroups.map((g) => (
            <section key={g.title}>
              <h3>{g.title}</h3>
              <dl>
                {g.keys.map((k) => (
                  <div key={k.what + k.keys.join()} className="sheet-row">
                    <dt>{k.keys.map((x, i) => <span key={x}>{i > 0 && <span className="muted"> or </span>}<kbd>{x}</kbd></span>)}</dt>
                    <dd>{k.what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
