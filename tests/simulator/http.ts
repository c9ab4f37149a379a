// Tiny plain-HTTP client for the simulator tests: sign-in, application, P-GET reader.
// Deliberately independent of the app's UCWA client (DESIGN.md §2: both test against the wire).

import { startSimulator } from '../../simulator/index.ts';
import type { Simulator, SimulatorOptions, SimUser } from '../../simulator/index.ts';

export const DOMAIN = 'contoso.com';
export const ALICE = 'sip:alice@contoso.com';
export const BOB = 'sip:bob@contoso.com';

export const TEST_USERS: SimUser[] = [
  { sip: ALICE, name: 'Alice Local', password: 'pw', email: 'alice@contoso.com', title: 'Engineer', department: 'R&D' },
  { sip: BOB, name: 'Bob Second', password: 'pw' },
  { sip: 'sip:echo@contoso.com', name: 'Echo Person', behaviour: { kind: 'echo' } },
  { sip: 'sip:silent@contoso.com', name: 'Silent Sam', behaviour: { kind: 'neverAnswer' } },
  { sip: 'sip:nope@contoso.com', name: 'Nora Nope', behaviour: { kind: 'decline' } },
  { sip: 'sip:typer@contoso.com', name: 'Tina Typer', behaviour: { kind: 'typeThenReply', typingMs: 100, text: 'typed reply' } },
  { sip: 'sip:replier@contoso.com', name: 'Ray Replier', behaviour: { kind: 'reply', afterMs: 100, text: 'later reply' } },
];

/** A quiet world: explicit users, no demo contacts (no writeFirst surprises), fast timers. */
export function startTestSim(opts: SimulatorOptions = {}): Promise<Simulator> {
  // Protocol timers that a test does not exercise are stretched so a slow machine cannot trip them.
  return startSimulator({
    demoWorld: false,
    users: TEST_USERS,
    timeScale: 0.001,
    applicationExpirySec: 100_000,
    callbackChannelDeadSec: 10_000,
    invitationTimeoutSec: 3000,
    ...opts,
  });
}

/** Run `fn` against a fresh simulator that is always stopped afterwards. */
export async function withSim(opts: Parameters<typeof startTestSim>[0], fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startTestSim(opts);
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

export interface Res {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export async function req(url: string, init: RequestInit = {}): Promise<Res> {
  const r = await fetch(url, init);
  const text = await r.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, json, text };
}

export async function getToken(origin: string, username: string, password: string): Promise<Res> {
  return req(`${origin}/WebTicket/oauthtoken`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
  });
}

/** One signed-in user with one application. */
export class Session {
  readonly origin: string;
  readonly token: string;
  app: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly events: EventReader;

  constructor(origin: string, token: string, app: unknown) {
    this.origin = origin;
    this.token = token;
    this.app = app;
    this.events = new EventReader(this, this.app._links.events.href);
  }

  static async open(sim: Simulator, sip = ALICE, password = 'pw', origin = sim.origin): Promise<Session> {
    const t = await getToken(origin, sip.replace(/^sip:/, ''), password);
    if (t.status !== 200) throw new Error(`token: ${t.status} ${t.text}`);
    const token = t.json.access_token as string;
    const a = await req(`${origin}/ucwa/oauth/v1/applications`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ UserAgent: 'SimTests/1.0', EndpointId: crypto.randomUUID(), Culture: 'en-US' }),
    });
    if (a.status !== 201) throw new Error(`application: ${a.status} ${a.text}`);
    return new Session(origin, token, a.json);
  }

  url(href: string): string {
    return new URL(href, this.origin).toString();
  }

  get(href: string, headers: Record<string, string> = {}): Promise<Res> {
    return req(this.url(href), { headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...headers } });
  }

  post(href: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const h: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...headers };
    let payload: string | undefined;
    if (typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    }
    return req(this.url(href), { method: 'POST', headers: h, body: payload });
  }

  del(href: string): Promise<Res> {
    return req(this.url(href), { method: 'DELETE', headers: { Authorization: `Bearer ${this.token}` } });
  }

  get comm(): Record<string, { href: string }> {
    return this.app._embedded.communication._links;
  }

  get me(): Record<string, { href: string }> {
    return this.app._embedded.me._links;
  }

  async makeMeAvailable(): Promise<void> {
    const r = await this.post(this.me.makeMeAvailable!.href, { SupportedModalities: ['Messaging'], supportedMessageFormats: ['Plain', 'Html'] });
    if (r.status !== 204) throw new Error(`makeMeAvailable ${r.status} ${r.text}`);
  }
}

export interface Ev {
  sender: string;
  senderHref: string;
  rel: string;
  href: string;
  type: string;
  status?: string;
  reason?: { code: string; subcode?: string; message?: string };
  in?: { rel: string; href: string };
  embedded?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function flatten(batch: any): Ev[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Ev[] = [];
  for (const s of batch?.sender ?? []) {
    for (const e of s.events) {
      out.push({ sender: s.rel, senderHref: s.href, rel: e.link.rel, href: e.link.href, type: e.type, status: e.status, reason: e.reason, in: e.in, embedded: e._embedded?.[e.link.rel] });
    }
  }
  return out;
}

/** Sequential P-GET loop; keeps every event seen, in order. */
export class EventReader {
  readonly #s: Session;
  next: string;
  readonly seen: Ev[] = [];

  constructor(s: Session, first: string) {
    this.#s = s;
    this.next = first;
  }

  async batch(): Promise<Res> {
    const r = await this.#s.get(this.next);
    if (r.status !== 200) throw new Error(`P-GET ${r.status} ${r.text}`);
    if (r.json._links.next) this.next = r.json._links.next.href;
    this.seen.push(...flatten(r.json));
    return r;
  }

  /** P-GET until `pred` holds over all events seen; returns the events seen from the call on. */
  async until(pred: (evs: Ev[]) => boolean, timeoutMs = 5000): Promise<Ev[]> {
    const start = this.seen.length;
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.seen.slice(start))) {
      if (Date.now() > deadline) throw new Error(`timeout waiting for events; got ${this.seen.slice(start).map(fmt).join(', ')}`);
      await this.batch();
    }
    return this.seen.slice(start);
  }

  untilEvent(rel: string, type: string, timeoutMs?: number): Promise<Ev[]> {
    return this.until((evs) => evs.some((e) => e.rel === rel && e.type === type), timeoutMs);
  }
}

export const fmt = (e: Ev): string => `${e.sender}/${e.rel}:${e.type}${e.in ? '@' + e.in.rel : ''}${e.status ? ':' + e.status : ''}`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function isDate(v: unknown): boolean {
  return typeof v === 'string' && /^\/Date\(\d+\)\/$/.test(v);
}

export function dateMs(v: string): number {
  return Number(/\d+/.exec(v)?.[0]);
}

/** Decode a data URL the way a client would (percent, '+', base64). */
export function decodeData(href: string): string {
  const m = /^data:([^,]*),(.*)$/s.exec(href);
  if (!m) throw new Error(`not a data URL: ${href}`);
  if (/;base64/i.test(m[1] ?? '')) return Buffer.from(m[2] ?? '', 'base64').toString('utf8');
  return decodeURIComponent((m[2] ?? '').replace(/\+/g, ' '));
}
