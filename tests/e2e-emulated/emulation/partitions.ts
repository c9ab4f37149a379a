// session.fromPartition and what a partition is (docs: api/session, api/browser-window
// webPreferences.partition, api/client-request `session` / `credentials`):
//  - each partition name is its own session, with its own cookie jar; windows made with
//    webPreferences.partition load their pages in it (here: one Playwright browser context each);
//  - ses.fetch / net.request({ session, credentials: 'include' }) send that jar's cookies and keep
//    what the server sets — the pages of the partition see them, and the reverse;
//  - allowNTLMCredentialsForDomains: recorded (the hosts Chromium would answer Negotiate/NTLM for).
import type { BrowserContext } from '@playwright/test';
import type { Run } from './run.ts';

export interface CookieJar {
  /** The Cookie header for a request to `url` ('' when none). */
  header(url: string): Promise<string>;
  /** Keep the Set-Cookie headers of an answer from `url`. */
  store(url: string, setCookies: string[]): Promise<void>;
}

export interface PartitionSession {
  readonly partition: string;
  readonly jar: CookieJar;
  setPermissionRequestHandler(handler: unknown): void;
  setPermissionCheckHandler(handler: unknown): void;
  allowNTLMCredentialsForDomains(domains: string): void;
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
}

/** One Set-Cookie header → what Playwright's addCookies takes (name, value, the request's URL; Path and Max-Age/Expires kept). */
function parseSetCookie(header: string, url: string): { name: string; value: string; url?: string; domain?: string; path?: string; expires?: number; httpOnly?: boolean } | null {
  const [pair, ...attrs] = header.split(';');
  const eq = pair?.indexOf('=') ?? -1;
  if (!pair || eq <= 0) return null;
  const cookie: ReturnType<typeof parseSetCookie> & object = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
  let path: string | undefined;
  for (const a of attrs) {
    const [k, ...v] = a.split('=');
    const key = k?.trim().toLowerCase();
    const val = v.join('=').trim();
    if (key === 'path' && val) path = val;
    else if (key === 'max-age' && /^-?\d+$/.test(val)) cookie.expires = Math.floor(Date.now() / 1000) + Number(val);
    else if (key === 'expires' && !cookie.expires && Number.isFinite(Date.parse(val))) cookie.expires = Math.floor(Date.parse(val) / 1000);
    else if (key === 'httponly') cookie.httpOnly = true;
  }
  const u = new URL(url);
  if (path) {
    cookie.domain = u.hostname;
    cookie.path = path;
  } else {
    cookie.url = `${u.origin}/`;
  }
  return cookie;
}

export function makePartitions(run: Run, prepare: (context: BrowserContext) => Promise<void>) {
  const contexts = new Map<string, Promise<BrowserContext>>();
  const sessions = new Map<string, PartitionSession>();
  const ntlmAllowed: string[] = [];

  function contextFor(partition: string | undefined): Promise<BrowserContext> {
    if (!partition) return Promise.resolve(run.opts.context);
    let c = contexts.get(partition);
    if (!c) {
      c = (async () => {
        const browser = run.opts.context.browser();
        if (!browser) throw new Error('emulation: partitions need a browser (the run context is persistent)');
        const ctx = await browser.newContext({ viewport: { width: 520, height: 700 } });
        await prepare(ctx);
        return ctx;
      })();
      contexts.set(partition, c);
    }
    return c;
  }

  function jarOf(partition: string): CookieJar {
    return {
      async header(url) {
        const ctx = await contextFor(partition);
        return (await ctx.cookies(url)).map((k) => `${k.name}=${k.value}`).join('; ');
      },
      async store(url, setCookies) {
        const parsed = setCookies.map((h) => parseSetCookie(h, url)).filter((x): x is NonNullable<typeof x> => !!x);
        if (parsed.length) await (await contextFor(partition)).addCookies(parsed);
      },
    };
  }

  function fromPartition(partition: string): PartitionSession {
    run.requireReady('session');
    let s = sessions.get(partition);
    if (s) return s;
    const jar = jarOf(partition);
    s = {
      partition,
      jar,
      setPermissionRequestHandler: () => run.record('session.setPermissionRequestHandler', partition),
      setPermissionCheckHandler: () => run.record('session.setPermissionCheckHandler', partition),
      allowNTLMCredentialsForDomains: (domains) => void ntlmAllowed.push(domains),
      async fetch(input, init) {
        const url = typeof input === 'string' ? input : input.url;
        const headers = new Headers(init?.headers);
        // credentials 'include': the partition's cookies go, and what the answer sets is kept.
        const withCookies = init?.credentials === 'include';
        if (withCookies) {
          const cookie = await jar.header(url);
          if (cookie) headers.set('cookie', cookie);
        }
        const res = await fetch(url, { ...init, headers, redirect: init?.redirect === 'manual' ? 'manual' : (init?.redirect ?? 'follow') });
        if (withCookies) await jar.store(url, res.headers.getSetCookie());
        return res;
      },
    };
    sessions.set(partition, s);
    return s;
  }

  async function close(): Promise<void> {
    for (const c of contexts.values()) await (await c.catch(() => null))?.close().catch(() => undefined);
  }

  return { fromPartition, contextFor, ntlmAllowed, close };
}
