// `npm run bench`: every benchmark of the project in one run. Prints a table and writes
// bench/results.json with the machine noted and each figure beside its floor (measured in the same
// run) or target. Benchmarks are never timed assertions: nothing here fails because a machine is slow.
//   npm run bench              all suites, full size
//   npm run bench -- --quick   smaller sizes (smoke)
//   npm run bench -- store     only the named suites
//   npm run bench -- --no-write   print the table, leave bench/results.json alone (trial runs)
//   npm run bench -- hostile --flood-seconds=10   a shorter event flood for a trial run
import { machineInfo, readResults, writeResults } from './resultsFile.ts';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export interface Figure {
  value: number;
  unit: string;
  /** The floor measured in the same run (e.g. a bare insert loop), same unit. */
  floor?: number;
  /** The goal in words, e.g. "< 5 ms" or "within 3x of floor". */
  target?: string;
  /** Whether the target is met, when the suite can tell. */
  met?: boolean;
}
type Suite = (opts: { quick: boolean; args: string[] }) => Promise<Record<string, Figure>>;

const here = dirname(fileURLToPath(import.meta.url));
const suites: { name: string; file: string; fn: string }[] = [
  { name: 'core', file: 'core.ts', fn: 'benchCore' },
  { name: 'store', file: 'store.ts', fn: 'benchStore' },
  { name: 'sync', file: 'sync.ts', fn: 'benchSync' },
  { name: 'people', file: 'people.ts', fn: 'benchPeople' },
  { name: 'renderer', file: 'renderer.ts', fn: 'benchRenderer' },
  { name: 'shell', file: 'shell.ts', fn: 'benchShell' },
  { name: 'hostile', file: 'hostile.ts', fn: 'benchHostile' },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = !args.includes('--no-write');
const only = args.filter((a) => !a.startsWith('--'));

const results: Record<string, Record<string, Figure> | { error: string }> = {};
for (const suite of suites) {
  if (only.length && !only.includes(suite.name)) continue;
  const file = join(here, suite.file);
  if (!existsSync(file)) {
    results[suite.name] = { error: 'not written yet' };
    continue;
  }
  const started = Date.now();
  process.stderr.write(`bench: ${suite.name}…\n`);
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, Suite>;
    const fn = mod[suite.fn];
    if (typeof fn !== 'function') throw new Error(`${suite.file} does not export ${suite.fn}()`);
    results[suite.name] = await fn({ quick, args });
  } catch (err) {
    results[suite.name] = { error: err instanceof Error ? err.message : String(err) };
  }
  process.stderr.write(`bench: ${suite.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const machine = machineInfo();
// Keep what other commands wrote into the same file (`npm run soak` adds "soak"), and, when only
// some suites ran, the others' last figures.
const out = join(here, 'results.json');
const prev = readResults(out) as Record<string, unknown> & { results?: Record<string, unknown> };
const doc = { ...prev, date: new Date().toISOString(), quick, machine, results: { ...(only.length ? prev.results ?? {} : {}), ...results } };
if (write) writeResults(out, doc);

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3));
console.log(`machine: ${machine.cpus}, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}${quick ? ' (quick)' : ''}`);
for (const [suite, figures] of Object.entries(results)) {
  console.log(`\n${suite}`);
  if ('error' in figures && typeof figures.error === 'string') {
    console.log(`  (not run: ${figures.error})`);
    continue;
  }
  for (const [name, f] of Object.entries(figures as Record<string, Figure>)) {
    const floor = f.floor !== undefined ? `  floor ${fmt(f.floor)} ${f.unit}` : '';
    const target = f.target ? `  target ${f.target}${f.met === undefined ? '' : f.met ? ' (met)' : ' (NOT met)'}` : '';
    console.log(`  ${name.padEnd(44)} ${fmt(f.value).padStart(12)} ${f.unit}${floor}${target}`);
  }
}
console.log(write ? '\nwritten: bench/results.json' : '\nnot written (--no-write)');
