// The leaves of every generated document: hostile text (adversarial repeats for the regular
// expressions, lone surrogates, control characters, huge runs), JSON values of the wrong type,
// keys that collide with Object.prototype, and deep nesting. Only what JSON can carry: a server
// cannot send NaN or undefined, so neither is generated.
import fc from 'fast-check';

export interface Sizes {
  /** Longest adversarial run of a string leaf (characters). */
  bigChars: number;
  /** Longest generated array (events of a batch, transcripts of a page, …). */
  bigArray: number;
  /** Deepest generated nesting. */
  deep: number;
}

export const FULL_SIZES: Sizes = { bigChars: 256 * 1024, bigArray: 5000, deep: 3000 };
export const QUICK_SIZES: Sizes = { bigChars: 32 * 1024, bigArray: 1000, deep: 1000 };

/** Pieces whose repetition is what makes a regular expression or a tokenizer backtrack. */
export const CHUNKS = [
  '<', '<a ', '</', '<br', '<p>', '</p>', '<script>', '<style', '<!--', '<li>', '&', '&#', '&#x', '&amp;', '&#99999999;',
  '%', '%2', '%e2%82', '%C0%AF', '%25', '%00', '+', ' ', '\t', '\n', ' \t\n', '\r\n', 'a', 'é', '😀', '\ud83d', '\ude00',
  '"', '\\', '\\"', ',', '=', 'a=', 'a="', 'a=b,', 'href=', 'MsRtcOAuth ', 'Bearer ', '/Date(', '(', ')', '9', '-', ':',
  '/', '//', '../', './', '?', '#', '@', 'sip:', 'data:', ';base64', ';charset=', 'http://', '.', '\u0000', '\ufeff', '\u2028',
];

/** Strings that mean something to some parser (empty, prototype keys, escapes, separators). */
export const SPECIAL = [
  '', ' ', '\t', '\n', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'null', 'undefined',
  'NaN', 'Infinity', '-0', '%', '%%', '%E0%A4%A', '%ff', '\u0000', '\ufeff', '\ud800', '\udfff', 'sip:', '@', 'sip:@', '@@',
  'sip:a@b@c', 'Incoming', 'Outgoing', 'Success', 'Failure', 'Failed', 'Missed', 'Archived', 'Connected', 'Disconnected',
  'Html', 'Plain', 'Messaging', 'true', '0', '1e400', '/', '?', '#', 'javascript:', 'data:', 'file:',
];

/** One UTF-16 code unit (so lone surrogates occur), biased towards the interesting ranges. */
const unit = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);

export function hostileText(sizes: Sizes): fc.Arbitrary<string> {
  const repeat = (min: number, max: number) => fc.tuple(fc.constantFrom(...CHUNKS), fc.integer({ min, max }), fc.string({ maxLength: 4 }))
    .map(([chunk, n, tail]) => chunk.repeat(n) + tail);
  return fc.oneof(
    { weight: 30, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 10, arbitrary: fc.string({ unit, maxLength: 40 }) },
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 8, arbitrary: fc.constantFrom(...SPECIAL) },
    { weight: 4, arbitrary: fc.array(fc.constantFrom(...CHUNKS), { maxLength: 30 }).map((a) => a.join('')) },
    { weight: 3, arbitrary: repeat(1, 2000) },
    // Rare: a run as long as the sizes allow (what a quadratic pass cannot survive).
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }).chain((p) => (p < 85 ? repeat(2000, 16_000) : repeat(16_000, sizes.bigChars))) },
  );
}

/** A JSON number that is not what anybody expects. */
export const oddNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, -1, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, 8.64e15, 8.64e15 + 1, -8.64e15 - 1, 0.1, 1e-320),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'length', 'then'];

/** An object whose own keys shadow Object.prototype (as JSON.parse makes them: own properties). */
export function protoObject(value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.subarray(PROTO_KEYS, { minLength: 1 }), fc.array(value, { minLength: PROTO_KEYS.length, maxLength: PROTO_KEYS.length }))
    .map(([keys, values]) => {
      const o: Record<string, unknown> = {};
      keys.forEach((k, i) => Object.defineProperty(o, k, { value: values[i], enumerable: true, writable: true, configurable: true }));
      return o;
    });
}

/** Nest `inner` `depth` times in arrays, objects or both (built iteratively: no recursion here). */
export function nest(inner: unknown, depth: number, style: 'array' | 'object' | 'mixed', key = 'a'): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = style === 'array' || (style === 'mixed' && i % 2) ? [v] : { [key]: v };
  return v;
}

export function deepValue(sizes: Sizes): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 10, max: sizes.deep }), fc.constantFrom('array', 'object', 'mixed') as fc.Arbitrary<'array' | 'object' | 'mixed'>, fc.constantFrom('a', '_embedded', '_links', 'href', 'message'))
    .map(([d, style, key]) => nest(null, d, style, key));
}

/** Any JSON value, of any type, hostile strings included. */
export function junk(sizes: Sizes): fc.Arbitrary<unknown> {
  const text = hostileText(sizes);
  const scalar = fc.oneof(fc.constant(null), fc.boolean(), oddNumber, text);
  return fc.oneof(
    { weight: 10, arbitrary: scalar },
    { weight: 3, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    { weight: 3, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('href', 'rel', 'title', 'type', '_links', '_embedded'), fc.string({ maxLength: 8 })), scalar, { maxKeys: 4 }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: protoObject(scalar) },
    { weight: 1, arbitrary: deepValue(sizes) },
  );
}
