// The hostile proxy's modes (proxy.ts), one per case of issue 11. Each passes the simulator's
// traffic through and changes only what makes it hostile, so everything else the client sees is
// a real, consistent server.
import type { Answer, Exchange, HostileMode, HostileProxy } from './proxy.ts';
import { BAD_DATES, TIME_MARKER, htmlDataUrl, htmlFor, plainDataUrl } from './payloads.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every object in a JSON value, parents before children. */
function* objects(v: unknown, depth = 0): Generator<Obj> {
  if (depth > 64) return;
  if (Array.isArray(v)) for (const x of v) yield* objects(x, depth + 1);
  else if (isObj(v)) {
    yield v;
    for (const x of Object.values(v)) yield* objects(x, depth + 1);
  }
}

function linkHref(o: Obj, rel: string): string | undefined {
  const links = o._links;
  if (!isObj(links)) return undefined;
  const l = links[rel];
  return isObj(l) && typeof l.href === 'string' ? l.href : undefined;
}

/** Several modes at once: intercepts in order (first answer wins), then every rewrite. */
export function combine(...modes: HostileMode[]): HostileMode {
  return {
    name: modes.map((m) => m.name).join('+'),
    async intercept(ex, proxy) {
      for (const m of modes) {
        const a = await m.intercept?.(ex, proxy);
        if (a) return a;
      }
      return undefined;
    },
    async rewrite(ex, answer, proxy) {
      for (const m of modes) await m.rewrite?.(ex, answer, proxy);
    },
  };
}

// --- 1. hugeHtml ---------------------------------------------------------------------------------

/**
 * A message or invitation whose plain text carries `HOSTILE-HTML-<kind>` (payloads.ts htmlMarker)
 * reaches the client HTML-only, its body the 200 KB payload of that kind: live events (the
 * invitation's first message, message events) and transcripts alike.
 */
export function hugeHtml(): HostileMode {
  return {
    name: 'hugeHtml',
    rewrite(_ex, answer, proxy) {
      for (const o of objects(answer.json)) {
        const links = o._links;
        if (!isObj(links)) continue;
        for (const rel of ['plainMessage', 'message']) {
          const href = linkHref(o, rel);
          const kind = href?.startsWith('data:') ? /HOSTILE-HTML-([a-z]+)/.exec(href)?.[1] : undefined;
          const html = kind ? htmlFor(kind) : undefined;
          if (!html) continue;
          if (rel === 'plainMessage') {
            delete links.plainMessage;
            links.htmlMessage = { href: htmlDataUrl(html) };
          } else links.message = { href: htmlDataUrl(html) };
          proxy.bump(`hugeHtml.${kind}`);
        }
      }
    },
  };
}

// --- 2. eventFlood -------------------------------------------------------------------------------

export interface PgetObservation {
  /** Flood batch this P-GET asks for (1 = the first). */
  batch: number;
  at: number;
  /** Events handed out by the flood before this P-GET. */
  eventsSent: number;
}

export interface FloodOptions {
  /** Events per batch; default 2000. */
  batchEvents?: number;
  /** How long the flood lasts once it started (ms). */
  durationMs: number;
  /** Every n-th event is a typing event (the rest are messages); default 10. */
  typingEvery?: number;
  /** Called as each flood P-GET arrives, before it is answered: the test reads the client's state. */
  onPget?: (o: PgetObservation) => void;
}

export interface FloodMode extends HostileMode {
  /** Start flooding at the next P-GET (once a message event has been seen to copy its shape). */
  arm(): void;
  readonly started: boolean;
  readonly over: boolean;
  readonly batches: number;
  readonly eventsSent: number;
  readonly pgets: PgetObservation[];
  /** Resolves when the flood is over and the client is back on the simulator's channel. */
  readonly done: Promise<void>;
}

/** The text of flood message number `seq` (tests parse it back). */
export const floodText = (seq: number): string => `flood #${seq}`;
export const FLOOD_TEXT_RE = /^flood #(\d+)$/;

interface Template { senderHref: string; message: Obj; participantHref: string; participantTitle: string; typingHref: string }

/**
 * Every P-GET answered at once with `batchEvents` valid events (messages and typing in a live
 * conversation the client accepted) for `durationMs`; its `next` links keep the simulator's ack
 * and add `hostileFlood=<n>`, so when the flood ends the client is handed back to the simulator's
 * channel exactly where it left it. The message shape is copied from the first real message event.
 */
export function eventFlood(o: FloodOptions): FloodMode {
  const perBatch = o.batchEvents ?? 2000;
  const typingEvery = o.typingEvery ?? 10;
  let template: Template | null = null;
  let armed = false;
  let startedAt = 0;
  let over = false;
  let batches = 0;
  let eventsSent = 0;
  let seq = 0;
  let typing = false;
  const pgets: PgetObservation[] = [];
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  const baseTime = Date.now();

  const capture = (json: unknown) => {
    if (template || !isObj(json) || !Array.isArray(json.sender)) return;
    for (const block of json.sender) {
      if (!isObj(block) || block.rel !== 'conversation' || !Array.isArray(block.events)) continue;
      for (const ev of block.events) {
        const emb = isObj(ev) && isObj(ev._embedded) ? ev._embedded.message : undefined;
        if (!isObj(emb) || emb.direction !== 'Incoming') continue;
        const participantHref = linkHref(emb, 'participant');
        const messaging = linkHref(emb, 'messaging');
        const links = emb._links as Obj;
        const title = isObj(links.participant) && typeof links.participant.title === 'string' ? links.participant.title : '';
        if (!participantHref || !messaging) continue;
        template = { senderHref: String(block.href), message: emb, participantHref, participantTitle: title, typingHref: `${messaging}/typingParticipants` };
        return;
      }
    }
  };

  const build = (): Obj[] => {
    const t = template!;
    const events: Obj[] = [];
    const messagesBase = `${linkHref(t.message, 'messaging')}/messages`;
    for (let i = 0; i < perBatch; i++) {
      seq++;
      if (typingEvery > 0 && seq % typingEvery === 0) {
        typing = !typing;
        events.push({ link: { rel: 'participant', href: t.participantHref, title: t.participantTitle }, in: { rel: 'typingParticipants', href: t.typingHref }, type: typing ? 'added' : 'deleted' });
        continue;
      }
      const href = `${messagesBase}/${1_000_000 + seq}`;
      const links: Obj = { ...(t.message._links as Obj), self: { href }, plainMessage: { href: plainDataUrl(floodText(seq)) } };
      delete links.htmlMessage;
      const message = { ...t.message, timeStamp: `/Date(${baseTime + seq})/`, _links: links };
      events.push({ link: { rel: 'message', href }, _embedded: { message }, status: 'Success', type: 'completed' });
    }
    return events;
  };

  return {
    name: 'eventFlood',
    arm() { armed = true; },
    get started() { return startedAt > 0; },
    get over() { return over; },
    get batches() { return batches; },
    get eventsSent() { return eventsSent; },
    pgets,
    done,
    intercept(ex: Exchange, proxy: HostileProxy): Answer | undefined {
      if (ex.method !== 'GET' || !/\/events$/i.test(ex.url.pathname)) return undefined;
      const u = new URL(ex.url);
      const flooding = armed && template !== null && !over && (startedAt === 0 || Date.now() - startedAt < o.durationMs);
      if (!flooding) {
        if (startedAt > 0 && !over) { over = true; finish(); }
        if (u.searchParams.has('hostileFlood')) {
          u.searchParams.delete('hostileFlood');
          ex.path = u.pathname + u.search;
        }
        return undefined;
      }
      if (startedAt === 0) startedAt = Date.now();
      const n = ++batches;
      const seen: PgetObservation = { batch: n, at: Date.now(), eventsSent };
      pgets.push(seen);
      o.onPget?.(seen);
      const events = build();
      eventsSent += events.length;
      proxy.bump('eventFlood.events', events.length);
      const ack = u.searchParams.get('ack') ?? '';
      const at = (k: number) => `${u.pathname}?ack=${encodeURIComponent(ack)}&hostileFlood=${k}`;
      return {
        status: 200,
        headers: { 'cache-control': 'no-cache' },
        json: { _links: { self: { href: at(n) }, next: { href: at(n + 1) } }, sender: [{ rel: 'conversation', href: template!.senderHref, events }] },
      };
    },
    rewrite(ex, answer) {
      if (ex.method === 'GET' && /\/events$/i.test(ex.url.pathname)) capture(answer.json);
    },
  };
}

// --- 3. endlessPages -----------------------------------------------------------------------------

export interface EndlessOptions {
  /** The log whose transcripts never end (its id, the last path segment); default: the first asked for. */
  logId?: string;
  /** Entries per fabricated page; default 20 (the simulator's page size). */
  perPage?: number;
}

export interface EndlessMode extends HostileMode {
  readonly pages: number;
}

const TRANSCRIPTS_RE = /\/conversationLogs\/([^/]+)\/conversationLogTranscripts$/i;

/** One log's transcripts whose `nextConversationLogTranscripts` is always a new URL. */
export function endlessPages(o: EndlessOptions = {}): EndlessMode {
  const perPage = o.perPage ?? 20;
  let target = o.logId ?? null;
  let contact: unknown = null;
  let pages = 0;
  const base = Date.parse('2024-01-01T00:00:00Z');
  const page = (path: string, n: number): Obj => {
    const entries: Obj[] = [];
    for (let i = 0; i < perPage; i++) {
      const self = `${path}/endless-${n}-${i}`;
      entries.push({
        rel: 'conversationLogTranscript',
        timeStamp: `/Date(${base + (n * perPage + i) * 1000})/`,
        _links: { self: { href: self }, ...(contact ? { contact } : {}) },
        _embedded: { messageTranscript: { rel: 'messageTranscript', _links: { self: { href: `${self}/messageTranscript` }, plainMessage: { href: plainDataUrl(`Endless page ${n}, line ${i}: the server never says this is the last page.`) } } } },
      });
    }
    return {
      rel: 'conversationLogTranscripts',
      _links: { self: { href: `${path}?hostilePage=${n}` }, nextConversationLogTranscripts: { href: `${path}?hostilePage=${n + 1}` } },
      _embedded: { conversationLogTranscript: entries },
    };
  };
  const ours = (ex: Exchange): string | null => {
    if (ex.method !== 'GET') return null;
    const m = TRANSCRIPTS_RE.exec(ex.url.pathname);
    if (!m) return null;
    target ??= m[1] ?? null;
    return m[1] === target ? ex.url.pathname : null;
  };
  return {
    name: 'endlessPages',
    get pages() { return pages; },
    intercept(ex, proxy) {
      const path = ours(ex);
      const n = Number(ex.url.searchParams.get('hostilePage'));
      if (!path || !Number.isInteger(n) || n < 1) return undefined;
      pages++;
      proxy.bump('endlessPages.pages');
      return { status: 200, headers: {}, json: page(path, n) };
    },
    rewrite(ex, answer) {
      const path = ours(ex);
      if (!path || ex.url.searchParams.has('hostilePage') || !isObj(answer.json)) return;
      const links = answer.json._links;
      if (!isObj(links)) return;
      for (const e of objects(answer.json._embedded)) {
        if (e.rel === 'conversationLogTranscript' && isObj(e._links) && e._links.contact) { contact = e._links.contact; break; }
      }
      links.nextConversationLogTranscripts = { href: `${path}?hostilePage=1` };
    },
  };
}

// --- 4. badTimestamp -----------------------------------------------------------------------------

/**
 * Dates no Date can hold (payloads.ts BAD_DATES): the creationTime of every log whose subject has
 * TIME_MARKER, every timeStamp of its transcripts, and the timeStamp of every message (events,
 * resources) whose text has TIME_MARKER.
 */
export function badTimestamp(): HostileMode {
  const logs = new Set<string>();
  let k = 0;
  const bad = () => BAD_DATES[k++ % BAD_DATES.length];
  return {
    name: 'badTimestamp',
    rewrite(ex, answer, proxy) {
      const json = answer.json;
      if (json === undefined) return;
      const m = TRANSCRIPTS_RE.exec(ex.url.pathname);
      const transcriptsOfOurs = m && logs.has(m[1] ?? '');
      for (const o of objects(json)) {
        if (o.rel === 'conversationLog' && typeof o.subject === 'string' && o.subject.includes(TIME_MARKER)) {
          const self = linkHref(o, 'self') ?? ex.url.pathname;
          logs.add(self.split('?')[0]!.split('/').pop() ?? '');
          o.creationTime = bad();
          proxy.bump('badTimestamp.logs');
        } else if (transcriptsOfOurs && o.rel === 'conversationLogTranscript') {
          o.timeStamp = bad();
          proxy.bump('badTimestamp.transcripts');
        } else if (o.rel === 'message' && linkHref(o, 'plainMessage')?.includes(TIME_MARKER)) {
          o.timeStamp = bad();
          proxy.bump('badTimestamp.messages');
        }
      }
    },
  };
}

// --- 5. loopbackToken, userLink ------------------------------------------------------------------

/** The 401 challenge's MsRtcOAuth token endpoint points at `tokenUrl` (e.g. http://localhost:<trap>). */
export function tokenChallengeTo(tokenUrl: string): HostileMode {
  const swap = (v: string) => v.replace(/MsRtcOAuth\s+href="[^"]*"/i, `MsRtcOAuth href="${tokenUrl}"`);
  return {
    name: 'loopbackToken',
    rewrite(_ex, answer, proxy) {
      if (answer.status !== 401) return;
      const h = answer.headers['www-authenticate'];
      if (h === undefined) return;
      answer.headers['www-authenticate'] = Array.isArray(h) ? h.map(swap) : swap(h);
      proxy.bump('loopbackToken.challenges');
    },
  };
}

/** The discovery root's `user` link points at `href` (http://…, file:…, another host). */
export function userLinkTo(href: string): HostileMode {
  return {
    name: 'userLink',
    rewrite(ex, answer, proxy) {
      if (ex.method !== 'GET' || !/\/autodiscover\/autodiscoverservice\.svc\/root\/?$/i.test(ex.url.pathname) || !isObj(answer.json)) return;
      const links = answer.json._links;
      if (!isObj(links) || !isObj(links.user)) return;
      links.user = { href };
      proxy.bump('userLink.rewritten');
    },
  };
}
