// A group's people on demand (PROTOCOL-2 §1.6, §1.11 step 2): a distribution group is expanded
// only when the user opens it — GET its expandDistributionGroup link, which the server may refuse
// (403 TooManyContacts) — and its members' cards are stored like any contact's; any other group's
// members are already in the store. Holds no state: the members' links go to the contact-list
// sync (presence, cards) and the photo links to whoever wants them.
import { AppError } from './types.ts';
import { toAppError } from './errors.ts';
import { notSignedIn, type Session } from './session.ts';
import type { ContactListSync } from './contactList.ts';
import { UcwaError } from '../ucwa/errors.ts';
import { parseContactCollection, type ParsedContact } from '../ucwa/contacts.ts';
import type { PersonCard, Store } from '../store/types.ts';

export interface GroupExpansionOptions {
  session: Session;
  store: Store;
  contacts: ContactListSync;
  /** The expansion's contacts were read (their photo links, for one). */
  onContacts(contacts: ParsedContact[]): void;
}

/** store.getPeople answers at most this many at once. */
const PEOPLE_PAGE = 500;

export async function expandGroup(o: GroupExpansionOptions, groupId: number): Promise<PersonCard[]> {
  const { session, store, contacts } = o;
  const group = (await store.contactList()).groups.find((g) => g.id === groupId);
  if (!group) throw new AppError({ code: 'notFound', message: 'This group is no longer in your contact list.' });
  if (group.kind !== 'distribution') return cardsOf(store, group.members);

  if (!session.client || !session.app) throw notSignedIn();
  const client = session.client;
  const linkOf = () => contacts.group(group.serverId)?.links.expandDistributionGroup ?? null;
  // The links are this application's: none yet after a recreate until the list was read again.
  const href = linkOf() ?? (await contacts.sync(), linkOf());
  if (!href) throw new AppError({ code: 'server', message: 'The server offers no way to list the people of this group.' });
  let body: Awaited<ReturnType<typeof client.getJson>>;
  try {
    body = await client.getJson(href);
  } catch (err) {
    throw refusal(err);
  }
  // Nested distribution groups (_embedded.distributionGroup) are not expanded: a group of groups
  // could be the whole company, and the server already refused what it finds too large.
  const parsed = parseContactCollection(body);
  contacts.noteContacts(parsed.contacts);
  if (parsed.contacts.length) await store.upsertPeople(parsed.contacts.map((c) => c.card));
  o.onContacts(parsed.contacts);
  return cardsOf(store, parsed.contacts.map((c) => c.sip));
}

/** The stored cards of these people, in this order. */
async function cardsOf(store: Store, sips: string[]): Promise<PersonCard[]> {
  const out: PersonCard[] = [];
  for (let i = 0; i < sips.length; i += PEOPLE_PAGE) out.push(...(await store.getPeople(sips.slice(i, i + PEOPLE_PAGE))));
  return out;
}

function refusal(err: unknown): AppError {
  if (!(err instanceof UcwaError)) return toAppError(err);
  const base = { status: err.status, ucwaCode: err.code, ...(err.subcode !== undefined ? { subcode: err.subcode } : {}) };
  // The server's threshold is not documented and its answer does not carry it: no number to give.
  if (err.is(403, 'TooManyContacts')) return new AppError({ ...base, code: 'server', message: 'This group is too large to show: the server will not list that many people.' }, { cause: err });
  if (err.status === 403) return new AppError({ ...base, code: 'server', message: 'You are not allowed to see the people of this group.' }, { cause: err });
  if (err.status === 404 && err.subcode !== 'ApplicationNotFound') return new AppError({ ...base, code: 'notFound', message: 'This group is no longer on the server.' }, { cause: err });
  return toAppError(err);
}
