// Nesting depth of a JSON text, measured before it is parsed (LIMITS.jsonDepth): V8's JSON.parse
// copes with deep nesting, but every walk over the result afterwards (asResource chains, structured
// clone to the renderer and the store worker, JSON.stringify of fingerprints) is recursive, and a
// body of 1 MB of `[` is 500 000 levels. One pass, strings skipped, nothing allocated.

/** True if `text` nests arrays/objects deeper than `max` (outside string literals). */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
