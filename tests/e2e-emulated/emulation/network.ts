// protocol, session, net and ipcMain: what crosses between main and the pages, and main and the network.
// Rules emulated (docs: api/protocol, api/session, api/net, api/client-request, api/ipc-main):
//  - protocol.registerSchemesAsPrivileged "can only be used before the ready event … and can be
//    called only once"; protocol.handle after ready, once per scheme.
//  - every request of a page to a handled scheme goes through the app's own handler (a Request in, a
//    Response out) — the headers it returns (CSP, nosniff) are what Chromium enforces.
//  - a navigation the page starts emits webContents 'will-navigate' (preventable); loadURL's does not.
//  - net.fetch uses Chromium's stack, not Node's: with redirect 'manual' it REJECTS with "Redirect was
//    cancelled" (electron/electron#43715, answered "working as documented": ClientRequest cancels a
//    manual redirect nobody follows); network failures reject with net::ERR_* messages.
//  - net.request (ClientRequest) with redirect 'manual' emits 'redirect' and the request is cancelled
//    unless followRedirect() is called inside the listener.
//  - ipcMain.handle: "Attempted to register a second handler for '<channel>'"; no handler →
//    "No handler registered for '<channel>'"; the reply is structured-cloned.
import { EventEmitter } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Page, Route } from '@playwright/test';
import type {
  ClientRequest as ElectronClientRequest, ClientRequestConstructorOptions, CustomScheme, IpcMain, IpcMainInvokeEvent, Net, Protocol, Session,
} from 'electron';
import { isAppPageUrl, toAppUrl } from './appUrls.ts';
import { electronEvent, ElectronRuleError } from './events.ts';
import type { Run } from './run.ts';
import type { CookieJar } from './partitions.ts';

type ProtocolMembers = 'registerSchemesAsPrivileged' | 'handle' | 'unhandle' | 'isProtocolHandled';
type NetMembers = 'fetch' | 'isOnline' | 'request';
type SessionMembers = 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setSpellCheckerLanguages' | 'addWordToSpellCheckerDictionary' | 'listWordsInSpellCheckerDictionary';
type IpcMainMembers = 'handle' | 'handleOnce' | 'removeHandler';

export interface NetworkState {
  online: boolean;
  privileged: CustomScheme[];
  handlers: Map<string, (request: Request) => Response | Promise<Response>>;
  ipcHandlers: Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>;
  dictionary: string[];
  permissionRequests: { permission: string; granted: boolean }[];
  /** session.defaultSession.allowNTLMCredentialsForDomains calls, in order. */
  ntlmAllowed: string[];
}

export function makeNetwork(run: Run) {
  const state: NetworkState = { online: true, privileged: [], handlers: new Map(), ipcHandlers: new Map(), dictionary: [], permissionRequests: [], ntlmAllowed: [] };
  let privilegedCalled = false;

  const protocol: Pick<Protocol, ProtocolMembers> = {
    registerSchemesAsPrivileged(schemes: CustomScheme[]) {
      if (run.ready) throw new ElectronRuleError('protocol.registerSchemesAsPrivileged should be called before app is ready');
      if (privilegedCalled) throw new ElectronRuleError('protocol.registerSchemesAsPrivileged can be called only once');
      privilegedCalled = true;
      state.privileged = schemes.map((s) => structuredClone(s));
    },
    handle(scheme: string, handler: (request: GlobalRequest) => GlobalResponse | Promise<GlobalResponse>) {
      run.requireReady('protocol.handle');
      if (state.handlers.has(scheme)) throw new ElectronRuleError(`Failed to register protocol: ${scheme} (already handled)`);
      state.handlers.set(scheme, handler);
    },
    unhandle(scheme: string) {
      state.handlers.delete(scheme);
    },
    isProtocolHandled(scheme: string) {
      return state.handlers.has(scheme);
    },
  };

  const schemes = (): ReadonlySet<string> => new Set(state.privileged.filter((s) => s.privileges?.standard && state.handlers.has(s.scheme)).map((s) => s.scheme));

  let permissionRequest: ((wc: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null;
  let permissionCheck: ((wc: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null;
  const session: Pick<Session, SessionMembers> & { fetch: Net['fetch']; allowNTLMCredentialsForDomains(domains: string): void } = {
    setPermissionRequestHandler(handler) {
      permissionRequest = handler as typeof permissionRequest;
    },
    setPermissionCheckHandler(handler) {
      permissionCheck = handler as typeof permissionCheck;
    },
    setSpellCheckerLanguages(languages: string[]) {
      run.record('session.setSpellCheckerLanguages', languages);
    },
    addWordToSpellCheckerDictionary(word: string) {
      state.dictionary.push(word);
      return true;
    },
    async listWordsInSpellCheckerDictionary() {
      return [...state.dictionary];
    },
    fetch: (input, init) => net.fetch(input, init),
    allowNTLMCredentialsForDomains(domains: string) {
      state.ntlmAllowed.push(domains);
    },
  };

  /** What Chromium would ask the session for a page's permission request (harness → main's handler). */
  function askPermission(wc: unknown, permission: string): Promise<boolean> {
    return new Promise((resolve) => {
      if (!permissionRequest) {
        resolve(true); // Electron's default grants (docs: setPermissionRequestHandler)
        return;
      }
      permissionRequest(wc, permission, (granted) => {
        state.permissionRequests.push({ permission, granted });
        resolve(granted);
      }, {});
    });
  }
  const checkPermission = (wc: unknown, permission: string, origin: string): boolean => permissionCheck?.(wc, permission, origin, {}) ?? true;

  function netError(err: unknown): Error {
    const code = (err as { cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
    const map: Record<string, string> = {
      ECONNREFUSED: 'net::ERR_CONNECTION_REFUSED', ENOTFOUND: 'net::ERR_NAME_NOT_RESOLVED', ECONNRESET: 'net::ERR_CONNECTION_RESET',
      ETIMEDOUT: 'net::ERR_TIMED_OUT', EPIPE: 'net::ERR_CONNECTION_CLOSED', UND_ERR_SOCKET: 'net::ERR_CONNECTION_CLOSED',
    };
    if ((err as Error)?.name === 'AbortError') return err as Error;
    return new Error(map[code ?? ''] ?? 'net::ERR_FAILED', { cause: err });
  }

  const net: Pick<Net, NetMembers> = {
    async fetch(input: string | GlobalRequest, init?: RequestInit & { bypassCustomProtocolHandlers?: boolean }): Promise<GlobalResponse> {
      run.requireReady('net.fetch');
      const url = typeof input === 'string' ? input : input.url;
      const scheme = url.split(':')[0]!;
      const handler = state.handlers.get(scheme);
      if (handler && !init?.bypassCustomProtocolHandlers) return handler(new Request(url, init));
      if (url.startsWith('data:') || url.startsWith('blob:')) throw new Error('net.fetch does not support the data: or blob: schemes');
      let res: Response;
      try {
        res = await fetch(input, { ...init, redirect: init?.redirect === 'manual' ? 'manual' : (init?.redirect ?? 'follow') });
      } catch (err) {
        throw netError(err);
      }
      if (init?.redirect === 'manual' && res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel().catch(() => undefined);
        throw new Error('Redirect was cancelled');
      }
      return res;
    },
    isOnline() {
      run.requireReady('net.isOnline');
      return state.online;
    },
    request(options: ClientRequestConstructorOptions | string): ElectronClientRequest {
      run.requireReady('net.request');
      return new ClientRequest(typeof options === 'string' ? { url: options } : options) as unknown as ElectronClientRequest;
    },
  };

  const ipcMain = new (class extends EventEmitter implements Pick<IpcMain, IpcMainMembers> {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void {
      if (state.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      state.ipcHandlers.set(channel, listener);
    }

    handleOnce(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void {
      this.handle(channel, (event, ...args) => {
        state.ipcHandlers.delete(channel);
        return listener(event, ...args);
      });
    }

    removeHandler(channel: string): void {
      state.ipcHandlers.delete(channel);
    }
  })();

  /** Redirect targets answered as 3xx here, whose next request is the redirect, not a new navigation. */
  const redirectTargets = new Set<string>();
  /**
   * A web page's navigation: its answer fetched here so that a redirect is seen before it is followed
   * — Electron's 'will-redirect' (preventable: the navigation stops there). Cookies are the page
   * context's (route.fetch uses them and keeps what the answer sets).
   */
  async function followRedirects(r: Route, wc: EventEmitter): Promise<void> {
    let res;
    try {
      res = await r.fetch({ maxRedirects: 0 });
    } catch {
      await r.abort('failed').catch(() => undefined);
      return;
    }
    const location = res.headers().location;
    if (res.status() >= 300 && res.status() < 400 && location) {
      const next = new URL(location, r.request().url()).href;
      const e = electronEvent({ url: toAppUrl(next), isSameDocument: false, isMainFrame: true });
      run.emitSafely(() => wc.emit('will-redirect', e, toAppUrl(next)));
      if (e.defaultPrevented) {
        await r.abort('aborted');
        return;
      }
      redirectTargets.add(next);
    }
    await r.fulfill({ response: res });
  }

  /** Routes every request of the run's pages: app:// to protocol.handle; page-started navigations to 'will-navigate'. */
  async function route(r: Route, webContentsOf: (page: Page) => (EventEmitter & { programmatic: string | null; isDestroyed(): boolean }) | null): Promise<void> {
    const req = r.request();
    const frame = req.frame();
    let page: Page | null;
    try {
      page = frame.page();
    } catch {
      page = null;
    }
    const wc = page ? webContentsOf(page) : null;
    const webNavigation = req.isNavigationRequest() && frame.parentFrame() === null && wc && /^https?:/i.test(req.url()) && !isAppPageUrl(req.url());
    if (webNavigation && redirectTargets.delete(req.url())) {
      // The end of a redirect we let through: not a navigation the page started.
      await followRedirects(r, wc);
      return;
    }
    if (req.isNavigationRequest() && frame.parentFrame() === null && wc && wc.programmatic !== req.url()) {
      const e = electronEvent({ url: toAppUrl(req.url()), isSameDocument: false, isMainFrame: true });
      run.emitSafely(() => wc.emit('will-navigate', e, toAppUrl(req.url())));
      if (e.defaultPrevented) {
        await r.abort('aborted');
        return;
      }
    }
    if (webNavigation) {
      await followRedirects(r, wc);
      return;
    }
    if (isAppPageUrl(req.url())) {
      const appUrl = toAppUrl(req.url());
      const handler = state.handlers.get(appUrl.split(':')[0]!);
      if (!handler) {
        await r.abort('failed');
        return;
      }
      try {
        const body = req.postDataBuffer();
        const res = await handler(new Request(appUrl, { method: req.method(), headers: req.headers(), ...(body ? { body: new Uint8Array(body) } : {}) }));
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => (headers[k] = v));
        await r.fulfill({ status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) });
      } catch (err) {
        run.mainErrors.push(err instanceof Error ? err : new Error(String(err)));
        await r.abort('failed');
      }
      return;
    }
    await r.continue();
  }

  return { protocol, session, net, ipcMain, state, schemes, route, askPermission, checkPermission };
}

type GlobalRequest = Request;
type GlobalResponse = Response;

/**
 * net.request over Node's http(s): the events and redirect modes of Electron's ClientRequest
 * (docs: api/client-request). Only what a client of ours can observe: response, redirect, error,
 * abort, close, finish.
 */
class ClientRequest extends EventEmitter {
  readonly #options: ClientRequestConstructorOptions;
  readonly #headers = new Map<string, string>();
  readonly #chunks: Buffer[] = [];
  #url: string;
  #aborted = false;
  #ended = false;
  #follow = false;
  #current: ReturnType<typeof httpRequest> | null = null;

  constructor(options: ClientRequestConstructorOptions) {
    super();
    this.#options = options;
    this.#url = options.url ?? `${options.protocol ?? 'http:'}//${options.hostname ?? options.host ?? 'localhost'}${options.port ? `:${options.port}` : ''}${options.path ?? '/'}`;
    for (const [k, v] of Object.entries(options.headers ?? {})) this.#headers.set(k.toLowerCase(), String(v));
  }

  setHeader(name: string, value: string): void {
    // "Certain headers are restricted from being set by apps" (docs: ClientRequest.setHeader).
    const n = name.toLowerCase();
    if (['content-length', 'host', 'trailer', 'te', 'upgrade', 'cookie2', 'keep-alive', 'transfer-encoding'].includes(n) || (n === 'connection' && /upgrade/i.test(value))) {
      throw new Error(`The header "${name}" is restricted and cannot be set`);
    }
    this.#headers.set(n, String(value));
  }

  getHeader(name: string): string {
    return this.#headers.get(name.toLowerCase()) ?? '';
  }

  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  write(chunk: string | Buffer): boolean {
    if (this.#ended) throw new Error('Write after end.');
    this.#chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return true;
  }

  end(chunk?: string | Buffer | (() => void), _enc?: unknown, cb?: () => void): this {
    if (typeof chunk === 'function') cb = chunk;
    else if (chunk !== undefined) this.write(chunk);
    this.#ended = true;
    this.#send(this.#options.method ?? 'GET', Buffer.concat(this.#chunks), 0);
    queueMicrotask(() => {
      cb?.();
      this.emit('finish');
    });
    return this;
  }

  followRedirect(): void {
    this.#follow = true;
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#current?.destroy();
    this.emit('abort');
    this.emit('close');
  }

  #send(method: string, body: Buffer, hops: number): void {
    // { session, credentials: 'include' } (or useSessionCookies): the session's cookies go both ways.
    const jar = (this.#options.session as { jar?: CookieJar } | undefined)?.jar;
    // "If credentials is specified, this option [useSessionCookies] has no effect" (docs: ClientRequest).
    const c = this.#options.credentials;
    const withCookies = !!jar && (c !== undefined ? c === 'include' : this.#options.useSessionCookies === true);
    if (!withCookies) return this.#sendNow(method, body, hops, null);
    void jar.header(this.#url).then((cookie) => this.#sendNow(method, body, hops, { jar, cookie }), (err: unknown) => this.emit('error', err instanceof Error ? err : new Error(String(err))));
  }

  #sendNow(method: string, body: Buffer, hops: number, cookies: { jar: CookieJar; cookie: string } | null): void {
    if (this.#aborted) return;
    const url = new URL(this.#url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = Object.fromEntries(this.#headers);
    if (cookies?.cookie) headers.cookie = cookies.cookie;
    const req = send(url, { method, headers });
    this.#current = req;
    req.on('error', (err) => {
      if (this.#aborted) return;
      this.emit('error', new Error(`net::ERR_${(err as { code?: string }).code === 'ECONNREFUSED' ? 'CONNECTION_REFUSED' : 'FAILED'}`, { cause: err }));
    });
    req.on('response', (res: IncomingMessage) => {
      if (this.#aborted) {
        res.resume();
        return;
      }
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (cookies) void cookies.jar.store(url.href, res.headers['set-cookie'] ?? []);
      if (status >= 300 && status < 400 && location) {
        res.resume();
        const next = new URL(location, url).href;
        const mode = this.#options.redirect ?? 'follow';
        if (hops >= 20) {
          this.emit('error', new Error('net::ERR_TOO_MANY_REDIRECTS'));
          return;
        }
        if (mode === 'error') {
          this.emit('error', new Error('net::ERR_FAILED (redirect mode is error)'));
          return;
        }
        const nextMethod = status === 303 || ((status === 301 || status === 302) && method === 'POST') ? 'GET' : method;
        if (mode === 'manual') {
          this.#follow = false;
          const headers: Record<string, string[]> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v : [String(v)];
          this.emit('redirect', status, nextMethod, next, headers);
          if (!this.#follow) {
            if (!this.#aborted) this.emit('error', new Error('Redirect was cancelled'));
            return;
          }
        }
        this.#url = next;
        this.#send(nextMethod, nextMethod === 'GET' ? Buffer.alloc(0) : body, hops + 1);
        return;
      }
      this.emit('response', res);
      res.on('end', () => this.emit('close'));
    });
    req.end(body.length ? body : undefined);
  }
}
