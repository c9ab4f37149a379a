// A person's presence as a line of words ("Busy · In a meeting"), for a header beside their name:
// the words a dot stands for, for people who read rather than decode colours. Live from the
// window's people cache; nothing while the presence was never read.
import type { ReactNode } from 'react';
import { usePerson } from './peopleCache.ts';
import { usePresenceOf } from './Avatar.tsx';

export function PresenceLine(props: { sip: string }): ReactNode {
  const card = usePerson(props.sip, { fetch: true });
  const view = usePresenceOf(card);
  const note = card?.note?.message.trim() ?? '';
  if (!card?.presence && !note) return null;
  return (
    <p className="muted presence-line" data-presence={view.kind}>
      <span className="presence-words">{view.words}</span>
      {view.detail && <span className="presence-detail"> · {view.detail}</span>}
      {note && <span className="presence-note" title={note}> · {note}</span>}
    </p>
  );
}
