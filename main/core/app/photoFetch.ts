// The one request a photo needs, as a port the PhotoCache is given: raw bytes, a conditional GET
// (If-None-Match) and a far smaller bound than the JSON transport's 8 MiB. The service builds it
// from the UcwaClient's byte GET (createClientPhotoFetcher: the client's origin guard, renewal and
// 401 retry); createPhotoFetcher builds one over plain fetch for tests and tools that hold a token.
import { isApplicationGone, NetworkError } from '../ucwa/errors.ts';
import type { UcwaClient } from '../ucwa/client.ts';
import { jsonDeeperThan } from '../ucwa/jsonDepth.ts';
import { readAtMost } from '../ucwa/readAtMost.ts';
import { errorFromResponse, isJsonContentType, type FetchLike } from '../ucwa/transport.ts';
import { LIMITS } from '../limits.ts';

export interface PhotoResponse {
  status: number;
  /** The ETag response header as sent (quotes kept: it goes back verbatim in If-None-Match). */
  etag: string | null;
  contentType: string | null;
  /** The body, never more than maxBytes + 1 bytes: a fetcher stops reading beyond the limit. */
  body: Uint8Array;
  /** The fetcher stopped (or never started) reading because the body is over maxBytes. */
  tooLarge?: boolean;
}

/**
 * GET a photo href (a conditional GET when `ifNoneMatch` is given). Reads at most maxBytes + 1
 * bytes of the body; a status >= 400 is an answer, not a throw (404 and 403 mean "no photo").
 * Throws only when no answer came (network, timeout, a refused origin).
 */
export type FetchPhoto = (href: string, ifNoneMatch: string | null, maxBytes: number) => Promise<PhotoResponse>;

export interface PhotoFetcherOptions {
  fetch: FetchLike;
  /** The absolute URL of a server-given href; throws when the token may not go there (UcwaClient.resolve). */
  resolve: (href: string) => string;
  /** The Authorization header's value ("Bearer cwt=…") for this request. */
  authorization: () => string | Promise<string>;
  timeoutMs?: number;
}

/** A FetchPhoto over plain fetch: no redirects followed (a 3xx could carry the token elsewhere), a timeout, a bounded body. */
export function createPhotoFetcher(opts: PhotoFetcherOptions): FetchPhoto {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return async (href, ifNoneMatch, maxBytes) => {
    const url = opts.resolve(href);
    const headers: Record<string, string> = { Accept: 'image/*', Authorization: await opts.authorization() };
    if (ifNoneMatch) headers['If-None-Match'] = ifNoneMatch;
    // The timeout also covers reading the body: a server trickling bytes cannot hold a slot forever.
    const res = await opts.fetch(url, { method: 'GET', headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const { body, tooLarge } = await readAtMost(res, maxBytes);
    return { status: res.status, etag: res.headers.get('etag'), contentType: res.headers.get('content-type'), body, tooLarge };
  };
}

/**
 * A FetchPhoto over the session's UcwaClient (`client()`: the current one, null when signed out —
 * then the request fails as cancelled, which the cache reads as "ask again next time").
 */
export function createClientPhotoFetcher(client: () => UcwaClient | null, timeoutMs?: number): FetchPhoto {
  return async (href, ifNoneMatch, maxBytes) => {
    const c = client();
    if (!c) throw new NetworkError('aborted', href, 'signed out: no photo is fetched');
    const headers: Record<string, string> = { Accept: 'image/*' };
    if (ifNoneMatch) headers['If-None-Match'] = ifNoneMatch;
    const res = await c.getBytes(href, { headers, maxBytes, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    const contentType = res.headers.get('content-type');
    if (res.status === 404 || res.status === 410) applicationGoneCheck(c.resolve(href), res.status, res.headers, contentType, res.bytes);
    return { status: res.status, etag: res.headers.get('etag'), contentType, body: res.bytes, tooLarge: res.tooLarge };
  };
}

/**
 * Photo hrefs live under the application (PROTOCOL-2 §4.1): a 404 ApplicationNotFound or 410
 * InactiveApplicationExpired says the application is gone, not that the person has no photo —
 * throwing makes the cache keep the photo it has and ask again, where the 404 would remove it.
 */
function applicationGoneCheck(url: string, status: number, headers: Headers, contentType: string | null, bytes: Uint8Array): void {
  if (!isJsonContentType(contentType) || bytes.byteLength === 0 || bytes.byteLength > 64 * 1024) return;
  const text = new TextDecoder().decode(bytes);
  if (jsonDeeperThan(text, LIMITS.jsonDepth)) return;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return;
  }
  const err = errorFromResponse({ status, headers, url, text, json });
  if (isApplicationGone(err)) throw err;
}
