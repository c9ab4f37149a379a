// The parser half of the fuzz: every kind's inputs split over worker threads (one per core), with
// a watchdog — a worker whose current input has not finished within `hangMs` is stopped, the input
// is reported as a hang (kind, index, the input itself), and a fresh worker carries on after it.
import { Worker } from 'node:worker_threads';
import { describe, emptyResult, generate, mergeResults, type Finding, type KindResult } from './engine.ts';
import { targets } from './targets.ts';
import type { Sizes } from './arb/values.ts';
import type { WorkerJob, WorkerMessage } from './worker.ts';

export interface ParserRun {
  results: KindResult[];
  /** Hangs and unhandled rejections (crashes and violations are in the results). */
  findings: Finding[];
  rejections: number;
  hangs: number;
  seconds: number;
}

export interface ParserOptions {
  seed: number;
  sizes: Sizes;
  plan: { kind: string; count: number }[];
  workers: number;
  hangMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function runParsers(o: ParserOptions): Promise<ParserRun> {
  const started = Date.now();
  const hangMs = o.hangMs ?? 30_000;
  const byKind = new Map<string, KindResult>(o.plan.map((p) => [p.kind, emptyResult(p.kind)]));
  const findings: Finding[] = [];
  let rejections = 0;
  let hangs = 0;
  const total = o.plan.reduce((s, p) => s + p.count, 0);
  const progresses: Int32Array[] = [];

  const runWorker = (worker: number, from?: WorkerJob['from']): Promise<void> => new Promise((resolve, reject) => {
    const progress = new SharedArrayBuffer(12);
    const view = new Int32Array(progress);
    progresses[worker] = view;
    const job: WorkerJob = { seed: o.seed, sizes: o.sizes, plan: o.plan, worker, workers: o.workers, progress, ...(from ? { from } : {}) };
    const w = new Worker(new URL('./worker.ts', import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    let last = { kind: -1, index: -1, at: Date.now() };
    let finished = false;
    const watchdog = setInterval(() => {
      const kind = Atomics.load(view, 0), index = Atomics.load(view, 1);
      if (kind !== last.kind || index !== last.index) { last = { kind, index, at: Date.now() }; return; }
      if (Date.now() - last.at < hangMs) return;
      // Stuck on one input: report it and carry on after it in a new worker.
      clearInterval(watchdog);
      finished = true;
      hangs++;
      const planned = o.plan[kind];
      const target = targets(o.sizes).find((t) => t.kind === planned?.kind);
      const input = target ? describe(generate(target, o.seed, index)) : { text: '' };
      findings.push({ what: 'hang', kind: planned?.kind ?? '?', index, seed: o.seed, message: `no answer within ${hangMs / 1000} s (this worker's earlier inputs of the kind are not counted)`, input: input.text, size: input.size });
      void w.terminate().then(() => runWorker(worker, { kind, index: index + o.workers })).then(resolve, reject);
    }, 1000);
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'kind') byKind.set(m.result.kind, mergeResults(byKind.get(m.result.kind) ?? emptyResult(m.result.kind), m.result));
      else if (m.type === 'rejection') {
        rejections++;
        findings.push({ what: 'crash', kind: m.kind, index: m.index, seed: o.seed, message: `unhandled rejection: ${m.message}`, stack: m.stack, input: '' });
      } else if (m.type === 'done') {
        finished = true;
        clearInterval(watchdog);
        resolve();
      }
    });
    w.on('error', (err) => {
      // An exception that escaped every handler of the worker: a crash at the current input.
      const kind = o.plan[Atomics.load(view, 0)]?.kind ?? '?';
      const r = byKind.get(kind);
      if (r) r.crashes++;
      findings.push({ what: 'crash', kind, index: Atomics.load(view, 1), seed: o.seed, message: `uncaught in worker: ${err.message}`, stack: err.stack, input: '' });
    });
    w.on('exit', (code) => {
      if (finished) return;
      clearInterval(watchdog);
      finished = true;
      if (code !== 0) findings.push({ what: 'crash', kind: o.plan[Atomics.load(view, 0)]?.kind ?? '?', index: Atomics.load(view, 1), seed: o.seed, message: `worker exited with code ${code}`, input: '' });
      resolve();
    });
  });

  const ticker = o.onProgress ? setInterval(() => o.onProgress?.(progresses.reduce((s, v) => s + Atomics.load(v, 2), 0), total), 5000) : null;
  try {
    await Promise.all(Array.from({ length: o.workers }, (_, w) => runWorker(w)));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  return { results: o.plan.map((p) => byKind.get(p.kind) ?? emptyResult(p.kind)), findings, rejections, hangs, seconds: (Date.now() - started) / 1000 };
}
