// Presence read in batches over the simulator (PROTOCOL.md §8.4; PROTOCOL-2 §1.8 "batch-GET the
// presences"): after a subscription covers ~150 contacts, their presence (and then their notes)
// comes in multipart/batching POSTs of at most presenceBatchParts parts, with no single presence
// GET; and a server that answers the batch with 501 still delivers every presence, by single GETs,
// after one try.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { service, signIn, sim, TEST_TIMING, until } from './helpers.ts';
import type { MessengerDeps } from '../../main/core/app/deps.ts';
import { defaultTiming } from '../../main/core/app/deps.ts';
import type { Simulator, SimUser } from '../../simulator/index.ts';

const ME = 'sip:me@contoso.com';
const PW = 'pw';
const N = 150;
const contacts = Array.from({ length: N }, (_, i) => `sip:p${String(i).padStart(3, '0')}@contoso.com`);

function world(): SimUser[] {
  return [
    { sip: ME, name: 'Me Myself', password: PW, contactList: { favourites: contacts.slice(0, 2), other: contacts.slice(2) } },
    ...contacts.map((sip, i) => ({ sip, name: `Person ${i}`, presence: { availability: i % 3 ? 'Online' : 'Busy' } })),
  ];
}

interface Traffic {
  /** Batch POSTs: the paths of their GET parts. */
  batches: string[][];
  /** Plain GETs of a person's presence / note / location. */
  singles: string[];
  lastRead: number;
}

const isRead = (path: string) => /\/people\/[^/]+\/(presence|note|location)$/.test(path);

/** A fetch that counts the reads, batch parts included (read from the request body). */
function counting(t: Traffic): MessengerDeps['fetch'] {
  return (url, init) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const path = new URL(url).pathname;
    if (method === 'POST' && /\/batch$/.test(path)) {
      const body = typeof init.body === 'string' ? init.body : '';
      t.batches.push([...body.matchAll(/^GET (\S+) HTTP\/1\.1\r$/gm)].map((m) => new URL(m[1]!, url).pathname));
      t.lastRead = Date.now();
    } else if (method === 'GET' && isRead(path)) {
      t.singles.push(path);
      t.lastRead = Date.now();
    }
    return fetch(url, init);
  };
}

async function run(fn: (s: Simulator, t: Traffic, logs: string[], h: ReturnType<typeof service>) => Promise<void>, before?: (s: Simulator) => void): Promise<void> {
  const s = await sim({ demoWorld: false, presenceRhythm: false, users: world() });
  const t: Traffic = { batches: [], singles: [], lastRead: 0 };
  const logs: string[] = [];
  before?.(s);
  const h = service(s, { fetch: counting(t), log: (l) => logs.push(l), timing: TEST_TIMING });
  try {
    await signIn(h, s, ME, PW);
    await fn(s, t, logs, h);
  } finally {
    await h.service.close();
    await s.stop();
  }
}

const allPresent = async (h: ReturnType<typeof service>) => (await h.store.getPeople(contacts)).filter((p) => p?.presence).length === N;
/** The reads after the burst (the members' notes come after their presence): quiet for 300 ms. */
const quiet = (t: Traffic) => until(() => t.lastRead > 0 && Date.now() - t.lastRead > 300, 'the reads to end');

test(`${N} contacts subscribed: every presence in the store, read in at most ceil(parts / ${defaultTiming.presenceBatchParts}) batch POSTs and no single presence GET`, () => run(async (s, t, _logs, h) => {
  await until(() => new Set(s.control.presenceSubscriptions(ME).flatMap((x) => x.uris)).size === N || null, 'all subscribed');
  await until(() => allPresent(h), 'every presence read');
  await quiet(t);
  const max = defaultTiming.presenceBatchParts;
  const parts = t.batches.flat();
  const presenceParts = parts.filter((p) => p.endsWith('/presence'));
  assert.equal(new Set(presenceParts).size, N, 'every contact\'s presence was a part of a batch');
  assert.ok(t.batches.every((b) => b.length >= 2 && b.length <= max), `batch sizes ${t.batches.map((b) => b.length).join(',')}`);
  assert.ok(t.batches.length <= Math.ceil(parts.length / max), `${t.batches.length} batches for ${parts.length} parts (sizes ${t.batches.map((b) => b.length).join(',')})`);
  assert.deepEqual(t.singles.filter((p) => p.endsWith('/presence')), [], 'no single presence GET');
  // The served presence is the stored one (the parts were matched to the right people).
  const busy = (await h.store.getPeople(contacts)).filter((p) => p?.presence?.availability === 'Busy').map((p) => p!.sip);
  assert.deepEqual(busy.sort(), contacts.filter((_, i) => i % 3 === 0));
}));

test('the batch route answers 501: presence still arrives for everyone, by single GETs, after one batch try (logged once)', () => run(async (_s, t, logs, h) => {
  await until(() => allPresent(h), 'every presence read, without batches');
  await quiet(t);
  assert.equal(t.batches.length, 1, 'one try, then single GETs for the session');
  assert.equal(new Set(t.singles.filter((p) => p.endsWith('/presence'))).size, N);
  assert.equal(logs.filter((l) => /^batch: .*501/.test(l)).length, 1, logs.filter((l) => l.startsWith('batch')).join('\n'));
}, (s) => s.control.addFault({ route: '/batch', method: 'POST', status: 501 })));
