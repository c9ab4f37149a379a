// Which people event an event is (PROTOCOL-2 §1.9, §1.2): the event router's first question.
// An event is told apart by its sender, its link's rel, its `in` rel and its type — never by the
// shape of an href (the two URL styles differ, and case varies within one trace). Rels are compared
// without case; what the classifier does not know is 'other' (logged, not guessed at).
import type { Resource } from './links.ts';
import type { UcwaEvent } from './events.ts';
import { groupKindOfRel } from './contacts.ts';
import { sipFromPeopleHref } from './peopleFields.ts';
import type { ContactGroupKind } from '../store/types.ts';

/** The event's type: started ≈ added and completed ≈ deleted (events.ts); anything else is 'other'. */
export type PeopleChange = 'added' | 'updated' | 'deleted' | 'other';

/** A per-contact sub-resource that changed: GET it (or read `resource` when the server embedded it). */
export type ContactPartKind = 'contactPresence' | 'contactNote' | 'contactLocation' | 'contactSupportedModalities' | 'contactPrivacyRelationship';

interface Base {
  change: PeopleChange;
  /** The event's link href: what to GET. */
  href: string;
  /** The embedded copy of the target, when the server sent one (then no GET is needed). */
  resource: Resource | null;
}

export type PeopleEvent =
  /** Sender people, in a contact: that contact's presence, note, location, modalities or privacy changed (or, after subscribing, its first value is ready). */
  | (Base & { kind: ContactPartKind; contactHref: string | null; sip: string | null })
  /** Sender people: a presence subscription was created (added), is about to expire (updated: renew it) or is gone (deleted: recreate it). */
  | (Base & { kind: 'presenceSubscription' })
  /** A contact is (added) or is no longer (deleted) covered by a presence subscription (in subscribedContacts). */
  | (Base & { kind: 'subscribedContact'; sip: string | null })
  /** The contact list changed: a contact added to or deleted from myContacts (needs the contacts-and-groups subscription). */
  | (Base & { kind: 'contactListMember'; sip: string | null })
  /** A group's members changed: a contact added to or deleted from the group the event is in. */
  | (Base & { kind: 'groupMember'; sip: string | null; groupKind: ContactGroupKind; groupHref: string | null })
  /** A group appeared or disappeared (in myGroups), or changed (renamed: GET it). */
  | (Base & { kind: 'group'; groupKind: ContactGroupKind })
  /** The contacts-and-groups subscription is about to expire (updated): refresh it. */
  | (Base & { kind: 'contactsAndGroupsSubscription' })
  /** Sender me: one's own presence, note or location changed (another endpoint, Exchange out-of-office), or `me` (left lurker mode). */
  | (Base & { kind: 'myPresence' | 'myNote' | 'myLocation' | 'me' })
  /** From the people or me sender, but none of the documented combinations. */
  | (Base & { kind: 'other'; rel: string; inRel: string | null });

const CONTACT_PARTS: ReadonlyMap<string, ContactPartKind> = new Map(
  (['contactPresence', 'contactNote', 'contactLocation', 'contactSupportedModalities', 'contactPrivacyRelationship'] as const).map((k) => [k.toLowerCase(), k]),
);
const OWN: ReadonlyMap<string, 'myPresence' | 'myNote' | 'myLocation' | 'me'> = new Map([
  ['presence', 'myPresence'], ['note', 'myNote'], ['location', 'myLocation'], ['me', 'me'],
]);

function changeOf(type: string): PeopleChange {
  switch (type.toLowerCase()) {
    case 'added': case 'started': return 'added';
    case 'updated': return 'updated';
    case 'deleted': case 'completed': return 'deleted';
    default: return 'other';
  }
}

const lower = (s: string | undefined): string => (typeof s === 'string' && s.length <= 128 ? s.toLowerCase() : '');

/**
 * The people (or own-presence) event `ev` is; null when it is neither (another sender: the
 * conversation events are the router's other business).
 */
export function classifyPeopleEvent(ev: UcwaEvent): PeopleEvent | null {
  const sender = lower(ev.senderRel);
  const rel = lower(ev.rel);
  const inRel = lower(ev.inRel);
  const base: Base = { change: changeOf(typeof ev.type === 'string' ? ev.type : ''), href: ev.href, resource: ev.resource };
  const other = (): PeopleEvent => ({ ...base, kind: 'other', rel: ev.rel, inRel: ev.inRel ?? null });
  if (sender === 'me') {
    const own = OWN.get(rel);
    return own ? { ...base, kind: own } : other();
  }
  if (sender !== 'people') return null;

  const part = CONTACT_PARTS.get(rel);
  if (part && (inRel === 'contact' || inRel === '')) {
    const contactHref = inRel === 'contact' ? (ev.inHref ?? null) : null;
    // The contact's address is in its href in trace-style URLs (mixed case included); reference-style
    // ones (".../people/282") name nobody: match contactHref against the cached contacts' hrefs then.
    return { ...base, kind: part, contactHref, sip: sipFromPeopleHref(contactHref) ?? sipFromPeopleHref(ev.href) };
  }
  if (rel === 'presencesubscription') return { ...base, kind: 'presenceSubscription' };
  if (rel === 'mycontactsandgroupssubscription') return { ...base, kind: 'contactsAndGroupsSubscription' };
  if (rel === 'contact') {
    const sip = sipFromPeopleHref(ev.href);
    if (inRel === 'subscribedcontacts') return { ...base, kind: 'subscribedContact', sip };
    if (inRel === 'mycontacts') return { ...base, kind: 'contactListMember', sip };
    const groupKind = groupKindOfRel(ev.inRel);
    if (groupKind) return { ...base, kind: 'groupMember', sip, groupKind, groupHref: ev.inHref ?? null };
  }
  const groupKind = groupKindOfRel(ev.rel);
  if (groupKind && (inRel === 'mygroups' || inRel === '')) return { ...base, kind: 'group', groupKind };
  return other();
}
