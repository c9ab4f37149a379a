// `ucwa contacts`, `presence`, `whois` and `watch` as processes against the simulator over real
// HTTP (issue 13, CLI). The CLI is bundled from the current source into a temporary folder, as
// cli.test.ts does (out/ is left alone).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { accountPhotoDir } from '../../main/core/store/accountFiles.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { startSimulator } from '../../simulator/index.ts';
import type { Simulator } from '../../simulator/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = 'sip:demo@contoso.com';
const temps: string[] = [];
let entry = '';
let sim: Simulator;

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ucwa-cli-people-'));
  temps.push(d);
  return d;
}

before(async () => {
  const dir = tempDir();
  const common: BuildOptions = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node22', format: 'esm', packages: 'external', external: ['electron'], logLevel: 'error', define: { 'process.env.UCWA_BUNDLED': '"1"' } };
  await build({ ...common, entryPoints: ['main/cli/index.ts'], outfile: join(dir, 'cli/index.js') });
  await build({ ...common, entryPoints: ['main/core/store/worker.ts'], outfile: join(dir, 'main/storeWorker.mjs') });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  entry = join(dir, 'cli/index.js');
  // 0.01: a 30-minute subscription lasts 18 s, longer than any command here.
  sim = await startSimulator({ autoGroupInvites: false, timeScale: 0.01, seed: 7, presenceRhythm: false, demoConversations: 3 });
});
after(async () => {
  await sim?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, UCWA_PASSWORD: 'demo' };
  delete e.UCWA_DEBUG;
  delete e.DBUS_SESSION_BUS_ADDRESS;
  return e;
}

function spawnCli(args: string[], dataDir = tempDir()) {
  return spawn(process.execPath, [entry, '--server', sim.url, '--user', DEMO, '--data-dir', dataDir, ...args], { env: env(), cwd: root });
}

function ucwa(args: string[], dataDir?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, dataDir);
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin.end('');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); }));
}

interface PersonOut { sip: string; name: string; availability: string | null; activity: string; note: string }

test('contacts --json: the groups, Favourites first, with presence; --group filters; text form', async () => {
  const r = await ucwa(['contacts', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; groups: { name: string; kind: string; people: PersonOut[] }[] };
  assert.equal(doc.ok, true);
  assert.equal(doc.groups[0]!.kind, 'pinned');
  assert.equal(doc.groups[0]!.name, 'Favourites');
  const server = sim.control.contactList(DEMO).find((g) => /pinned/i.test(g.kind))!;
  assert.deepEqual(doc.groups[0]!.people.map((p) => p.sip).sort(), [...server.members].sort());
  const everyone = doc.groups.flatMap((g) => g.people);
  assert.ok(everyone.filter((p) => p.availability).length >= everyone.length / 2, 'presence read for the contacts');

  const fav = await ucwa(['contacts', '--group', 'favourites']);
  assert.equal(fav.code, 0, fav.stderr);
  const lines = fav.stdout.trim().split('\n');
  assert.match(lines[0]!, /^Favourites \(\d+\)$/);
  assert.ok(lines.slice(1).every((l) => /^ {2}\S+ /.test(l)), fav.stdout);

  const none = await ucwa(['contacts', '--group', 'No Such Group']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /No group "No Such Group"/);
});

test('presence: set availability and note, then show; a bad word is a usage error', async () => {
  const set = await ucwa(['presence', 'busy', '--note', 'Heads down', '--json']);
  assert.equal(set.code, 0, set.stderr);
  const doc = JSON.parse(set.stdout) as { status: { availability: string; note: string } };
  assert.equal(doc.status.availability, 'Busy');
  assert.equal(doc.status.note, 'Heads down');
  assert.equal(sim.control.presenceOf(DEMO).note, 'Heads down');

  const show = await ucwa(['presence']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /Note: Heads down/);

  const clear = await ucwa(['presence', '--note', '', '--json']);
  assert.equal(clear.code, 0, clear.stderr);
  assert.equal((JSON.parse(clear.stdout) as { status: { note: string } }).status.note, '');

  const bad = await ucwa(['presence', 'sleepy']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a status/);
});

test('presence --location: set beside the note, shown, cleared; over 60 characters refused', async () => {
  const set = await ucwa(['presence', '--note', 'In the lab', '--location', 'Building 4, room 12', '--json']);
  assert.equal(set.code, 0, set.stderr);
  const doc = JSON.parse(set.stdout) as { status: { note: string; location: string } };
  assert.equal(doc.status.location, 'Building 4, room 12');
  assert.equal(doc.status.note, 'In the lab');
  assert.equal(sim.control.presenceOf(DEMO).location, 'Building 4, room 12');

  const show = await ucwa(['presence']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /Location: Building 4, room 12/);

  const long = await ucwa(['presence', '--location', 'x'.repeat(61)]);
  assert.notEqual(long.code, 0);
  assert.match(long.stderr, /at most 60 characters/);
  assert.equal(sim.control.presenceOf(DEMO).location, 'Building 4, room 12', 'nothing sent');

  const clear = await ucwa(['presence', '--location', '', '--json']);
  assert.equal(clear.code, 0, clear.stderr);
  assert.equal((JSON.parse(clear.stdout) as { status: { location: string } }).status.location, '');
  assert.equal(sim.control.presenceOf(DEMO).location, '');
});

test('whois: the card and presence of a contact', async () => {
  const who = sim.control.contactList(DEMO).find((g) => /pinned/i.test(g.kind))!.members.find((m) => m !== DEMO && sim.people.some((p) => p.sip === m))!;
  sim.control.setPresence(who, { availability: 'Away', note: 'Lunch' });
  const dataDir = tempDir();
  const r = await ucwa(['whois', who.replace(/^sip:/, ''), '--json'], dataDir);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { person: PersonOut; photo: { mime: string; bytes: number } | null };
  assert.equal(doc.person.sip, who);
  assert.equal(doc.person.availability, 'Away');
  assert.equal(doc.person.note, 'Lunch');
  // Whether there is a photo: fetched into the data folder's photo cache.
  assert.equal(doc.photo?.mime, 'image/png');
  assert.ok(doc.photo.bytes > 0);
  assert.ok(readdirSync(accountPhotoDir(dataDir, DEMO)).some((n) => /^[0-9a-f]{32}\.png$/.test(n)), 'cached in the account\'s folder of <data-dir>/photos');
  const text = await ucwa(['whois', who], dataDir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Status: +Away/);
  assert.match(text.stdout, /Note: +Lunch/);
  assert.match(text.stdout, /Photo: +yes \(PNG, \d+ KB\)/);
  sim.control.setPhoto(who, 'none');
  const none = await ucwa(['whois', who, '--json']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal((JSON.parse(none.stdout) as { photo: unknown }).photo, null);
  sim.control.setPhoto(who, 'default');
  sim.control.clearPresence(who);
});

test('watch --json: presence changes as JSON Lines until --for ends', async () => {
  const who = sim.control.contactList(DEMO).find((g) => /pinned/i.test(g.kind))!.members.find((m) => m !== DEMO && sim.people.some((p) => p.sip === m))!;
  const child = spawnCli(['watch', '--for', '6', '--json']);
  const lines: Record<string, unknown>[] = [];
  let buf = '', stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const watching = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const doc = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        lines.push(doc);
        if (doc.event === 'watching') resolve();
      }
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await watching;
  // Give the subscription a moment to be made, then change the person twice.
  await new Promise((r) => setTimeout(r, 1500));
  sim.control.setPresence(who, { availability: 'DoNotDisturb', activity: 'presenting' });
  await new Promise((r) => setTimeout(r, 500));
  sim.control.setPresence(who, { note: 'Presenting the roadmap' });
  assert.equal(await exited, 0, stderr);
  const mine = lines.filter((l) => l.event === 'person' && l.sip === who) as unknown as PersonOut[];
  assert.ok(mine.some((l) => l.availability === 'DoNotDisturb' && l.activity === 'presenting'), JSON.stringify(lines));
  assert.ok(mine.some((l) => l.note === 'Presenting the roadmap'), JSON.stringify(lines));
  assert.equal(lines.at(-1)?.event, 'end');
  sim.control.clearPresence(who);
});

test('watch (text): one line per change, [time] mark, availability, name, address and what changed; the banner on stderr', async () => {
  const who = sim.control.contactList(DEMO).find((g) => /pinned/i.test(g.kind))!.members.find((m) => m !== DEMO && sim.people.some((p) => p.sip === m))!;
  const name = sim.people.find((p) => p.sip === who)!.name;
  const child = spawnCli(['watch', '--for', '6']);
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  const watching = new Promise<void>((resolve) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (/Watching your contacts/.test(stderr)) resolve(); });
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await watching;
  await new Promise((r) => setTimeout(r, 1500));
  sim.control.setPresence(who, { availability: 'DoNotDisturb', activity: 'presenting', note: 'Roadmap review, back at 3' });
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, new RegExp(`Watching your contacts' presence as ${DEMO.replace(/[.]/g, '\\.')} for 6 s; Ctrl\\+C to stop\\.`));
  const mine = stdout.split('\n').filter((l) => l.includes(`<${who.replace(/^sip:/, '')}>`));
  assert.ok(mine.length >= 1, stdout);
  const last = mine.at(-1)!;
  assert.match(last, /^\[\d\d:\d\d:\d\d\] /, 'the time first');
  assert.match(last, /Do not disturb/);
  assert.ok(last.includes(name.slice(0, 28)), last);
  assert.match(last, /Presenting — Roadmap review, back at 3$/);
  assert.doesNotMatch(stdout, /^\{/m, 'no JSON without --json');
  sim.control.clearPresence(who);
});

