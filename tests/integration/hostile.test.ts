// The hostile-server suite (issue 11): the real simulator behind a proxy that makes one thing
// hostile at a time (tests/hostile/), each case driven end to end through the `ucwa` CLI as a
// child process and/or the service in-process. What is asserted is what a user would notice: the
// next IM still arrives, the process stays within its bounds, history and offline views keep
// working, the password never reaches a server it must not. No timing assertions: a deadline here
// only stops a test that would otherwise hang (the delays themselves are measured by
// `npm run bench -- hostile`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS } from '../../main/core/limits.ts';
import { createSqliteStore } from '../../main/core/store/sqliteStore.ts';
import { buildCli, jsonLines, runCli, startCli, stopChild, viaHttpsProxy } from '../hostile/cli.ts';
import type { CliBundle, CliResult } from '../hostile/cli.ts';
import { FLOOD_TEXT_RE, badTimestamp, endlessPages, eventFlood, hugeHtml, tokenChallengeTo, userLinkTo } from '../hostile/modes.ts';
import { HTML_BOMB_KINDS, TIME_MARKER, htmlMarker } from '../hostile/payloads.ts';
import { ME, PASSWORD, POOL, poolFetch, startHostileWorld, startTrap } from '../hostile/world.ts';
import type { HostileWorld } from '../hostile/world.ts';
import { service, until } from './helpers.ts';
import type { Harness } from './helpers.ts';

let cli: CliBundle;
const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ucwa-hostile-'));
  temps.push(d);
  return d;
}
before(async () => { cli = await buildCli(); });
after(() => {
  cli?.dispose();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

async function withWorld(o: Parameters<typeof startHostileWorld>[0], fn: (w: HostileWorld) => Promise<void>): Promise<void> {
  const w = await startHostileWorld(o);
  try {
    await fn(w);
  } finally {
    await w.stop();
  }
}

const env = { UCWA_PASSWORD: PASSWORD };
const globals = (w: HostileWorld, dataDir: string) => ['--server', w.proxy.url, '--user', ME, '--data-dir', dataDir];

function json<T>(r: CliResult, what: string): T {
  assert.equal(r.killed, false, `${what}: killed after ${Math.round(r.ms)} ms; stderr: ${r.stderr.slice(0, 500)}`);
  assert.equal(r.code, 0, `${what}: exit ${r.code}; stderr: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout) as T;
}

/** `p`, or `otherwise` after `ms` (the timer is cleared either way: no test waits it out). */
async function within<T>(p: Promise<T>, ms: number, otherwise: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((r) => { timer = setTimeout(() => r(otherwise), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Bytes of the account databases (main file, WAL, shared memory) in a data folder. */
function dbBytes(dataDir: string): number {
  return readdirSync(dataDir).filter((f) => /\.sqlite(-wal|-shm)?$/.test(f)).reduce((n, f) => n + statSync(join(dataDir, f)).size, 0);
}

/** A message text as shown: within the bound, and marked when it was cut. */
function assertBoundedText(text: string, what: string): void {
  const slack = 200; // the truncation note
  assert.ok(text.length <= LIMITS.messageTextChars + slack, `${what}: ${text.length} characters shown, bound ${LIMITS.messageTextChars}`);
}

interface Conv { id: number; subject: string; preview: string; time: string }
interface Msg { text: string; time: string; direction: string }

// --- 1. hugeHtml ---------------------------------------------------------------------------------

test('hugeHtml: after a colleague\'s 200 KB HTML-only invitation, the next IM still arrives (ucwa listen)', async (t) => {
  for (const kind of HTML_BOMB_KINDS) {
    await t.test(kind, () => withWorld({ mode: hugeHtml() }, async (w) => {
      const [bomber, friend] = w.colleagues;
      const child = startCli(cli, [...globals(w, tempDir()), 'listen', '--accept', '--for', '120', '--json'], { env });
      const lines: Record<string, unknown>[] = [];
      jsonLines(child, (l) => lines.push(l));
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      try {
        await until(() => lines.some((l) => l.event === 'listening'), 'ucwa listen to be listening', 30_000);
        await w.sim.control.sendIm(bomber, ME, htmlMarker(kind));
        await w.sim.control.sendIm(friend, ME, `normal after ${kind}`);
        const invitations = () => lines.filter((l) => l.event === 'invitation') as { text?: string; from?: { sip: string } }[];
        try {
          await until(() => invitations().some((l) => l.text === `normal after ${kind}`), 'the normal IM after the bomb', 20_000);
        } catch (err) {
          assert.fail(`${(err as Error).message}; printed so far: ${invitations().map((l) => `${l.from?.sip}: ${(l.text ?? '').length} chars`).join(', ') || 'nothing'}; stderr: ${stderr.slice(0, 300)}`);
        }
        assert.ok((w.proxy.stats[`hugeHtml.${kind}`] ?? 0) >= 1, 'the proxy delivered the bomb');
        const bomb = invitations().find((l) => l.from?.sip === bomber);
        assert.ok(bomb, 'the bomb invitation was shown too (not dropped)');
        assertBoundedText(bomb.text ?? '', 'the 200 KB invitation as listen prints it');
      } finally {
        await stopChild(child);
      }
    }));
  }
});

test('hugeHtml: `ucwa history` over a 200 KB HTML-only transcript, then the transcript offline', () => withWorld({ mode: hugeHtml() }, async (w) => {
  const [bomber] = w.colleagues;
  const at = Date.parse('2025-03-01T10:00:00Z');
  w.sim.control.addLog(ME, { with: [bomber], subject: 'Big HTML', messages: [
    { from: bomber, text: htmlMarker('lt'), at },
    { from: bomber, text: 'after the big one', at: at + 1000 },
  ] });
  const dataDir = tempDir();
  const hist = json<{ conversations: Conv[] }>(await runCli(cli, [...globals(w, dataDir), 'history', '--json', '--limit', '50'], { env, killAfterMs: 120_000 }), 'history');
  assert.ok((w.proxy.stats['hugeHtml.lt'] ?? 0) >= 1, 'the proxy delivered the 200 KB transcript');
  const conv = hist.conversations.find((c) => c.subject === 'Big HTML');
  assert.ok(conv, `the log is listed: ${hist.conversations.map((c) => c.subject).join(', ')}`);
  const tr = json<{ messages: Msg[] }>(await runCli(cli, [...globals(w, dataDir), 'transcript', String(conv.id), '--offline', '--json'], { env }), 'transcript --offline');
  assert.ok(tr.messages.some((m) => m.text === 'after the big one'), 'the message after the big one is there');
  const big = tr.messages.find((m) => m.text.startsWith('<<<<'));
  assert.ok(big, 'the big message is there (as text)');
  assertBoundedText(big.text, 'the 200 KB transcript entry');
}));

// --- 2. eventFlood -------------------------------------------------------------------------------

test('eventFlood: 2 000-event batches on every P-GET; ucwa listen asks for the next batch only while its backlog is within the bound, and keeps working', async (t) => {
  // The client runs in its own process (as in the app): in the test's process the proxy could not
  // answer while the client processed a batch, and the flood would pace itself.
  const BATCH = 2000;
  let processedSeq = 0;
  let maxBacklog = 0;
  const flood = eventFlood({
    batchEvents: BATCH,
    durationMs: 3000,
    onPget: (o) => { maxBacklog = Math.max(maxBacklog, o.eventsSent - processedSeq); },
  });
  await withWorld({ mode: flood }, async (w) => {
    const [friend] = w.colleagues;
    const child = startCli(cli, [...globals(w, tempDir()), 'listen', '--accept', '--for', '300', '--json'], { env });
    const texts: string[] = [];
    let listening = false;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    jsonLines(child, (l) => {
      if (l.event === 'listening') listening = true;
      if (typeof l.text !== 'string') return;
      // A flood message is shown once it is processed: processing is in order, so every event
      // before it has been processed too.
      const f = FLOOD_TEXT_RE.exec(l.text);
      if (f) processedSeq = Math.max(processedSeq, Number(f[1]));
      else texts.push(l.text);
    });
    try {
      await until(() => listening, 'ucwa listen to be listening', 30_000);
      await w.sim.control.sendIm(friend, ME, 'are you there?');
      await until(() => texts.includes('are you there?'), 'the invitation', 30_000);
      const live = await until(() => w.sim.control.liveConversations(ME).find((c) => c.state === 'Connected' && c.participants.includes(friend)), 'a connected conversation', 30_000);
      await w.sim.control.sendInConversation(live.threadId, friend, 'a message to copy');
      await until(() => texts.includes('a message to copy'), 'the template message', 30_000);

      flood.arm();
      await w.sim.control.setTyping(live.threadId, friend, true); // releases the parked P-GET: the next one is flooded
      const ended = await within(flood.done.then(() => true), 120_000, false);
      assert.ok(ended, `the flood did not end: ${flood.batches} batches`);
      assert.ok(flood.batches >= 2, `the flood happened (${flood.batches} batches)`);

      // Backpressure, seen from the server: at every P-GET the client made, what it had been sent
      // but not yet processed stays within the bound, plus the one batch it may have just read,
      // plus what sits in the stdout pipe between being processed and being seen here (a 64 KB
      // pipe holds ~250 of these lines; the parent, busy flooding, reads late). Without
      // backpressure the figure is 36 000–68 000 after 3 s.
      const PIPE_SLACK = 1000;
      const bound = LIMITS.eventBacklog + BATCH + PIPE_SLACK;
      t.diagnostic(`largest backlog at a P-GET: ${maxBacklog} events (${flood.batches} batches, ${flood.eventsSent} events sent)`);
      assert.ok(maxBacklog <= bound, `at a P-GET the client still had ${maxBacklog} events unprocessed (bound ${LIMITS.eventBacklog} + one batch of ${BATCH} + ${PIPE_SLACK} in the pipe); ${flood.batches} batches, ${flood.eventsSent} events sent, ${processedSeq} processed when the flood ended`);

      // And it keeps working: a real message after the flood arrives.
      await w.sim.control.sendInConversation(live.threadId, friend, 'after the flood');
      await until(() => texts.includes('after the flood'), 'the message after the flood', 120_000);
      assert.equal(child.exitCode, null, `listen is still running: ${stderr}`);
    } finally {
      await stopChild(child);
    }
  });
});

// --- 3. endlessPages -----------------------------------------------------------------------------

test('endlessPages: `ucwa history --timeout 5` ends by itself with a clear error, and the database stays small', () => withWorld({ mode: endlessPages() }, async (w) => {
  const dataDir = tempDir();
  const r = await runCli(cli, [...globals(w, dataDir), 'history', '--timeout', '5', '--json'], { env, killAfterMs: 40_000 });
  const pages = w.proxy.stats['endlessPages.pages'] ?? 0;
  const mb = dbBytes(dataDir) / 2 ** 20;
  assert.ok(pages > 0, 'the endless log was reached');
  assert.equal(r.killed, false, `still running after ${Math.round(r.ms / 1000)} s with --timeout 5: ${pages} pages fetched, database ${mb.toFixed(1)} MB`);
  // With --json the words are in the document (an error, or a warning beside the cached history).
  let doc: { error?: { message?: string }; warnings?: string[] } = {};
  try { doc = JSON.parse(r.stdout) as typeof doc; } catch { /* not JSON: stderr must say it */ }
  const said = [r.stderr, doc.error?.message ?? '', ...(doc.warnings ?? [])].join('\n');
  assert.match(said, /timeout|timed out|took too long|too many|pages|limit/i, `a clear error or warning: ${said.slice(0, 500)}`);
  assert.ok(mb < 20, `database ${mb.toFixed(1)} MB`);
}));

test('endlessPages: the service\'s sync ends by itself with an error that says why, and the database stays small', () => withWorld({ mode: endlessPages() }, async (w) => {
  const dataDir = tempDir();
  const store = await createSqliteStore({ dataDir, account: ME });
  const h = service(w.sim, { store });
  try {
    await h.service.signIn({ sip: ME, password: PASSWORD, server: w.proxy.url });
    const sync = h.service.syncNow().then(() => 'ended', (err: unknown) => `rejected: ${String(err)}`);
    const outcome = await within(sync, 90_000, 'still running');
    const pages = w.proxy.stats['endlessPages.pages'] ?? 0;
    const mb = dbBytes(dataDir) / 2 ** 20;
    assert.notEqual(outcome, 'still running', `the sync was still running after 90 s: ${pages} pages fetched, database ${mb.toFixed(1)} MB`);
    await until(() => !h.service.syncProgress().running, 'the sync to stop', 30_000);
    const err = h.service.syncProgress().error;
    assert.ok(err, `the sync reports an error (${outcome})`);
    assert.match(err.message, /page|limit|too many|never end/i);
    assert.ok(mb < 20, `database ${mb.toFixed(1)} MB`);
  } finally {
    await h.service.close();
  }
}));

// --- 4. badTimestamp -----------------------------------------------------------------------------

function addBadLog(w: HostileWorld): void {
  const [friend] = w.colleagues;
  const at = Date.parse('2025-04-01T09:00:00Z');
  w.sim.control.addLog(ME, {
    with: [friend],
    subject: `${TIME_MARKER} log`,
    messages: Array.from({ length: 8 }, (_, i) => ({ from: i % 2 ? ME : friend, text: `${TIME_MARKER} line ${i}`, at: at + i * 1000 })),
  });
}

/** Every time shown is one a Date can hold (the bad one was replaced — by the arrival time — not kept). */
function assertSaneTimes(msgs: { time: string }[], what: string): void {
  for (const m of msgs) assert.ok(Number.isFinite(Date.parse(m.time)), `${what}: time ${JSON.stringify(m.time)}`);
}

test('badTimestamp: out-of-range dates in logs and transcripts; ucwa history, history --offline and transcript --offline still work', () => withWorld({ mode: badTimestamp() }, async (w) => {
  addBadLog(w);
  const dataDir = tempDir();
  const online = await runCli(cli, [...globals(w, dataDir), 'history', '--json', '--limit', '50'], { env });
  assert.ok((w.proxy.stats['badTimestamp.transcripts'] ?? 0) >= 1, 'the proxy sent the bad dates');
  const hist = json<{ conversations: Conv[] }>(online, 'history');
  const conv = hist.conversations.find((c) => c.subject === `${TIME_MARKER} log`);
  assert.ok(conv, `the log is listed: ${hist.conversations.map((c) => c.subject).join(', ')}`);
  assertSaneTimes(hist.conversations, 'history');

  const offline = json<{ conversations: Conv[] }>(await runCli(cli, ['--user', ME, '--data-dir', dataDir, 'history', '--offline', '--json', '--limit', '50']), 'history --offline');
  assert.ok(offline.conversations.some((c) => c.id === conv.id), 'history --offline lists it');
  const tr = json<{ messages: Msg[] }>(await runCli(cli, ['--user', ME, '--data-dir', dataDir, 'transcript', String(conv.id), '--offline', '--json']), 'transcript --offline');
  for (let i = 0; i < 8; i++) assert.ok(tr.messages.some((m) => m.text === `${TIME_MARKER} line ${i}`), `line ${i} is shown`);
  assertSaneTimes(tr.messages, 'transcript --offline');
}));

test('badTimestamp: a live message with an out-of-range date is kept (service), and the offline views still work', () => withWorld({ mode: badTimestamp() }, async (w) => {
  const [friend] = w.colleagues;
  const dataDir = tempDir();
  const store = await createSqliteStore({ dataDir, account: ME });
  const h = service(w.sim, { store });
  let conversationId = 0;
  try {
    const invited: number[] = [];
    h.service.on('invitation', (inv) => { if (inv.direction === 'Incoming') invited.push(inv.conversationId); });
    await h.service.signIn({ sip: ME, password: PASSWORD, server: w.proxy.url });
    await w.sim.control.sendIm(friend, ME, `${TIME_MARKER} live first`);
    conversationId = await until(() => invited[0], 'the invitation');
    await h.service.accept(conversationId);
    const live = await until(() => w.sim.control.liveConversations(ME).find((c) => c.state === 'Connected'), 'a connected conversation');
    await w.sim.control.sendInConversation(live.threadId, friend, `${TIME_MARKER} live second`);
    const texts = async () => (await h.service.listMessages(conversationId, { limit: 50 })).items.map((m) => m.text);
    await until(async () => (await texts()).includes(`${TIME_MARKER} live second`), 'the second live message', 10_000);
    assert.ok((w.proxy.stats['badTimestamp.messages'] ?? 0) >= 1, 'the proxy sent the bad dates');
    const msgs = (await h.service.listMessages(conversationId, { limit: 50 })).items;
    for (const m of msgs) assert.ok(Number.isFinite(new Date(m.at).getTime()), `message ${JSON.stringify(m.text)} has a time a Date can hold: ${m.at}`);
    await h.service.listConversations({ limit: 50 });
  } finally {
    await h.service.close();
  }
  const offline = json<{ conversations: Conv[] }>(await runCli(cli, ['--user', ME, '--data-dir', dataDir, 'history', '--offline', '--json']), 'history --offline');
  assert.ok(offline.conversations.some((c) => c.id === conversationId));
  const tr = json<{ messages: Msg[] }>(await runCli(cli, ['--user', ME, '--data-dir', dataDir, 'transcript', String(conversationId), '--offline', '--json']), 'transcript --offline');
  assert.ok(tr.messages.some((m) => m.text === `${TIME_MARKER} live second`));
  assertSaneTimes(tr.messages, 'transcript --offline');
}));

// --- 5. loopbackToken and the discovery user link ------------------------------------------------

const POOL_URL = `${POOL}/autodiscover/autodiscoverservice.svc/root`;
const USER_PATH = '/autodiscover/autodiscoverservice.svc/root/oauth/user';

async function signInError(h: Harness): Promise<{ code: string; message: string } | null> {
  try {
    const s = await h.service.signIn({ sip: ME, password: PASSWORD, server: POOL_URL });
    return s.status === 'online' ? null : (s.error ?? { code: s.status, message: '' });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code ?? 'thrown', message: e.message ?? String(err) };
  }
}

test('loopbackToken: a server outside loopback whose token challenge points at http://localhost never gets the password sent there (service)', () => withWorld({ pool: true }, async (w) => {
  const trap = await startTrap(w.sim);
  try {
    w.proxy.setMode(tokenChallengeTo(`${trap.publicOrigin}/WebTicket/oauthtoken`));
    const net = poolFetch(w.proxy);
    const h = service(w.sim, { fetch: net.fetch });
    try {
      const err = await signInError(h);
      assert.ok((w.proxy.stats['loopbackToken.challenges'] ?? 0) >= 1, 'the challenge was rewritten');
      const leaked = trap.requests.filter((r) => r.body?.includes(PASSWORD));
      assert.equal(leaked.length, 0, `the password went to ${trap.publicOrigin}: ${leaked.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      assert.ok(err, 'sign-in did not succeed');
      assert.equal(err.code, 'insecureUrl', err.message);
    } finally {
      await h.service.close();
    }
  } finally {
    await trap.stop();
  }
}));

test('userLink: a discovery `user` link to plain http or file: is refused before any request, with a clear error (service)', async (t) => {
  for (const target of ['trap', 'http://pool.contoso.com', 'file:']) {
    await t.test(target, () => withWorld({ pool: true }, async (w) => {
      const trap = await startTrap(w.sim);
      try {
        const href = target === 'trap' ? `${trap.publicOrigin}${USER_PATH}` : target === 'file:' ? 'file:///etc/passwd' : `http://pool.contoso.com${USER_PATH}`;
        w.proxy.setMode(userLinkTo(href));
        const net = poolFetch(w.proxy);
        const h = service(w.sim, { fetch: net.fetch });
        try {
          const err = await signInError(h);
          assert.ok((w.proxy.stats['userLink.rewritten'] ?? 0) >= 1, 'the user link was rewritten');
          assert.equal(trap.requestCount, 0, `requests reached ${trap.publicOrigin}: ${trap.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
          assert.deepEqual(net.offNet, [], 'no request went to the refused link');
          assert.ok(err, 'sign-in did not succeed');
          assert.equal(err.code, 'insecureUrl', `${err.code}: ${err.message}`);
        } finally {
          await h.service.close();
        }
      } finally {
        await trap.stop();
      }
    }));
  }
});

test('loopbackToken and userLink through the CLI: https://pool.contoso.com via an HTTPS proxy; nothing reaches http://localhost', async (t) => {
  await t.test('token challenge at http://localhost', () => withWorld({ pool: true }, async (w) => {
    const trap = await startTrap(w.sim);
    try {
      w.proxy.setMode(tokenChallengeTo(`${trap.publicOrigin}/WebTicket/oauthtoken`));
      const r = await runCli(cli, ['--server', POOL_URL, '--user', ME, '--data-dir', tempDir(), 'history', '--json'], { env: { ...env, ...viaHttpsProxy(w.proxy.origin) } });
      assert.ok(w.proxy.requestCount > 0, `the CLI reached ${POOL} through the proxy: ${r.stderr}`);
      const leaked = trap.requests.filter((q) => q.body?.includes(PASSWORD));
      assert.equal(leaked.length, 0, `the password went to ${trap.publicOrigin}: ${leaked.map((q) => `${q.method} ${q.path}`).join(', ')}`);
      assert.notEqual(r.code, 0);
      assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'insecureUrl', r.stderr);
    } finally {
      await trap.stop();
    }
  }));
  await t.test('user link at http://localhost', () => withWorld({ pool: true }, async (w) => {
    const trap = await startTrap(w.sim);
    try {
      w.proxy.setMode(userLinkTo(`${trap.publicOrigin}${USER_PATH}`));
      const r = await runCli(cli, ['--server', POOL_URL, '--user', ME, '--data-dir', tempDir(), 'history', '--json'], { env: { ...env, ...viaHttpsProxy(w.proxy.origin) } });
      assert.ok(w.proxy.requestCount > 0, `the CLI reached ${POOL} through the proxy: ${r.stderr}`);
      assert.equal(trap.requestCount, 0, `requests reached ${trap.publicOrigin}: ${trap.requests.map((q) => `${q.method} ${q.path}`).join(', ')}`);
      assert.notEqual(r.code, 0, 'the CLI did not sign in through the trap');
      assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'insecureUrl', r.stderr);
      assert.match(r.stderr, /^ucwa: .*(https|http:|not followed|refus)/im);
    } finally {
      await trap.stop();
    }
  }));
});
