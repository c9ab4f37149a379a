// IM bodies travel as data: URLs inside link hrefs (PROTOCOL.md §0.1). Real servers mix styles:
// `data:text/plain;charset=utf-8,Hi+Tosh%0d%0a` (form-encoding: `+` is a space),
// `data:text/html;base64,...` and the odd `charset=utf8` label. WHATWG parsing (percent escapes,
// base64, MIME parameters) comes from `data-urls`; the `+` rule is UCWA's own and handled here.
import parseDataURL from 'data-urls';

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

const BASE64_RE = /;\s*base64\s*$/i;

// Fast path for the shape nearly every message has (`data:text/plain;charset=utf-8,<escaped>`):
// a bounded header, a body of printable characters without `#` (a fragment) or whitespace (which
// the URL parser strips or trims), well-formed percent escapes of valid UTF-8 and no leading BOM.
// For such input WHATWG parsing + UTF-8 decoding equals decodeURIComponent after the `+` rule; any
// other input takes the full parser. (Profiling: the full parser was ~45 % of event dispatch.)
const FAST_HEADER_RE = /^(?:(text\/(?:plain|html)))?(?:;charset=(?:utf-8|utf8|"utf-8"))?$/i;
const FAST_BODY_RE = /^[\x21\x22\x24-\x7e\u0080-\uffff]*$/;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function fastDecode(trimmed: string, comma: number): DecodedDataUrl | null {
  const header = trimmed.slice(5, comma);
  const h = FAST_HEADER_RE.exec(header);
  if (!h) return null;
  const body = trimmed.slice(comma + 1);
  if (!FAST_BODY_RE.test(body) || LONE_SURROGATE_RE.test(body)) return null;
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
  const trimmed = href.trim();
  if (!/^data:/i.test(trimmed)) throw new DataUrlError('not a data: URL');
  const comma = trimmed.indexOf(',');
  if (comma < 0) throw new DataUrlError('data: URL without a comma');
  const header = trimmed.slice(5, comma);
  const isBase64 = BASE64_RE.test(header);
  // `+` means space only in the form-encoded (non-base64) style; in base64 it is a digit.
  const body = trimmed.slice(comma + 1);
  const normalised = `data:${header},${isBase64 ? body : body.replace(/\+/g, '%20')}`;
  const parsed = parseDataURL(normalised);
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
  return `data:${mimeType};charset=utf-8,${encodeURIComponent(text)}`;
}
