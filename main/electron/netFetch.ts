// The fetch the core gets in the app: Chromium's network stack (system proxy, PAC, integrated
// auth) with the fetch semantics the core relies on. The core asks for `redirect: 'manual'` so it can
// check every discovery and pool redirect before following it; Electron's net.fetch rejects such a
// request with "Redirect was cancelled" instead of returning the 3xx (electron/electron#43715,
// documented ClientRequest behaviour). So manual requests go through net.request, whose 'redirect'
// event carries the status and Location: we answer with that 3xx as a Response and cancel the hop.
// Everything else is net.fetch unchanged.
import type { ClientRequest, ClientRequestConstructorOptions, IncomingMessage } from 'electron';

export interface NetLike {
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
  request(options: ClientRequestConstructorOptions): ClientRequest;
}

const RESTRICTED = new Set(['content-length', 'host', 'trailer', 'te', 'upgrade', 'cookie2', 'keep-alive', 'transfer-encoding', 'connection']);

export function chromiumFetch(net: NetLike): typeof fetch {
  const f = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    if (init?.redirect !== 'manual') return net.fetch(input instanceof URL ? input.href : input, init);
    return manualRequest(net, url, init);
  };
  return f as typeof fetch;
}

function manualRequest(net: NetLike, url: string, init: RequestInit): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? null;
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
      return;
    }
    const request = net.request({ url, method: init.method ?? 'GET', redirect: 'manual', credentials: 'include', useSessionCookies: true });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      request.abort();
      settle(() => reject(signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError')));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // Chromium sets these itself and ClientRequest.setHeader throws on them (docs: "restricted headers").
    for (const [k, v] of new Headers(init.headers ?? {}).entries()) if (!RESTRICTED.has(k)) request.setHeader(k, v);
    request.on('redirect', (status, _method, redirectUrl, responseHeaders) => {
      // Not followed: the core decides. The Location is absolute already (Chromium resolved it).
      const headers = new Headers();
      for (const [k, values] of Object.entries(responseHeaders)) for (const v of values) headers.append(k, v);
      headers.set('location', redirectUrl);
      request.abort();
      settle(() => resolve(new Response(null, { status, headers })));
    });
    request.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: Error) => settle(() => reject(err)));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined) headers.append(k, String(x));
        const nullBody = res.statusCode === 204 || res.statusCode === 304 || (init.method ?? 'GET').toUpperCase() === 'HEAD';
        settle(() => resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status: res.statusCode, statusText: res.statusMessage, headers })));
      });
    });
    request.on('error', (err: Error) => settle(() => reject(err)));
    const body = init.body;
    if (body === undefined || body === null) request.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) request.end(body as string | Buffer);
    else if (body instanceof URLSearchParams) request.end(body.toString());
    else settle(() => reject(new TypeError('chromiumFetch: unsupported request body type')));
  });
}
