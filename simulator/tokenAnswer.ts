// The WebTicket token answer every successful grant ends with (password, passive): one place, so
// the grants cannot disagree on lifetime or shape (PROTOCOL §1.3).

import type { Reply } from './model.ts';
import type { Sim } from './sim.ts';

/** Issue a token for `sip` on pool `pool` and answer it as the token endpoint's 200. */
export function tokenAnswer(sim: Sim, sip: string, pool: number): Reply {
  const lifetimeMs = sim.clock.scaled(sim.cfg.tokenLifetimeSec * 1000);
  const token = sim.tokens.issue(sip, pool, sim.clock.now() + lifetimeMs);
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    body: { access_token: token, expires_in: Math.max(1, Math.ceil(lifetimeMs / 1000)), ms_rtc_identityscope: 'local', token_type: 'Bearer' },
  };
}
