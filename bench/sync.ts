// History sync benchmark (DESIGN.md §9): 1 000 conversation logs × 20 messages (quick: 100) from the
// simulator over real HTTP, 20 ms of injected latency on every request, into the real SQLite store
// (worker thread, temp dir), through the messenger service exactly as after a sign-in.
//
// Floor: sync requests × latency ÷ concurrency — what the network alone costs when every one of the
// `syncConcurrency` workers always has a request in flight. Requests are counted both by the
// simulator (requestCount delta, which includes the event channel's P-GETs) and at the client (sync
// requests only: conversationLogs, each log, each transcript page); the floor uses the latter.
// Target: within 1.5× of the floor.
//
// History (2-CPU shared VM, full size): one request slot per log worker: 12.1 s = 1.81× floor;
// request slots shared by twice as many logs (sync.ts Semaphore): 8.5 s = 1.28× floor, 1.02× of the
// floor recomputed with the measured request time (the remaining gap is per-request cost of the
// simulator + HTTP + client on the same machine, not idle slots). Under heavy machine load the
// quick run varies between 1.5× and 2×.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../simulator/index.ts';
import { createMessengerService } from '../main/core/app/service.ts';
import { defaultTiming } from '../main/core/app/deps.ts';
import { createSqliteStore } from '../main/core/store/sqliteStore.ts';
import type { SyncProgress } from '../main/core/app/types.ts';

type Figures = Record<string, { value: number; unit: string; floor?: number; target?: string; met?: boolean }>;

const ME = 'sip:bench@contoso.com';
const PEER = 'sip:peer@contoso.com';
const LATENCY_MS = 20;
const PER_LOG = 20;

export async function benchSync(opts: { quick: boolean }): Promise<Figures> {
  const logs = opts.quick ? 100 : 1000;
  const concurrency = defaultTiming.syncConcurrency;
  // timeScale 1: no simulator timer (P-GET release, expiry) fires during the run.
  const sim = await startSimulator({
    demoWorld: false,
    timeScale: 1,
    transcriptPageSize: PER_LOG, // one transcript page per log
    users: [{ sip: ME, name: 'Bench User', password: 'bench' }, { sip: PEER, name: 'Peer' }],
  });
  const base = Date.UTC(2026, 0, 1);
  for (let l = 0; l < logs; l++) {
    sim.control.addLog(ME, {
      with: [PEER],
      subject: `log ${l}`,
      messages: Array.from({ length: PER_LOG }, (_, i) => ({ from: i % 2 ? ME : PEER, text: `log ${l} message ${i}`, at: base + l * 3_600_000 + i * 1000 })),
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-bench-sync-'));
  const store = await createSqliteStore({ dataDir: dir, account: ME });
  let syncRequests = 0;
  let counting = false;
  let requestMsTotal = 0;
  let requestsTimed = 0;
  const svc = createMessengerService({
    fetch: (url, init) => {
      if (!counting || url.includes('/events')) return fetch(url, init);
      syncRequests++;
      const started = performance.now();
      return fetch(url, init).then((res) => {
        requestMsTotal += performance.now() - started;
        requestsTimed++;
        return res;
      });
    },
    store,
    endpointId: 'bench-sync',
    log: process.env.BENCH_LOG ? (l) => console.error(l) : undefined,
    timing: { pgetClientTimeoutMs: 300_000, requestTimeoutMs: 60_000 },
  });
  try {
    sim.control.addFault({ route: '/', latencyMs: LATENCY_MS }); // every request
    // Sign-in starts the first sync (enterOnline); time it from its first progress report.
    let t0 = 0;
    let simAtStart = 0;
    let clientAtStart = 0;
    const done = new Promise<SyncProgress>((resolve) => {
      svc.on('sync', (p) => {
        if (process.env.BENCH_LOG) console.error('sync', JSON.stringify(p));
        if (p.running && t0 === 0) {
          t0 = performance.now();
          simAtStart = sim.control.requestCount();
          clientAtStart = syncRequests; // reported before the sync's first request
        }
        if (!p.running && t0 !== 0) resolve(p);
      });
    });
    counting = true;
    const signInStart = performance.now();
    await svc.signIn({ sip: ME, password: 'bench', server: sim.url });
    const signInMs = performance.now() - signInStart;
    const progress = await done;
    const wallMs = performance.now() - t0;
    counting = false;
    if (progress.error) throw new Error(`sync failed: ${progress.error.message}`);
    const requests = syncRequests - clientAtStart;
    const simRequests = sim.control.requestCount() - simAtStart;
    let conversations = 0;
    let cursor: string | null = null;
    do {
      const page = await store.listConversations({ cursor, limit: 500 });
      conversations += page.items.filter((c) => c.transcriptsComplete).length;
      cursor = page.next;
    } while (cursor);
    if (conversations !== logs) throw new Error(`${conversations} complete conversations stored, expected ${logs}`);
    const stats = await store.stats().catch(() => null);
    const floorMs = (requests * LATENCY_MS) / concurrency;
    const ratio = wallMs / floorMs;
    const figures: Figures = {
      [`sync: ${logs} logs × ${PER_LOG} msgs, ${LATENCY_MS} ms latency → SQLite`]: {
        value: Math.round(wallMs), unit: 'ms', floor: Math.round(floorMs), target: 'within 1.5x of floor', met: ratio <= 1.5,
      },
      'sync: wall time ÷ floor': { value: Number(ratio.toFixed(2)), unit: '×', target: '<= 1.5', met: ratio <= 1.5 },
      'sync: requests (client, sync only)': { value: requests, unit: 'requests' },
      'sync: requests (simulator count, incl. event channel)': { value: simRequests, unit: 'requests' },
      'sync: concurrency': { value: concurrency, unit: 'requests in flight' },
      // Latency + everything else a request costs here (simulator, HTTP, client, all on one machine):
      // the floor recomputed with it shows how much of the gap is per-request cost, not idle slots.
      'sync: mean request time at the client': { value: Number((requestMsTotal / Math.max(1, requestsTimed)).toFixed(1)), unit: 'ms' },
      'sync: floor with the measured request time': { value: Math.round((requests * (requestMsTotal / Math.max(1, requestsTimed))) / concurrency), unit: 'ms' },
      'sync: messages stored/s': { value: Math.round((logs * PER_LOG) / (wallMs / 1000)), unit: 'msgs/s' },
      'sync: sign-in before sync (with latency)': { value: Math.round(signInMs), unit: 'ms' },
    };
    if (stats && typeof (stats as { messages?: unknown }).messages === 'number') {
      figures['sync: messages in store'] = { value: (stats as { messages: number }).messages, unit: 'msgs' };
    }
    return figures;
  } finally {
    await svc.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

