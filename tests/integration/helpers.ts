// Shared helpers for integration tests: the simulator over real HTTP on 127.0.0.1 with scaled
// timers, a service wired to it with short timings, and polling helpers (no fixed sleeps).
import { appendFileSync } from 'node:fs';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';
import { createMessengerService } from '../../main/core/app/service.ts';
import type { MessengerDeps } from '../../main/core/app/deps.ts';
import type { FullMessengerService } from '../../main/core/app/types.ts';
import { createMemoryStore } from '../../main/core/store/memoryStore.ts';
import type { Store } from '../../main/core/store/types.ts';

export const ME = 'sip:demo@contoso.com';

export async function sim(opts: SimulatorOptions = {}): Promise<Simulator> {
  // Timers run 1000× faster, except the invitation timeout: 30 s would be 30 ms, which a loaded
  // machine misses between an invitation and its accept (3 s scaled is still short for tests).
  // Nor the event channel's "dead" threshold: 60 s would be 60 ms, a gap between two P-GETs a loaded
  // machine makes (clean-clone CI: joinOnlineMeeting and presence creates answered 500
  // CallbackChannelError at random). 5 s scaled; tests of that error inject it as a fault.
  return startSimulator({ autoGroupInvites: false, timeScale: 0.001, demoConversations: 5, seed: 1, invitationTimeoutSec: 3000, callbackChannelDeadSec: 5000, ...opts });
}

export interface Harness {
  service: FullMessengerService;
  store: Store;
  /** Every request the service made; `status` once its answer came (undefined: none yet, or the fetch failed). */
  requests: { method: string; url: string; auth: boolean; at: number; status?: number }[];
}

/** The service's timers in tests: short, and scaled like the simulator's (timeScale 0.001). */
export const TEST_TIMING: NonNullable<MessengerDeps['timing']> = {
  reportActivityMs: 200,
  typingThrottleMs: 50,
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  syncAfterConversationEndMs: 50,
  eventTimeoutSec: 180,
  pgetClientTimeoutMs: 1500,
  invitationTimeoutMs: 5000,
  requestTimeoutMs: 3000,
  channelRestartWaitMs: 100,
  // The simulator's 30-minute subscriptions last 1.8 s at timeScale 0.001: renew at "25 min".
  presenceRenewMs: 1500,
  contactsRefreshMs: 1500,
  presenceWatchDelayMs: 20,
};

export function service(s: Simulator, extra: Partial<MessengerDeps> = {}): Harness {
  const store = extra.store ?? createMemoryStore();
  const requests: Harness['requests'] = [];
  const fetchSpy: MessengerDeps['fetch'] = (url, init) => {
    const h = new Headers(init.headers);
    const rec: Harness['requests'][number] = { method: init.method ?? 'GET', url, auth: h.has('authorization'), at: Date.now() };
    requests.push(rec);
    return fetch(url, init).then((res) => {
      rec.status = res.status;
      return res;
    });
  };
  const svc = createMessengerService({
    fetch: fetchSpy,
    store,
    endpointId: 'test-endpoint-1',
    random: () => 0.5,
    timing: TEST_TIMING,
    // UCWA_TEST_LOG=file: the services' log lines, for a failure that only shows under load.
    ...(process.env.UCWA_TEST_LOG ? { log: (l: string) => appendFileSync(process.env.UCWA_TEST_LOG!, `${new Date().toISOString()} ${l}\n`) } : {}),
    ...extra,
  });
  return { service: svc, store, requests };
}

/** A simulator and a service over it for one test, both stopped after it. */
export async function withSim(opts: SimulatorOptions, fn: (s: Simulator, h: Harness) => Promise<void>): Promise<void> {
  const s = await sim(opts);
  const h = service(s);
  try {
    await fn(s, h);
  } finally {
    await h.service.close();
    await s.stop();
  }
}

export async function signIn(h: Harness, s: Simulator, sip = ME, password = 'demo') {
  return h.service.signIn({ sip, password, server: s.url });
}

/**
 * Polls until `fn` gives a value. The default bound is generous on purpose: it is how long a step
 * may take on a loaded 2-core CI machine running two test files at once (clean-clone CI saw
 * persistence.test's 'answer sent' miss 5 s once), and a passing test never waits it out.
 */
export async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function allMessages(h: Harness, conversationId: number) {
  const out = [];
  let cursor: string | null = null;
  do {
    const page = await h.store.listMessages(conversationId, { cursor, limit: 200 });
    out.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return out.reverse();
}

export function texts(msgs: { text: string }[]): string[] {
  return msgs.map((m) => m.text);
}
