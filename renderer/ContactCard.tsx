// A person's contact card in the history window's pane (issue 13): who they are (title,
// department, company, office), how to reach them (IM address, e-mail, phones — shown to select
// and copy: the app opens only http(s) links), their presence, note and location kept live, and
// what to do: Send IM, Add to / Remove from Favourites. Esc closes it.
import { useEffect, useState, type ReactNode } from 'react';
import type { IpcError, Navigation, PersonCard } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { Avatar, PresenceDot, usePresenceOf } from './Avatar.tsx';
import { rememberCards, sipKey, usePerson, useWatchPeople } from './peopleCache.ts';
import { isFavourite, loadContactList, useContactGroups } from './contactGroups.ts';
import { chatWith } from './chatWith.ts';

const bare = (uri: string): string => uri.replace(/^(sip|tel|mailto):/i, '');

/** One label and value of the card; nothing when there is no value. */
function Field(props: { label: string; value: string | null | undefined }): ReactNode {
  const v = props.value?.trim();
  if (!v) return null;
  return (
    <div className="card-field">
      <dt>{props.label}</dt>
      <dd>{v}</dd>
    </div>
  );
}

function Details({ card, sip }: { card: PersonCard | undefined; sip: string }): ReactNode {
  const phones = card?.phones;
  return (
    <dl className="card-fields">
      <Field label="IM address" value={bare(card?.sip ?? sip)} />
      {(card?.emails ?? []).filter((m) => m.trim()).map((m, i, all) => (
        <Field key={m} label={all.length > 1 ? `E-mail ${i + 1}` : 'E-mail'} value={bare(m)} />
      ))}
      <Field label="Title" value={card?.title} />
      <Field label="Department" value={card?.department} />
      <Field label="Company" value={card?.company} />
      <Field label="Office" value={card?.office} />
      <Field label="Work phone" value={phones && bare(phones.work)} />
      <Field label="Mobile" value={phones && bare(phones.mobile)} />
      <Field label="Home phone" value={phones && bare(phones.home)} />
      <Field label="Other phone" value={phones && bare(phones.other)} />
    </dl>
  );
}

/** Their note (an out-of-office one says so) and where they are. */
function NoteAndLocation({ card }: { card: PersonCard | undefined }): ReactNode {
  const note = card?.note?.message.trim();
  const location = card?.location?.trim();
  if (!note && !location) return null;
  const oof = card?.note?.type === 'OutOfOffice';
  return (
    <div className="card-note">
      {note && (
        <p className={oof ? 'card-oof' : undefined}>
          <span className="card-note-label">{oof ? 'Out of office' : 'Note'}</span>
          <span className="card-note-text">{note}</span>
        </p>
      )}
      {location && <p><span className="card-note-label">Location</span><span className="card-note-text">{location}</span></p>}
    </div>
  );
}

/** "Add to Favourites" / "Remove from Favourites": the core changes the server's pinned group. */
function FavouriteButton({ sip }: { sip: string }): ReactNode {
  const { groups } = useContactGroups();
  const favourite = isFavourite(groups, sip);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    const r = await safe(() => ucwa().setFavourite(sipKey(sip), !favourite));
    setBusy(false);
    if (!r.ok) { setError(r.error); return; }
    // The core says so with a 'contactList' event; read the list as well, should that come late.
    void loadContactList();
  };
  return (
    <>
      <button type="button" className="btn" disabled={busy} onClick={() => void toggle()}>
        {busy ? (favourite ? 'Removing…' : 'Adding…') : favourite ? 'Remove from Favourites' : 'Add to Favourites'}
      </button>
      {error && <p className="notice error card-error" role="alert">{inWords(error)}</p>}
    </>
  );
}

export function ContactCard(props: { sip: string; self: string | null; onClose: () => void; onNavigate: (n: Navigation) => void }): ReactNode {
  const { sip, self } = props;
  const card = usePerson(sip);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [looked, setLooked] = useState(false);
  useWatchPeople([sip], 'card');

  // Fresh presence, note and location on open (the core reads the parts it hasn't got).
  useEffect(() => {
    let live = true;
    void safe(() => ucwa().person(sipKey(sip))).then((r) => {
      if (!live) return;
      setLooked(true);
      if (!r.ok) setLoadError(r.error);
      else if (r.value) rememberCards([r.value]);
    });
    return () => { live = false; };
  }, [sip]);

  const name = card?.name || bare(sip);
  const view = usePresenceOf(card);
  const me = self !== null && sipKey(self) === sipKey(sip);
  return (
    <section className="contact-card" aria-labelledby="card-name"
      onKeyDown={(e) => {
        // Esc closes the card only (the window's own Esc would hide the window).
        if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); props.onClose(); }
      }}>
      <header className="pane-header card-header">
        {/* No dot on the picture: the presence is beside it, with its own dot and in words. */}
        <Avatar sip={sip} name={name} size="large" fetch={false} dot={false} />
        <div className="pane-title">
          <h2 id="card-name">{name}</h2>
          <p className="card-presence">
            <PresenceDot view={view} label={false} />
            <span>{view.words}</span>
            {view.detail && <span className="muted"> · {view.detail}</span>}
          </p>
          {(card?.title || card?.department) && <p className="muted card-role">{[card?.title, card?.department].filter(Boolean).join(', ')}</p>}
        </div>
        <button type="button" className="icon-btn" aria-label="Close the contact card (Esc)" title="Close" onClick={props.onClose}>
          <span aria-hidden="true">✕</span>
        </button>
      </header>
      <div className="card-body">
        {!me && (
          <div className="actions card-actions">
            <button type="button" className="btn primary" onClick={() => void chatWith(sip, self).then(props.onNavigate)}>Send IM</button>
            <FavouriteButton sip={sip} />
          </div>
        )}
        {loadError && !card && <p className="notice error" role="alert">{inWords(loadError)}</p>}
        {looked && !card && !loadError && <p className="muted">Nothing more is known about {bare(sip)}.</p>}
        <NoteAndLocation card={card} />
        <Details card={card} sip={sip} />
      </div>
    </section>
  );
}
