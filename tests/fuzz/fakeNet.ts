// In-process network for the parser fuzz: a Transport that answers from a script (no sockets),
// a UcwaClient over it, and a fetch that returns a generated Response — so the real client code
// (getJson, searchPeople, discover, signInToPool, the transport's body handling) runs on generated
// answers at parser speed, and every request it makes is recorded for the origin checks.
import { UcwaClient } from '../../main/core/ucwa/client.ts';
import type { HttpRequest, HttpResponse, Transport } from '../../main/core/ucwa/transport.ts';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

export interface ScriptedTransport extends Transport {
  requests: HttpRequest[];
}

/** Answers the n-th request with answer(n, request) (no answer: 404). */
export function scriptedTransport(answer: (n: number, req: HttpRequest) => Answer | undefined): ScriptedTransport {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async request(req) {
      requests.push(req);
      const a = answer(requests.length - 1, req) ?? { status: 404 };
      const res: HttpResponse = { status: a.status, headers: latin1Headers(a.headers ?? { 'content-type': 'application/json' }), url: req.url, text: a.text ?? '', json: a.json };
      return res;
    },
  };
}

/** Header values as fetch hands them over: bytes read as Latin-1, no CR/LF/NUL (a generated href may hold anything). */
export function latin1Headers(h: Record<string, string>): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) out.set(k, Buffer.from(v.replace(/[\r\n\0]/g, ' '), 'utf8').toString('latin1').trim());
  return out;
}

export const TOKEN = 'cwt=FUZZTOKEN';

/** A signed-in client whose every request gets `body` (200, JSON). */
export function clientAnswering(origin: string, answer: (n: number, req: HttpRequest) => Answer | undefined): { client: UcwaClient; transport: ScriptedTransport } {
  const transport = scriptedTransport(answer);
  const client = new UcwaClient({
    transport,
    token: { accessToken: TOKEN, tokenType: 'Bearer', expiresAt: Number.MAX_SAFE_INTEGER, renewAt: Number.MAX_SAFE_INTEGER, origin, tokenUrl: `${origin}/WebTicket/oauthtoken` },
    credentials: { username: 'demo@contoso.com', password: 'fuzz-password' },
    poolBase: `${origin}/`,
    now: () => 0,
  });
  return { client, transport };
}

/** Whether a request carries the bearer token to an origin other than the one that issued it. */
export function tokenOffOrigin(req: HttpRequest, tokenOrigin: string): boolean {
  const auth = Object.entries(req.headers ?? {}).some(([k, v]) => k.toLowerCase() === 'authorization' && v.includes(TOKEN));
  if (!auth) return false;
  try {
    return new URL(req.url).origin !== tokenOrigin;
  } catch {
    return true;
  }
}
