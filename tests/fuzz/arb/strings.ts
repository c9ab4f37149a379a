// The string-shaped UCWA inputs: hrefs (own paths, other origins, other schemes, URL-parser
// tricks), data: URLs (every header and body style, broken escapes, base64), dates (ASP.NET and
// ISO forms, out-of-range values) and WWW-Authenticate / Retry-After / Content-Type header values.
import fc from 'fast-check';
import { hostileText, junk, type Sizes } from './values.ts';

/** The origins hrefs may name: the pool that issued the token, and two it must never reach. */
export interface Origins {
  /** The pool (and token) origin, e.g. http://127.0.0.1:5100. */
  self: string;
  /** Another host: http://127.0.0.2:<port>. */
  foreign: string;
  /** The same host on another port. */
  otherPort: string;
}

export const FAKE_ORIGINS: Origins = { self: 'http://127.0.0.1:5100', foreign: 'http://127.0.0.2:5101', otherPort: 'http://127.0.0.1:5102' };

export const APP = '/ucwa/oauth/v1/applications/101';

const SEGMENTS = [
  'communication', 'conversations', 'messaging', 'messages', 'people', 'me', 'events', 'conversationLogs',
  'conversationLogTranscripts', 'messagingInvitations', 'participants', 'bob@contoso.com', 'sip:bob@contoso.com',
  '..', '.', '%2e%2e', '%2F', '', 'a?b=c', '#frag', '%', '%zz', 'ünï', '@', 'x%00y', '\\', 'c1', 'log1', 'm1',
];

export function serverPath(): fc.Arbitrary<string> {
  const seg = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SEGMENTS) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });
  return fc.tuple(fc.array(seg, { maxLength: 6 }), fc.option(fc.constantFrom('?ack=2', '?ack=-1', '?ack=99999999999999999999', '?page=2', '?x=%', '#x', '?'), { nil: '' }))
    .map(([segs, q]) => `${APP}/${segs.join('/')}${q}`);
}

/** Hrefs that resolve to another origin, or to no http origin at all, written every way a URL parser accepts. */
export function foreignHref(o: Origins): fc.Arbitrary<string> {
  const fHost = o.foreign.slice('http://'.length);
  const sHost = o.self.slice('http://'.length);
  const port = sHost.split(':')[1] ?? '';
  const fPort = fHost.split(':')[1] ?? '';
  return fc.tuple(fc.constantFrom(
    `${o.foreign}`, `${o.otherPort}`, `http://localhost:${port}`, `http://[::1]:${port}`, `//${fHost}`, `/\\${fHost}`,
    `\\\\${fHost}\\`, `https://${sHost}`, `http://${sHost}@${fHost}`, `http://${fHost}#@${sHost}`, `http://0x7f.0.0.2:${fPort}`,
    `http://2130706434:${fPort}`, ` \t${o.foreign}`, `\n${o.foreign}`, `HTTP://${fHost.toUpperCase()}`, `http://127.0.0.2.:${fPort}`,
    `ws://${sHost}`, `http://${sHost.replace('127.0.0.1', '127.1')}`, `${o.self}.`, `http://user:pass@${sHost}`,
  ), serverPath()).map(([origin, path]) => `${origin}${path}`);
}

const SCHEMES = [
  'file:///etc/passwd', 'file://127.0.0.1/etc/passwd', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/plain,hi',
  'data:application/json,{}', 'blob:http://127.0.0.1/x', 'about:blank', 'ftp://127.0.0.2/x', 'mailto:a@b', 'sip:bob@contoso.com',
  'urn:x', 'chrome://settings', 'http://', 'http:', 'http:x', '//', '', '?', '#', '.', '..', 'http://[::1', 'http://%zz/',
  'http://a b/', 'http://\u0000/', 'http://xn--/', 'http://999.0.0.1/',
];

export function href(o: Origins, sizes: Sizes): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: serverPath() },
    { weight: 3, arbitrary: serverPath().map((p) => `${o.self}${p}`) },
    { weight: 6, arbitrary: foreignHref(o) },
    { weight: 3, arbitrary: fc.constantFrom(...SCHEMES) },
    { weight: 2, arbitrary: hostileText(sizes) },
  );
}

// --- data: URLs ---------------------------------------------------------------------------------

const MIMES = ['', 'text/plain', 'text/html', 'TEXT/HTML', 'Text/Plain ', 'application/json', 'image/png', 'text/', '/', ';', 'text/plain;;', 'x'];
const PARAMS = [
  '', ';charset=utf-8', ';charset=UTF-8', ';charset=utf8', ';charset="utf-8"', ';charset=utf-16le', ';charset=iso-8859-1',
  ';charset=x-user-defined', ';charset=replacement', ';charset=iso-2022-jp', ';charset=nope', ';charset=', ';charset',
  ';a=b;charset=utf-8', ';charset=utf-8;charset=latin1', '; charset = utf-8 ',
];

function percentBody(sizes: Sizes): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 60 }).map((s) => encodeURIComponent(s)) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => encodeURIComponent(s).replace(/%20/g, '+')) },
    { weight: 3, arbitrary: hostileText(sizes) },
    { weight: 1, arbitrary: fc.constantFrom('%EF%BB%BFhi', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%e2%82', '%', '%G1', 'a#b', 'a b', '\ta\n', '%0D%0A', '%3Cb%3E%26%3C%2Fb%3E') },
  );
}

const base64Body = fc.oneof(
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('base64')),
  fc.string({ maxLength: 40 }).map((s) => Buffer.from(s, 'utf8').toString('base64')),
  fc.constantFrom('', '=', '====', 'a', 'ab=', 'YQ', 'Y Q ==', '!!!!', 'YWJj\nZGVm', '%59%51%3D%3D', '////', '++++'),
);

export function dataUrl(sizes: Sizes): fc.Arbitrary<string> {
  const built = fc.tuple(
    fc.constantFrom('data:', 'DATA:', ' data:', 'data: ', 'Data:'), fc.constantFrom(...MIMES), fc.constantFrom(...PARAMS),
    fc.constantFrom('', '', '', ';base64', ';BASE64', '; base64 ', ';base64;x'), fc.constantFrom(',', ',', ',', '', ',,'),
  ).chain(([scheme, mime, params, b64, comma]) => (b64 ? base64Body : percentBody(sizes)).map((body) => `${scheme}${mime}${params}${b64}${comma}${body}`));
  return fc.oneof(
    { weight: 8, arbitrary: built },
    { weight: 2, arbitrary: fc.string({ maxLength: 60 }).map((s) => `data:text/plain;charset=utf-8,${encodeURIComponent(s)}`) },
    { weight: 1, arbitrary: hostileText(sizes).map((s) => `data:text/html;charset=utf-8,${s}`) },
    { weight: 1, arbitrary: hostileText(sizes) },
  );
}

// --- dates -----------------------------------------------------------------------------------

const digits = fc.oneof(
  fc.integer({ min: -9e15, max: 9e15 }).map(String),
  fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }).map(String),
  fc.constantFrom('99999999999999999', '8640000000000000', '8640000000000001', '-8640000000000001', '0', '-0', '00000000000001', '1'.repeat(400)),
);

export function ucwaDate(sizes: Sizes): fc.Arbitrary<unknown> {
  const aspnet = fc.tuple(fc.constantFrom('/Date(', 'Date(', '/date(', '\\/Date(', ' /Date('), digits, fc.constantFrom('', '+0100', '-0500', '+9999', '+01', '-', '+0100+0100'), fc.constantFrom(')/', ')', ')/ ', ')//', '/'))
    .map(([a, d, z, b]) => `${a}${d}${z}${b}`);
  const iso = fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.string({ maxLength: 20 }))
      .map(([y, m, d, rest]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${rest}`),
    fc.constantFrom('+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00.000Z', '9999-12-31T23:59:59.9999999Z', '2024-02-30', '2024-01-01T25:61:61Z', '2024-01-01T00:00:00+99:99'),
  );
  return fc.oneof(
    { weight: 6, arbitrary: aspnet },
    { weight: 3, arbitrary: iso },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(8.64e15, 8.64e15 + 1, -8.64e15 - 1, 1e308, -1e308)) },
    { weight: 1, arbitrary: junk(sizes) },
  );
}

// --- header values ---------------------------------------------------------------------------

const GRANTS = ['password', 'urn:microsoft.rtc:windows', 'urn:microsoft.rtc:anonmeeting', 'urn:microsoft.rtc:passive', '', 'PASSWORD', 'pass word'];

function param(o: Origins, sizes: Sizes): fc.Arbitrary<string> {
  const key = fc.constantFrom('href', 'HREF', 'grant_type', 'realm', 'trusted_issuers', 'client_id', 'href ', ' href', 'h-ref', '_x', '1a', '');
  const value = fc.oneof(
    fc.constantFrom(`${o.self}/WebTicket/oauthtoken`, '/WebTicket/oauthtoken', `${o.foreign}/WebTicket/oauthtoken`, 'https://lyncweb.contoso.com/WebTicket/oauthtoken'),
    fc.subarray(GRANTS).map((g) => g.join(',')),
    href(o, sizes),
  );
  return fc.tuple(key, value, fc.constantFrom('"', '', '"', "'"), fc.constantFrom('=', ' = ', '=', '=='))
    .map(([k, v, q, eq]) => `${k}${eq}${q}${q === '"' ? v.replace(/"/g, '\\"') : v}${q}`);
}

export function challenge(o: Origins, sizes: Sizes): fc.Arbitrary<string | string[]> {
  const scheme = fc.tuple(fc.constantFrom('MsRtcOAuth', 'msrtcoauth', 'MSRTCOAUTH', 'Bearer', 'Negotiate', 'NTLM', 'MsRtcOAuth2', 'X'), fc.array(param(o, sizes), { maxLength: 5 }), fc.constantFrom(',', ', ', ' ,', ',,', ',\t'))
    .map(([name, params, sep]) => `${name} ${params.join(sep)}`);
  const one = fc.array(scheme, { minLength: 1, maxLength: 3 }).map((s) => s.join(', '));
  const adversarial = fc.tuple(fc.constantFrom('a=b,', 'a="b",', 'a=', ' ', 'MsRtcOAuth ', 'x y=', '\\"', 'href="', 'a=b ', 'a b=c,'), fc.integer({ min: 1, max: Math.min(sizes.bigChars, 40_000) }))
    .map(([chunk, n]) => `MsRtcOAuth ${chunk.repeat(n)}href="/x"`);
  return fc.oneof(
    { weight: 8, arbitrary: one },
    { weight: 2, arbitrary: fc.array(one, { maxLength: 3 }) },
    { weight: 1, arbitrary: adversarial },
    { weight: 2, arbitrary: hostileText(sizes) },
  );
}

export function retryAfter(sizes: Sizes): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat().map(String),
    fc.constantFrom('0', '-1', '1.5', '99999999999999999999', 'Wed, 21 Oct 2015 07:28:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', 'Mon, 99 Foo 2015 99:99:99 GMT', ' 120 ', 'abc 1:00'),
    fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
    hostileText(sizes),
  );
}

export function contentType(): fc.Arbitrary<string> {
  return fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'application/vnd.microsoft.com.ucwa+json', 'application/problem+json',
    'text/html', 'text/plain', '', 'application/xml', 'application/jsonx', 'APPLICATION/JSON', 'application/json;;;', 'multipart/mixed; boundary=x',
  );
}
