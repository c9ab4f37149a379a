// The WebTicket token (PROTOCOL-2 §3.1): what every grant — password, Windows integrated, passive,
// modern authentication — ends with, and how its JSON answer is read. One reader, so that a grant
// added later cannot disagree with the others on lifetime or on the origin the token is bound to.
import { BadResponseError } from './errors.ts';
import { asResource } from './links.ts';

export interface Token {
  accessToken: string;
  tokenType: string;
  /** ms since epoch when the server says it expires. */
  expiresAt: number;
  /** Renew from this instant on (90 % of the lifetime). */
  renewAt: number;
  /** The only origin this token may be sent to. */
  origin: string;
  tokenUrl: string;
}

export interface Credentials {
  /** The sign-in name sent to the token service: the SIP address without "sip:" unless the user gave
   * another (DOMAIN\user, a UPN). */
  username: string;
  password: string;
}

/** Read a token service's 200 answer (`access_token`, `token_type`, `expires_in`). */
export function tokenFromAnswer(json: unknown, tokenUrl: string, now: number, origin = new URL(tokenUrl).origin): Token {
  const j = asResource(json);
  const access = typeof j?.access_token === 'string' ? j.access_token : '';
  if (!access) throw new BadResponseError('malformed', 'the token answer has no access_token');
  const expiresIn = typeof j?.expires_in === 'number' && j.expires_in > 0 ? j.expires_in : 3600;
  return {
    accessToken: access,
    tokenType: typeof j?.token_type === 'string' ? j.token_type : 'Bearer',
    expiresAt: now + expiresIn * 1000,
    renewAt: now + expiresIn * 900,
    origin,
    tokenUrl,
  };
}
