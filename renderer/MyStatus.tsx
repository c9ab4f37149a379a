// You, at the top of the history window's sidebar (issue 13): your photo (or initials) with your
// presence dot, your name, your availability in words and your note. It is a button: the status
// menu opens under it (StatusMenu.tsx). Live from the 'session' and 'myStatus' events.
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { PresenceDot } from './Avatar.tsx';
import { usePhoto } from './peopleCache.ts';
import { useSession } from './session.tsx';
import { useMyStatus } from './useMyStatus.ts';
import { myStatusView } from './myStatusView.ts';
import { StatusMenu, type StatusPane } from './StatusMenu.tsx';
import { avatarClass, displayName, initials } from './text.tsx';

const POPOVER = 'my-status-popover';

export function MyStatus(): ReactNode {
  const session = useSession();
  const signedIn = session.status === 'online';
  const [status, setStatus] = useMyStatus(signedIn);
  const view = myStatusView(session, status);
  // Your photo once signed in (the window keeps it; asked again only when another account signs in: accountReset.ts).
  const photo = usePhoto('me', signedIn);
  const [pane, setPane] = useState<StatusPane | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const name = session.user ? displayName(session.user) : 'UCWA Tray';
  const close = useCallback((refocus = true) => {
    setPane(null);
    if (refocus) button.current?.focus();
  }, []);

  return (
    <div className="me">
      <button ref={button} type="button" className="me-button" aria-haspopup="menu" aria-expanded={pane !== null} aria-controls={POPOVER}
        title="Change your status" onClick={() => setPane((p) => (p ? null : 'menu'))}>
        <span className="avatar-wrap small" aria-hidden="true">
          {photo
            ? <img className="avatar small photo" src={photo} alt="" draggable={false} />
            : <span className={`avatar small ${avatarClass(name)}`}>{initials(name)}</span>}
          <PresenceDot view={view} label={false} />
        </span>
        <span className="me-text">
          <span className="me-name">{name}</span>
          <span className="me-status" data-presence={view.kind}>
            <span className="me-words">{view.words}</span>
            {view.detail && <span className="me-detail"> · {view.detail}</span>}
          </span>
          {view.note && <span className="me-note" title={view.note}>{view.note}</span>}
        </span>
        <span className="sr-only">, change your status</span>
      </button>
      {pane && (
        <StatusMenu id={POPOVER} pane={pane} setPane={setPane} chosen={view.chosen} status={status} onStatus={setStatus} onClose={close} />
      )}
    </div>
  );
}
