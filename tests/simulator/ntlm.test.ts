// The windows grant's NTLM handshake (PROTOCOL-2 §3.3) against the simulator over plain HTTP, one
// keep-alive connection per Agent. The messages come from httpntlm — a client library the simulator
// does not use — so the simulator's MS-NLMP code is checked against someone else's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Simulator, SimUser } from '../../simulator/index.ts';
import { ntProofStr, ntowfv2 } from '../../simulator/ntlm.ts';
import { startTestSim, withSim } from './http.ts';

interface Type2 { negotiateFlags: number; serverChallenge: Buffer; targetName: Buffer; targetInfo?: Buffer }
const ntlm = createRequire(import.meta.url)('httpntlm/ntlm.js') as {
  createType1Message(o: { domain: string; workstation: string }): string;
  parseType2Message(header: string, onError: (err: Error) => void): Type2 | null;
  createType3Message(t2: Type2, o: { username: string; password: string; domain: string; workstation: string }): string;
};

const JOHN: SimUser = { sip: 'sip:john.doe@contoso.com', name: 'John Doe', password: 'S3cret!', signInNames: ['CONTOSO\\jdoe', 'jdoe@corp.contoso.com'] };
const EXTENDED_SESSIONSECURITY = 0x00080000;

interface Leg { status: number; challenges: string[]; text: string; socket: Socket }

/** One POST of the windows grant on `agent` (keep-alive, one socket), its body read to the end. */
function leg(agent: http.Agent, origin: string, authorization?: string, body = 'grant_type=urn:microsoft.rtc:windows'): Promise<Leg> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' };
    if (authorization) headers.Authorization = authorization;
    const req = http.request(`${origin}/WebTicket/oauthtoken`, { method: 'POST', agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const challenges: string[] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) if (/^www-authenticate$/i.test(res.rawHeaders[i]!)) challenges.push(res.rawHeaders[i + 1]!);
        resolve({ status: res.statusCode ?? 0, challenges, text, socket: req.socket as Socket });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const oneSocket = () => new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Legs 1 and 2: the anonymous 401, then the type 2 for a type 1. */
async function negotiate(agent: http.Agent, origin: string, domain: string): Promise<{ type2: Type2; raw: Buffer; socket: Socket }> {
  const first = await leg(agent, origin);
  assert.equal(first.status, 401);
  assert.deepEqual(first.challenges, ['Negotiate', 'NTLM'], 'two headers, as IIS sends them');
  const second = await leg(agent, origin, ntlm.createType1Message({ domain, workstation: '' }));
  assert.equal(second.status, 401);
  assert.equal(second.challenges.length, 1);
  const m = /^NTLM ([A-Za-z0-9+/=]+)$/.exec(second.challenges[0]!);
  assert.ok(m, `an NTLM type 2 in ${second.challenges[0]}`);
  const type2 = ntlm.parseType2Message(second.challenges[0]!, (e) => assert.fail(e));
  assert.ok(type2);
  assert.equal(second.socket, first.socket, 'the agent kept one connection');
  return { type2, raw: Buffer.from(m[1]!, 'base64'), socket: second.socket };
}

/** The AV pairs of a type 2's target info: id → value. */
function avPairs(info: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let at = 0; at + 4 <= info.length;) {
    const id = info.readUInt16LE(at);
    const len = info.readUInt16LE(at + 2);
    if (id === 0) break;
    out.set(id, info.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

describe('windows grant: NTLM handshake', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startTestSim({ users: [JOHN] });
  });
  after(() => sim.stop());

  it('computes NTOWFv2 and NTProofStr as MS-NLMP 4.2.4 does', () => {
    assert.equal(ntowfv2('Password', 'User', 'Domain').toString('hex'), '0c868a403bfd7a93a3001ef22ef02e3f');
    // The spec's target info: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
    const serverName = Buffer.concat([Buffer.from('02000c00', 'hex'), Buffer.from('Domain', 'utf16le'), Buffer.from('01000c00', 'hex'), Buffer.from('Server', 'utf16le'), Buffer.alloc(4)]);
    const blob = Buffer.concat([Buffer.from('0101000000000000', 'hex'), Buffer.alloc(8), Buffer.alloc(8, 0xaa), Buffer.alloc(4), serverName, Buffer.alloc(4)]);
    const proof = ntProofStr(ntowfv2('Password', 'User', 'Domain'), Buffer.from('0123456789abcdef', 'hex'), blob);
    assert.equal(proof.toString('hex'), '68cd0ab851e51c96aabc927bebef6a1c');
  });

  it('answers type 1 with a type 2 naming the NetBIOS domain, and a correct type 3 with a token that opens the pool', async () => {
    const agent = oneSocket();
    try {
      const { type2, raw, socket } = await negotiate(agent, sim.origin, 'CONTOSO');
      assert.equal(raw.subarray(0, 8).toString('latin1'), 'NTLMSSP\0');
      assert.equal(raw.readUInt32LE(8), 2);
      assert.equal(type2.targetName.toString('utf16le'), 'CONTOSO');
      assert.ok(type2.negotiateFlags & EXTENDED_SESSIONSECURITY);
      const av = avPairs(type2.targetInfo!);
      assert.equal(av.get(2)?.toString('utf16le'), 'CONTOSO', 'MsvAvNbDomainName');
      assert.ok(av.get(1)?.length, 'MsvAvNbComputerName');
      assert.equal(av.get(4)?.toString('utf16le'), 'contoso.com', 'MsvAvDnsDomainName');
      assert.equal(av.get(7)?.length, 8, 'MsvAvTimestamp');
      const third = await leg(agent, sim.origin, ntlm.createType3Message(type2, { username: 'jdoe', password: 'S3cret!', domain: 'CONTOSO', workstation: '' }));
      assert.equal(third.socket, socket, 'all three legs on one connection');
      assert.equal(third.status, 200, third.text);
      const token = JSON.parse(third.text) as { access_token: string; token_type: string; expires_in: number };
      assert.match(token.access_token, /^cwt=/);
      assert.equal(token.token_type, 'Bearer');
      assert.equal(typeof token.expires_in, 'number');
      const user = await fetch(`${sim.origin}/autodiscover/autodiscoverservice.svc/root/oauth/user`, { headers: { Authorization: `Bearer ${token.access_token}` } });
      assert.equal(user.status, 200);
      const body = (await user.json()) as { _links: Record<string, { href: string }> };
      assert.match(body._links.applications!.href, /\/ucwa\/oauth\/v1\/applications$/);
    } finally {
      agent.destroy();
    }
  });

  it('answers a type 1 without a body, as IIS does before the handler reads it (curl --ntlm sends one)', async () => {
    const agent = oneSocket();
    try {
      const second = await leg(agent, sim.origin, ntlm.createType1Message({ domain: '', workstation: '' }), '');
      assert.equal(second.status, 401);
      const type2 = ntlm.parseType2Message(second.challenges[0] ?? '', (e) => assert.fail(e));
      assert.ok(type2);
      const third = await leg(agent, sim.origin, ntlm.createType3Message(type2, { username: 'jdoe@corp.contoso.com', password: 'S3cret!', domain: '', workstation: '' }));
      assert.equal(third.status, 200, third.text);
    } finally {
      agent.destroy();
    }
  });

  it('refuses a wrong password with 401, both schemes offered afresh, and no token', async () => {
    const agent = oneSocket();
    try {
      const { type2 } = await negotiate(agent, sim.origin, 'CONTOSO');
      const third = await leg(agent, sim.origin, ntlm.createType3Message(type2, { username: 'jdoe', password: 'wrong', domain: 'CONTOSO', workstation: '' }));
      assert.equal(third.status, 401);
      assert.deepEqual(third.challenges, ['Negotiate', 'NTLM']);
      assert.doesNotMatch(third.text, /access_token/);
    } finally {
      agent.destroy();
    }
  });

  it('refuses a type 3 that arrives on another connection than its challenge', async () => {
    const a = oneSocket();
    const b = oneSocket();
    try {
      const { type2, socket } = await negotiate(a, sim.origin, 'CONTOSO');
      const type3 = ntlm.createType3Message(type2, { username: 'jdoe', password: 'S3cret!', domain: 'CONTOSO', workstation: '' });
      const elsewhere = await leg(b, sim.origin, type3);
      assert.notEqual(elsewhere.socket, socket);
      assert.equal(elsewhere.status, 401);
      assert.doesNotMatch(elsewhere.text, /access_token/);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('refuses an NTLMv1 answer even with the right password', async () => {
    const agent = oneSocket();
    try {
      const { type2 } = await negotiate(agent, sim.origin, 'CONTOSO');
      // Without extended session security in the type 2, httpntlm answers with NTLMv1 and LM.
      const v1 = { ...type2, negotiateFlags: type2.negotiateFlags & ~EXTENDED_SESSIONSECURITY };
      const third = await leg(agent, sim.origin, ntlm.createType3Message(v1, { username: 'jdoe', password: 'S3cret!', domain: 'CONTOSO', workstation: '' }));
      assert.equal(third.status, 401);
    } finally {
      agent.destroy();
    }
  });

  it('refuses a name that belongs to no account', async () => {
    const agent = oneSocket();
    try {
      const { type2 } = await negotiate(agent, sim.origin, 'FABRIKAM');
      const third = await leg(agent, sim.origin, ntlm.createType3Message(type2, { username: 'jdoe', password: 'S3cret!', domain: 'FABRIKAM', workstation: '' }));
      assert.equal(third.status, 401);
    } finally {
      agent.destroy();
    }
  });

  it('is refused with 400 unsupported_grant_type where the grant list lacks windows', () => withSim({ users: [JOHN], grants: ['password'] }, async (s) => {
    const agent = oneSocket();
    try {
      const r = await leg(agent, s.origin, ntlm.createType1Message({ domain: 'CONTOSO', workstation: '' }));
      assert.equal(r.status, 400);
      assert.equal((JSON.parse(r.text) as { error: string }).error, 'unsupported_grant_type');
      assert.deepEqual(r.challenges, []);
    } finally {
      agent.destroy();
    }
  }));
});
