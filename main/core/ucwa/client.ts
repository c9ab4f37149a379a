// The authenticated command channel to one UCWA pool. Every request: href resolved against the
// pool, the token only to its own origin, renewed ahead of expiry (90 % of expires_in), and on a
// 401 one re-authentication plus one retry. Status >= 400 becomes a UcwaError.
import { requestToken, type Credentials, type Token } from './auth.ts';
import { BadResponseError, UcwaError } from './errors.ts';
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
}

export interface AuthHooks {
  /** A renewal starts / ends (the session machine shows 'reauthenticating'). */
  onRenewing?: () => void;
  onRenewed?: (ok: boolean) => void;
}

export class UcwaClient {
  readonly transport: Transport;
  private token: Token;
  private readonly creds: Credentials;
  private readonly now: () => number;
  private renewal: Promise<Token> | null = null;
  readonly poolBase: string;
  hooks: AuthHooks = {};

  constructor(init: { transport: Transport; token: Token; credentials: Credentials; poolBase: string; now: () => number }) {
    this.transport = init.transport;
    this.token = init.token;
    this.creds = init.credentials;
    this.poolBase = init.poolBase;
    this.now = init.now;
  }

  get tokenOrigin(): string {
    return this.token.origin;
  }

  /** Absolute URL of a server-given href, refused (no request) when the token may not go there. */
  resolve(href: string, query?: Record<string, string>): string {
    const url = resolveHref(this.poolBase, href);
    assertTokenOrigin(url, this.token.origin);
    if (query) for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.href;
  }

  /** Renew now (shared by concurrent callers: one grant for a burst of 401s). */
  renew(): Promise<Token> {
    if (!this.renewal) {
      this.hooks.onRenewing?.();
      this.renewal = requestToken(this.transport, this.token.tokenUrl, this.creds, this.now())
        .then((tok) => {
          this.token = tok;
          this.hooks.onRenewed?.(true);
          return tok;
        }, (err: unknown) => {
          this.hooks.onRenewed?.(false);
          throw err;
        })
        .finally(() => {
          this.renewal = null;
        });
    }
    return this.renewal;
  }

  /** Pretend the token is old (tests, and a shell that knows the machine slept). */
  expireTokenLocally(): void {
    this.token = { ...this.token, renewAt: 0 };
  }

  async request(method: string, href: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const url = this.resolve(href, opts.query);
    if (this.now() >= this.token.renewAt) await this.renew();
    let res = await this.send(method, url, opts);
    if (res.status === 401) {
      await this.renew();
      res = await this.send(method, url, opts);
    }
    if (res.status >= 400) throw errorFromResponse(res);
    return res;
  }

  async getJson(href: string, opts: RequestOptions = {}): Promise<Resource> {
    const res = await this.request('GET', href, opts);
    const body = asResource(res.json);
    if (!body) throw new BadResponseError('malformed', `GET ${href} did not return a JSON resource`);
    return body;
  }

  async post(href: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    return this.request('POST', href, opts);
  }

  private send(method: string, url: string, opts: RequestOptions): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `${this.token.tokenType} ${this.token.accessToken}`,
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
    return this.transport.request({ method, url, headers, body, timeoutMs: opts.timeoutMs, signal: opts.signal });
  }
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
