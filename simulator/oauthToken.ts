// POST /oauth2/token of the fake authorization server (modern authentication, PROTOCOL-2 §3.6):
// authorization_code (single use, expiring, bound to client, redirect URI and PKCE verifier) and
// refresh_token (rotating; may name another pool's resource, as Azure AD's multi-resource refresh
// tokens do). Access tokens are the pool's own (sim.tokens), bound to the resource they were issued
// for, with the WebTicket lifetime (tokenLifetimeSec).

import { createHash } from 'node:crypto';
import type { Ctx, Pool, Reply } from './model.ts';
import { oauthGrants, poolForResource, resourceOf } from './oauthGrants.ts';
import type { Sim } from './sim.ts';

const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/; // RFC 7636 §4.1

function oauthError(error: string, description?: string): Reply {
  return { status: 400, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' }, body: description ? { error, error_description: description } : { error } };
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
function verifierMatches(verifier: string, challenge: string): boolean {
  return VERIFIER_RE.test(verifier) && createHash('sha256').update(verifier, 'ascii').digest('base64url') === challenge;
}

function issue(sim: Sim, pool: Pool, g: { sip: string; clientId: string }): { reply: Reply; access: string; refresh: string } {
  const resource = resourceOf(pool);
  const now = sim.clock.now();
  const lifetimeMs = sim.clock.scaled(sim.cfg.tokenLifetimeSec * 1000);
  const access = sim.tokens.issue(g.sip, pool.index, now + lifetimeMs, resource);
  const refresh = oauthGrants(sim).issueRefresh({ clientId: g.clientId, sip: g.sip, resource }, sim);
  const body = {
    token_type: 'Bearer',
    scope: 'user_impersonation',
    expires_in: Math.max(1, Math.ceil(lifetimeMs / 1000)),
    expires_on: Math.floor((now + lifetimeMs) / 1000),
    resource,
    access_token: access,
    refresh_token: refresh,
  };
  return { reply: { status: 200, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' }, body }, access, refresh };
}

function codeGrant(sim: Sim, form: URLSearchParams, clientId: string): Reply {
  const code = form.get('code') ?? '';
  const grants = oauthGrants(sim);
  const g = grants.takeCode(code, sim.clock.now());
  if (!g) {
    // A code presented twice: revoke what the first redemption got (RFC 6749 §4.1.2).
    const spent = grants.replayed(code);
    if (spent?.accessToken) sim.tokens.revoke(spent.accessToken);
    return oauthError('invalid_grant', 'the code is unknown, expired or already used');
  }
  if (g.clientId !== clientId || g.redirectUri !== form.get('redirect_uri')) return oauthError('invalid_grant', 'client_id or redirect_uri differ from the authorization request');
  if (!verifierMatches(form.get('code_verifier') ?? '', g.codeChallenge)) return oauthError('invalid_grant', 'code_verifier does not match the code_challenge');
  const pool = poolForResource(sim, g.resource);
  const resource = form.get('resource');
  if (!pool || (resource && poolForResource(sim, resource) !== pool)) return oauthError('invalid_grant', 'the resource differs from the authorization request');
  const out = issue(sim, pool, g);
  grants.recordTokens(code, out.access, out.refresh);
  return out.reply;
}

function refreshGrant(sim: Sim, form: URLSearchParams, clientId: string): Reply {
  // Checked before the refresh token is taken: a mistyped resource must not cost the user it.
  const asked = form.get('resource');
  if (asked && !poolForResource(sim, asked)) return oauthError('invalid_resource', 'the resource is not registered with this authorization server');
  const g = oauthGrants(sim).takeRefresh(form.get('refresh_token') ?? '', sim.clock.now());
  if (!g || g.clientId !== clientId) return oauthError('invalid_grant', 'the refresh token is unknown, expired, already used or not this client’s');
  const pool = poolForResource(sim, asked || g.resource);
  if (!pool) return oauthError('invalid_resource', 'the resource is not registered with this authorization server');
  return issue(sim, pool, g).reply;
}

export function oauthTokenReply(sim: Sim, ctx: Ctx): Reply {
  if (!/application\/x-www-form-urlencoded/i.test(String(ctx.headers['content-type'] ?? ''))) return oauthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const grant = form.get('grant_type');
  if (!grant) return oauthError('invalid_request', 'grant_type is missing');
  const clientId = form.get('client_id') ?? '';
  const clientIds = sim.cfg.modernAuth?.clientIds;
  if (!clientId || (clientIds && !clientIds.includes(clientId))) return oauthError('invalid_client', 'unknown client_id');
  if (grant === 'authorization_code') return codeGrant(sim, form, clientId);
  if (grant === 'refresh_token') return refreshGrant(sim, form, clientId);
  return oauthError('unsupported_grant_type');
}
