// The fault catalogue and the seeded schedule: which fault, kill or restart happens when. Every
// fault here is transient — a client that retries the right way delivers every message anyway.
import type { Fault } from '../../simulator/types.ts';
import type { Side } from './accounts.ts';
import { ACCOUNTS } from './accounts.ts';
import type { Rng } from './prng.ts';

/** One injected fault: an addFault (counted when it fires) or a one-shot control call. */
export type Injection =
  | { kind: string; fault: Fault }
  | { kind: string; call: string; args: Record<string, unknown> };

// Paths as the simulator routes them: POST …/communication/messagingInvitations is startMessaging
// (anchored, so an invitation's /accept does not match), POST …/messaging/messages is sendMessage.
const SEND = { route: '/messaging/messages', method: 'POST' };
const START = { route: '/communication/messagingInvitations$', method: 'POST' };
const CONTINUE = { route: '/continueMessaging', method: 'POST' };
const EVENTS = { route: '/events', method: 'GET' };

type Maker = (rng: Rng) => Injection;

const fault = (kind: string, base: { route: string; method: string }, extra: Partial<Fault>, times: [number, number]): Maker => (rng) => ({
  kind,
  fault: { ...base, ...extra, label: kind, times: rng.int(times[0], times[1]) },
});
const serverError = (kind: string, base: { route: string; method: string }): Maker => (rng) =>
  fault(kind, base, { status: rng.pick([500, 502, 503]) }, [1, 2])(rng);
const throttled = (kind: string, base: { route: string; method: string }): Maker => (rng) =>
  fault(kind, base, { status: 429, retryAfter: rng.int(1, 2) }, [1, 2])(rng);
const account = (rng: Rng): string | undefined => rng.pick<string | undefined>([ACCOUNTS.A.sip, ACCOUNTS.B.sip, undefined]);

/** Weighted catalogue (weights ≈ how often; the kinds that fire at once are the common ones). */
export const CATALOGUE: { weight: number; value: Maker }[] = [
  { weight: 12, value: serverError('sendMessage 5xx', SEND) },
  { weight: 5, value: throttled('sendMessage 429', SEND) },
  { weight: 3, value: serverError('startMessaging 5xx', START) },
  { weight: 2, value: throttled('startMessaging 429', START) },
  { weight: 3, value: serverError('continueMessaging 5xx', CONTINUE) },
  { weight: 2, value: throttled('continueMessaging 429', CONTINUE) },
  { weight: 2, value: fault('startMessaging 409 AlreadyExists', START, { status: 409, subcode: 'AlreadyExists' }, [1, 1]) },
  { weight: 2, value: fault('continueMessaging 409 AlreadyExists', CONTINUE, { status: 409, subcode: 'AlreadyExists' }, [1, 1]) },
  { weight: 2, value: fault('startMessaging 410 InactiveApplicationExpired', START, { status: 410, subcode: 'InactiveApplicationExpired' }, [1, 1]) },
  { weight: 2, value: fault('continueMessaging 410 InactiveApplicationExpired', CONTINUE, { status: 410, subcode: 'InactiveApplicationExpired' }, [1, 1]) },
  { weight: 2, value: fault('startMessaging 500 CallbackChannelError', START, { status: 500, subcode: 'CallbackChannelError' }, [1, 1]) },
  { weight: 2, value: fault('continueMessaging 500 CallbackChannelError', CONTINUE, { status: 500, subcode: 'CallbackChannelError' }, [1, 1]) },
  { weight: 7, value: fault('P-GET dropped', EVENTS, { drop: true }, [1, 3]) },
  { weight: 3, value: fault('P-GET stalled', EVENTS, { stall: true }, [1, 1]) },
  { weight: 4, value: (rng) => fault('P-GET latency', EVENTS, { latencyMs: rng.int(300, 1500) }, [1, 3])(rng) },
  { weight: 5, value: fault('P-GET 503', EVENTS, { status: 503 }, [1, 3]) },
  { weight: 3, value: (rng) => ({ kind: 'expireTokens', call: 'expireTokens', args: { sip: account(rng) } }) },
  { weight: 3, value: (rng) => ({ kind: 'expireApplications', call: 'expireApplications', args: { sip: account(rng), forget: rng.next() < 0.3 } }) },
  { weight: 3, value: () => ({ kind: 'dropConnections', call: 'dropConnections', args: {} }) },
];

/** Kinds injected by a control call: each call is one fault, fired at once. */
export const CALL_KINDS = new Set(['expireTokens', 'expireApplications', 'dropConnections']);

/** Faults that happened: addFault firings as the simulator counted them, plus the control calls. */
export function firedByKind(fired: Record<string, number>, injected: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { ...fired };
  for (const [kind, n] of Object.entries(injected)) if (CALL_KINDS.has(kind)) out[kind] = n;
  return out;
}

export function firedTotal(fired: Record<string, number>, injected: Record<string, number>): number {
  return Object.values(firedByKind(fired, injected)).reduce((a, b) => a + b, 0);
}

export type ChaosEvent =
  | { at: number; type: 'fault'; injection: Injection }
  | { at: number; type: 'kill'; side: Side; downMs: number }
  | { at: number; type: 'restart'; downMs: number };

export interface ScheduleSpec {
  chaosMs: number;
  faultEveryMs: number;
  kills: number;
  restarts: number;
}

/** Random moments in [lo, hi], at least `gap` apart and outside `avoid` (best effort when crowded). */
function moments(rng: Rng, n: number, lo: number, hi: number, gap: number, avoid: [number, number][]): number[] {
  const out: number[] = [];
  for (let tries = 0; out.length < n && tries < n * 200; tries++) {
    const t = lo + rng.next() * (hi - lo);
    if (out.every((o) => Math.abs(o - t) >= gap) && avoid.every(([a, b]) => t < a || t > b)) out.push(t);
  }
  return out.sort((x, y) => x - y);
}

// A killed agent's application lives on until the server expires it (≈ 5 s here); what the peer
// sent into it meanwhile reaches the restarted agent only through that conversation's log. A real
// server keeps that log over a restart, the simulator does not — so no restart right after a kill.
const NO_RESTART_AFTER_KILL_MS = 10_000;

export function schedule(rng: Rng, spec: ScheduleSpec): ChaosEvent[] {
  const events: ChaosEvent[] = [];
  // Faults: a jittered steady stream over the whole chaos phase.
  for (let t = 1000 + rng.next() * spec.faultEveryMs; t < spec.chaosMs - 1000; t += spec.faultEveryMs * (0.4 + 1.2 * rng.next())) {
    events.push({ at: t, type: 'fault', injection: rng.weighted(CATALOGUE)(rng) });
  }
  // Restarts: spread evenly (each in its own slice), so the runs in between are long enough to matter.
  const restartsAt: number[] = [];
  for (let i = 0; i < spec.restarts; i++) {
    const slice = spec.chaosMs / (spec.restarts + 1);
    const at = slice * (i + 1) + (rng.next() - 0.5) * slice * 0.3;
    restartsAt.push(at);
    events.push({ at, type: 'restart', downMs: rng.int(500, 2500) });
  }
  // Kills: random moments, both sides (alternating start, then random), never two within 2.5 s.
  const avoid = restartsAt.map((r): [number, number] => [r - NO_RESTART_AFTER_KILL_MS, r + 1000]);
  const times = moments(rng, spec.kills, 3000, spec.chaosMs - 3000, Math.min(2500, spec.chaosMs / (spec.kills * 2)), avoid);
  times.forEach((at, i) => {
    const side: Side = i < 2 ? (i === 0 ? 'A' : 'B') : rng.pick(['A', 'B'] as const);
    events.push({ at, type: 'kill', side, downMs: rng.int(200, 2500) });
  });
  return events.sort((x, y) => x.at - y.at);
}
