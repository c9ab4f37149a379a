// Text emoticons shown as emoji (":)" → 🙂), the way messengers display them. Only a free-standing
// emoticon is replaced: after start/space/opening bracket and before end/space/punctuation, so
// "abc:)def", "http://x/a:)b" (links are never passed here) and "`:)`" code stay as written.
const MAP: Record<string, string> = {
  ':)': '🙂', ':-)': '🙂', '(:': '🙂', ':D': '😀', ':-D': '😀', ';)': '😉', ';-)': '😉', ':(': '🙁', ':-(': '🙁',
  ':P': '😛', ':-P': '😛', ':p': '😛', ':-p': '😛', ":'(": '😢', ':O': '😮', ':-O': '😮', ':o': '😮', 'B)': '😎', 'B-)': '😎',
  ':/': '😕', ':-/': '😕', '<3': '❤️', '</3': '💔', ':*': '😘', ':-*': '😘', 'XD': '😆', 'xD': '😆', ':|': '😐', ':-|': '😐',
};
const keys = Object.keys(MAP).sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
// Lookbehind/lookahead keep the boundary characters out of the match (linear: one alternation per position).
const RE = new RegExp(`(?<=^|[\\s(\\[{"'])(?:${keys.join('|')})(?=$|[\\s.,;:!?)\\]}"'])`, 'g');

/** `text` with free-standing emoticons as emoji; text inside `backticks` is code and stays. */
export function emojify(text: string): string {
  if (!/[:;<(BXx]/.test(text)) return text;
  const parts = text.split('`');
  // Even parts are outside backticks; an unclosed backtick leaves its tail as plain text.
  return parts.map((p, i) => (i % 2 === 0 || i === parts.length - 1 ? p.replace(RE, (m) => MAP[m] ?? m) : p)).join('`');
}
