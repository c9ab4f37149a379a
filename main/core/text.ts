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
