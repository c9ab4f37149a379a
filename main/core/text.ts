// String helpers for text from servers and users that a regular expression would make super-linear.
// `/\/+$/` looks quadratic but is: V8's backtracking engine tries the `+` at every slash of a run and
// fails at `$` each time unless the run is at the end, so 1 MB of "/" followed by "x" is ~5·10^11
// steps (issue 11). These loops look at each character once.

/** `s` without the slashes at its end. */
export function trimTrailingSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x2f) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** The code unit before `cut` is the first half of a surrogate pair: cutting there would leave half a character. */
function safeCut(s: string, cut: number): number {
  const c = s.charCodeAt(cut - 1);
  return c >= 0xd800 && c <= 0xdbff ? cut - 1 : cut;
}

/** `s` cut to `max` characters (never inside a surrogate pair), "…" last when cut. */
export function clipText(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, safeCut(s, Math.max(0, max - 1)))}…`;
}

/** C0, DEL and C1 control characters: line breaks, and the escapes a terminal would obey. */
function isControl(c: number): boolean {
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f);
}

/** White space as String.prototype.trim sees it, or a control character. */
function isBlank(c: number): boolean {
  return c <= 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029
    || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Where `s` starts and ends once blanks (white space, control characters) are trimmed off both ends. */
function blankTrimmed(s: string): [number, number] {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s.charCodeAt(start))) start++;
  while (end > start && isBlank(s.charCodeAt(end - 1))) end--;
  return [start, end];
}

/**
 * A one-line field from outside (a name, a title, a token): control characters become spaces, the
 * ends are trimmed, and it is cut to `max` characters. Only the ends' blanks and the first `max`
 * characters are looked at: a megabyte of tabs costs a scan, not a megabyte of replacements.
 */
export function oneLine(s: string, max: number): string {
  const [start, end] = blankTrimmed(s);
  let out = '';
  const stop = Math.min(end, start + max + 1); // one more than fits: then it is cut, with "…"
  for (let i = start; i < stop; i++) out += isControl(s.charCodeAt(i)) ? ' ' : s[i];
  return clipText(out, max);
}

/**
 * Multi-line text from outside (a note): line breaks made "\n", control characters other than tab
 * and line breaks removed, the ends trimmed, cut to `max`. Stops reading once `max` is passed.
 */
export function clipLines(s: string, max: number): string {
  const [start, end] = blankTrimmed(s);
  let out = '';
  for (let i = start; i < end && out.length <= max; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d) {
      out += '\n';
      if (s.charCodeAt(i + 1) === 0x0a) i++;
    } else if (c === 0x09 || c === 0x0a || !isControl(c)) {
      out += s[i];
    }
  }
  return clipText(out, max);
}
