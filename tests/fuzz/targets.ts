// What the parser fuzz runs: per kind of input, its generator and the client code it goes
// through, the error classes that code documents (anything else thrown is a crash), and the checks
// on what came out (a violation: a parsed date Date cannot hold, a request carrying the token or
// the password where it must not go, a resolved href on another origin).
import fc from 'fast-check';
import { parseApplication, meInfo } from '../../main/core/ucwa/application.ts';
import { discover, signInToPool } from '../../main/core/ucwa/auth.ts';
import { parseMsRtcOAuth } from '../../main/core/ucwa/challenge.ts';
import { locationOf } from '../../main/core/ucwa/client.ts';
import { DataUrlError, decodeDataUrl, decodeDataUrlFull, encodeDataUrl, tryDecodeDataUrl } from '../../main/core/ucwa/dataUrl.ts';
import { formatUcwaDate, parseUcwaDate } from '../../main/core/ucwa/dates.ts';
import { BadResponseError, NetworkError, parseRetryAfter, SignInError, UcwaError } from '../../main/core/ucwa/errors.ts';
import { parseBatch } from '../../main/core/ucwa/events.ts';
import { assertDiscoveryTarget, assertSecureScheme, isInDomain, resolveHref } from '../../main/core/ucwa/hypermedia.ts';
import { asResource, embedded, embeddedList, lastSegment, link, links, linkTitle, str } from '../../main/core/ucwa/links.ts';
import * as R from '../../main/core/ucwa/resources.ts';
import { createTransport, errorFromResponse, isJsonContentType } from '../../main/core/ucwa/transport.ts';
import { parseContact, parseContactCollection, parseMyGroups, parsePeopleLinks } from '../../main/core/ucwa/contacts.ts';
import { parseLocation, parseNote, parsePresence, parsePresenceSubscription } from '../../main/core/ucwa/presence.ts';
import { classifyPeopleEvent } from '../../main/core/ucwa/peopleEvents.ts';
import { LIMITS } from '../../main/core/limits.ts';
import { AppError } from '../../main/core/app/types.ts';
import { logKeyFromHref } from '../../main/core/store/keys.ts';
import { application, batch, conversationLog, conversationLogs, leafArbs, message, resource, search, signInDoc, transcripts, type Arbs } from './arb/resources.ts';
import { challenge, contentType, FAKE_ORIGINS, retryAfter, type Origins } from './arb/strings.ts';
import { deepValue, type Sizes } from './arb/values.ts';
import { clientAnswering, latin1Headers, scriptedTransport, type Answer } from './fakeNet.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

/** The errors the client documents (main/core/ucwa/errors.ts, app/errors.ts, dataUrl.ts). */
export const DOCUMENTED: readonly ErrorClass[] = [BadResponseError, UcwaError, SignInError, NetworkError, AppError, DataUrlError];

/** A contract the output broke (counted apart from crashes, printed the same way). */
export class Violation extends Error {
  readonly what: 'offOrigin' | 'passwordOffDomain' | 'contract';
  constructor(what: Violation['what'], message: string) {
    super(message);
    this.name = 'Violation';
    this.what = what;
  }
}

export interface Target {
  kind: string;
  arb: fc.Arbitrary<unknown>;
  run(input: unknown): void | Promise<void>;
  /** Errors this code may throw on bad input (anything else is a crash). */
  allowed: readonly ErrorClass[];
}

const ME = R.personFromSip('sip:demo@contoso.com', 'Dana Demo');
const PEOPLE = new Map([['sip:bob@contoso.com', 'Bob']]);
const MAX_DATE = 8.64e15;

function representable(at: number | null, what: string): void {
  if (at === null) return;
  if (!Number.isFinite(at) || Math.abs(at) > MAX_DATE) throw new Violation('contract', `${what}: ${at} is outside what Date can hold (new Date(x).toISOString() throws)`);
}

/** The people parsers (issue 13) on any body: total, their addresses keys, their text within LIMITS. */
function peopleParsers(doc: unknown): void {
  const sips: (string | undefined)[] = [];
  const list = parseContactCollection(doc);
  sips.push(...list.contacts.map((c) => c.sip), parseContact(doc)?.sip);
  for (const c of list.contacts) {
    if ((c.card.name?.length ?? 0) > LIMITS.nameChars || (c.card.emails?.length ?? 0) > LIMITS.emailsPerPerson) throw new Violation('contract', `contact ${c.sip}: a field over its bound`);
  }
  for (const g of [...parseMyGroups(doc), ...list.distributionGroups]) {
    if (g.name.length > LIMITS.groupNameChars || g.serverId.length === 0 || g.serverId.length > LIMITS.groupNameChars) throw new Violation('contract', `group ${g.serverId.slice(0, 40)}: id or name out of bounds`);
  }
  for (const sip of sips) if (sip != null && !/^sip:[^@\s]+@[^@\s]+$/.test(sip)) throw new Violation('contract', `${sip.slice(0, 60)} is not an address`);
  representable(parsePresence(doc).lastActive, 'contactPresence lastActive');
  parsePeopleLinks(doc);
  if (parseNote(doc).message.length > LIMITS.noteChars || parseLocation(doc).location.length > LIMITS.locationChars) throw new Violation('contract', 'a note or location over its bound');
  parsePresenceSubscription(doc);
}

function sameOrigin(url: string, origin: string, what: string): void {
  if (new URL(url).origin !== origin) throw new Violation('offOrigin', `${what} resolved to ${url}, outside ${origin}`);
}

const answerArb = (body: fc.Arbitrary<unknown>, a: Arbs): fc.Arbitrary<Answer> => fc.oneof(
  { weight: 8, arbitrary: body.map((json) => ({ status: 200, json })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(301, 302, 307, 400, 401, 403, 404, 409, 410, 429, 500, 503), a.href, a.junk).map(([status, loc, json]) => ({ status, headers: { location: loc }, json })) },
);

function signInTarget(o: Origins, a: Arbs, sizes: Sizes): Target {
  const answers = (arb: fc.Arbitrary<Answer>) => fc.array(arb, { minLength: 1, maxLength: 5 });
  const challengeAnswer = fc.tuple(challenge(o, sizes), fc.constantFrom(401, 401, 401, 200, 500)).map(([c, status]): Answer => ({
    status, headers: { 'www-authenticate': Array.isArray(c) ? c.join(', ') : c, 'content-type': 'text/html' },
  }));
  const arb = fc.record({
    explicit: fc.boolean(),
    root: answers(answerArb(signInDoc('root', a, sizes), a)),
    challenge: answers(challengeAnswer),
    token: answers(answerArb(signInDoc('token', a, sizes), a)),
    user: answers(answerArb(signInDoc('user', a, sizes), a)),
  });
  return {
    kind: 'signin',
    arb,
    allowed: DOCUMENTED,
    async run(input) {
      const s = input as { explicit: boolean; root: Answer[]; challenge: Answer[]; token: Answer[]; user: Answer[] };
      const used = { root: 0, challenge: 0, token: 0, user: 0 };
      const next = (k: keyof typeof used) => s[k][used[k]++ % s[k].length];
      /** access token → origins of the token endpoints that issued it (a server may reuse a string). */
      const issued = new Map<string, Set<string>>();
      const t = scriptedTransport((_, req) => {
        const auth = req.headers?.Authorization;
        if (req.method === 'POST') {
          const ans = next('token');
          const tok = (ans?.json as { access_token?: unknown } | undefined)?.access_token;
          if (ans?.status === 200 && typeof tok === 'string' && tok) issued.set(tok, (issued.get(tok) ?? new Set()).add(new URL(req.url).origin));
          return ans;
        }
        if (auth) return next('user');
        return /\/user\b/i.test(req.url) ? next('challenge') : next('root');
      });
      const check = () => {
        for (const req of t.requests) {
          const url = new URL(req.url);
          const auth = req.headers?.Authorization;
          if (auth) {
            // "<token_type> <access_token>": both came from the server, either may hold spaces.
            const origins = [...issued].filter(([tok]) => auth.endsWith(` ${tok}`)).flatMap(([, o]) => [...o]);
            if (!origins.includes(url.origin)) throw new Violation('offOrigin', `${req.method} ${req.url} carried a token issued by ${origins.join(', ') || 'nobody'}`);
          }
          if (req.body?.includes('fuzz-password') && (url.protocol !== 'https:' || !/(^|\.)contoso\.com$/i.test(url.hostname))) {
            throw new Violation('passwordOffDomain', `the password was POSTed to ${url.origin} (the user's domain is contoso.com, over https)`);
          }
        }
      };
      try {
        const user = await discover(t, 'contoso.com', s.explicit ? 'https://lyncweb.contoso.com/autodiscover/autodiscoverservice.svc/root' : undefined);
        const res = await signInToPool(t, user, 'contoso.com', { username: 'demo@contoso.com', password: 'fuzz-password' }, () => 0);
        sameOrigin(res.applicationsHref, res.token.origin, 'applications');
      } finally {
        check();
      }
    },
  };
}

function httpBodyTarget(a: Arbs, sizes: Sizes): Target {
  const te = new TextEncoder();
  const bodyText = fc.oneof(
    { weight: 4, arbitrary: batch(a, sizes).map((b) => safeStringify(b)) },
    { weight: 2, arbitrary: fc.tuple(application(a, sizes), fc.nat()).map(([d, n]) => { const s = safeStringify(d); return s.slice(0, n % (s.length + 1)); }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('[', '{"a":', '{"_links":', '[{"x":['), fc.integer({ min: 100, max: 200_000 })).map(([c, n]) => c.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom('\ufeff{"_links":{"next":{"href":"/n"}}}', '1e999999', '"\\ud800"', '{"__proto__":{"x":1},"_links":{"next":{"href":"/n"}}}', 'null', '[]', '', ' ', '{"a":1,"a":2}', '\u0000') },
    { weight: 1, arbitrary: a.text },
  );
  const bytes = fc.oneof({ weight: 6, arbitrary: bodyText.map((s) => te.encode(s)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) });
  const arb = fc.record({ status: fc.constantFrom(200, 200, 200, 201, 204, 400, 404, 409, 410, 429, 500, 503), ct: contentType(), bytes, len: fc.option(fc.constantFrom('0', '5', '99999999999', '-1', 'abc', '1e3'), { nil: undefined }), retry: fc.option(retryAfter(sizes), { nil: undefined }) });
  return {
    kind: 'httpBody',
    arb,
    allowed: DOCUMENTED,
    async run(input) {
      const s = input as { status: number; ct: string; bytes: Uint8Array; len?: string; retry?: string };
      const headers: Record<string, string> = { 'content-type': s.ct };
      if (s.len !== undefined) headers['content-length'] = s.len;
      if (s.retry !== undefined) headers['retry-after'] = s.retry.replace(/[\r\n\0]/g, '');
      const transport = createTransport({
        fetch: async () => {
          try {
            return new Response(s.status === 204 ? null : Buffer.from(s.bytes), { status: s.status, headers });
          } catch {
            // A header value fetch itself refuses: the answer arrives without it.
            return new Response(s.status === 204 ? null : Buffer.from(s.bytes), { status: s.status, headers: { 'content-type': s.ct } });
          }
        },
        maxResponseBytes: 1024 * 1024,
      });
      const res = await transport.request({ method: 'GET', url: `${FAKE_ORIGINS.self}/ucwa/oauth/v1/applications/101/events?ack=1` });
      if (res.status >= 400) {
        errorFromResponse(res);
        return;
      }
      const r = asResource(res.json);
      if (!r) return;
      try {
        parseBatch(r);
      } catch (err) {
        if (!(err instanceof BadResponseError)) throw err;
      }
      parseApplication(r, `${FAKE_ORIGINS.self}/x`);
    },
  };
}

/** JSON.stringify, or a deep document's text written without recursion. */
export function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '['.repeat(20_000) + ']'.repeat(20_000);
  }
}

export function targets(sizes: Sizes, o: Origins = FAKE_ORIGINS): Target[] {
  const a = leafArbs(o, sizes);
  const base = `${o.self}/`;
  return [
    { kind: 'batch', arb: batch(a, sizes), allowed: [BadResponseError], run: (b) => void parseBatch(b).events.map(classifyPeopleEvent) },
    {
      kind: 'message', arb: fc.tuple(a.href, fc.option(message(a, sizes), { nil: null })), allowed: [],
      run(input) {
        const [h, m] = input as [string, unknown];
        const r = R.parseMessage(h, asResource(m));
        representable(r.at, 'message timeStamp');
      },
    },
    {
      kind: 'conversationLog', arb: fc.tuple(a.href, conversationLog(a, sizes)), allowed: [],
      run(input) {
        const [h, doc] = input as [string, unknown];
        const r = asResource(doc);
        if (!r) return;
        const p = R.parseConversationLog(h, r, ME);
        R.logFingerprint(p.input);
        logKeyFromHref(p.input.href);
        representable(p.input.createdAt, 'log creationTime');
      },
    },
    {
      kind: 'transcripts', arb: transcripts(a, sizes), allowed: [],
      run(doc) {
        const r = asResource(doc);
        if (!r) return;
        for (const m of R.parseTranscriptPage(r, ME, PEOPLE).messages) representable(m.at, 'transcript timeStamp');
      },
    },
    {
      kind: 'application', arb: application(a, sizes), allowed: [BadResponseError],
      run(doc) {
        const r = asResource(doc);
        if (!r) return;
        const app = parseApplication(r, `${base}x`);
        meInfo(app);
        for (const rel of ['conversationLogs', 'startMessaging', 'missedItems']) link(app.communication, rel);
        for (const rel of ['makeMeAvailable', 'presence', 'reportMyActivity']) link(app.me, rel);
      },
    },
    {
      kind: 'people', arb: search(a, sizes), allowed: DOCUMENTED,
      async run(doc) {
        const { client } = clientAnswering(o.self, () => ({ status: 200, json: doc }));
        await R.searchPeople(client, `${base}people/search`, 'bob', 20).catch((err: unknown) => { if (!(err instanceof BadResponseError)) throw err; });
        await R.listContacts(client, `${base}people/contacts`).catch((err: unknown) => { if (!(err instanceof BadResponseError)) throw err; });
        peopleParsers(doc);
      },
    },
    {
      kind: 'resource', arb: fc.tuple(resource(a, sizes), conversationLogs(a, sizes), fc.constantFrom('self', 'conversation', 'messaging', 'accept', 'decline', 'message', 'from', 'sendMessage', 'contact', 'participant', 'toString', '__proto__')), allowed: DOCUMENTED,
      async run(input) {
        const [doc, logs, rel] = input as [unknown, unknown, string];
        peopleParsers(doc);
        const r = asResource(doc);
        link(r, rel); links(r, rel); linkTitle(r, rel); embedded(r, rel); embeddedList(r, rel); str(r, rel);
        for (const h of [...links(r, rel), ...links(r, 'self')]) { R.sipFromHref(h); lastSegment(h); }
        const { client } = clientAnswering(o.self, (n) => ({ status: 200, json: n === 0 ? doc : logs }));
        const bad = (err: unknown) => { if (!(err instanceof BadResponseError)) throw err; };
        await R.getPresence(client, `${base}me/presence`).catch(bad);
        const hrefs = await R.listConversationLogs(client, `${base}communication/conversationLogs`, 10).catch((err: unknown) => { bad(err); return []; });
        for (const h of hrefs) logKeyFromHref(h);
        await R.getMissedItems(clientAnswering(o.self, () => ({ status: 200, json: doc })).client, `${base}communication/missedItems`).catch(bad);
      },
    },
    {
      kind: 'dataUrl', arb: fc.tuple(a.dataUrl, a.text), allowed: [DataUrlError],
      run(input) {
        const [href, text] = input as [string, string];
        tryDecodeDataUrl(href);
        let fast: string | null = null;
        try { fast = decodeDataUrl(href).text; } catch (err) { if (!(err instanceof DataUrlError)) throw err; }
        if (fast !== null) {
          let full: string | null = null;
          try { full = decodeDataUrlFull(href).text; } catch (err) { if (!(err instanceof DataUrlError)) throw err; }
          if (full !== fast) throw new Violation('contract', `the fast path decoded ${JSON.stringify(fast.slice(0, 80))}, the WHATWG path ${JSON.stringify(full?.slice(0, 80))}`);
        }
        // What the client sends: the user's own text (it may hold lone surrogates) as a data URL.
        const sent = encodeDataUrl(text);
        const back = decodeDataUrl(sent).text;
        // Lone surrogates cannot travel as UTF-8 (U+FFFD instead); a leading BOM is dropped by the decoder.
        const expected = text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd').replace(/^\ufeff/, '');
        if (back !== expected) throw new Violation('contract', `encodeDataUrl → decodeDataUrl changed ${JSON.stringify(text.slice(0, 80))} into ${JSON.stringify(back.slice(0, 80))}`);
      },
    },
    {
      kind: 'date', arb: a.date, allowed: [],
      run(v) {
        const at = parseUcwaDate(v);
        representable(at, 'parseUcwaDate');
        if (at !== null) formatUcwaDate(at);
      },
    },
    {
      kind: 'href', arb: fc.tuple(a.href, fc.option(fc.dictionary(a.text, a.text, { maxKeys: 2 }), { nil: undefined })), allowed: [BadResponseError, SignInError],
      run(input) {
        const [h, query] = input as [string, Record<string, string> | undefined];
        lastSegment(h); R.sipFromHref(h); logKeyFromHref(h);
        const { client } = clientAnswering(o.self, () => undefined);
        locationOf(client, { status: 201, headers: latin1Headers({ location: h }), url: base, text: '', json: null });
        const url = resolveHref(base, h);
        isInDomain(url.hostname, 'contoso.com');
        try { assertSecureScheme(url); assertDiscoveryTarget(url, 'contoso.com'); } catch (err) { if (!(err instanceof SignInError)) throw err; }
        sameOrigin(client.resolve(h, query), o.self, `href ${JSON.stringify(h.slice(0, 100))}`);
      },
    },
    {
      kind: 'header', arb: fc.tuple(challenge(o, sizes), retryAfter(sizes), contentType(), fc.constantFrom(400, 401, 403, 404, 409, 410, 429, 500, 503), a.junk), allowed: [],
      run(input) {
        const [c, retry, ct, status, json] = input as [string | string[], string, string, number, unknown];
        const parsed = parseMsRtcOAuth(c);
        if (parsed && typeof parsed.href !== 'string') throw new Violation('contract', 'a challenge without an href string');
        parseRetryAfter(retry, 0);
        isJsonContentType(ct);
        const e = errorFromResponse({ status, headers: latin1Headers({ 'retry-after': retry }), url: base, text: '', json }, 0);
        if (e.retryAfterMs !== undefined && !(e.retryAfterMs >= 0 && e.retryAfterMs <= 600_000)) throw new Violation('contract', `retryAfterMs ${e.retryAfterMs}`);
      },
    },
    httpBodyTarget(a, sizes),
    signInTarget(o, a, sizes),
    { kind: 'deepJson', arb: deepValue(sizes), allowed: [BadResponseError], run(v) { try { parseBatch(v); } catch (err) { if (!(err instanceof BadResponseError)) throw err; } R.parseMessage('/m', asResource(v)); const r = asResource(v); if (r) { R.parseTranscriptPage(r, ME, PEOPLE); R.parseConversationLog('/l', r, ME); parseApplication({ ...r, _links: { self: { href: '/a' }, events: { href: '/e' } } }); } peopleParsers(v); } },
  ];
}
