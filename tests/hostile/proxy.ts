// A hostile UCWA server for the tests and the bench: a reverse proxy on 127.0.0.1 in front of the
// real simulator. It passes every request through, rewrites the simulator's origin to the origin
// the client was given (its own, or a public name such as https://pool.contoso.com reached through
// it as an HTTPS proxy), and lets a mode (modes.ts) answer requests itself or rewrite the answers —
// so each case of issue 11 is the real simulator with one thing made hostile, end to end.
// It never imports client code (DESIGN.md §2): it sees only the wire.
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the client made it. `path` (path + query) may be changed by a mode's intercept to
 * forward elsewhere on the simulator. */
export interface Exchange {
  method: string;
  path: string;
  /** The request URL in the client's terms (public origin). */
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Fires when the client gives up on the request (a P-GET aborted, a process killed). */
  signal: AbortSignal;
}

/** An answer: JSON bodies as `json`, anything else as `body`. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  json?: unknown;
  body?: Buffer;
}

export interface HostileMode {
  readonly name: string;
  /** Answer without the simulator (return an Answer), or return undefined to pass through. */
  intercept?(ex: Exchange, proxy: HostileProxy): Answer | undefined | Promise<Answer | undefined>;
  /** Rewrite the simulator's answer (origins already rewritten; JSON already parsed) in place. */
  rewrite?(ex: Exchange, answer: Answer, proxy: HostileProxy): void | Promise<void>;
}

export interface RequestRecord {
  method: string;
  path: string;
  at: number;
  status: number;
  auth: boolean;
  body?: string;
}

export interface HostileProxyOptions {
  /** The simulator's origin, e.g. http://127.0.0.1:5123. */
  target: string;
  mode?: HostileMode;
  /** The origin the client is told about (a function: from the port the proxy got). Default: the
   * proxy's own http://127.0.0.1:<port>. */
  publicOrigin?: string | ((port: number) => string);
  /** Keep the body of every request (a trap that must prove no password reached it). */
  recordBodies?: boolean;
  /** For an https public origin reached through the proxy as an HTTPS proxy (CONNECT): its certificate. */
  tls?: { key: string; cert: string };
}

const PASS: HostileMode = { name: 'passThrough' };
const MAX_RECORDS = 200_000;

export class HostileProxy {
  readonly target: string;
  mode: HostileMode;
  /** Every request answered (capped at MAX_RECORDS; `requestCount` keeps counting). */
  readonly requests: RequestRecord[] = [];
  requestCount = 0;
  /** CONNECT or absolute-URL requests for a host other than the public one: refused, kept here. */
  readonly offOrigin: string[] = [];
  /** A place for modes to keep counters the tests read. */
  readonly stats: Record<string, number> = {};
  #server: Server | undefined;
  #tlsServer: Server | undefined;
  #sockets = new Set<Socket>();
  #publicOrigin: string | undefined;
  readonly #publicOption: HostileProxyOptions['publicOrigin'];
  #origin = '';
  readonly #tls: HostileProxyOptions['tls'];
  readonly #recordBodies: boolean;

  constructor(o: HostileProxyOptions) {
    this.target = o.target.replace(/\/+$/, '');
    this.mode = o.mode ?? PASS;
    this.#publicOption = o.publicOrigin;
    this.#tls = o.tls;
    this.#recordBodies = o.recordBodies ?? false;
  }

  /** Where to connect: http://127.0.0.1:<port> (also the HTTPS proxy address for a public origin). */
  get origin(): string {
    return this.#origin;
  }

  /** The origin the client sees in every link. */
  get publicOrigin(): string {
    return this.#publicOrigin ?? this.#origin;
  }

  /** The discovery root URL to give the client. */
  get url(): string {
    return `${this.publicOrigin}/autodiscover/autodiscoverservice.svc/root`;
  }

  setMode(mode: HostileMode | undefined): void {
    this.mode = mode ?? PASS;
  }

  bump(counter: string, by = 1): number {
    this.stats[counter] = (this.stats[counter] ?? 0) + by;
    return this.stats[counter];
  }

  async listen(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) res.writeHead(502, { 'content-type': 'text/plain' }).end(String(err));
        else res.destroy();
      });
    };
    const server = createServer(handler);
    server.on('connection', (s: Socket) => this.#track(s));
    server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#connect(req, socket, head));
    if (this.#tls) {
      this.#tlsServer = createHttpsServer({ key: this.#tls.key, cert: this.#tls.cert }, handler);
      this.#tlsServer.on('tlsClientError', () => undefined); // a client refusing our certificate is its right
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    const port = (server.address() as AddressInfo).port;
    this.#origin = `http://127.0.0.1:${port}`;
    const pub = typeof this.#publicOption === 'function' ? this.#publicOption(port) : this.#publicOption;
    this.#publicOrigin = pub?.replace(/\/+$/, '');
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    const close = (s: Server | undefined) => new Promise<void>((resolve) => {
      if (!s) return resolve();
      s.close(() => resolve());
      s.closeAllConnections();
    });
    await Promise.all([close(this.#server), close(this.#tlsServer)]);
    this.#server = undefined;
    this.#tlsServer = undefined;
  }

  #track(s: Socket): void {
    this.#sockets.add(s);
    s.on('close', () => this.#sockets.delete(s));
  }

  #connect(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.#track(socket);
    const want = this.#publicOrigin ? new URL(this.#publicOrigin) : null;
    const host = (req.url ?? '').toLowerCase();
    const ours = want && want.protocol === 'https:' && this.#tlsServer && host === `${want.hostname}:${want.port || '443'}`;
    if (!ours) {
      this.offOrigin.push(`CONNECT ${req.url ?? ''}`);
      socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    this.#tlsServer!.emit('connection', socket);
  }

  #rewriteText(s: string): string {
    return s.split(this.target).join(this.publicOrigin);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let rawPath = req.url ?? '/';
    if (/^https?:\/\//i.test(rawPath)) {
      // Absolute form: someone uses us as a plain-http proxy. Only our public origin is served.
      const u = new URL(rawPath);
      if (u.origin !== this.publicOrigin) {
        this.offOrigin.push(`${method} ${rawPath}`);
        res.writeHead(502, { 'content-length': '0', connection: 'close' }).end();
        return;
      }
      rawPath = u.pathname + u.search;
    }
    const body = await readAll(req);
    const controller = new AbortController();
    res.on('close', () => { if (!res.writableFinished) controller.abort(); });
    const ex: Exchange = { method, path: rawPath, url: new URL(rawPath, this.publicOrigin), headers: req.headers, body, signal: controller.signal };
    const mode = this.mode;
    let answer = await mode.intercept?.(ex, this);
    if (!answer) {
      answer = await this.#forward(ex);
      if (!answer) return; // the client went away while the simulator held the request
      await mode.rewrite?.(ex, answer, this);
    }
    this.requestCount++;
    if (this.requests.length < MAX_RECORDS) {
      const rec: RequestRecord = { method, path: rawPath, at: Date.now(), status: answer.status, auth: !!req.headers.authorization };
      if (this.#recordBodies) rec.body = body.toString('utf8');
      this.requests.push(rec);
    }
    if (res.destroyed) return;
    const out = answer.json !== undefined ? Buffer.from(JSON.stringify(answer.json), 'utf8') : answer.body ?? Buffer.alloc(0);
    const headers: Record<string, string | string[]> = { ...answer.headers, 'content-length': String(out.length) };
    if (answer.json !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(answer.status, headers).end(out);
  }

  #forward(ex: Exchange): Promise<Answer | undefined> {
    const target = new URL(this.target);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(ex.headers)) {
      if (v === undefined || HOP.has(k)) continue;
      headers[k] = v;
    }
    headers.host = target.host;
    return new Promise<Answer | undefined>((resolve, reject) => {
      const up = httpRequest({ host: target.hostname, port: target.port, method: ex.method, path: ex.path, headers }, (r) => {
        readAll(r).then((buf) => {
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(r.headers)) {
            if (v === undefined || HOP.has(k) || k === 'content-length') continue;
            out[k] = Array.isArray(v) ? v.map((x) => this.#rewriteText(x)) : this.#rewriteText(v);
          }
          const type = String(r.headers['content-type'] ?? '');
          const answer: Answer = { status: r.statusCode ?? 502, headers: out };
          if (/json/i.test(type) && buf.length) {
            const text = this.#rewriteText(buf.toString('utf8'));
            try {
              answer.json = JSON.parse(text);
              delete out['content-type'];
            } catch {
              answer.body = Buffer.from(text, 'utf8');
            }
          } else if (/^text\//i.test(type)) answer.body = Buffer.from(this.#rewriteText(buf.toString('utf8')), 'utf8');
          else answer.body = buf;
          resolve(answer);
        }, reject);
      });
      up.on('error', (err) => (ex.signal.aborted ? resolve(undefined) : reject(err)));
      ex.signal.addEventListener('abort', () => up.destroy(), { once: true });
      up.end(ex.body);
    });
  }
}

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'host']);

function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

export async function startHostileProxy(o: HostileProxyOptions): Promise<HostileProxy> {
  return new HostileProxy(o).listen();
}
