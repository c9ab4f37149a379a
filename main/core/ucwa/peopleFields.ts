// Reading the fields of people resources (PROTOCOL-2 §1) defensively: a field of the wrong type is
// absent, a string is cut to its bound (LIMITS), an address is checked before it becomes a key.
// Every function here is total and looks at each character of its input at most a few times.
import { LIMITS } from '../limits.ts';
import { oneLine, trimTrailingSlashes } from '../text.ts';
import type { Resource } from './links.ts';

/** A one-line string property cut to `max`, or undefined when absent or not a string. */
export function textOf(res: Resource | null | undefined, key: string, max: number): string | undefined {
  const v = res?.[key];
  return typeof v === 'string' ? oneLine(v, max) : undefined;
}

/** A property that is an id: a string or a number, as text; undefined otherwise. */
export function idOf(res: Resource | null | undefined, key: string, max: number): string | undefined {
  const v = res?.[key];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' ? oneLine(v, max) || undefined : undefined;
}

/**
 * "sip:SaraD@contoso.com" / "SaraD@contoso.com" → "sip:sarad@contoso.com" (how people are keyed),
 * or null when it is no person's SIP address: another scheme (a tel: URI), white space or control
 * characters inside, not exactly one "@" with something on each side (the docs' own typo
 * "sip:lenea@contoso.com@contoso.com" is none), or longer than LIMITS.sipChars.
 */
export function sipFromUri(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > LIMITS.sipChars + 16) return null;
  const s = v.trim().toLowerCase();
  const bare = s.startsWith('sip:') ? s.slice(4) : s;
  if (bare.length === 0 || s.length > LIMITS.sipChars) return null;
  const at = bare.indexOf('@');
  if (at <= 0 || at === bare.length - 1 || bare.indexOf('@', at + 1) !== -1) return null;
  // eslint-disable-next-line no-control-regex -- control characters make it no address
  if (/[\s\u0000-\u001f\u007f-\u009f/?#]/.test(bare)) return null;
  // A scheme of its own before the user part ("tel:+1…@x") is not a SIP address (a port after the host may be).
  if (bare.lastIndexOf(':', at) !== -1) return null;
  return `sip:${bare}`;
}

function decodeSegment(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg; // a malformed escape is kept as the server wrote it
  }
}

/** The path of an href: no scheme and authority, no query or fragment. */
function pathOf(href: string): string {
  let start = 0;
  const scheme = href.indexOf('://');
  // Only a scheme made of letters counts ("https://"): "people/a://b" is a path.
  if (scheme > 0 && scheme <= 10 && /^[a-z][a-z0-9+.-]*$/i.test(href.slice(0, scheme))) {
    const slash = href.indexOf('/', scheme + 3);
    start = slash === -1 ? href.length : slash;
  }
  let end = href.length;
  for (const c of ['?', '#']) {
    const i = href.indexOf(c, start);
    if (i !== -1 && i < end) end = i;
  }
  return href.slice(start, end);
}

/**
 * The person an href names, from its last path segment holding an address: trace-style hrefs end
 * in it (".../people/sarad@contoso.com") or have it before a child (".../people/sarad@Contoso.com/presence",
 * ".../photos/SaraD@contoso.com"). Reference-style hrefs (".../people/282") name nobody: null.
 */
export function sipFromPeopleHref(href: unknown): string | null {
  if (typeof href !== 'string' || href.length === 0) return null;
  const segments = pathOf(href).split('/');
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!;
    // Only a segment with an "@" (or an escape, "%40") can hold an address; escaped, an address
    // takes up to 3 characters for one.
    if (seg.length > LIMITS.sipChars * 3 || (!seg.includes('@') && !seg.includes('%'))) continue;
    const sip = sipFromUri(decodeSegment(seg));
    if (sip) return sip;
  }
  return null;
}

/**
 * An href as a key to compare hrefs by: the same contact is "people/sarad@contoso.com" and
 * "people/saraD@Contoso.com" within one trace (PROTOCOL-2, header note 2), and an event's href may be
 * absolute where the contact's own is relative. The path only, escapes decoded, lower case, no
 * trailing slash. (Server-supplied query parameters are not part of what names a resource here.)
 */
export function hrefKey(href: unknown): string {
  if (typeof href !== 'string') return '';
  const path = trimTrailingSlashes(pathOf(href));
  return path.split('/').map(decodeSegment).join('/').toLowerCase();
}
