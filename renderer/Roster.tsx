// Who is in a live group conversation (issue 14): each of the others with their picture and presence
// (words beside the dot: never colour alone), "Leader" where the server says, "not in the chat" for
// someone in the meeting but not its IM, and a phone participant as a phone (no presence to show).
// Below them, the people being added and how it goes.
import { useState, type ReactNode } from 'react';
import { Avatar } from './Avatar.tsx';
import { presenceView } from './presenceWords.ts';
import { usePerson } from './peopleCache.ts';
import { addingWords, fullName, rosterDetails, type AddingInfo, type RosterEntry } from './groupView.ts';

function RosterPerson({ e }: { e: RosterEntry }): ReactNode {
  const name = fullName(e);
  // Only a sip: address has presence (a tel: one is a phone; none is someone the server did not name).
  const sip = !e.phone && e.uri && /^sip:/i.test(e.uri) ? e.uri : null;
  const card = usePerson(sip, { fetch: true });
  const presence = sip && card?.presence ? presenceView(card.presence).words : '';
  const details = [...(presence ? [presence] : []), ...rosterDetails(e)];
  return (
    <li className={`roster-person${e.inIm ? '' : ' not-in-im'}`} data-uri={e.uri ?? undefined} data-role={e.role}>
      {e.phone
        ? <span className="avatar small roster-phone" aria-hidden="true">☎</span>
        : <Avatar sip={sip} name={name} size="small" />}
      <span className="roster-text">
        <span className="roster-name">{name}</span>
        {details.length > 0 && <span className="roster-details">{details.join(' · ')}</span>}
      </span>
    </li>
  );
}

/** People being added: inviting, or why not (until dismissed); who joined is in the list above. */
export function AddingList({ adding }: { adding: readonly AddingInfo[] }): ReactNode {
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const shown = adding.filter((a) => a.state !== 'joined' && !dismissed.has(`${a.uri}|${a.state}`));
  if (!shown.length) return null;
  return (
    <ul className="adding-list" aria-label="Being added">
      {shown.map((a) => (
        <li key={a.uri} className={`adding ${a.state}`} data-state={a.state}>
          {a.state === 'inviting' && <span className="spinner" aria-hidden="true" />}
          {a.state === 'failed' && <span className="adding-icon" aria-hidden="true">!</span>}
          {/* A failure is said when it happens (an alert inside the item: the item stays a listitem). */}
          <span className="adding-words" role={a.state === 'failed' ? 'alert' : undefined}>{addingWords(a)}</span>
          {a.state === 'failed' && (
            <button type="button" className="icon-btn small" aria-label={`Dismiss: ${addingWords(a)}`}
              onClick={() => setDismissed((d) => new Set([...d, `${a.uri}|${a.state}`]))}><span aria-hidden="true">×</span></button>
          )}
        </li>
      ))}
    </ul>
  );
}

export function Roster(props: { roster: readonly RosterEntry[]; adding: readonly AddingInfo[] }): ReactNode {
  const { roster } = props;
  return (
    // Focusable: when the list is longer than its room (a narrow window) the keyboard scrolls it.
    <section className="roster" aria-labelledby="roster-title" tabIndex={0}>
      <h3 id="roster-title" className="roster-title">People <span className="muted">({roster.length + 1} with you)</span></h3>
      <ul className="roster-list" aria-label="People in this conversation">
        {roster.map((e, i) => <RosterPerson key={e.uri ?? `anon-${i}-${e.name}`} e={e} />)}
        {roster.length === 0 && <li className="muted roster-empty">Nobody else yet</li>}
      </ul>
      <AddingList adding={props.adding} />
    </section>
  );
}
