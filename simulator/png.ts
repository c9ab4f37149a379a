// A minimal PNG writer (8-bit RGB, one IDAT) and a seeded avatar: a mirrored 5×5 pattern in a
// colour of the person's own, so photos are real decodable images that differ per person without
// shipping image files.

import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function encodePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width * 3 + 1); // each row starts with filter type 0
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      rows[o + 1 + x * 3] = r;
      rows[o + 2 + x * 3] = g;
      rows[o + 3 + x * 3] = b;
    }
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

function hsl(hue: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** A `size`×`size` avatar for `key` (e.g. "sip:…#1"): same key, same bytes. */
export function avatarPng(key: string, size: number): Buffer {
  const hash = createHash('sha256').update(key).digest();
  const fg = hsl(((hash[0] as number) * 360) / 256, 0.55, 0.45);
  const bg: [number, number, number] = [240, 240, 240];
  const pad = Math.floor(size / 10);
  const cell = (size - 2 * pad) / 5;
  const on = (cx: number, cy: number): boolean => {
    const col = cx < 3 ? cx : 4 - cx; // mirrored left ↔ right
    return (((hash[1 + cy * 3 + col] as number) & 1) === 1);
  };
  return encodePng(size, size, (x, y) => {
    const cx = Math.floor((x - pad) / cell);
    const cy = Math.floor((y - pad) / cell);
    return cx >= 0 && cx < 5 && cy >= 0 && cy < 5 && on(cx, cy) ? fg : bg;
  });
}
