// The shell's log file is bounded DURING a session (main/electron/log.ts): it rotates when a line
// would take it past the bound, keeps a fixed number of old files, and can be cleared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, KEPT_LOG_FILES, linkScheme, MAX_LOG_BYTES, MAX_LOG_LINE_CHARS } from '../../main/electron/log.ts';
import { isLogFileName, logDir, MAIN_LOG_NAME, removeLogFiles } from '../../main/core/paths.ts';

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucwa-log-rotate-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('the bounds are named: 5 MB a file, 3 rotated copies', () => {
  assert.equal(MAX_LOG_BYTES, 5 * 1024 * 1024);
  assert.equal(KEPT_LOG_FILES, 3);
});

test('writing past the bound in one session rotates the file; every file stays within the bound', withDir((dir) => {
  const file = join(logDir(dir), MAIN_LOG_NAME);
  const maxBytes = 4096;
  const log = createLogger(file, { stderr: false, maxBytes, keep: 3 });
  // ~100 bytes a line: 1 000 lines are ~24 times the bound, written without restarting.
  for (let i = 0; i < 1000; i++) log(`line ${String(i).padStart(4, '0')} ${'x'.repeat(60)}`);
  const names = readdirSync(logDir(dir)).sort();
  assert.deepEqual(names, ['main.log', 'main.log.1', 'main.log.2', 'main.log.3'], 'the current file and exactly 3 old ones');
  let total = 0;
  for (const n of names) {
    const size = statSync(join(logDir(dir), n)).size;
    assert.ok(size <= maxBytes, `${n} is ${size} bytes`);
    total += size;
  }
  assert.ok(total <= 4 * maxBytes);
  // Newest last: the current file ends with the last line, .1 holds the lines just before it.
  const current = readFileSync(file, 'utf8').trim().split('\n');
  assert.match(current.at(-1)!, /line 0999 /);
  const previous = readFileSync(`${file}.1`, 'utf8').trim().split('\n');
  const lastOfPrevious = Number(/line (\d+)/.exec(previous.at(-1)!)![1]);
  const firstOfCurrent = Number(/line (\d+)/.exec(current[0]!)![1]);
  assert.equal(firstOfCurrent, lastOfPrevious + 1, 'no line lost at a rotation');
  assert.ok(isLogFileName('main.log.3') && isLogFileName(MAIN_LOG_NAME) && !isLogFileName('main.log.bak') && !isLogFileName('other.log'));
}));

test('a file already over the bound at start is rotated first; the size on disk counts', withDir((dir) => {
  const file = join(dir, 'logs', 'main.log');
  mkdirSync(join(dir, 'logs'));
  writeFileSync(file, 'x'.repeat(3000));
  const log = createLogger(file, { stderr: false, maxBytes: 4000, keep: 2 });
  log('a line that still fits'); // 3000 + ~50 < 4000: same file
  assert.equal(readdirSync(join(dir, 'logs')).length, 1);
  log('y'.repeat(1000)); // would pass the bound: rotated first
  assert.deepEqual(readdirSync(join(dir, 'logs')).sort(), ['main.log', 'main.log.1']);
  assert.ok(readFileSync(`${file}.1`, 'utf8').startsWith('xxx'));
  writeFileSync(file, 'z'.repeat(5000));
  createLogger(file, { stderr: false, maxBytes: 4000, keep: 2 })('after a restart');
  assert.ok(readFileSync(`${file}.1`, 'utf8').startsWith('zzz'), 'oversized at start: rotated');
  assert.ok(readFileSync(`${file}.2`, 'utf8').startsWith('xxx'));
}));

test('one huge line is cut and stays one line; clear() removes every log file and logging goes on', withDir(async (dir) => {
  const file = join(logDir(dir), MAIN_LOG_NAME);
  const log = createLogger(file, { stderr: false, maxBytes: 1 << 20, keep: 2 });
  log(`first\nforged 2020-01-01T00:00:00.000Z line ${'h'.repeat(MAX_LOG_LINE_CHARS * 3)}`);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1, 'a newline in a message cannot forge a second log line');
  assert.ok(lines[0]!.length < MAX_LOG_LINE_CHARS + 200);
  assert.match(lines[0]!, /characters cut\]$/);
  writeFileSync(`${file}.1`, 'old');
  writeFileSync(join(logDir(dir), 'keep-me.txt'), 'not a log');
  log.clear();
  assert.deepEqual(readdirSync(logDir(dir)), ['keep-me.txt']);
  log('after clearing');
  assert.match(readFileSync(file, 'utf8'), /after clearing/);
  // The CLI's way (no logger of its own): the same files, found by name.
  writeFileSync(`${file}.2`, 'old');
  const removed = await removeLogFiles(dir);
  assert.deepEqual(removed.map((p) => p.slice(logDir(dir).length + 1)).sort(), ['main.log', 'main.log.2']);
  assert.deepEqual(readdirSync(logDir(dir)), ['keep-me.txt']);
  assert.deepEqual(await removeLogFiles(join(dir, 'nowhere')), []);
}));

test('a refused link is logged by its scheme only', () => {
  assert.equal(linkScheme('javascript:alert("the text of a message")'), 'javascript:');
  assert.equal(linkScheme('  FILE:///etc/passwd'), 'file:');
  assert.equal(linkScheme('no scheme at all'), 'malformed');
});
