// Figures (bench/run.ts format: { value, unit, target?, met? }), the printed table, and the merge
// into bench/results.json under the top-level key "soak" (every other key is kept as it was).
import { machineInfo, writeSection } from '../resultsFile.ts';
import type { Figure } from '../run.ts';
import type { Analysis, DirectionFigures } from './analyze.ts';
import { firedByKind } from './chaos.ts';
import type { SoakRun } from './run.ts';

type Key = keyof Omit<DirectionFigures, 'outcomes' | 'failedReasons'>;
const sum = (a: Analysis, k: Key): number => a.directions['A→B'][k] + a.directions['B→A'][k];
const zero = (value: number, unit: string): Figure => ({ value, unit, target: '= 0', met: value === 0 });
const atLeast = (value: number, unit: string, min: number): Figure => ({ value, unit, target: `>= ${min}`, met: value >= min });

export function figures(run: SoakRun, a: Analysis): Record<string, Figure> {
  const { quick } = run.cfg;
  const kills = run.kills.A + run.kills.B;
  const byKind = firedByKind(run.ledger.fired(), run.injected);
  const fired = Object.values(byKind).reduce((x, y) => x + y, 0);
  const injected = Object.values(run.injected).reduce((x, y) => x + y, 0);
  const uncertainMax = Math.floor(kills / 10);
  const f: Record<string, Figure> = {
    'soak: messages typed (both ways)': quick ? { value: sum(a, 'typed'), unit: 'messages' } : atLeast(sum(a, 'typed'), 'messages', 1000),
    'soak: messages typed A→B': { value: a.directions['A→B'].typed, unit: 'messages' },
    'soak: messages typed B→A': { value: a.directions['B→A'].typed, unit: 'messages' },
    'soak: received by the server (distinct)': { value: sum(a, 'receivedByServer'), unit: 'messages' },
    'soak: lost (typed, never stored by the receiver)': zero(sum(a, 'lost'), 'messages'),
    'soak: lost although the sender says delivered': zero(sum(a, 'lostSilently'), 'messages'),
    'soak: duplicated at the server (seqs received twice or more)': zero(sum(a, 'serverDuplicated'), 'messages'),
    'soak: extra copies received by the server': zero(sum(a, 'serverExtraCopies'), 'messages'),
    "soak: duplicated in the receiver's database": zero(sum(a, 'storedDuplicated'), 'messages'),
    'soak: received twice, flagged "may have arrived twice" (counted apart)': { value: sum(a, 'serverDuplicatedFlagged'), unit: 'messages' },
    "soak: stored twice by the receiver, flagged (counted apart)": { value: sum(a, 'storedDuplicatedFlagged'), unit: 'messages' },
    "soak: out of order in the receiver's database": zero(sum(a, 'outOfOrderStored'), 'messages'),
    'soak: out of order at the server': zero(sum(a, 'outOfOrderServer'), 'messages'),
    'soak: stuck in the outbox after the drain': zero(sum(a, 'stuck'), 'messages'),
    'soak: failed on a transient fault': zero(sum(a, 'failed'), 'messages'),
    'soak: uncertain (outbox state)': { value: sum(a, 'uncertain'), unit: 'messages' },
    'soak: maybe-duplicate (re-sent after an uncertain outcome)': { value: sum(a, 'maybeDuplicate'), unit: 'messages' },
    'soak: uncertain or maybe-duplicate': { value: sum(a, 'uncertainOrMaybeDuplicate'), unit: 'messages', target: `<= kills/10 (${uncertainMax})`, met: sum(a, 'uncertainOrMaybeDuplicate') <= uncertainMax },
    'soak: persisted but not in the typed log (killed in between)': { value: sum(a, 'unlogged'), unit: 'messages' },
    'soak: faults fired': quick ? { value: fired, unit: 'faults' } : atLeast(fired, 'faults', 200),
    'soak: faults injected': { value: injected, unit: 'faults' },
    'soak: kills (SIGKILL)': quick ? { value: kills, unit: 'kills' } : atLeast(kills, 'kills', 15),
    'soak: kills of A': { value: run.kills.A, unit: 'kills' },
    'soak: kills of B': { value: run.kills.B, unit: 'kills' },
    'soak: simulator restarts': quick ? { value: run.restarts, unit: 'restarts' } : atLeast(run.restarts, 'restarts', 2),
    'soak: agent crashes (exits nobody caused)': zero(run.crashes.A + run.crashes.B, 'exits'),
    'soak: agents that did not stop gracefully': zero(Number(!run.gracefulStop.A) + Number(!run.gracefulStop.B), 'agents'),
    'soak: integrity_check A': { value: a.integrity.A === 'ok' ? 1 : 0, unit: 'ok', target: 'ok', met: a.integrity.A === 'ok' },
    'soak: integrity_check B': { value: a.integrity.B === 'ok' ? 1 : 0, unit: 'ok', target: 'ok', met: a.integrity.B === 'ok' },
    'soak: drain time': { value: run.drainMs / 1000, unit: 's', target: 'drained', met: run.drainComplete },
    'soak: run time': { value: run.elapsedMs / 1000, unit: 's' },
  };
  for (const [kind, n] of Object.entries(byKind).sort()) f[`soak: faults fired: ${kind}`] = { value: n, unit: 'faults' };
  return f;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function printReport(run: SoakRun, a: Analysis, f: Record<string, Figure>): void {
  const out: string[] = [];
  out.push(`\nsoak (${run.cfg.quick ? 'quick' : 'full'}), seed ${run.cfg.seed} — rerun with: npm run soak --${run.cfg.quick ? ' --quick' : ''} --seed ${run.cfg.seed}`);
  out.push(`files: ${run.runDir}`);
  const keys: [string, Key][] = [
    ['typed', 'typed'], ['received by server', 'receivedByServer'], ['lost', 'lost'], ['lost, sender says delivered', 'lostSilently'],
    ['duplicated at server', 'serverDuplicated'], ['duplicated in receiver DB', 'storedDuplicated'], ['out of order (receiver DB)', 'outOfOrderStored'],
    ['out of order (server)', 'outOfOrderServer'], ['stuck', 'stuck'], ['failed (transient)', 'failed'], ['uncertain', 'uncertain'],
    ['maybe-duplicate', 'maybeDuplicate'], ['unlogged', 'unlogged'],
  ];
  out.push(`\n  ${''.padEnd(30)} ${'A→B'.padStart(7)} ${'B→A'.padStart(7)} ${'total'.padStart(7)}`);
  for (const [label, k] of keys) {
    const x = a.directions['A→B'][k];
    const y = a.directions['B→A'][k];
    out.push(`  ${label.padEnd(30)} ${String(x).padStart(7)} ${String(y).padStart(7)} ${String(x + y).padStart(7)}`);
  }
  for (const d of ['A→B', 'B→A'] as const) {
    const o = Object.entries(a.directions[d].outcomes).map(([s, n]) => `${s} ${n}`).join(', ');
    out.push(`  ${d} final outbox states of typed messages: ${o}`);
    const reasons = Object.entries(a.directions[d].failedReasons).sort((p, q) => q[1] - p[1]).slice(0, 5);
    for (const [r, n] of reasons) out.push(`      failed ${String(n).padStart(4)}× ${r}`);
  }
  out.push(`  integrity_check: A ${a.integrity.A}; B ${a.integrity.B}`);
  out.push('');
  for (const [name, fig] of Object.entries(f)) {
    const target = fig.target ? `  target ${fig.target}${fig.met === undefined ? '' : fig.met ? ' (met)' : ' (NOT MET)'}` : '';
    out.push(`  ${name.replace(/^soak: /, '').padEnd(60)} ${fmt(fig.value).padStart(8)} ${fig.unit}${target}`);
  }
  const missed = Object.entries(f).filter(([, fig]) => fig.met === false).map(([n]) => n.replace(/^soak: /, ''));
  out.push(missed.length ? `\nTARGETS MISSED (${missed.length}): ${missed.join('; ')}` : '\nall targets met');
  console.log(out.join('\n'));
}

export function writeResults(file: string, run: SoakRun, f: Record<string, Figure>): void {
  writeSection(file, 'soak', {
    date: new Date().toISOString(),
    quick: run.cfg.quick,
    seed: run.cfg.seed,
    machine: machineInfo(),
    figures: f,
  });
}
