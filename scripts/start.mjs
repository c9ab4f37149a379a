// `npm start [-- --demo]`: builds out/ and launches the app in the Electron binary.
// The binary is located the way the electron package does it (node_modules/electron/path.txt +
// dist/, or ELECTRON_OVERRIDE_DIST_PATH) — never by requiring 'electron', which would try to
// download it. Where it is missing, say what to do and exit non-zero, without a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function platformExecutable(platform = process.platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/** { path } of the Electron executable, or { missing: why }. */
export function findElectron(env = process.env, projectRoot = root) {
  const pkg = join(projectRoot, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(env.ELECTRON_OVERRIDE_DIST_PATH, rel || platformExecutable());
    return existsSync(p) ? { path: p } : { missing: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${p} does not exist` };
  }
  if (!existsSync(pkg)) return { missing: 'the electron package is not installed (node_modules/electron)' };
  if (!rel) return { missing: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)' };
  const p = join(pkg, 'dist', rel);
  return existsSync(p) ? { path: p } : { missing: `the Electron binary is missing (${p})` };
}

export function missingMessage(why) {
  return [
    `Cannot start UCWA Tray: ${why}.`,
    '',
    'The electron npm package downloads its binary (~100 MB) from GitHub on first use; that did not happen here.',
    'To get it:',
    '  - on a machine with internet access:   npx electron --version   (downloads it into node_modules/electron/dist)',
    '  - or with an Electron 45 you already have:   ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-dist npm start',
    '',
    'Meanwhile the same core runs without Electron, from the command line:',
    '  npx ucwa --demo history      (the built-in demo server; `npx ucwa --help` lists every command)',
  ].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const found = findElectron();
  if (!found.path) {
    console.error(missingMessage(found.missing));
    process.exit(1);
  }
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) {
    console.error('Cannot start UCWA Tray: the build failed (see above).');
    process.exit(build.status ?? 1);
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would turn the app into a plain Node process
  const child = spawn(found.path, [root, ...args], { stdio: 'inherit', cwd: root, env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    console.error(`Cannot start UCWA Tray: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
