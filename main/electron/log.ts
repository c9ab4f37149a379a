// The shell's log: one line per event to userData/logs/main.log and stderr, passwords and tokens
// redacted (DESIGN.md §7) whatever the caller passed in.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { redact } from '../core/ucwa/redact.ts';

export function redactLine(text: string): string {
  return redact(text)
    .replace(/("(?:password|passwd|pwd|token|access_token|refresh_token|secret)"\s*:\s*")[^"]*/gi, '$1[redacted]')
    .replace(/\b((?:password|token|secret)\s*[=:]\s*)[^\s&,;"']+/gi, '$1[redacted]')
    .replace(/(Authorization\s*:\s*)\S+(\s+\S+)?/gi, '$1[redacted]');
}

export type Logger = (line: string) => void;

const MAX_LOG_BYTES = 5 * 1024 * 1024;

export function createLogger(file: string | null, opts: { stderr?: boolean } = {}): Logger {
  if (file) {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
    } catch {
      /* logging must never stop the app */
    }
  }
  return (line) => {
    const text = `${new Date().toISOString()} ${redactLine(line)}\n`;
    if (opts.stderr !== false) process.stderr.write(text);
    if (file) {
      try {
        appendFileSync(file, text, { mode: 0o600 });
      } catch {
        /* disk full, read-only: keep running */
      }
    }
  };
}
