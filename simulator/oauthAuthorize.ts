// GET/POST /oauth2/authorize of the fake authorization server (modern authentication, PROTOCOL-2
// §3.6): the authorization code grant with PKCE (RFC 7636, S256 only) for native apps with a
// loopback redirect (RFC 8252 §7.3). GET → the sign-in page; POST (the page's form) → the page again
// for a wrong password, else 302 to the redirect URI with a code (or error=access_denied on Cancel).

import type { Ctx, Reply } from './model.ts';
import { oauthGrants, poolForResource, resourceOf } from './oauthGrants.ts';
import { authorizeErrorPage, signInPage, type AuthorizeParams } from './oauthPage.ts';
import type { Sim } from './sim.ts';

const NAMES = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'resource'] as const;
/** BASE64URL(SHA-256) is 43 characters; RFC 7636 §4.2 allows 43–128 of these. */
const CHALLENGE_RE = /^[A-Za-z0-9\-._~]{43,128}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** http, a loopback host and an explicit port (the app's ephemeral one), no fragment (RFC 8252 §7.3, RFC 6749 §3.1.2). */
export function isLoopbackRedirect(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname) && u.port !== '' && !u.hash && !u.username && !u.password;
}

function redirectTo(redirectUri: string, params: Record<string, string>): Reply {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v) u.searchParams.set(k, v);
  return { status: 302, headers: { Location: u.href, 'Cache-Control': 'no-store' } };
}

/** The request's parameters when valid; else the answer: an error page or an error redirect. */
function readRequest(sim: Sim, q: URLSearchParams): AuthorizeParams | Reply {
  const clientIds = sim.cfg.modernAuth?.clientIds;
  const p = Object.fromEntries(NAMES.map((n) => [n, q.get(n) ?? ''])) as unknown as AuthorizeParams;
  // Unknown client or redirect URI: say so here, never redirect to it (an open redirector otherwise).
  if (!p.client_id || (clientIds && !clientIds.includes(p.client_id))) return authorizeErrorPage('This application is not registered (client_id).');
  if (!isLoopbackRedirect(p.redirect_uri)) return authorizeErrorPage('The redirect URI must be http://127.0.0.1:<port>/… or http://localhost:<port>/… (RFC 8252 §7.3).');
  const fail = (error: string, description: string): Reply => redirectTo(p.redirect_uri, { error, error_description: description, state: p.state });
  // RFC 6749 §3.1: a parameter may not be sent twice.
  if (NAMES.some((n) => q.getAll(n).length > 1)) return fail('invalid_request', 'a parameter was sent more than once');
  if (p.response_type !== 'code') return fail('unsupported_response_type', 'only response_type=code is supported');
  if (p.code_challenge_method !== 'S256' || !CHALLENGE_RE.test(p.code_challenge)) return fail('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
  if (!p.state) return fail('invalid_request', 'state is required');
  if (!poolForResource(sim, p.resource)) return fail('invalid_resource', 'the resource is not registered with this authorization server');
  return p;
}

const isReply = (x: AuthorizeParams | Reply): x is Reply => 'status' in x;

export function authorizePage(sim: Sim, ctx: Ctx): Reply {
  const p = readRequest(sim, ctx.url.searchParams);
  return isReply(p) ? p : signInPage(p, { domain: sim.cfg.domain });
}

export function authorizeSubmit(sim: Sim, ctx: Ctx): Reply {
  if (!/application\/x-www-form-urlencoded/i.test(String(ctx.headers['content-type'] ?? ''))) return authorizeErrorPage('The sign-in form was not sent as a form.');
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const p = readRequest(sim, form);
  if (isReply(p)) return p;
  if (form.get('action') === 'cancel') return redirectTo(p.redirect_uri, { error: 'access_denied', error_description: 'the user cancelled the sign-in', state: p.state });
  const username = form.get('username') ?? '';
  const user = sim.world.account(username);
  if (!user || user.password === undefined || user.password !== (form.get('password') ?? '')) {
    return signInPage(p, { domain: sim.cfg.domain, username, error: 'Incorrect user name or password.' });
  }
  const pool = poolForResource(sim, p.resource);
  if (!pool) return redirectTo(p.redirect_uri, { error: 'invalid_resource', state: p.state });
  const code = oauthGrants(sim).issueCode(
    { clientId: p.client_id, redirectUri: p.redirect_uri, codeChallenge: p.code_challenge, resource: resourceOf(pool), sip: user.sip },
    sim,
  );
  return redirectTo(p.redirect_uri, { code, state: p.state });
}
