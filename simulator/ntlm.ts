// The urn:microsoft.rtc:windows grant's HTTP NTLM handshake (PROTOCOL-2 §3.3), as IIS runs it in
// front of /WebTicket/oauthtoken: anonymous → 401 Negotiate + NTLM; NTLM type 1 → 401 with a type 2
// (CHALLENGE_MESSAGE); type 3 (AUTHENTICATE_MESSAGE) on the SAME connection → verified NTLMv2.
// Written from MS-NLMP, not with the client's NTLM library: the simulator must be able to disagree
// with the client. Only NTLMv2 is accepted (NTLMv1 and LM responses are refused, as a hardened
// domain does); Kerberos (a SPNEGO token under Negotiate) always fails.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Ctx, Reply } from './model.ts';
import type { Sim } from './sim.ts';
import { tokenAnswer } from './tokenAnswer.ts';
import type { SimUser } from './types.ts';

// Node 17+ (OpenSSL 3) has no MD4 without the legacy provider (createHash('md4') throws on Node 24).
// js-md4's top-level call would still try node:crypto's md4; `arrayBuffer` is its pure-JS path.
const md4 = createRequire(import.meta.url)('js-md4') as { arrayBuffer(data: Uint8Array): ArrayBuffer };

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

// NegotiateFlags (MS-NLMP 2.2.2.5).
const F = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  N56: 0x80000000,
} as const;

// AV_PAIR ids (MS-NLMP 2.2.2.1).
const AV = { EOL: 0, NB_COMPUTER: 1, NB_DOMAIN: 2, DNS_DOMAIN: 4, TIMESTAMP: 7 } as const;

// Windows Server 2019 (10.0.17763), NTLMSSP_REVISION_W2K3.
const VERSION = Buffer.from([10, 0, 0x63, 0x45, 0, 0, 0, 15]);

/** What one connection has been told: the type 2's challenge, waiting for its type 3. */
interface Pending {
  challenge: Buffer;
  unicode: boolean;
  scheme: string;
}

// NTLM authenticates the TCP connection, not the request: the challenge lives with the socket and
// dies with it (a type 3 on another connection finds nothing). Sockets are unique to one server,
// so one map serves every simulator in the process.
const pending = new WeakMap<Socket, Pending>();

export const WINDOWS_GRANT = 'urn:microsoft.rtc:windows';

/** The NetBIOS domain IIS names itself by: the first DNS label, upper case, at most 15 characters. */
export function netbiosDomain(dnsDomain: string): string {
  return (dnsDomain.split('.')[0] ?? dnsDomain).toUpperCase().slice(0, 15);
}

/** NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) + domain)). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  const ntHash = Buffer.from(md4.arrayBuffer(Buffer.from(password, 'utf16le')));
  return createHmac('md5', ntHash).update(Buffer.from(user.toUpperCase() + domain, 'utf16le')).digest();
}

/** NTProofStr = HMAC_MD5(NTOWFv2, serverChallenge || blob): the first 16 bytes of an NTLMv2 NtChallengeResponse. */
export function ntProofStr(responseKey: Buffer, serverChallenge: Buffer, blob: Buffer): Buffer {
  return createHmac('md5', responseKey).update(Buffer.concat([serverChallenge, blob])).digest();
}

/** What IIS's Windows authentication made of a request: the 401 it answers itself, or the account a type 3 proved. */
export type IisAuth = { reply: Reply; user?: undefined } | { user: SimUser; reply?: undefined };

/**
 * IIS's Windows authentication, which runs before the WebTicket handler reads the body (curl --ntlm
 * sends its type 1 with none): a type 1 gets its type 2, a type 3 is verified. Undefined when the
 * request carries no NTLM token, or when the pool does not offer the windows grant (its Windows
 * authentication is off then, and IIS ignores the header).
 */
export function iisWindowsAuth(sim: Sim, ctx: Ctx): IisAuth | undefined {
  if (!sim.cfg.grants.some((g) => g.toLowerCase() === WINDOWS_GRANT)) return undefined;
  const auth = parseAuthorization(ctx.headers.authorization);
  if (!auth) return undefined;
  const type = auth.msg.length >= 12 && auth.msg.subarray(0, 8).equals(SIGNATURE) ? auth.msg.readUInt32LE(8) : 0;
  if (type === 1) return { reply: challengeFor(sim, ctx, auth.scheme, auth.msg) };
  if (type !== 3) return { reply: refuse() }; // a Kerberos/SPNEGO token, or garbage
  const p = pending.get(ctx.socket);
  pending.delete(ctx.socket); // one type 3 per challenge, whatever it says
  const user = p && p.scheme === auth.scheme ? verify(sim, p, auth.msg) : undefined;
  return user ? { user } : { reply: refuse() };
}

/** The windows grant, once IIS let the request through: the token for the account NTLM proved, else the 401 that starts the handshake. */
export function windowsGrantReply(sim: Sim, ctx: Ctx, proved: SimUser | undefined): Reply {
  return proved ? tokenAnswer(sim, proved.sip, ctx.pool.index) : refuse();
}

/** Anonymous, failed or unreadable: what IIS answers, both schemes offered afresh, no token. */
function refuse(): Reply {
  return unauthorized(['Negotiate', 'NTLM']);
}

function unauthorized(wwwAuthenticate: string[]): Reply {
  return {
    status: 401,
    headers: { 'WWW-Authenticate': wwwAuthenticate },
    contentType: 'text/html',
    body: '<html><head><title>401 - Unauthorized</title></head><body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1></body></html>',
  };
}

/** `NTLM <base64>`, or a raw NTLMSSP token under `Negotiate` (what IIS also accepts from a non-domain machine). */
function parseAuthorization(header: string | undefined): { scheme: string; msg: Buffer } | undefined {
  const m = /^\s*(NTLM|Negotiate)\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const scheme = (m[1] ?? '').toLowerCase() === 'ntlm' ? 'NTLM' : 'Negotiate';
  return { scheme, msg: Buffer.from(m[2] ?? '', 'base64') };
}

function challengeFor(sim: Sim, ctx: Ctx, scheme: string, type1: Buffer): Reply {
  const clientFlags = type1.length >= 16 ? type1.readUInt32LE(12) : 0;
  // Unicode when the client can read it (every modern client asks), else OEM as MS-NLMP allows.
  const unicode = (clientFlags & F.UNICODE) !== 0 || (clientFlags & F.OEM) === 0;
  const challenge = randomBytes(8);
  pending.set(ctx.socket, { challenge, unicode, scheme });
  const domain = netbiosDomain(sim.cfg.domain);
  const msg = type2(challenge, unicode, domain, `LYNCFE${ctx.pool.index}`, sim.cfg.domain, sim.clock.now());
  return unauthorized([`${scheme} ${msg.toString('base64')}`]);
}

function avPair(id: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value]);
}

/** FILETIME: 100 ns ticks since 1601-01-01. */
function filetime(ms: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Math.floor(ms)) + 11_644_473_600_000n) * 10_000n);
  return b;
}

/** CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2): header 48 bytes + Version 8, then target name and target info. */
function type2(challenge: Buffer, unicode: boolean, domain: string, computer: string, dnsDomain: string, now: number): Buffer {
  const u16 = (s: string) => Buffer.from(s, 'utf16le'); // AV pair values are always UTF-16LE
  const targetInfo = Buffer.concat([
    avPair(AV.NB_DOMAIN, u16(domain)),
    avPair(AV.NB_COMPUTER, u16(computer)),
    avPair(AV.DNS_DOMAIN, u16(dnsDomain)),
    avPair(AV.TIMESTAMP, filetime(now)),
    avPair(AV.EOL, Buffer.alloc(0)),
  ]);
  const targetName = unicode ? u16(domain) : Buffer.from(domain, 'latin1');
  const flags = (unicode ? F.UNICODE : F.OEM) | F.REQUEST_TARGET | F.NTLM | F.ALWAYS_SIGN | F.TARGET_TYPE_DOMAIN
    | F.EXTENDED_SESSIONSECURITY | F.TARGET_INFO | F.VERSION | F.N128 | F.N56;
  const head = Buffer.alloc(56);
  SIGNATURE.copy(head, 0);
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(targetName.length, 12);
  head.writeUInt16LE(targetName.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(flags >>> 0, 20);
  challenge.copy(head, 24);
  // 32..39 Reserved
  head.writeUInt16LE(targetInfo.length, 40);
  head.writeUInt16LE(targetInfo.length, 42);
  head.writeUInt32LE(56 + targetName.length, 44);
  VERSION.copy(head, 48);
  return Buffer.concat([head, targetName, targetInfo]);
}

/** A security buffer (len, maxLen, offset) of a message, or undefined when it points outside it. */
function field(msg: Buffer, at: number): Buffer | undefined {
  if (msg.length < at + 8) return undefined;
  const len = msg.readUInt16LE(at);
  const offset = msg.readUInt32LE(at + 4);
  if (offset + len > msg.length) return undefined;
  return msg.subarray(offset, offset + len);
}

/** The account a verified type 3 proves, or undefined. */
function verify(sim: Sim, p: Pending, msg: Buffer): SimUser | undefined {
  const nt = field(msg, 20);
  const domainBytes = field(msg, 28);
  const userBytes = field(msg, 36);
  if (!nt || !domainBytes || !userBytes) return undefined;
  // NTLMv2 only: an NTLMv1 answer is exactly 24 bytes, an LM-only one leaves this empty. The blob
  // starts with RespType = HiRespType = 1 (MS-NLMP 2.2.2.7).
  if (nt.length <= 24 || nt[16] !== 1 || nt[17] !== 1) return undefined;
  const text = (b: Buffer) => b.toString(p.unicode ? 'utf16le' : 'latin1');
  const domain = text(domainBytes);
  const user = text(userBytes);
  if (!user) return undefined; // anonymous
  const proof = nt.subarray(0, 16);
  const blob = nt.subarray(16);
  for (const account of candidates(sim, user, domain)) {
    if (account.password === undefined) continue;
    // UserDom enters the hash exactly as the client sent it (MS-NLMP 3.3.2).
    const expected = ntProofStr(ntowfv2(account.password, user, domain), p.challenge, blob);
    if (timingSafeEqual(expected, proof)) return account;
  }
  return undefined;
}

/**
 * The accounts the type 3's names may mean: DOMAIN\user as given, user@domain (also with the DNS
 * domain for the NetBIOS one), the bare user name — a UPN arrives whole as the user, domain empty.
 */
function candidates(sim: Sim, user: string, domain: string): SimUser[] {
  const names = domain ? [`${domain}\\${user}`, `${user}@${domain}`, `${user}@${sim.cfg.domain}`, user] : [user];
  const found: SimUser[] = [];
  for (const n of names) {
    const a = sim.world.account(n);
    if (a && !found.includes(a)) found.push(a);
  }
  return found;
}
