// The fake authorization server's memory (modern authentication, PROTOCOL-2 §3.6): authorization
// codes and refresh tokens. It lives beside the Sim, not in it (a WeakMap keyed by the Sim), so the
// whole feature stays in the oauth*.ts files; and it survives restart(), as an identity provider
// does when a front end restarts.

import { randomBytes } from 'node:crypto';
import type { Pool } from './model.ts';
import type { Sim } from './sim.ts';

export const AUTHORIZE_PATH = '/oauth2/authorize';
export const OAUTH_TOKEN_PATH = '/oauth2/token';

/** Azure AD's authorization codes last about ten minutes (protocol time, scaled like every timer). */
const CODE_LIFETIME_MS = 10 * 60_000;
/** Azure AD's refresh tokens: 90 days of inactivity (protocol time). */
const REFRESH_LIFETIME_MS = 90 * 24 * 3600_000;

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  /** The pool origin + '/' the token will be for. */
  resource: string;
  sip: string;
  expiresAt: number;
}

export interface RefreshGrant {
  clientId: string;
  sip: string;
  resource: string;
  expiresAt: number;
}

/** What a redeemed code produced, kept until the code would have expired: a replay revokes it. */
interface Spent {
  expiresAt: number;
  accessToken?: string;
  refreshToken?: string;
}

const newSecret = (): string => randomBytes(32).toString('base64url');

export class OAuthGrants {
  readonly #codes = new Map<string, CodeGrant>();
  readonly #spent = new Map<string, Spent>();
  readonly #refresh = new Map<string, RefreshGrant>();

  issueCode(g: Omit<CodeGrant, 'expiresAt'>, sim: Sim): string {
    const now = sim.clock.now();
    this.#prune(now);
    const code = newSecret();
    this.#codes.set(code, { ...g, expiresAt: now + sim.clock.scaled(CODE_LIFETIME_MS) });
    return code;
  }

  /**
   * Take a code out: it is spent by its first redemption, right or wrong, so a stolen code cannot
   * be tried against many verifiers. Undefined when unknown, spent or expired.
   */
  takeCode(code: string, now: number): CodeGrant | undefined {
    const g = this.#codes.get(code);
    if (!g) return undefined;
    this.#codes.delete(code);
    this.#spent.set(code, { expiresAt: g.expiresAt });
    return g.expiresAt > now ? g : undefined;
  }

  /** Remember the tokens a code produced (revoked if the code comes back, RFC 6749 §4.1.2). */
  recordTokens(code: string, accessToken: string, refreshToken: string): void {
    const s = this.#spent.get(code);
    if (s) Object.assign(s, { accessToken, refreshToken });
  }

  /** A spent code presented again: its tokens, which the caller revokes; undefined when never seen. */
  replayed(code: string): Spent | undefined {
    const s = this.#spent.get(code);
    if (s?.refreshToken) this.#refresh.delete(s.refreshToken);
    return s;
  }

  issueRefresh(g: Omit<RefreshGrant, 'expiresAt'>, sim: Sim): string {
    const token = newSecret();
    this.#refresh.set(token, { ...g, expiresAt: sim.clock.now() + sim.clock.scaled(REFRESH_LIFETIME_MS) });
    return token;
  }

  /** Refresh tokens rotate (RFC 9700 §4.14.2, public clients): using one ends it. */
  takeRefresh(token: string, now: number): RefreshGrant | undefined {
    const g = this.#refresh.get(token);
    if (!g) return undefined;
    this.#refresh.delete(token);
    return g.expiresAt > now ? g : undefined;
  }

  #prune(now: number): void {
    for (const [k, g] of this.#codes) if (g.expiresAt <= now) this.#codes.delete(k);
    for (const [k, s] of this.#spent) if (s.expiresAt <= now) this.#spent.delete(k);
  }
}

const bySim = new WeakMap<Sim, OAuthGrants>();

export function oauthGrants(sim: Sim): OAuthGrants {
  let g = bySim.get(sim);
  if (!g) {
    g = new OAuthGrants();
    bySim.set(sim, g);
  }
  return g;
}

/** The resource identifiers the authorization server knows: each pool's origin + '/' (its SPN). */
export function poolForResource(sim: Sim, resource: string | null | undefined): Pool | undefined {
  if (!resource) return undefined;
  let href: string;
  try {
    href = new URL(resource).href;
  } catch {
    return undefined;
  }
  return sim.pools.find((p) => new URL(`${p.origin}/`).href === href);
}

export const resourceOf = (pool: Pool): string => `${pool.origin}/`;
