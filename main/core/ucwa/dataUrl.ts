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

/** Decode a UCWA data URL to text. Throws DataUrlError for anything that is not a data: URL. */
export function decodeDataUrl(href: string): DecodedDataUrl {
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
  const label = parsed.mimeType.parameters.get('charset') ?? 'utf-8';
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
