// Ranking of search candidates outside FTS5's bm25() (which counts, on every query, the documents
// of each phrase by reading its whole doclist: ~10 ms for a word found in a fifth of 1 M messages).
// The same BM25 formula, with document frequencies the worker caches (exactness of IDF does not
// matter for ranking) and term frequencies counted in the candidates' text. Pure functions: the
// worker's Backend does the SQL.
import { foldWord } from './keys.ts';
import { LIMITS } from '../limits.ts';

/** FTS5's bm25() defaults. */
const K1 = 1.2;
const B = 0.75;

/**
 * One word of the query: the exact terms it stands for (one, or the index terms a long last-word
 * prefix was expanded to), or a prefix searched as such.
 */
export type QueryWord = { terms: string[]; prefix: null } | { terms: null; prefix: string };

/** Totals of an FTS5 index: rows and tokens (its "averages" record). */
export interface IndexTotals {
  rows: number;
  tokens: number;
}

/**
 * Decode an FTS5 averages record (`<table>_data` row id 1: varint row count, then one varint of
 * token totals per column — SQLite varints). null when it is not one.
 */
export function parseAverages(block: Uint8Array | null | undefined): IndexTotals | null {
  if (!block || block.length === 0) return null;
  let pos = 0;
  const varint = (): number | null => {
    let v = 0;
    for (let i = 0; i < 9; i++) {
      if (pos >= block.length) return null;
      const byte = block[pos++]!;
      if (i === 8) return v * 256 + byte;
      v = v * 128 + (byte & 0x7f);
      if ((byte & 0x80) === 0) return v;
    }
    return v;
  };
  const rows = varint();
  const tokens = varint();
  if (rows == null || tokens == null || !Number.isFinite(rows) || !Number.isFinite(tokens)) return null;
  return { rows, tokens };
}

/** The folded tokens of a text, as the unicode61 tokenizer (remove_diacritics 2) sees them, near enough. */
export function tokensOf(text: string): string[] {
  // Stored text is within LIMITS.messageTextChars; nothing longer is ranked past it.
  const bounded = text.length > LIMITS.messageTextChars ? text.slice(0, LIMITS.messageTextChars) : text;
  return foldWord(bounded).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** BM25 inverse document frequency, floored like FTS5's (a word in most rows still counts a little). */
export function idf(rows: number, docs: number): number {
  const n = Math.max(0, Math.min(docs, rows));
  const v = Math.log((rows - n + 0.5) / (n + 0.5));
  return v > 1e-6 ? v : 1e-6;
}

/** How often each query word occurs in `tokens` (a word's terms summed; a prefix: tokens starting with it). */
export function wordFrequencies(tokens: string[], words: QueryWord[]): number[] {
  const counts = words.map(() => 0);
  for (const tok of tokens) {
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      if (word.terms ? word.terms.includes(tok) : tok.startsWith(word.prefix)) counts[w]!++;
    }
  }
  return counts;
}

/**
 * BM25 of one document (higher is better; FTS5's bm25() is this, negated). `idfs[i]` belongs to
 * `words[i]`; `avgLength` is the index's mean document length in tokens.
 */
export function bm25(text: string, words: QueryWord[], idfs: number[], avgLength: number): number {
  const tokens = tokensOf(text);
  const freq = wordFrequencies(tokens, words);
  const norm = 1 - B + B * (tokens.length / (avgLength > 0 ? avgLength : Math.max(1, tokens.length)));
  let score = 0;
  for (let i = 0; i < words.length; i++) {
    const f = freq[i]!;
    if (f > 0) score += idfs[i]! * (f * (K1 + 1)) / (f + K1 * norm);
  }
  return score;
}
