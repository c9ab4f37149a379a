// The shell's log: one line per event to userData/logs/main.log and stderr, passwords and tokens
// redacted (DESIGN.md §7) whatever the caller passed in. The file is bounded during the session,
// not only at start: a server that makes the app log without end (an event flood, a request
// loop) must not fill the disk. What goes into a line is the callers' business (they describe
// errors with core/logSafe.ts, never with a message that may quote a search term or a message).
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { redact } from '../core/ucwa/redact.ts';

/**
 * A log file is rotated (main.log → main.log.1 → … ) before a line would take it past this size.
 * 5 MB holds weeks of ordinary use (a line per HTTP request is ~120 bytes; an idle session makes a
 * few hundred a day) and is still small enough to attach to a bug report.
 */
export const MAX_LOG_BYTES = 5 * 1024 * 1024;
/** Rotated copies kept: with the current file, the logs never take more than 4 × MAX_LOG_BYTES. */
export const KEPT_LOG_FILES = 3;
/** A longer line is cut (a stack or a server's answer pasted into a line must not be a flood of its own). */
export const MAX_LOG_LINE_CHARS = 4000;

export function redactLine(text: string): string {
  return redact(text)
    .replace(/("(?:password|passwd|pwd|token|access_token|refresh_token|secret)"\s*:\s*")[^"]*/gi, '$1[redacted]')
    .replace(/\b((?:password|token|secret)\s*[=:]\s*)[^\s&,;"']+/gi, '$1[redacted]')
    .replace(/(Authorization\s*:\s*)\S+(\s+\S+)?/gi, '$1[redacted]');
}

/** The scheme of a link (for "refused a javascript: link"), never the rest of it. */
export function linkScheme(raw: string): string {
  const m = /^\s*([a-z][a-z0-9+.-]{0,20}):/i.exec(raw);
  return m ? `${m[1]!.toLowerCase()}:` : 'malformed';
}

export interface Logger {
  (line: string): void;
  /** Removes the log file and its rotated copies (Delete local history); logging goes on in a new file. */
  clear(): void;
}

export interface LoggerOptions {
  stderr?: boolean;
  /** Tests: a small bound to rotate at. */
  maxBytes?: number;
  keep?: number;
}

export function createLogger(file: string | null, opts: LoggerOptions = {}): Logger {
  const maxBytes = opts.maxBytes ?? MAX_LOG_BYTES;
  const keep = Math.max(1, opts.keep ?? KEPT_LOG_FILES);
  /** Bytes in the current file: its size at start, then counted as lines are written. */
  let size = 0;
  const rotated = (n: number) => `${file}.${n}`;

  function rotate(): void {
    if (!file) return;
    try {
      rmSync(rotated(keep), { force: true });
      for (let n = keep - 1; n >= 1; n--) {
        if (statSync(rotated(n), { throwIfNoEntry: false })) renameSync(rotated(n), rotated(n + 1));
      }
      if (statSync(file, { throwIfNoEntry: false })) renameSync(file, rotated(1));
    } catch {
      /* logging must never stop the app */
    }
    size = 0;
  }

  if (file) {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    } catch {
      /* logging must never stop the app */
    }
    if (size >= maxBytes) rotate();
  }

  const log = ((line: string) => {
    const cut = line.length > MAX_LOG_LINE_CHARS ? `${line.slice(0, MAX_LOG_LINE_CHARS)}… [${line.length - MAX_LOG_LINE_CHARS} characters cut]` : line;
    const text = `${new Date().toISOString()} ${redactLine(cut).replace(/[\r\n]+/g, ' ⏎ ')}\n`;
    if (opts.stderr !== false) process.stderr.write(text);
    if (!file) return;
    const bytes = Buffer.byteLength(text);
    if (size > 0 && size + bytes > maxBytes) rotate();
    try {
      appendFileSync(file, text, { mode: 0o600 });
      size += bytes;
    } catch {
      /* disk full, read-only: keep running */
    }
  }) as Logger;
  log.clear = () => {
    if (!file) return;
    for (const f of [file, ...Array.from({ length: keep }, (_, i) => rotated(i + 1))]) {
      try {
        rmSync(f, { force: true });
      } catch {
        /* gone, or not ours to remove */
      }
    }
    size = 0;
  };
  return log;
}
