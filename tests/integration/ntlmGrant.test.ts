// requestWindowsToken (the CLI's windows grant over NTLM) against the simulator, whose NTLM side is
// its own MS-NLMP code, and against small hand-made servers for what the simulator never says.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator, type SimUser } from '../../simulator/index.ts';
import { requestWindowsToken } from '../../main/core/ucwa/ntlmGrant.ts';
import { NetworkError, SignInError } from '../../main/core/ucwa/errors.ts';

const JOHN: SimUser = { sip: 'sip:john.doe@contoso.com', name: 'John Doe', password: 'S3cret!', signInNames: ['CONTOSO\\jdoe', 'jdoe@corp.contoso.com'] };

function startSim(grants?: string[]): Promise<Simulator> {
  return startSimulator({ demoWorld: false, users: [JOHN], timeScale: 0.001, ...(grants ? { grants } : {}) });
}

const tokenUrl = (s: Simulator) => `${s.origin}/WebTicket/oauthtoken`;

/** The pool's verdict on a token: GET user with it (200 and an applications link = accepted). */
async function poolAccepts(s: Simulator, accessToken: string): Promise<boolean> {
  const r = await fetch(`${s.origin}/autodiscover/autodiscoverservice.svc/root/oauth/user`, { headers: { Authorization: `Bearer ${accessToken}` } });
  if (r.status !== 200) return false;
  const body = (await r.json()) as { _links?: { applications?: { href?: string } } };
  return typeof body._links?.applications?.href === 'string';
}

async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

/** A one-handler HTTP server on loopback; returns its token URL. */
async function tinyServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/WebTicket/oauthtoken`, server };
}

function close(server: Server): Promise<void> {
  return new Promise((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
}

describe('requestWindowsToken against the simulator', () => {
  let s: Simulator;
  before(async () => {
    s = await startSim();
  });
  after(() => s.stop());

  for (const username of ['CONTOSO\\jdoe', 'jdoe@corp.contoso.com', 'jdoe']) {
    it(`gets a token the pool accepts for ${username}`, async () => {
      const t0 = Date.now();
      const token = await requestWindowsToken(tokenUrl(s), { username, password: 'S3cret!' }, () => t0, { allowHttp: true });
      assert.match(token.accessToken, /^cwt=/);
      assert.equal(token.tokenType, 'Bearer');
      assert.equal(token.origin, s.origin);
      assert.equal(token.tokenUrl, tokenUrl(s));
      assert.ok(token.expiresAt > t0);
      assert.ok(await poolAccepts(s, token.accessToken));
    });
  }

  it('says wrongPassword for a wrong password', async () => {
    const err = await rejects(requestWindowsToken(tokenUrl(s), { username: 'CONTOSO\\jdoe', password: 'nope' }, Date.now, { allowHttp: true }));
    assert.ok(err instanceof SignInError, String(err));
    assert.equal(err.code, 'wrongPassword');
    assert.equal(err.message, 'The user name or password is wrong.');
  });

  it('refuses http:// unless the caller allows it', async () => {
    const err = await rejects(requestWindowsToken(tokenUrl(s), { username: 'CONTOSO\\jdoe', password: 'S3cret!' }, Date.now, {}));
    assert.ok(err instanceof SignInError);
    assert.equal(err.code, 'insecureUrl');
  });
});

describe('requestWindowsToken where Windows sign-in is not there', () => {
  it('says methodNotOffered where the grant list lacks windows (400 unsupported_grant_type)', async () => {
    const s = await startSim(['password']);
    try {
      const err = await rejects(requestWindowsToken(tokenUrl(s), { username: 'CONTOSO\\jdoe', password: 'S3cret!' }, Date.now, { allowHttp: true }));
      assert.ok(err instanceof SignInError, String(err));
      assert.equal(err.code, 'methodNotOffered');
    } finally {
      await s.stop();
    }
  });

  for (const offered of [['Negotiate'], []]) {
    it(`says methodNotOffered, naming Kerberos, when the 401 offers ${offered.length ? offered.join(', ') : 'nothing'}`, async () => {
      const seen: (string | undefined)[] = [];
      const { url, server } = await tinyServer((req, res) => {
        seen.push(req.headers.authorization);
        req.resume();
        req.on('end', () => {
          res.writeHead(401, offered.length ? { 'WWW-Authenticate': offered } : {});
          res.end();
        });
      });
      try {
        const err = await rejects(requestWindowsToken(url, { username: 'CONTOSO\\jdoe', password: 'S3cret!' }, Date.now, { allowHttp: true }));
        assert.ok(err instanceof SignInError, String(err));
        assert.equal(err.code, 'methodNotOffered');
        assert.match(err.message, /Kerberos/);
        assert.deepEqual(seen, [undefined], 'nothing more is sent than the anonymous request');
      } finally {
        await close(server);
      }
    });
  }

  /** A server that offers NTLM and answers a type 1 with `type2`, with `headers`; records every Authorization. */
  async function ntlmServer(type2: Buffer, headers: Record<string, string> = {}): Promise<{ url: string; server: Server; seen: (string | undefined)[] }> {
    const seen: (string | undefined)[] = [];
    const { url, server } = await tinyServer((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      req.on('end', () => {
        const a = req.headers.authorization;
        res.writeHead(401, { 'WWW-Authenticate': a?.startsWith('NTLM TlRMTVNTUAAB') ? [`NTLM ${type2.toString('base64')}`] : ['Negotiate', 'NTLM'], ...headers });
        res.end();
      });
    });
    return { url, server, seen };
  }

  /** A CHALLENGE_MESSAGE with these flags, target name CONTOSO and (optionally) a target info block. */
  function type2(flags: number, withInfo: boolean): Buffer {
    const name = Buffer.from('CONTOSO', 'utf16le');
    const info = withInfo ? Buffer.concat([Buffer.from('02000e00', 'hex'), name, Buffer.alloc(4)]) : Buffer.alloc(0);
    const head = Buffer.alloc(48);
    head.write('NTLMSSP\0', 0, 'latin1');
    head.writeUInt32LE(2, 8);
    head.writeUInt16LE(name.length, 12);
    head.writeUInt16LE(name.length, 14);
    head.writeUInt32LE(48, 16);
    head.writeUInt32LE(flags >>> 0, 20);
    Buffer.alloc(8, 0x11).copy(head, 24);
    head.writeUInt16LE(info.length, 40);
    head.writeUInt16LE(info.length, 42);
    head.writeUInt32LE(48 + name.length, 44);
    return Buffer.concat([head, name, info]);
  }
  const UNICODE_NTLM = 0x00000001 | 0x00000200;
  const ESS = 0x00080000;
  const TARGET_INFO = 0x00800000;

  for (const [what, flags, withInfo] of [['without extended session security', UNICODE_NTLM | TARGET_INFO, true], ['without target info', UNICODE_NTLM | ESS, false]] as const) {
    it(`never answers a type 2 ${what} (that would be NTLMv1/LM): methodNotOffered`, async () => {
      const { url, server, seen } = await ntlmServer(type2(flags, withInfo));
      try {
        const err = await rejects(requestWindowsToken(url, { username: 'CONTOSO\\jdoe', password: 'S3cret!' }, Date.now, { allowHttp: true }));
        assert.ok(err instanceof SignInError, String(err));
        assert.equal(err.code, 'methodNotOffered');
        assert.equal(seen.length, 2, 'no type 3 was sent');
      } finally {
        await close(server);
      }
    });
  }

  it('says the connection was lost when the server closes it after its type 2 (the answer could not count)', async () => {
    const { url, server, seen } = await ntlmServer(type2(UNICODE_NTLM | ESS | TARGET_INFO, true), { Connection: 'close' });
    try {
      const err = await rejects(requestWindowsToken(url, { username: 'CONTOSO\\jdoe', password: 'S3cret!' }, Date.now, { allowHttp: true }));
      assert.ok(err instanceof SignInError, String(err));
      assert.equal(err.code, 'server');
      assert.match(err.message, /closed the connection/);
      assert.equal(seen.length, 2, 'no type 3 was sent');
    } finally {
      await close(server);
    }
  });

  it('sends the grant alone in the body, never the user name or password', async () => {
    const bodies: string[] = [];
    const { url, server } = await tinyServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString('utf8')));
      req.on('end', () => {
        bodies.push(b);
        res.writeHead(401, { 'WWW-Authenticate': ['Negotiate'] });
        res.end();
      });
    });
    try {
      await rejects(requestWindowsToken(url, { username: 'CONTOSO\\jdoe', password: 'S3cret!' }, Date.now, { allowHttp: true }));
      assert.deepEqual(bodies, ['grant_type=urn:microsoft.rtc:windows']);
    } finally {
      await close(server);
    }
  });

  it('turns a refused connection into a NetworkError and a stalled server into a timeout', async () => {
    const { url, server } = await tinyServer(() => undefined); // never answers
    try {
      const stalled = await rejects(requestWindowsToken(url, { username: 'jdoe', password: 'x' }, Date.now, { allowHttp: true, timeoutMs: 200 }));
      assert.ok(stalled instanceof NetworkError, String(stalled));
      assert.equal(stalled.kind, 'timeout');
    } finally {
      await close(server);
    }
    const refused = await rejects(requestWindowsToken(url, { username: 'jdoe', password: 'x' }, Date.now, { allowHttp: true }));
    assert.ok(refused instanceof NetworkError, String(refused));
    assert.equal(refused.kind, 'network');
  });
});
