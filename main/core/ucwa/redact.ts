// Tokens and passwords must never reach a log line (DESIGN.md §7).
export function redact(text: string): string {
  return text
    .replace(/(Bearer\s+)[^\s"',]+/gi, '$1[redacted]')
    .replace(/cwt=[A-Za-z0-9+/=_.-]+/g, 'cwt=[redacted]')
    .replace(/(password=)[^&\s]*/gi, '$1[redacted]')
    .replace(/("access_token"\s*:\s*")[^"]*/g, '$1[redacted]');
}
