// The loopback redirect of a native app's OAuth sign-in (RFC 8252 §7.3, §8.3): an HTTP server on
// 127.0.0.1 (the literal address, not "localhost", which may resolve elsewhere or to IPv6) on an
// ephemeral port, for exactly one redirect to /callback. It lives only while the browser is out:
// closed after that redirect, on the timeout, on abort and when opening the browser fails.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetworkError, SignInError } from './errors.ts';

export const CALLBACK_PATH = '/callback';

export interface ReceiveRedirectOptions {
  /** The `state` sent with the authorization request: a redirect without it is not ours. */
  state: string;
  /** Called once the server listens; opens the browser at the authorization URL. */
  open: (redirectUri: string) => Promise<void> | void;
  timeoutMs: number;
  signal?: AbortSignal;
}

// No script, no subresources: the page only tells the user where to go next.
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'",
  'Referrer-Policy': 'no-referrer',
  Connection: 'close',
};

function page(res: ServerResponse, status: number, text: string, done?: () => void): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>UCWA Tray</title></head><body><p>${text}</p></body></html>`, done);
}

/**
 * Listen, let `open` start the browser, and resolve with the query of the one redirect to
 * /callback whose `state` matches. A redirect with another state (a stale tab, a page probing the
 * port) is refused with 400 and the wait goes on: such a request must neither finish nor cancel
 * the sign-in. Timeout → SignInError 'signInCancelled'; abort → NetworkError 'aborted'.
 */
export async function receiveRedirect(o: ReceiveRedirectOptions): Promise<URLSearchParams> {
  if (o.signal?.aborted) throw new NetworkError('aborted', CALLBACK_PATH, 'Sign-in was cancelled.');
  let settle: { resolve: (p: URLSearchParams) => void; reject: (e: unknown) => void } | undefined;
  const result = new Promise<URLSearchParams>((resolve, reject) => (settle = { resolve, reject }));
  let answered = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || answered) {
      page(res, 404, 'Not found.');
      return;
    }
    if (url.searchParams.get('state') !== o.state) {
      page(res, 400, 'This answer does not belong to the sign-in UCWA Tray started. It was ignored.');
      return;
    }
    answered = true;
    // Settled once the page is written, so closing the server cannot cut the answer off.
    page(res, 200, 'You can close this window and return to UCWA Tray.', () => settle?.resolve(url.searchParams));
  });
  const timer = setTimeout(() => {
    const minutes = Math.max(1, Math.round(o.timeoutMs / 60_000));
    settle?.reject(new SignInError({ code: 'signInCancelled', message: `The browser sign-in did not finish within ${minutes} minute${minutes === 1 ? '' : 's'}.` }));
  }, o.timeoutMs);
  const onAbort = () => settle?.reject(new NetworkError('aborted', CALLBACK_PATH, 'Sign-in was cancelled.'));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
    await Promise.race([Promise.resolve(o.open(redirectUri)), result.then(() => undefined)]);
    return await result;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
