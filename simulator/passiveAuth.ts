// The pool's side of passive (AD FS, WS-Federation) sign-in, PROTOCOL-2 §3.4: the passive grant
// answers 400 with ms_rtc_passiveauthuri until the request carries the pool's cookie;
// PassiveAuth.aspx sends the browser to AD FS (adfs.ts) and, when AD FS posts the security token
// back, sets that cookie. Cookie name, path and lifetime are undocumented: the choices are ours.

import { esc, htmlPage } from './htmlPage.ts';
import type { Ctx, Reply } from './model.ts';
import { passiveState } from './passiveState.ts';
import type { Sim } from './sim.ts';
import { tokenAnswer } from './tokenAnswer.ts';

export const PASSIVE_GRANT = 'urn:microsoft.rtc:passive';
export const PASSIVE_AUTH_PATH = '/PassiveAuth/PassiveAuth.aspx';
export const ADFS_PATH = '/adfs/ls/';

export function passiveOffered(sim: Sim): boolean {
  return sim.cfg.grants.some((g) => g.toLowerCase() === PASSIVE_GRANT);
}

/** The WS-Federation realm (wtrealm) a pool is registered under at AD FS. */
export const realmOf = (poolOrigin: string): string => `${poolOrigin}/passiveauth/`;

/**
 * One cookie name per pool: both simulated pools share the loopback host, and cookies ignore the
 * port, so a shared name would let the second pool's cookie overwrite the first one's.
 */
const cookieName = (pool: number): string => `MsRtcPassiveAuth${pool}`;

function cookieValue(ctx: Ctx): string | undefined {
  const name = cookieName(ctx.pool.index);
  for (const part of String(ctx.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** POST /WebTicket/oauthtoken grant_type=urn:microsoft.rtc:passive (the grant is known to be offered). */
export function passiveGrantReply(sim: Sim, ctx: Ctx): Reply {
  const value = cookieValue(ctx);
  const sip = value ? passiveState(sim).cookieUser(value, ctx.pool.index) : undefined;
  if (sip && sim.world.user(sip)) return tokenAnswer(sim, sip, ctx.pool.index);
  // Exactly Microsoft's documented answer, down to .NET's escaped slashes in the JSON.
  const fqdn = new URL(ctx.pool.origin).hostname;
  const body = JSON.stringify({ error: 'invalid_grant', ms_rtc_passiveauthuri: `${ctx.pool.origin}${PASSIVE_AUTH_PATH}` }).replace(/\//g, '\\/');
  return {
    status: 400,
    headers: {
      'X-Ms-diagnostics': `28020;source="${fqdn}";reason="No valid security token."`,
      'X-MS-Server-Fqdn': fqdn,
      'X-Content-Type-Options': 'nosniff',
    },
    contentType: 'application/json',
    body,
  };
}

/** GET PassiveAuth.aspx: start a sign-in and send the browser to AD FS. */
export function passiveAuthGet(sim: Sim, ctx: Ctx): Reply {
  const origin = ctx.pool.origin;
  const wctx = passiveState(sim).startSignIn(ctx.pool.index);
  const q = new URLSearchParams({ wa: 'wsignin1.0', wtrealm: realmOf(origin), wctx });
  const location = `${origin}${ADFS_PATH}?${q.toString()}`;
  const reply = htmlPage('Object moved', `<h2>Object moved to <a href="${esc(location)}">here</a>.</h2>`, 302);
  return { ...reply, headers: { ...reply.headers, Location: location } };
}

/** POST PassiveAuth.aspx: AD FS's auto-posted security token → the pool's cookie. */
export function passiveAuthPost(sim: Sim, ctx: Ctx): Reply {
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const wresult = form.get('wresult') ?? '';
  const wctx = form.get('wctx') ?? '';
  const state = passiveState(sim);
  const sip = form.get('wa') === 'wsignin1.0' && wresult ? state.redeemTicket(wresult, wctx, ctx.pool.index) : undefined;
  if (!sip) return htmlPage('Sign-in failed', '<h1>Sign-in failed</h1><p>The security token is not valid. Sign in again.</p>', 400);
  const lifetimeMs = sim.clock.scaled(sim.cfg.passive.cookieLifetimeSec * 1000);
  const value = state.issueCookie(sip, ctx.pool.index, lifetimeMs);
  // HttpOnly: only the pool reads it; host-only (no Domain): sent to this pool's host alone.
  const cookie = `${cookieName(ctx.pool.index)}=${value}; Path=/; Max-Age=${Math.ceil(lifetimeMs / 1000)}; HttpOnly`;
  return htmlPage('Signed in', '<h1>Signed in</h1><p>You are signed in. You can close this window.</p>', 200, { 'Set-Cookie': cookie });
}
