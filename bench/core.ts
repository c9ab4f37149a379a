// Core benchmarks: events/second through event channel → machines → service → store (a 10 000-message
// batch built in-process and pushed through the same dispatch path), into the in-memory store and
// into the real SQLite store (worker thread, temp dir), and service creation → online against the
// local simulator.
//
// Profile with: node --cpu-prof bench/run.ts core. History (2-CPU shared VM, noisy):
//   before: memory store ~4 300-5 100 events/s, SQLite ~1 100-1 400 events/s — half the time went to
//           the WHATWG data: URL parser, then one store round trip (one transaction) per message;
//   after:  memory store ~11 000-17 000 events/s (its per-change structuredClone is now the top
//           cost), SQLite ~8 000 events/s (one addMessages transaction per batch and conversation).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../simulator/index.ts';
import { createMessengerService } from '../main/core/app/service.ts';
import { createMemoryStore } from '../main/core/store/memoryStore.ts';
import { createSqliteStore } from '../main/core/store/sqliteStore.ts';
import { parseBatch } from '../main/core/ucwa/events.ts';
import type { EventBatch } from '../main/core/ucwa/events.ts';
import type { Store } from '../main/core/store/types.ts';

type Figures = Record<string, { value: number; unit: string; floor?: number; target?: string; met?: boolean }>;

interface Internals { _internals: { processBatch: (b: EventBatch) => Promise<void>; liveHref: (id: number) => string | null } }

const ME = 'sip:demo@contoso.com';

async function run(store: Store, n: number): Promise<{ eventsPerSec: number; onlineMs: number; stored: number }> {
  const sim = await startSimulator({ autoGroupInvites: false, timeScale: 0.001, demoConversations: 5, seed: 1, invitationTimeoutSec: 3_600_000 });
  const t0 = performance.now();
  const svc = createMessengerService({ fetch: (u, i) => fetch(u, i), store, endpointId: 'bench', log: process.env.BENCH_LOG ? (l) => console.error(l) : undefined, timing: { pgetClientTimeoutMs: 5000 } });
  try {
    await svc.signIn({ sip: ME, password: 'demo', server: sim.url });
    const onlineMs = performance.now() - t0;
    // A live conversation to receive into: one real incoming IM.
    let convId = -1;
    svc.on('invitation', (i) => { if (i.text === 'hello') convId = i.conversationId; });
    await sim.control.sendIm(sim.people[0]!.sip, ME, 'hello');
    while (convId < 0) await new Promise((r) => setTimeout(r, 5));
    // Accept, so the conversation stays live (an unanswered invitation ends after 30 scaled ms).
    await svc.accept(convId);
    while (svc.liveState(convId)?.connection !== 'connected') await new Promise((r) => setTimeout(r, 5));
    const senderHref = (svc as unknown as Internals)._internals.liveHref(convId);
    if (!senderHref) throw new Error('no live conversation');
    const path = new URL(senderHref).pathname;
    const events = Array.from({ length: n }, (_, i) => ({
      link: { rel: 'message', href: `${path}/messaging/messages/bench${i}` },
      status: 'Success',
      _embedded: { message: {
        rel: 'message', direction: 'Incoming', timeStamp: `/Date(${1_800_000_000_000 + i})/`,
        _links: { self: { href: `${path}/messaging/messages/bench${i}` }, contact: { href: `/people/${sim.people[0]!.sip.slice(4)}` },
          plainMessage: { href: `data:text/plain;charset=utf-8,bench+message+${i}` } },
      } },
      type: 'completed',
    }));
    const json = JSON.stringify({ _links: { self: { href: '/e?ack=1' }, next: { href: '/e?ack=2' } }, sender: [{ rel: 'conversation', href: path, events }] });
    const t1 = performance.now();
    // What the event channel does with a P-GET body: parse the JSON, normalise, dispatch.
    const batch = parseBatch(JSON.parse(json));
    await (svc as unknown as Internals)._internals.processBatch(batch);
    const secs = (performance.now() - t1) / 1000;
    let stored = 0;
    let cursor: string | null = null;
    do {
      const page = await store.listMessages(convId, { cursor, limit: 1000 });
      stored += page.items.length;
      cursor = page.next;
    } while (cursor);
    return { eventsPerSec: Math.round(n / secs), onlineMs, stored };
  } finally {
    await svc.close();
    await sim.stop();
  }
}

/**
 * Process start → online: the `ucwa` CLI as a user runs it (Node start-up, module load, SQLite
 * worker, discovery, token, application, makeMeAvailable) until `listen` reports it is listening.
 */
async function processToOnline(runs: number): Promise<number[]> {
  const root = join(import.meta.dirname, '..');
  if (!existsSync(join(root, 'out/cli/index.js'))) spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const sim = await startSimulator({ autoGroupInvites: false, timeScale: 0.001, demoConversations: 5, seed: 1, invitationTimeoutSec: 3_600_000 });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'ucwa-bench-start-'));
      const t0 = performance.now();
      const child = spawn(process.execPath, [join(root, 'bin/ucwa.js'), '--server', sim.url, '--user', ME, '--data-dir', dir, '--json', 'listen', '--for', '1'],
        { env: { ...process.env, UCWA_PASSWORD: 'demo' }, stdio: ['ignore', 'pipe', 'ignore'] });
      const online = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('"listening"')) resolve(performance.now() - t0);
        });
        child.on('close', (code) => reject(new Error(`ucwa listen exited (${code}) before it was online`)));
      });
      times.push(online);
      await new Promise((r) => child.once('close', r));
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await sim.stop();
  }
  return times;
}

export async function benchCore(opts: { quick?: boolean } = {}): Promise<Figures> {
  const starts = await processToOnline(opts.quick ? 1 : 5);
  const startMedian = [...starts].sort((a, b) => a - b)[Math.floor(starts.length / 2)] ?? NaN;
  const n = opts.quick ? 2000 : 10_000;
  const mem = await run(createMemoryStore(), n);
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-bench-core-'));
  try {
    const sqlite = await run(await createSqliteStore({ dataDir: dir, account: ME }), n);
    if (mem.stored !== n + 1 || sqlite.stored !== n + 1) throw new Error(`stored ${mem.stored} / ${sqlite.stored} messages, expected ${n + 1}`);
    return {
      [`core: message events/s (${n / 1000}k batch → service → memory store)`]: { value: mem.eventsPerSec, unit: 'events/s' },
      [`core: message events/s (${n / 1000}k batch → service → SQLite store)`]: { value: sqlite.eventsPerSec, unit: 'events/s' },
      'core: service creation → online (local simulator)': { value: Math.round(mem.onlineMs), unit: 'ms' },
      [`core: process start → online (ucwa listen, median of ${starts.length})`]: { value: Math.round(startMedian), unit: 'ms' },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
