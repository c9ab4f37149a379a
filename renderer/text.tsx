// Small text helpers: search snippets, autolinked plain text, names and times.
import { Fragment, type ReactNode } from 'react';
import type { Person } from '../main/ipc/contract.ts';

const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';

/** Search snippets mark matches with U+E000 … U+E001: split and render <mark>, never parse HTML. */
export function Highlight({ snippet }: { snippet: string }): ReactNode {
  const out: ReactNode[] = [];
  let rest = snippet;
  let k = 0;
  while (rest.length) {
    const open = rest.indexOf(MARK_OPEN);
    if (open < 0) {
      out.push(rest.replaceAll(MARK_CLOSE, ''));
      break;
    }
    if (open > 0) out.push(rest.slice(0, open).replaceAll(MARK_CLOSE, ''));
    const close = rest.indexOf(MARK_CLOSE, open + 1);
    const inner = close < 0 ? rest.slice(open + 1) : rest.slice(open + 1, close);
    out.push(<mark key={k++}>{inner}</mark>);
    rest = close < 0 ? '' : rest.slice(close + 1);
  }
  return <>{out.map((n, i) => (typeof n === 'string' ? <Fragment key={`t${i}`}>{n}</Fragment> : n))}</>;
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;

/** Plain text with http(s) URLs turned into links (which open through ucwa.openExternal). */
export function Autolink({ text }: { text: string }): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    // Trailing punctuation belongs to the sentence, not the link.
    const trail = /[.,;:!?)\]}'’"]+$/.exec(url);
    if (trail) url = url.slice(0, -trail[0].length);
    const start = m.index ?? 0;
    if (start > last) parts.push(text.slice(last, start));
    const href = url.startsWith('www.') ? `https://${url}` : url;
    parts.push(<a key={start} href={href} target="_blank" rel="noopener noreferrer">{url}</a>);
    last = start + url.length;
  }
  if (last < text.length) parts.push(text.slice(last));
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

export function initials(name: string): string {
  const parts = name.replace(/^sip:/i, '').split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
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

export function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** List time: today → 14:05, this week → Tue, this year → 3 Mar, else 3 Mar 2024. */
export function shortTime(ms: number, now = Date.now()): string {
  const today = startOfDay(now);
  if (ms >= today) return timeFmt.format(ms);
  if (ms >= today - 6 * 86_400_000) return weekdayFmt.format(ms);
  if (new Date(ms).getFullYear() === new Date(now).getFullYear()) return dateFmt.format(ms);
  return dateYearFmt.format(ms);
}

export const clockTime = (ms: number): string => timeFmt.format(ms);
export const fullTime = (ms: number): string => fullFmt.format(ms);

export function dayLabel(ms: number, now = Date.now()): string {
  const today = startOfDay(now);
  const day = startOfDay(ms);
  if (day === today) return 'Today';
  if (day === today - 86_400_000) return 'Yesterday';
  return dayFmt.format(ms);
}

export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
