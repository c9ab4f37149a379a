// The bench's contact list: n people in 30 groups, Favourites (the pinned group) first, each person
// in one group — the same list for the store bench, the simulator and the People view.
import type { ContactListInput } from '../main/core/store/types.ts';

export const GROUPS = 30;

export const personSip = (i: number): string => `sip:person${String(i).padStart(4, '0')}@contoso.com`;

export function bigContactList(n: number): ContactListInput {
  const groups = Array.from({ length: GROUPS }, (_, g) => ({
    serverId: g === 0 ? 'pinned' : `g${g}`,
    kind: g === 0 ? ('pinned' as const) : ('user' as const),
    name: g === 0 ? 'Pinned Contacts' : `Team ${g}`,
    members: [] as string[],
  }));
  const people = Array.from({ length: n }, (_, i) => {
    groups[i % GROUPS]!.members.push(personSip(i));
    return { sip: personSip(i), name: `Person ${i} Example`, title: 'Engineer', department: `Dept ${i % 12}`, emails: [`person${i}@contoso.com`] };
  });
  return { groups, people };
}

