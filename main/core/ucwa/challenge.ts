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
