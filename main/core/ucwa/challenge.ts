// WWW-Authenticate parsing. A 401 may carry several challenges (Bearer for AAD, MsRtcOAuth for
// the WebTicket service), in separate headers or joined by commas; the href may be quoted or not.

export interface MsRtcChallenge {
  href: string;
  grantTypes: string[];
}

/** A new scheme name followed by a parameter (", Bearer realm=…"). */
const NEXT_SCHEME = /\s*[A-Za-z][\w-]*\s+[A-Za-z_][\w-]*\s*=/y;

/** Accepts the raw header values (Headers.get joins repeated headers with ", "). */
export function parseMsRtcOAuth(headerValues: string | string[] | null | undefined): MsRtcChallenge | null {
  const all = (Array.isArray(headerValues) ? headerValues : [headerValues ?? '']).join(', ');
  const start = all.search(/MsRtcOAuth\s/i);
  if (start < 0) return null;
  const rest = all.slice(start).replace(/^MsRtcOAuth\s+/i, '');
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/y;
  for (;;) {
    const m = re.exec(rest);
    if (!m || !m[1]) break;
    const key = m[1].toLowerCase();
    // A new scheme name (e.g. ", Bearer realm=...") ends this challenge's parameter list.
    if (params[key] !== undefined) break;
    params[key] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    // Sticky at lastIndex, not on a slice: slicing the rest on every parameter was quadratic.
    NEXT_SCHEME.lastIndex = re.lastIndex;
    if (NEXT_SCHEME.test(rest)) break;
  }
  const href = params.href;
  if (!href) return null;
  const grantTypes = (params.grant_type ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  return { href, grantTypes };
}

/** A `Bearer` challenge that offers modern authentication (PROTOCOL-2 §3.1 d, e; §3.6). */
export interface BearerChallenge {
  authorizationUri: string;
  /** The resource application's id (Skype for Business Online), not this app's client id. */
  clientId?: string;
  /** The comma-separated list, as the server wrote it. */
  trustedIssuers?: string;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Separators between items; whether they hold a comma decides between a new scheme and a token68. */
const SEPARATORS = /[\s,]*/y;
/**
 * One item of a WWW-Authenticate list: a token, then optionally `=value`. The quoted form never fails
 * (an unterminated quote or a trailing backslash runs to the end), so no input makes the scan go
 * back and retry: linear time on whatever a server sends.
 */
const ITEM = /([!#$%&'*+.^_`|~\w-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\[\s\S]?)*)"?|([^,\s]*)))?/y;

/**
 * Every challenge of the joined header values (RFC 7235 §4.1): `scheme param=value, …`, challenges
 * separated by commas, so a bare token after a comma starts a new challenge (`…", MsRtcOAuth href=`,
 * `Negotiate`), while one after the scheme and a space is a token68 (`Negotiate YII…`), skipped.
 * Scheme and parameter names are lower-cased; a repeated parameter keeps its first value.
 */
function parseChallenges(all: string): Challenge[] {
  const out: Challenge[] = [];
  let current: Challenge | undefined;
  let fresh = false; // the current challenge has no parameter yet
  let i = 0;
  while (i < all.length) {
    SEPARATORS.lastIndex = i;
    const sep = SEPARATORS.exec(all)?.[0] ?? '';
    i += sep.length;
    ITEM.lastIndex = i;
    const m = ITEM.exec(all);
    if (!m) {
      i += 1; // a character no grammar allows here: step over it
      continue;
    }
    i = ITEM.lastIndex;
    const name = (m[1] ?? '').toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\([\s\S])/g, '$1') : m[3];
    if (value !== undefined) {
      if (current && current.params[name] === undefined) current.params[name] = value;
      fresh = false;
    } else if (current && fresh && !sep.includes(',')) {
      fresh = false; // token68 of the current scheme
    } else {
      current = { scheme: name, params: {} };
      out.push(current);
      fresh = true;
    }
  }
  return out;
}

/**
 * The `Bearer` challenge that names an authorization server, or null. A Bearer without
 * `authorization_uri` is server-to-server information only (PROTOCOL-2 §3.1 rule 5). Accepts the
 * raw header values: one folded value (shape c) or several headers (Headers.get joins them with ", ").
 */
export function parseBearerChallenge(headerValues: string | string[] | null | undefined): BearerChallenge | null {
  const all = (Array.isArray(headerValues) ? headerValues : [headerValues ?? '']).join(', ');
  for (const c of parseChallenges(all)) {
    const uri = c.params.authorization_uri;
    if (c.scheme !== 'bearer' || !uri) continue;
    const out: BearerChallenge = { authorizationUri: uri };
    if (c.params.client_id) out.clientId = c.params.client_id;
    if (c.params.trusted_issuers) out.trustedIssuers = c.params.trusted_issuers;
    return out;
  }
  return null;
}
