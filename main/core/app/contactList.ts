// Contact list sync (PROTOCOL-2 §1.6, §1.7, §1.11 steps 1–3): people → myGroups (embedded) → each
// group's groupContacts (the full card, unlike myContacts' short one) → one store write; the
// contacts-and-groups subscription started so list changes come as events, and refreshed before it
// expires. Owns the links of this application's contacts (sip → contactPresence, contactNote, …)
// and groups (server id → groupContacts, expandDistributionGroup, …), good only for this application.
import type { Session } from './session.ts';
import { Semaphore } from './semaphore.ts';
import { retryDelay, unref } from './presenceSubscriptions.ts';
import type { LogFn } from '../ucwa/transport.ts';
import type { UcwaClient } from '../ucwa/client.ts';
import { parseContactCollection, parseMyGroups, parsePeopleLinks, type ContactLinks, type ParsedContact, type ParsedGroup, type PeopleLinks } from '../ucwa/contacts.ts';
import { link } from '../ucwa/links.ts';
import { hrefKey } from '../ucwa/peopleFields.ts';
import type { ContactGroupInput, ContactList, PersonInput, Store } from '../store/types.ts';
import { describeError } from '../logSafe.ts';

export interface ContactListSyncOptions {
  session: Session;
  store: Store;
  log: LogFn;
  /** Refresh the contacts-and-groups subscription this often (it lasts 30 min). */
  refreshMs: number;
  /** The list was read: these are its members now (the presence manager subscribes them). */
  onMembers(sips: string[], contacts: ParsedContact[]): void;
}

/** Parallel groupContacts GETs. */
const GROUP_CONCURRENCY = 4;
const SUBSCRIPTION_MINUTES = 30;

export class ContactListSync {
  readonly #o: ContactListSyncOptions;
  readonly #links = new Map<string, ContactLinks>();
  readonly #sipByHref = new Map<string, string>();
  #peopleLinks: PeopleLinks | null = null;
  /** The groups as the last sync of this application read them (their links included). */
  #groups: ParsedGroup[] = [];
  #startHref: string | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Failed starts of the change subscription in a row (0: the last one worked). */
  #failures = 0;
  #running: Promise<ContactList> | null = null;
  #again = false;
  #resync: ReturnType<typeof setTimeout> | null = null;
  #gen = 0;
  #closed = false;
  /** Requests the last sync made (tests). */
  requests = 0;

  constructor(o: ContactListSyncOptions) {
    this.#o = o;
  }

  /** The links of a person this application has seen in the list or a search; null when none. */
  linksOf(sip: string): ContactLinks | null {
    return this.#links.get(sip) ?? null;
  }

  /** The person a contact href names (reference-style hrefs, ".../people/282", carry no address). */
  sipOfHref(href: string | null | undefined): string | null {
    return href ? (this.#sipByHref.get(hrefKey(href)) ?? null) : null;
  }

  /** A group as this application's last sync read it, by the server's id; null when none. */
  group(serverId: string): ParsedGroup | null {
    return this.#groups.find((g) => g.serverId === serverId) ?? null;
  }

  /** The groups of this application's last sync ([] before the first). */
  groups(): ParsedGroup[] {
    return [...this.#groups];
  }

  /** The links of the people hub (GET people when the application embedded only its self link). */
  async peopleLinks(): Promise<PeopleLinks | null> {
    const client = this.#o.session.client;
    return client ? this.#people(client) : null;
  }

  /** Remember the links of contacts read elsewhere (search results). */
  noteContacts(contacts: ParsedContact[]): void {
    for (const c of contacts) {
      this.#links.set(c.sip, c.links);
      if (c.links.self) this.#sipByHref.set(hrefKey(c.links.self), c.sip);
    }
  }

  /** Every link is stale (another application), or the user signed out. */
  reset(): void {
    this.#gen++;
    this.#links.clear();
    this.#sipByHref.clear();
    this.#peopleLinks = null;
    this.#groups = [];
    this.#startHref = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#resync) clearTimeout(this.#resync);
    this.#resync = null;
  }

  close(): void {
    this.#closed = true;
    this.reset();
  }

  /** Online (again): read the list and start its change subscription. */
  onOnline(): void {
    void this.sync().catch((err: unknown) => this.#o.log(`contact list: ${describeError(err)}`));
    void this.#startSubscription();
  }

  /** A contact-list change event: read the list again (events of one batch are taken together). */
  changed(): void {
    if (this.#resync || this.#closed) return;
    this.#resync = unref(setTimeout(() => {
      this.#resync = null;
      void this.sync().catch((err: unknown) => this.#o.log(`contact list: ${describeError(err)}`));
    }, 0));
  }

  /** "About to expire" (or the local timer): refresh the contacts-and-groups subscription. */
  refreshSubscription(): void {
    void this.#startSubscription();
  }

  /** Read the whole list (one run at a time; a call during a run asks for one more after it). */
  sync(): Promise<ContactList> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      let list: ContactList;
      do {
        this.#again = false;
        list = await this.#syncOnce();
      } while (this.#again && !this.#closed);
      return list;
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #people(client: UcwaClient): Promise<PeopleLinks | null> {
    if (this.#peopleLinks) return this.#peopleLinks;
    const app = this.#o.session.app;
    if (!app) return null;
    let links = parsePeopleLinks(app.people);
    // The application embeds `people` with its links; where it gave only a self link, GET it.
    const self = link(app.people, 'self');
    if (!links.myGroups && self) {
      this.requests++;
      links = parsePeopleLinks(await client.getJson(self));
    }
    this.#peopleLinks = links;
    return links;
  }

  async #syncOnce(): Promise<ContactList> {
    const { session, store, log } = this.#o;
    const client = session.client;
    if (!client || !session.app) return store.contactList();
    const gen = this.#gen;
    this.requests = 0;
    const people = await this.#people(client);
    if (!people?.myGroups) {
      log('contact list: the server offers no myGroups link; the cached list is shown');
      return store.contactList();
    }
    this.requests++;
    const groups = parseMyGroups(await client.getJson(people.myGroups));
    const before = await store.contactList();
    const previous = new Map(before.groups.map((g) => [g.serverId, g.members]));
    const cards = new Map<string, PersonInput>();
    const contacts: ParsedContact[] = [];
    const limit = new Semaphore(GROUP_CONCURRENCY);
    const inputs: ContactGroupInput[] = await Promise.all(groups.map((g) => limit.use(async (): Promise<ContactGroupInput> => {
      const base = { serverId: g.serverId, kind: g.kind, name: g.name };
      // Distribution groups expand only when opened (PROTOCOL-2 §1.11: 403 TooManyContacts possible).
      if (g.kind === 'distribution' || !g.links.groupContacts) return { ...base, members: [] };
      try {
        this.requests++;
        const parsed = parseContactCollection(await client.getJson(g.links.groupContacts));
        for (const c of parsed.contacts) {
          cards.set(c.sip, c.card);
          contacts.push(c);
        }
        const linkedOnly = parsed.linked.map((l) => l.sip).filter((s): s is string => !!s);
        return { ...base, members: [...parsed.contacts.map((c) => c.sip), ...linkedOnly] };
      } catch (err) {
        // One group that cannot be read keeps the members it had (not an empty group).
        log(`contact list: reading a group failed, its cached members are kept: ${describeError(err)}`);
        return { ...base, members: previous.get(g.serverId) ?? [] };
      }
    })));
    if (gen !== this.#gen) return store.contactList();
    this.#groups = groups;
    this.noteContacts(contacts);
    const r = await store.replaceContactList({ groups: inputs, people: [...cards.values()] });
    if (r.skipped > 0) log(`contact list: ${r.skipped} malformed entries skipped`);
    const list = await store.contactList();
    this.#o.onMembers(list.people.map((p) => p.sip), contacts);
    return list;
  }

  async #startSubscription(): Promise<void> {
    const { session, log } = this.#o;
    const client = session.client;
    if (!client || this.#closed) return;
    const gen = this.#gen;
    try {
      if (!this.#startHref) {
        const people = await this.#people(client);
        const subHref = people?.myContactsAndGroupsSubscription;
        if (!subHref) {
          log('contact list: the server offers no contacts-and-groups subscription; list changes are seen at the next sign-in');
          return;
        }
        const sub = await client.getJson(subHref);
        this.#startHref = link(sub, 'startOrRefreshSubscriptionToContactsAndGroups') ?? null;
        if (!this.#startHref) {
          log('contact list: the contacts-and-groups subscription has no start link');
          return;
        }
      }
      if (gen !== this.#gen) return;
      await this.#post(client, this.#startHref);
      this.#failures = 0;
    } catch (err) {
      // Tried again soon (not at the next refresh): lapsed, its change events would be missed.
      this.#failures++;
      log(`contact list: starting its change subscription failed (trying again soon): ${describeError(err)}`);
    } finally {
      if (gen === this.#gen && !this.#closed && session.client) this.#arm();
    }
  }

  async #post(client: UcwaClient, href: string): Promise<void> {
    await this.#o.session.withChannel(() => client.post(href, { query: { duration: String(SUBSCRIPTION_MINUTES) } }));
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = unref(setTimeout(() => {
      this.#timer = null;
      void this.#startSubscription();
    }, this.#failures === 0 ? this.#o.refreshMs : retryDelay(this.#o.refreshMs, this.#failures)));
  }
}
