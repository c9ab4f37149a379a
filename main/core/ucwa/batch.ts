// multipart/batching (PROTOCOL.md §8.4): several GETs in one POST to the application's `batch`
// link, answered part by part in request order. The encoder writes the documented request shape;
// the parser is total — whatever the server (or something between) sends, it returns exactly one
// result per request part, and a garbled, missing or oversized part is an error of that part alone,
// never a throw that loses the parts around it. Problems are described in fixed words: a log line
// never quotes what the server sent (logSafe.ts).
// What may go into a batch is the caller's business: the server refuses events, photos and nested
// batches inside one (§8.4), so only hrefs of ordinary resources are given here.
import { randomUUID } from 'node:crypto';
import { LIMITS } from '../limits.ts';
import type { UcwaClient } from './client.ts';
import type { UcwaError } from './errors.ts';
import { resolveHref } from './hypermedia.ts';
import { jsonDeeperThan } from './jsonDepth.ts';
import { errorFromResponse, isJsonContentType } from './transport.ts';

/** One answered part: the status, headers and (JSON content types only) the parsed body. */
export interface BatchPartAnswer {
  ok: true;
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body when the part's content type was JSON and its body non-empty. */
  json: unknown;
}

/** A part that could not be read, or that the answer lacks: `problem` says which, in fixed words. */
export interface BatchPartFailure {
  ok: false;
  problem: string;
}

export type BatchPart = BatchPartAnswer | BatchPartFailure;

export interface ParsedBatch {
  /** Exactly one per request part, in request order. */
  parts: BatchPart[];
  /** What was wrong with the answer as a whole (part count, truncation, no boundary), if anything. */
  problem?: string;
}

export interface EncodedBatch {
  text: string;
  /** For the POST: `multipart/batching;boundary=<boundary>`, as in the documented request. */
  contentType: string;
  boundary: string;
}

// RFC 2046 §5.1.1: 1–70 characters, space allowed but not last.
const BOUNDARY_RE = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Content-Type values are short; a longer one is not looked into (the regexes below stay cheap).
const MAX_CONTENT_TYPE_CHARS = 1024;

export function newBoundary(): string {
  return randomUUID();
}

/**
 * A batch of GETs: per part its request line (path and query of the href resolved against the
 * pool), Host and Accept: application/json — the shape of PROTOCOL.md §8.4's sample, byte for byte
 * (CRLF line ends). The hrefs must already have passed the client's origin guard (client.resolve):
 * the batch goes to the pool with the token, and each part is executed there.
 */
export function encodeBatchGets(poolBase: string, hrefs: readonly string[], boundary: string = newBoundary()): EncodedBatch {
  if (!BOUNDARY_RE.test(boundary)) throw new Error('encodeBatchGets: not a multipart boundary');
  let text = '';
  for (const href of hrefs) {
    const url = resolveHref(poolBase, href);
    // URL serialises pathname and search percent-encoded: no space, CR or LF can reach the line.
    text += `--${boundary}\r\nContent-Type: application/http; msgtype=request\r\n\r\n`
      + `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n\r\n`;
  }
  text += `--${boundary}--\r\n`;
  return { text, contentType: `multipart/batching;boundary=${boundary}`, boundary };
}

/** Whether a response Content-Type is a multipart answer (multipart/batching; mixed has the same framing). */
export function isBatchingContentType(ct: string | null | undefined): boolean {
  return typeof ct === 'string' && /^\s*multipart\/(?:batching|mixed)\s*(?:;|$)/i.test(ct.slice(0, MAX_CONTENT_TYPE_CHARS));
}

/** The boundary parameter of a Content-Type, quoted or not; null when absent or not a valid boundary. */
export function boundaryOf(ct: string | null | undefined): string | null {
  if (typeof ct !== 'string' || ct.length > MAX_CONTENT_TYPE_CHARS) return null;
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s"]+))/i.exec(ct);
  const b = m ? (m[1] ?? m[2] ?? '') : '';
  return BOUNDARY_RE.test(b) ? b : null;
}

interface Delimiter {
  /** End of the previous part's content (the CRLF before the dashes belongs to the delimiter). */
  contentEnd: number;
  /** Where the next part's content starts (after the delimiter line). */
  next: number;
  close: boolean;
}

/** The next delimiter line at or after `from`: `--b` at a line start, then padding and a line end, or `--b--`. */
function findDelimiter(body: string, dash: string, from: number): Delimiter | null {
  let p = body.indexOf(dash, from);
  while (p >= 0) {
    const atLineStart = p === 0 || body.charCodeAt(p - 1) === 0x0a;
    const q = p + dash.length;
    if (atLineStart) {
      const contentEnd = p === 0 ? 0 : body.charCodeAt(p - 2) === 0x0d ? p - 2 : p - 1;
      if (body.startsWith('--', q)) return { contentEnd, next: body.length, close: true };
      let r = q;
      while (r < body.length && (body.charCodeAt(r) === 0x20 || body.charCodeAt(r) === 0x09)) r++;
      if (r === body.length) return { contentEnd, next: r, close: false };
      if (body.charCodeAt(r) === 0x0a) return { contentEnd, next: r + 1, close: false };
      if (body.charCodeAt(r) === 0x0d && body.charCodeAt(r + 1) === 0x0a) return { contentEnd, next: r + 2, close: false };
    }
    // Not a delimiter line (the dashes inside content, or a longer boundary): look further.
    p = body.indexOf(dash, p + 1);
  }
  return null;
}

/** Header lines up to the first empty line (CRLF or LF). No empty line: all of it is head, no body. */
function splitHead(text: string): { lines: string[]; body: string } | null {
  const lines: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    if (end > LIMITS.batchPartHeadChars) return null;
    const line = text.charCodeAt(end - 1) === 0x0d && end > pos ? text.slice(pos, end - 1) : text.slice(pos, end);
    pos = nl < 0 ? text.length : nl + 1;
    if (line === '') return { lines, body: text.slice(pos) };
    lines.push(line);
  }
  return { lines, body: '' };
}

/** Header lines into Headers: obs-folded lines joined, lines that are no header skipped. */
function toHeaders(lines: string[]): Headers {
  const out = new Headers();
  let last: [string, string] | null = null;
  const flush = () => {
    if (!last) return;
    try {
      out.append(last[0], last[1]);
    } catch {
      // A value Headers refuses (a control character): that header is dropped, the part kept.
    }
    last = null;
  };
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last[1] += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (HEADER_NAME_RE.test(name)) last = [name, line.slice(colon + 1).trim()];
  }
  flush();
  return out;
}

const fail = (problem: string): BatchPartFailure => ({ ok: false, problem });

/** Whether anything but white space follows `from`. */
function hasContent(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return true;
  }
  return false;
}

/** One part's content: optional MIME headers (application/http), then an HTTP response. */
function parsePart(content: string): BatchPart {
  if (content.trim() === '') return fail('an empty part');
  let http = content;
  if (!/^HTTP\//i.test(content)) {
    const mime = splitHead(content);
    if (!mime) return fail('part headers longer than the limit');
    if (mime.body === '') return fail('a part without an HTTP response');
    const ct = toHeaders(mime.lines).get('content-type');
    if (ct !== null && !/^\s*application\/http\s*(?:;|$)/i.test(ct.slice(0, MAX_CONTENT_TYPE_CHARS))) return fail('a part that is not application/http');
    http = mime.body;
  }
  const nl = http.indexOf('\n');
  const statusEnd = nl < 0 ? http.length : nl;
  if (statusEnd > LIMITS.batchPartHeadChars) return fail('a status line longer than the limit');
  const statusLine = http.slice(0, statusEnd).replace(/\r$/, '');
  const m = /^HTTP\/\d(?:\.\d)?[ \t]+(\d{3})(?:[ \t].*)?$/i.exec(statusLine);
  if (!m) return fail('a part without an HTTP status line');
  const status = Number(m[1]);
  if (status < 100 || status > 599) return fail('a part with an impossible status');
  const head = splitHead(nl < 0 ? '' : http.slice(nl + 1));
  if (!head) return fail('response headers longer than the limit');
  const headers = toHeaders(head.lines);
  const text = head.body;
  let json: unknown;
  if (text.trim() !== '' && isJsonContentType(headers.get('content-type'))) {
    if (jsonDeeperThan(text, LIMITS.jsonDepth)) return fail(`JSON nested deeper than ${LIMITS.jsonDepth} levels`);
    try {
      json = JSON.parse(text);
    } catch {
      // As the transport does: an error answer's body is optional, a success's must be readable.
      if (status < 400) return fail('malformed JSON');
    }
  }
  return { ok: true, status, headers, text, json };
}

/**
 * A multipart/batching answer to `expected` request parts. Never throws: a missing boundary, a
 * body over the response bound or no delimiter at all fail every part; a truncated answer fails the
 * parts it cut; parts beyond `expected` are ignored and counted in `problem`.
 */
export function parseBatchResponse(contentType: string | null | undefined, body: string, expected: number): ParsedBatch {
  const want = Math.max(0, Math.floor(Number.isFinite(expected) ? expected : 0));
  const all = (problem: string): ParsedBatch => ({ parts: Array.from({ length: want }, () => fail(problem)), problem });
  const boundary = boundaryOf(contentType);
  if (!boundary) return all('no valid boundary in the Content-Type');
  if (typeof body !== 'string') return all('no body');
  if (body.length > LIMITS.responseBytes) return all(`an answer over ${LIMITS.responseBytes} characters`);
  const dash = `--${boundary}`;
  let d = findDelimiter(body, dash, 0);
  if (!d) return all('no part delimited by the boundary');
  const parts: BatchPart[] = [];
  let found = 0;
  let truncated = false;
  while (!d.close) {
    const start = d.next;
    const nd = findDelimiter(body, dash, start);
    if (!nd) {
      // No delimiter after this part: the answer was cut inside it (even a complete-looking JSON
      // body may be the first half of a longer one). Nothing after the last delimiter: cut before
      // the closing dashes, no part lost.
      truncated = true;
      if (hasContent(body, start)) {
        found++;
        if (parts.length < want) parts.push(fail('the answer ends inside this part'));
      }
      break;
    }
    found++;
    if (parts.length < want) parts.push(parsePart(body.slice(start, Math.max(start, nd.contentEnd))));
    d = nd;
  }
  const problems: string[] = [];
  if (found !== want) problems.push(`${found} parts for ${want} requests`);
  if (truncated) problems.push('no closing delimiter');
  while (parts.length < want) parts.push(fail('missing from the answer'));
  return problems.length ? { parts, problem: problems.join('; ') } : { parts };
}

/** The error a failed part stands for, as errorFromResponse builds it for a whole response. */
export function partError(part: BatchPartAnswer, url: string): UcwaError {
  return errorFromResponse({ status: part.status, headers: part.headers, url, text: part.text, json: part.json });
}

export type BatchAnswer =
  | ({ kind: 'parts' } & ParsedBatch)
  /** A success that is no multipart answer: whatever answered does not do batching. */
  | { kind: 'notBatching'; status: number };

/**
 * POST the GETs as one batch. A status >= 400 throws the client's UcwaError (429: nothing was
 * executed, §8.4); a 2xx that is not multipart is `notBatching`; otherwise one result per href.
 */
export async function postBatchGets(client: UcwaClient, batchHref: string, hrefs: readonly string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<BatchAnswer> {
  const enc = encodeBatchGets(client.poolBase, hrefs);
  const res = await client.request('POST', batchHref, { ...opts, text: enc.text, contentType: enc.contentType, accept: 'multipart/batching' });
  const ct = res.headers.get('content-type');
  if (!isBatchingContentType(ct)) return { kind: 'notBatching', status: res.status };
  return { kind: 'parts', ...parseBatchResponse(ct, res.text, hrefs.length) };
}
