// IM bodies travel as data: URLs inside link hrefs (PROTOCOL.md §0.1). Real servers mix styles:
// `data:text/plain;charset=utf-8,Hi+Tosh%0d%0a` (form-encoding: `+` is a space),
// `data:text/html;base64,...` and the odd `charset=utf8` label. The `+` rule is UCWA's own.
//
// The full path is the Fetch standard's "data: URL processor" (fetch.spec.whatwg.org/#data-urls)
// over Node's own WHATWG URL parser (ada), with MIME types parsed by whatwg-mimetype. It used to be
// the `data-urls` package, which follows the same spec but is too slow for hostile input: its
// JavaScript URL parser took 1.4 s per MB of body, and a 64 K-character media type took 12 s (a
// regex retried at every position, issue 11). `data-urls` stays the oracle of the differential
// test (tests/unit/ucwaDataUrl.test.ts): both must agree on every generated input.
import { MIMEType } from 'whatwg-mimetype';
import { LIMITS } from '../limits.ts';

export interface DecodedDataUrl {
  /** "text/plain", "text/html", … (lower-case essence). */
  mimeType: string;
  text: string;
}

export class DataUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataUrlError';
  }
}

// Fetch: ";", zero or more U+0020, "base64", at the end of the (ASCII-whitespace-stripped) media type.
const BASE64_RE = /;[ \t\n\r]*base64[ \t\n\f\r]*$/i;
const NON_ASCII_RE = /[\u0080-\uffff]/;

// Fast path for the shape nearly every message has (`data:text/plain;charset=utf-8,<escaped>`):
// a bounded header, a body of printable characters without `#` (a fragment) or whitespace (which
// the URL parser strips or trims), well-formed percent escapes of valid UTF-8 and no leading BOM.
// For such input WHATWG parsing + UTF-8 decoding equals decodeURIComponent after the `+` rule; any
// other input takes the full parser. (Profiling: the full parser was ~45 % of event dispatch.)
const FAST_HEADER_RE = /^(?:(text\/(?:plain|html)))?(?:;charset=(?:utf-8|utf8|"utf-8"))?$/i;
const FAST_BODY_RE = /^[\x21\x22\x24-\x7e\u0080-\uffff]*$/;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** String.prototype.toWellFormed (ES2024: Node 20+, Chromium 111+), not yet in the TypeScript lib we target. */
type WellFormable = string & { toWellFormed(): string };

function fastDecode(trimmed: string, comma: number): DecodedDataUrl | null {
  const header = trimmed.slice(5, comma);
  const h = FAST_HEADER_RE.exec(header);
  if (!h) return null;
  let body = trimmed.slice(comma + 1);
  if (!FAST_BODY_RE.test(body)) return null;
  // The URL parser UTF-8-encodes a lone surrogate as U+FFFD; doing the same here keeps such a body on
  // the fast path (the full one percent-encodes each to nine bytes first).
  if (LONE_SURROGATE_RE.test(body)) body = (body as WellFormable).toWellFormed();
  let text: string;
  try {
    text = decodeURIComponent(body.includes('+') ? body.replace(/\+/g, ' ') : body);
  } catch {
    return null; // malformed escape or invalid UTF-8: the full parser decides (U+FFFD, literal %)
  }
  if (text.charCodeAt(0) === 0xfeff) return null; // TextDecoder drops a leading BOM
  return { mimeType: (h[1] ?? 'text/plain').toLowerCase(), text };
}

/** Decode a UCWA data URL to text. Throws DataUrlError for anything that is not a data: URL. */
export function decodeDataUrl(href: string): DecodedDataUrl {
  if (href.length > 5 && (href.charCodeAt(0) | 0x20) === 0x64 && href[4] === ':') {
    const c = href.indexOf(',');
    const fast = c > 0 && /^data:/i.test(href) ? fastDecode(href, c) : null;
    if (fast) return fast;
  }
  return decodeDataUrlFull(href);
}

/** The full WHATWG path (exported so tests can check the fast path against it). */
export function decodeDataUrlFull(href: string): DecodedDataUrl {
  // As the URL parser does: leading and trailing C0 controls and spaces only (String.trim would also
  // take U+FEFF, U+2028 and other Unicode spaces the URL keeps, and the fast path keeps).
  const trimmed = stripC0AndSpace(href);
  if (!/^data:/i.test(trimmed)) throw new DataUrlError('not a data: URL');
  const comma = trimmed.indexOf(',');
  if (comma < 0) throw new DataUrlError('data: URL without a comma');
  const header = trimmed.slice(5, comma);
  // A media type is "text/plain;charset=utf-8": a longer one is no message of any server.
  if (header.length > LIMITS.dataUrlHeaderChars) throw new DataUrlError('data: URL with an overlong media type');
  const isBase64 = BASE64_RE.test(header);
  // `+` means space only in the form-encoded (non-base64) style; in base64 it is a digit.
  const body = trimmed.slice(comma + 1);
  // Base64 is ASCII: a body with any other character cannot decode (the URL parser would first
  // percent-encode each such character to up to nine bytes only for the decoder to refuse them).
  if (isBase64 && NON_ASCII_RE.test(body)) throw new DataUrlError('malformed data: URL');
  const normalised = `data:${header},${isBase64 ? body : body.replace(/\+/g, '%20')}`;
  const parsed = processDataUrl(normalised);
  if (!parsed) throw new DataUrlError('malformed data: URL');
  // UCWA bodies are UTF-8 in practice; the WHATWG default (US-ASCII/windows-1252) would garble
  // non-ASCII text when a server omits the charset.
  // (`data:,x` gets the parser's implied `charset=US-ASCII`: only a charset the server wrote counts.)
  const label = (/charset/i.test(header) ? parsed.mimeType.parameters.get('charset') : undefined) ?? 'utf-8';
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  const essence = header.trim() === '' || header.trim().startsWith(';') ? 'text/plain' : parsed.mimeType.essence;
  return { mimeType: essence, text: decoder.decode(parsed.body) };
}

/** The Fetch standard's data: URL processor: media type and body bytes, or null for failure. */
export function processDataUrl(input: string): { mimeType: MIMEType; body: Uint8Array } | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return null;
  }
  if (url.protocol !== 'data:') return null;
  // The URL serialized without its fragment. A data: URL has an opaque path, whose serialization
  // percent-encodes every code point outside printable ASCII, so the first '#' starts the fragment.
  let serialized = url.href;
  const hash = serialized.indexOf('#');
  if (hash >= 0) serialized = serialized.slice(0, hash);
  const rest = serialized.slice('data:'.length);
  const comma = rest.indexOf(',');
  if (comma < 0) return null;
  let mimeType = stripAsciiWhitespace(rest.slice(0, comma));
  let body = percentDecode(rest.slice(comma + 1));
  // "If mimeType ends with U+003B (;), followed by zero or more U+0020 SPACE, followed by an ASCII
  // case-insensitive match for "base64"": decode the body as forgiving-base64.
  if (mimeType.length >= 6 && mimeType.slice(-6).toLowerCase() === 'base64') {
    let k = mimeType.length - 6;
    while (k > 0 && mimeType.charCodeAt(k - 1) === 0x20) k--;
    if (k > 0 && mimeType.charCodeAt(k - 1) === 0x3b) {
      const decoded = forgivingBase64(Buffer.from(body).toString('latin1'));
      if (!decoded) return null;
      body = decoded;
      mimeType = mimeType.slice(0, k - 1);
    }
  }
  if (mimeType.startsWith(';')) mimeType = `text/plain${mimeType}`;
  let record: MIMEType;
  try {
    record = new MIMEType(mimeType);
  } catch {
    record = new MIMEType('text/plain;charset=US-ASCII');
  }
  return { mimeType: record, body };
}

function stripC0AndSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const isAsciiWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;

function stripAsciiWhitespace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isAsciiWhitespace(s.charCodeAt(a))) a++;
  while (b > a && isAsciiWhitespace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** URL standard "percent-decode" of a string (UTF-8 bytes; a '%' not followed by two hex digits stays). */
function percentDecode(s: string): Uint8Array {
  const bytes = Buffer.from(s, 'utf8');
  if (!bytes.includes(0x25)) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x25 && i + 2 < bytes.length) {
      const h = hexValue(bytes[i + 1]!);
      const l = hexValue(bytes[i + 2]!);
      if (h >= 0 && l >= 0) {
        out[n++] = h * 16 + l;
        i += 2;
        continue;
      }
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}

const BASE64_ALPHABET = /^[A-Za-z0-9+/]*$/;

/** Infra's "forgiving-base64 decode": whitespace removed, padding optional; null for failure. */
function forgivingBase64(input: string): Uint8Array | null {
  let data = '';
  for (let i = 0, from = 0; i <= input.length; i++) {
    if (i === input.length || isAsciiWhitespace(input.charCodeAt(i))) {
      data += input.slice(from, i);
      from = i + 1;
    }
  }
  if (data.length % 4 === 0) {
    if (data.endsWith('==')) data = data.slice(0, -2);
    else if (data.endsWith('=')) data = data.slice(0, -1);
  }
  if (data.length % 4 === 1 || !BASE64_ALPHABET.test(data)) return null;
  return Buffer.from(data, 'base64');
}

/** Decode, or null when the href is missing or malformed (bad server input never throws here). */
export function tryDecodeDataUrl(href: string | undefined | null): DecodedDataUrl | null {
  if (!href) return null;
  try {
    return decodeDataUrl(href);
  } catch {
    return null;
  }
}

/** Encode text for `_links.message.href`: percent-encoded UTF-8, the style the docs call normal. */
export function encodeDataUrl(text: string, mimeType: 'text/plain' | 'text/html' = 'text/plain'): string {
  // A lone surrogate (text pasted from a broken source) cannot be UTF-8: encodeURIComponent would
  // throw URIError. It becomes U+FFFD, as every UTF-8 encoder (and fetch, for a POSTed body) does.
  return `data:${mimeType};charset=utf-8,${encodeURIComponent((text as WellFormable).toWellFormed())}`;
}
