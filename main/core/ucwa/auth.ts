// Discovery and the password grant (PROTOCOL.md §1). Discovery: explicit URL, else
// lyncdiscoverinternal.<domain> then lyncdiscover.<domain>; root → `user` (or `redirect`).
// Sign-in: GET user unauthenticated → 401 MsRtcOAuth → POST the form grant → GET user with the
// token → `applications` (or `redirect` to another pool: new challenge, new token).
import { parseMsRtcOAuth } from './challenge.ts';
import { BadResponseError, NetworkError, SignInError, UcwaError } from './errors.ts';
import { assertDiscoveryTarget, assertSecureScheme, assertTokenOrigin, loopbackTrusted, resolveHref } from './hypermedia.ts';
import { asResource, link } from './links.ts';
import { tokenFromAnswer, type Credentials, type Token } from './token.ts';
import { errorFromResponse, type HttpResponse, type Transport } from './transport.ts';

const MAX_HOPS = 4;

export type { Token, Credentials } from './token.ts';

function jsonAccept(): Record<string, string> {
  return { Accept: 'application/json' };
}

/** Find the `user` href: explicit server or the two lyncdiscover names. */
export async function discover(t: Transport, domain: string, server?: string, signal?: AbortSignal): Promise<string> {
  const candidates = server ? [server] : [`https://lyncdiscoverinternal.${domain}/`, `https://lyncdiscover.${domain}/`];
  const loopback = loopbackTrusted(server);
  let lastErr: unknown = null;
  for (const candidate of candidates) {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      throw new SignInError({ code: 'invalidInput', message: `"${candidate}" is not a valid server address.` });
    }
    // The user typed an explicit server: trust its host, but never send anything over plain http.
    if (server) assertSecureScheme(url, loopback);
    else assertDiscoveryTarget(url, domain);
    try {
      return await followRoot(t, url, domain, loopback, signal);
    } catch (err) {
      if (err instanceof SignInError && err.code === 'insecureUrl') throw err;
      lastErr = err;
    }
  }
  if (lastErr instanceof SignInError) throw lastErr;
  // The user named the server and it did not answer: say so, with its host. "No server found" is
  // for autodiscovery finding nothing, and would send them checking the SIP domain instead.
  if (server && lastErr instanceof NetworkError && lastErr.kind !== 'aborted') throw unreachable(lastErr);
  throw new SignInError({ code: 'serverNotFound', message: `No Skype for Business server answered for ${domain}.` }, { cause: lastErr });
}

function unreachable(err: NetworkError): SignInError {
  let host: string;
  try {
    host = new URL(err.url).host; // the server named, or where its discovery redirected
  } catch {
    host = 'the server';
  }
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a certificate error) further down.
  let detail = '';
  let c: unknown = err.cause;
  for (let depth = 0; c && depth < 4; depth++, c = (c as { cause?: unknown }).cause) {
    detail += ` ${String((c as { message?: unknown }).message ?? c)} ${String((c as { code?: unknown }).code ?? '')}`;
  }
  // An untrusted certificate is no network problem either: the user has to act differently.
  if (/certificate|CERT_|self[- ]signed|unable to verify/i.test(detail)) {
    return new SignInError({ code: 'certificate', message: `The certificate of ${host} is not trusted by this computer.` }, { cause: err });
  }
  const why = err.kind === 'timeout' ? 'it did not answer in time' : 'the connection failed';
  return new SignInError({ code: 'network', message: `Could not reach ${host}: ${why}.` }, { cause: err });
}

async function followRoot(t: Transport, start: URL, domain: string, loopback: boolean, signal?: AbortSignal): Promise<string> {
  let url = start;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const res = await t.request({ method: 'GET', url: url.href, headers: jsonAccept(), signal });
    if (res.status >= 300 && res.status < 400) {
      const loc = res.headers.get('location');
      if (!loc) throw new BadResponseError('missingLink', 'discovery redirect without a Location');
      const next = resolveHref(url.href, loc);
      assertDiscoveryTarget(next, domain, loopback);
      url = next;
      continue;
    }
    if (res.status >= 400) throw errorFromResponse(res);
    const root = asResource(res.json);
    const user = link(root, 'user');
    if (user) {
      // Checked like a redirect: an http:, file: or foreign user link is never followed.
      const userUrl = resolveHref(url.href, user);
      assertDiscoveryTarget(userUrl, domain, loopback);
      return userUrl.href;
    }
    const redirect = link(root, 'redirect');
    if (redirect) {
      const next = resolveHref(url.href, redirect);
      assertDiscoveryTarget(next, domain, loopback);
      url = next;
      continue;
    }
    throw new BadResponseError('missingLink', 'the discovery answer has no user link');
  }
  throw new SignInError({ code: 'serverNotFound', message: 'Too many discovery redirects.' });
}

export interface SignInResult {
  token: Token;
  userHref: string;
  applicationsHref: string;
}

export async function requestToken(t: Transport, tokenUrl: string, creds: Credentials, now: number, signal?: AbortSignal): Promise<Token> {
  const body = new URLSearchParams({ grant_type: 'password', username: creds.username, password: creds.password }).toString();
  const res = await t.request({
    method: 'POST',
    url: tokenUrl,
    headers: { ...jsonAccept(), 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body,
    signal,
  });
  if (res.status === 400) {
    const e = errorFromResponse(res);
    if (e.code === 'invalid_grant') throw new SignInError({ code: 'wrongPassword', message: 'The user name or password is wrong.', status: 400, ucwaCode: e.code });
    throw new SignInError({ code: 'server', message: `The sign-in service refused the request (${e.code}).`, status: 400, ucwaCode: e.code });
  }
  if (res.status >= 400) throw errorFromResponse(res);
  return tokenFromAnswer(res.json, tokenUrl, now);
}

/** GET user → challenge → token → GET user → applications (following pool redirects). */
export async function signInToPool(
  t: Transport, userHref: string, domain: string, creds: Credentials, now: () => number, signal?: AbortSignal, loopback = false,
): Promise<SignInResult> {
  let user = new URL(userHref);
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const challengeRes = await t.request({ method: 'GET', url: user.href, headers: jsonAccept(), signal });
    const token = await tokenFromChallenge(t, challengeRes, user, domain, creds, now(), signal, loopback);
    // The user resource must live where the token may go; otherwise the token would leak.
    assertTokenOrigin(user, token.origin);
    const res = await t.request({ method: 'GET', url: user.href, headers: { ...jsonAccept(), Authorization: `${token.tokenType} ${token.accessToken}` }, signal });
    if (res.status >= 400) throw errorFromResponse(res);
    const body = asResource(res.json);
    const apps = link(body, 'applications');
    if (apps) {
      const appsUrl = resolveHref(user.href, apps);
      assertTokenOrigin(appsUrl, token.origin);
      return { token, userHref: user.href, applicationsHref: appsUrl.href };
    }
    const redirect = link(body, 'redirect');
    if (!redirect) throw new BadResponseError('missingLink', 'the user resource has neither applications nor redirect');
    const redirectUrl = resolveHref(user.href, redirect);
    assertDiscoveryTarget(redirectUrl, domain, loopback);
    // The redirect resource is root-like: its `user` link is the user on the home pool.
    const rr = await t.request({ method: 'GET', url: redirectUrl.href, headers: jsonAccept(), signal });
    if (rr.status >= 400) throw errorFromResponse(rr);
    const nextUser = link(asResource(rr.json), 'user');
    if (!nextUser) throw new BadResponseError('missingLink', 'the pool redirect has no user link');
    user = resolveHref(redirectUrl.href, nextUser);
    assertDiscoveryTarget(user, domain, loopback);
  }
  throw new SignInError({ code: 'poolUnavailable', message: 'Too many pool redirects.' });
}

async function tokenFromChallenge(
  t: Transport, res: HttpResponse, user: URL, domain: string, creds: Credentials, now: number, signal?: AbortSignal, loopback = false,
): Promise<Token> {
  if (res.status !== 401) {
    if (res.status >= 400) throw errorFromResponse(res);
    throw new BadResponseError('malformed', 'the user resource did not ask for authentication');
  }
  const challenge = parseMsRtcOAuth(res.headers.get('www-authenticate'));
  if (!challenge) throw new BadResponseError('malformed', 'the server offers no MsRtcOAuth sign-in');
  if (challenge.grantTypes.length > 0 && !challenge.grantTypes.includes('password')) {
    throw new SignInError({ code: 'server', message: 'This server does not allow password sign-in.' });
  }
  const tokenUrl = resolveHref(user.href, challenge.href);
  // The password goes only to a token service inside the user's domain, over https.
  assertDiscoveryTarget(tokenUrl, domain, loopback);
  return requestToken(t, tokenUrl.href, creds, now, signal);
}

/** Challenge for a renewal: the same grant against the same token endpoint. */
export function isUnauthorized(err: unknown): boolean {
  return err instanceof UcwaError && err.status === 401;
}

export { NetworkError };
