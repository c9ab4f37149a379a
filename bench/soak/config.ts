// The two soak sizes. Full: ≥ 1 000 messages, ≥ 200 faults, ≥ 15 kills, 2 restarts in ~8 minutes.
// Quick: the same mix in about a minute.
import type { ServiceTiming } from '../../main/core/app/deps.ts';

export interface SoakConfig {
  quick: boolean;
  seed: number;
  /** Simulator timeScale: protocol timers (P-GET release, application expiry, tokens) run this much faster. */
  timeScale: number;
  chaosMs: number;
  drainMs: number;
  /** Per agent: one message every intervalMs (± 30 %). */
  intervalMs: number;
  faultEveryMs: number;
  kills: number;
  restarts: number;
  timing: ServiceTiming;
}

// Short client timings as in tests/integration/helpers.ts, adjusted to timeScale 0.005 (a P-GET is
// released after 0.9 s, an application without one expires after 4.5 s, a token after 144 s).
const TIMING: ServiceTiming = {
  reportActivityMs: 1000,
  typingThrottleMs: 50,
  backoffBaseMs: 50,
  backoffMaxMs: 1000,
  syncAfterConversationEndMs: 200,
  eventTimeoutSec: 180,
  pgetClientTimeoutMs: 4000,
  invitationTimeoutMs: 20_000,
  requestTimeoutMs: 5000,
  channelRestartWaitMs: 200,
};

export function soakConfig(quick: boolean, seed: number): SoakConfig {
  const base = { quick, seed, timeScale: 0.005, timing: TIMING };
  return quick
    ? { ...base, chaosMs: 40_000, drainMs: 20_000, intervalMs: 350, faultEveryMs: 700, kills: 4, restarts: 1 }
    : { ...base, chaosMs: 380_000, drainMs: 60_000, intervalMs: 550, faultEveryMs: 1500, kills: 18, restarts: 2 };
}
