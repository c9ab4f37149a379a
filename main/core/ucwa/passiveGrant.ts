// The passive grant (urn:microsoft.rtc:passive, PROTOCOL-2 §3.4): AD FS / WS-Federation sign-in.
// The token service answers 400 invalid_grant with ms_rtc_passiveauthuri until the request carries
// the pool's cookie; that cookie comes from a browser leg (the organisation's sign-in page, run by
// the caller in a window that shares its cookie jar with `transport`). Then the identical POST
// again → 200 token. With a cookie still valid (renewal, §3.4 step 4) the first POST already
// answers 200 and no browser is needed. No electron here: the browser leg is the caller's.
import { BadResponseError, SignInError } from './errors.ts';
import { resolveHref } from './hypermedia.ts';
import { asResource } from './links.ts';
import { tokenFromAnswer, type Token } from './token.ts';
import { errorFromResponse, type HttpResponse, type Transport } from './transport.ts';

export const PASSIVE_GRANT = 'urn:microsoft.rtc:passive';

export interface PassiveTokenOptions {
  transport: Transport;
  tokenUrl: string;
  /**
   * Show the organisation's sign-in page at `passiveAuthUri`; resolve when the user is back on the
   * pool, reject (SignInError 'signInCancelled') when they closed the window.
   */
  browserLeg: (passiveAuthUri: string, signal?: AbortSignal) => Promise<void>;
  /** The caller's hypermedia guard for the sign-in page's URL: throws to refuse it. */
  checkUrl: (url: URL) => void;
  now: () => number;
  signal?: AbortSignal;
  /** Browser legs before giving up; default 2. */
  attempts?: number;
}

function post(o: PassiveTokenOptions): Promise<HttpResponse> {
  return o.transport.request({
    method: 'POST',
    url: o.tokenUrl,
    // No credentials: the pool's cookie (carried by the transport's cookie jar) is the credential.
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams({ grant_type: PASSIVE_GRANT }).toString(),
    signal: o.signal,
  });
}

/** The sign-in page the 400 names, or undefined when it names none. */
function passiveAuthUri(res: HttpResponse): string | undefined {
  const v = asResource(res.json)?.ms_rtc_passiveauthuri;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export async function requestPassiveToken(o: PassiveTokenOptions): Promise<Token> {
  const attempts = Math.max(1, Math.floor(o.attempts ?? 2));
  for (let legs = 0; ; legs++) {
    const res = await post(o);
    if (res.status >= 200 && res.status < 300) return tokenFromAnswer(res.json, o.tokenUrl, o.now());
    if (res.status !== 400) {
      if (res.status >= 400) throw errorFromResponse(res);
      throw new BadResponseError('malformed', `the token service answered the passive grant with ${res.status}`);
    }
    const e = errorFromResponse(res);
    if (e.code === 'unsupported_grant_type') {
      throw new SignInError({ code: 'methodNotOffered', message: 'This server does not offer organisation (AD FS) sign-in.', status: 400, ucwaCode: e.code });
    }
    if (e.code !== 'invalid_grant') {
      throw new SignInError({ code: 'server', message: `The sign-in service refused the request (${e.code}).`, status: 400, ucwaCode: e.code });
    }
    const uri = passiveAuthUri(res);
    if (!uri) {
      throw new SignInError({ code: 'server', message: 'The sign-in service did not say where to sign in.', status: 400, ucwaCode: e.code });
    }
    // Still no cookie after the legs we allow: the organisation's page never signed us in to the pool.
    if (legs >= attempts) {
      throw new SignInError({ code: 'server', message: "The organisation's sign-in did not give this app a token.", status: 400, ucwaCode: e.code });
    }
    // Checked before every leg: the window must never open on a page the guard did not approve.
    const url = resolveHref(o.tokenUrl, uri);
    o.checkUrl(url);
    await o.browserLeg(url.href, o.signal);
  }
}
