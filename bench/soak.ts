// `npm run soak`: the chaos soak of the message pipeline (issue 9). Two accounts on the simulator
// write to each other while faults, SIGKILLs and server restarts hit them; the verdict — lost,
// duplicated, out of order, stuck, failed on a transient fault, uncertain, database integrity — is
// printed and merged into bench/results.json under "soak". A measurement: exit code 0 even when
// targets are missed (they are printed as such).
//   npm run soak                    full run (~8 min): ≥ 1 000 messages, ≥ 200 faults, ≥ 15 kills, 2 restarts
//   npm run soak -- --quick         about a minute
//   npm run soak -- --seed 1234     replay a schedule (the seed is printed at the start and the end)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyze } from './soak/analyze.ts';
import { soakConfig } from './soak/config.ts';
import { figures, printReport, writeResults } from './soak/report.ts';
import { live, runSoak } from './soak/run.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, seed: { type: 'string' }, 'no-write': { type: 'boolean' } }, strict: true });
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Math.floor(Math.random() * 2 ** 31);
const cfg = soakConfig(values.quick ?? false, seed);

// Bounded whatever happens: interrupted or overdue, the children go with us.
const killAll = () => {
  for (const a of live.agents) void a.kill();
  void live.sim?.stop();
};
process.once('SIGINT', () => {
  killAll();
  setTimeout(() => process.exit(130), 500);
});
const deadline = setTimeout(() => {
  console.error('soak: over its time bound; stopping everything');
  killAll();
  setTimeout(() => process.exit(1), 1000);
}, cfg.chaosMs + cfg.drainMs + 150_000);
deadline.unref();

const run = await runSoak(cfg);
const analysis = await analyze(run);
const f = figures(run, analysis);
printReport(run, analysis, f);
if (!values['no-write']) {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'results.json');
  writeResults(file, run, f);
  console.log(`\nwritten: ${file} ("soak")`);
}
