import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { IpcError, Result, SessionState } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { statusWords, useSession } from './session.tsx';
import { focusOnMount } from './hooks.ts';

const busyStates = new Set(['discovering', 'authenticating', 'creatingApplication', 'makingAvailable', 'reauthenticating', 'recreatingApplication']);

type Method = NonNullable<SessionState['signIn']>['using'];
/** The sign-in methods in the words the window uses (PROTOCOL-2 §3). */
const methodWords: Record<Method, string> = {
  password: 'user name and password',
  windows: 'Windows sign-in',
  passive: 'your organisation’s sign-in page',
  modern: 'sign-in in your browser',
};
/** While a method runs: what the person is waiting for, or has to do. */
const usingWords: Record<Method, string> = {
  password: 'Signing in with your password…',
  windows: 'Signing in with your Windows account…',
  passive: 'Sign in on your organisation’s page (in its own window)…',
  modern: 'Sign in in your browser, then come back here…',
};

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

export function SignIn(): ReactNode {
  const session = useSession();
  const [sip, setSip] = useState('');
  const [password, setPassword] = useState('');
  const [server, setServer] = useState('');
  const [showServer, setShowServer] = useState(false);
  // Where the Windows account differs from the SIP address (DOMAIN\user, a UPN): PROTOCOL-2 §3.2.
  const [login, setLogin] = useState('');
  const [showLogin, setShowLogin] = useState(false);
  // Off by default: keeping a password is the user's choice (a shared computer must not keep it silently).
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const sipRef = useRef<HTMLInputElement>(null);

  useEffect(() => sipRef.current?.focus(), []);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const done = async () => {
    await safe(() => ucwa().showWindow('history'));
    await safe(() => ucwa().closeWindow());
  };

  const finish = async (r: Result<SessionState>) => {
    setBusy(false);
    if (!r.ok) {
      if (r.error.code === 'noKeychain') {
        setWarning(inWords(r.error));
        return;
      }
      setError(r.error);
      return;
    }
    const s = r.value;
    if (s.status !== 'online' && s.error && s.error.code !== 'noKeychain') {
      setError(s.error);
      return;
    }
    if (s.error?.code === 'noKeychain') {
      setWarning(inWords(s.error));
      return;
    }
    await done();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    // The password may stay empty: Windows sign-in, your organisation's sign-in page or the browser
    // may do without it; a server that wants one says so (in words) and the field is here.
    if (!sip.trim()) {
      setError({ code: 'invalidInput', message: 'Enter your sign-in address (like name@company.com).' });
      return;
    }
    setBusy(true);
    const req = { sip: sip.trim(), password, remember, ...(server.trim() ? { server: server.trim() } : {}), ...(login.trim() ? { login: login.trim() } : {}) };
    await finish(await safe(() => ucwa().signIn(req)));
  };

  const demo = async () => {
    if (busy) return;
    setError(null);
    setBusy(true);
    await finish(await safe(() => ucwa().tryDemo()));
  };

  const found = session.signIn;
  const progress = busy
    ? (session.status === 'authenticating' && found ? usingWords[found.using] : busyStates.has(session.status) ? statusWords[session.status] : 'Signing in…')
    : null;
  // Which server was found and what it offers: beside the progress, and under a failure.
  const serverLine = found && (busy || error) ? `Server: ${found.host} — offers ${list(found.offered.map((m) => methodWords[m]))}.` : null;

  return (
    <main className="signin">
      <div className="signin-card">
        <h1 className="signin-title">
          <span className="logo" aria-hidden="true">U</span> Sign in to Skype for Business
        </h1>
        {warning ? (
          <div className="notice warn" role="alert">
            <p>{warning}</p>
            <button type="button" className="btn primary" ref={focusOnMount} onClick={() => void done()}>Continue</button>
          </div>
        ) : (
          <form onSubmit={(e) => void submit(e)} noValidate aria-describedby={error ? 'signin-error' : undefined}>
            <label className="field">
              <span>Sign-in address</span>
              <input ref={sipRef} type="email" name="sip" autoComplete="username" placeholder="name@company.com" value={sip}
                onChange={(e) => setSip(e.target.value)} disabled={busy} aria-invalid={error?.code === 'wrongPassword' || undefined} />
            </label>
            <label className="field">
              <span>Password</span>
              <input type="password" name="password" autoComplete="current-password" value={password} aria-describedby="password-hint"
                onChange={(e) => setPassword(e.target.value)} disabled={busy} aria-invalid={error?.code === 'wrongPassword' || undefined} />
            </label>
            <p id="password-hint" className="field-hint muted">Leave it empty where your organisation signs you in with Windows or its own sign-in page.</p>
            {showLogin && (
              <label className="field">
                <span>Sign-in name <span className="muted">(DOMAIN\user or user@domain — only if it differs from your address)</span></span>
                <input type="text" name="login" autoComplete="off" spellCheck={false} placeholder="CONTOSO\jdoe" value={login}
                  onChange={(e) => setLogin(e.target.value)} disabled={busy} ref={focusOnMount} aria-invalid={error?.code === 'wrongPassword' || undefined} />
              </label>
            )}
            {showServer ? (
              <label className="field">
                <span>Server URL <span className="muted">(optional — found automatically if empty)</span></span>
                <input type="url" name="server" placeholder="lyncdiscover.company.com" value={server}
                  onChange={(e) => setServer(e.target.value)} disabled={busy} ref={focusOnMount} />
              </label>
            ) : (
              <button type="button" className="linkish" onClick={() => setShowServer(true)} disabled={busy}>Enter a server URL</button>
            )}
            {!showLogin && (
              <button type="button" className="linkish" onClick={() => setShowLogin(true)} disabled={busy}>Use a different sign-in name</button>
            )}
            <label className="check">
              <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} disabled={busy} />
              <span>Remember me <span className="muted">(password kept in the system keychain)</span></span>
            </label>
            {/* Room kept for one line of error, so the buttons do not jump when one appears. */}
            <div className="signin-error-slot">
              {error && (
                <div id="signin-error" className="notice error" role="alert" tabIndex={-1} ref={errorRef} data-code={error.code}>
                  {inWords(error)}
                </div>
              )}
            </div>
            <div className="status-line" role="status" aria-live="polite">
              {progress && (<><span className="spinner" aria-hidden="true" /> {progress}</>)}
            </div>
            {serverLine && <p className="muted signin-server" data-testid="signin-server">{serverLine}</p>}
            <div className="actions">
              <button type="submit" className="btn primary" disabled={busy}>Sign in</button>
              <button type="button" className="btn" onClick={() => void demo()} disabled={busy}>Try the demo server</button>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}
