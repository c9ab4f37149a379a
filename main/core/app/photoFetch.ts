// The one request a photo needs, as a port the PhotoCache is given. The UcwaClient cannot make it:
// its requests send Accept: application/json, take no extra headers (If-None-Match), and hand back
// the body decoded as UTF-8 text under the transport's 8 MiB bound — a photo needs raw bytes, a
// conditional GET and a far smaller bound. So the cache takes `FetchPhoto`, and this file gives one
// built from a FetchLike, the client's href guard and the Authorization header.
import { readAtMost } from '../ucwa/readAtMost.ts';
import type { FetchLike } from '../ucwa/transport.ts';

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
