// The CLI's commands. Each one drives only the MessengerService (plus the keychain for the
// password), prints its result (text, or one JSON document with --json), signs out, closes the
// store and returns an exit code. Failures become one line on stderr (no stack traces).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../core/app/types.ts';
import type { FullMessengerService as MessengerService, InvitationInfo, Message, PersonCard, Sending, SessionState } from '../core/app/types.ts';
import type { Secrets } from '../core/secrets/types.ts';
import { rememberedLogins, userDataDir } from '../core/paths.ts';
import type { CommandSpec, GlobalOptions, ParsedArgs } from './args.ts';
import { normaliseSipArg } from './args.ts';
import { appError, errorLine, toErrorShape } from './errors.ts';
import type { CliIO, Ctx, Line } from './context.ts';
import { awaitDelivery, beforeDeadline, conversationOrFail, deliveredJson, linePrinter, print, sync } from './context.ts';
import { acceptedLine, addPeople, joinMeeting, leaveConversation, participants, refuseSelf, sendGroup, watchGroups } from './groups.ts';
import {
  activityLabel, availabilityLabel, conversationJson, conversationLine, invitationJson, invitationLine, messageJson, messageLine, myStatusJson, myStatusLine,
  personCardLines, personJson, personLine, photoJson, photoLine, searchHitJson, searchHitLine,
} from './format.ts';

/** What a command reads and writes besides the service (index.ts: the process's). */
export type { CliIO } from './context.ts';

/** A running demo server, as the CLI needs it (the simulator stays behind this seam). */
export interface DemoServer {
  url: string;
  /** Base origin of the server, e.g. http://127.0.0.1:5123. */
  origin: string;
  /** The simulator's /_control endpoint is on (only for `ucwa demo`). */
  control: boolean;
  account: { sip: string; password: string };
  /** A demo contact who answers (for printed examples). */
  contact: string | null;
  stop(): Promise<void>;
}

export interface ServiceSetup {
  dataDir: string;
  account: string;
  demo: boolean;
  log: (line: string) => void;
  /** Modern authentication's client id (--client-id / UCWA_CLIENT_ID), authority (--authority / UCWA_AUTHORITY), and where its sign-in link is said. */
  clientId?: string;
  authority?: string;
  say?: (line: string) => void;
}

/** What index.ts wires in: everything with side effects beyond stdout/stderr. */
export interface Runtime {
  createService(setup: ServiceSetup): Promise<{ service: MessengerService; warnings: string[] }>;
  createSecrets(demo: boolean): Secrets;
  startDemo(opts: { port?: number; seed?: string; timeScale?: number; controlEndpoint?: boolean }): Promise<DemoServer>;
  runSimulatorCli(argv: string[]): Promise<number>;
  /**
   * Removes the account's local files from the data folder: its database (-wal, -shm), its entry in
   * servers.json and the app's logs. Refuses, removing nothing, while another program has the
   * database open. Returns the paths removed.
   */
  removeLocalData(dataDir: string, account: string): Promise<string[]>;
}


export async function runCli(parsed: ParsedArgs, io: CliIO, rt: Runtime): Promise<number> {
  const { globals, command } = parsed;
  try {
    if (command.name === 'simulator') return await rt.runSimulatorCli(command.argv);
    if (command.name === 'demo') return await runDemoServer(command, globals, io, rt);
    return await withSession(globals, command, io, rt);
  } catch (err) {
    return fail(err, globals, io);
  }
}

function fail(err: unknown, globals: GlobalOptions, io: CliIO): number {
  const shape = toErrorShape(err);
  if (globals.json) io.stdout(`${JSON.stringify({ ok: false, error: shape })}\n`);
  io.stderr(`${errorLine(shape)}\n`);
  if (io.env.UCWA_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
  return shape.code === 'invalidInput' ? 2 : 1;
}

// --- `ucwa demo`: the demo server in the foreground ----------------------------------------------
async function runDemoServer(cmd: Extract<CommandSpec, { name: 'demo' }>, globals: GlobalOptions, io: CliIO, rt: Runtime): Promise<number> {
  const demo = await rt.startDemo({
    ...(cmd.port !== undefined ? { port: cmd.port } : {}),
    ...(cmd.seed !== undefined ? { seed: cmd.seed } : {}),
    ...(cmd.timeScale !== undefined ? { timeScale: cmd.timeScale } : {}),
    controlEndpoint: true,
  });
  // `npx ucwa` works from the project folder and from a global install alike.
  const base = `npx ucwa --server '${demo.url}' --user ${demo.account.sip}`;
  const to = demo.contact ?? 'sip:someone@contoso.com';
  // So that `listen` has something to show: the control endpoint makes a demo colleague write.
  const writeToMe = demo.control
    ? `curl -s -X POST ${demo.origin}/_control/sendIm -H 'Content-Type: application/json' -d '${JSON.stringify({ from: to, to: demo.account.sip, text: 'Hi, got a minute?' })}'`
    : null;
  const commands = [
    `export UCWA_PASSWORD=${demo.account.password}`,
    `${base} history`,
    `${base} transcript <id>`,
    `${base} continue <id> 'Picking this up again'`,
    `${base} send ${to} 'Hello from the command line'`,
    `${base} listen --accept`,
    `${base} search <words>`,
    ...(writeToMe ? [writeToMe] : []),
  ];
  // Listen for Ctrl+C before saying "Press Ctrl+C": a signal sent the moment that line is read must not kill us.
  const interrupted = new Promise<void>((resolve) => {
    const off = io.onInterrupt(() => { off(); resolve(); });
  });
  if (globals.json) {
    io.stdout(`${JSON.stringify({ ok: true, url: demo.url, user: demo.account.sip, password: demo.account.password, commands })}\n`);
  } else {
    io.stdout([
      `UCWA demo server running at ${demo.url}`,
      `Sign in as ${demo.account.sip} with the password "${demo.account.password}".`,
      '',
      'Try, from another terminal:',
      ...commands.map((c) => `  ${c}`),
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'));
  }
  await interrupted;
  await demo.stop();
  if (!globals.json) io.stderr('Demo server stopped.\n');
  return 0;
}

// --- session commands ----------------------------------------------------------------------------
async function withSession(globals: GlobalOptions, command: CommandSpec, io: CliIO, rt: Runtime): Promise<number> {
  const cleanups: (() => Promise<void>)[] = [];
  // --timeout bounds the sign-in and the history sync together, from the start of the command: a
  // server that never finishes either (endless transcript pages, issue 11) ends within it.
  const deadline = Date.now() + globals.timeout * 1000;
  // Refuse bad input before any network traffic.
  if ((command.name === 'send' || command.name === 'continue') && !command.text.trim()) throw appError('invalidInput', 'The message is empty.');
  try {
    let server = globals.server;
    let user = globals.user;
    let password: string | null = null;
    let dataDir = globals.dataDir;
    const offline = 'offline' in command && command.offline;
    if (globals.demo && offline && dataDir) {
      user = 'sip:demo@contoso.com'; // reading a demo cache needs no server
    } else if (globals.demo) {
      const demo = await rt.startDemo({ ...(io.env.UCWA_DEMO_TIME_SCALE ? { timeScale: Number(io.env.UCWA_DEMO_TIME_SCALE) } : {}), seed: io.env.UCWA_DEMO_SEED ?? 'demo' });
      cleanups.push(() => demo.stop());
      server = demo.url;
      user = demo.account.sip;
      password = demo.account.password;
      if (!dataDir) {
        const tmp = await mkdtemp(join(tmpdir(), 'ucwa-demo-'));
        cleanups.push(() => rm(tmp, { recursive: true, force: true }));
        dataDir = tmp;
      }
    }
    dataDir ??= userDataDir();
    const secrets = rt.createSecrets(globals.demo);

    if (command.name === 'forget') return await forget(globals, io, rt, secrets, user, dataDir);

    if (!user) {
      // Only one remembered account: use it.
      const remembered = await secrets.accounts().catch(() => [] as string[]);
      if (remembered.length === 1) user = normaliseSipArg(remembered[0]!) ?? undefined;
      if (!user) throw appError('invalidInput', 'Say who you are with --user (e.g. --user alice@contoso.com), or use --demo.');
    }
    const account = user;
    refuseSelf(command, account);

    const quiet = globals.json;
    const progress = (line: string) => { if (!quiet) io.stderr(`${line}\n`); };
    const clientId = globals.clientId ?? (io.env.UCWA_CLIENT_ID?.trim() || undefined);
    const { service, warnings } = await rt.createService({
      dataDir, account, demo: globals.demo, log: (line) => { if (io.env.UCWA_DEBUG) io.stderr(`${line}\n`); },
      ...(clientId ? { clientId } : {}),
      ...((globals.authority ?? io.env.UCWA_AUTHORITY?.trim()) ? { authority: globals.authority ?? io.env.UCWA_AUTHORITY!.trim() } : {}),
      // The sign-in link goes to stderr even with --json: it is for the person, not the program reading stdout.
      say: (line) => io.stderr(`${line}\n`),
    });
    let signedIn = false;
    cleanups.push(async () => {
      if (signedIn) await service.signOut().catch(() => undefined);
      await service.close();
    });
    for (const w of warnings) progress(`warning: ${w}`);
    const ctx: Ctx = { globals, io, service, account, warnings: [...warnings], progress, early: [], listening: false, deadline };

    if (!offline) {
      // With modern authentication set up, the browser signs in: no password is needed (one given is used where the server asks for it).
      if (password === null) {
        password = clientId
          ? await findPassword(globals, io, secrets, account).catch((err: unknown) => {
            if (isNoPassword(err)) return '';
            throw err;
          })
          : await findPassword(globals, io, secrets, account);
      }
      // An invitation may ring while signing in (the channel is up before makeMeAvailable ends):
      // `listen` must see it too.
      if (command.name === 'listen') {
        const off = service.on('invitation', (inv) => { if (!ctx.listening) ctx.early.push(inv); });
        cleanups.push(async () => off());
      }
      // The sign-in name: --login, else the one remembered for this account (by the app or --remember).
      const logins = rememberedLogins(dataDir);
      const login = globals.login ?? (globals.demo ? undefined : await logins.get(account).catch(() => undefined));
      progress(`Signing in as ${account}${login ? ` (sign-in name ${login})` : ''}…`);
      await signIn(ctx, { sip: account, password, ...(server ? { server } : {}), ...(login ? { login } : {}), demo: globals.demo });
      signedIn = true;
      if (globals.remember && !globals.demo && globals.login) {
        await logins.set(account, globals.login).catch((err: unknown) => progress(`warning: the sign-in name was not remembered: ${toErrorShape(err).message}`));
      }
      if (globals.remember && !globals.demo && password) {
        try {
          await secrets.setPassword(account, password);
        } catch (err) {
          const shape = toErrorShape(err);
          ctx.warnings.push(shape.message);
          progress(`warning: ${shape.message}`);
        }
      }
    }

    switch (command.name) {
      case 'history': return await history(ctx, command, offline);
      case 'transcript': return await transcript(ctx, command, offline);
      case 'search': return await search(ctx, command, offline);
      case 'continue': return await deliver(ctx, 'continue', command.text, () => ctx.service.continueConversation(command.id, command.text), command.id);
      case 'send': return command.to.length > 1
        ? await sendGroup(ctx, command)
        : await deliver(ctx, 'send', command.text, () => ctx.service.startConversation(command.to[0]!, command.text), null);
      case 'add': return await addPeople(ctx, command);
      case 'participants': return await participants(ctx, command);
      case 'join': return await joinMeeting(ctx, command);
      case 'leave': return await leaveConversation(ctx, command);
      case 'listen': return await listen(ctx, command);
      case 'contacts': return await contacts(ctx, command, offline);
      case 'presence': return await presence(ctx, command);
      case 'whois': return await whois(ctx, command);
      case 'watch': return await watch(ctx, command);
      default: throw appError('internal', `Unknown command.`);
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

/** `ucwa forget`: the files first (refused while the app has them open), then the keychain entry. */
async function forget(globals: GlobalOptions, io: CliIO, rt: Runtime, secrets: Secrets, user: string | undefined, dataDir: string): Promise<number> {
  if (!user) throw appError('invalidInput', 'Say which account to forget with --user.');
  const removed = await rt.removeLocalData(dataDir, user);
  const warnings: string[] = [];
  try {
    await secrets.deletePassword(user);
  } catch (err) {
    // No keychain here: no password can be remembered in it either. The files are gone all the same.
    warnings.push(toErrorShape(err).message);
  }
  if (globals.json) {
    io.stdout(`${JSON.stringify({ ok: true, forgotten: user, removed, warnings })}\n`);
  } else {
    for (const w of warnings) io.stderr(`warning: ${w}\n`);
    const files = removed.length === 1 ? '1 file' : `${removed.length} files`;
    io.stdout(`${user} is forgotten on this computer: its remembered password, and ${files} of its local history, settings and logs in ${dataDir}.\n`);
  }
  return 0;
}

async function findPassword(globals: GlobalOptions, io: CliIO, secrets: Secrets, account: string): Promise<string> {
  if (globals.passwordStdin) {
    const text = await io.readStdin();
    const line = text.replace(/\r?\n$/, '').split(/\r?\n/)[0] ?? '';
    if (!line) throw appError('invalidInput', 'No password on standard input.');
    return line;
  }
  const env = io.env.UCWA_PASSWORD;
  if (env) return env;
  const remembered = await secrets.getPassword(account).catch(() => null);
  if (remembered) return remembered;
  throw appError('invalidInput', `No password for ${account}: set UCWA_PASSWORD, use --password-stdin, or remember it once with --remember.`);
}

/** findPassword's "no password anywhere" (not a keychain or stdin failure). */
function isNoPassword(err: unknown): boolean {
  return err instanceof AppError && err.code === 'invalidInput' && /^No password for /.test(err.message);
}

async function signIn(ctx: Ctx, req: { sip: string; password: string; server?: string; login?: string; demo: boolean }): Promise<void> {
  let state = await beforeDeadline(ctx, ctx.service.signIn({ ...req, remember: false }), 'Signing in');
  if (state.status === 'reconnecting') {
    // The service settled early (its next try is far off); the CLI has --timeout to wait in.
    state = await beforeDeadline(ctx, new Promise<SessionState>((resolve) => {
      const off = ctx.service.on('session', (st) => {
        if (st.status === 'online' || st.status === 'error' || st.status === 'signedOut') { off(); resolve(st); }
      });
    }), 'Signing in');
  }
  if (state.status !== 'online') {
    throw state.error ? new AppError(state.error) : appError('notSignedIn', `Sign-in did not complete (${state.status}).`);
  }
}

async function history(ctx: Ctx, cmd: Extract<CommandSpec, { name: 'history' }>, offline: boolean): Promise<number> {
  if (!offline) await sync(ctx);
  const items = [];
  let cursor: string | null = null;
  while (items.length < cmd.limit) {
    const page = await ctx.service.listConversations({ filter: cmd.filter, cursor, limit: Math.min(200, cmd.limit - items.length) });
    items.push(...page.items);
    cursor = page.next;
    if (!cursor) break;
  }
  print(ctx, { account: ctx.account, conversations: items.map(conversationJson) },
    items.length ? items.map((c) => conversationLine(c, ctx.account)) : ['No conversations in the local history.']);
  return 0;
}

async function transcript(ctx: Ctx, cmd: Extract<CommandSpec, { name: 'transcript' }>, offline: boolean): Promise<number> {
  if (!offline) await sync(ctx);
  const c = await conversationOrFail(ctx, cmd.id, true);
  const newestFirst: Message[] = [];
  let cursor: string | null = null;
  const want = cmd.limit ?? Number.POSITIVE_INFINITY;
  while (newestFirst.length < want) {
    const page = await ctx.service.listMessages(c.id, { cursor, limit: Math.min(500, want - newestFirst.length) });
    newestFirst.push(...page.items);
    cursor = page.next;
    if (!cursor) break;
  }
  const messages = newestFirst.reverse();
  print(ctx, { conversation: conversationJson(c), messages: messages.map(messageJson) }, [
    conversationLine(c, ctx.account),
    ...(messages.length ? messages.map(messageLine) : ['(no messages stored for this conversation)']),
  ]);
  return 0;
}

async function search(ctx: Ctx, cmd: Extract<CommandSpec, { name: 'search' }>, offline: boolean): Promise<number> {
  if (!cmd.text.trim()) throw appError('invalidInput', 'Give some words to search for.');
  if (!offline) await sync(ctx);
  const page = await ctx.service.searchMessages(cmd.text, { limit: cmd.limit, sort: cmd.sort });
  const { hits } = page;
  const count = `${page.total}${page.totalIsLowerBound ? '+' : ''} ${page.total === 1 ? 'message' : 'messages'}, ${cmd.sort === 'best' ? 'best' : 'newest'} first`;
  print(ctx, { query: cmd.text, sort: cmd.sort, total: page.total, totalIsLowerBound: page.totalIsLowerBound, hits: hits.map(searchHitJson) },
    hits.length ? [...hits.map((h) => searchHitLine(h, ctx.io.tty)), count] : ['No messages found.']);
  return 0;
}

/**
 * continue / send: the message goes into the outbox (the core decides continue, start or reuse and
 * retries transient failures by itself); wait for its delivery (awaitDelivery) or say why not.
 */
async function deliver(ctx: Ctx, verb: 'continue' | 'send', text: string, start: () => Promise<Sending>, knownId: number | null): Promise<number> {
  if (!text.trim()) throw appError('invalidInput', 'The message is empty.');
  if (knownId !== null) await conversationOrFail(ctx, knownId, false);
  ctx.progress(verb === 'continue' ? `Continuing conversation #${knownId}…` : 'Starting the conversation…');
  const sending = await start();
  const { conversationId } = sending;
  const item = await awaitDelivery(ctx, sending);
  const live = ctx.service.liveState(conversationId);
  const conversation = await ctx.service.getConversation(conversationId);
  const who = conversation?.participants.filter((p) => p.sip !== ctx.account).map((p) => p.name || p.sip).join(', ') || 'the conversation';
  print(ctx, {
    ...await deliveredJson(ctx, sending, item),
    invitation: live?.invitation ? invitationJson(live.invitation) : null,
  }, [item.lastError
    ? `Message delivered to ${who} (conversation #${conversationId}): ${item.lastError}`
    : `Connected to ${who} (conversation #${conversationId}); message delivered.`]);
  await ctx.service.hangUp(conversationId).catch(() => undefined);
  return 0;
}

/** listen: online and active until --for elapses or SIGINT/SIGTERM; prints invitations, messages, and the joins and leaves of groups. */
async function listen(ctx: Ctx, cmd: Extract<CommandSpec, { name: 'listen' }>): Promise<number> {
  const { service, globals } = ctx;
  const line = linePrinter(ctx);
  const announced = new Map<number, string | null>(); // conversation → invitation text not yet seen as a message
  const offs: (() => void)[] = [];
  const onInvitation = (inv: InvitationInfo) => {
    if (inv.direction !== 'Incoming') return;
    announced.set(inv.conversationId, inv.text);
    line({ event: 'invitation', time: new Date().toISOString(), ...invitationJson(inv) }, invitationLine(inv));
    if (cmd.accept && !inv.unsupported) {
      service.accept(inv.conversationId).then(() => acceptedLine(ctx, inv)).then(
        ([json, text]) => line(json, text),
        (err: unknown) => {
          const shape = toErrorShape(err);
          line({ event: 'error', conversationId: inv.conversationId, error: shape }, `  could not accept #${inv.conversationId}: ${shape.message}`);
        },
      );
    }
  };
  offs.push(service.on('invitation', onInvitation));
  ctx.listening = true;
  for (const inv of ctx.early.splice(0)) onInvitation(inv);
  // A stored row is announced again when it changes (its server timestamp arrives): print it once.
  const printed = new Set<number>();
  offs.push(service.on('message', (m) => {
    if (m.direction !== 'Incoming' || printed.has(m.id)) return;
    printed.add(m.id);
    if (printed.size > 10_000) printed.clear();
    const pending = announced.get(m.conversationId);
    if (pending !== undefined && pending !== null && pending.trim() === m.text.trim()) {
      announced.set(m.conversationId, null); // the invitation already showed this text
      return;
    }
    line({ event: 'message', ...messageJson(m) }, `#${m.conversationId} ${messageLine(m)}`);
  }));
  offs.push(watchGroups(ctx, line)); // joins and leaves of the groups you are in
  offs.push(service.on('session', sessionTrouble(line)));
  if (!globals.json) ctx.progress(`Listening as ${ctx.account}${cmd.forSeconds ? ` for ${cmd.forSeconds} s` : ''}; Ctrl+C to stop.`);
  else line({ event: 'listening', account: ctx.account }, '');
  return stayUntilDone(ctx, cmd.forSeconds, offs, line);
}

/** listen and watch: a session in trouble is said as it happens. */
function sessionTrouble(line: Line): (s: SessionState) => void {
  return (s) => {
    if (s.status === 'reconnecting' || s.status === 'error') {
      line({ event: 'session', status: s.status, ...(s.error ? { error: s.error } : {}) }, `(${s.status}${s.error ? `: ${s.error.message}` : ''})`);
    }
  };
}

/**
 * listen and watch: online and active until --for elapses or SIGINT/SIGTERM, then the listeners in
 * `offs` go and the end is said. The CLI's user is at the keyboard: activity is reported (idle 0)
 * so presence stays Online.
 */
async function stayUntilDone(ctx: Ctx, forSeconds: number | null | undefined, offs: (() => void)[], line: Line): Promise<number> {
  const { service, io, globals } = ctx;
  service.reportIdle(0);
  const active = setInterval(() => service.reportIdle(0), 60_000);
  try {
    await new Promise<void>((resolve) => {
      const timer = forSeconds ? setTimeout(resolve, forSeconds * 1000) : null;
      offs.push(io.onInterrupt(() => { if (timer) clearTimeout(timer); resolve(); }));
      if (timer) offs.push(() => clearTimeout(timer));
    });
  } finally {
    clearInterval(active);
    for (const off of offs) off();
  }
  if (globals.json) line({ event: 'end' }, '');
  else ctx.progress('Signing out.');
  return 0;
}

// --- people and presence (issue 13) --------------------------------------------------------------

/**
 * Presence arrives as events after the subscription is made: wait until every one of `sips` has
 * some, or nothing changed for a moment, or `maxMs` passed — a one-shot command then prints what
 * it has (a person whose presence did not come is shown as Unknown).
 */
async function settlePresence(ctx: Ctx, sips: string[], maxMs: number): Promise<void> {
  if (sips.length === 0) return;
  const start = Date.now();
  let last = start;
  const off = ctx.service.on('person', () => { last = Date.now(); });
  try {
    for (;;) {
      const cards = await ctx.service.findPeople('', { contactsOnly: true, limit: 500 });
      const known = new Map(cards.map((c) => [c.sip, c]));
      if (sips.every((s) => known.get(s)?.presence)) return;
      const now = Date.now();
      // Out of time, or quiet for a while (a person the server says nothing about stays Unknown).
      if (now - start > maxMs || (now - start > 1500 && now - last > 1500)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    off();
  }
}

async function contacts(ctx: Ctx, cmd: Extract<CommandSpec, { name: 'contacts' }>, offline: boolean): Promise<number> {
  let list = await ctx.service.contactList();
  if (!offline) {
    ctx.progress('Reading your contact list…');
    try {
      list = await beforeDeadline(ctx, ctx.service.refreshContacts(), 'Reading the contact list');
      await settlePresence(ctx, list.people.map((p) => p.sip).filter((s) => s !== ctx.account), Math.min(5000, ctx.globals.timeout * 1000));
      list = await ctx.service.contactList();
    } catch (err) {
      const msg = `contact list not refreshed: ${toErrorShape(err).message}`;
      ctx.warnings.push(msg);
      ctx.progress(`warning: ${msg}`);
    }
  }
  const byName = new Map(list.people.map((p) => [p.sip, p]));
  const want = cmd.group?.trim().toLowerCase() ?? null;
  const groups = list.groups.filter((g) => want === null || g.name.toLowerCase() === want || (g.kind === 'pinned' && (want === 'favourites' || want === 'favorites')));
  if (want !== null && groups.length === 0) throw appError('notFound', `No group "${cmd.group}" in your contact list (groups: ${list.groups.map(groupName).join(', ') || 'none'}).`);
  const rows = groups.map((g) => ({ group: g, people: g.members.map((sip) => byName.get(sip)).filter((p): p is PersonCard => !!p) }));
  const text: string[] = [];
  for (const r of rows) {
    text.push(`${groupName(r.group)} (${r.people.length})`);
    for (const p of r.people) text.push(`  ${personLine(p)}`);
  }
  if (text.length === 0) text.push('Your contact list is empty.');
  print(ctx, { groups: rows.map((r) => ({ id: r.group.id, name: groupName(r.group), kind: r.group.kind, serverName: r.group.name, collapsed: r.group.collapsed, people: r.people.map(personJson) })) }, text);
  return 0;
}

/** The pinned group is what the official client calls Favourites (PROTOCOL-2 §1.6). */
function groupName(g: { kind: string; name: string }): string {
  if (g.kind === 'pinned') return 'Favourites';
  if (g.kind === 'default' && !g.name) return 'Other Contacts';
  return g.name || '(unnamed group)';
}

async function presence(ctx: Ctx, cmd: Extract<CommandSpec, { name: 'presence' }>): Promise<number> {
  const { service } = ctx;
  if (cmd.availability === 'reset') await service.resetAvailability();
  else if (cmd.availability) await service.setAvailability(cmd.availability);
  if (cmd.note !== null) await service.setNote(cmd.note);
  if (cmd.location !== null) await service.setLocation(cmd.location);
  let status = await service.myStatus();
  if (cmd.availability) {
    // The server confirms with an event (Offwork reads back as Away / off-work): wait for it briefly.
    const want = cmd.availability === 'reset' ? 'Online' : cmd.availability === 'Offwork' ? 'Away' : cmd.availability;
    const end = Date.now() + 2000;
    while (status.availability !== want && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      status = await service.myStatus();
    }
  }
  print(ctx, { account: ctx.account, status: myStatusJson(status) }, [myStatusLine(status)]);
  return 0;
}

async function whois(ctx: Ctx, cmd: Extract<CommandSpec, { name: 'whois' }>): Promise<number> {
  const { service } = ctx;
  let card = await service.person(cmd.sip);
  if (!card || !card.presence) {
    // Not in the contact list: the directory knows them, and a short watch reads their presence.
    await service.searchPeople(cmd.sip.replace(/^sip:/, ''), 5).catch(() => []);
    const release = service.watchPeople([cmd.sip], 'card');
    try {
      await settleOne(ctx, cmd.sip, 3000);
    } finally {
      release();
    }
    card = await service.person(cmd.sip);
  }
  if (!card) throw appError('notFound', `Nobody with the address ${cmd.sip.replace(/^sip:/, '')} was found.`);
  // Whether there is a photo (fetched into the shared cache when due); a failure is only "none".
  const photo = await service.personPhoto(card.sip).catch(() => null);
  print(ctx, { person: personJson(card), photo: photoJson(photo) }, [...personCardLines(card), photoLine(photo)]);
  return 0;
}

async function settleOne(ctx: Ctx, sip: string, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const c = await ctx.service.person(sip).catch(() => null);
    if (c?.presence) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** watch: presence and note changes of the people watched (the contact list) until --for or Ctrl+C. */
async function watch(ctx: Ctx, cmd: Extract<CommandSpec, { name: 'watch' }>): Promise<number> {
  const { service, globals } = ctx;
  const line = linePrinter(ctx);
  const shown = new Map<string, string>();
  const key = (p: PersonCard) => JSON.stringify([p.presence?.availability ?? null, p.presence?.activity ?? '', p.note?.message ?? '']);
  const offs: (() => void)[] = [];
  offs.push(service.on('person', (p) => {
    const k = key(p);
    const before = shown.get(p.sip);
    if (before === k || (!p.presence && !p.note)) return;
    shown.set(p.sip, k);
    const time = new Date().toISOString();
    line({ event: 'person', time, ...personJson(p) }, `[${time.slice(11, 19)}] ${personLine(p)}`);
  }));
  offs.push(service.on('myStatus', (m) => {
    line({ event: 'myStatus', time: new Date().toISOString(), ...myStatusJson(m) }, `[${new Date().toISOString().slice(11, 19)}] You: ${availabilityLabel(m.availability)}${m.activity ? ` — ${activityLabel(m.activity)}` : ''}${m.note ? ` — ${m.note}` : ''}`);
  }));
  offs.push(service.on('session', sessionTrouble(line)));
  // What is known now first (from the cache), then the changes as they come.
  for (const p of (await service.contactList()).people) if (p.presence) shown.set(p.sip, key(p));
  if (globals.json) line({ event: 'watching', account: ctx.account }, '');
  else ctx.progress(`Watching your contacts' presence as ${ctx.account}${cmd.forSeconds ? ` for ${cmd.forSeconds} s` : ''}; Ctrl+C to stop.`);
  return stayUntilDone(ctx, cmd.forSeconds, offs, line);
}
