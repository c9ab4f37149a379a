// The organisation's sign-in page (AD FS, PROTOCOL-2 §3.4) in a window of its own: its own session
// partition (cookies kept apart from the app's windows, in memory only), no preload and no Node, and
// navigation limited to where sign-in goes — the pool that sent the user there, and the identity
// provider the pool redirects to (learnt from that first hop, never from a later page). MFA steps
// are pages like the others. Done when the page posts back to the pool's PassiveAuth address; the
// user closing the window is "cancelled", in words.
import { SignInError } from '../core/ucwa/errors.ts';
import { isLoopbackHost } from '../core/ucwa/hypermedia.ts';

interface NavEvent { preventDefault(): void }

/** The part of a BrowserWindow this module uses (main.ts gives the real one). */
export interface SignInWindowLike {
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  close(): void;
  on(event: 'closed', listener: () => void): unknown;
  webContents: {
    on(event: 'will-navigate' | 'will-redirect', listener: (event: NavEvent, url: string) => void): unknown;
    on(event: 'did-navigate', listener: (event: unknown, url: string) => void): unknown;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  };
}

export interface SignInWindowDeps {
  /** A new window on `partition` with no preload, sandboxed, context-isolated (main.ts makes it). */
  openSignInWindow(opts: { partition: string; title: string }): SignInWindowLike;
  log(line: string): void;
}

const signInContents = new WeakSet<object>();

/** Whether these contents are an organisation sign-in page (main.ts's global navigation lock leaves them to this module). */
export function isOrganisationSignIn(contents: object): boolean {
  return signInContents.has(contents);
}

const pathKey = (u: URL) => `${u.origin}${u.pathname}`.toLowerCase();

/**
 * Whether a navigation may happen: https (or http on this computer when sign-in began there), to the
 * pool's host or the identity provider's. `learn`: the first hop away from the pool names the identity provider.
 */
export function navigationPolicy(start: URL): { allow(url: string, learn: boolean): boolean; hosts(): string[] } {
  const hosts = new Set([start.host.toLowerCase()]);
  const loopback = start.protocol === 'http:' && isLoopbackHost(start.hostname);
  let learnt = false;
  return {
    allow(raw, learn) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return false;
      }
      if (!(u.protocol === 'https:' || (loopback && u.protocol === 'http:' && isLoopbackHost(u.hostname)))) return false;
      const host = u.host.toLowerCase();
      if (hosts.has(host)) return true;
      if (learn && !learnt) {
        learnt = true;
        hosts.add(host);
        return true;
      }
      return false;
    },
    hosts: () => [...hosts],
  };
}

export function organisationSignIn(deps: SignInWindowDeps, o: { startUrl: string; partition: string; signal?: AbortSignal }): Promise<void> {
  const start = new URL(o.startUrl);
  const policy = navigationPolicy(start);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const win = deps.openSignInWindow({ partition: o.partition, title: 'Sign in to your organisation' });
    signInContents.add(win.webContents);
    let leftStart = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      if (!win.isDestroyed()) win.close();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish(new SignInError({ code: 'signInCancelled', message: 'Sign-in was cancelled.' }));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const guard = (learn: boolean) => (event: NavEvent, url: string) => {
      if (policy.allow(url, learn)) return;
      event.preventDefault();
      deps.log(`sign-in window: a navigation outside ${policy.hosts().join(', ')} was stopped`);
    };
    win.webContents.on('will-navigate', guard(false));
    // The pool's redirect to the identity provider is where its host is learnt.
    win.webContents.on('will-redirect', (event, url) => guard(!leftStart)(event, url));
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.webContents.on('did-navigate', (_e, url) => {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return;
      }
      if (pathKey(u) !== pathKey(start)) {
        leftStart = true;
        return;
      }
      // Back on the pool's sign-in address after the identity provider: its cookie is set.
      if (leftStart) finish();
    });
    win.on('closed', () => finish(new SignInError({ code: 'signInCancelled', message: 'You closed your organisation’s sign-in page before signing in.' })));
    win.loadURL(start.href).catch((err: unknown) => {
      // A page that redirects elsewhere rejects loadURL (ERR_ABORTED) although the window goes on.
      if (!settled) deps.log(`sign-in window: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    });
  });
}
