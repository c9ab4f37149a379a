// Which picture format some bytes are, from their magic numbers alone. A photo's Content-Type is
// what the server (or Exchange behind it, or a proxy's error page) claims; the bytes are what a
// renderer will decode, so only the bytes decide (PROTOCOL-2 §4.4: "render initials on any
// non-image answer"). Nothing is decoded here: a header that looks right is enough to hand the
// bytes to an image decoder, which copes with the rest being damaged.

export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp';

export interface SniffedImage {
  kind: ImageKind;
  /** The media type the bytes really are (for a data: URL or a file's type). */
  mime: string;
  /** The cache file's extension. */
  ext: string;
}

const KINDS: Record<ImageKind, SniffedImage> = {
  png: { kind: 'png', mime: 'image/png', ext: 'png' },
  jpeg: { kind: 'jpeg', mime: 'image/jpeg', ext: 'jpg' },
  gif: { kind: 'gif', mime: 'image/gif', ext: 'gif' },
  webp: { kind: 'webp', mime: 'image/webp', ext: 'webp' },
};

/** Whether `bytes` holds `sig` at `at` (a null in `sig` matches any byte). */
function has(bytes: Uint8Array, at: number, sig: readonly (number | null)[]): boolean {
  if (bytes.length < at + sig.length) return false;
  return sig.every((b, i) => b === null || bytes[at + i] === b);
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// SOI then the first marker's 0xFF: every JPEG (JFIF, Exif, raw) starts so.
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');

/** The picture format of `bytes` by their signature, or null when they are no PNG, JPEG, GIF or WebP. */
export function sniffImage(bytes: Uint8Array): SniffedImage | null {
  if (has(bytes, 0, PNG)) return KINDS.png;
  if (has(bytes, 0, JPEG)) return KINDS.jpeg;
  if (has(bytes, 0, GIF87) || has(bytes, 0, GIF89)) return KINDS.gif;
  // RIFF container: "RIFF", a 4-byte length, then the form type.
  if (has(bytes, 0, RIFF) && has(bytes, 8, WEBP)) return KINDS.webp;
  return null;
}

/**
 * Whether a Content-Type allows a picture: image/* (any parameters), or none at all (the bytes
 * decide then). text/html, application/json, application/octet-stream … do not.
 */
export function contentTypeAllowsImage(contentType: string | null): boolean {
  if (contentType === null || contentType.trim() === '') return true;
  return /^\s*image\/[a-z0-9.+-]+\s*(?:;|$)/i.test(contentType);
}
