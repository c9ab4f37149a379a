// The verdict, from the evidence only: the typed logs (what each user typed), what the server
// received (all simulator incarnations), and each account's SQLite database (what the receiver
// stored, what the sender's outbox says). Run after every process has stopped.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteStore, databaseFileName } from '../../main/core/store/sqliteStore.ts';
import { openDatabase } from '../../main/core/store/sqlite.ts';
import type { OutboxItem } from '../../main/core/store/types.ts';
import { ACCOUNTS, parseMessage, peerOf } from './accounts.ts';
import type { Side } from './accounts.ts';
import type { SoakRun } from './run.ts';
import { scanSoakMessages } from './storeScan.ts';
import type { SoakRow } from './storeScan.ts';
import { readTypedLog } from './typedLog.ts';

export interface DirectionFigures {
  typed: number;
  /** Persisted by the sender (in its database or seen downstream) but not in the typed log: killed in between. */
  unlogged: number;
  receivedByServer: number;
  /** Seqs the server received more than once, and the extra copies — not counting the messages the
   * sender re-sent after an uncertain outcome and shows as "may have arrived twice" (counted apart). */
  serverDuplicated: number;
  serverExtraCopies: number;
  /** Seqs received more than once that the sender flagged "may have arrived twice". */
  serverDuplicatedFlagged: number;
  /** Typed, never stored in the receiver's database. */
  lost: number;
  /** Lost although the sender's outbox says delivered. */
  lostSilently: number;
  /** Seqs stored more than once in the receiver's database (flagged ones apart, as above). */
  storedDuplicated: number;
  storedDuplicatedFlagged: number;
  /** Messages the receiver stores (by at, id) behind a higher seq of the same sender; same for the server's order. */
  outOfOrderStored: number;
  outOfOrderServer: number;
  /** Still pending in the sender's outbox after the drain (queued / sending / accepted / uncertain). */
  stuck: number;
  failed: number;
  uncertain: number;
  maybeDuplicate: number;
  uncertainOrMaybeDuplicate: number;
  /** Final outbox state of every typed message ('missing': no outbox item at all). */
  outcomes: Record<string, number>;
  /** The failed items' reasons, as the outbox recorded them. */
  failedReasons: Record<string, number>;
}

export interface Analysis {
  directions: Record<'A→B' | 'B→A', DirectionFigures>;
  integrity: Record<Side, string>;
}

interface SideData {
  rows: SoakRow[];
  items: Map<string, OutboxItem>;
  pending: OutboxItem[];
}

const PENDING = new Set(['queued', 'sending', 'accepted', 'uncertain']);
const DELIVERED = new Set(['delivered', 'sent']);

function integrityCheck(dataDir: string, sip: string): string {
  const file = join(dataDir, databaseFileName(sip));
  if (!existsSync(file)) return 'no database';
  try {
    const db = openDatabase(file, { readonly: true, fileMustExist: true });
    try {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('; ');
    } finally {
      db.close();
    }
  } catch (err) {
    return `cannot open: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function readSide(run: SoakRun, side: Side): Promise<SideData> {
  const store = await createSqliteStore({ dataDir: run.dataDirs[side], account: ACCOUNTS[side].sip });
  try {
    const rows = await scanSoakMessages(store);
    const ids = new Set(readTypedLog(run.typedLogs[side]).map((e) => e.clientId));
    for (const r of rows) if (r.from === side && r.clientId) ids.add(r.clientId);
    const items = new Map<string, OutboxItem>();
    for (const id of ids) {
      const it = await store.outboxItem(id);
      if (it) items.set(id, it);
    }
    return { rows, items, pending: await store.pendingOutbox() };
  } finally {
    await store.close();
  }
}

/** How many of `seqs` (in the order seen, first occurrences) come after a higher one. */
function outOfOrder(seqs: number[]): number {
  const seen = new Set<number>();
  let max = -1;
  let n = 0;
  for (const s of seqs) {
    if (seen.has(s)) continue;
    seen.add(s);
    if (s < max) n += 1;
    else max = s;
  }
  return n;
}

function counts(seqs: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of seqs) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

function direction(run: SoakRun, from: Side, sender: SideData, receiver: SideData): DirectionFigures {
  const typed = readTypedLog(run.typedLogs[from]);
  const typedSeqs = new Set(typed.map((e) => e.seq));
  const serverSeqs = run.ledger
    .received()
    .filter((r) => r.from === ACCOUNTS[from].sip)
    .map((r) => parseMessage(r.text))
    .filter((p) => p?.from === from)
    .map((p) => (p as { seq: number }).seq);
  const stored = receiver.rows.filter((r) => r.from === from && r.direction === 'Incoming').map((r) => r.seq);
  const own = sender.rows.filter((r) => r.from === from && r.direction === 'Outgoing').map((r) => r.seq);
  const serverCounts = counts(serverSeqs);
  const storedCounts = counts(stored);
  const unlogged = new Set([...own, ...serverSeqs, ...stored].filter((s) => !typedSeqs.has(s)));

  const outcomes: Record<string, number> = {};
  let lost = 0;
  let lostSilently = 0;
  for (const e of typed) {
    const state = sender.items.get(e.clientId)?.state ?? 'missing';
    outcomes[state] = (outcomes[state] ?? 0) + 1;
    if (!storedCounts.has(e.seq)) {
      lost += 1;
      if (DELIVERED.has(state)) lostSilently += 1;
    }
  }
  const mine = [...sender.items.values()].filter((it) => parseMessage(it.text)?.from === from);
  const failed = mine.filter((it) => it.state === 'failed');
  const failedReasons: Record<string, number> = {};
  for (const it of failed) failedReasons[it.lastError ?? '(no reason)'] = (failedReasons[it.lastError ?? '(no reason)'] ?? 0) + 1;
  const isUncertain = (it: OutboxItem) => (it.state as string) === 'uncertain';
  const isMaybeDup = (it: OutboxItem) => (it as { maybeDuplicate?: boolean }).maybeDuplicate === true;
  // The issue counts uncertain messages apart: a flagged re-send is shown to the user as such.
  const flagged = new Set(mine.filter(isMaybeDup).map((it) => parseMessage(it.text)?.seq).filter((x): x is number => x !== undefined));
  const dupSeqs = (m: Map<number, number>) => [...m.entries()].filter(([, n]) => n > 1);
  return {
    typed: typed.length,
    unlogged: unlogged.size,
    receivedByServer: serverCounts.size,
    serverDuplicated: dupSeqs(serverCounts).filter(([seq]) => !flagged.has(seq)).length,
    serverExtraCopies: dupSeqs(serverCounts).filter(([seq]) => !flagged.has(seq)).reduce((a, [, n]) => a + n - 1, 0),
    serverDuplicatedFlagged: dupSeqs(serverCounts).filter(([seq]) => flagged.has(seq)).length,
    lost,
    lostSilently,
    storedDuplicated: dupSeqs(storedCounts).filter(([seq]) => !flagged.has(seq)).length,
    storedDuplicatedFlagged: dupSeqs(storedCounts).filter(([seq]) => flagged.has(seq)).length,
    outOfOrderStored: outOfOrder(stored),
    outOfOrderServer: outOfOrder(serverSeqs),
    stuck: sender.pending.filter((it) => parseMessage(it.text)?.from === from && PENDING.has(it.state)).length,
    failed: failed.length,
    uncertain: mine.filter(isUncertain).length,
    maybeDuplicate: mine.filter(isMaybeDup).length,
    uncertainOrMaybeDuplicate: mine.filter((it) => isUncertain(it) || isMaybeDup(it)).length,
    outcomes,
    failedReasons,
  };
}

export async function analyze(run: SoakRun): Promise<Analysis> {
  // Integrity first, on the files exactly as the agents left them.
  const integrity = { A: integrityCheck(run.dataDirs.A, ACCOUNTS.A.sip), B: integrityCheck(run.dataDirs.B, ACCOUNTS.B.sip) };
  const data = { A: await readSide(run, 'A'), B: await readSide(run, 'B') };
  return {
    directions: {
      'A→B': direction(run, 'A', data.A, data[peerOf('A')]),
      'B→A': direction(run, 'B', data.B, data[peerOf('B')]),
    },
    integrity,
  };
}
