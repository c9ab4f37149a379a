// Modern authentication (Hybrid Modern Authentication, PROTOCOL-2 §3.6): a `Bearer` challenge with
// `authorization_uri` → OAuth 2.0 authorization code + PKCE (RFC 7636, S256) in the system browser
// with a loopback redirect (RFC 8252), then the refresh token for renewal.
//
// PKCE and state come from node:crypto, not from an OAuth library (oauth4webapi was the candidate):
// the token requests must go through the injected Transport (its timeouts, size cap, redacting log,
// no redirects, Electron's net.fetch with the OS proxy and trust store), an on-premises authority
// publishes no discovery metadata such a library starts from, and what is left — a random verifier,
// its SHA-256 and a form POST — is a dozen lines that need no dependency.
//
// Endpoints: authority = authorization_uri without the trailing /oauth2/authorize (§3.6 step 1);
// token endpoint = authority + /oauth2/token. Microsoft documents that for Azure AD (v1 endpoints)
// and AD FS (/adfs/oauth2/token), but NOT for the UCWA exchange of on-premises HMA: it is a design
// choice to test against a real server (docs/PROTOCOL.md §14).
import { createHash, randomBytes } from 'node:crypto';
import { BadResponseError, SignInError } from './errors.ts';
import { assertSecureScheme, isLoopbackHost } from './hypermedia.ts';
import { asResource } from './links.ts';
import { receiveRedirect } from './loopbackRedirect.ts';
import { tokenFromAnswer, type Token } from './token.ts';
import type { HttpResponse, Transport } from './transport.ts';

export type ModernToken = Token & { refreshToken?: string };

/** The user has this long to finish in the browser (sign-in, a second factor) before we give up. */
export const DEFAULT_BROWSER_TIMEOUT_MS = 5 * 60_000;

const AUTHORIZE_SUFFIX = /\/oauth2\/authorize\/?$/i;

export interface ModernAuthEndpoints {
  authority: string;
  authorizeUrl: string;
  tokenUrl: string;
}

/**
 * The endpoints named by a challenge's `authorization_uri`, checked: https, or http only when the
 * authority AND the resource (the server the user talks to) are both on this computer — a remote
 * pool must not send us to whatever listens on a local port. The placeholder of §3.1 (d),
 * file://client/common/oauth2/authorize, is refused here too.
 */
export function modernAuthEndpoints(authorizationUri: string, resource: string): ModernAuthEndpoints {
  let url: URL;
  let res: URL;
  try {
    url = new URL(authorizationUri);
    res = new URL(resource);
  } catch {
    throw new BadResponseError('malformed', 'the modern authentication challenge names an invalid address');
  }
  const loopback = isLoopbackHost(url.hostname) && isLoopbackHost(res.hostname);
  assertSecureScheme(url, loopback);
  assertSecureScheme(res, loopback);
  if (!AUTHORIZE_SUFFIX.test(url.pathname) || url.search || url.hash) {
    throw new SignInError({ code: 'methodNotOffered', message: `The server's modern sign-in address (${url.origin}${url.pathname}) is not one this app can use.` });
  }
  const authority = `${url.origin}${url.pathname.replace(AUTHORIZE_SUFFIX, '')}`;
  // The authorize URL as the server spelled it; the token URL is our inference (see the top comment).
  return { authority, authorizeUrl: `${url.origin}${url.pathname}`, tokenUrl: `${authority}/oauth2/token` };
}

const base64url = (b: Buffer): string => b.toString('base64url');

/** RFC 7636 §4.1–4.2: 32 random octets → a 43-character verifier; challenge = BASE64URL(SHA-256). */
function pkce(): { verifier: string; challenge: string } {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: base64url(createHash('sha256').update(verifier, 'ascii').digest()) };
}

/** Words for the error codes of RFC 6749 §4.1.2.1 and §5.2 (the code itself goes in brackets). */
function refused(error: string, status?: number): SignInError {
  return new SignInError({ code: 'server', message: `The organisation's sign-in service refused the request (${error.slice(0, 64)}).`, status, ucwaCode: error });
}

/** expires_in and expires_on may be numbers or, as Azure AD's v1 endpoint sends them, numeric strings. */
function normalise(json: unknown): unknown {
  const j = asResource(json);
  if (!j) return json;
  const n = Number(j.expires_in);
  return typeof j.expires_in === 'string' && Number.isFinite(n) ? { ...j, expires_in: n } : j;
}

async function tokenRequest(o: { transport: Transport; tokenUrl: string; resource: string; now: () => number; signal?: AbortSignal }, form: Record<string, string>): Promise<ModernToken> {
  const res: HttpResponse = await o.transport.request({
    method: 'POST',
    url: o.tokenUrl,
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams(form).toString(),
    signal: o.signal,
  });
  if (res.status >= 400) {
    const body = asResource(res.json);
    const error = typeof body?.error === 'string' && body.error ? body.error : `HTTP ${res.status}`;
    if (error === 'invalid_grant') throw new SignInError({ code: 'wrongPassword', message: 'The sign-in was not accepted; please sign in again.', status: res.status, ucwaCode: error });
    throw refused(error, res.status);
  }
  const json = normalise(res.json);
  // The token goes to the resource's origin only (the pool), never to the authority's.
  const token: ModernToken = tokenFromAnswer(json, o.tokenUrl, o.now(), new URL(o.resource).origin);
  const refresh = asResource(json)?.refresh_token;
  if (typeof refresh === 'string' && refresh) token.refreshToken = refresh;
  return token;
}

export interface ModernAuthOptions {
  transport: Transport;
  /** From the Bearer challenge (parseBearerChallenge). */
  authorizationUri: string;
  /** scheme + host of the URL that challenged, with a trailing slash (PROTOCOL-2 §3.6 step 2). */
  resource: string;
  /** This app's own registration, not the challenge's client_id (§3.6 step 3). */
  clientId: string;
  openBrowser: (url: string) => Promise<void> | void;
  now: () => number;
  signal?: AbortSignal;
  /** How long the browser may take; default DEFAULT_BROWSER_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Interactive sign-in in the system browser; resolves with the access token for `resource`. */
export async function modernAuthToken(o: ModernAuthOptions): Promise<ModernToken> {
  const ep = modernAuthEndpoints(o.authorizationUri, o.resource);
  const { verifier, challenge } = pkce();
  const state = base64url(randomBytes(16));
  let redirectUri = '';
  const answer = await receiveRedirect({
    state,
    timeoutMs: o.timeoutMs ?? DEFAULT_BROWSER_TIMEOUT_MS,
    signal: o.signal,
    open: (uri) => {
      redirectUri = uri;
      const url = new URL(ep.authorizeUrl);
      const q = { response_type: 'code', client_id: o.clientId, redirect_uri: uri, resource: o.resource, state, code_challenge: challenge, code_challenge_method: 'S256' };
      for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
      return o.openBrowser(url.href);
    },
  });
  const error = answer.get('error');
  if (error === 'access_denied') throw new SignInError({ code: 'signInCancelled', message: 'Sign-in was cancelled in the browser.' });
  if (error) throw refused(error);
  const code = answer.get('code');
  if (!code) throw new SignInError({ code: 'server', message: "The organisation's sign-in came back without an authorization code." });
  return tokenRequest(
    { ...o, tokenUrl: ep.tokenUrl },
    { grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: o.clientId, code_verifier: verifier, resource: o.resource },
  );
}

export interface RefreshModernOptions {
  transport: Transport;
  /** The token endpoint the first token came from (Token.tokenUrl). */
  tokenUrl: string;
  refreshToken: string;
  /** The resource to get a token for: the same pool, or another one (a redirect, §3.6 step 5). */
  resource: string;
  clientId: string;
  now: () => number;
  signal?: AbortSignal;
}

/** A new access token (and refresh token, which rotates) without the browser. */
export async function refreshModernToken(o: RefreshModernOptions): Promise<ModernToken> {
  let url: URL;
  let res: URL;
  try {
    url = new URL(o.tokenUrl);
    res = new URL(o.resource);
  } catch {
    throw new BadResponseError('malformed', 'the token endpoint or resource is not a valid address');
  }
  const loopback = isLoopbackHost(url.hostname) && isLoopbackHost(res.hostname);
  assertSecureScheme(url, loopback);
  assertSecureScheme(res, loopback);
  return tokenRequest(o, { grant_type: 'refresh_token', refresh_token: o.refreshToken, client_id: o.clientId, resource: o.resource });
}

/** A refresh the authority refused (the refresh token is spent or revoked): only then is the browser needed again. */
export function refreshRefused(err: unknown): boolean {
  return err instanceof SignInError && (err.code === 'wrongPassword' || (err.status !== undefined && err.status >= 400 && err.status < 500));
}

/** The authorize address: a configured authority's (UCWA_AUTHORITY, --authority), else the one the challenge names. */
export function authorizeAt(authority: string | undefined, fromChallenge: string): string {
  const a = authority?.trim().replace(/\/+$/, '');
  return a ? `${a}/oauth2/authorize` : fromChallenge;
}
