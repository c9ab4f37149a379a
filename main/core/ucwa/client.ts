// The authenticated command channel to one UCWA pool. Every request: href resolved against the
// pool, the token only to its own origin, renewed ahead of expiry (90 % of expires_in), and on a
// 401 one re-authentication plus one retry. Status >= 400 becomes a UcwaError.
import { requestToken, type Credentials, type Token } from './auth.ts';
import { BadResponseError, NetworkError, UcwaError } from './errors.ts';
import { safeUrl } from '../logSafe.ts';
import { assertTokenOrigin, resolveHref } from './hypermedia.ts';
import { asResource, type Resource } from './links.ts';
import { errorFromResponse, type HttpResponse, type Transport } from './transport.ts';

export interface RequestOptions {
  /** JSON body (objects) or a raw string with `contentType`. */
  json?: unknown;
  text?: string;
  contentType?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra query parameters added with a URL builder (the server's own are kept). */
  query?: Record<string, string>;
  /** Accept header instead of application/json (a batch asks for multipart/batching, PROTOCOL.md §8.4). */
  accept?: string;
}

export interface BytesOptions {
  /** Extra request headers (Accept, If-None-Match …); Authorization is the client's and cannot be given. */
  headers?: Record<string, string>;
  /** Largest body read; a bigger one is answered with `tooLarge` and no bytes. */
  maxBytes: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  query?: Record<string, string>;
}

export interface BytesResponse {
  status: number;
  headers: Headers;
  /** The body (empty when tooLarge), never more than maxBytes. */
  bytes: Uint8Array;
  tooLarge: boolean;
}

export interface AuthHooks {
  /** A renewal starts / ends (the session machine shows 'reauthenticating'). */
  onRenewing?: () => void;
  onRenewed?: (ok: boolean) => void;
}

export class UcwaClient {
  readonly transport: Transport;
  private token: Token | null;
  private creds: Credentials | null;
  private readonly now: () => number;
  private renewal: Promise<Token> | null = null;
  readonly poolBase: string;
  hooks: AuthHooks = {};

  /** How the next token is obtained (the grant sign-in used); absent: the password grant with `creds`. */
  private regrant: (() => Promise<Token>) | null;

  constructor(init: { transport: Transport; token: Token; credentials: Credentials; poolBase: string; now: () => number; regrant?: () => Promise<Token> }) {
    this.transport = init.transport;
    this.token = init.token;
    this.creds = init.credentials;
    this.regrant = init.regrant ?? null;
    this.poolBase = init.poolBase;
    this.now = init.now;
  }

  get tokenOrigin(): string {
    return this.token?.origin ?? '';
  }

  /** Whether signOut() dropped the credentials (nothing can be sent or renewed any more). */
  get signedOut(): boolean {
    return this.token === null;
  }

  /**
   * Drop the password and the token: after a sign-out nothing that still holds this client (a
   * sync, an outbox lane, a late event) can renew the token or sign in again. Every later request
   * fails as cancelled, without reaching the network.
   */
  signOut(): void {
    this.token = null;
    this.creds = null;
    this.regrant = null;
    this.renewal = null;
  }

  #signedOutError(url: string): NetworkError {
    return new NetworkError('aborted', url, 'signed out: this session no longer holds credentials');
  }

  /** Absolute URL of a server-given href, refused (no request) when the token may not go there. */
  resolve(href: string, query?: Record<string, string>): string {
    const url = resolveHref(this.poolBase, href);
    if (!this.token) throw this.#signedOutError(url.href);
    assertTokenOrigin(url, this.token.origin);
    if (query) for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.href;
  }

  /** Renew now (shared by concurrent callers: one grant for a burst of 401s). */
  renew(): Promise<Token> {
    const token = this.token, creds = this.creds;
    if (!token || !creds) return Promise.reject(this.#signedOutError(token?.tokenUrl ?? this.poolBase));
    if (!this.renewal) {
      this.hooks.onRenewing?.();
      const renewal: Promise<Token> = (this.regrant ? this.regrant() : requestToken(this.transport, token.tokenUrl, creds, this.now()))
        .then((tok) => {
          // Signed out while the grant was on its way: the new token is not kept either.
          if (this.renewal !== renewal) throw this.#signedOutError(token.tokenUrl);
          this.token = tok;
          this.hooks.onRenewed?.(true);
          return tok;
        }, (err: unknown) => {
          this.hooks.onRenewed?.(false);
          throw err;
        })
        .finally(() => {
          if (this.renewal === renewal) this.renewal = null;
        });
      this.renewal = renewal;
    }
    return this.renewal;
  }

  /** Pretend the token is old (tests, and a shell that knows the machine slept). */
  expireTokenLocally(): void {
    if (this.token) this.token = { ...this.token, renewAt: 0 };
  }

  async request(method: string, href: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const url = this.resolve(href, opts.query);
    if (this.now() >= (this.token?.renewAt ?? 0)) await this.renew();
    let res = await this.send(method, url, opts);
    if (needsNewToken(res)) {
      await this.renew();
      res = await this.send(method, url, opts);
    }
    if (res.status >= 400) throw errorFromResponse(res);
    return res;
  }

  async getJson(href: string, opts: RequestOptions = {}): Promise<Resource> {
    const res = await this.request('GET', href, opts);
    const body = asResource(res.json);
    if (!body) throw new BadResponseError('malformed', `GET ${safeUrl(href)} did not return a JSON resource`);
    return body;
  }

  async post(href: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    return this.request('POST', href, opts);
  }

  /**
   * A GET of raw bytes (a photo), under the same policy as every request — the href resolved
   * against the pool, the token only to its own origin (a refused one throws before anything is
   * sent), renewal ahead of expiry and once on a 401 — but every status is an answer, not a throw:
   * a byte GET's callers read 304 and 404 as results. Throws only when no answer came.
   */
  async getBytes(href: string, opts: BytesOptions): Promise<BytesResponse> {
    const url = this.resolve(href, opts.query);
    if (this.now() >= (this.token?.renewAt ?? 0)) await this.renew();
    const ro: RequestOptions & { headers?: Record<string, string>; binaryMaxBytes: number } = {
      binaryMaxBytes: Math.max(0, opts.maxBytes),
      ...(opts.headers ? { headers: opts.headers } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    let res = await this.send('GET', url, ro);
    if (needsNewToken(res)) {
      await this.renew();
      res = await this.send('GET', url, ro);
    }
    return { status: res.status, headers: res.headers, bytes: res.bytes ?? new Uint8Array(0), tooLarge: res.tooLarge === true };
  }

  private send(method: string, url: string, opts: RequestOptions & { headers?: Record<string, string>; binaryMaxBytes?: number }): Promise<HttpResponse> {
    const token = this.token;
    if (!token) return Promise.reject(this.#signedOutError(url));
    const headers: Record<string, string> = {
      Accept: opts.accept ?? 'application/json',
      ...dropAuthorization(opts.headers),
      Authorization: `${token.tokenType} ${token.accessToken}`,
    };
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.text !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'text/plain; charset=utf-8';
      body = opts.text;
    } else if (method === 'POST') {
      body = '';
    }
    return this.transport.request({
      method, url, headers, body, timeoutMs: opts.timeoutMs, signal: opts.signal,
      ...(opts.binaryMaxBytes !== undefined ? { binaryMaxBytes: opts.binaryMaxBytes } : {}),
    });
  }
}

/** A caller's headers without any Authorization (in any case): only the client decides where the token goes. */
function dropAuthorization(headers: Record<string, string> | undefined): Record<string, string> {
  if (!headers) return {};
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
}

/** Location of a 201, resolved against the pool (may be missing: correlate by operationId). */
export function locationOf(client: UcwaClient, res: HttpResponse): string | null {
  const loc = res.headers.get('location');
  if (!loc) return null;
  try {
    return resolveHref(client.poolBase, loc).href;
  } catch {
    return null;
  }
}

export { UcwaError };

/**
 * The token is missing or no longer valid: a 401, or a 403 carrying a challenge (SfB Online answers a
 * stale token that way, with Warning "InvalidToken" — PROTOCOL-2 §3.1 rule 6). A 403 without one is
 * an authorization error, not a token problem.
 */
export function needsNewToken(res: { status: number; headers: Headers }): boolean {
  return res.status === 401 || (res.status === 403 && res.headers.has('www-authenticate'));
}
