// `npm run dist [-- --linux|--win|--mac] [--e2e]`: builds out/ and packages it with electron-builder
// (config: electron-builder.js; --e2e: the Playwright build with inspect allowed, in release/e2e).
// electron-builder downloads the Electron runtime of each target from GitHub (or ELECTRON_MIRROR):
// check that host first, quickly, and fail with a clear message instead of hanging on a timeout.
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIMEOUT_MS = 4000;

export function downloadHost(env = process.env) {
  const mirror = env.ELECTRON_MIRROR || env.npm_config_electron_mirror;
  if (mirror) {
    try {
      return new URL(mirror).origin;
    } catch {
      /* fall through */
    }
  }
  return 'https://github.com';
}

/** null when reachable, otherwise why not. */
export async function checkReachable(origin, timeoutMs = TIMEOUT_MS) {
  const host = new URL(origin).hostname;
  try {
    await Promise.race([lookup(host), new Promise((_, reject) => setTimeout(() => reject(new Error('DNS timeout')), timeoutMs).unref())]);
  } catch (err) {
    return `cannot resolve ${host} (${err.code ?? err.message})`;
  }
  try {
    await fetch(origin, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return null;
  } catch (err) {
    return `no answer from ${origin} within ${timeoutMs / 1000} s (${err.cause?.code ?? err.name})`;
  }
}

export function targetsFromArgs(argv) {
  const targets = {};
  if (argv.includes('--linux')) targets.linux = [];
  if (argv.includes('--win')) targets.win = [];
  if (argv.includes('--mac')) targets.mac = [];
  return targets;
}

async function main() {
  const argv = process.argv.slice(2);
  const origin = downloadHost();
  const problem = await checkReachable(origin);
  if (problem) {
    console.error([
      `Cannot package UCWA Tray: ${problem}.`,
      'electron-builder downloads the Electron runtime for every target platform from there.',
      'Run `npm run dist` on a machine with internet access, or point ELECTRON_MIRROR at a reachable mirror',
      '(electron-builder also reuses runtimes cached in ~/.cache/electron).',
    ].join('\n'));
    process.exit(1);
  }
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'production' } });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const { default: config, e2eConfig } = await import('../electron-builder.js');
  const { build: builder } = await import('electron-builder');
  try {
    const files = await builder({ projectDir: root, config: argv.includes('--e2e') ? e2eConfig : config, publish: 'never', ...targetsFromArgs(argv) });
    console.log(`Packaged:\n${files.map((f) => `  ${f}`).join('\n')}`);
  } catch (err) {
    console.error(`Packaging failed: ${err.message}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
