// The people hub, contacts, contact lists and groups (PROTOCOL-2 §1.1, §1.4, §1.6, §1.10), parsed
// from their JSON bodies. Total: any value in, a typed value out (empty when nothing usable is in
// it); strings are cut to LIMITS, lists are capped, and no walk recurses into the body.
import { LIMITS } from '../limits.ts';
import { oneLine } from '../text.ts';
import { asResource, embeddedList, lastSegment, link, links, type Resource } from './links.ts';
import { idOf, sipFromPeopleHref, sipFromUri, textOf } from './peopleFields.ts';
import type { ContactGroupKind, PersonInput } from '../store/types.ts';

// --- the people hub ------------------------------------------------------------------------------

/** The links of `people` (embedded in the application, or GET people); null where the server gave none. */
export interface PeopleLinks {
  myContacts: string | null;
  myGroups: string | null;
  myGroupMemberships: string | null;
  myContactsAndGroupsSubscription: string | null;
  presenceSubscriptions: string | null;
  presenceSubscriptionMemberships: string | null;
  subscribedContacts: string | null;
  myPrivacyRelationships: string | null;
  search: string | null;
}

const PEOPLE_RELS = [
  'myContacts', 'myGroups', 'myGroupMemberships', 'myContactsAndGroupsSubscription', 'presenceSubscriptions',
  'presenceSubscriptionMemberships', 'subscribedContacts', 'myPrivacyRelationships', 'search',
] as const satisfies readonly (keyof PeopleLinks)[];

export function parsePeopleLinks(people: unknown): PeopleLinks {
  const r = asResource(people);
  return Object.fromEntries(PEOPLE_RELS.map((rel) => [rel, link(r, rel) ?? null])) as unknown as PeopleLinks;
}

// --- contact -------------------------------------------------------------------------------------

export interface ContactLinks {
  self: string | null;
  contactPresence: string | null;
  contactNote: string | null;
  contactLocation: string | null;
  contactSupportedModalities: string | null;
  contactPrivacyRelationship: string | null;
  contactPhoto: string | null;
}

const CONTACT_RELS = [
  'self', 'contactPresence', 'contactNote', 'contactLocation', 'contactSupportedModalities', 'contactPrivacyRelationship', 'contactPhoto',
] as const satisfies readonly (keyof ContactLinks)[];

export interface ParsedContact {
  /** The key: the lower-cased `uri` ("sip:" kept), else the address in its self href. */
  sip: string;
  /** Its card as the store takes it. */
  card: PersonInput & { sip: string };
  /** The contact's `etag` property (trace contacts carry one); null when none. */
  etag: string | null;
  links: ContactLinks;
}

/**
 * A `contact` resource (myContacts, groupContacts, search results, …). A contact lists every
 * property the directory has for the person, so one that is absent is EMPTY ('' / []) — it replaces
 * a stale value in the store — except the name, which the store never erases. Null when it names
 * nobody (no usable `uri` and no address in its self href: a phone number, the docs' corrupted
 * "sip:lenea@contoso.com@contoso.com").
 */
export function parseContact(res: unknown): ParsedContact | null {
  const r = asResource(res);
  if (!r) return null;
  const sip = sipFromUri(r.uri) ?? sipFromPeopleHref(link(r, 'self'));
  if (!sip) return null;
  const t = (key: string, max: number) => textOf(r, key, max) ?? '';
  const emails = Array.isArray(r.emailAddresses)
    ? r.emailAddresses.slice(0, LIMITS.emailsPerPerson).filter((e): e is string => typeof e === 'string').map((e) => oneLine(e, LIMITS.emailChars)).filter(Boolean)
    : [];
  return {
    sip,
    card: {
      sip,
      name: t('name', LIMITS.nameChars),
      title: t('title', LIMITS.personFieldChars),
      department: t('department', LIMITS.personFieldChars),
      company: t('company', LIMITS.personFieldChars),
      office: t('office', LIMITS.personFieldChars),
      emails,
      phones: {
        work: t('workPhoneNumber', LIMITS.phoneChars),
        mobile: t('mobilePhoneNumber', LIMITS.phoneChars),
        home: t('homePhoneNumber', LIMITS.phoneChars),
        other: t('otherPhoneNumber', LIMITS.phoneChars),
      },
      contactType: t('type', LIMITS.tokenChars),
      sourceNetwork: t('sourceNetwork', LIMITS.tokenChars),
    },
    etag: textOf(r, 'etag', LIMITS.photoTagChars) || null,
    links: Object.fromEntries(CONTACT_RELS.map((rel) => [rel, link(r, rel) ?? null])) as unknown as ContactLinks,
  };
}

// --- groups --------------------------------------------------------------------------------------

/** The group families by their rel (PROTOCOL-2 §1.6). Rels are compared without case. */
const GROUP_RELS: ReadonlyMap<string, ContactGroupKind> = new Map([
  ['pinnedgroup', 'pinned'],
  ['defaultgroup', 'default'],
  ['group', 'user'],
  ['distributiongroup', 'distribution'],
  ['delegatesgroup', 'delegates'],
  ['delegatorsgroup', 'delegators'],
  ['myorganizationgroup', 'organization'],
]);

/** The kind of a group rel; null when the rel is none of the documented group rels. */
export function groupKindOfRel(rel: unknown): ContactGroupKind | null {
  return typeof rel === 'string' && rel.length <= 64 ? (GROUP_RELS.get(rel.toLowerCase()) ?? null) : null;
}

export interface GroupLinks {
  self: string | null;
  groupContacts: string | null;
  subscribeToGroupPresence: string | null;
  /** Distribution groups: their members are read through this (403 TooManyContacts possible). */
  expandDistributionGroup: string | null;
  addToContactList: string | null;
  removeFromContactList: string | null;
}

const GROUP_LINK_RELS = [
  'self', 'groupContacts', 'subscribeToGroupPresence', 'expandDistributionGroup', 'addToContactList', 'removeFromContactList',
] as const satisfies readonly (keyof GroupLinks)[];

export interface ParsedGroup {
  /** The server's id (opaque: never parsed, never put into a URL by hand); else its self href's last segment. */
  serverId: string;
  kind: ContactGroupKind;
  /** The rel it came under, as the server wrote it. */
  rel: string;
  name: string;
  /** A distribution group's address (its `uri`); null for the others. */
  uri: string | null;
  links: GroupLinks;
}

function parseGroup(r: Resource, rel: string, index: number): ParsedGroup {
  const self = link(r, 'self') ?? null;
  const kind = groupKindOfRel(rel) ?? 'other';
  const fromSelf = self ? oneLine(lastSegment(self), LIMITS.groupNameChars) : '';
  return {
    serverId: idOf(r, 'id', LIMITS.groupNameChars) || fromSelf || `${kind}#${index}`,
    kind,
    rel: oneLine(rel, 64),
    name: textOf(r, 'name', LIMITS.groupNameChars) ?? '',
    uri: kind === 'distribution' ? (textOf(r, 'uri', LIMITS.sipChars) || null) : null,
    links: Object.fromEntries(GROUP_LINK_RELS.map((l) => [l, link(r, l) ?? null])) as unknown as GroupLinks,
  };
}

/**
 * `myGroups`: every group the server embeds, in the order it wrote them (key by key, each array in
 * its order). A rel is one group (an object) or several (an array, possibly empty); a rel that is
 * none of the documented ones is kept as kind 'other'; a value that is no resource, or one with
 * neither an id, a name nor a self link, is skipped.
 * With `?expand=false` (links only) the groups are read from `_links` (no names then).
 * At most LIMITS.contactGroups groups.
 */
export function parseMyGroups(body: unknown): ParsedGroup[] {
  const r = asResource(body);
  const out: ParsedGroup[] = [];
  const emb = asResource(r?._embedded);
  const source = emb ?? asResource(r?._links);
  if (!source) return out;
  for (const [rel, value] of Object.entries(source)) {
    if (!emb && rel === 'self') continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (out.length >= LIMITS.contactGroups) return out;
      const res = asResource(item);
      // A links-only body: each entry is a link object, the group is its href.
      const g = res && (emb ? res : { _links: { self: res } });
      // A group has an id, a name or a self link: anything else under an unknown key is no group.
      if (!g || !(idOf(g, 'id', 1) || textOf(g, 'name', 1) || link(g, 'self'))) continue;
      out.push(parseGroup(g, rel, out.length));
    }
  }
  return out;
}

// --- contact collections -------------------------------------------------------------------------

export interface ParsedContactCollection {
  /** The embedded contacts, each once (the first of a repeated address wins), at most LIMITS.contactListMembers. */
  contacts: ParsedContact[];
  /** Contacts given as links only (`?expand=false`): their href, and the address where the href names it. */
  linked: { href: string; sip: string | null }[];
  /** Distribution groups among the results (search, a distribution group's expansion). */
  distributionGroups: ParsedGroup[];
  /** search: the server cut the results at `limit` ("refine the query"). */
  moreResultsAvailable: boolean;
}

/**
 * `myContacts`, `groupContacts`, `search`, `expandDistributionGroup`: whatever contacts the body
 * holds. A body without `_embedded` (no results) is an empty list.
 */
export function parseContactCollection(body: unknown): ParsedContactCollection {
  const r = asResource(body);
  const contacts: ParsedContact[] = [];
  const seen = new Set<string>();
  for (const c of embeddedList(r, 'contact').slice(0, LIMITS.contactListMembers * 2)) {
    const parsed = parseContact(c);
    if (!parsed || seen.has(parsed.sip)) continue;
    seen.add(parsed.sip);
    contacts.push(parsed);
    if (contacts.length === LIMITS.contactListMembers) break;
  }
  const linked = links(r, 'contact').slice(0, LIMITS.contactListMembers).map((href) => ({ href, sip: sipFromPeopleHref(href) }));
  const distributionGroups = embeddedList(r, 'distributionGroup').slice(0, LIMITS.contactGroups).map((g, i) => parseGroup(g, 'distributionGroup', i));
  return { contacts, linked, distributionGroups, moreResultsAvailable: r?.moreResultsAvailable === true };
}

// --- group memberships ---------------------------------------------------------------------------

export interface ParsedMembership {
  /** DELETE this to take the contact out of the group. */
  self: string;
  /** The contact's href, and the address where the href names it (trace style). */
  contactHref: string | null;
  sip: string | null;
  /** The group's href and kind, from the one group link a membership has (keyed by group type). */
  groupHref: string | null;
  groupKind: ContactGroupKind | null;
}

/**
 * `myGroupMemberships[?groupId=]` / `groupMemberships` (PROTOCOL-2 §1.6): one (contact, group)
 * pair per membership; one without a self link (it could not be removed) is skipped. At most
 * LIMITS.contactListMembers.
 */
export function parseGroupMemberships(body: unknown): ParsedMembership[] {
  const out: ParsedMembership[] = [];
  for (const m of embeddedList(asResource(body), 'myGroupMembership').slice(0, LIMITS.contactListMembers)) {
    const self = link(m, 'self');
    if (!self) continue;
    const contactHref = link(m, 'contact') ?? null;
    let groupHref: string | null = null;
    let groupKind: ContactGroupKind | null = null;
    for (const rel of Object.keys(asResource(m._links) ?? {}).slice(0, 32)) {
      const kind = groupKindOfRel(rel);
      if (kind) {
        groupKind = kind;
        groupHref = link(m, rel) ?? null;
        break;
      }
    }
    out.push({ self, contactHref, sip: sipFromPeopleHref(contactHref), groupHref, groupKind });
  }
  return out;
}
