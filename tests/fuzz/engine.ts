// Runs generated inputs through one target: input `index` of kind `kind` is generated from the seed
// derived from (seed, kind, index) alone, so any single input can be regenerated without the ones
// before it (`npm run fuzz -- --seed S --replay kind:index`). Each input is timed; anything thrown
// that the target does not document is a crash, a Violation is counted apart, and a slow input
// (a super-linear path) is reported with its size.
import fc from 'fast-check';
import { seedToInt } from '../../simulator/prng.ts';
import { Violation, type Target } from './targets.ts';

export interface Finding {
  what: 'crash' | 'violation' | 'slow' | 'hang' | 'generator';
  kind: string;
  index: number;
  seed: number;
  message: string;
  stack?: string;
  /** The input (JSON, cut to a few KB). */
  input: string;
  /** Size of the input as JSON text (characters), when it could be measured. */
  size?: number;
  ms?: number;
}

export interface KindResult {
  kind: string;
  inputs: number;
  crashes: number;
  violations: Record<string, number>;
  slow: number;
  totalMs: number;
  maxMs: number;
  /** At most a few of each (the counts say how many there were). */
  findings: Finding[];
}

export const SLOW_MS = 100;
/** 1 µs per character of the input's JSON text. */
export const SLOW_MS_PER_CHAR = 0.001;
const KEEP = 5;
const WARM_UP = 20;

export function inputSeed(seed: number, kind: string, index: number): number {
  return seedToInt(`${seed}/${kind}/${index}`);
}

export function generate(target: Target, seed: number, index: number): unknown {
  return fc.sample(target.arb, { seed: inputSeed(seed, target.kind, index), numRuns: 1 })[0];
}

/** JSON of an input for a report (never throws: deep or huge inputs are summarised). */
export function describe(input: unknown, max = 2000): { text: string; size?: number } {
  try {
    const s = JSON.stringify(input, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes: ${Buffer.from(v.subarray(0, 300)).toString('utf8')}>` : v)) ?? String(input);
    return { text: s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s, size: s.length };
  } catch (err) {
    return { text: `(not printable: ${err instanceof Error ? err.message : String(err)}; nested too deep)` };
  }
}

function isAllowed(target: Target, err: unknown): boolean {
  return target.allowed.some((c) => err instanceof c);
}

export function emptyResult(kind: string): KindResult {
  return { kind, inputs: 0, crashes: 0, violations: {}, slow: 0, totalMs: 0, maxMs: 0, findings: [] };
}

function keep(r: KindResult, f: Finding): void {
  if (r.findings.filter((x) => x.what === f.what).length < KEEP) r.findings.push(f);
}

/** One input through its target; findings go into `r`. */
export async function runOne(target: Target, seed: number, index: number, r: KindResult): Promise<void> {
  let input: unknown;
  try {
    input = generate(target, seed, index);
  } catch (err) {
    keep(r, { what: 'generator', kind: target.kind, index, seed, message: String(err), stack: (err as Error).stack, input: '' });
    r.crashes++;
    return;
  }
  const started = performance.now();
  let thrown: unknown = null;
  try {
    await target.run(input);
  } catch (err) {
    thrown = err;
  }
  const ms = performance.now() - started;
  r.inputs++;
  r.totalMs += ms;
  if (ms > r.maxMs) r.maxMs = ms;
  const finding = (what: Finding['what'], message: string, stack?: string): Finding => {
    const d = describe(input);
    return { what, kind: target.kind, index, seed, message, stack, input: d.text, size: d.size, ms: Math.round(ms) };
  };
  if (thrown instanceof Violation) {
    r.violations[thrown.what] = (r.violations[thrown.what] ?? 0) + 1;
    keep(r, finding('violation', `${thrown.what}: ${thrown.message}`));
  } else if (thrown !== null && !isAllowed(target, thrown)) {
    r.crashes++;
    const e = thrown as Error;
    keep(r, finding('crash', `${e?.name ?? typeof thrown}: ${e?.message ?? String(thrown)}`, e?.stack));
  }
  if (ms > SLOW_MS) {
    // Slow once may be the machine (GC, the other worker, other processes): the best of three
    // counts, and only beyond what a linear pass over the input costs (1 µs a character of its
    // JSON) — a quadratic pass over 64 K characters takes seconds, a linear one over 2 MB does not.
    let best = ms;
    for (let k = 0; k < 2 && best > SLOW_MS; k++) {
      const t0 = performance.now();
      try { await target.run(input); } catch { /* judged above */ }
      best = Math.min(best, performance.now() - t0);
    }
    const size = describe(input, 0).size ?? 0;
    if (best > Math.max(SLOW_MS, size * SLOW_MS_PER_CHAR)) {
      r.slow++;
      keep(r, { ...finding('slow', `${Math.round(best)} ms (best of 3) for ${size.toLocaleString('en-US')} characters`), ms: Math.round(best) });
    }
  }
}

/** Inputs first, first+stride, … below count; `onIndex` is told each index before it runs (the hang watchdog). */
export async function runRange(target: Target, seed: number, first: number, count: number, stride: number, onIndex?: (index: number) => void): Promise<KindResult> {
  // Warm-up (not counted): the first calls of a kind pay for compilation, not for the input.
  const warm = emptyResult(target.kind);
  for (let i = 0; i < WARM_UP; i++) await runOne(target, seed, -1 - i, warm);
  const r = emptyResult(target.kind);
  for (let i = first; i < count; i += stride) {
    onIndex?.(i);
    await runOne(target, seed, i, r);
  }
  return r;
}

export function mergeResults(a: KindResult, b: KindResult): KindResult {
  const violations = { ...a.violations };
  for (const [k, v] of Object.entries(b.violations)) violations[k] = (violations[k] ?? 0) + v;
  return {
    kind: a.kind, inputs: a.inputs + b.inputs, crashes: a.crashes + b.crashes, violations, slow: a.slow + b.slow,
    totalMs: a.totalMs + b.totalMs, maxMs: Math.max(a.maxMs, b.maxMs), findings: [...a.findings, ...b.findings],
  };
}
