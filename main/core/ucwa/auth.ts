// Discovery and the password grant (PROTOCOL.md §1). Discovery: explicit URL, else
// lyncdiscoverinternal.<domain> then lyncdiscover.<domain>; root → `user` (or `redirect`).
// Sign-in: GET user unauthenticated → 401 MsRtcOAuth → POST the form grant → GET user with the
// token → `applications` (or `redirect` to another pool: new challenge, new token).
import { BadResponseError, NetworkError, SignInError, UcwaError } from './errors.ts';
import { assertDiscoveryTarget, assertHop, assertSecureScheme, assertTokenOrigin, isInDomain, loopbackTrusted, resolveHref } from './hypermedia.ts';
import { asResource, link } from './links.ts';
import { tokenForChallenge, type SignInMethod, type SignInMethods } from './grants.ts';
import { tokenFromAnswer, type Credentials, type Token } from './token.ts';
import { errorFromResponse, type Transport } from './transport.ts';

const MAX_HOPS = 4;

export type { Token, Credentials } from './token.ts';

function jsonAccept(): Record<string, string> {
  return { Accept: 'application/json' };
}

/**
 * Find the `user` href: the explicit server, else lyncdiscoverinternal.<domain> then
 * lyncdiscover.<domain> over https; only when neither answers at all, the same names over http as a
 * first hop (RootURL: "some scenarios can allow HTTP as a first hop", the server then redirecting to
 * https — deployments whose public certificate lacks the lyncdiscover name). Nothing secret goes
 * over http, and what an http answer points to must be https inside the SIP domain (assertHop).
 */
export async function discover(t: Transport, domain: string, server?: string, signal?: AbortSignal): Promise<string> {
  const secure = server ? [server] : [`https://lyncdiscoverinternal.${domain}/`, `https://lyncdiscover.${domain}/`];
  const loopback = loopbackTrusted(server);
  let lastErr: unknown = null;
  let allUnreachable = true;
  const probe = async (candidate: string, firstHop: boolean): Promise<string | null> => {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      throw new SignInError({ code: 'invalidInput', message: `"${candidate}" is not a valid server address.` });
    }
    // An explicit server the user typed is trusted as a host (but never over plain http, except
    // on this computer, or as a first hop inside the user's own domain).
    if (firstHop) {
      if (url.protocol !== 'http:' || !isInDomain(url.hostname, domain)) assertSecureScheme(url, loopback);
    } else if (server) assertSecureScheme(url, loopback);
    else assertDiscoveryTarget(url, domain);
    try {
      return await followRoot(t, url, domain, loopback, signal);
    } catch (err) {
      if (err instanceof SignInError && err.code === 'insecureUrl') throw err;
      if (!(err instanceof NetworkError) || err.kind === 'aborted') allUnreachable = false;
      lastErr = err;
      return null;
    }
  };
  // An explicit http:// server inside the user's domain is a first hop the user named.
  const explicitFirstHop = !!server && !loopback && /^http:/i.test(server);
  for (const candidate of secure) {
    const found = await probe(candidate, explicitFirstHop);
    if (found) return found;
  }
  if (!server && allUnreachable) {
    for (const candidate of [`http://lyncdiscoverinternal.${domain}/`, `http://lyncdiscover.${domain}/`]) {
      const found = await probe(candidate, true);
      if (found) return found;
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
      // A 3xx to another domain is not followed (P1 §1.1); from an http first hop it leads to https.
      assertDiscoveryTarget(next, domain, loopback);
      url = next;
      continue;
    }
    if (res.status >= 400) throw errorFromResponse(res);
    const root = asResource(res.json);
    const user = link(root, 'user');
    if (user) {
      // The security check: https only; outside the SIP domain only from an answer over https.
      const userUrl = resolveHref(url.href, user);
      assertHop(userUrl, url, domain, loopback);
      return userUrl.href;
    }
    const redirect = link(root, 'redirect');
    if (redirect) {
      const next = resolveHref(url.href, redirect);
      assertHop(next, url, domain, loopback);
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
  /** How the token was obtained, and how to obtain the next one (renewal repeats the grant). */
  method: SignInMethod;
  regrant: () => Promise<Token>;
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
  methods: SignInMethods = {},
): Promise<SignInResult> {
  let user = new URL(userHref);
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const challengeRes = await t.request({ method: 'GET', url: user.href, headers: jsonAccept(), signal });
    const here = user;
    const got = await tokenForChallenge(challengeRes, {
      transport: t, userUrl: here, creds, now, signal, loopback, domain, checkUrl: (u) => assertHop(u, here, domain, loopback),
    }, methods, (tokenUrl) => requestToken(t, tokenUrl, creds, now(), signal));
    const token = got.token;
    // The user resource must live where the token may go; otherwise the token would leak.
    assertTokenOrigin(user, token.origin);
    const res = await t.request({ method: 'GET', url: user.href, headers: { ...jsonAccept(), Authorization: `${token.tokenType} ${token.accessToken}` }, signal });
    if (res.status >= 400) throw errorFromResponse(res);
    const body = asResource(res.json);
    const apps = link(body, 'applications');
    if (apps) {
      const appsUrl = resolveHref(user.href, apps);
      assertTokenOrigin(appsUrl, token.origin);
      return { token, userHref: user.href, applicationsHref: appsUrl.href, method: got.method, regrant: got.regrant };
    }
    const redirect = link(body, 'redirect');
    if (!redirect) throw new BadResponseError('missingLink', 'the user resource has neither applications nor redirect');
    const redirectUrl = resolveHref(user.href, redirect);
    assertHop(redirectUrl, user, domain, loopback);
    // The redirect resource is root-like: its `user` link is the user on the home pool.
    const rr = await t.request({ method: 'GET', url: redirectUrl.href, headers: jsonAccept(), signal });
    if (rr.status >= 400) throw errorFromResponse(rr);
    const nextUser = link(asResource(rr.json), 'user');
    if (!nextUser) throw new BadResponseError('missingLink', 'the pool redirect has no user link');
    const nextUserUrl = resolveHref(redirectUrl.href, nextUser);
    assertHop(nextUserUrl, redirectUrl, domain, loopback);
    user = nextUserUrl;
  }
  throw new SignInError({ code: 'poolUnavailable', message: 'Too many pool redirects.' });
}

/** Challenge for a renewal: the same grant against the same token endpoint. */
export function isUnauthorized(err: unknown): boolean {
  return err instanceof UcwaError && err.status === 401;
}

export { NetworkError };
