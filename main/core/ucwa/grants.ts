// Which sign-in method answers a 401 (PROTOCOL-2 §3.11), and the token it gives. The challenge
// says what the server offers (MsRtcOAuth grant_type, and a Bearer authorization_uri for modern
// authentication); the composition root says what this program can do: the CLI does NTLM with the
// typed password and modern authentication in the system browser, the app does Windows sign-in
// through Chromium with the user's own Windows session, AD FS in a sign-in window, and modern
// authentication in the system browser. The password grant is the core's own.
import { parseBearerChallenge, parseMsRtcOAuth } from './challenge.ts';
import { BadResponseError, SignInError } from './errors.ts';
import { assertHop, assertTokenOrigin, resolveHref } from './hypermedia.ts';
import { modernAuthEndpoints } from './modernAuth.ts';
import { requestPassiveToken } from './passiveGrant.ts';
import { errorFromResponse, type HttpResponse, type Transport } from './transport.ts';
import type { Credentials, Token } from './token.ts';

export const GRANT = {
  password: 'password',
  windows: 'urn:microsoft.rtc:windows',
  passive: 'urn:microsoft.rtc:passive',
  anonymous: 'urn:microsoft.rtc:anonmeeting',
} as const;

/** The methods a person can be told about, in the words the sign-in window and the CLI use. */
export type SignInMethod = 'password' | 'windows' | 'passive' | 'modern';

export const METHOD_WORDS: Record<SignInMethod, string> = {
  password: 'user name and password',
  windows: 'Windows sign-in',
  passive: "your organisation's sign-in page (AD FS)",
  modern: 'modern authentication in the browser',
};

export interface GrantContext {
  transport: Transport;
  tokenUrl: string;
  /** The user resource that challenged (its origin is the token's). */
  userUrl: URL;
  creds: Credentials;
  now: () => number;
  signal?: AbortSignal;
  /** Loopback http allowed (the server the user named is on this computer). */
  loopback: boolean;
  /** The hypermedia guard for a URL the token service names (a sign-in page). */
  checkUrl: (url: URL) => void;
}

/** What this program can do beyond the password grant (each absent: not offered by this program). */
export interface SignInMethods {
  /** urn:microsoft.rtc:windows — NTLM with the typed password (CLI), or the OS's own credentials (app). */
  windows?: (ctx: GrantContext) => Promise<Token>;
  /** urn:microsoft.rtc:passive — the organisation's sign-in page, then the grant with its cookie. */
  passive?: (ctx: GrantContext, run: typeof requestPassiveToken) => Promise<Token>;
  /** A Bearer challenge with authorization_uri — OAuth 2.0 code + PKCE in the browser. */
  modern?: (ctx: GrantContext & { authorizationUri: string; resource: string }) => Promise<Token>;
  /** Modern authentication first when the server offers it (this program has a client id set up for it); else it is the last resort. */
  preferModern?: boolean;
  /** Windows sign-in needs the typed password here (the CLI's NTLM; the app uses the Windows session). */
  windowsNeedsPassword?: boolean;
  /** Said when the server offers only methods this program lacks (the CLI: "use the app for AD FS"). */
  missingHint?: string;
  /** Told which method is being used, for the sign-in window's words ("Waiting for Windows sign-in…"). */
  onMethod?: (m: { offered: SignInMethod[]; using: SignInMethod; host: string }) => void;
}

/** The methods a challenge offers, in the order of §3.11. */
export function offeredMethods(res: HttpResponse): { offered: SignInMethod[]; tokenHref: string | null; authorizationUri: string | null } {
  const header = res.headers.get('www-authenticate');
  const ms = parseMsRtcOAuth(header);
  const bearer = parseBearerChallenge(header);
  const grants = new Set((ms?.grantTypes ?? []).map((g) => g.toLowerCase()));
  const offered: SignInMethod[] = [];
  if (bearer) offered.push('modern');
  // An MsRtcOAuth challenge without a grant list: the password grant, as servers did before listing.
  if (ms && (grants.size === 0 || grants.has(GRANT.password))) offered.push('password');
  if (ms && grants.has(GRANT.windows)) offered.push('windows');
  if (ms && grants.has(GRANT.passive)) offered.push('passive');
  return { offered, tokenHref: ms?.href ?? null, authorizationUri: bearer?.authorizationUri ?? null };
}

/** "A, B or C" */
function inWords(methods: SignInMethod[]): string {
  const w = methods.map((m) => METHOD_WORDS[m]);
  return w.length <= 1 ? (w[0] ?? 'nothing') : `${w.slice(0, -1).join(', ')} or ${w.at(-1)}`;
}

/**
 * The token for a 401 from `user`: modern authentication when offered and this program is set up
 * for it; the password grant when offered and a password was typed; Windows sign-in; AD FS; else
 * the methods offered, in words, and what would work. Returns the token and how to get the next one.
 */
export async function tokenForChallenge(
  res: HttpResponse, ctx: Omit<GrantContext, 'tokenUrl'> & { domain: string }, methods: SignInMethods,
  passwordGrant: (tokenUrl: string) => Promise<Token>,
): Promise<{ token: Token; method: SignInMethod; regrant: () => Promise<Token> }> {
  if (res.status !== 401) {
    if (res.status >= 400) throw errorFromResponse(res);
    throw new BadResponseError('malformed', 'the user resource did not ask for authentication');
  }
  const { offered, tokenHref, authorizationUri } = offeredMethods(res);
  if (offered.length === 0) throw new BadResponseError('malformed', 'the server offers no sign-in method (no MsRtcOAuth or Bearer challenge)');
  const host = ctx.userUrl.host;
  const tokenUrl = (): string => {
    if (!tokenHref) throw new SignInError({ code: 'methodNotOffered', message: `${host} offers only ${inWords(offered)}.` });
    const url = resolveHref(ctx.userUrl.href, tokenHref);
    // Credentials go only over https to a token service the security check allows, and only to one
    // on the user resource's own origin: the token it issues is bound to that origin (web tickets
    // are per pool), so one from elsewhere could not be used — checked BEFORE anything is sent.
    assertHop(url, ctx.userUrl, ctx.domain, ctx.loopback);
    assertTokenOrigin(url, ctx.userUrl.origin);
    return url.href;
  };
  const using = (m: SignInMethod) => methods.onMethod?.({ offered, using: m, host });
  const hasPassword = ctx.creds.password !== '';

  const modernToken = async () => {
    const modern = methods.modern!;
    const resource = `${ctx.userUrl.origin}/`;
    const run = () => modern({ ...ctx, tokenUrl: '', authorizationUri: authorizationUri!, resource });
    using('modern');
    return { token: await run(), method: 'modern' as const, regrant: run };
  };
  // Only an authorization address this app can use counts (https, the documented path): the
  // placeholder of §3.1 (d) is no offer, and must not hide a password grant behind an error.
  const modernUsable = (): boolean => {
    try {
      modernAuthEndpoints(authorizationUri ?? '', `${ctx.userUrl.origin}/`);
      return true;
    } catch {
      return false;
    }
  };
  const modernOffered = offered.includes('modern') && !!methods.modern && !!authorizationUri && modernUsable();
  if (modernOffered && methods.preferModern) return modernToken();
  if (offered.includes('password') && hasPassword) {
    const url = tokenUrl();
    using('password');
    return { token: await passwordGrant(url), method: 'password', regrant: () => passwordGrant(url) };
  }
  if (offered.includes('windows') && methods.windows && (hasPassword || !methods.windowsNeedsPassword)) {
    const windows = methods.windows;
    const g = { ...ctx, tokenUrl: tokenUrl() };
    using('windows');
    return { token: await windows(g), method: 'windows', regrant: () => windows(g) };
  }
  if (offered.includes('passive') && methods.passive) {
    const passive = methods.passive;
    const g = { ...ctx, tokenUrl: tokenUrl() };
    using('passive');
    return { token: await passive(g, requestPassiveToken), method: 'passive', regrant: () => passive(g, requestPassiveToken) };
  }
  if (modernOffered) return modernToken();
  if (offered.includes('password')) {
    throw new SignInError({ code: 'invalidInput', message: `${host} signs in with a user name and password: enter your password.` });
  }
  const here: SignInMethod[] = ['password', ...(methods.windows ? ['windows' as const] : []), ...(methods.passive ? ['passive' as const] : []), ...(methods.modern ? ['modern' as const] : [])];
  throw new SignInError({
    code: 'methodNotOffered',
    message: `${host} offers only ${inWords(offered)}; this program can sign in with ${inWords(here)}.${methods.missingHint ? ` ${methods.missingHint}` : ''}`,
  });
}
