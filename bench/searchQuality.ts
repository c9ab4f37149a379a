// Search as you type on the large history, newest first, against its two neighbours in the same
// run: the naive peer (a LIKE '%word%' scan ordered by time — what flat-file clients do) and the
// raw FTS5 floor (a bare MATCH … LIMIT, unordered, no join). And a quality figure: over a query
// set, is the NEWEST matching message on the first page? — for the store, for the LIKE peer, and
// for what the store did before (highest row ids taken as the newest: wrong when the sync stores
// the newest conversations first, as buildHistory does).
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../main/core/store/sqlite.ts';
import { ftsQuery, searchWords } from '../main/core/store/keys.ts';
import type { SqliteStore } from '../main/core/store/sqliteStore.ts';
import type { Figure } from './store.ts';
import { rng } from './store.ts';

const PAGE = 20;
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const p99 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? NaN; };

export async function benchSearchQuality(store: SqliteStore, path: string, quick: boolean): Promise<Record<string, Figure>> {
  const out: Record<string, Figure> = {};
  const db = openDatabase(path, { readonly: true });
  try {
    // The query set: the bench's named queries, then words of random messages (every frequency).
    const r = rng(11);
    const maxId = db.prepare<number>('SELECT max(id) FROM messages').pluck().get() as unknown as number;
    const words: string[] = [];
    const pick = db.prepare<string>('SELECT text FROM messages WHERE id = ?').pluck();
    while (words.length < (quick ? 12 : 40)) {
      const text = pick.get(1 + Math.floor(r() * maxId)) as unknown as string | undefined;
      const ws = (text ?? '').split(' ').filter((w) => /^[a-z]{4,}$/.test(w));
      const w = ws[Math.floor(r() * ws.length)];
      if (w && !words.includes(w)) words.push(w);
    }
    const queries = ['meeting', 'zeppelin', 'quarterly', 'meeting quarterly', ...words];

    // Ground truth: the newest time of any match, by an exhaustive max() over every match.
    const truth = (q: string) => db.prepare<number>(
      `SELECT max(m.at) FROM messages_fts f JOIN message_search_keys k ON k.key = f.rowid JOIN messages m ON m.id = k.message_id
       WHERE messages_fts MATCH ?`,
    ).pluck().get(ftsQuery(q, () => null)) as unknown as number;
    const byRowId = db.prepare<number>(
      `SELECT m.at FROM messages_fts f JOIN message_search_keys k ON k.key = f.rowid JOIN messages m ON m.id = k.message_id
       WHERE messages_fts MATCH ? ORDER BY m.id DESC LIMIT ${PAGE}`,
    ).pluck();
    const floor = db.prepare<number>(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? LIMIT ${PAGE}`).pluck();
    const like = (q: string) => {
      const ws = searchWords(q);
      return db.prepare<number>(`SELECT at FROM messages WHERE ${ws.map(() => 'text LIKE ?').join(' AND ')} ORDER BY at DESC LIMIT ${PAGE}`)
        .pluck().all(...ws.map((w) => `%${w}%`)) as unknown as number[];
    };

    let storeOk = 0;
    let bestOk = 0;
    let rowIdOk = 0;
    let likeOk = 0;
    const tNewest: number[] = [];
    const tFloor: number[] = [];
    const tLike: number[] = [];
    const reps = quick ? 3 : 10;
    for (const q of queries) {
      const newest = truth(q);
      await store.searchPage(q, { sort: 'newest', limit: PAGE }); // warm
      let page = await store.searchPage(q, { sort: 'newest', limit: PAGE });
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        page = await store.searchPage(q, { sort: 'newest', limit: PAGE });
        tNewest.push(performance.now() - t0);
      }
      if (page.hits.some((h) => h.at === newest)) storeOk++;
      if ((await store.searchPage(q, { sort: 'best', limit: PAGE })).hits.some((h) => h.at === newest)) bestOk++;
      if ((byRowId.all(ftsQuery(q, () => null)) as unknown as number[]).includes(newest)) rowIdOk++;
      const match = ftsQuery(q, () => null);
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        floor.all(match);
        tFloor.push(performance.now() - t0);
      }
      // The LIKE peer reads every row: a few runs are enough.
      const t0 = performance.now();
      const likeAts = like(q);
      tLike.push(performance.now() - t0);
      if (likeAts.includes(newest)) likeOk++;
    }
    const n = queries.length;
    out['store.search.newestFirst.p50'] = { value: round(median(tNewest), 3), unit: 'ms', floor: round(median(tFloor), 3), target: '< 10 (page of 20 + count)' };
    out['store.search.newestFirst.p99'] = { value: round(p99(tNewest), 3), unit: 'ms', floor: round(p99(tFloor), 3), target: '< 10' };
    out['store.search.ftsFloor.p50'] = { value: round(median(tFloor), 3), unit: 'ms' };
    out['store.search.naiveLike.p50'] = { value: round(median(tLike), 1), unit: 'ms' };
    out['store.search.naiveLike.p99'] = { value: round(p99(tLike), 1), unit: 'ms' };
    out['store.search.quality.newestOnFirstPage'] = { value: round(storeOk / n, 3), unit: `fraction of ${n} queries`, target: '1' };
    out['store.search.quality.bestMatchHasNewest'] = { value: round(bestOk / n, 3), unit: `fraction of ${n} queries` };
    out['store.search.quality.naiveLikeNewestOnFirstPage'] = { value: round(likeOk / n, 3), unit: `fraction of ${n} queries` };
    out['store.search.quality.byRowIdNewestOnFirstPage'] = { value: round(rowIdOk / n, 3), unit: `fraction of ${n} queries (before: highest ids = newest)` };
    return out;
  } finally {
    db.close();
  }
}
