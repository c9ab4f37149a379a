// The `ucwa` CLI tested as a process, against the simulator over real HTTP: demo mode, the
// foreground demo server driven from other processes, listen with an injected IM, and the one-line
// errors a user sees. Runs the CLI bundled from the current source exactly as scripts/build.mjs
// bundles it (into a temporary folder, so out/ is left alone; the bundle starts 3x faster than
// the TypeScript source) and, where it is built, the shipped bin/ucwa.js once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, readdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { startSimulator } from '../../simulator/index.ts';
import type { Simulator } from '../../simulator/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let cliEntry = join(root, 'main/cli/index.ts');
const bin = join(root, 'bin/ucwa.js');
const DEMO = 'sip:demo@contoso.com';
const SCALE = '0.01';
const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ucwa-cli-test-'));
  temps.push(d);
  return d;
}
after(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

before(async () => {
  const dir = tempDir();
  const common: BuildOptions = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node22', format: 'esm', packages: 'external', external: ['electron'], logLevel: 'error', define: { 'process.env.UCWA_BUNDLED': '"1"' } };
  await build({ ...common, entryPoints: ['main/cli/index.ts'], outfile: join(dir, 'cli/index.js') });
  // The SQLite store looks for its worker beside the bundle's folder (../main/storeWorker.mjs).
  await build({ ...common, entryPoints: ['main/core/store/worker.ts'], outfile: join(dir, 'main/storeWorker.mjs') });
  // Bare imports (commander, better-sqlite3, …) resolve from the project's node_modules.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  cliEntry = join(dir, 'cli/index.js');
});

interface Result { code: number | null; stdout: string; stderr: string; ms: number }

function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, UCWA_DEMO_TIME_SCALE: SCALE, ...extra };
  delete env.UCWA_PASSWORD;
  delete env.UCWA_DEBUG;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k]; else env[k] = v;
  // Never the developer's keychain: no D-Bus session for the CLI unless a test wants one.
  delete env.DBUS_SESSION_BUS_ADDRESS;
  return env;
}

function start(args: string[], opts: { env?: Record<string, string | undefined>; entry?: string } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [opts.entry ?? cliEntry, ...args], { env: baseEnv(opts.env), cwd: root });
}

function ucwa(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; entry?: string; timeoutMs?: number } = {}): Promise<Result> {
  const t0 = Date.now();
  const child = start(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return new Promise((resolve) => child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - t0 }); }));
}

function json<T = Record<string, unknown>>(r: Result): T {
  assert.equal(r.code, 0, `exit ${r.code}; stderr: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A failure: non-zero exit, exactly one line on stderr (no stack trace), the JSON error on stdout. */
function oneLineError(r: Result, code: string, words: RegExp): void {
  assert.notEqual(r.code, 0, `should fail: ${r.stdout}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^ucwa: /);
  assert.match(lines[0]!, words);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/);
  const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string } };
  assert.equal(doc.ok, false);
  assert.equal(doc.error.code, code);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Conv { id: number; threadId: string | null; subject: string; participants: { sip: string; name: string }[]; unread: boolean; status: string; preview: string; time: string; type: string; direction: string }

test('--demo history --json: the demo world synced into a fresh cache', async () => {
  const dataDir = tempDir();
  const r = await ucwa(['--demo', 'history', '--json', '--limit', '10', '--data-dir', dataDir]);
  const doc = json<{ ok: boolean; account: string; conversations: Conv[] }>(r);
  assert.equal(doc.ok, true);
  assert.equal(doc.account, DEMO);
  assert.equal(doc.conversations.length, 10);
  const c = doc.conversations[0]!;
  for (const k of ['id', 'threadId', 'subject', 'type', 'direction', 'status', 'time', 'preview', 'participants', 'unread']) assert.ok(k in c, k);
  assert.ok(Date.parse(doc.conversations[0]!.time) >= Date.parse(doc.conversations[9]!.time), 'newest first');
  assert.equal(r.stderr, '', '--json keeps stderr quiet');
  // The cache is a private SQLite file in the data folder.
  const db = readdirSync(dataDir).find((f) => f.endsWith('.sqlite'));
  assert.ok(db, `a database in ${readdirSync(dataDir).join(', ')}`);
  if (process.platform !== 'win32') assert.equal(statSync(join(dataDir, db)).mode & 0o077, 0);

  // transcript from the cache (offline), and again after a sync against another fresh demo server.
  const offline = json<{ conversation: Conv; messages: { time: string; sender: { sip: string } | null; direction: string; text: string }[] }>(
    await ucwa(['--demo', '--data-dir', dataDir, 'transcript', String(c.id), '--offline', '--json']));
  assert.equal(offline.conversation.id, c.id);
  assert.ok(offline.messages.length > 0);
  assert.ok(offline.messages.every((m) => typeof m.text === 'string' && m.direction && m.time));
  assert.ok(Date.parse(offline.messages[0]!.time) <= Date.parse(offline.messages.at(-1)!.time), 'oldest first');
  const text = await ucwa(['--demo', 'transcript', String(c.id), '--data-dir', dataDir]);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(text.stdout.split('\n').length >= offline.messages.length);
  assert.match(text.stderr, /Signing in as sip:demo@contoso\.com/);
  assert.match(text.stderr, /History synced/);
});

let demo: ChildProcessWithoutNullStreams | null = null;
let demoUrl = '';
let demoExit: Promise<number | null> | null = null;

before(async () => {
  // `ucwa demo` in the foreground, as a user would run it in a first terminal.
  demo = start(['demo', '--json', '--time-scale', SCALE]);
  demoExit = new Promise((resolve) => demo!.on('close', (code) => resolve(code)));
  const first = await new Promise<string>((resolve, reject) => {
    let buf = '';
    demo!.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    demo!.on('close', (code) => reject(new Error(`ucwa demo exited with ${code}`)));
  });
  const doc = JSON.parse(first) as { url: string; user: string; password: string; commands: string[] };
  assert.equal(doc.user, DEMO);
  assert.equal(doc.password, 'demo');
  assert.ok(doc.commands.some((c) => c.includes(`--server '${doc.url}'`) && c.includes(`--user ${DEMO}`) && c.endsWith('history')));
  assert.ok(doc.commands.includes('export UCWA_PASSWORD=demo'));
  demoUrl = doc.url;
});

after(async () => {
  if (demo && demo.exitCode === null) {
    demo.kill('SIGINT');
    assert.equal(await demoExit, 0, 'ucwa demo stops cleanly on Ctrl+C');
  }
});

test('ucwa demo prints the commands to try (text form)', async () => {
  const child = start(['demo', '--time-scale', SCALE]);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  await new Promise<void>((resolve) => { const i = setInterval(() => { if (out.includes('Ctrl+C')) { clearInterval(i); resolve(); } }, 20); });
  const exited = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(out, /UCWA demo server running at http:\/\/127\.0\.0\.1:\d+\/autodiscover\/autodiscoverservice\.svc\/root/);
  assert.match(out, /export UCWA_PASSWORD=demo/);
  for (const c of ['history', 'transcript <id>', 'continue <id>', 'send sip:', 'listen']) assert.ok(out.includes(c), c);
});

test('against `ucwa demo` from another process: history, transcript, continue, send', async () => {
  const dataDir = tempDir();
  const globals = ['--server', demoUrl, '--user', 'demo@contoso.com', '--data-dir', dataDir];
  const env = { UCWA_PASSWORD: 'demo' };
  const hist = json<{ conversations: Conv[] }>(await ucwa([...globals, 'history', '--json', '--limit', '30'], { env }));
  assert.equal(hist.conversations.length, 30);
  const target = hist.conversations.find((c) => c.type === 'MessageLog' && c.participants.length === 1) ?? hist.conversations[0]!;

  const tr = json<{ messages: unknown[] }>(await ucwa(['transcript', String(target.id), ...globals, '--json'], { env }));
  assert.ok(tr.messages.length > 0);

  const cont = await ucwa(['continue', String(target.id), 'Picking this up again', ...globals, '--json'], { env });
  const contDoc = json<{ state: string; delivered: boolean; conversationId: number; message: { text: string; direction: string } }>(cont);
  assert.equal(contDoc.state, 'connected');
  assert.equal(contDoc.delivered, true);
  assert.equal(contDoc.message.text, 'Picking this up again');
  assert.equal(contDoc.message.direction, 'Outgoing');

  const text = await ucwa([...globals, 'send', 'alex.rivera@contoso.com', 'Hello from the command line'], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Connected to .+ \(conversation #\d+\); message delivered\.\n$/);

  // Password from standard input instead of the environment.
  const viaStdin = await ucwa([...globals, 'history', '--password-stdin', '--json', '--limit', '1'], { input: 'demo\n' });
  assert.equal(json<{ conversations: Conv[] }>(viaStdin).conversations.length, 1);

  // The shipped entry point (bin/ucwa.js → out/cli/index.js), where it is built.
  if (existsSync(join(root, 'out/cli/index.js'))) {
    const shipped = await ucwa([...globals, 'history', '--offline', '--json', '--limit', '3'], { entry: bin });
    assert.equal(json<{ conversations: Conv[] }>(shipped).conversations.length, 3);
  }
});

test('one-line errors with a non-zero exit', async (t) => {
  const dataDir = tempDir();
  const globals = ['--server', demoUrl, '--user', DEMO, '--data-dir', dataDir, '--json'];
  await t.test('wrong password', async () => {
    oneLineError(await ucwa([...globals, 'history'], { env: { UCWA_PASSWORD: 'not the password' } }), 'wrongPassword', /password/i);
  });
  await t.test('unknown conversation id', async () => {
    oneLineError(await ucwa([...globals, 'transcript', '99999'], { env: { UCWA_PASSWORD: 'demo' } }), 'notFound', /No conversation #99999/);
    oneLineError(await ucwa([...globals, 'continue', '99999', 'hello'], { env: { UCWA_PASSWORD: 'demo' } }), 'notFound', /No conversation #99999/);
  });
  await t.test('bad SIP address', async () => {
    const r = await ucwa([...globals, 'send', 'bob smith', 'hello'], { env: { UCWA_PASSWORD: 'demo' } });
    oneLineError(r, 'invalidInput', /not a SIP address/);
    assert.equal(r.code, 2);
    const usage = await ucwa(['--user', 'not an address', 'history']);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.trim().split('\n').length, 1);
  });
  await t.test('unreachable server', async () => {
    const port = await freePort();
    const r = await ucwa(['--server', `http://127.0.0.1:${port}/autodiscover/autodiscoverservice.svc/root`, '--user', DEMO, '--data-dir', dataDir, '--json', 'history'], { env: { UCWA_PASSWORD: 'demo' } });
    assert.notEqual(r.code, 0);
    const doc = JSON.parse(r.stdout) as { error: { code: string } };
    assert.ok(['serverNotFound', 'network'].includes(doc.error.code), doc.error.code);
    oneLineError(r, doc.error.code, /server|reach|network/i);
  });
  await t.test('no password anywhere', async () => {
    oneLineError(await ucwa([...globals, 'history']), 'invalidInput', /UCWA_PASSWORD|--password-stdin/);
  });
  await t.test('remembering without a keychain warns but works', async () => {
    const r = await ucwa([...globals, 'history', '--limit', '1', '--remember'], { env: { UCWA_PASSWORD: 'demo' } });
    const doc = json<{ warnings?: string[] }>(r);
    assert.ok(doc.warnings?.some((w) => /will not be remembered/.test(w)), JSON.stringify(doc.warnings));
  });
});

let sim: Simulator | null = null;
after(async () => { await sim?.stop(); });

test('listen --for receives an IM injected through the simulator, accepts it, and signs out', async () => {
  sim = await startSimulator({ autoGroupInvites: false, controlEndpoint: true, timeScale: Number(SCALE), seed: 7 });
  const from = sim.people.find((p) => p.behaviour?.kind === 'echo')?.sip ?? sim.people[0]!.sip;
  const child = start(['--server', sim.url, '--user', DEMO, '--data-dir', tempDir(), 'listen', '--accept', '--for', '4', '--json'], { env: { UCWA_PASSWORD: 'demo' } });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const listening = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const doc = JSON.parse(line) as Record<string, unknown>;
        lines.push(doc);
        if (doc.event === 'listening') resolve();
      }
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await listening;
  await sim.control.sendIm(from, DEMO, 'ping from the test');
  const code = await exited;
  assert.equal(code, 0, stderr);
  const inv = lines.find((l) => l.event === 'invitation') as { from: { sip: string }; text: string; direction: string } | undefined;
  assert.ok(inv, JSON.stringify(lines));
  assert.equal(inv.from.sip, from);
  assert.equal(inv.text, 'ping from the test');
  assert.equal(inv.direction, 'Incoming');
  assert.ok(lines.some((l) => l.event === 'accepted'), JSON.stringify(lines));
  assert.equal(lines.at(-1)?.event, 'end');
  // Signed out cleanly: the simulator keeps no live application conversation for the user.
  assert.equal(stderr, '');
});

test('ucwa forget removes the account\'s database (-wal, -shm), remembered server and logs, refuses while the history is open, and leaves other accounts alone', async () => {
  const { databaseFileName } = await import('../../main/core/store/sqliteStore.ts');
  const dataDir = tempDir();
  json(await ucwa(['--demo', 'history', '--json', '--limit', '1', '--data-dir', dataDir])); // a real history of the demo account
  const mine = databaseFileName(DEMO);
  const other = databaseFileName('sip:bob@contoso.com');
  const { writeFileSync, mkdirSync, readFileSync } = await import('node:fs');
  // Another account's history, as the app leaves it while open; the remembered servers; the app's logs.
  for (const f of [other, `${other}-wal`, `${other}-shm`]) writeFileSync(join(dataDir, f), 'bob\'s');
  writeFileSync(join(dataDir, 'servers.json'), JSON.stringify({ [DEMO]: 'https://pool.contoso.com/', 'sip:bob@contoso.com': 'https://bob.contoso.com/' }));
  mkdirSync(join(dataDir, 'logs'));
  for (const f of ['main.log', 'main.log.1', 'main.log.2']) writeFileSync(join(dataDir, 'logs', f), 'log');
  writeFileSync(join(dataDir, 'logs', 'notes.txt'), 'not a log');

  // While another program has the history open: refused, nothing removed.
  const holder = spawn(process.execPath, ['--input-type=module', '-e', `
    const { createSqliteStore } = await import(${JSON.stringify(join(root, 'main/core/store/sqliteStore.ts'))});
    const store = await createSqliteStore({ dataDir: ${JSON.stringify(dataDir)}, account: ${JSON.stringify(DEMO)} });
    process.stdout.write('open\\n');
    process.stdin.on('end', async () => { await store.close(); process.exit(0); });
    process.stdin.resume();`], { cwd: root });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.setEncoding('utf8').on('data', (d: string) => { if (d.includes('open')) resolve(); });
    holder.on('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  try {
    oneLineError(await ucwa(['--user', DEMO, '--data-dir', dataDir, 'forget', '--json']), 'storage', /open in another program/);
    assert.ok(readdirSync(dataDir).includes(mine), 'nothing was removed while it is open');
    assert.ok(readdirSync(join(dataDir, 'logs')).includes('main.log'));
  } finally {
    const closed = new Promise((resolve) => holder.on('exit', resolve));
    holder.stdin.end();
    await closed;
  }
  writeFileSync(join(dataDir, `${mine}-wal`), ''); // as a session that was killed leaves it
  // The account's photo cache, and another account's.
  const { accountPhotoDir } = await import('../../main/core/store/accountFiles.ts');
  mkdirSync(accountPhotoDir(dataDir, DEMO), { recursive: true });
  writeFileSync(join(accountPhotoDir(dataDir, DEMO), 'a.png'), 'png');
  mkdirSync(accountPhotoDir(dataDir, 'sip:bob@contoso.com'), { recursive: true });
  writeFileSync(join(accountPhotoDir(dataDir, 'sip:bob@contoso.com'), 'b.png'), 'png');

  const r = await ucwa(['--user', DEMO, '--data-dir', dataDir, 'forget', '--json']);
  const doc = json<{ ok: boolean; forgotten: string; removed: string[]; warnings: string[] }>(r);
  assert.equal(doc.forgotten, DEMO);
  const names = readdirSync(dataDir);
  assert.deepEqual(names.filter((n) => n.startsWith(mine)), [], `the account's database files are gone: ${names.join(', ')}`);
  for (const f of [mine, `${mine}-wal`]) assert.ok(doc.removed.includes(join(dataDir, f)), `${f} reported removed`);
  for (const f of [other, `${other}-wal`, `${other}-shm`]) assert.equal(readFileSync(join(dataDir, f), 'utf8'), 'bob\'s', `${f} untouched`);
  assert.deepEqual(JSON.parse(readFileSync(join(dataDir, 'servers.json'), 'utf8')), { 'sip:bob@contoso.com': 'https://bob.contoso.com/' });
  assert.deepEqual(readdirSync(join(dataDir, 'logs')), ['notes.txt'], 'every log file is gone, nothing else');
  assert.ok(names.includes('endpoint-id'), 'the install\'s id stays');
  assert.ok(!existsSync(accountPhotoDir(dataDir, DEMO)) && doc.removed.includes(accountPhotoDir(dataDir, DEMO)), 'its photos are gone');
  assert.ok(existsSync(join(accountPhotoDir(dataDir, 'sip:bob@contoso.com'), 'b.png')), 'another account\'s photos stay');
  // No keychain in this process (no D-Bus session): nothing can be remembered there, nothing to warn about.
  assert.deepEqual(doc.warnings, []);

  // Text form, nothing left: still fine; and the command is documented in --help.
  const again = await ucwa(['--user', DEMO, '--data-dir', dataDir, 'forget']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /is forgotten on this computer.* 0 files/);
  const help = await ucwa(['--help']);
  const helpText = help.stdout.replace(/\s+/g, ' ');
  assert.match(helpText, /forget \[options\] forget --user on this computer: its remembered password \(keychain\), its local history database \(with -wal\/-shm\), its remembered server, and the app's logs/);
  const noUser = await ucwa(['--data-dir', dataDir, 'forget', '--json']);
  oneLineError(noUser, 'invalidInput', /--user/);
});
