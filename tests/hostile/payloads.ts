// What a hostile colleague or server sends (issue 11): 200 KB HTML bodies shaped to make a
// backtracking regular expression quadratic, and timestamps outside what Date can hold.

export const HTML_BOMB_BYTES = 200 * 1024;

const fill = (unit: string, size = HTML_BOMB_BYTES): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** Each 200 KB. Measured on the regex chain stripHtml had before issue 11 (2 cores): lt 44 s,
 * li 27 s, spaces 49 s, script 6 s — and 0.8 s for 200 KB of ordinary HTML. */
export const HTML_BOMBS = {
  /** `<` with no `>` anywhere: every `<` starts a tag match that runs to the end. */
  lt: fill('<'),
  /** List items whose `>` never comes. */
  li: fill('<li'),
  /** Spaces and tabs without a newline: the whitespace-around-newline rule retries at each one. */
  spaces: fill(' \t'),
  /** One `<script>` that never closes, its content full of almost-closes. */
  script: `<script>${fill('</scrip', HTML_BOMB_BYTES - 8)}`,
} as const;

export type HtmlBombKind = keyof typeof HTML_BOMBS;
export const HTML_BOMB_KINDS = Object.keys(HTML_BOMBS) as HtmlBombKind[];

/** 200 KB of ordinary chat HTML (paragraphs, lists, links): the peer of a bomb in the bench. */
export const HTML_ORDINARY = fill('<p>Status of the <b>release</b>: <a href="https://contoso.com/r">notes</a></p><ul><li>done</li><li>risks</li></ul>\n');

/** A small HTML message: the peer of a 200 KB one. */
export const HTML_SMALL = '<p>Hello <b>there</b></p>';

/** The text a test puts in a message so that the proxy swaps its body for a bomb. */
export const htmlMarker = (kind: HtmlBombKind | 'ordinary' | 'small'): string => `HOSTILE-HTML-${kind}`;

export function htmlFor(kind: string): string | undefined {
  if (kind === 'ordinary') return HTML_ORDINARY;
  if (kind === 'small') return HTML_SMALL;
  return (HTML_BOMBS as Record<string, string>)[kind];
}

export function htmlDataUrl(html: string): string {
  return `data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`;
}

export function plainDataUrl(text: string): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}

/** Timestamps a server may send that no Date can hold (±8.64e15 ms is its range), each in a form
 * the UCWA date parser accepts: ASP.NET AJAX, a JSON number, an ISO string beyond year 275760. */
export const BAD_DATES: readonly (string | number)[] = [
  '/Date(99999999999999999)/',
  '/Date(-99999999999999999)/',
  '/Date(8640000000000001)/',
  '/Date(99999999999999999+0100)/',
  '/Date(999999999999999999999999999999)/',
  1e20,
  '+275760-09-13T00:00:00.001Z',
];

/** The subject or text that makes the proxy give a log, its transcripts or a message bad dates. */
export const TIME_MARKER = 'HOSTILE-TIME';
