// How many inputs of each kind a run generates. The full plan sums to 1 000 000 parser inputs,
// weighted by what each kind reaches (event batches and messages are what a server sends most and
// what carries the most code) and what one costs (a batch ~0.6 ms to generate and parse, a date
// ~15 µs); the service adds its own bodies on top. The quick plan is the same mix, small enough for
// `npm test` (tests/unit/fuzz.test.ts).
import { QUICK_SIZES, type Sizes } from './arb/values.ts';

const FULL: Record<string, number> = {
  batch: 150_000, message: 120_000, conversationLog: 80_000, transcripts: 80_000, application: 50_000, people: 40_000,
  resource: 40_000, dataUrl: 120_000, date: 100_000, href: 100_000, header: 60_000, httpBody: 20_000, signin: 30_000, deepJson: 10_000,
};

export function fullPlan(): { kind: string; count: number }[] {
  return Object.entries(FULL).map(([kind, count]) => ({ kind, count }));
}

/** About 1/400 of the full plan (at least 100 of each kind). */
export function quickPlan(divisor = 400): { kind: string; count: number }[] {
  return Object.entries(FULL).map(([kind, count]) => ({ kind, count: Math.max(100, Math.round(count / divisor)) }));
}

export const SERVICE_FULL: { inputs: number; maxSeconds: number; sizes: Sizes } = { inputs: 30_000, maxSeconds: 150, sizes: { bigChars: 64 * 1024, bigArray: 500, deep: 1000 } };
export const SERVICE_QUICK: { inputs: number; maxSeconds: number; sizes: Sizes } = { inputs: 400, maxSeconds: 6, sizes: QUICK_SIZES };
