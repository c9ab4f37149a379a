// The built-in demo server: the UCWA simulator in-process on 127.0.0.1, started on first use
// (the shell is a composition root, so it may import the simulator — DESIGN.md §2).
import type { SignInRequest } from '../core/app/types.ts';
import type { Simulator, SimulatorOptions } from '../../simulator/types.ts';

export const DEMO_ACCOUNT = 'sip:demo@contoso.com';

export interface Demo {
  /** Starts the simulator once; resolves with how to sign in to it. */
  start(): Promise<SignInRequest>;
  /** The running simulator (tests drive it through its control API). */
  simulator(): Simulator | null;
  stop(): Promise<void>;
}

export function demoSignIn(sim: Pick<Simulator, 'url' | 'accounts'>): SignInRequest {
  const account = sim.accounts.find((a) => a.sip === DEMO_ACCOUNT) ?? sim.accounts[0];
  if (!account) throw new Error('The demo server has no account to sign in with.');
  return { sip: account.sip, password: account.password, server: sim.url, remember: false, demo: true };
}

export function createDemo(opts: { start: (o: SimulatorOptions) => Promise<Simulator>; log: (line: string) => void; seed?: number }): Demo {
  let sim: Simulator | null = null;
  let starting: Promise<Simulator> | null = null;
  return {
    async start() {
      starting ??= opts.start({ host: '127.0.0.1', port: 0, seed: opts.seed ?? 2026 }).then((s) => {
        sim = s;
        opts.log(`demo: simulator listening on ${s.origin}`);
        return s;
      });
      try {
        return demoSignIn(await starting);
      } catch (err) {
        starting = null;
        throw err;
      }
    },
    simulator: () => sim,
    async stop() {
      const s = sim;
      sim = null;
      starting = null;
      await s?.stop();
    },
  };
}
