import { useEffect, useState, type ReactNode } from 'react';
import type { Availability, IpcError, Settings as SettingsT } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { focusOnMount, useUcwaEvent } from './hooks.ts';
import { availabilityWords, statusWords, useSession } from './session.tsx';
import { MinutesField } from './MinutesField.tsx';
import { displayName } from './text.tsx';

const availabilities: Availability[] = ['Online', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offwork'];

export function Settings(): ReactNode {
  const session = useSession();
  const [s, setS] = useState<SettingsT | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [saved, setSaved] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState('');

  useEffect(() => {
    void safe(() => ucwa().getSettings()).then((r) => (r.ok ? setS(r.value) : setError(r.error)));
  }, []);
  useUcwaEvent('settings', setS);

  const patch = async (p: Partial<SettingsT>) => {
    if (s) setS({ ...s, ...p });
    const r = await safe(() => ucwa().setSettings(p));
    if (r.ok) { setS(r.value); setError(null); setSaved('Saved'); } else setError(r.error);
  };

  // The core keeps the last user after sign-out (the outbox still needs its author): the status says whether it is signed in.
  const signedIn = session.status !== 'signedOut' && session.status !== 'error';
  const account = session.user ? session.user.sip.replace(/^sip:/i, '') : null;
  // "Saved" is a moment's confirmation, not a permanent label.
  useEffect(() => {
    if (!saved) return;
    const t = setTimeout(() => setSaved(''), 2500);
    return () => clearTimeout(t);
  }, [saved]);
  const deleteHistory = async () => {
    setDeleting(true);
    setDeleteError('');
    const r = await safe(() => ucwa().deleteLocalHistory({ confirm: true }));
    setDeleting(false);
    setConfirmDelete(false);
    if (r.ok) await safe(() => ucwa().showWindow('signin'));
    // Its own sentences say what to do ("open in another program: quit it first"): shown as they are.
    else setDeleteError(r.error.code === 'storage' || r.error.code === 'notSignedIn' ? r.error.message : inWords(r.error));
  };

  return (
    <section className="settings" aria-labelledby="settings-title">
      <header className="pane-header"><h2 id="settings-title">Settings</h2><span className="muted" role="status">{saved}</span></header>
      <div className="settings-body">
        <fieldset>
          <legend>Account</legend>
          <p>{session.user && signedIn ? <>Signed in as <strong>{displayName(session.user)}</strong> <span className="muted">({session.user.sip.replace(/^sip:/i, '')})</span></> : session.status === 'signedOut' ? 'Signed out' : statusWords[session.status]}{session.demo && signedIn ? ' — demo server' : ''}</p>
          <label className="field inline">
            <span>Status</span>
            <select value={session.availability ?? ''} disabled={session.status !== 'online'}
              onChange={(e) => void safe(() => ucwa().setAvailability(e.target.value as Availability)).then((r) => !r.ok && setError(r.error))}>
              {!session.availability && <option value="">Unknown</option>}
              {availabilities.map((a) => <option key={a} value={a}>{availabilityWords[a]}</option>)}
            </select>
          </label>
          <div className="actions">
            <button type="button" className="btn" onClick={() => void safe(() => ucwa().signOut()).then(() => safe(() => ucwa().showWindow('signin')))}>Sign out</button>
            <button type="button" className="btn" onClick={() => void safe(() => ucwa().signOut({ forget: true })).then(() => safe(() => ucwa().showWindow('signin')))}>Sign out and forget me</button>
          </div>
          <p className="muted">Sign out keeps the password in the system keychain, so the next start signs you in; <em>Sign out and forget me</em> removes it.</p>
        </fieldset>
        <fieldset>
          <legend>Local history</legend>
          {!confirmDelete ? (
            <>
              <p className="muted">Conversations are kept on this computer so that they open and search instantly, also offline.</p>
              <div className="actions">
                <button type="button" className="btn" disabled={!account || deleting} onClick={() => setConfirmDelete(true)}>Delete local history…</button>
              </div>
              {deleteError && <div className="notice error" role="alert">{deleteError}</div>}
            </>
          ) : (
            <div className="notice warn" role="alertdialog" aria-labelledby="delete-title" aria-describedby="delete-what">
              <p id="delete-title"><strong>Delete the local history of {account}?</strong></p>
              <div id="delete-what">
                <p>This removes from this computer:</p>
                <ul>
                  <li>every conversation and message kept here for this account (its history database, with its -wal and -shm files), including messages not sent yet</li>
                  <li>its remembered password (in the system keychain) and its server</li>
                  <li>UCWA Tray&apos;s log files</li>
                </ul>
                <p>You will be signed out. The server keeps its own history: signing in again downloads what it still has. Other accounts and the settings on this page are not touched.</p>
              </div>
              <div className="actions">
                <button type="button" className="btn danger" ref={focusOnMount} disabled={deleting} onClick={() => void deleteHistory()}>{deleting ? 'Deleting…' : 'Delete'}</button>
                <button type="button" className="btn" disabled={deleting} onClick={() => setConfirmDelete(false)}>Cancel</button>
              </div>
            </div>
          )}
        </fieldset>
        {s && (
          <>
            <fieldset>
              <legend>Notifications</legend>
              <label className="check"><input type="checkbox" checked={s.notificationShowText} onChange={(e) => void patch({ notificationShowText: e.target.checked })} /> <span>Show message text in notifications</span></label>
              <label className="check"><input type="checkbox" checked={s.notificationSound} onChange={(e) => void patch({ notificationSound: e.target.checked })} /> <span>Play a sound</span></label>
              <label className="field inline">
                <span>While Do not disturb</span>
                <select value={s.doNotDisturb} onChange={(e) => void patch({ doNotDisturb: e.target.value as SettingsT['doNotDisturb'] })}>
                  <option value="silent">Stay silent</option>
                  <option value="badgeOnly">Only count unread in the tray</option>
                </select>
              </label>
            </fieldset>
            <fieldset>
              <legend>Startup and presence</legend>
              <label className="check"><input type="checkbox" checked={s.startAtLogin} onChange={(e) => void patch({ startAtLogin: e.target.checked })} /> <span>Start when I log in</span></label>
              <label className="check"><input type="checkbox" checked={s.startHidden} onChange={(e) => void patch({ startHidden: e.target.checked })} /> <span>Start hidden in the tray</span></label>
              <MinutesField label="Show me as Away after" suffix="minutes idle" value={s.awayAfterMinutes} min={1} max={240}
                onSave={(n) => void patch({ awayAfterMinutes: n })} />
            </fieldset>
          </>
        )}
        {error && <div className="notice error" role="alert">{inWords(error)}</div>}
      </div>
    </section>
  );
}
