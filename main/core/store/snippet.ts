// A search hit's snippet, made from the message text the page query already read: the window of
// SNIPPET_TOKENS words that holds the most of the query's words, those words marked. FTS5's own
// snippet() ran one more MATCH per hit, which reloads the words' doclists and re-tokenizes the row:
// 3-4 ms of a 20-hit page of a word found in 1 % of 1 M messages, most of that page's time (issue
// 12: search < 10 ms per query). Pure functions; tokens as unicode61 (remove_diacritics 2) sees
// them, near enough — the same reading the ranking uses (searchRank.ts).
import { foldWord, MARK_END, MARK_START, previewOf } from './keys.ts';
import type { QueryWord } from './searchRank.ts';
import { LIMITS } from '../limits.ts';

/** Words in a snippet: FTS5's snippet() size the app used before. */
export const SNIPPET_TOKENS = 16;
const ELLIPSIS = '…';

interface Token { start: number; end: number; word: number }

/** Which query word a folded token is (-1: none). */
function wordOf(folded: string, words: QueryWord[]): number {
  for (let w = 0; w < words.length; w++) {
    const q = words[w]!;
    if (q.terms ? q.terms.includes(folded) : folded.startsWith(q.prefix)) return w;
  }
  return -1;
}

/**
 * The snippet of `text` for `words`: the best window, marked with MARK_START/MARK_END, '…' where it
 * cuts the text. The text's own MARK characters are dropped first (a mark must mean a match). With
 * no word found in it (the index and this reading can disagree on odd text), the text's preview.
 */
export function snippetOf(text: string, words: QueryWord[], size = SNIPPET_TOKENS): string {
  const bounded = text.length > LIMITS.messageTextChars ? text.slice(0, LIMITS.messageTextChars) : text;
  const clean = bounded.replace(/[\uE000\uE001]/g, '');
  const tokens: Token[] = [];
  for (const m of clean.matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
    tokens.push({ start: m.index, end: m.index + m[0].length, word: wordOf(foldWord(m[0]), words) });
  }
  const hits = tokens.flatMap((t, i) => (t.word >= 0 ? [i] : []));
  if (hits.length === 0) return previewOf(clean);

  // The window with the most distinct query words, then the most matches, the earliest on a tie
  // (what FTS5's snippet() prefers too). Windows are tried from each match: a window that starts
  // on no match can hold no more than the one starting at its first match.
  let best = { from: 0, score: -1 };
  for (let h = 0; h < hits.length; h++) {
    const from = hits[h]!;
    const seen = new Set<number>();
    let count = 0;
    for (let k = h; k < hits.length && hits[k]! < from + size; k++) {
      seen.add(tokens[hits[k]!]!.word);
      count++;
    }
    const score = seen.size * 10_000 + count;
    if (score > best.score) best = { from, score };
  }
  // Centre the window's matches in it, within the text.
  const inWindow = hits.filter((i) => i >= best.from && i < best.from + size);
  const span = inWindow[inWindow.length - 1]! - inWindow[0]! + 1;
  const from = Math.max(0, Math.min(inWindow[0]! - Math.floor((size - span) / 2), tokens.length - size));
  const to = Math.min(tokens.length, from + size);

  let out = from > 0 ? ELLIPSIS : '';
  let at = from > 0 ? tokens[from]!.start : 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    out += clean.slice(at, t.start);
    out += t.word >= 0 ? MARK_START + clean.slice(t.start, t.end) + MARK_END : clean.slice(t.start, t.end);
    at = t.end;
  }
  // To the end of the text when the window reaches it (its closing punctuation with it).
  return to < tokens.length ? out + ELLIPSIS : out + clean.slice(at);
}
