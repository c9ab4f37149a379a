// multipart/batching (PROTOCOL §8.4): parts are executed through the normal router, answered in
// request order; events and nested batches are refused inside a batch; >100 parts → 429.

import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { UcwaError, errorBody } from './errors.ts';

export const MAX_BATCH_PARTS = 100;

export interface BatchPart {
  method: string;
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface PartReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function splitHead(text: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return [text, ''];
  return [text.slice(0, m.index), text.slice(m.index + m[0].length)];
}

function parseHeaders(lines: string[]): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

export function parseBatch(contentType: string, body: Buffer): BatchPart[] {
  if (!/^multipart\/batching/i.test(contentType)) throw new UcwaError(415, undefined, 'Batches must be multipart/batching.');
  const bm = /boundary\s*=\s*"?([^";]+)"?/i.exec(contentType);
  if (!bm) throw new UcwaError(400, undefined, 'The batch has no boundary.');
  const boundary = `--${bm[1]}`;
  const chunks = body.toString('utf8').split(boundary).slice(1);
  const parts: BatchPart[] = [];
  for (const chunk of chunks) {
    if (chunk.startsWith('--')) break;
    const [, http] = splitHead(chunk.replace(/^\r?\n/, ''));
    const [head, partBody] = splitHead(http);
    const lines = head.split(/\r?\n/);
    const rl = /^(\w+)\s+(\S+)/.exec(lines[0] ?? '');
    if (!rl) throw new UcwaError(400, undefined, 'A batch part has no request line.');
    parts.push({ method: (rl[1] as string).toUpperCase(), target: rl[2] as string, headers: parseHeaders(lines.slice(1)), body: Buffer.from(partBody.replace(/\r?\n$/, ''), 'utf8') });
  }
  if (parts.length > MAX_BATCH_PARTS) throw new UcwaError(429, undefined, 'Too many requests in the batch.');
  return parts;
}

export function formatBatch(replies: PartReply[]): { contentType: string; body: Buffer } {
  const b = randomUUID();
  const out: Buffer[] = [];
  for (const r of replies) {
    let head = `--${b}\r\nContent-Type: application/http; msgtype=response\r\n\r\nHTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}\r\n`;
    for (const [k, v] of Object.entries(r.headers)) for (const one of Array.isArray(v) ? v : [v]) head += `${k}: ${one}\r\n`;
    out.push(Buffer.from(head + '\r\n'), r.body, Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${b}--\r\n`));
  return { contentType: `multipart/batching; boundary="${b}"`, body: Buffer.concat(out) };
}

export function refusedPart(): PartReply {
  return { status: 400, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(errorBody(400, undefined, 'This request is not allowed in a batch.'))) };
}
