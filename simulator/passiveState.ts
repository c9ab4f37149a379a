// What passive (WS-Federation) sign-in remembers between its legs (PROTOCOL-2 §3.4): the sign-in
// requests the pool sent to AD FS (wctx), the security tokens AD FS handed back (wresult, used
// once), pending verification-code steps, and the pool cookies that then stand for a signed-in user.
// Kept beside the Sim (not in it) so this feature stays in its own files; a stopped simulator's
// state goes with its Sim.

import { randomBytes } from 'node:crypto';
import type { Sim } from './sim.ts';

/** A sign-in the pool started: PassiveAuth.aspx → AD FS with this wctx. */
interface SignInRequest {
  pool: number;
  expiresAt: number;
}

/** A security token (wresult) AD FS issued for a user and a pool's sign-in request. */
interface Ticket {
  sip: string;
  pool: number;
  wctx: string;
  expiresAt: number;
}

/** A user who gave the right password and still owes the verification code. */
export interface MfaStep {
  sip: string;
  pool: number;
  wctx: string;
  wrongCodes: number;
  expiresAt: number;
}

/** The pool's authentication cookie. */
interface PoolCookie {
  sip: string;
  pool: number;
  expiresAt: number;
}

/** AD FS's default SAML token lifetime; also how long a started sign-in or a code step may take (protocol ms). */
const LEG_LIFETIME_MS = 60 * 60_000;

const opaque = (): string => randomBytes(18).toString('base64url');

function live<T extends { expiresAt: number }>(map: Map<string, T>, key: string, now: number): T | undefined {
  const v = map.get(key);
  if (v && v.expiresAt <= now) map.delete(key);
  return v && v.expiresAt > now ? v : undefined;
}

/** Drop what has expired, so a long demo does not accumulate abandoned sign-ins. */
function prune(map: Map<string, { expiresAt: number }>, now: number): void {
  for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
}

export class PassiveState {
  readonly #sim: Sim;
  readonly #requests = new Map<string, SignInRequest>();
  readonly #tickets = new Map<string, Ticket>();
  readonly #mfa = new Map<string, MfaStep>();
  readonly #cookies = new Map<string, PoolCookie>();

  constructor(sim: Sim) {
    this.#sim = sim;
  }

  #now(): number {
    return this.#sim.clock.now();
  }

  #legExpiry(): number {
    return this.#now() + this.#sim.clock.scaled(LEG_LIFETIME_MS);
  }

  /** The pool starts a sign-in; the answer is the opaque wctx it sends to AD FS. */
  startSignIn(pool: number): string {
    prune(this.#requests, this.#now());
    const wctx = opaque();
    this.#requests.set(wctx, { pool, expiresAt: this.#legExpiry() });
    return wctx;
  }

  /** AD FS authenticated `sip` for the pool's realm: the wresult it posts back. */
  issueTicket(sip: string, pool: number, wctx: string): string {
    prune(this.#tickets, this.#now());
    const wresult = opaque();
    this.#tickets.set(wresult, { sip, pool, wctx, expiresAt: this.#legExpiry() });
    return wresult;
  }

  /**
   * The pool checks a posted-back wresult: issued for this pool and for a sign-in this pool started
   * (that wctx). Used once either way, so a replayed post cannot mint a second cookie.
   */
  redeemTicket(wresult: string, wctx: string, pool: number): string | undefined {
    const now = this.#now();
    const t = live(this.#tickets, wresult, now);
    this.#tickets.delete(wresult);
    const req = live(this.#requests, wctx, now);
    if (!t || !req || t.pool !== pool || req.pool !== pool || t.wctx !== wctx) return undefined;
    this.#requests.delete(wctx);
    return t.sip;
  }

  startMfa(sip: string, pool: number, wctx: string): string {
    prune(this.#mfa, this.#now());
    const id = opaque();
    this.#mfa.set(id, { sip, pool, wctx, wrongCodes: 0, expiresAt: this.#legExpiry() });
    return id;
  }

  mfa(id: string): MfaStep | undefined {
    return live(this.#mfa, id, this.#now());
  }

  endMfa(id: string): void {
    this.#mfa.delete(id);
  }

  /** A new cookie value for a signed-in user on `pool`, valid for `lifetimeMs` real ms. */
  issueCookie(sip: string, pool: number, lifetimeMs: number): string {
    prune(this.#cookies, this.#now());
    const value = opaque();
    this.#cookies.set(value, { sip, pool, expiresAt: this.#now() + lifetimeMs });
    return value;
  }

  /** The user a cookie value stands for on `pool`, or undefined (unknown, expired, another pool's). */
  cookieUser(value: string, pool: number): string | undefined {
    const c = live(this.#cookies, value, this.#now());
    return c && c.pool === pool ? c.sip : undefined;
  }
}

const states = new WeakMap<Sim, PassiveState>();

export function passiveState(sim: Sim): PassiveState {
  let s = states.get(sim);
  if (!s) {
    s = new PassiveState(sim);
    states.set(sim, s);
  }
  return s;
}
