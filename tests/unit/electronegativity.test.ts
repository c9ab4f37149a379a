// Electronegativity (Doyensec's Electron security scanner) over what ships, offline, with the
// Electron version given explicitly: no finding of MEDIUM severity or above.
//
// What is scanned: the main-process bundle (rebuilt here from main/electron/main.ts at ES2019,
// because the scanner's parser does not know class private fields and would silently skip the
// real bundle), the preload bundle and the renderer bundle.
//
// Excluded false positives (each is covered by its own test instead):
// - OPEN_EXTERNAL_JS_CHECK (TENTATIVE, "review"): flags every openExternal call with a non-literal
//   URL. Every shell.openExternal call receives `validateExternalUrl(raw).href` (http/https, no
//   credentials); the renderer's `openExternal` is the IPC contract call that main validates the
//   same way (tests/unit/ipc-validation.test.ts).
// - PROTOCOL_HANDLER_JS_CHECK (TENTATIVE, "review"): flags app.setAsDefaultProtocolClient. The
//   sip:/im: links are parsed by parseImLink, which accepts only user@domain
//   (tests/unit/electron-links.test.ts).
// - CSP_GLOBAL_CHECK "no CSP found": the scanner only recognises CSPs set through webRequest
//   headers or <meta>; ours is a response header of the app:// protocol handler
//   (tests/unit/electron-protocol.test.ts). The policy itself is checked below with the scanner's
//   own CSP evaluator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { contentSecurityPolicy } from '../../main/electron/appProtocol.ts';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const ELECTRON_VERSION = (JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
const EXCLUDED = new Set(['OPEN_EXTERNAL_JS_CHECK', 'PROTOCOL_HANDLER_JS_CHECK', 'CSP_GLOBAL_CHECK']);

interface Issue { id: string; file: string; location: { line: number; column: number }; severity: { name: string; value: number }; confidence: { name: string } }

test('no Electronegativity finding of MEDIUM severity or above', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-electronegativity-'));
  try {
    await build({
      absWorkingDir: root, entryPoints: ['main/electron/main.ts'], outfile: join(dir, 'main', 'index.js'), bundle: true, platform: 'node',
      format: 'esm', target: 'es2019', packages: 'external', external: ['electron'], logLevel: 'silent',
    });
    await build({
      absWorkingDir: root, entryPoints: ['preload/index.ts'], outfile: join(dir, 'preload', 'index.cjs'), bundle: true, platform: 'node',
      format: 'cjs', target: 'es2019', external: ['electron'], logLevel: 'silent',
    });
    const renderer = join(root, 'out', 'renderer');
    if (existsSync(renderer)) cpSync(renderer, join(dir, 'renderer'), { recursive: true, filter: (f) => !f.endsWith('.map') });
    else t.diagnostic('out/renderer not built: renderer not scanned (npm test builds it first)');

    // In a child process: the scanner fires network requests (translations, Electron release list)
    // that fail offline long after it returns; it goes on without them. The release check
    // (AvailableSecurityFixesGlobalCheck) needs the network and is left out; the Electron version
    // is given explicitly instead.
    const script = `
      const run = require(${JSON.stringify(require.resolve('@doyensec/electronegativity/dist/runner.js'))});
      const log = console.log; console.log = () => {};
      run({ input: process.argv[1], electronVersionOverride: process.argv[2], isRelative: true, excludeFromScan: ['AvailableSecurityFixesGlobalCheck'] }, false)
        .then((r) => { process.stdout.write('\\n@@RESULT@@' + JSON.stringify({ issues: r.issues, errors: r.errors }) + '\\n'); process.exit(0); })
        .catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(2); });`;
    const child = spawnSync(process.execPath, ['-e', script, dir, ELECTRON_VERSION], { encoding: 'utf8', timeout: 110_000, env: { ...process.env, LANG: 'en-US' } });
    const line = child.stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
    assert.ok(line, `scanner failed: ${child.stderr.slice(0, 2000)}`);
    const result = JSON.parse(line.slice('@@RESULT@@'.length)) as { issues: Issue[]; errors: { file: string; message: string; tolerable: boolean }[] };
    const fatal = result.errors.filter((e) => !e.tolerable && /main|preload/.test(e.file));
    assert.deepEqual(fatal, [], 'the shell bundles were parsed (not silently skipped)');
    const medium = result.issues.filter((i) => i.severity.value >= 2); // MEDIUM = 2, HIGH = 3 in the scanner's attributes
    const excluded = medium.filter((i) => EXCLUDED.has(i.id));
    for (const i of excluded) t.diagnostic(`excluded (documented false positive): ${i.id} ${i.file}:${i.location.line}`);
    const real = medium.filter((i) => !EXCLUDED.has(i.id)).map((i) => `${i.id} ${i.severity.name} ${i.file}:${i.location.line}:${i.location.column}`);
    assert.deepEqual(real, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the app's CSP passes the scanner's own CSP evaluator without a HIGH or MEDIUM finding", () => {
  const csp = require('@doyensec/csp-evaluator') as {
    CspParser: new (s: string) => { csp: unknown };
    CspEvaluator: new (c: unknown, v: unknown) => { evaluate(): { severity: number; description: string; directive: string }[] };
    Version: { CSP3: unknown };
    severities: Record<string, number>;
  };
  const findings = new csp.CspEvaluator(new csp.CspParser(contentSecurityPolicy()).csp, csp.Version.CSP3).evaluate();
  // Only definite findings: the evaluator also notes (as a "maybe") that script-src 'self' is weak
  // where an origin hosts JSONP or user uploads — app://ui serves nothing but our own bundle.
  const bad = findings.filter((f) => f.severity === csp.severities.HIGH || f.severity === csp.severities.MEDIUM);
  assert.deepEqual(bad.map((f) => `${f.directive}: ${f.description}`), []);
});
