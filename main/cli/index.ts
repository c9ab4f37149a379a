// `ucwa`: the headless client. Parses the command line, runs one command against the messenger
// service, and exits with its code. Bundled to out/cli/index.js (bin/ucwa.js runs it); also
// runnable from source: `node main/cli/index.ts …`.
import { parseArgs } from './args.ts';
import { createRuntime, CLI_VERSION } from './compose.ts';
import { runCli } from './run.ts';
import type { CliIO } from './run.ts';

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (process.stdin.isTTY) { resolve(''); return; }
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => { data += d; });
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}

function onInterrupt(handler: () => void): () => void {
  const h = () => handler();
  process.on('SIGINT', h);
  process.on('SIGTERM', h);
  return () => { process.off('SIGINT', h); process.off('SIGTERM', h); };
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2), CLI_VERSION);
  if ('exit' in parsed) {
    if (parsed.stdout) process.stdout.write(parsed.stdout);
    if (parsed.stderr) process.stderr.write(parsed.stderr);
    process.exitCode = parsed.exit;
    return;
  }
  const io: CliIO = {
    stdout: (t) => { process.stdout.write(t); },
    stderr: (t) => { process.stderr.write(t); },
    env: process.env,
    readStdin,
    onInterrupt,
    tty: !!process.stdout.isTTY,
  };
  const code = await runCli(parsed, io, createRuntime());
  process.exitCode = code;
  if (parsed.command.name === 'simulator') return; // the simulator runs until Ctrl+C
  process.stdin.pause();
  if (process.env.UCWA_DEBUG_HANDLES) process.stderr.write(`active: ${process.getActiveResourcesInfo().join(', ')}\n`);
  // Everything was closed (service, store, demo server). Should a library still hold a socket or a
  // timer, do not hang: leave once stdout is flushed.
  setTimeout(() => process.exit(code), 1500).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`ucwa: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exit(1);
});
