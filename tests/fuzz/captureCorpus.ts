// Records the simulator's real answers (sign-in, application, event batches with invitations and
// messages, conversation logs, transcript pages, people search) into tests/fuzz/corpus.json: the
// valid shapes the fuzz mutates. Committed, so a seed and an index name the same input on every
// machine; re-run after the simulator's shapes change:  node tests/fuzz/captureCorpus.ts
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ME, service, sim, until } from '../integration/helpers.ts';
import type { MessengerDeps } from '../../main/core/app/deps.ts';
import type { Corpus, CorpusEntry } from './corpus.ts';

const entries: CorpusEntry[] = [];
const s = await sim({ demoConversations: 4 });
const origin = s.origin;
// Hrefs become origin-relative, so the fuzz can serve them from any port.
const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null).split(origin).join(''));

const recording: MessengerDeps['fetch'] = async (url, init) => {
  const res = await fetch(url, init);
  const copy = res.clone();
  const text = await copy.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const u = new URL(url);
  entries.push({
    method: init.method ?? 'GET',
    path: `${u.pathname}${u.search}`.split(origin).join(''),
    status: res.status,
    headers: Object.fromEntries(['www-authenticate', 'location', 'content-type'].flatMap((h) => {
      const v = res.headers.get(h);
      return v ? [[h, v.split(origin).join('')]] : [];
    })),
    json: strip(json),
  });
  return res;
};

const h = service(s, { fetch: recording });
try {
  await h.service.signIn({ sip: ME, password: 'demo', server: s.url });
  await until(() => !h.service.syncProgress().running && h.service.syncProgress().total > 0, 'first sync', 10_000);
  const bob = s.people[0]!.sip;
  const ids: number[] = [];
  h.service.on('invitation', (i) => ids.push(i.conversationId));
  await s.control.sendIm(bob, ME, 'Hi there, <b>plain</b> & "quoted"', { html: '<p>Hi <b>there</b></p><ul><li>one</li></ul>' });
  const conv = await until(() => ids[0], 'invitation');
  const sending = await h.service.send(conv, 'Answer with ünïcödé ✓');
  await sending.delivered;
  const live = s.control.liveConversations(ME).find((c) => c.state === 'Connected' && c.participants.includes(bob));
  if (live) {
    await s.control.setTyping(live.threadId, bob, true);
    await s.control.sendInConversation(live.threadId, bob, 'second line\nwith a break');
  }
  await h.service.searchPeople('a', 5);
  await new Promise((r) => setTimeout(r, 300));
  await h.service.hangUp(conv);
  await new Promise((r) => setTimeout(r, 200));
  await h.service.syncNow();
} finally {
  await h.service.close();
  await s.stop();
}

// Only answers with a body are worth mutating; repeated empty P-GET answers are kept once.
const seen = new Set<string>();
const corpus: Corpus = {
  note: 'Recorded from the simulator by tests/fuzz/captureCorpus.ts; hrefs made origin-relative.',
  entries: entries.filter((e) => {
    const key = JSON.stringify([e.method, e.path.replace(/\d+/g, 'N'), e.status, e.json]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }),
};
const file = join(dirname(fileURLToPath(import.meta.url)), 'corpus.json');
writeFileSync(file, `${JSON.stringify(corpus, null, 1)}\n`);
console.log(`${corpus.entries.length} answers written to ${file}`);
