// The soak's seeded PRNG: the simulator's own (mulberry32), so the same seed gives the same
// schedule of faults, kills and restarts (the client's own timing still varies from run to run),
// plus the weighted pick the fault schedule needs.
import { createRng as createBaseRng, type Rng as BaseRng } from '../../simulator/prng.ts';

export interface Rng extends BaseRng {
  /** An item chosen with probability proportional to its weight. */
  weighted<T>(items: readonly { weight: number; value: T }[]): T;
}

export function createRng(seed: number): Rng {
  const base = createBaseRng(seed);
  const weighted = <T>(items: readonly { weight: number; value: T }[]): T => {
    const total = items.reduce((s, i) => s + i.weight, 0);
    let r = base.next() * total;
    for (const i of items) {
      r -= i.weight;
      if (r < 0) return i.value;
    }
    return (items[items.length - 1] as { value: T }).value;
  };
  return { ...base, weighted };
}
