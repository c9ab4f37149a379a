// The soak's phases: start the simulator and both agents, run the seeded chaos schedule (faults,
// SIGKILLs, simulator restarts) while the agents type, then clear the faults and let both outboxes
// drain (bounded), stop everything gracefully and hand the evidence to the analysis.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Side } from './accounts.ts';
import { AgentProcess } from './agentProcess.ts';
import type { AgentStatus } from './agentProtocol.ts';
import { firedTotal, schedule } from './chaos.ts';
import type { ChaosEvent } from './chaos.ts';
import type { SoakConfig } from './config.ts';
import { control } from './control.ts';
import { Ledger } from './ledger.ts';
import type { Received } from './ledger.ts';
import { createRng } from './prng.ts';
import { SimProcess } from './simProcess.ts';
import { readTypedLog } from './typedLog.ts';

export interface SoakRun {
  cfg: SoakConfig;
  runDir: string;
  dataDirs: Record<Side, string>;
  typedLogs: Record<Side, string>;
  ledger: Ledger;
  /** Injections accepted by the simulator, per kind (control calls count as fired at once). */
  injected: Record<string, number>;
  injectFailed: number;
  kills: Record<Side, number>;
  crashes: Record<Side, number>;
  restarts: number;
  unplannedRestarts: number;
  drainMs: number;
  drainComplete: boolean;
  gracefulStop: Record<Side, boolean>;
  elapsedMs: number;
}

const SIDES: Side[] = ['A', 'B'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const say = (line: string) => process.stderr.write(`soak: ${line}\n`);

/** Children to kill should the soak itself be interrupted. */
export const live = { agents: [] as AgentProcess[], sim: undefined as SimProcess | undefined };

export async function runSoak(cfg: SoakConfig): Promise<SoakRun> {
  const started = Date.now();
  const runDir = mkdtempSync(join(tmpdir(), `ucwa-soak-${cfg.seed}-`));
  const dataDirs = { A: join(runDir, 'A', 'data'), B: join(runDir, 'B', 'data') };
  const typedLogs = { A: join(runDir, 'A', 'typed.log'), B: join(runDir, 'B', 'typed.log') };
  for (const s of SIDES) mkdirSync(dataDirs[s], { recursive: true });
  say(`seed ${cfg.seed}, ${cfg.quick ? 'quick' : 'full'} run, files in ${runDir}`);

  const rng = createRng(cfg.seed);
  const events = schedule(rng, { chaosMs: cfg.chaosMs, faultEveryMs: cfg.faultEveryMs, kills: cfg.kills, restarts: cfg.restarts });
  const ledger = new Ledger();
  const sim = new SimProcess({ logFile: join(runDir, 'sim.log'), dumpFile: join(runDir, 'sim-dump.json'), timeScale: cfg.timeScale });
  live.sim = sim;
  await sim.start();
  say(`simulator on ${sim.origin}`);

  const agents = Object.fromEntries(
    SIDES.map((s) => [
      s,
      new AgentProcess(
        { side: s, server: sim.url, dataDir: dataDirs[s], typedLog: typedLogs[s], intervalMs: cfg.intervalMs, seed: (cfg.seed ^ (s === 'A' ? 0xa11ce : 0xb0b)) >>> 0, timing: cfg.timing },
        join(runDir, s, 'agent.log'),
      ),
    ]),
  ) as Record<Side, AgentProcess>;
  live.agents = Object.values(agents);
  for (const s of SIDES) agents[s].start();
  for (const end = Date.now() + 30_000; Date.now() < end && !SIDES.every((s) => agents[s].ready); ) await sleep(100);
  if (!SIDES.every((s) => agents[s].ready)) say('warning: not both agents signed in within 30 s; going on');

  // --- background: snapshots of what the server received, agent/simulator supervision, progress ---
  let incarnation = 0;
  let restarting = false;
  let unplannedRestarts = 0;
  let supervising = true;
  const plannedDown = new Set<Side>();
  const poll = async () => {
    if (restarting || !sim.running) return;
    const inc = incarnation;
    const r = await control<Received[]>(sim.origin, 'receivedMessages');
    const f = await control<Record<string, number>>(sim.origin, 'faultsFired');
    if (inc === incarnation && !restarting && r.ok) ledger.poll(r.result, f.ok ? f.result : undefined);
  };
  const background = (async () => {
    let lastPoll = 0;
    while (supervising) {
      if (Date.now() - lastPoll >= 2000) {
        lastPoll = Date.now();
        await poll();
      }
      for (const s of SIDES) {
        if (supervising && !agents[s].running && !plannedDown.has(s)) {
          say(`agent ${s} exited by itself: starting it again`);
          agents[s].start();
        }
      }
      if (supervising && !restarting && !sim.running) {
        say('simulator exited by itself: starting it again (what it received since the last poll is lost)');
        restarting = true;
        ledger.endIncarnation(undefined);
        incarnation += 1;
        unplannedRestarts += 1;
        await sim.start().catch((err: unknown) => say(`simulator start failed: ${String(err)}`));
        restarting = false;
      }
      await sleep(250);
    }
  })();

  // --- chaos ---
  const injected: Record<string, number> = {};
  let injectFailed = 0;
  let restarts = 0;
  const t0 = Date.now();
  let nextProgress = t0 + 15_000;
  const progress = () => {
    const typed = SIDES.map((s) => `${s} ${readTypedLog(typedLogs[s]).length}`).join(', ');
    say(`${((Date.now() - t0) / 1000).toFixed(0)} s: typed ${typed}; faults fired ${firedTotal(ledger.fired(), injected)}; kills ${agents.A.kills + agents.B.kills}; restarts ${restarts}`);
  };
  const pendingStarts: Promise<void>[] = [];
  const run = async (e: ChaosEvent) => {
    if (e.type === 'fault') {
      if (restarting) return;
      const inj = e.injection;
      const res = 'fault' in inj ? await control(sim.origin, 'addFault', { ...inj.fault }) : await control(sim.origin, inj.call, inj.args);
      if (res.ok) injected[inj.kind] = (injected[inj.kind] ?? 0) + 1;
      else injectFailed += 1;
    } else if (e.type === 'kill') {
      const a = agents[e.side];
      if (!a.running || plannedDown.has(e.side)) return;
      plannedDown.add(e.side);
      await a.kill();
      say(`killed ${e.side} (down ${e.downMs} ms)`);
      pendingStarts.push(
        sleep(e.downMs).then(() => {
          a.start();
          plannedDown.delete(e.side);
        }),
      );
    } else {
      restarting = true;
      await poll().catch(() => undefined);
      const dump = await sim.stop();
      ledger.endIncarnation(dump);
      incarnation += 1;
      say(`simulator stopped (${dump ? `${dump.received.length} messages in its dump` : 'no dump'}); down ${e.downMs} ms`);
      await sleep(e.downMs);
      try {
        await sim.start();
        restarts += 1;
        say(`simulator restarted on ${sim.origin}`);
      } finally {
        restarting = false;
      }
    }
  };
  for (const e of events) {
    await sleep(t0 + e.at - Date.now());
    await run(e).catch((err: unknown) => say(`event ${e.type} failed: ${String(err)}`));
    if (Date.now() >= nextProgress) {
      nextProgress += 15_000;
      progress();
    }
  }
  await sleep(t0 + cfg.chaosMs - Date.now());
  await Promise.all(pendingStarts);
  progress();

  // --- drain: no more faults or kills; both outboxes empty and every typed message accounted for ---
  say('chaos over: clearing faults, draining');
  for (let i = 0; i < 20 && !(await control(sim.origin, 'clearFaults')).ok; i++) await sleep(250);
  for (const s of SIDES) agents[s].drain();
  const drainStart = Date.now();
  let drainComplete = false;
  let lastReport = 0;
  while (Date.now() - drainStart < cfg.drainMs) {
    for (const s of SIDES) agents[s].drain(); // an agent restarted meanwhile must stop typing too
    const st = await Promise.all(SIDES.map((s) => agents[s].status()));
    const [sa, sb] = st;
    if (sa && sb) {
      const missing = (from: Side, sender: AgentStatus, receiver: AgentStatus) => {
        const got = new Set(receiver.peerSeqs);
        const failed = new Set(sender.failedSeqs);
        return readTypedLog(typedLogs[from]).filter((e) => !got.has(e.seq) && !failed.has(e.seq)).length;
      };
      const mA = missing('A', sa, sb);
      const mB = missing('B', sb, sa);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        say(`drain ${((Date.now() - drainStart) / 1000).toFixed(0)} s: pending A ${sa.pending} / B ${sb.pending}; not yet received ${mA} A→B, ${mB} B→A`);
      }
      if (sa.pending === 0 && sb.pending === 0 && mA === 0 && mB === 0) {
        drainComplete = true;
        break;
      }
    }
    await sleep(1000);
  }
  const drainMs = Date.now() - drainStart;
  say(drainComplete ? `drained in ${(drainMs / 1000).toFixed(1)} s` : `drain incomplete after ${(drainMs / 1000).toFixed(0)} s`);

  // --- stop: agents first (they sign out through the simulator), then the simulator ---
  supervising = false;
  await background;
  await poll();
  const stops = await Promise.all(SIDES.map((s) => agents[s].stop()));
  const gracefulStop = { A: stops[0] ?? false, B: stops[1] ?? false };
  ledger.endIncarnation(await sim.stop());
  // Kept beside the logs and databases for a post-mortem: everything the server received, in order.
  writeFileSync(join(runDir, 'received.json'), JSON.stringify({ received: ledger.received(), fired: ledger.fired(), injected }));
  live.agents = [];
  live.sim = undefined;

  return {
    cfg,
    runDir,
    dataDirs,
    typedLogs,
    ledger,
    injected,
    injectFailed,
    kills: { A: agents.A.kills, B: agents.B.kills },
    crashes: { A: agents.A.crashes, B: agents.B.crashes },
    restarts,
    unplannedRestarts,
    drainMs,
    drainComplete,
    gracefulStop,
    elapsedMs: Date.now() - started,
  };
}
