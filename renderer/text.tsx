// Small text helpers: search snippets, autolinked plain text, names and times.
import { Fragment, type ReactNode } from 'react';
import type { Person } from '../main/ipc/contract.ts';
import { emojify } from './emoticons.ts';

const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';

/** Search snippets mark matches with U+E000 … U+E001: split and render <mark>, never parse HTML. */
export function Highlight({ snippet }: { snippet: string }): ReactNode {
  // Snippets are short (the store cuts them), but one that is not must not cost more than its
  // length: at most MAX_MARKS marks, the rest as plain text; positions advance, nothing is re-scanned.
  const out: ReactNode[] = [];
  let at = 0;
  let marks = 0;
  const plain = (from: number, to: number) => {
    if (to > from) out.push(<Fragment key={`t${from}`}>{snippet.slice(from, to).replaceAll(MARK_CLOSE, '').replaceAll(MARK_OPEN, '')}</Fragment>);
  };
  while (at < snippet.length) {
    const open = marks < MAX_MARKS ? snippet.indexOf(MARK_OPEN, at) : -1;
    if (open < 0) {
      plain(at, snippet.length);
      break;
    }
    plain(at, open);
    const close = snippet.indexOf(MARK_CLOSE, open + 1);
    const end = close < 0 ? snippet.length : close;
    out.push(<mark key={`m${open}`}>{snippet.slice(open + 1, end).replaceAll(MARK_OPEN, '')}</mark>);
    marks++;
    at = end + 1;
  }
  return <>{out}</>;
}

/** More marks than a snippet of the store ever has (it marks matched words in ~64 tokens). */
const MAX_MARKS = 64;

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const TRAILING = '.,;:!?)]}\'’"';

/** `s` without the characters of `set` at its end (each character looked at once). */
export function trimTrailing(s: string, set: string): string {
  let end = s.length;
  while (end > 0 && set.includes(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/** Plain text with http(s) URLs turned into links (which open through ucwa.openExternal) and
 * emoticons outside them shown as emoji. */
export function Autolink({ text }: { text: string }): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    // Trailing punctuation belongs to the sentence, not the link. A loop from the end, not
    // /[.,;:!?)…]+$/: that regex retries at every dot of a run, quadratic on "https://a" + 80 000
    // dots + "x" (issue 11: 3.9 s).
    url = trimTrailing(url, TRAILING);
    const start = m.index ?? 0;
    if (start > last) parts.push(emojify(text.slice(last, start)));
    const href = url.startsWith('www.') ? `https://${url}` : url;
    parts.push(<a key={start} href={href} target="_blank" rel="noopener noreferrer">{url}</a>);
    last = start + url.length;
  }
  if (last < text.length) parts.push(emojify(text.slice(last)));
  return <>{parts}</>;
}

export function displayName(p: Person | null | undefined): string {
  if (!p) return 'Someone';
  return p.name || p.sip.replace(/^sip:/i, '');
}

export function participantsLabel(people: Person[], self?: string | null): string {
  const others = people.filter((p) => !self || p.sip.toLowerCase() !== self.toLowerCase());
  const list = others.length ? others : people;
  if (!list.length) return 'No participants';
  return list.map(displayName).join(', ');
}

/** The first letters of the first two words ("Lene Andersen" → "LA", "sip:kenji.sato@…" → "KS"). */
export function initials(name: string): string {
  const s = /^sip:/i.test(name) ? name.slice(4) : name;
  const firsts: string[] = [];
  let inWord = false;
  // Stops after the second word: a name of any length costs two words.
  for (let i = 0; i < s.length && firsts.length < 2; i++) {
    const sep = /[\s@._-]/.test(s[i]!);
    if (!sep && !inWord) firsts.push(s[i]!);
    inWord = !sep;
  }
  return ((firsts[0] ?? '?') + (firsts[1] ?? '')).toUpperCase();
}

/** Stable hue bucket for avatar colours (classes av0..av7, contrast-checked in app.css). */
export function avatarClass(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return `av${Math.abs(h) % 8}`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dateFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const dateYearFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** A time Date can hold (mirrors isDateTime of main/core/limits.ts: the renderer takes only types
 * from main). The store guarantees it; a damaged database or a bug must not throw here (Intl's
 * format throws RangeError "Invalid time value" on anything else). */
const valid = (ms: number): boolean => Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
export const UNKNOWN_TIME = 'time unknown';

export function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** List time: today → 14:05, this week → Tue, this year → 3 Mar, else 3 Mar 2024. */
export function shortTime(ms: number, now = Date.now()): string {
  if (!valid(ms)) return UNKNOWN_TIME;
  const today = startOfDay(now);
  if (ms >= today) return timeFmt.format(ms);
  if (ms >= today - 6 * 86_400_000) return weekdayFmt.format(ms);
  if (new Date(ms).getFullYear() === new Date(now).getFullYear()) return dateFmt.format(ms);
  return dateYearFmt.format(ms);
}

/** A `<time dateTime>` value; empty for a time Date cannot hold (toISOString would throw). */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export const clockTime = (ms: number): string => (valid(ms) ? timeFmt.format(ms) : UNKNOWN_TIME);
export const fullTime = (ms: number): string => (valid(ms) ? fullFmt.format(ms) : UNKNOWN_TIME);

export function dayLabel(ms: number, now = Date.now()): string {
  if (!valid(ms)) return 'Unknown date';
  const today = startOfDay(now);
  const day = startOfDay(ms);
  if (day === today) return 'Today';
  if (day === today - 86_400_000) return 'Yesterday';
  return dayFmt.format(ms);
}

export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
