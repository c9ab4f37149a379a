// The HTTP first hop (PROTOCOL-2 §3.9): "some scenarios can allow HTTP as a first hop", in which
// case the server always answers with a redirect to HTTPS — many deployments publish
// lyncdiscover.<domain> over plain HTTP only, because their public certificate lacks that name.
// 'root' is the case a client must not trust blindly: the discovery body itself over HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_PATH, USER_PATH } from './hrefs.ts';
import type { Sim } from './sim.ts';

export class FirstHopServer {
  readonly #sim: Sim;
  readonly #mode: 'redirect' | 'root';
  #server: Server | undefined;
  origin = '';

  constructor(sim: Sim, mode: 'redirect' | 'root') {
    this.#sim = sim;
    this.#mode = mode;
  }

  async listen(host: string): Promise<void> {
    const server = createServer((req, res) => {
      const target = this.#sim.pools[0]?.origin ?? '';
      const q = `?originalDomain=${this.#sim.cfg.domain}`;
      res.on('finish', () => this.#sim.log(`[first hop] ${req.method} ${req.url} → ${res.statusCode}`));
      req.resume();
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      if (this.#mode === 'redirect') {
        res.writeHead(301, { Location: `${target}${ROOT_PATH}${q}`, 'Content-Length': '0' }).end();
        return;
      }
      const body = JSON.stringify({ _links: { self: { href: `${this.origin}${ROOT_PATH}${q}` }, user: { href: `${target}${USER_PATH}${q}` } } });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    this.#server = server;
    const addr = server.address() as AddressInfo;
    this.origin = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
