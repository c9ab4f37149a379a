// `npm run fuzz` (issue 11, part 6): ≥ 1 000 000 generated UCWA inputs through the client's parsers
// (worker threads, one per core) and through the service (a hostile loopback pool), then the figures
// — inputs per kind, crashes, unhandled rejections, requests off the issuing origin, hangs, slow
// inputs, seconds — printed and merged into bench/results.json under "fuzz". Exit code 1 when a
// "= 0" target is missed (a crash, a leak, a hang), after the figures are written.
//   npm run fuzz                                  full run (a few minutes on 2 cores)
//   npm run fuzz -- --quick                       the small run (what tests/unit/fuzz.test.ts checks)
//   npm run fuzz -- --seed 1234                   another seed (the seed is printed at the start and the end)
//   npm run fuzz -- --seed 1234 --replay batch:42 regenerate one input, run it, print it and what it threw;
//                                                 with --shrink, fast-check shrinks it to a smallest failing input
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { describe, generate, inputSeed } from './engine.ts';
import { fullPlan, quickPlan, SERVICE_FULL, SERVICE_QUICK } from './plan.ts';
import { runParsers } from './parsers.ts';
import { figures, printReport, writeResults, type FuzzRun } from './report.ts';
import { runService } from './service.ts';
import { targets, Violation } from './targets.ts';
import { FULL_SIZES, QUICK_SIZES } from './arb/values.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' }, seed: { type: 'string' }, replay: { type: 'string' }, shrink: { type: 'boolean' },
    workers: { type: 'string' }, 'no-write': { type: 'boolean' }, 'no-service': { type: 'boolean' },
  },
  strict: true,
});
const quick = values.quick ?? false;
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Math.floor(Math.random() * 2 ** 31);
const sizes = quick ? QUICK_SIZES : FULL_SIZES;

if (values.replay) {
  const [kind, idx] = values.replay.split(':');
  const target = targets(sizes).find((t) => t.kind === kind);
  if (!target || !idx) throw new Error(`--replay wants kind:index, kind one of ${targets(sizes).map((t) => t.kind).join(', ')}`);
  const index = Number(idx);
  const input = generate(target, seed, index);
  console.log(`input ${kind}:${index} of seed ${seed}:\n${describe(input, 20_000).text}\n`);
  const started = performance.now();
  try {
    await target.run(input);
    console.log(`ran in ${(performance.now() - started).toFixed(1)} ms, threw nothing`);
  } catch (err) {
    const ok = err instanceof Violation ? 'a contract VIOLATION' : target.allowed.some((c) => err instanceof c) ? 'a documented error (fine)' : 'a CRASH';
    console.log(`ran in ${(performance.now() - started).toFixed(1)} ms, threw ${ok}:\n${(err as Error)?.stack ?? String(err)}`);
  }
  if (values.shrink) {
    const fails = async (v: unknown) => {
      try {
        await target.run(v);
        return true;
      } catch (err) {
        return !(err instanceof Violation) && target.allowed.some((c) => err instanceof c);
      }
    };
    const details = await fc.check(fc.asyncProperty(target.arb, fails), { seed: inputSeed(seed, kind ?? '', index), numRuns: 1 });
    console.log(details.failed ? `\nshrunk to:\n${describe(details.counterexample?.[0], 20_000).text}` : '\nthis input does not fail: nothing to shrink');
  }
  process.exit(0);
}

const workers = values.workers !== undefined ? Math.max(1, Number(values.workers)) : Math.max(2, availableParallelism());
const plan = quick ? quickPlan() : fullPlan();
const planned = plan.reduce((s, p) => s + p.count, 0);
console.log(`fuzz (${quick ? 'quick' : 'full'}), seed ${seed}: ${planned.toLocaleString('en-US')} parser inputs on ${workers} workers, then the service`);
const started = Date.now();
const parsers = await runParsers({
  seed, sizes, plan, workers,
  onProgress: (done, total) => process.stderr.write(`  parsers: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${Math.round((Date.now() - started) / 1000)} s)\n`),
});
const svc = quick ? SERVICE_QUICK : SERVICE_FULL;
const service = values['no-service']
  ? { inputs: {}, totalInputs: 0, crashes: 0, unhandledRejections: 0, offOrigin: 0, hangs: 0, signIns: 0, actions: 0, storedMessages: 0, seconds: 0, findings: [] }
  : await runService({ seed, sizes: svc.sizes, inputs: svc.inputs, maxSeconds: svc.maxSeconds, onProgress: (n) => process.stderr.write(`  service: ${n.toLocaleString('en-US')} bodies served\n`) });
const run: FuzzRun = { seed, quick, workers, parsers, service, seconds: (Date.now() - started) / 1000 };
const f = figures(run);
printReport(run, f);
if (!values['no-write']) {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results.json');
  writeResults(file, run, f);
  console.log(`\nwritten: bench/results.json ("fuzz")`);
}
process.exit(Object.values(f).some((x) => x.met === false && x.target === '= 0') ? 1 : 0);
