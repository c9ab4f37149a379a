// The servers a scenario signs in to: the UCWA simulator on loopback, and when asked a plain HTTP
// server in front of it that answers discovery with a 302 (as lyncdiscover.<domain> does).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../../simulator/index.ts';
import type { Simulator } from '../../simulator/types.ts';
import type { AppRun } from './harness.ts';

export async function startWorld(): Promise<{ sim: Simulator; account: { sip: string; password: string }; stop: () => Promise<void> }> {
  const sim = await startSimulator({ autoGroupInvites: false, host: '127.0.0.1', port: 0, seed: 11, demoConversations: 6, timeScale: 0.05 });
  const account = sim.accounts.find((a) => a.sip === 'sip:demo@contoso.com') ?? sim.accounts[0]!;
  return { sim, account, stop: () => sim.stop() };
}

/** A colleague who answers (not one of the demo world's decliners): the one who writes to us. */
export function colleague(sim: Simulator): string {
  return sim.people.find((p) => !p.behaviour || p.behaviour.kind !== 'decline')!.sip;
}

/** http://127.0.0.1:<port>/… → 302 to the simulator's discovery root. */
export async function startRedirector(target: string): Promise<{ url: string; hits: () => number; stop: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(302, { location: target, 'content-length': '0', connection: 'close' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/autodiscover/autodiscoverservice.svc/root`,
    hits: () => hits,
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** Types into the sign-in window as a user would; remembered (in this home's own keychain entries) only when asked. */
export async function signInFromWindow(app: AppRun, server: string, account: { sip: string; password: string }, remember = false): Promise<void> {
  const { page } = await app.window('signin');
  await page.locator('input[name=sip]').fill(account.sip.replace(/^sip:/, ''));
  await page.locator('input[name=password]').fill(account.password);
  await page.getByRole('button', { name: 'Enter a server URL' }).click();
  await page.locator('input[name=server]').fill(server);
  // Unticked by default (issue 12): tick it only when asked.
  await page.getByRole('checkbox').setChecked(remember);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
