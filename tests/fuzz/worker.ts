// One parser-fuzz worker thread: runs its share of every kind (indices w, w+n, w+2n, …) and posts
// the results. Before each input it writes the kind and index into shared memory, so the main
// thread can name the exact input of a hang even while this thread is stuck in it.
import { parentPort, workerData } from 'node:worker_threads';
import { runRange, type KindResult } from './engine.ts';
import { targets } from './targets.ts';
import type { Sizes } from './arb/values.ts';

export interface WorkerJob {
  seed: number;
  sizes: Sizes;
  plan: { kind: string; count: number }[];
  worker: number;
  workers: number;
  /** Int32Array view: [kind number in plan, index, inputs done]. */
  progress: SharedArrayBuffer;
  /** Start here (after a hang, the replacement worker skips the input that hung). */
  from?: { kind: number; index: number };
}

export type WorkerMessage = { type: 'kind'; result: KindResult } | { type: 'done' } | { type: 'rejection'; message: string; stack?: string; kind: string; index: number };

const job = workerData as WorkerJob;
const progress = new Int32Array(job.progress);
const byKind = new Map(targets(job.sizes).map((t) => [t.kind, t]));

process.on('unhandledRejection', (reason) => {
  const e = reason as Error;
  const kind = job.plan[Atomics.load(progress, 0)]?.kind ?? '?';
  parentPort?.postMessage({ type: 'rejection', message: String(e?.message ?? reason), stack: e?.stack, kind, index: Atomics.load(progress, 1) } satisfies WorkerMessage);
});

for (const [k, { kind, count }] of job.plan.entries()) {
  if (job.from && k < job.from.kind) continue;
  const target = byKind.get(kind);
  if (!target) throw new Error(`unknown fuzz kind ${kind}`);
  Atomics.store(progress, 0, k);
  const first = job.from && k === job.from.kind ? job.from.index : job.worker;
  const result = await runRange(target, job.seed, first, count, job.workers, (i) => {
    Atomics.store(progress, 1, i);
    Atomics.add(progress, 2, 1);
  });
  parentPort?.postMessage({ type: 'kind', result } satisfies WorkerMessage);
}
parentPort?.postMessage({ type: 'done' } satisfies WorkerMessage);
