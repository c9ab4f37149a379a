// The hypermedia guard (DESIGN.md §7): follow only hrefs the server gave, resolved against the
// pool; discovery and pool-redirect links only inside the user's SIP domain; https only. Loopback
// (plain http, "inside" any domain) is trusted only when the server the user gave is itself on this
// computer (the simulator, a local proxy): otherwise a server could point the token challenge at
// http://localhost:<port> and have the password sent to whatever listens there (issue 11).
// Violations are SignInError 'insecureUrl' raised BEFORE any request.
import { BadResponseError, SignInError } from './errors.ts';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function resolveHref(base: string, href: string): URL {
  try {
    return new URL(href, base);
  } catch {
    throw new BadResponseError('malformed', `the server gave an invalid link: ${href.slice(0, 200)}`);
  }
}

function insecure(message: string): SignInError {
  return new SignInError({ code: 'insecureUrl', message });
}

/** Whether loopback hosts are trusted: only when the server the user named is itself loopback. */
export function loopbackTrusted(server: string | undefined): boolean {
  if (!server) return false;
  try {
    return isLoopbackHost(new URL(server).hostname);
  } catch {
    return false;
  }
}

/** https, or http to loopback when loopback is trusted (see loopbackTrusted). */
export function assertSecureScheme(url: URL, loopback = false): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && loopback && isLoopbackHost(url.hostname)) return;
  // A file: or data: URL has the origin "null": name its scheme instead.
  const where = url.origin === 'null' ? `a ${url.protocol} address` : url.origin;
  throw insecure(`Refusing to connect to ${where}: only https is allowed (except on this computer).`);
}

export function isInDomain(hostname: string, domain: string, loopback = false): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  return h === d || h.endsWith(`.${d}`) || (loopback && isLoopbackHost(h));
}

/** Discovery, user, pool-redirect and token targets: secure scheme and inside the user's SIP domain. */
export function assertDiscoveryTarget(url: URL, domain: string, loopback = false): void {
  assertSecureScheme(url, loopback);
  if (!isInDomain(url.hostname, domain, loopback)) {
    throw insecure(`The server sent us to ${url.hostname}, which is outside ${domain}; not followed.`);
  }
}

/** Trusted whatever the SIP domain (PROTOCOL-2 §3.8: Microsoft's hosted suffixes). */
export const TRUSTED_SUFFIXES = ['online.lync.com', 'infra.lync.com'];

/**
 * Microsoft's autodiscover security check (RootURL; PROTOCOL-2 §3.8) for a link taken from a
 * response that arrived from `from`: the target is https (loopback http only when trusted); an answer
 * received over HTTPS may send us to any host — its certificate vouches for it, and organisations
 * with several SIP domains on one pool (or a pool in another DNS domain) depend on that — while one
 * received over plain HTTP (a first hop) only inside the user's SIP domain.
 */
export function assertHop(next: URL, from: URL, domain: string, loopback = false): void {
  assertSecureScheme(next, loopback);
  if (from.protocol === 'https:') return;
  // The security check's "global trusted-domain list" (§3.8 step 3): Microsoft's own hosted names
  // (hybrid deployments point lyncdiscover at them), reached over https.
  if (TRUSTED_SUFFIXES.some((d) => isInDomain(next.hostname, d))) return;
  if (!isInDomain(next.hostname, domain, loopback)) {
    throw insecure(`An answer received over plain http sent us to ${next.hostname}, which is outside ${domain}; not followed.`);
  }
}

/** The bearer token may only go to the origin whose oauthtoken endpoint issued it. */
export function assertTokenOrigin(url: URL, tokenOrigin: string): void {
  if (url.origin !== tokenOrigin) {
    throw insecure(`A link points to ${url.origin}, but the sign-in token belongs to ${tokenOrigin}; not followed.`);
  }
}

export function sipDomain(sip: string): string {
  const m = /^(?:sip:)?[^@\s]+@([^@\s]+)$/i.exec(sip.trim());
  if (!m || !m[1]) throw new SignInError({ code: 'invalidInput', message: `"${sip}" is not a SIP address like alice@contoso.com.` });
  return m[1].toLowerCase();
}

export function normaliseSip(sip: string): string {
  const s = sip.trim().toLowerCase();
  return s.startsWith('sip:') ? s : `sip:${s}`;
}
