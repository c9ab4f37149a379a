// A tiny cookie jar and a scripted "browser" for passive (AD FS) sign-in tests: just enough of a
// browser to walk the simulator's pages — host-only cookies keyed by host name (ports ignored, as
// browsers do), manual redirects, form parsing, and (with scripts on) the auto-posting form.
// Written against the simulator's own markup; not an HTML parser.

export interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  httpOnly: boolean;
  maxAge: number | undefined;
  expiresAt: number | undefined;
}

export class CookieJar {
  readonly cookies: StoredCookie[] = [];

  /** Remember a Set-Cookie line received from `url`. */
  set(url: string, line: string): void {
    const [pair = '', ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const c: StoredCookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), host: new URL(url).hostname, path: '/', httpOnly: false, maxAge: undefined, expiresAt: undefined };
    for (const a of attrs) {
      const [k = '', v = ''] = a.split('=').map((x) => x.trim());
      if (/^path$/i.test(k)) c.path = v || '/';
      else if (/^httponly$/i.test(k)) c.httpOnly = true;
      else if (/^max-age$/i.test(k)) {
        c.maxAge = Number(v);
        c.expiresAt = Date.now() + c.maxAge * 1000;
      }
    }
    const i = this.cookies.findIndex((x) => x.name === c.name && x.host === c.host && x.path === c.path);
    if (i >= 0) this.cookies.splice(i, 1);
    if (c.maxAge === undefined || c.maxAge > 0) this.cookies.push(c);
  }

  /** The Cookie header a browser would send to `url`, or undefined. */
  header(url: string): string | undefined {
    const u = new URL(url);
    const now = Date.now();
    const sent = this.cookies.filter((c) => c.host === u.hostname && u.pathname.startsWith(c.path) && (c.expiresAt === undefined || c.expiresAt > now));
    return sent.length ? sent.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** fetch with this jar: sends its cookies, keeps the ones the answer sets. */
  readonly fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const cookie = this.header(input);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(input, { ...init, headers });
    for (const line of res.headers.getSetCookie()) this.set(input, line);
    return res;
  };
}

export interface Form {
  id: string | undefined;
  name: string | undefined;
  action: string;
  method: string;
  fields: Record<string, string>;
}

export interface Page {
  url: string;
  status: number;
  html: string;
  /** Every URL this navigation went through (redirects included). */
  via: string[];
  forms: Form[];
  links: Record<string, string>;
}

const unescapeHtml = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) out[(m[1] ?? '').toLowerCase()] = unescapeHtml(m[2] ?? '');
  return out;
}

export function parseForms(html: string, base: string): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((m) => {
    const a = attrs(m[1] ?? '');
    const fields: Record<string, string> = {};
    for (const i of (m[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const ia = attrs(i[1] ?? '');
      if (ia.name) fields[ia.name] = ia.value ?? '';
    }
    return { id: a.id, name: a.name, action: new URL(a.action ?? '', base).href, method: (a.method ?? 'GET').toUpperCase(), fields };
  });
}

function parseLinks(html: string, base: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<a\b([^>]*)>/gi)) {
    const a = attrs(m[1] ?? '');
    if (a.id && a.href) out[a.id] = new URL(a.href, base).href;
  }
  return out;
}

export class ScriptedBrowser {
  readonly jar: CookieJar;
  /** Run the pages' one script: the auto-posting form of AD FS's "Working..." page. */
  readonly scripts: boolean;
  /** Every URL requested, in order. */
  readonly history: string[] = [];

  constructor(jar: CookieJar, opts: { scripts?: boolean } = {}) {
    this.jar = jar;
    this.scripts = opts.scripts ?? true;
  }

  async open(url: string, init: RequestInit = {}): Promise<Page> {
    const via: string[] = [];
    let current = url;
    let req: RequestInit = init;
    for (let hop = 0; hop < 10; hop++) {
      via.push(current);
      this.history.push(current);
      const res = await this.jar.fetch(current, { ...req, redirect: 'manual' });
      const html = await res.text();
      const loc = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && loc) {
        current = new URL(loc, current).href;
        req = {}; // a 302 after a POST is followed with a GET, as browsers do
        continue;
      }
      const page: Page = { url: current, status: res.status, html, via, forms: parseForms(html, current), links: parseLinks(html, current) };
      const auto = page.forms[0];
      if (this.scripts && auto && /document\.forms\[0\]\.submit\(\)/.test(html)) return this.submit(page, auto, {});
      return page;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Submit `form` (of `page`) with its fields and `values` on top. */
  submit(_page: Page, form: Form, values: Record<string, string>): Promise<Page> {
    const body = new URLSearchParams({ ...form.fields, ...values }).toString();
    if (form.method === 'POST') return this.open(form.action, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    const u = new URL(form.action);
    u.search = body;
    return this.open(u.href);
  }
}

export function formById(page: Page, id: string): Form {
  const f = page.forms.find((x) => x.id === id);
  if (!f) throw new Error(`no form #${id} on ${page.url} (${page.status}): ${page.html.slice(0, 400)}`);
  return f;
}

/**
 * What a user does in the window: sign in on the AD FS form, type the code when asked (or press
 * Cancel), and let the page post back to the pool. Returns the last page.
 */
export async function walkSignIn(browser: ScriptedBrowser, passiveAuthUri: string, user: { name: string; password: string; code?: string; cancel?: boolean }): Promise<Page> {
  const login = await browser.open(passiveAuthUri);
  let page = await browser.submit(login, formById(login, 'loginForm'), { UserName: user.name, Password: user.password });
  const mfa = page.forms.find((f) => f.id === 'mfaForm');
  if (mfa) {
    const cancel = page.links.cancelLink;
    if (user.cancel && cancel) return browser.open(cancel);
    page = await browser.submit(page, mfa, { VerificationCode: user.code ?? '' });
  }
  return page;
}
