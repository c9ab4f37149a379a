// Identity and query helpers shared by the SQLite worker (and usable by any Store implementation):
// dedupe keys, SIP normalisation, log keys, keyset cursors, and the user-text → FTS5 query builder.
import { createHash } from 'node:crypto';
import { trimTrailingSlashes } from '../text.ts';

/** "Alice@Contoso.com" / "sip:alice@contoso.com" → "sip:alice@contoso.com". */
export function normalizeSip(sip: string): string {
  const s = sip.trim().toLowerCase();
  // A phone participant of a group (PROTOCOL-2 §2.8) has a tel: URI, kept as it is.
  return s.startsWith('sip:') || s.startsWith('tel:') ? s : `sip:${s}`;
}

/** The last path segment of a conversationLog href (hrefs change per application; this does not). */
export function logKeyFromHref(href: string): string {
  const path = trimTrailingSlashes(href.split(/[?#]/, 1)[0]!);
  const seg = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/**
 * Dedupe key of a message: thread (or "#<conversation id>" without one) + timestamp + author +
 * hash(text). Line endings and surrounding white space are not part of the identity: the live copy
 * and the transcript copy of a message may differ there.
 */
export function dedupeKey(thread: string, at: number, authorSip: string | null, text: string): string {
  const textHash = createHash('sha256').update(text.replace(/\r\n?/g, '\n').trim()).digest('base64url');
  return createHash('sha256')
    .update(`${thread}\u0000${Math.trunc(at)}\u0000${authorSip ?? ''}\u0000${textHash}`)
    .digest('base64url')
    .slice(0, 24);
}

/** What the regex class \s matches (ECMA-262 WhiteSpace and LineTerminator), without a regex per character. */
function isJsSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** A conversation's preview line: white space flattened, at most PREVIEW_LENGTH characters. */
export const PREVIEW_LENGTH = 200;
export function previewOf(text: string): string {
  // One scan that stops once the preview is full: a 1 MB message costs what a short one does, and a
  // long run of white space does not hide the words after it.
  let out = '';
  let space = false;
  for (let i = 0; i < text.length && out.length <= PREVIEW_LENGTH; i++) {
    const c = text[i]!;
    if (isJsSpace(text.charCodeAt(i))) {
      space = out.length > 0;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out.length > PREVIEW_LENGTH ? `${out.slice(0, PREVIEW_LENGTH - 1)}…` : out;
}

export function threadOrConversation(threadId: string | null | undefined, conversationId: number): string {
  return threadId ? `t:${threadId}` : `#${conversationId}`;
}

// --- keyset cursors: base64url JSON of the last row's sort key -----------------------------------

export interface Keyset {
  /** sort time (last_activity_at or at) */
  t: number;
  /** row id (tie-breaker) */
  i: number;
}

export function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.t, k.i])).toString('base64url');
}

/** null for a missing cursor; throws on a cursor this store did not issue. */
export function decodeCursor(cursor: string | null | undefined): Keyset | null {
  if (cursor == null || cursor === '') return null;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new Error('invalid cursor');
  }
  if (!Array.isArray(v) || v.length !== 2 || !Number.isSafeInteger(v[0]) || !Number.isSafeInteger(v[1])) {
    throw new Error('invalid cursor');
  }
  return { t: v[0] as number, i: v[1] as number };
}

// --- search --------------------------------------------------------------------------------------

/**
 * The marks around matches in a SearchHit's snippet (private-use characters: no HTML in the
 * store; the renderer and the CLI turn them into highlighting). Marks that occur in a message's
 * own text are removed from its snippet.
 */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';

export const MAX_SEARCH_TERMS = 12;
export const MAX_TERM_LENGTH = 64;
/** The last word is prefix-matched ("quar" finds "quarterly") once it has this many characters. */
export const MIN_PREFIX_LENGTH = 2;

/**
 * The words of what the user typed: runs of Unicode letters, marks and digits — what the unicode61
 * tokenizer keeps. Everything else (quotes, `*`, `:`, parentheses, `-`, emoji) separates words.
 */
export function searchWords(text: string): string[] {
  const words = text.slice(0, 4096).match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  // A word twice adds nothing to an AND query but work (twelve "p" over long messages took seconds).
  const unique: string[] = [];
  const seen = new Set<string>();
  for (const w of words) {
    const word = w.slice(0, MAX_TERM_LENGTH);
    const key = foldWord(word);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(word);
    if (unique.length === MAX_SEARCH_TERMS) break;
  }
  return unique;
}

/**
 * An FTS5 MATCH expression for user text that can never be an FTS5 syntax error: every word is a
 * quoted FTS5 string (so AND/OR/NOT/NEAR are plain words), the words are ANDed, the last one is a
 * prefix query. null when there is nothing to search for.
 */
export function ftsQuery(text: string, expandPrefix?: (prefix: string) => string[] | null): string | null {
  const words = searchWords(text);
  if (words.length === 0) return null;
  const quote = (w: string) => `"${w.replace(/"/g, '""')}"`;
  return words
    .map((w, i) => {
      if (i !== words.length - 1 || [...w].length < MIN_PREFIX_LENGTH) return quote(w);
      // A prefix the index does not cover makes FTS5 merge every matching term's whole doclist;
      // the few terms it stands for, ORed, are read lazily instead (newest first, stopping early).
      const terms = expandPrefix?.(w);
      return terms && terms.length > 0 ? `(${terms.map(quote).join(' OR ')})` : `${quote(w)}*`;
    })
    .join(' AND ');
}

/** How the unicode61 tokenizer (remove_diacritics 2) folds a word: lower case, no diacritics. */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
