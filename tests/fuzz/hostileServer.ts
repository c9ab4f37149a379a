// The loopback UCWA server of the service fuzz. It signs the client in with valid shapes (the
// simulator's recorded answers) and then answers every P-GET, resource GET, conversation-log and
// transcript page, people search and POST with a generated body (event batches, resources, logs,
// errors with Retry-After, raw garbage), hrefs to other origins included. Beside it, two "foreign"
// servers (another host, 127.0.0.2, and another port) record every request that reaches them: one
// carrying the bearer token is a token sent off its issuing origin.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import { shapes } from './corpus.ts';
import { inputSeed, describe } from './engine.ts';
import { safeStringify } from './targets.ts';
import { application, batch, conversationLog, conversationLogs, leafArbs, message, resource, search, transcripts } from './arb/resources.ts';
import { APP, contentType, retryAfter, type Origins } from './arb/strings.ts';
import type { Sizes } from './arb/values.ts';

export const TOKEN = 'cwt=FUZZ-SERVICE-TOKEN';
export const ROOT_PATH = '/autodiscover/autodiscoverservice.svc/root';

export interface Listening {
  server: Server;
  origin: string;
  close(): Promise<void>;
}

async function listen(host: string, handler: (req: IncomingMessage, res: ServerResponse, body: string) => unknown): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, () => resolve()); });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

export interface ForeignHit {
  origin: string;
  method: string;
  url: string;
  authorization: string | null;
}

/** A server that must never be reached with the token: records what reaches it, answers 404. */
export async function startForeign(host: string, hits: ForeignHit[]): Promise<Listening> {
  let origin = '';
  const l = await listen(host, (req, res) => {
    hits.push({ origin, method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization ?? null });
    res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
  });
  origin = l.origin;
  return l;
}

export interface Served {
  kind: string;
  index: number;
  path: string;
  body: string;
}

export interface PoolOptions {
  seed: number;
  sizes: Sizes;
  /** Waits before a P-GET is answered (the harness lets the client catch up: no flood here). */
  beforeBatch?: () => Promise<void>;
}

export interface Pool extends Listening {
  /** Generated bodies served, by kind. */
  inputs: Record<string, number>;
  /** The last bodies served (a crash report shows what preceded it). */
  recent: Served[];
  /** Requests to the pool without the token where one is needed (the client forgot it: not a leak). */
  unauthenticated: number;
  /** Start generating (after the foreign servers are up, their origins known). */
  arm(origins: Origins): void;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(status === 204 ? undefined : typeof body === 'string' ? body : safeStringify(body));
};

export async function startPool(o: PoolOptions): Promise<Pool> {
  const corpus = shapes();
  const inputs: Record<string, number> = {};
  const recent: Served[] = [];
  let gens: Record<string, fc.Arbitrary<unknown>> | null = null;
  /** Transcript pages served since the last log list: an endless `next` is cut off here (sync bounds are tested elsewhere). */
  let pages = 0;

  const gen = (kind: string, path: string): unknown => {
    const arb = gens?.[kind];
    if (!arb) throw new Error(`no generator ${kind}`);
    const index = inputs[kind] ?? 0;
    inputs[kind] = index + 1;
    const value = fc.sample(arb, { seed: inputSeed(o.seed, `service:${kind}`, index), numRuns: 1 })[0];
    recent.push({ kind, index, path, body: describe(value, 600).text });
    if (recent.length > 30) recent.shift();
    return value;
  };

  const pool = await listen('127.0.0.1', async (req, res, reqBody) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.toLowerCase();
    const authed = req.headers.authorization === `Bearer ${TOKEN}`;
    const challenge = { 'www-authenticate': `MsRtcOAuth href="${pool.origin}/WebTicket/oauthtoken",grant_type="password"` };
    // --- sign-in: valid shapes ---
    if (path === ROOT_PATH) return json(res, 200, corpus.root[0]);
    if (path.endsWith('/oauth/user')) return authed ? json(res, 200, corpus.user.find((u) => JSON.stringify(u).includes('applications'))) : json(res, 401, '', challenge);
    if (path === '/webticket/oauthtoken') {
      return reqBody.includes('password=demo') ? json(res, 200, { access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 }) : json(res, 400, { error: 'invalid_grant' });
    }
    if (!authed) {
      pool.unauthenticated++;
      return json(res, 401, '', challenge);
    }
    if (req.method === 'POST' && path === '/ucwa/oauth/v1/applications') return json(res, 201, corpus.application[0], { location: APP });
    if (req.method === 'DELETE') return json(res, 204, '');
    if (!gens) return json(res, 503, { code: 'ServiceFailure' });
    const where = `${req.method} ${url.pathname}${url.search}`;
    // --- now and then: an error, or a body that is no JSON document at all ---
    const roll = inputSeed(o.seed, 'roll', (inputs.roll = (inputs.roll ?? 0) + 1)) % 100;
    if (roll < 3 && !path.endsWith('/makemeavailable')) {
      const r = gen('raw', where) as { status: number; ct: string; text: string; retry: string };
      res.writeHead(r.status, { 'content-type': r.ct, 'retry-after': r.retry.replace(/[^\x20-\x7e]/g, '') });
      return res.end(r.text);
    }
    if (req.method === 'POST') {
      if (/\/(messaginginvitations|continuemessaging|messages|startmessaging)/.test(path)) {
        const loc = gen('location', where) as string;
        return json(res, 201, '', { location: loc.replace(/[^\x20-\x7e]/g, '') });
      }
      return json(res, 204, '');
    }
    // --- GETs ---
    if (url.searchParams.has('timeout') || path.includes('/events')) {
      await o.beforeBatch?.();
      return json(res, 200, gen('batch', where));
    }
    if (path === APP.toLowerCase()) return json(res, 200, roll < 90 ? corpus.application[1] ?? corpus.application[0] : gen('application', where));
    if (path.endsWith('/conversationlogs')) {
      pages = 0;
      return json(res, 200, gen('conversationLogs', where));
    }
    if (path.includes('/conversationlogtranscripts')) {
      if (++pages > 40) return json(res, 200, { _links: { self: { href: url.pathname } } });
      return json(res, 200, gen('transcripts', where));
    }
    if (path.includes('/conversationlogs/')) return json(res, 200, gen('conversationLog', where));
    if (path.includes('/search')) return json(res, 200, gen('search', where));
    if (path.includes('/messages/')) return json(res, 200, gen('message', where));
    return json(res, 200, gen('resource', where));
  }) as Pool;

  pool.inputs = inputs;
  pool.recent = recent;
  pool.unauthenticated = 0;
  pool.arm = (origins) => {
    const a = leafArbs(origins, o.sizes);
    const s = o.sizes;
    const raw = fc.record({
      status: fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 409, 410, 429, 500, 502, 503),
      ct: contentType(),
      retry: retryAfter(s),
      text: fc.oneof(batch(a, s).map((b) => safeStringify(b).slice(0, 5000)), fc.constantFrom('', '{', '[', 'null', '<html>', '\ufeff{}', '{"code":"ApplicationNotFound","subcode":"ApplicationNotFound"}', '{"code":"Conflict","subcode":"PGetReplaced"}', '{"code":"Gone","subcode":"InactiveApplicationExpired"}'), a.junk.map((j) => safeStringify(j))),
    });
    gens = {
      batch: batch(a, s), application: application(a, s), conversationLogs: conversationLogs(a, s), conversationLog: conversationLog(a, s),
      transcripts: transcripts(a, s), search: search(a, s), message: message(a, s), resource: resource(a, s), location: a.href, raw,
    };
  };
  return pool;
}
