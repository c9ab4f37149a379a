// `npm run simulator`: run the simulator as a standalone demo server. The app's CLI delegates to
// runSimulatorCli() so both share one set of flags.

import { parseArgs } from 'node:util';
import { startSimulator } from './index.ts';
import type { Simulator } from './types.ts';

const HELP = `Usage: node simulator/cli.ts [options]
  --host <addr>          listen address (default 127.0.0.1)
  --port <n>             port (default 0 = any free port)
  --seed <s>             demo world seed (default 1)
  --conversations <n>    past conversations per demo account (default 300)
  --time-scale <x>       multiply every protocol timer (default 1)
  --control              enable POST /_control/<method> (loopback only)
  --redirect <sip>       home this user on a second pool (repeatable)
  --resume-after <sec>   no P-GET for this long → conversations dropped, next P-GET gets _links.resume (default off)
  --app-expiry <sec>     no P-GET for this long → 410 InactiveApplicationExpired (default 900)
  --activity-expiry <sec>  after makeMeAvailable, no reportMyActivity for this long → 410 (default off)
  --inactive-timeout <sec> presence decays to IdleOnline (then Away) without reportMyActivity (default off;
                         a client's makeMeAvailable inactiveTimeout turns it on for that application)
  --day-start <HH:MM>    simulated time of day at start; colleagues' presence follows a working day (default 09:30)
  --still-presence       colleagues keep their dayStart presence (no meetings, lunch or evening by themselves)
  --grants <list>        the sign-in methods offered, comma-separated (default
                         urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password); e.g.
                         urn:microsoft.rtc:passive,urn:microsoft.rtc:anonmeeting for an AD FS pool
  --mfa                  AD FS asks for a verification code after the password (123456)
  --modern-auth          the challenge offers modern authentication (Bearer authorization_uri)
  --verbose              log every request
  -h, --help             show this help`;

export async function runSimulatorCli(argv: string[]): Promise<Simulator | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      conversations: { type: 'string' },
      'time-scale': { type: 'string' },
      control: { type: 'boolean' },
      redirect: { type: 'string', multiple: true },
      'resume-after': { type: 'string' },
      'app-expiry': { type: 'string' },
      'activity-expiry': { type: 'string' },
      'inactive-timeout': { type: 'string' },
      'day-start': { type: 'string' },
      'still-presence': { type: 'boolean' },
      grants: { type: 'string' },
      mfa: { type: 'boolean' },
      'modern-auth': { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return undefined;
  }
  const num = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const seed = values.seed === undefined ? undefined : /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
  const sim = await startSimulator({
    host: values.host,
    port: num(values.port, 'port'),
    seed,
    demoConversations: num(values.conversations, 'conversations'),
    timeScale: num(values['time-scale'], 'time-scale'),
    controlEndpoint: values.control ?? false,
    redirectUsers: values.redirect,
    resumeAfterSec: num(values['resume-after'], 'resume-after'),
    applicationExpirySec: num(values['app-expiry'], 'app-expiry'),
    activityExpirySec: num(values['activity-expiry'], 'activity-expiry'),
    inactiveTimeoutSec: num(values['inactive-timeout'], 'inactive-timeout'),
    dayStart: values['day-start'],
    presenceRhythm: !values['still-presence'],
    ...(values.grants ? { grants: values.grants.split(',').map((g) => g.trim()).filter(Boolean) } : {}),
    ...(values.mfa ? { passive: { mfa: true } } : {}),
    ...(values['modern-auth'] ? { modernAuth: {} } : {}),
    log: values.verbose ? (line) => console.log(line) : undefined,
  });
  const accounts = sim.accounts.map((a) => `  ${a.sip.padEnd(28)} password: ${a.password}   (${a.name})`).join('\n');
  const echo = sim.people.find((p) => p.behaviour?.kind === 'echo');
  console.log(`UCWA 2.0 simulator listening.
Discovery root URL: ${sim.url}

Accounts:
${accounts}
Contacts: ${sim.people.length} (e.g. ${echo?.sip ?? 'none'} echoes every message)

Try:
  curl -i ${sim.url}
  curl -i -X POST ${sim.origin}/WebTicket/oauthtoken -H 'Content-Type: application/x-www-form-urlencoded' \\
       --data 'grant_type=password&username=${sim.accounts[0]?.sip.slice(4) ?? 'demo@contoso.com'}&password=demo'
  curl -i -X POST ${sim.origin}/ucwa/oauth/v1/applications -H 'Authorization: Bearer <access_token>' \\
       -H 'Content-Type: application/json' --data '{"UserAgent":"curl","EndpointId":"1","Culture":"en-US"}'`);
  if (values.control) {
    console.log(`  curl -X POST ${sim.origin}/_control/sendIm -H 'Content-Type: application/json' \\
       --data '{"from":"${echo?.sip ?? ''}","to":"${sim.accounts[0]?.sip ?? ''}","text":"Hello from the simulator"}'
  curl -X POST ${sim.origin}/_control/setPresence -H 'Content-Type: application/json' \\
       --data '{"sip":"${echo?.sip ?? ''}","availability":"Busy","activity":"in-a-meeting","note":"Back at 3"}'`);
  }
  console.log('\nPress Ctrl+C to stop.');
  const shutdown = () => {
    sim.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return sim;
}

if (import.meta.main) {
  runSimulatorCli(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
