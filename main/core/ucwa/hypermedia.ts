// The hypermedia guard (DESIGN.md §7): follow only hrefs the server gave, resolved against the
// pool; discovery and pool-redirect links only inside the user's SIP domain (or loopback);
// https except on loopback. Violations are SignInError 'insecureUrl' raised BEFORE any request.
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

/** https, or http only to loopback (the simulator, a local proxy). */
export function assertSecureScheme(url: URL): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
  throw insecure(`Refusing to connect to ${url.origin}: only https is allowed (except on this computer).`);
}

export function isInDomain(hostname: string, domain: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  return h === d || h.endsWith(`.${d}`) || isLoopbackHost(h);
}

/** Discovery and pool-redirect targets: secure scheme and inside the user's SIP domain. */
export function assertDiscoveryTarget(url: URL, domain: string): void {
  assertSecureScheme(url);
  if (!isInDomain(url.hostname, domain)) {
    throw insecure(`The server sent us to ${url.hostname}, which is outside ${domain}; not followed.`);
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
