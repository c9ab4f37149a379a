// `npm test`: every test of the project, in one command, ending with "N passed, N failed, N skipped".
//  1. checks Node and the system packages the tests need (installs them with apt-get when root);
//  2. builds out/ (the renderer bundle and CLI are tested as shipped);
//  3. lint and type-check (each counted as one test);
//  4. node:test suites (unit, simulator, integration) inside a private D-Bus session with an
//     unlocked gnome-keyring, so keychain tests hit a real Secret Service;
//  5. Playwright suites (renderer in Debian's Chromium; Electron where its binary exists).
// Extra arguments are passed to node --test as file filters, e.g. `npm test -- tests/unit`.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, readFileSync, globSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const totals = { passed: 0, failed: 0, skipped: 0 };
const onlyFiles = process.argv.slice(2);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`Node.js >= 22.12 is required to run the tests (this is ${process.versions.node}).\n` +
    'Install Node 24, e.g.: npm install --prefix .tools node@24 && export PATH="$PWD/.tools/node_modules/.bin:$PATH"');
  process.exit(1);
}

// --- 1. system packages -------------------------------------------------------------------
const needs = [
  { bin: 'chromium', pkg: 'chromium', why: 'renderer tests in a real browser' },
  { bin: 'dbus-run-session', pkg: 'dbus', why: 'a private D-Bus session for the keychain tests' },
  { bin: 'dbus-daemon', pkg: 'dbus-daemon', why: 'a private D-Bus session for the keychain tests' },
  { bin: 'gnome-keyring-daemon', pkg: 'gnome-keyring', why: 'a real Secret Service' },
  { bin: 'secret-tool', pkg: 'libsecret-tools', why: 'checking what the keychain holds' },
  { file: '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf', pkg: 'fonts-noto-color-emoji', why: 'emoji in the renderer screenshots' },
];
const has = (need) => (need.file ? existsSync(need.file)
  : spawnSync('sh', ['-c', `command -v ${need.bin}`], { stdio: 'ignore' }).status === 0);
const missing = needs.filter((n) => !has(n));
if (missing.length) {
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  if (process.getuid?.() === 0 && has({ bin: 'apt-get' })) {
    console.log(`Installing system packages the tests need: ${pkgs.join(', ')}`);
    const r = spawnSync('sh', ['-c', `export DEBIAN_FRONTEND=noninteractive; ${cmd}`], { stdio: 'inherit' });
    if (r.status !== 0) { console.error(`apt-get failed; run as root: ${cmd}`); process.exit(1); }
  } else {
    console.error(`The tests need system packages that are missing:\n${missing.map((m) => `  ${m.pkg} (${m.why})`).join('\n')}\nRun as root:\n  sudo ${cmd}`);
    process.exit(1);
  }
}

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${[cmd, ...args].join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', ...opts }).status ?? 1;
}
function count(name, ok) {
  if (ok) totals.passed++; else totals.failed++;
  console.log(`${ok ? 'ok' : 'FAILED'}: ${name}`);
}

// --- 2. build -------------------------------------------------------------------------------
const npx = join(root, 'node_modules', '.bin');
count('build', run(process.execPath, ['scripts/build.mjs']) === 0);

// --- 3. static checks -------------------------------------------------------------------------
if (!onlyFiles.length) {
  count('eslint', run(join(npx, 'eslint'), ['.', '--max-warnings=0']) === 0);
  count('typecheck (node)', run(join(npx, 'tsc'), ['-p', 'tsconfig.json']) === 0);
  if (existsSync('renderer/tsconfig.json') && globSync('renderer/**/*.{ts,tsx}').length) {
    count('typecheck (renderer)', run(join(npx, 'tsc'), ['-p', 'renderer/tsconfig.json']) === 0);
  }
}

// --- 4. node:test suites in a private D-Bus session with an unlocked keyring -----------------
const selected = onlyFiles.length
  ? onlyFiles.flatMap((f) => (f.endsWith('.ts') ? [f] : globSync(`${f.replace(/\/$/, '')}/**/*.test.ts`)))
  : globSync('tests/{unit,simulator,integration}/**/*.test.ts');
// Suites that time their subject (the 1 MB linear-time checks of issue 11) run first and alone:
// beside another suite the machine's second core is busy and their budget measures the neighbour.
const isTimed = (f) => /(^|\/)linearTime\.test\.ts$/.test(f);
const timedFiles = selected.filter(isTimed);
const nodeFiles = selected.filter((f) => !isTimed(f));
// The emulated shell (Chromium + many app runs) runs after the others, alone: run beside the
// integration suites it would load 2 cores enough to upset their timing.
const emulatedFiles = onlyFiles.length ? [] : globSync('tests/e2e-emulated/**/*.test.ts');
if (nodeFiles.length || timedFiles.length) {
  const home = mkdtempSync(join(tmpdir(), 'ucwa-test-home-'));
  const inner = [
    'set -e',
    // A fresh login keyring, unlocked with a throwaway password, only for this run.
    'eval "$(echo ucwa-test | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true',
    'export GNOME_KEYRING_CONTROL',
    ...(timedFiles.length ? [`"${process.execPath}" --test --test-concurrency=1 --test-timeout=120000 --test-reporter=spec ${timedFiles.map((f) => `'${f}'`).join(' ')} || status=$?`] : []),
    ...(nodeFiles.length ? [`"${process.execPath}" --test --test-concurrency=2 --test-timeout=120000 --test-reporter=spec ${nodeFiles.map((f) => `'${f}'`).join(' ')} || status=$?`] : []),
    ...(emulatedFiles.length ? [`"${process.execPath}" --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec ${emulatedFiles.map((f) => `'${f}'`).join(' ')} || status=$?`] : []),
    'exit ${status:-0}',
  ].join('\n');
  const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, '.local/share'), XDG_CONFIG_HOME: join(home, '.config'), XDG_RUNTIME_DIR: home, UCWA_TEST: '1' };
  const { text: out, code: nodeCode } = await tee('dbus-run-session', ['--', 'sh', '-c', inner], env);
  rmSync(home, { recursive: true, force: true });
  // One summary per node --test run: add them up.
  const num = (k) => [...out.matchAll(new RegExp(`^\\S*\\s*${k} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  const pass = num('pass'), fail = num('fail'), skipped = num('skipped') + num('todo'), cancelled = num('cancelled');
  totals.passed += pass; totals.failed += fail + cancelled; totals.skipped += skipped;
  if (nodeCode !== 0 && fail + cancelled === 0) totals.failed++; // crashed outside any test
}

// --- 5. Playwright suites -----------------------------------------------------------------------
const pwSpecs = globSync('tests/{e2e-browser,e2e-electron}/**/*.spec.ts');
if (pwSpecs.length && (!onlyFiles.length || onlyFiles.some((f) => f.includes('e2e')))) {
  const report = join(root, 'test-results', 'playwright.json');
  const code = run(join(npx, 'playwright'), ['test'], { env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report } });
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const stats = json.stats ?? {};
    // A skipped suite must say why (e.g. no Electron binary here), never pass silently.
    for (const line of skipReasons(json.suites ?? [])) console.log(`skipped: ${line}`);
    totals.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
    totals.failed += stats.unexpected ?? 0;
    totals.skipped += stats.skipped ?? 0;
  } else if (code !== 0) totals.failed++;
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed ? 1 : 0);

function skipReasons(suites, out = []) {
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'skipped') continue;
        const why = (t.annotations ?? []).find((a) => a.type === 'skip')?.description;
        out.push(`${spec.file}: ${spec.title} — ${why || 'no reason given'}`);
      }
    }
    skipReasons(suite.suites ?? [], out);
  }
  return out;
}

function tee(cmd, args, env) {
  console.log(`\n$ ${cmd} ${args.slice(0, 2).join(' ')} … node --test (${nodeFiles.length} files)`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (code) => resolve({ text, code }));
  });
}
