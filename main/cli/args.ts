// Command-line parsing (commander): pure, so unit tests can check every form without running
// anything. Global options are accepted before or after the command.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { ConversationFilter } from '../core/store/types.ts';
import { normaliseServerUrl } from '../core/ucwa/serverUrl.ts';
import { signInName } from '../core/ucwa/signInName.ts';

export interface GlobalOptions {
  /** Autodiscover URL; without it, autodiscover from the SIP domain. */
  server?: string;
  /** "sip:alice@contoso.com" (normalised, with the prefix). */
  user?: string;
  /** The sign-in name where it differs from the SIP address: CONTOSO\\jdoe or jdoe@corp.contoso.com. */
  login?: string;
  /** This app's registration for modern authentication (OAuth 2.0 + PKCE in the browser). */
  clientId?: string;
  /** The authority instead of the one the server names, e.g. https://sts.contoso.com/adfs. */
  authority?: string;
  passwordStdin: boolean;
  remember: boolean;
  json: boolean;
  dataDir?: string;
  demo: boolean;
  /** Seconds a command waits for a connection / delivery before giving up. */
  timeout: number;
}

export type CommandSpec =
  | { name: 'demo'; port?: number; seed?: string; timeScale?: number }
  | { name: 'history'; limit: number; filter: ConversationFilter; offline: boolean }
  | { name: 'transcript'; id: number; limit?: number; offline: boolean }
  | { name: 'continue'; id: number; text: string }
  /** One address: a one-to-one conversation; two or more: a group (with its subject, if given). */
  | { name: 'send'; to: string[]; text: string; subject: string | null }
  /** `message`: written first, which brings a conversation that is not live back (each command is its own session). */
  | { name: 'add'; id: number; sips: string[]; message: string | null }
  | { name: 'participants'; id: number; offline: boolean }
  | { name: 'join'; meeting: string }
  | { name: 'leave'; id: number }
  | { name: 'listen'; accept: boolean; forSeconds: number | null }
  | { name: 'search'; text: string; limit: number; offline: boolean; sort: 'newest' | 'best' }
  | { name: 'contacts'; group: string | null; offline: boolean }
  | { name: 'presence'; availability: PresenceChoice | null; note: string | null; location: string | null }
  | { name: 'whois'; sip: string }
  | { name: 'watch'; forSeconds: number | null }
  | { name: 'forget' }
  | { name: 'simulator'; argv: string[] };

export interface ParsedArgs {
  globals: GlobalOptions;
  command: CommandSpec;
}

/** Help, version or a usage error: print and exit with this code. */
export interface EarlyExit {
  exit: number;
  stdout: string;
  stderr: string;
}

/** What `ucwa presence` sets: a PreferredAvailability, or 'reset' (automatic: Available with idle decay). */
export type PresenceChoice = 'Online' | 'Busy' | 'DoNotDisturb' | 'BeRightBack' | 'Away' | 'Offwork' | 'reset';

/** The words `ucwa presence` takes (as the tray menu says them, dashed, or UCWA's own tokens). */
export const PRESENCE_WORDS: Readonly<Record<string, PresenceChoice>> = {
  available: 'Online', online: 'Online',
  busy: 'Busy',
  'do-not-disturb': 'DoNotDisturb', dnd: 'DoNotDisturb', donotdisturb: 'DoNotDisturb',
  'be-right-back': 'BeRightBack', brb: 'BeRightBack', berightback: 'BeRightBack',
  away: 'Away', 'appear-away': 'Away',
  'off-work': 'Offwork', offwork: 'Offwork',
  reset: 'reset', automatic: 'reset',
};

function presenceWord(value: string): PresenceChoice {
  const v = PRESENCE_WORDS[value.trim().toLowerCase()];
  if (!v) throw new InvalidArgumentError(`"${value}" is not a status: use available, busy, do-not-disturb, be-right-back, appear-away, off-work or reset.`);
  return v;
}

export const SIP_ADDRESS = /^sip:[^@\s:;/]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** "Alice@Contoso.com" → "sip:alice@contoso.com"; null when it is not a SIP address. */
export function normaliseSipArg(value: string): string | null {
  const v = value.trim().toLowerCase();
  const sip = v.startsWith('sip:') ? v : `sip:${v}`;
  return SIP_ADDRESS.test(sip) ? sip : null;
}

function positiveInt(what: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`${what} must be a positive whole number.`);
    return Number(value);
  };
}
function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('The port must be a number from 0 to 65535.');
  return Number(value);
}
function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('Give a number of seconds greater than 0.');
  return n;
}
function scale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('The time scale must be a number greater than 0.');
  return n;
}
function sipOption(value: string): string {
  const sip = normaliseSipArg(value);
  if (!sip) throw new InvalidArgumentError(`"${value}" is not a SIP address (like alice@contoso.com).`);
  return sip;
}
function loginOption(value: string): string {
  // The core's rule (signInName), said as a usage error.
  try {
    const v = signInName(value);
    if (v) return v;
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  throw new InvalidArgumentError('a sign-in name like CONTOSO\\jdoe or jdoe@corp.contoso.com.');
}

function authorityOption(value: string): string {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new InvalidArgumentError(`"${value}" is not an address like https://sts.contoso.com/adfs.`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(u.hostname))) throw new InvalidArgumentError(`"${value}": the authority must use https.`);
  return u.href.replace(/\/+$/, '');
}

function clientIdOption(value: string): string {
  const v = value.trim();
  if (!/^[\w.:/-]{1,200}$/.test(v)) throw new InvalidArgumentError('a client id: letters, digits and . _ - : / (as your organisation registered this app, e.g. a GUID).');
  return v;
}

function urlOption(value: string): string {
  // The same reading as the app's Server field: a bare host means https://host.
  const r = normaliseServerUrl(value);
  if (!r.ok) throw new InvalidArgumentError(`"${value}": ${r.message}`);
  return r.url;
}
function conversationId(value: string): number {
  if (!/^#?\d+$/.test(value) || Number(value.replace('#', '')) < 1) throw new InvalidArgumentError(`"${value}" is not a conversation id (a number from \`ucwa history\`).`);
  return Number(value.replace('#', ''));
}

/** A meeting's join link (https://meet.contoso.com/alice/ABC123) or its conference URI (sip:…;gruu;opaque=app:conf:focus:id:…). */
function meetingArg(value: string): string {
  const v = value.trim();
  if (/^sip:[^@\s;]+@[^\s;]+;\S+$/i.test(v) && /:conf:/i.test(v)) return v;
  try {
    const u = new URL(v);
    if ((u.protocol === 'https:' || u.protocol === 'http:') && u.hostname && !/\s/.test(v)) return v;
  } catch { /* not a URL: said below */ }
  throw new InvalidArgumentError(`"${value}" is not a meeting link (like https://meet.contoso.com/alice/ABC123) or conference address (sip:…;gruu;opaque=app:conf:focus:id:…).`);
}

/** The SIP addresses of `send` and `add`, normalised and without repeats; or what is wrong, in words. */
function sipList(values: string[], hint = ''): string[] | string {
  const out: string[] = [];
  for (const v of values) {
    const sip = normaliseSipArg(v);
    if (!sip) return `"${v}" is not a SIP address (like bob@contoso.com).${hint}`;
    if (!out.includes(sip)) out.push(sip);
  }
  return out;
}

/**
 * `send SIP [SIP…] TEXT`: the last argument is the message, every one before it an address. Returns
 * the command, or the usage error in words.
 */
function sendCommand(args: string[], subject: string | undefined): Extract<CommandSpec, { name: 'send' }> | string {
  const example = 'e.g. ucwa send bob@contoso.com "Hello" (two or more addresses: a group)';
  if (args.length === 0) return `Say who to write to, then the message, ${example}.`;
  if (args.length === 1) {
    return normaliseSipArg(args[0]!)
      ? `No message: it comes last, after the addresses, ${example}.`
      : `"${args[0]}" is not a SIP address; say who to write to first, then the message, ${example}.`;
  }
  const text = args.at(-1)!;
  const addresses = args.slice(0, -1);
  // An unquoted message reads as more addresses: say so.
  const to = sipList(addresses, addresses.length > 1 ? ' The message is the last argument: put it in quotes when it has spaces.' : '');
  if (typeof to === 'string') return to;
  if (!text.trim()) return 'The message is empty.';
  if (normaliseSipArg(text) && !/\s/.test(text.trim())) return `No message: "${text}" is an address; the message is the last argument, after the addresses.`;
  const subj = subject?.trim() ?? '';
  if (subj && to.length < 2) return '--subject is for a group conversation: give two or more addresses.';
  return { name: 'send', to, text, subject: subj || null };
}

const GLOBAL_VALUE_OPTIONS = new Set(['--server', '--user', '--login', '--client-id', '--authority', '--data-dir', '--timeout']);

function addGlobals(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'autodiscover URL (default: discover from the SIP domain)', urlOption)
    .option('--user <sip>', 'your SIP address, e.g. alice@contoso.com', sipOption)
    .option('--login <name>', 'your sign-in name where it differs from the SIP address: CONTOSO\\jdoe or jdoe@corp.contoso.com (remembered with --remember)', loginOption)
    .option('--client-id <id>', 'modern authentication: your organisation\'s registration of this app (sign-in then happens in the browser; also $UCWA_CLIENT_ID)', clientIdOption)
    .option('--authority <url>', 'modern authentication: the authority to use instead of the one the server names (also $UCWA_AUTHORITY)', authorityOption)
    .option('--password-stdin', 'read the password from standard input (otherwise $UCWA_PASSWORD or the keychain)')
    .option('--remember', 'remember the password in the system keychain')
    .option('--json', 'machine-readable output: one JSON document (JSON Lines for listen)')
    .option('--data-dir <dir>', 'local history folder (default: the app\'s data folder)')
    .option('--demo', 'run against a fresh built-in demo server (no account needed)')
    .option('--timeout <seconds>', 'how long to wait for a connection or delivery (default: 60)', seconds);
}

/**
 * Parse argv (without node and the script). Returns the command, or what to print and the exit
 * code for --help, --version and usage errors.
 */
export function parseArgs(argv: string[], version = '0.0.0'): ParsedArgs | EarlyExit {
  // `ucwa [globals] simulator …`: everything after "simulator" belongs to the simulator's own CLI.
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const opt = argv[i]!;
    i += GLOBAL_VALUE_OPTIONS.has(opt) ? 2 : 1;
  }
  const simulatorArgv = argv[i] === 'simulator' ? argv.slice(i + 1) : null;
  const toParse = simulatorArgv ? argv.slice(0, i + 1) : argv;

  let out = '';
  let err = '';
  let result: CommandSpec | null = null;
  const program = addGlobals(new Command('ucwa'))
    .description('Skype for Business Server (UCWA 2.0) from the command line: history, transcripts, continue, send, group conversations, listen, contacts and presence.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run `ucwa --help` for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });

  const sub = (name: string, description: string): Command => {
    const c = program.command(name).description(description).exitOverride()
      .configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
    return c;
  };

  sub('demo', 'run the demo server in the foreground and print commands to try against it')
    .option('--port <n>', 'port to listen on (default: a free port)', port)
    .option('--seed <seed>', 'demo world seed (same seed, same world)')
    .addOption(new Option('--time-scale <factor>', 'speed up every server timer (tests)').argParser(scale).hideHelp())
    .action((o: { port?: number; seed?: string; timeScale?: number }) => {
      result = { name: 'demo', ...(o.port !== undefined ? { port: o.port } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}) };
    });
  sub('history', 'sync and list past conversations (from the local cache)')
    .option('--limit <n>', 'how many conversations', positiveInt('--limit'), 20)
    .addOption(new Option('--filter <which>', 'which conversations').choices(['all', 'unread', 'missed']).default('all'))
    .option('--offline', 'read the local cache without signing in')
    .action((o: { limit: number; filter: ConversationFilter; offline?: boolean }) => {
      result = { name: 'history', limit: o.limit, filter: o.filter, offline: !!o.offline };
    });
  sub('transcript', 'messages of one conversation')
    .argument('<id>', 'conversation id (from `ucwa history`)', conversationId)
    .option('--limit <n>', 'only the newest N messages', positiveInt('--limit'))
    .option('--offline', 'read the local cache without signing in')
    .action((id: number, o: { limit?: number; offline?: boolean }) => {
      result = { name: 'transcript', id, offline: !!o.offline, ...(o.limit !== undefined ? { limit: o.limit } : {}) };
    });
  sub('continue', 'continue a past conversation (continueMessaging) with a message')
    .argument('<id>', 'conversation id (from `ucwa history`)', conversationId)
    .argument('<text...>', 'the message')
    .action((id: number, text: string[]) => { result = { name: 'continue', id, text: text.join(' ') }; });
  const send = sub('send', 'start a conversation with a message and wait for delivery; two or more addresses start a group')
    .usage('[options] <sip> [sip...] <text>')
    .argument('[sip-and-text...]', 'who to write to (e.g. bob@contoso.com; two or more: a group), then the message, last (in quotes)')
    .option('--subject <text>', 'the group conversation\'s subject')
    .action((args: string[], o: { subject?: string }) => {
      const r = sendCommand(args, o.subject);
      if (typeof r === 'string') usageError(send, r);
      result = r;
    });
  const add = sub('add', 'invite people into a conversation (a one-to-one becomes a group) and wait for their answers')
    .argument('<id>', 'conversation id (from `ucwa history` or `ucwa send`)', conversationId)
    .argument('[sip...]', 'who to add, e.g. carol@contoso.com')
    .option('--message <text>', 'write this first: brings back a conversation that is not live')
    .action((id: number, sips: string[], o: { message?: string }) => {
      if (sips.length === 0) usageError(add, 'Say who to add: ucwa add 12 carol@contoso.com --message "Adding Carol".');
      const list = sipList(sips);
      if (typeof list === 'string') usageError(add, list);
      if (o.message !== undefined && !o.message.trim()) usageError(add, 'The message is empty.');
      result = { name: 'add', id, sips: list, message: o.message ?? null };
    });
  sub('participants', 'who is in a conversation: its roster while it is live, else the people who took part')
    .argument('<id>', 'conversation id (from `ucwa history`)', conversationId)
    .option('--offline', 'read the local cache without signing in')
    .action((id: number, o: { offline?: boolean }) => { result = { name: 'participants', id, offline: !!o.offline }; });
  sub('join', 'join a meeting\'s group conversation by its link and show who is in it')
    .argument('<meeting>', 'the join link (https://meet.contoso.com/alice/ABC123) or conference URI', meetingArg)
    .action((meeting: string) => { result = { name: 'join', meeting }; });
  sub('leave', 'leave a group conversation (the others carry on)')
    .argument('<id>', 'conversation id', conversationId)
    .action((id: number) => { result = { name: 'leave', id }; });
  sub('listen', 'stay online and print incoming invitations and messages, and who joins and leaves your group conversations')
    .option('--accept', 'answer incoming invitations (group ones too)')
    .option('--for <seconds>', 'stop after this many seconds (default: until Ctrl+C)', seconds)
    .action((o: { accept?: boolean; for?: number }) => { result = { name: 'listen', accept: !!o.accept, forSeconds: o.for ?? null }; });
  sub('search', 'search the messages in the local cache')
    .argument('<text...>', 'words to find (prefixes match)')
    .option('--limit <n>', 'how many results', positiveInt('--limit'), 20)
    .option('--offline', 'search the local cache without signing in')
    .option('--best', 'best matches first (default: newest first)')
    .action((text: string[], o: { limit: number; offline?: boolean; best?: boolean }) => {
      result = { name: 'search', text: text.join(' '), limit: o.limit, offline: !!o.offline, sort: o.best ? 'best' : 'newest' };
    });
  sub('contacts', 'your contact list with presence, Favourites first')
    .option('--group <name>', 'only this group (e.g. Favourites)')
    .option('--offline', 'read the local cache without signing in')
    .action((o: { group?: string; offline?: boolean }) => { result = { name: 'contacts', group: o.group ?? null, offline: !!o.offline }; });
  sub('presence', 'show your status, or set it (available, busy, do-not-disturb, be-right-back, appear-away, off-work, reset)')
    .argument('[availability]', 'the status to set', presenceWord)
    .option('--note <text>', 'your note ("" clears it)')
    .option('--location <text>', 'your location, at most 60 characters ("" clears it)')
    .action((availability: PresenceChoice | undefined, o: { note?: string; location?: string }) => {
      result = { name: 'presence', availability: availability ?? null, note: o.note ?? null, location: o.location ?? null };
    });
  sub('whois', 'a person\'s card and presence')
    .argument('<sip>', 'who, e.g. bob@contoso.com', sipOption)
    .action((sip: string) => { result = { name: 'whois', sip }; });
  sub('watch', 'print your contacts\' presence and note changes as they come (JSON Lines with --json)')
    .option('--for <seconds>', 'stop after this many seconds (default: until Ctrl+C)', seconds)
    .action((o: { for?: number }) => { result = { name: 'watch', forSeconds: o.for ?? null }; });
  sub('forget', 'forget --user on this computer: its remembered password (keychain), its local history database (with -wal/-shm), its remembered server, and the app\'s logs')
    .action(() => { result = { name: 'forget' }; });
  sub('simulator', 'run the UCWA simulator (options: `ucwa simulator --help`)')
    .helpOption(false).allowUnknownOption().allowExcessArguments()
    .action(() => { result = { name: 'simulator', argv: simulatorArgv ?? [] }; });

  // Global options given after the command land on the subcommand: register them there too.
  for (const c of program.commands) if (c.name() !== 'simulator') addGlobals(c);

  try {
    program.parse(toParse, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      if (ok) return { exit: 0, stdout: out, stderr: err };
      const line = oneLine(err || e.message);
      // --json: the error as a document on stdout too, as for every other failure.
      const json = wantsJson(toParse) ? `${JSON.stringify({ ok: false, error: { code: 'invalidInput', message: usageSentence(line) } })}\n` : '';
      return { exit: 2, stdout: json, stderr: line };
    }
    throw e;
  }
  if (!result) {
    // No command: show help (on stderr, as a usage error).
    return { exit: 2, stdout: '', stderr: program.helpInformation() };
  }
  const command = result as CommandSpec;
  const picked = command.name === 'simulator' ? program.opts() : (program.commands.find((c) => c.name() === command.name)?.optsWithGlobals() ?? program.opts());
  const g = picked as Partial<Record<string, unknown>>;
  const globals: GlobalOptions = {
    passwordStdin: !!g.passwordStdin,
    remember: !!g.remember,
    json: !!g.json,
    demo: !!g.demo,
    timeout: typeof g.timeout === 'number' ? g.timeout : 60,
    ...(typeof g.server === 'string' ? { server: g.server } : {}),
    ...(typeof g.user === 'string' ? { user: g.user } : {}),
    ...(typeof g.login === 'string' ? { login: g.login } : {}),
    ...(typeof g.clientId === 'string' ? { clientId: g.clientId } : {}),
    ...(typeof g.authority === 'string' ? { authority: g.authority } : {}),
    ...(typeof g.dataDir === 'string' ? { dataDir: g.dataDir } : {}),
  };
  return { globals, command };
}

/** A usage error of a command's arguments, said like commander's own (exit 2). */
function usageError(cmd: Command, message: string): never {
  cmd.error(`error: ${message}`, { exitCode: 2, code: 'ucwa.usage' });
}

function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** The sentence of a usage line, without "ucwa: " and the pointer to --help. */
function usageSentence(line: string): string {
  return line.trim().replace(/^ucwa: /, '').replace(/\s*\(run `ucwa --help` for usage\)$/, '');
}

/** Commander's error text as one line ("error: unknown option '--x' (run `ucwa --help` for usage)"). */
function oneLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return `${lines.join(' ').replace(/^error: /, 'ucwa: ')}\n`;
}
