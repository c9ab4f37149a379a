// Who a conversation is with, for the pictures that show presence: the one other person of a
// one-to-one (their dot), or nobody for a group (initials of everyone, no dot — whose would it be?).
import type { Person } from '../main/ipc/contract.ts';

export function onlyOther(c: { participants: readonly Person[] }, self: string | null): string | null {
  const me = self?.toLowerCase() ?? null;
  const others = c.participants.filter((p) => p.sip.toLowerCase() !== me);
  return others.length === 1 ? (others[0]?.sip ?? null) : null;
}
