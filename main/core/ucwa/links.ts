// Reading UCWA resources defensively: `_links` values may be one object or an array, `_embedded`
// values a resource or an array; unknown properties are ignored; nothing here throws on bad input.

export type Resource = Record<string, unknown>;

export function asResource(v: unknown): Resource | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Resource) : null;
}

function linkObjects(res: Resource | null | undefined, rel: string): Resource[] {
  const links = asResource(res?._links);
  if (!links) return [];
  const v = links[rel];
  if (Array.isArray(v)) return v.map(asResource).filter((x): x is Resource => x !== null);
  const one = asResource(v);
  return one ? [one] : [];
}

export function link(res: Resource | null | undefined, rel: string): string | undefined {
  const first = linkObjects(res, rel)[0];
  return typeof first?.href === 'string' && first.href.length > 0 ? first.href : undefined;
}

export function linkTitle(res: Resource | null | undefined, rel: string): string | undefined {
  const first = linkObjects(res, rel)[0];
  return typeof first?.title === 'string' ? first.title : undefined;
}

export function links(res: Resource | null | undefined, rel: string): string[] {
  return linkObjects(res, rel).map((l) => l.href).filter((h): h is string => typeof h === 'string' && h.length > 0);
}

export function embedded(res: Resource | null | undefined, rel: string): Resource | null {
  const emb = asResource(res?._embedded);
  if (!emb) return null;
  const v = emb[rel];
  if (Array.isArray(v)) return asResource(v[0]);
  return asResource(v);
}

export function embeddedList(res: Resource | null | undefined, rel: string): Resource[] {
  const emb = asResource(res?._embedded);
  if (!emb) return [];
  const v = emb[rel];
  if (Array.isArray(v)) return v.map(asResource).filter((x): x is Resource => x !== null);
  const one = asResource(v);
  return one ? [one] : [];
}

export function str(res: Resource | null | undefined, key: string): string | undefined {
  const v = res?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** Last path segment of an href (a conversationLog's stable key, DESIGN.md §5). */
export function lastSegment(href: string): string {
  const path = href.split(/[?#]/)[0] ?? href;
  const parts = path.split('/').filter(Boolean);
  const seg = parts[parts.length - 1] ?? href;
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg; // a malformed escape ("%zz", a lone "%") is kept as the server wrote it
  }
}
