// Public entry: startSimulator() wires the pools (HTTP servers), the shared state and the control
// hooks together. Everything else lives in one-job modules next to this file.

import { createControl, handleControlRequest } from './control.ts';
import { FirstHopServer } from './firstHop.ts';
import { ROOT_PATH } from './hrefs.ts';
import { abandonApp } from './leaving.ts';
import { resolveOptions } from './options.ts';
import { PoolServer } from './server.ts';
import { Sim } from './sim.ts';
import type { Simulator, SimulatorControl, StartSimulator } from './types.ts';

export type * from './types.ts';

export const startSimulator: StartSimulator = async (options) => {
  const cfg = resolveOptions(options);
  const sim = new Sim(cfg);
  // eslint-disable-next-line prefer-const -- assigned after the servers exist (it needs them)
  let control: SimulatorControl;
  const controlHandler = (req: Parameters<typeof handleControlRequest>[2], name: string, body: Buffer) =>
    handleControlRequest(sim, control, req, name, body);

  const servers: PoolServer[] = [new PoolServer(sim, 1, controlHandler)];
  if (cfg.redirectUsers.length > 0) servers.push(new PoolServer(sim, 2, controlHandler));
  const ports: number[] = [];
  for (const [i, server] of servers.entries()) {
    ports.push(await server.listen(cfg.host, i === 0 ? cfg.port : 0));
    sim.pools.push(server.pool);
  }
  const firstHop = cfg.httpFirstHop ? new FirstHopServer(sim, cfg.httpFirstHop) : null;
  await firstHop?.listen(cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host);
  control = createControl(sim, () => servers.forEach((s) => s.dropConnections()));
  sim.presence.start();
  const first = servers[0] as PoolServer;

  const simulator: Simulator = {
    get url() {
      return `${first.pool.origin}${ROOT_PATH}`;
    },
    get origin() {
      return first.pool.origin;
    },
    get listenOrigins() {
      return servers.map((s) => s.listenOrigin);
    },
    get firstHopOrigin() {
      return firstHop?.origin;
    },
    domain: cfg.domain,
    accounts: sim.world.accounts.map((u) => ({ sip: u.sip, password: u.password ?? '', name: u.name })),
    people: sim.world.people,
    control,
    async stop() {
      sim.clock.halt();
      await Promise.all([...servers.map((s) => s.close()), firstHop?.close()]);
      sim.clock.clearAll();
    },
    async restart() {
      // Applications and tokens are lost, as on a real front-end restart; users and logs stay.
      for (const app of sim.apps.values()) {
        app.channel.close();
        abandonApp(sim, app);
      }
      sim.apps.clear();
      sim.tokens.clear();
      sim.clock.halt();
      await Promise.all(servers.map((s) => s.close()));
      sim.clock.resume();
      // Presence subscriptions went with the applications; the day rhythm lost its timer.
      sim.presence.start();
      for (const [i, server] of servers.entries()) await server.listen(cfg.host, ports[i] as number);
    },
  };
  return simulator;
};
