// Photos (PROTOCOL-2 §4): GET …/photos/<user>[?size=HR<h>X<w>] for contactPhoto and me's photo.
// A real small PNG per person and size, an ETag (hash of the bytes) with 304 on If-None-Match,
// Expires + Cache-Control: private as the trace has, and hostile variants for client tests.

import { createHash } from 'node:crypto';
import { UcwaError } from './errors.ts';
import { toSip } from './hrefs.ts';
import type { Ctx, Reply } from './model.ts';
import { PNG_SIGNATURE, avatarPng } from './png.ts';
import type { Sim } from './sim.ts';
import type { PhotoSpec } from './types.ts';

/** Sizes served; a request for another size gets the nearest lower one (the smallest at least). */
const SIZES = [48, 64, 96, 120, 240];
const DEFAULT_SIZE = 48; // HR48X48
const HUGE_BYTES = 5 * 1024 * 1024;
/** Real (not scaled) freshness: HTTP dates have one-second resolution, far above scaled test time. */
const EXPIRES_MS = 3_600_000;

interface Photo {
  contentType: string;
  body: Buffer;
  etag: string;
}

export function photoSize(raw: string | null): number {
  const m = raw ? /^HR(\d+)X(\d+)$/i.exec(raw.trim()) : null;
  if (!m) return DEFAULT_SIZE;
  const want = Math.min(Number(m[1]), Number(m[2]));
  let size = SIZES[0] as number;
  for (const s of SIZES) if (s <= want) size = s;
  return size;
}

const etagOf = (body: Buffer): string => `"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"`;

function matches(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const tags = String(ifNoneMatch).split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etag);
}

export class PhotoBook {
  readonly #specs = new Map<string, PhotoSpec>();
  readonly #versions = new Map<string, number>();
  readonly #cache = new Map<string, Photo>();

  set(sip: string, spec: PhotoSpec): void {
    const key = toSip(sip);
    if (spec === 'changed') {
      this.#versions.set(key, (this.#versions.get(key) ?? 0) + 1);
      this.#specs.delete(key);
    } else if (spec === 'default') this.#specs.delete(key);
    else this.#specs.set(key, spec);
    for (const k of this.#cache.keys()) if (k.startsWith(`${key}|`)) this.#cache.delete(k);
  }

  /** undefined: the person has no photo (404). */
  photo(sip: string, size: number): Photo | undefined {
    const spec = this.#specs.get(sip) ?? 'default';
    if (spec === 'none') return undefined;
    const key = `${sip}|${size}|${this.#versions.get(sip) ?? 0}`;
    let p = this.#cache.get(key);
    if (!p) {
      p = build(sip, size, this.#versions.get(sip) ?? 0, spec);
      this.#cache.set(key, p);
    }
    return p;
  }
}

function build(sip: string, size: number, version: number, spec: PhotoSpec): Photo {
  const html = Buffer.from('<!DOCTYPE html><html><body><h1>Sign in to Exchange</h1></body></html>', 'utf8');
  let contentType = 'image/png';
  let body: Buffer;
  if (spec === 'notImage') {
    contentType = 'image/jpeg'; // says image, is not one
    body = html;
  } else if (spec === 'wrongType') {
    contentType = 'text/html; charset=utf-8';
    body = html;
  } else if (spec === 'huge' || (typeof spec === 'object' && 'hugeBytes' in spec)) {
    const bytes = spec === 'huge' ? HUGE_BYTES : Math.max(PNG_SIGNATURE.length, spec.hugeBytes);
    body = Buffer.alloc(bytes, 0x41);
    PNG_SIGNATURE.copy(body, 0);
  } else if (typeof spec === 'object') {
    contentType = spec.contentType;
    body = Buffer.from(spec.base64, 'base64');
  } else {
    body = avatarPng(`${sip}#${version}`, size);
  }
  return { contentType, body, etag: etagOf(body) };
}

export function getPhoto(sim: Sim, ctx: Ctx): Reply {
  const sip = toSip(decodeURIComponent(ctx.params.who ?? ''));
  if (!sim.world.user(sip)) throw new UcwaError(404, undefined, 'No such person.');
  const photo = sim.photos.photo(sip, photoSize(ctx.url.searchParams.get('size')));
  if (!photo) throw new UcwaError(404, undefined, 'This person has no photo.');
  const headers = { ETag: photo.etag, 'Cache-Control': 'private', Expires: new Date(sim.clock.now() + EXPIRES_MS).toUTCString() };
  if (matches(ctx.headers['if-none-match'], photo.etag)) return { status: 304, headers };
  return { status: 200, headers, contentType: photo.contentType, body: photo.body };
}
