// The urn:microsoft.rtc:windows grant for the Node CLI (PROTOCOL-2 §3.3): the token endpoint itself
// is behind IIS Windows authentication, so the POST runs the HTTP NTLM handshake — anonymous → 401
// Negotiate/NTLM, NTLM type 1 → 401 with a type 2, type 3 → 200 and the token JSON. NTLM
// authenticates the TCP connection, so all three legs go over ONE keep-alive socket (an Agent with
// maxSockets 1, destroyed afterwards); fetch() gives no such guarantee, hence node:http(s) here.
// Kerberos (a real Negotiate token) needs a ticket from the Windows logon: not possible from here.
//
// NTLM messages: httpntlm's ntlm.js (MIT; pure JS — des.js and js-md4, no native code; the most used
// NTLM package on npm by far and kept working on Node 17+ where node:crypto lost MD4). Weighed
// against @ewsjs/ntlm-client and axios-ntlm (one forked code base: a fixed 1 KiB message buffer,
// `any` types, axios-ntlm drags in axios) and node-ntlm-client/ntlm-client (abandoned, on `request`).
// httpntlm ships no types: the three functions used are typed below. Its HTTP half (httpreq) is not
// used. It answers a type 2 without extended session security or target info with NTLMv1/LM —
// crackable from a capture — so such a server is refused before the password is ever used.
import * as http from 'node:http';
import * as https from 'node:https';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { LIMITS } from '../limits.ts';
import { safeUrl } from '../logSafe.ts';
import { BadResponseError, NetworkError, SignInError } from './errors.ts';
import { jsonDeeperThan } from './jsonDepth.ts';
import { redact } from './redact.ts';
import { tokenFromAnswer, type Credentials, type Token } from './token.ts';
import { errorFromResponse, isJsonContentType, type HttpResponse } from './transport.ts';

interface Type2 {
  negotiateFlags: number;
  serverChallenge: Buffer;
  targetName: Buffer;
  targetInfo?: Buffer;
}

interface HttpNtlm {
  createType1Message(o: { domain: string; workstation: string }): string;
  parseType2Message(header: string, onError: (err: Error) => void): Type2 | null;
  createType3Message(t2: Type2, o: { username: string; password: string; domain: string; workstation: string }): string;
}

const ntlm = createRequire(import.meta.url)('httpntlm/ntlm.js') as HttpNtlm;

const UNICODE = 0x00000001;
const EXTENDED_SESSIONSECURITY = 0x00080000;
const TARGET_INFO = 0x00800000;

const BODY = 'grant_type=urn:microsoft.rtc:windows';
const DEFAULT_TIMEOUT_MS = 30_000;

const KERBEROS_ONLY = 'Windows sign-in on this server needs Kerberos, which ucwa cannot do from the command line: sign in with a password instead.';

/**
 * NTLM's user and domain for a sign-in name: `DOMAIN\user` splits; a UPN (`user@domain`) is the
 * user whole with an empty domain, as Windows sends it; a bare name gets `undefined` — the domain the
 * server names in its type 2 (its own account database), as a Windows credential prompt would use.
 */
export function ntlmIdentity(signInName: string): { user: string; domain: string | undefined } {
  const name = signInName.trim();
  const slash = name.indexOf('\\');
  if (slash >= 0) {
    const domain = name.slice(0, slash);
    const user = name.slice(slash + 1);
    if (!domain || !user || user.includes('\\')) throw new SignInError({ code: 'invalidInput', message: `"${signInName}" is not a Windows user name.` });
    return { user, domain };
  }
  if (!name) throw new SignInError({ code: 'invalidInput', message: 'The Windows user name is empty.' });
  return { user: name, domain: name.includes('@') ? '' : undefined };
}

/**
 * A token by the windows grant with explicit credentials (`creds.username`: DOMAIN\user, a UPN or a
 * bare name; never sent in the body). `timeoutMs` bounds the whole handshake (default 30 s);
 * `allowHttp` permits http:// — the caller sets it for a loopback server only.
 */
export async function requestWindowsToken(
  tokenUrl: string,
  creds: Credentials,
  now: () => number,
  opts: { signal?: AbortSignal; allowHttp?: boolean; timeoutMs?: number },
): Promise<Token> {
  const url = new URL(tokenUrl);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowHttp)) {
    throw new SignInError({ code: 'insecureUrl', message: `Windows sign-in goes only over https, not to ${safeUrl(tokenUrl)}.` });
  }
  const id = ntlmIdentity(creds.username);
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([timer.signal, opts.signal]) : timer.signal;
  const agent = url.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  const leg = (authorization?: string) => post(url, agent, authorization, signal, timer.signal, opts.signal);
  try {
    const first = await leg();
    if (first.status !== 401) return finish(first, tokenUrl, now);
    if (!offers(first, 'NTLM')) throw new SignInError({ code: 'methodNotOffered', message: KERBEROS_ONLY, status: 401 });

    const type1 = ntlm.createType1Message({ domain: id.domain ?? '', workstation: '' });
    const second = await leg(type1);
    if (second.status !== 401) return finish(second, tokenUrl, now);
    const type2 = readType2(second);
    if (!type2) throw new BadResponseError('malformed', 'the server answered the NTLM negotiation without a challenge');
    if (!(type2.negotiateFlags & EXTENDED_SESSIONSECURITY) || !(type2.negotiateFlags & TARGET_INFO) || !type2.targetInfo?.length) {
      throw new SignInError({ code: 'methodNotOffered', message: 'The server asks for NTLMv1, which ucwa does not send: sign in with a password instead.' });
    }
    // The challenge belongs to this connection: a server that closes it cannot accept the answer.
    if (second.closing) throw connectionLost();

    const domain = id.domain ?? type2.targetName.toString(type2.negotiateFlags & UNICODE ? 'utf16le' : 'latin1');
    const type3 = ntlm.createType3Message(type2, { username: id.user, password: creds.password, domain, workstation: '' });
    const third = await leg(type3);
    if (third.status === 401) {
      // A type 3 that reached another connection was refused for that, not for the password.
      if (third.socket !== second.socket) throw connectionLost();
      throw new SignInError({ code: 'wrongPassword', message: 'The user name or password is wrong.', status: 401 });
    }
    return finish(third, tokenUrl, now);
  } finally {
    clearTimeout(handle);
    agent.destroy();
  }
}

function connectionLost(): SignInError {
  return new SignInError({ code: 'server', message: 'The server closed the connection in the middle of Windows sign-in.' });
}

interface Answer extends HttpResponse {
  /** Each WWW-Authenticate header as sent (several may be folded into one, PROTOCOL-2 §3.1). */
  challenges: string[];
  socket: Socket | undefined;
  /** The server said it closes the connection after this answer. */
  closing: boolean;
}

/** The end of the handshake at any leg: the token, or the error the answer means. */
function finish(res: Answer, tokenUrl: string, now: () => number): Token {
  if (res.status === 200) return tokenFromAnswer(res.json, tokenUrl, now());
  if (res.status === 400) {
    const e = errorFromResponse(res);
    if (e.code === 'unsupported_grant_type') {
      throw new SignInError({ code: 'methodNotOffered', message: 'This server does not allow Windows sign-in.', status: 400, ucwaCode: e.code });
    }
    if (e.code === 'invalid_grant') throw new SignInError({ code: 'wrongPassword', message: 'The user name or password is wrong.', status: 400, ucwaCode: e.code });
    throw new SignInError({ code: 'server', message: `The sign-in service refused the request (${e.code}).`, status: 400, ucwaCode: e.code });
  }
  if (res.status >= 400) throw errorFromResponse(res);
  throw new BadResponseError('malformed', `the token service answered ${res.status}`);
}

/** Whether a 401 offers `scheme` (bare, or with a token), in any header, folded or not. */
function offers(res: Answer, scheme: string): boolean {
  return res.challenges.some((v) => schemeToken(v, scheme) !== undefined);
}

/** The token after `scheme` in one header value ('' when bare), or undefined when not offered. */
function schemeToken(value: string, scheme: string): string | undefined {
  const re = new RegExp(`(?:^|,)\\s*${scheme}(?:\\s+([A-Za-z0-9+/]+={0,2}))?\\s*(?=,|$)`, 'i');
  const m = re.exec(value);
  return m ? (m[1] ?? '') : undefined;
}

function readType2(res: Answer): Type2 | undefined {
  const token = res.challenges.map((v) => schemeToken(v, 'NTLM')).find((t) => !!t);
  if (!token) return undefined;
  try {
    // httpntlm reads offsets without bounds checks: a short or lying message throws a RangeError.
    return ntlm.parseType2Message(`NTLM ${token}`, () => undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

/** One POST of the grant, its body read (bounded) so that the socket goes back to the agent. */
function post(url: URL, agent: http.Agent, authorization: string | undefined, signal: AbortSignal, timerSignal: AbortSignal, userSignal?: AbortSignal): Promise<Answer> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
    'Content-Length': String(Buffer.byteLength(BODY)),
  };
  if (authorization) headers.Authorization = authorization;
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<Answer>((resolve, reject) => {
    let socket: Socket | undefined;
    const fail = (err: unknown) => reject(toNetworkError(err, url.href, timerSignal, userSignal));
    const req = send(url, { method: 'POST', agent, headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > LIMITS.responseBytes) {
          res.destroy();
          reject(new BadResponseError('tooLarge', `response from ${safeUrl(url.href)} exceeds ${LIMITS.responseBytes} bytes`));
        } else chunks.push(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        try {
          resolve(answer(res, url.href, Buffer.concat(chunks).toString('utf8'), socket));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('socket', (s: Socket) => {
      socket = s;
    });
    req.on('error', fail);
    req.end(BODY);
  });
}

function answer(res: http.IncomingMessage, url: string, text: string, socket: Socket | undefined): Answer {
  const headers = new Headers();
  const challenges: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i] ?? '';
    const value = res.rawHeaders[i + 1] ?? '';
    headers.append(name, value);
    if (name.toLowerCase() === 'www-authenticate') challenges.push(value);
  }
  const status = res.statusCode ?? 0;
  let json: unknown;
  if (text.length > 0 && isJsonContentType(headers.get('content-type'))) {
    if (jsonDeeperThan(text, LIMITS.jsonDepth)) throw new BadResponseError('malformed', `JSON from POST ${safeUrl(url)} nests deeper than ${LIMITS.jsonDepth} levels`);
    try {
      json = JSON.parse(text);
    } catch {
      if (status < 400) throw new BadResponseError('malformed', `malformed JSON from POST ${safeUrl(url)}`);
    }
  }
  const closing = /\bclose\b/i.test(headers.get('connection') ?? '') || !res.complete;
  return { status, headers, url, text, json, challenges, socket, closing };
}

function toNetworkError(err: unknown, url: string, timerSignal: AbortSignal, userSignal?: AbortSignal): Error {
  if (err instanceof NetworkError || err instanceof BadResponseError) return err;
  if (timerSignal.aborted) return new NetworkError('timeout', url, `POST ${safeUrl(redact(url))} timed out`, { cause: err });
  if (userSignal?.aborted) return new NetworkError('aborted', url, `POST ${safeUrl(redact(url))} was cancelled`, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new NetworkError('network', url, `POST ${safeUrl(redact(url))} failed: ${redact(msg)}`, { cause: err });
}
