// The `ucwa` CLI as a child process for the hostile-server tests and the bench: bundled from the
// current source as scripts/build.mjs bundles it (into a temporary folder, out/ untouched), run
// with a clean environment (no keychain, no password unless given, no proxy unless given).
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface CliBundle {
  entry: string;
  dir: string;
  dispose(): void;
}

export async function buildCli(): Promise<CliBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-hostile-cli-'));
  const common: BuildOptions = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node22', format: 'esm', packages: 'external', external: ['electron'], logLevel: 'error', define: { 'process.env.UCWA_BUNDLED': '"1"' } };
  await build({ ...common, entryPoints: ['main/cli/index.ts'], outfile: join(dir, 'cli/index.js') });
  // The SQLite store looks for its worker beside the bundle's folder (../main/storeWorker.mjs).
  await build({ ...common, entryPoints: ['main/core/store/worker.ts'], outfile: join(dir, 'main/storeWorker.mjs') });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { entry: join(dir, 'cli/index.js'), dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Kill (SIGKILL) after this long; default 60 s. The result says whether it had to. */
  killAfterMs?: number;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  killed: boolean;
}

/** The environment the CLI runs in: the test's, minus anything that could reach the developer's
 * keychain, password or proxy; plus `extra` (undefined deletes). */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['UCWA_PASSWORD', 'UCWA_DEBUG', 'DBUS_SESSION_BUS_ADDRESS', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'NODE_USE_ENV_PROXY', 'NODE_EXTRA_CA_CERTS']) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k]; else env[k] = v;
  return env;
}

/** Environment for reaching `proxyOrigin`'s public https name through it (CONNECT), trusting the
 * test certificate (fixtures/pool.contoso.com.crt) and nothing else new. Loopback stays direct. */
export function viaHttpsProxy(proxyOrigin: string): Record<string, string> {
  return {
    HTTPS_PROXY: proxyOrigin,
    HTTP_PROXY: proxyOrigin, // plain-http requests for other hosts reach the proxy, which refuses and records them
    NO_PROXY: 'localhost,127.0.0.1,::1',
    NODE_USE_ENV_PROXY: '1',
    NODE_EXTRA_CA_CERTS: join(FIXTURES, 'pool.contoso.com.crt'),
  };
}

/** The V8 flags `ucwa` starts with: those of bin/ucwa.js's shebang (`#!/usr/bin/env -S node …`), so
 * what is measured here is what users run. */
export const CLI_NODE_FLAGS: string[] = (() => {
  const first = readFileSync(join(root, 'bin/ucwa.js'), 'utf8').split('\n', 1)[0] ?? '';
  return first.replace(/^#!\S*env\s+(-S\s+)?node\s*/, '').split(/\s+/).filter((f) => f.startsWith('--'));
})();

export function startCli(bundle: CliBundle, args: string[], opts: RunOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...CLI_NODE_FLAGS, bundle.entry, ...args], { env: cliEnv(opts.env), cwd: root });
}

export function runCli(bundle: CliBundle, args: string[], opts: RunOptions & { input?: string } = {}): Promise<CliResult> {
  const t0 = performance.now();
  const child = startCli(bundle, args, opts);
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin.end(opts.input ?? '');
  const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, opts.killAfterMs ?? 60_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr, ms: performance.now() - t0, killed });
  }));
}

/** JSON Lines from a child's stdout, as they come. */
export function jsonLines(child: ChildProcessWithoutNullStreams, onLine: (doc: Record<string, unknown>) => void): void {
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      try {
        onLine(JSON.parse(line) as Record<string, unknown>);
      } catch {
        onLine({ event: 'unparsed', line });
      }
    }
  });
}

/** Stop a child politely (SIGINT: listen signs out), then for good. */
export async function stopChild(child: ChildProcessWithoutNullStreams, graceMs = 5000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await closed;
  clearTimeout(timer);
  return code;
}
