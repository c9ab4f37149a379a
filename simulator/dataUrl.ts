// IM bodies travel as data URIs in link hrefs (PROTOCOL §0.1). Servers and docs disagree on the
// encoding (percent, `+` for space, base64, optional charset), so decoding accepts all of them.

export interface DecodedDataUrl {
  mediaType: string;
  charset: string | undefined;
  text: string;
}

function percentDecode(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Malformed escapes: decode the valid ones and keep the rest literally.
    return spaced.replace(/(%[0-9a-fA-F]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}

export function decodeDataUrl(href: string): DecodedDataUrl | undefined {
  const trimmed = href.trim();
  const m = /^data\s*:\s*([^,]*),(.*)$/is.exec(trimmed);
  if (!m) return undefined;
  const params = (m[1] ?? '').split(';').map((p) => p.trim());
  const data = m[2] ?? '';
  const mediaType = (params[0] || 'text/plain').toLowerCase();
  let charset: string | undefined;
  let base64 = false;
  for (const p of params.slice(1)) {
    if (p.toLowerCase() === 'base64') base64 = true;
    else if (/^charset=/i.test(p)) charset = p.slice(8).toLowerCase();
  }
  let text: string;
  if (base64) {
    // '+' is a base64 digit here, never a space; a space can only be a '+' mangled by form decoding.
    let raw = data;
    try {
      raw = decodeURIComponent(data);
    } catch {
      // keep as is
    }
    text = Buffer.from(raw.replace(/ /g, '+').replace(/\s+/g, ''), 'base64').toString('utf8');
  } else {
    text = percentDecode(data);
  }
  return { mediaType, charset, text };
}

/** Trace style: form-encoding with `+` for spaces (what real servers send for plain text). */
export function encodePlain(text: string): string {
  return 'data:text/plain;charset=utf-8,' + encodeURIComponent(text).replace(/%20/g, '+');
}

/** Base64 for HTML, as the reference samples show. */
export function encodeHtml(html: string): string {
  return 'data:text/html;charset=utf-8;base64,' + Buffer.from(html, 'utf8').toString('base64');
}

export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    // Block ends are line breaks, as Exchange's plain copy of an HTML message reads.
    .replace(/<\/(p|div|li|tr|h[1-6])\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}
