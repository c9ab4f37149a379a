// Who a new conversation or "Add people" goes to (issue 14): the people chosen as chips, and a full
// address typed in the field but never made a chip (as before chips, a typed address is enough).
// Pure, for node's tests.
import type { Person } from '../main/ipc/contract.ts';

export const looksLikeSip = (s: string): boolean => /^(sip:|im:)?[^\s@]+@[^\s@]+\.[^\s@]+$/i.test(s.trim());
export const normaliseSip = (s: string): string => s.trim().replace(/^im:/i, 'sip:').replace(/^(?!sip:)/i, 'sip:');

// As peopleCache.ts's sipKey (that module talks to window.ucwa; this one must load under node).
const key = (sip: string): string => { const s = sip.trim().toLowerCase(); return s.startsWith('sip:') ? s : `sip:${s}`; };

/** The chips' addresses and a typed full address, each once. */
export function recipientsOf(chosen: readonly Person[], query: string): string[] {
  const out = chosen.map((p) => p.sip);
  if (looksLikeSip(query)) out.push(normaliseSip(query));
  const seen = new Set<string>();
  return out.filter((s) => { const k = key(s); if (seen.has(k)) return false; seen.add(k); return true; });
}

/** What stops these recipients being used, in words; null when they can be. */
export function recipientsProblem(recipients: readonly string[], query: string, empty: string): string | null {
  const typed = query.trim();
  if (typed && !looksLikeSip(typed)) return `Choose a person for “${typed}”, or type a full address like name@company.com.`;
  return recipients.length ? null : empty;
}
