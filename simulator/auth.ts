// Discovery root, user resource and the WebTicket token endpoint (PROTOCOL §1). Tokens are per
// pool: a token issued by one pool is refused by the other, as real per-pool web tickets are.

import { randomBytes } from 'node:crypto';
import { APPLICATIONS_PATH, ROOT_PATH, TOKEN_PATH, USER_PATH, XFRAME_PATH, toSip } from './hrefs.ts';
import type { Ctx, Reply } from './model.ts';
import { WINDOWS_GRANT, iisWindowsAuth, windowsGrantReply } from './ntlm.ts';
import { AUTHORIZE_PATH } from './oauthGrants.ts';
import { PASSIVE_GRANT, passiveGrantReply } from './passiveAuth.ts';
import type { Sim } from './sim.ts';
import { tokenAnswer } from './tokenAnswer.ts';

interface Token {
  sip: string;
  pool: number;
  expiresAt: number;
  /** Modern-auth tokens only (oauthToken.ts): the resource, pool origin + '/', they were issued for. */
  resource?: string;
}


export class Tokens {
  #tokens = new Map<string, Token>();

  /** A WebTicket `cwt=` token; with `resource`, a modern-auth one (JWT-shaped, as Azure AD's are). */
  issue(sip: string, pool: number, expiresAt: number, resource?: string): string {
    const token = resource === undefined ? 'cwt=' + randomBytes(24).toString('base64url') : jwtShaped(sip, resource, expiresAt);
    this.#tokens.set(token, { sip, pool, expiresAt, resource });
    return token;
  }

  /** Revoke one token (a replayed authorization code, RFC 6749 §4.1.2). */
  revoke(token: string): void {
    this.#tokens.delete(token);
  }

  /**
   * The signed-in user for an Authorization header, or undefined (→ 401). A modern-auth token is
   * good only at the origin of its resource: a caller that does not say `origin` refuses it.
   */
  check(header: string | undefined, pool: number, now: number, origin?: string): string | undefined {
    if (!header) return undefined;
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m) return undefined;
    const t = this.#tokens.get((m[1] ?? '').trim());
    if (!t || t.pool !== pool) return undefined;
    if (t.resource !== undefined && (origin === undefined || t.resource !== `${origin}/`)) return undefined;
    if (t.expiresAt <= now) {
      this.#tokens.delete((m[1] ?? '').trim());
      return undefined;
    }
    return t.sip;
  }

  expire(sip?: string): void {
    for (const [k, t] of this.#tokens) if (!sip || t.sip === toSip(sip)) this.#tokens.delete(k);
  }

  clear(): void {
    this.#tokens.clear();
  }
}

/**
 * header.payload.signature with an `aud` of the resource, like an Azure AD access token, so a
 * client cannot come to rely on the `cwt=` form. The pool checks it by lookup; the signature is
 * random bytes that nobody verifies.
 */
function jwtShaped(sip: string, resource: string, expiresAt: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const claims = { aud: resource, upn: sip.replace(/^sip:/i, ''), scp: 'user_impersonation', iat, nbf: iat, exp: Math.floor(expiresAt / 1000), jti: randomBytes(12).toString('base64url') };
  return `${part({ typ: 'JWT', alg: 'RS256' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}

export function challenge(sim: Sim, origin: string): Reply {
  return {
    status: 401,
    headers: {
      'WWW-Authenticate': [
        // Modern auth on: shape (d) of PROTOCOL-2 §3.1, the authorization server on this pool (oauthServer.ts).
        `Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@${sim.cfg.domain}", client_id="00000004-0000-0ff1-ce00-000000000000"${sim.cfg.modernAuth ? `, authorization_uri="${origin}${AUTHORIZE_PATH}"` : ''}`,
        `MsRtcOAuth href="${origin}${TOKEN_PATH}",grant_type="${sim.cfg.grants.join(',')}"`,
      ],
    },
    contentType: 'text/html',
    body: '<html><head><title>401 - Unauthorized</title></head><body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1></body></html>',
  };
}

export function rootReply(sim: Sim, ctx: Ctx): Reply {
  const o = ctx.pool.origin;
  const q = `?originalDomain=${sim.cfg.domain}`;
  return {
    status: 200,
    body: { _links: { self: { href: `${o}${ROOT_PATH}${q}` }, user: { href: `${o}${USER_PATH}${q}` }, xframe: { href: `${o}${XFRAME_PATH}` } } },
  };
}

export function xframeReply(): Reply {
  return { status: 200, contentType: 'text/html', body: '<!DOCTYPE html><html><head><title>XFrame</title></head><body></body></html>' };
}

export function userReply(sim: Sim, ctx: Ctx): Reply {
  const sip = sim.tokens.check(ctx.headers.authorization, ctx.pool.index, sim.clock.now(), ctx.pool.origin);
  if (!sip) return challenge(sim, ctx.pool.origin);
  const o = ctx.pool.origin;
  const home = sim.homePool(sip);
  const links: Record<string, { href: string }> = { self: { href: `${o}${ROOT_PATH}/user` } };
  if (home.index === ctx.pool.index) links.applications = { href: `${o}${APPLICATIONS_PATH}` };
  else links.redirect = { href: `${home.origin}${ROOT_PATH}` };
  links.xframe = { href: `${o}${XFRAME_PATH}` };
  return { status: 200, body: { rel: 'user', _links: links } };
}

function oauthError(error: string): Reply {
  return { status: 400, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' }, body: { error } };
}

function unsupportedGrant(sim: Sim): Reply {
  const r = oauthError('unsupported_grant_type');
  return { ...r, headers: { ...r.headers, 'X-Ms-diagnostics': `28029;source="pool.${sim.cfg.domain}";reason="Authentication type not allowed."` } };
}

export function tokenReply(sim: Sim, ctx: Ctx): Reply {
  const iis = iisWindowsAuth(sim, ctx); // PROTOCOL-2 §3.3: NTLM legs are IIS's, answered before the body is read
  if (iis?.reply) return iis.reply;
  const ct = String(ctx.headers['content-type'] ?? '').toLowerCase();
  const text = ctx.body.toString('utf8');
  let form: URLSearchParams;
  if (ct.includes('json')) {
    try {
      form = new URLSearchParams(JSON.parse(text) as Record<string, string>);
    } catch {
      return oauthError('invalid_request');
    }
  } else {
    form = new URLSearchParams(text);
  }
  const grant = form.get('grant_type');
  if (!grant) return oauthError('invalid_request');
  // Grant names compare case-insensitively (a Microsoft sample writes urn:Microsoft.rtc:passive).
  if (!sim.cfg.grants.some((g) => g.toLowerCase() === grant.toLowerCase())) return unsupportedGrant(sim);
  if (grant.toLowerCase() === PASSIVE_GRANT) return passiveGrantReply(sim, ctx); // PROTOCOL-2 §3.4
  if (grant.toLowerCase() === WINDOWS_GRANT) return windowsGrantReply(sim, ctx, iis?.user); // PROTOCOL-2 §3.3, NTLM
  if (grant.toLowerCase() !== 'password') return oauthError('invalid_grant'); // anonymous cannot succeed here (yet)
  const username = form.get('username');
  const password = form.get('password');
  if (!username || password === null) return oauthError('invalid_request');
  const user = sim.world.account(username);
  if (!user || user.password === undefined || user.password !== password) return oauthError('invalid_grant');
  return tokenAnswer(sim, user.sip, ctx.pool.index);
}
