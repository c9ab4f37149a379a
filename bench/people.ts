// People benchmarks (issue 13): a contact list of 1 000 people in 30 groups.
//   - from the cache: the SQLite store reopened (cold), contactList() timed, beside a floor that
//     reads the same rows with bare SQL in the same run;
//   - subscribing everyone: the requests a real sign-in costs against the simulator, beside what the
//     server's limits require (one presenceSubscription per maxPresenceSubscriptionUris people) —
//     and the presence / note / location reads that follow (the subscription's events, then each
//     member's note once), beside the floor of one batch (P1 §8.4, at most 100 parts) per 100 parts
//     read. Parts are counted inside the batch bodies; the counters are read once the reads are over.
// The renderer's figures (the People view painted, a presence change reaching its dot) are in
// bench/renderer.ts, which drives the real window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../simulator/index.ts';
import type { SimUser } from '../simulator/types.ts';
import { createMessengerService } from '../main/core/app/service.ts';
import { defaultTiming } from '../main/core/app/deps.ts';
import { createSqliteStore, databaseFileName } from '../main/core/store/sqliteStore.ts';
import { openDatabase } from '../main/core/store/sqlite.ts';
import { benchPeopleRenderer } from './peopleRenderer.ts';
import { bigContactList, GROUPS, personSip } from './peopleWorld.ts';

type Figures = Record<string, { value: number; unit: string; floor?: number; target?: string; met?: boolean }>;

const ME = 'sip:bench@contoso.com';
const URIS_PER_SUBSCRIPTION = 250; // the simulator's default, PROTOCOL-2 §1.8
const BATCH_PARTS = 100;
// The client's own batch size (defaultTiming.presenceBatchParts): half the server's 100 outstanding
// requests per user, which this app's other requests and the user's other devices share.
const CLIENT_BATCH_PARTS = defaultTiming.presenceBatchParts;


function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function fromCache(n: number, runs: number): Promise<{ ms: number; floor: number; people: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-bench-people-'));
  try {
    const seed = await createSqliteStore({ dataDir: dir, account: ME, checkpointIntervalMs: 0 });
    await seed.replaceContactList(bigContactList(n));
    for (let i = 0; i < n; i += 3) {
      await seed.patchPerson(personSip(i), { presence: { availability: i % 2 ? 'Busy' : 'Online', activity: 'in-a-meeting' }, note: { message: `Note of person ${i}` } });
    }
    await seed.close();
    const times: number[] = [];
    const floors: number[] = [];
    let people = 0;
    for (let r = 0; r < runs; r++) {
      const store = await createSqliteStore({ dataDir: dir, account: ME, checkpointIntervalMs: 0 });
      const t0 = performance.now();
      const list = await store.contactList();
      times.push(performance.now() - t0);
      people = list.people.length;
      await store.close();
      // Floor: the same rows with bare SQL, no mapping, in a freshly opened database.
      const db = openDatabase(join(dir, databaseFileName(ME)), { readonly: true });
      const f0 = performance.now();
      db.prepare('SELECT * FROM contact_groups').all();
      db.prepare('SELECT * FROM contact_group_members').all();
      db.prepare('SELECT * FROM people WHERE sip IN (SELECT sip FROM contact_group_members)').all();
      floors.push(performance.now() - f0);
      db.close();
    }
    return { ms: median(times), floor: median(floors), people };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isReadPath = (path: string) => /\/(presence|note|location)$/.test(path) && path.includes('/people/');

/** GET request lines of a multipart/batching body that read a person's presence, note or location. */
function readPartsIn(body: unknown): number {
  if (typeof body !== 'string') return 0;
  return [...body.matchAll(/^GET (\S+) HTTP\/1\.1\r?$/gm)].filter((m) => isReadPath(m[1]!.split('?')[0]!)).length;
}

async function subscribeAll(n: number): Promise<{ subscribeRequests: number; presenceReads: number; presenceGets: number; readParts: number; coveredMs: number; covered: number }> {
  const people: SimUser[] = Array.from({ length: n }, (_, i) => ({ sip: personSip(i), name: `Person ${i} Example` }));
  const list = bigContactList(n);
  const favourites = list.groups[0]!.members;
  const sim = await startSimulator({
    demoWorld: false,
    timeScale: 1,
    maxContacts: n + 10,
    users: [
      { sip: ME, name: 'Bench User', password: 'bench', contactList: { favourites, groups: list.groups.slice(1).map((g) => ({ name: g.name, members: g.members })) } },
      ...people,
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-bench-people-sub-'));
  const store = await createSqliteStore({ dataDir: dir, account: ME, checkpointIntervalMs: 0 });
  let subscribeRequests = 0;
  let presenceReads = 0;
  let presenceGets = 0;
  let readParts = 0;
  let lastRead = 0;
  const svc = createMessengerService({
    fetch: (url, init) => {
      const method = (init?.method ?? 'GET').toUpperCase();
      const path = new URL(url).pathname;
      if (method === 'POST' && /presenceSubscription/i.test(path)) subscribeRequests++;
      if (method === 'POST' && /\/batch$/.test(path)) {
        presenceReads++;
        readParts += readPartsIn(init?.body);
        lastRead = Date.now();
      }
      if (method === 'GET' && isReadPath(path)) {
        presenceReads++;
        presenceGets++;
        readParts++;
        lastRead = Date.now();
      }
      return fetch(url, init);
    },
    store,
    endpointId: 'bench-people',
    log: process.env.BENCH_LOG ? (l) => console.error(l) : undefined,
  });
  try {
    const t0 = performance.now();
    await svc.signIn({ sip: ME, password: 'bench', server: sim.url });
    let covered = 0;
    // Until the server's subscriptions cover everyone and every presence has been read (bounded).
    const deadline = Date.now() + 120_000;
    for (;;) {
      covered = new Set(sim.control.presenceSubscriptions(ME).flatMap((s) => s.uris)).size;
      const read = (await store.contactList()).people.filter((p) => p.presence !== null).length;
      if ((covered >= n && read >= n) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const coveredMs = performance.now() - t0;
    // The members' notes are read after the presence burst: count them too, once reads have been
    // quiet for a while (else the figure depends on how many happened to be under way).
    while (Date.now() - lastRead < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return { subscribeRequests, presenceReads, presenceGets, readParts, coveredMs, covered };
  } finally {
    await svc.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchPeople(opts: { quick?: boolean } = {}): Promise<Figures> {
  const n = opts.quick ? 200 : 1000;
  const cache = await fromCache(n, opts.quick ? 3 : 7);
  const sub = await subscribeAll(n);
  const subscribeFloor = Math.ceil(n / URIS_PER_SUBSCRIPTION);
  const readFloor = Math.ceil(sub.readParts / BATCH_PARTS);
  const view = await benchPeopleRenderer(opts);
  return {
    ...view,
    [`people: contact list of ${cache.people} in ${GROUPS} groups from the cache`]: { value: Math.round(cache.ms * 10) / 10, unit: 'ms', floor: Math.round(cache.floor * 10) / 10, target: '< 100 ms', met: cache.ms < 100 },
    [`people: presence subscription requests for ${n} people`]: { value: sub.subscribeRequests, unit: 'requests', floor: subscribeFloor, target: `= ceil(${n} / ${URIS_PER_SUBSCRIPTION}) (the server's limit)`, met: sub.subscribeRequests <= subscribeFloor },
    [`people: presence read requests after subscribing ${n} people`]: { value: sub.presenceReads, unit: 'requests', floor: readFloor, target: `<= ceil(${sub.readParts} parts / ${CLIENT_BATCH_PARTS}): one batch per ${CLIENT_BATCH_PARTS} parts, half the server's ${BATCH_PARTS} (${sub.presenceGets} single GETs)`, met: sub.presenceReads <= Math.ceil(sub.readParts / CLIENT_BATCH_PARTS) },
    [`people: sign-in until ${n} people are subscribed and read`]: { value: Math.round(sub.coveredMs), unit: 'ms', target: `all ${n} covered (${sub.covered})`, met: sub.covered >= n },
  };
}
