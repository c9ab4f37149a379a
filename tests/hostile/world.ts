// A simulator with the hostile proxy in front of it, for one test or one bench run. The simulator's
// protocol timers that a hostile case could trip by accident (application expiry while a client is
// busy, invitation timeouts) are stretched, so what a test sees is the hostile input's doing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../../simulator/index.ts';
import type { Simulator, SimulatorOptions } from '../../simulator/index.ts';
import { FIXTURES } from './cli.ts';
import { startHostileProxy } from './proxy.ts';
import type { HostileMode, HostileProxy } from './proxy.ts';

export const ME = 'sip:demo@contoso.com';
export const PASSWORD = 'demo';
export const POOL = 'https://pool.contoso.com';

export interface HostileWorld {
  sim: Simulator;
  proxy: HostileProxy;
  /** Two colleagues who never write first by themselves. */
  colleagues: [string, string];
  stop(): Promise<void>;
}

export interface WorldOptions {
  mode?: HostileMode;
  /** Show the client https://pool.contoso.com (reached through the proxy) instead of 127.0.0.1. */
  pool?: boolean;
  sim?: SimulatorOptions;
}

export async function startHostileWorld(o: WorldOptions = {}): Promise<HostileWorld> {
  const sim = await startSimulator({
    autoGroupInvites: false,
    timeScale: 0.01,
    seed: 11,
    demoConversations: 5,
    invitationTimeoutSec: 6000,
    applicationExpirySec: 1e6,
    callbackChannelDeadSec: 1e5,
    ...o.sim,
  });
  // Behaviours answer what the user writes; these tests only receive. Only writeFirst acts by itself.
  const quiet = sim.people.filter((p) => p.behaviour?.kind !== 'writeFirst').map((p) => p.sip);
  let proxy: HostileProxy;
  try {
    if (quiet.length < 2) throw new Error('the demo world has fewer than two colleagues who stay quiet');
    const tls = o.pool ? { key: readFileSync(join(FIXTURES, 'pool.contoso.com.key'), 'utf8'), cert: readFileSync(join(FIXTURES, 'pool.contoso.com.crt'), 'utf8') } : undefined;
    proxy = await startHostileProxy({ target: sim.origin, ...(o.mode ? { mode: o.mode } : {}), ...(o.pool ? { publicOrigin: POOL, tls } : {}) });
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return {
    sim,
    proxy,
    colleagues: [quiet[0]!, quiet[1]!],
    async stop() {
      await proxy.stop();
      await sim.stop();
    },
  };
}

/** A loopback server that must never be used: it forwards to the simulator under the name
 * http://localhost:<port> and keeps every request with its body. */
export function startTrap(sim: Simulator): Promise<HostileProxy> {
  return startHostileProxy({ target: sim.origin, publicOrigin: (port) => `http://localhost:${port}`, recordBodies: true });
}

/** A fetch for an in-process service that resolves pool.contoso.com to the proxy (the client still
 * sees and checks https://pool.contoso.com), lets loopback through, and refuses every other host
 * (recorded in `offNet`) — no test reaches the real network. */
export function poolFetch(proxy: HostileProxy): { fetch: (url: string, init: RequestInit) => Promise<Response>; offNet: string[]; seen: string[] } {
  const offNet: string[] = [];
  const seen: string[] = [];
  return {
    offNet,
    seen,
    fetch: (url, init) => {
      seen.push(url);
      const u = new URL(url);
      if (u.origin === POOL) return fetch(`${proxy.origin}${u.pathname}${u.search}`, init);
      if (u.protocol === 'http:' && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(u.hostname)) return fetch(url, init);
      offNet.push(url);
      return Promise.reject(new TypeError('fetch failed', { cause: new Error(`test network: ${u.protocol}//${u.host} is not reachable from here`) }));
    },
  };
}
