// The plain text of an HTML message (for search, previews, the CLI and notifications — never for
// display as HTML), in one linear pass. It runs in the main process on every HTML-only message,
// invitation and transcript entry, so a colleague's message must not be able to make it slow: the
// earlier chain of regular expressions was quadratic on `<<<<…`, on `<li` without `>` and on runs
// of spaces (issue 11: 256 KB took 39 s).
//
// htmlparser2's Tokenizer is a state machine over the input (one step per character, no
// backtracking) that knows HTML's raw-text elements and decodes character references as the spec
// does — the parts a hand-written tokenizer gets wrong. It is used below its Parser: the tokenizer
// reports text as index ranges, so adjacent ranges (1 MB of `<` is a million of them) are joined
// without a string per range, and no tree or attribute map is built.
import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/** Elements whose end (or, for <br>, whose start) is a line break: "<li>Status</li><li>Risks</li>"
 * must not read "StatusRisks". */
const BLOCK = new Set(['p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'ul', 'ol', 'table']);
/** Cells and list items start with a space so neighbours stay words apart. */
const SPACED = new Set(['li', 'td', 'th']);
/** Their content is not text a person wrote. */
const HIDDEN = new Set(['script', 'style', 'template', 'title']);

const noop = (): void => undefined;

export function stripHtml(html: string): string {
  // Appended to one string: V8 keeps appends as a rope and flattens it once (cheaper than an array
  // of a million one-character strings and a join).
  let out = '';
  let from = -1; // pending text range [from, to) of `html`, not yet copied
  let to = -1;
  let hidden = 0;
  const flush = () => {
    if (from >= 0) out += html.slice(from, to);
    from = -1;
  };
  const name = (start: number, end: number) => (end - start > 10 ? '' : html.slice(start, end).toLowerCase());
  const cbs: TokenizerCallbacks = {
    ontext(start, end) {
      if (hidden > 0) return;
      if (from >= 0 && start === to) to = end;
      else {
        flush();
        from = start;
        to = end;
      }
    },
    ontextentity(codepoint) {
      if (hidden > 0) return;
      flush();
      out += codepoint === 0xa0 ? ' ' : codepoint < 0x10000 ? String.fromCharCode(codepoint) : String.fromCodePoint(codepoint);
    },
    onopentagname(start, end) {
      const n = name(start, end);
      if (HIDDEN.has(n)) hidden++;
      else if (hidden > 0) return;
      else if (n === 'br') { flush(); out += '\n'; }
      else if (SPACED.has(n)) { flush(); out += ' '; }
    },
    onclosetag(start, end) {
      const n = name(start, end);
      if (HIDDEN.has(n)) hidden = Math.max(0, hidden - 1);
      else if (hidden === 0 && BLOCK.has(n)) { flush(); out += '\n'; }
    },
    onattribdata: noop, onattribentity: noop, onattribend: noop, onattribname: noop, oncdata: noop, oncomment: noop,
    ondeclaration: noop, onend: noop, onopentagend: noop, onprocessinginstruction: noop, onselfclosingtag: noop,
  };
  const tokenizer = new Tokenizer({ decodeEntities: true }, cbs);
  tokenizer.write(html);
  tokenizer.end();
  flush();
  return normaliseBreaks(out);
}

// Spaces and tabs around a line break go, at most one empty line in a row, none at either end:
// what the regexes "[ \t]*\n[ \t]*" and "\n{3,}" did, without their quadratic retries on long runs.
function normaliseBreaks(text: string): string {
  const out: string[] = [];
  let copied = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a) {
      i++;
      continue;
    }
    let j = i;
    let breaks = 0;
    for (; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 0x0a) breaks++;
      else if (d !== 0x20 && d !== 0x09) break;
    }
    if (breaks > 0) {
      out.push(text.slice(copied, i), breaks >= 2 ? '\n\n' : '\n');
      copied = j;
    }
    i = j;
  }
  out.push(text.slice(copied));
  return out.join('').trim();
}
