// Child process: the UCWA simulator for the soak, in a process of its own so the soak can restart it
// (its state — applications, tokens, logs, what it received — is lost, as on a real server restart).
// argv[2]: JSON SimServerArgs. Prints one line "READY <port>" once listening. On SIGTERM it stops
// (closing every connection), then writes what it received and the faults that fired to
// `dumpFile` — exact, since no request can arrive after the listener closed — and exits.
import { writeFileSync } from 'node:fs';
import { startSimulator } from '../../simulator/index.ts';
import { ACCOUNTS } from './accounts.ts';

export interface SimServerArgs {
  port: number;
  timeScale: number;
  dumpFile: string;
}

export interface SimDump {
  received: ReturnType<Awaited<ReturnType<typeof startSimulator>>['control']['receivedMessages']>;
  fired: Record<string, number>;
}

const args = JSON.parse(process.argv[2] ?? '{}') as SimServerArgs;
const scale = args.timeScale;

const sim = await startSimulator({
  port: args.port,
  controlEndpoint: true,
  demoWorld: false,
  // An account with no available application (down, or not signed in again yet after a restart)
  // would otherwise be answered by the simulator's default stand-in, an echo bot: the invitation
  // "succeeds" and the messages go to nobody. A real server would not connect it: ring no one and
  // let the invitation time out, as it does when only a killed agent's application is left.
  users: Object.values(ACCOUNTS).map((a) => ({ sip: a.sip, name: a.name, password: a.password, behaviour: { kind: 'neverAnswer' as const } })),
  timeScale: scale,
  // Protocol timers shrink with timeScale, but these must stay humane in real time: an invitation
  // has to survive a loaded machine (15 s), and a P-GET gap of a few hundred ms is not a dead channel.
  invitationTimeoutSec: 15 / scale,
  // Two real accounts and no bots: one that is not there gets a missed conversation, not an echo.
  offlineAccounts: 'missed',
  callbackChannelDeadSec: 2 / scale,
  logDelaySec: 0.2 / scale,
});

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await sim.stop();
    const fired = typeof sim.control.faultsFired === 'function' ? sim.control.faultsFired() : {};
    const dump: SimDump = { received: sim.control.receivedMessages(), fired };
    writeFileSync(args.dumpFile, JSON.stringify(dump));
    process.exit(0);
  })();
};
process.on('SIGTERM', shutdown);
// The soak holds our stdin: should it die without stopping us, stdin ends and we stop too.
process.stdin.on('end', shutdown);
process.stdin.resume();

const port = Number(new URL(sim.origin).port);
process.stdout.write(`READY ${port}\n`);
