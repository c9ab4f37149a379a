// The fuzz's figures (bench/run.ts's Figure format), the printed report with a replay command for
// every finding, and the merge into bench/results.json under the top-level key "fuzz" (every other
// key is kept as it was, as bench/soak/report.ts does for "soak").
import { machineInfo, writeSection } from '../../bench/resultsFile.ts';
import type { Figure } from '../../bench/run.ts';
import type { Finding } from './engine.ts';
import type { ParserRun } from './parsers.ts';
import type { ServiceRun } from './service.ts';

export interface FuzzRun {
  seed: number;
  quick: boolean;
  workers: number;
  parsers: ParserRun;
  service: ServiceRun;
  seconds: number;
}

const zero = (value: number, unit: string): Figure => ({ value, unit, target: '= 0', met: value === 0 });

export function totals(run: FuzzRun) {
  const p = run.parsers.results;
  const parserInputs = p.reduce((s, r) => s + r.inputs, 0);
  const violations = (what: string) => p.reduce((s, r) => s + (r.violations[what] ?? 0), 0);
  return {
    parserInputs,
    inputs: parserInputs + run.service.totalInputs,
    crashes: p.reduce((s, r) => s + r.crashes, 0) + run.service.crashes,
    rejections: run.parsers.rejections + run.service.unhandledRejections,
    offOrigin: violations('offOrigin') + run.service.offOrigin,
    passwordOffDomain: violations('passwordOffDomain'),
    contract: violations('contract'),
    hangs: run.parsers.hangs + run.service.hangs,
    slow: p.reduce((s, r) => s + r.slow, 0),
    slowest: p.reduce((m, r) => Math.max(m, r.maxMs), 0),
  };
}

export function figures(run: FuzzRun): Record<string, Figure> {
  const t = totals(run);
  const f: Record<string, Figure> = {
    'fuzz: generated inputs (parsers + service)': { value: t.inputs, unit: 'inputs', target: run.quick ? undefined : '>= 1000000', met: run.quick ? undefined : t.inputs >= 1_000_000 },
    'fuzz: crashes (exceptions other than the documented errors)': zero(t.crashes, 'crashes'),
    'fuzz: unhandled rejections': zero(t.rejections, 'rejections'),
    'fuzz: requests with the token off its issuing origin': zero(t.offOrigin, 'requests'),
    "fuzz: password sent outside the user's domain": zero(t.passwordOffDomain, 'requests'),
    'fuzz: contract violations (unrepresentable dates, …)': zero(t.contract, 'inputs'),
    'fuzz: hangs': zero(t.hangs, 'inputs'),
    'fuzz: parser inputs slower than 100 ms and 1 µs a character (best of 3)': zero(t.slow, 'inputs'),
    'fuzz: slowest parser input': { value: Math.round(t.slowest), unit: 'ms' },
  };
  for (const r of run.parsers.results) f[`fuzz: parser inputs: ${r.kind}`] = { value: r.inputs, unit: 'inputs' };
  for (const [k, n] of Object.entries(run.service.inputs)) f[`fuzz: service inputs: ${k}`] = { value: n, unit: 'bodies' };
  f['fuzz: service sign-ins'] = { value: run.service.signIns, unit: 'sign-ins' };
  f['fuzz: service calls made by the harness'] = { value: run.service.actions, unit: 'calls' };
  f[`fuzz: seconds, parsers (${run.workers} workers)`] = { value: Math.round(run.parsers.seconds), unit: 's' };
  f['fuzz: seconds, service'] = { value: Math.round(run.service.seconds), unit: 's' };
  f['fuzz: seconds, total'] = { value: Math.round(run.seconds), unit: 's' };
  return f;
}

export function allFindings(run: FuzzRun): Finding[] {
  return [...run.parsers.results.flatMap((r) => r.findings), ...run.parsers.findings, ...run.service.findings];
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2));

export function printReport(run: FuzzRun, f: Record<string, Figure>): void {
  const out: string[] = [];
  out.push(`\nfuzz (${run.quick ? 'quick' : 'full'}), seed ${run.seed} — rerun with: npm run fuzz --${run.quick ? ' --quick' : ''} --seed ${run.seed}`);
  out.push(`\n  ${'kind'.padEnd(16)} ${'inputs'.padStart(9)} ${'crashes'.padStart(8)} ${'violations'.padStart(10)} ${'slow'.padStart(5)} ${'µs/input'.padStart(9)} ${'max ms'.padStart(7)}`);
  for (const r of run.parsers.results) {
    const v = Object.values(r.violations).reduce((s, n) => s + n, 0);
    out.push(`  ${r.kind.padEnd(16)} ${fmt(r.inputs).padStart(9)} ${String(r.crashes).padStart(8)} ${String(v).padStart(10)} ${String(r.slow).padStart(5)} ${(r.inputs ? (r.totalMs * 1000) / r.inputs : 0).toFixed(0).padStart(9)} ${r.maxMs.toFixed(0).padStart(7)}`);
  }
  out.push(`  service: ${fmt(run.service.totalInputs)} generated bodies (${Object.entries(run.service.inputs).map(([k, n]) => `${k} ${n}`).join(', ')}), ${run.service.signIns} sign-ins, ${run.service.actions} calls, ${run.service.storedMessages} messages read back`);
  out.push('');
  for (const [name, fig] of Object.entries(f)) {
    if (name.includes('inputs: ')) continue;
    const target = fig.target ? `  target ${fig.target}${fig.met === undefined ? '' : fig.met ? ' (met)' : ' (NOT MET)'}` : '';
    out.push(`  ${name.replace(/^fuzz: /, '').padEnd(62)} ${fmt(fig.value).padStart(10)} ${fig.unit}${target}`);
  }
  const findings = allFindings(run);
  if (findings.length) {
    out.push(`\nfindings (at most a few of each kind; the counts above say how many):`);
    for (const x of findings) {
      out.push(`\n  [${x.what}] ${x.kind} #${x.index}${x.ms !== undefined ? ` (${x.ms} ms${x.size !== undefined ? `, ${fmt(x.size)} characters` : ''})` : ''}: ${x.message}`);
      if (x.kind !== 'service' && x.index >= 0) out.push(`    replay: npm run fuzz -- --seed ${x.seed} --replay ${x.kind}:${x.index}`);
      if (x.stack) out.push(`    ${x.stack.split('\n').slice(0, 6).join('\n    ')}`);
      if (x.input) out.push(`    input: ${x.input.slice(0, 600)}`);
      const recent = (x as Finding & { recent?: { kind: string; index: number; path: string; body: string }[] }).recent;
      for (const b of recent ?? []) out.push(`    served before it: ${b.kind} #${b.index} for ${b.path.slice(0, 120)}: ${b.body.slice(0, 300)}`);
    }
  }
  const missed = Object.entries(f).filter(([, fig]) => fig.met === false).map(([n]) => n.replace(/^fuzz: /, ''));
  out.push(missed.length ? `\nTARGETS MISSED (${missed.length}): ${missed.join('; ')}` : '\nall targets met');
  console.log(out.join('\n'));
}

export function writeResults(file: string, run: FuzzRun, f: Record<string, Figure>): void {
  writeSection(file, 'fuzz', {
    date: new Date().toISOString(),
    quick: run.quick,
    seed: run.seed,
    machine: machineInfo(),
    figures: f,
    findings: allFindings(run).slice(0, 40).map((x) => ({ what: x.what, kind: x.kind, index: x.index, message: x.message.slice(0, 300), input: x.input.slice(0, 300) })),
  });
}
