// The transcript's rows (Conversation.tsx draws them): day separators, "New", the messages grouped by
// sender, and a live group's joined / left lines (issue 14) interleaved by time. Those lines are not
// messages — never stored, never searched — only rows drawn between them. Pure, for node's tests.
import type { Message } from '../main/ipc/contract.ts';
import type { RosterChange } from './groupView.ts';

export type Row =
  | { kind: 'day'; key: string; at: number }
  | { kind: 'new'; key: string }
  | { kind: 'msg'; key: string; m: Message; head: boolean }
  | { kind: 'change'; key: string; c: RosterChange }
  /** You left the group: its last line. */
  | { kind: 'left'; key: string; at: number };

/** Messages of one sender within this time are one group of bubbles (one name, one picture). */
export const GROUP_GAP = 5 * 60_000;

// As text.tsx's startOfDay (that file holds JSX, which node's test runner cannot load).
function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * The rows for `messages` (sorted by time), "New" before `unreadFrom` (a message id), the group's
 * `changes` placed by their time, and "You left" at `leftAt` (last: nothing comes after it here).
 */
export function buildRows(messages: readonly Message[], unreadFrom: number | null, changes: readonly RosterChange[] = [], leftAt: number | null = null): Row[] {
  const rows: Row[] = [];
  let prev: Message | null = null;
  let lastDay: string | null = null;
  // A stand-in time (atEstimated) says nothing of the day: such messages sit under "Unknown date"
  // (dayLabel of NaN), not under the day of their stand-in (1 January 1970 for a log without a time).
  const dayOf = (m: Message): string => (m.atEstimated ? 'unknown' : String(startOfDay(m.at)));
  const lines = [...changes].sort((a, b) => a.at - b.at);
  let next = 0;
  const dayRow = (day: string, at: number, key: string) => {
    if (day === lastDay) return false;
    rows.push({ kind: 'day', key: `d${day}-${key}`, at });
    lastDay = day;
    return true;
  };
  const flushLines = (upTo: number) => {
    while (next < lines.length && (lines[next] as RosterChange).at <= upTo) {
      const c = lines[next] as RosterChange;
      dayRow(String(startOfDay(c.at)), c.at, `c${next}`);
      rows.push({ kind: 'change', key: `c${c.at}-${next}`, c });
      next++;
      // The next message says who wrote it again: a line came between.
      prev = null;
    }
  };
  for (const m of messages) {
    // Lines sit among the messages of known times only (a stand-in time places nothing).
    if (!m.atEstimated) flushLines(m.at);
    const day = dayOf(m);
    const newDay = dayRow(day, m.atEstimated ? Number.NaN : m.at, String(m.id));
    const isNew = m.id === unreadFrom;
    if (isNew) rows.push({ kind: 'new', key: 'new' });
    const sameAuthor = prev && (prev.author?.sip ?? '') === (m.author?.sip ?? '') && prev.direction === m.direction;
    const head = newDay || isNew || !sameAuthor || m.at - (prev?.at ?? 0) > GROUP_GAP;
    rows.push({ kind: 'msg', key: `m${m.id}`, m, head });
    prev = m;
  }
  flushLines(Number.POSITIVE_INFINITY);
  if (leftAt !== null) {
    dayRow(String(startOfDay(leftAt)), leftAt, 'left');
    rows.push({ kind: 'left', key: 'left', at: leftAt });
  }
  return rows;
}

/** The day a row belongs to (NaN: unknown), for the date that stays at the top while scrolling. */
export function dayOfRow(rows: readonly Row[], i: number): number | null {
  for (let j = i; j >= 0; j--) {
    const r = rows[j];
    if (r?.kind === 'day') return r.at;
    if (r?.kind === 'msg') return r.m.atEstimated ? Number.NaN : startOfDay(r.m.at);
    if (r?.kind === 'change') return startOfDay(r.c.at);
    if (r?.kind === 'left') return startOfDay(r.at);
  }
  return null;
}
