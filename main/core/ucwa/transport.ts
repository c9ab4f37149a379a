// One HTTP exchange with the injected fetch: per-request timeout (AbortSignal, covering the body
// too), a response size cap, JSON parsing only for JSON content types, raw bytes on request (photos),
// and error bodies turned into UcwaError.
// Redirects are never followed by fetch (`redirect: 'manual'`): a 3xx could carry the bearer
// token to a host the hypermedia guard never approved.
import { readAtMost } from './readAtMost.ts';
import { BadResponseError, NetworkError, parseRetryAfter, UcwaError } from './errors.ts';
import { redact } from './redact.ts';
import { safeUrl } from '../logSafe.ts';
import { LIMITS } from '../limits.ts';
import { jsonDeeperThan } from './jsonDepth.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
export type LogFn = (line: string) => void;

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Read the body as raw bytes within this bound instead of as text under the transport's own
   * (a photo): `bytes` is set, `text` is '' and `json` undefined, and a body over the bound is an
   * answer with `tooLarge` (its bytes unread), not a throw.
   */
  binaryMaxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  url: string;
  text: string;
  /** Parsed body when the content type was JSON and the body non-empty. */
  json: unknown;
  /** Binary requests only (binaryMaxBytes): the body, empty when it was over the bound. */
  bytes?: Uint8Array;
  /** Binary requests only: the body was over binaryMaxBytes and was not read. */
  tooLarge?: boolean;
}

export interface TransportOptions {
  fetch: FetchLike;
  log?: LogFn;
  defaultTimeoutMs?: number;
  maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = LIMITS.responseBytes;

export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export function isJsonContentType(ct: string | null): boolean {
  return !!ct && /\b(application\/(?:[\w.+-]*\+)?json|application\/vnd\.microsoft\.com\.ucwa\+json)\b/i.test(ct);
}

export function createTransport(opts: TransportOptions): Transport {
  const defaultTimeout = opts.defaultTimeoutMs ?? 30_000;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const log = opts.log;

  async function readBody(res: Response, url: string): Promise<string> {
    const { body, tooLarge } = await readAtMost(res, maxBytes);
    if (tooLarge) throw new BadResponseError('tooLarge', `response from ${safeUrl(url)} exceeds ${maxBytes} bytes`);
    return new TextDecoder().decode(body);
  }

  return {
    async request(req) {
      const timeoutMs = req.timeoutMs ?? defaultTimeout;
      const timer = new AbortController();
      const handle = setTimeout(() => timer.abort(), timeoutMs);
      const signal = req.signal ? AbortSignal.any([timer.signal, req.signal]) : timer.signal;
      const started = Date.now();
      try {
        let res: Response;
        try {
          res = await opts.fetch(req.url, {
            method: req.method,
            headers: req.headers,
            body: req.body,
            signal,
            redirect: 'manual',
          });
        } catch (err) {
          throw toNetworkError(err, req, timer.signal);
        }
        if (req.binaryMaxBytes !== undefined) {
          let read: { body: Uint8Array; tooLarge: boolean };
          try {
            read = await readAtMost(res, req.binaryMaxBytes);
          } catch (err) {
            throw toNetworkError(err, req, timer.signal);
          }
          log?.(redact(`${req.method} ${safeUrl(req.url)} → ${res.status} (${Date.now() - started} ms${read.tooLarge ? ', body over the bound, not read' : ''})`));
          return { status: res.status, headers: res.headers, url: req.url, text: '', json: undefined, bytes: read.body, tooLarge: read.tooLarge };
        }
        let text: string;
        try {
          text = await readBody(res, req.url);
        } catch (err) {
          if (err instanceof BadResponseError) throw err;
          throw toNetworkError(err, req, timer.signal);
        }
        const ct = res.headers.get('content-type');
        let json: unknown;
        if (text.length > 0 && isJsonContentType(ct)) {
          if (jsonDeeperThan(text, LIMITS.jsonDepth)) {
            throw new BadResponseError('malformed', `JSON from ${req.method} ${safeUrl(req.url)} nests deeper than ${LIMITS.jsonDepth} levels`);
          }
          try {
            json = JSON.parse(text);
          } catch {
            if (res.status < 400) throw new BadResponseError('malformed', `malformed JSON from ${req.method} ${safeUrl(req.url)}`);
          }
        }
        // The path only: a people search's term travels in the query (logSafe.ts).
        log?.(redact(`${req.method} ${safeUrl(req.url)} → ${res.status} (${Date.now() - started} ms)`));
        return { status: res.status, headers: res.headers, url: req.url, text, json };
      } finally {
        clearTimeout(handle);
      }
    },
  };
}

function toNetworkError(err: unknown, req: HttpRequest, timerSignal: AbortSignal): NetworkError {
  if (err instanceof NetworkError) return err;
  if (timerSignal.aborted) return new NetworkError('timeout', req.url, `${req.method} ${safeUrl(redact(req.url))} timed out`, { cause: err });
  if (req.signal?.aborted) return new NetworkError('aborted', req.url, `${req.method} ${safeUrl(redact(req.url))} was cancelled`, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new NetworkError('network', req.url, `${req.method} ${safeUrl(redact(req.url))} failed: ${redact(msg)}`, { cause: err });
}

const STATUS_CODES: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  408: 'ClientTimeout', 409: 'Conflict', 410: 'Gone', 412: 'PreconditionFailed', 413: 'EntityTooLarge',
  415: 'UnsupportedMediaType', 428: 'PreconditionRequired', 429: 'TooManyRequests', 500: 'ServiceFailure',
  502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/**
 * Build the typed error of a >= 400 answer. The body is read only when it is JSON (else: proxy/IIS).
 * Retry-After (delta-seconds or HTTP-date) becomes `retryAfterMs` (bounded) and `retryAfter` (s).
 */
export function errorFromResponse(res: HttpResponse, now: number = Date.now()): UcwaError {
  const body = res.json && typeof res.json === 'object' ? (res.json as Record<string, unknown>) : null;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const code = str(body?.code) ?? str(body?.error) ?? STATUS_CODES[res.status] ?? `Http${res.status}`;
  const subcode = str(body?.subcode);
  const retryRaw = res.headers.get('retry-after');
  const retryAfterMs = parseRetryAfter(retryRaw, now);
  // Seconds as before for delta-seconds (unclamped, as the server said); a date is rounded up.
  const retryAfter = retryRaw && /^\d+$/.test(retryRaw.trim()) ? Number(retryRaw.trim())
    : retryAfterMs !== undefined ? Math.ceil(retryAfterMs / 1000) : undefined;
  const message = str(body?.message) ?? `${res.status} ${code}${subcode ? `/${subcode}` : ''}`;
  return new UcwaError({ status: res.status, code, subcode, message, retryAfter, retryAfterMs, url: res.url });
}
