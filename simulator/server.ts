// HTTP front door of one pool: body reading, faults, control endpoint, auth, routing, replies.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApplication, lookupApplication } from './applications.ts';
import { challenge, rootReply, tokenReply, userReply, xframeReply } from './auth.ts';
import { formatBatch, parseBatch, refusedPart } from './batch.ts';
import type { PartReply } from './batch.ts';
import { UcwaError, errorBody } from './errors.ts';
import { ROOT_PATH, TOKEN_PATH, XFRAME_PATH } from './hrefs.ts';
import { Input } from './input.ts';
import type { App, Ctx, Pool, Reply } from './model.ts';
import { oauthReply } from './oauthServer.ts';
import { passiveRoute } from './passiveRoutes.ts';
import { dispatch } from './router.ts';
import type { Sim } from './sim.ts';

const MAX_BODY = 4 * 1024 * 1024;

export type ControlHandler = (req: IncomingMessage, name: string, body: Buffer) => Promise<Reply>;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new UcwaError(413));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function serialize(reply: Reply): { headers: Record<string, string | string[]>; body: Buffer | undefined } {
  const headers: Record<string, string | string[]> = { ...(reply.headers ?? {}) };
  let body: Buffer | undefined;
  if (reply.body === undefined) body = undefined;
  else if (Buffer.isBuffer(reply.body)) {
    body = reply.body;
    headers['Content-Type'] = reply.contentType ?? 'application/octet-stream';
  } else if (typeof reply.body === 'string') {
    body = Buffer.from(reply.body, 'utf8');
    headers['Content-Type'] = reply.contentType ?? 'text/plain; charset=utf-8';
  } else {
    body = Buffer.from(JSON.stringify(reply.body), 'utf8');
    headers['Content-Type'] = reply.contentType ?? 'application/json; charset=utf-8';
  }
  return { headers, body };
}

function write(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const { headers, body } = serialize(reply);
  res.writeHead(reply.status, headers);
  res.end(body);
}

function errorReply(err: unknown): Reply {
  if (err instanceof UcwaError) return { status: err.status, body: err.body() };
  return { status: 500, body: errorBody(500, undefined, err instanceof Error ? err.message : String(err)) };
}

const APP_RE = /^\/ucwa\/oauth\/v1\/applications(?:\/([^/]+)(\/.*)?)?\/?$/i;

export class PoolServer {
  readonly pool: Pool;
  listenOrigin = '';
  readonly #sim: Sim;
  readonly #control: ControlHandler;
  #server: Server | undefined;

  constructor(sim: Sim, index: number, control: ControlHandler) {
    this.#sim = sim;
    this.pool = { index, origin: '' };
    this.#control = control;
  }

  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => write(res, errorReply(err)));
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const addr = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    this.listenOrigin = `http://${shownHost}:${addr.port}`;
    // Links name the pool by its public origin (a test maps it back to where it listens).
    this.pool.origin = this.#sim.cfg.publicOrigins[this.pool.index - 1] ?? this.listenOrigin;
    return addr.port;
  }

  dropConnections(): void {
    this.#server?.closeAllConnections();
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sim = this.#sim;
    sim.requests += 1;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.pool.origin);
    const path = url.pathname;
    res.on('finish', () => sim.log(`[pool${this.pool.index}] ${method} ${path}${url.search} → ${res.statusCode}`));
    const body = await readBody(req);

    if (/^\/_control\//i.test(path)) {
      write(res, await this.#control(req, path.slice('/_control/'.length), body));
      return;
    }

    const fault = sim.faults.take(method, path);
    if (fault) {
      if (fault.latencyMs) await sim.clock.sleepReal(fault.latencyMs);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.stall) return; // held until the client gives up or the server stops
      if (fault.status) {
        const headers = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : undefined;
        write(res, { status: fault.status, headers, body: errorBody(fault.status, fault.subcode, fault.message, fault.code) });
        return;
      }
    }

    const ctx: Ctx = {
      headers: req.headers,
      pool: this.pool,
      method,
      url,
      path,
      params: {},
      body,
      input: lazyInput(url, body, String(req.headers['content-type'] ?? '')),
      sip: '',
      app: undefined as unknown as App,
      inBatch: false,
      socket: req.socket,
    };
    try {
      const reply = this.#route(ctx, res);
      // The request was carried out; its answer is lost on the way back (a proxy timing out, a
      // connection reset): what a client must survive without doing the work twice.
      if (fault?.dropAnswer) {
        req.socket.destroy();
        return;
      }
      if (reply) write(res, reply);
    } catch (err) {
      if (fault?.dropAnswer) {
        req.socket.destroy();
        return;
      }
      write(res, errorReply(err));
    }
  }

  /** Returns undefined when the response is handled elsewhere (a parked P-GET). */
  #route(ctx: Ctx, res: ServerResponse): Reply | undefined {
    const sim = this.#sim;
    const lower = ctx.path.toLowerCase().replace(/\/+$/, '');
    const root = ROOT_PATH.toLowerCase();
    if (ctx.method === 'GET' && (lower === '' || lower === root)) return rootReply(sim, ctx);
    if (ctx.method === 'GET' && lower === XFRAME_PATH.toLowerCase()) return xframeReply();
    if (lower === `${root}/oauth/user` || lower === `${root}/user`) {
      if (ctx.method !== 'GET') throw new UcwaError(405);
      return userReply(sim, ctx);
    }
    if (lower === TOKEN_PATH.toLowerCase()) {
      if (ctx.method !== 'POST') throw new UcwaError(405);
      return tokenReply(sim, ctx);
    }
    const passive = passiveRoute(sim, ctx); // PassiveAuth.aspx and the fake AD FS (PROTOCOL-2 §3.4)
    if (passive) return passive;
    if (lower.startsWith('/oauth2/')) return oauthReply(sim, ctx, lower); // modern auth (PROTOCOL-2 §3.6)
    if (!lower.startsWith('/ucwa')) throw new UcwaError(404);

    const sip = sim.tokens.check(ctx.headers.authorization ?? photoCookieAuth(ctx), this.pool.index, sim.clock.now(), this.pool.origin);
    if (!sip) return challenge(sim, this.pool.origin);
    ctx.sip = sip;
    const m = APP_RE.exec(ctx.path);
    if (!m) throw new UcwaError(404);
    if (!m[1]) {
      if (ctx.method !== 'POST') throw new UcwaError(405);
      return createApplication(sim, ctx);
    }
    ctx.app = lookupApplication(sim, m[1], sip, this.pool.index);
    const rest = m[2] ?? '';
    const restLower = rest.toLowerCase().replace(/\/+$/, '');
    if (restLower === '/events') {
      if (ctx.method !== 'GET') throw new UcwaError(405);
      ctx.app.channel.handle(Number(ctx.url.searchParams.get('ack') ?? NaN), ctx.url.searchParams, res);
      return undefined;
    }
    if (restLower === '/batch') {
      if (ctx.method !== 'POST') throw new UcwaError(405);
      return this.#batch(ctx);
    }
    return dispatch(sim, ctx, rest);
  }

  #batch(ctx: Ctx): Reply {
    const parts = parseBatch(String(ctx.headers['content-type'] ?? ''), ctx.body);
    const replies: PartReply[] = parts.map((p) => {
      const url = new URL(p.target, this.pool.origin);
      const m = APP_RE.exec(url.pathname);
      const rest = (m?.[2] ?? '').toLowerCase();
      if (!m || m[1] !== ctx.app.id || rest.startsWith('/events') || rest.startsWith('/batch') || rest.startsWith('/photos')) return refusedPart();
      const part: Ctx = {
        ...ctx,
        headers: { ...p.headers, authorization: ctx.headers.authorization },
        method: p.method,
        url,
        path: url.pathname,
        params: {},
        body: p.body,
        input: lazyInput(url, p.body, String(p.headers['content-type'] ?? '')),
        inBatch: true,
      };
      let reply: Reply;
      try {
        const f = this.#sim.faults.take(p.method, url.pathname);
        if (f?.status) throw new UcwaError(f.status, f.subcode, f.message, f.code);
        reply = dispatch(this.#sim, part, m[2] ?? '');
      } catch (err) {
        reply = errorReply(err);
      }
      const s = serialize(reply);
      return { status: reply.status, headers: s.headers, body: s.body ?? Buffer.alloc(0) };
    });
    const out = formatBatch(replies);
    return { status: 200, body: out.body, contentType: out.contentType };
  }
}

/** Photos also accept the cwt_ucwa cookie (PROTOCOL-2 §4.2); nothing else does. */
function photoCookieAuth(ctx: Ctx): string | undefined {
  if (!/\/photos\//i.test(ctx.path)) return undefined;
  const m = /(?:^|;\s*)cwt_ucwa=([^;\s]+)/.exec(String(ctx.headers.cookie ?? ''));
  return m ? `Bearer cwt=${m[1]}` : undefined;
}

function lazyInput(url: URL, body: Buffer, contentType: string): () => Input {
  let input: Input | undefined;
  return () => (input ??= new Input(url.searchParams, body, contentType));
}
