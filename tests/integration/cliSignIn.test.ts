// Enterprise sign-in from the command line (issue 15): `--login` for a sign-in name that differs
// from the SIP address; Windows sign-in as NTLM with the typed password where the server offers no
// password grant; modern authentication (a Bearer challenge with authorization_uri) in the browser
// named by $BROWSER, with a loopback redirect; a server that offers only AD FS, said in one line.
// The CLI runs in-process (runCli with the real runtime: Node's fetch, the core, SQLite) against
// the simulator over HTTP; the "browser" is a child process doing what a person does on the page.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../../main/cli/args.ts';
import { runCli } from '../../main/cli/run.ts';
import type { CliIO } from '../../main/cli/run.ts';
import { createRuntime } from '../../main/cli/compose.ts';
import { sim } from './helpers.ts';
import type { Simulator, SimulatorOptions } from '../../simulator/index.ts';

const JOHN = { sip: 'sip:john.doe@contoso.com', name: 'John Doe', password: 'Winter2026!', signInNames: ['CONTOSO\\jdoe', 'jdoe@corp.contoso.com'] };
const BROWSER = `${process.execPath} ${fileURLToPath(new URL('./fixtures/browserSignIn.ts', import.meta.url))}`;
const temps: string[] = [];
after(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

interface Ran { code: number; stdout: string; stderr: string }

async function ucwa(s: Simulator, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ucwa-cli-signin-'));
  temps.push(dataDir);
  const parsed = parseArgs(['--server', s.url, '--user', JOHN.sip, '--data-dir', dataDir, '--timeout', '20', ...args]);
  if ('exit' in parsed) assert.fail(`usage error: ${parsed.stderr}`);
  let stdout = '', stderr = '';
  const io: CliIO = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    env: { ...env },
    readStdin: async () => '',
    onInterrupt: () => () => undefined,
    tty: false,
  };
  const code = await runCli(parsed, io, createRuntime());
  return { code, stdout, stderr };
}

async function withSim(opts: SimulatorOptions, fn: (s: Simulator) => Promise<void>): Promise<void> {
  const s = await sim({ demoWorld: false, users: [JOHN, { sip: 'sip:bob@contoso.com', name: 'Bob' }], ...opts });
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

const signedIn = (r: Ran) => {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { ok: boolean; account: string };
  assert.equal(out.ok, true, r.stdout);
  assert.equal(out.account, JOHN.sip, 'signed in as the SIP address, whatever the sign-in name');
};

test('--login: the sign-in name goes to the token service; without it the SIP address is refused in words', () => withSim({}, async (s) => {
  signedIn(await ucwa(s, ['--login', 'CONTOSO\\jdoe', 'history', '--json'], { UCWA_PASSWORD: JOHN.password }));
  const refused = await ucwa(s, ['history', '--json'], { UCWA_PASSWORD: JOHN.password });
  assert.equal(refused.code, 1);
  assert.equal((JSON.parse(refused.stdout) as { error: { code: string } }).error.code, 'wrongPassword');
}));

test('Windows sign-in (NTLM) where the server offers no password grant: the typed password, DOMAIN\\user or a UPN', () => withSim(
  { grants: ['urn:microsoft.rtc:windows', 'urn:microsoft.rtc:anonmeeting'] },
  async (s) => {
    signedIn(await ucwa(s, ['--login', 'CONTOSO\\jdoe', 'history', '--json'], { UCWA_PASSWORD: JOHN.password }));
    signedIn(await ucwa(s, ['--login', 'jdoe@corp.contoso.com', 'history', '--json'], { UCWA_PASSWORD: JOHN.password }));
    const wrong = await ucwa(s, ['--login', 'CONTOSO\\jdoe', 'history'], { UCWA_PASSWORD: 'not it' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^ucwa: .*user name or password is wrong/m);
  },
));

test('a server that offers only AD FS: one line saying the app is needed (nothing sent to it but the challenge GET)', () => withSim(
  { grants: ['urn:microsoft.rtc:passive', 'urn:microsoft.rtc:anonmeeting'] },
  async (s) => {
    const r = await ucwa(s, ['--login', 'CONTOSO\\jdoe', 'history'], { UCWA_PASSWORD: JOHN.password });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('ucwa:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /AD FS.*needs the UCWA Tray app/);
  },
));

test('modern authentication: --client-id, the browser signs in (no password anywhere), the token opens the pool; Cancel is said in words', () => withSim(
  { modernAuth: {}, grants: ['urn:microsoft.rtc:anonmeeting'] },
  async (s) => {
    const env = { BROWSER, TEST_BROWSER_USER: 'CONTOSO\\jdoe', TEST_BROWSER_PASSWORD: JOHN.password };
    const saved = { ...process.env };
    Object.assign(process.env, env); // the browser is started with the CLI's own environment
    try {
      const r = await ucwa(s, ['--client-id', 'ucwa-tray-test', 'history', '--json']);
      signedIn(r);
      assert.match(r.stderr, /Sign in in your browser: http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?/);
      process.env.TEST_BROWSER_BUTTON = 'Cancel';
      const cancelled = await ucwa(s, ['--client-id', 'ucwa-tray-test', 'history', '--json']);
      assert.equal(cancelled.code, 1);
      assert.equal((JSON.parse(cancelled.stdout) as { error: { code: string } }).error.code, 'signInCancelled');
      // Without a client id the CLI says what is missing.
      delete process.env.TEST_BROWSER_BUTTON;
      const none = await ucwa(s, ['history'], { UCWA_PASSWORD: JOHN.password });
      assert.equal(none.code, 1);
      assert.match(none.stderr, /modern authentication needs --client-id/);
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
      delete process.env.TEST_BROWSER_BUTTON;
      Object.assign(process.env, saved);
    }
  },
));
