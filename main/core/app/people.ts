// The people layer (issue 13; PROTOCOL-2 §1): the contact list, live presence, notes and locations
// of everybody the user sees, and their own status. It composes modules that each own their state:
//   contactList.ts            the list sync, its change subscription, this application's contact links
//   presenceSubscriptions.ts  the ONE presence manager (who is watched, the server's subscriptions)
//   contactParts.ts           presence / note / location GETs after their events, coalesced, in order
//   myStatus.ts               your own note, location and presence
//   favourites.ts             adding to and removing from Favourites (the pinned group)
//   groupExpansion.ts         a distribution group's people, when opened
//   personPhotos.ts           photos: the disk cache fed with this application's photo links
// and routes the people and `me` events to them. Below the router, above the session; what flows up
// is the store's changes (the service turns them into events).
import { AppError, type MyStatus, type PhotoBytes, type WatchReason } from './types.ts';
import type { Session, ResetReason } from './session.ts';
import { ContactListSync } from './contactList.ts';
import { Favourites } from './favourites.ts';
import { expandGroup } from './groupExpansion.ts';
import { PersonPhotos } from './personPhotos.ts';
import { PresenceSubscriptions } from './presenceSubscriptions.ts';
import { ContactParts, type ContactPart } from './contactParts.ts';
import { MyStatusState } from './myStatus.ts';
import type { LogFn } from '../ucwa/transport.ts';
import type { UcwaEvent } from '../ucwa/events.ts';
import { parseContactCollection, type ContactLinks, type ParsedContact } from '../ucwa/contacts.ts';
import { classifyPeopleEvent } from '../ucwa/peopleEvents.ts';
import { link } from '../ucwa/links.ts';
import { sipFromUri } from '../ucwa/peopleFields.ts';
import { personFromSip } from '../ucwa/resources.ts';
import type { ContactList, Person, PersonCard, Store } from '../store/types.ts';
import { describeError } from '../logSafe.ts';

export interface PeopleOptions {
  session: Session;
  store: Store;
  log: LogFn;
  timing: { presenceRenewMs: number; contactsRefreshMs: number; presenceFetchConcurrency: number; presenceWatchDelayMs: number };
  onMyStatus(status: MyStatus): void;
  /** The photo folder; without one no photo is fetched (personPhoto answers null). */
  photoDir?: string;
  /** Ask for listed people's photos in the background (default false here; the service decides). */
  prefetchPhotos?: boolean;
}

const OWN_PARTS = { myPresence: 'presence', myNote: 'note', myLocation: 'location', me: 'me' } as const;

export class People {
  readonly #o: PeopleOptions;
  readonly contacts: ContactListSync;
  readonly presence: PresenceSubscriptions;
  readonly parts: ContactParts;
  readonly me: MyStatusState;
  readonly favourites: Favourites;
  readonly photos: PersonPhotos | null;
  /** Contact-list members whose note was asked for from this application (once each). */
  readonly #notesAsked = new Set<string>();
  #notesGen = 0;

  constructor(o: PeopleOptions) {
    this.#o = o;
    this.presence = new PresenceSubscriptions({ session: o.session, log: o.log, renewMs: o.timing.presenceRenewMs, delayMs: o.timing.presenceWatchDelayMs });
    this.parts = new ContactParts({ store: o.store, client: () => o.session.client, batchHref: () => o.session.app?.batch, timing: o.timing, log: o.log });
    this.contacts = new ContactListSync({
      session: o.session, store: o.store, log: o.log, refreshMs: o.timing.contactsRefreshMs,
      onMembers: (sips, contacts) => this.#onMembers(sips, contacts),
    });
    this.me = new MyStatusState({ session: o.session, log: o.log, onChange: o.onMyStatus });
    this.favourites = new Favourites({ session: o.session, contacts: this.contacts, log: o.log });
    this.photos = o.photoDir ? new PersonPhotos({ dir: o.photoDir, session: o.session, store: o.store, log: o.log, prefetch: o.prefetchPhotos === true }) : null;
  }

  // --- lifecycle (ports of the session, through the service) --------------------------------------

  onOnline(): void {
    this.contacts.onOnline();
    this.presence.onOnline();
    this.me.onOnline();
    this.photos?.onOnline();
  }

  onReset(reason: ResetReason): void {
    if (reason === 'resync') {
      // Events were lost, the subscriptions stand: read the presence of everybody covered again.
      this.#refetchCovered();
      return;
    }
    this.parts.reset();
    this.#notesAsked.clear();
    this.#notesGen++;
    this.contacts.reset();
    this.me.reset();
    this.photos?.reset(reason);
    // After a resume the application stays (and online): subscribe anew now. After a recreate the
    // session comes online again (onOnline does it); signed out, nothing until the next sign-in.
    this.presence.reset(reason === 'resume');
    // The resume teardown dropped the server's contacts-and-groups subscription too, and whatever
    // changed of you meanwhile came as events that were lost: sync and subscribe again, re-read you.
    if (reason === 'resume') {
      this.contacts.onOnline();
      this.me.onOnline();
    }
  }

  close(): void {
    this.photos?.close();
    this.presence.close();
    this.contacts.close();
    this.parts.reset();
  }

  // --- events ------------------------------------------------------------------------------------

  /** A people or `me` event: true when it was one (handled here, even when skipped). */
  onEvent(ev: UcwaEvent): boolean {
    const pe = classifyPeopleEvent(ev);
    if (!pe) return false;
    switch (pe.kind) {
      case 'contactPresence':
      case 'contactNote':
      case 'contactLocation': {
        const sip = pe.sip ?? this.contacts.sipOfHref(pe.contactHref);
        if (!sip) {
          this.#o.log(`${pe.kind} event for a contact this app cannot name (no address in its href); skipped`);
          return true;
        }
        if (pe.change !== 'updated' && pe.change !== 'added') return true;
        this.parts.enqueue(sip, pe.kind, pe.href, pe.resource);
        return true;
      }
      case 'presenceSubscription':
        this.presence.onSubscriptionEvent(pe.change, pe.href);
        return true;
      case 'contactListMember':
      case 'groupMember':
      case 'group':
        this.contacts.changed();
        return true;
      case 'contactsAndGroupsSubscription':
        if (pe.change === 'updated') this.contacts.refreshSubscription();
        return true;
      case 'myPresence':
      case 'myNote':
      case 'myLocation':
      case 'me':
        if (pe.change === 'deleted') return true;
        void this.me.onEvent(OWN_PARTS[pe.kind], pe.resource, pe.href).catch((err: unknown) => this.#o.log(`my status: ${describeError(err)}`));
        return true;
      default:
        // subscribedContact, modalities, privacy, unknown combinations: nothing to do here.
        return true;
    }
  }

  // --- what the service offers -------------------------------------------------------------------

  contactList(): Promise<ContactList> {
    return this.#o.store.contactList();
  }

  async refreshContacts(): Promise<ContactList> {
    if (!this.#o.session.client || !this.#o.session.app) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
    return this.contacts.sync();
  }

  /** watchPeople: the presence manager's hold, under a reason (logged, not otherwise told apart). */
  watch(sips: string[], reason: WatchReason | string): () => void {
    const list = Array.isArray(sips) ? sips.slice(0, 1000) : [];
    if (list.length === 0) return () => undefined;
    this.#o.log(`presence: watching ${list.length} people (${String(reason).slice(0, 20)})`);
    return this.presence.watch(list);
  }

  /**
   * A person's card: from the store, with the parts not read from this application fetched first
   * when their links are known (contact list, search). Unknown people: null.
   */
  async person(sip: string): Promise<PersonCard | null> {
    const key = sipFromUri(sip);
    if (!key) throw new AppError({ code: 'invalidInput', message: `"${sip}" is not a SIP address like alice@contoso.com.` });
    const links = this.contacts.linksOf(key);
    if (links && this.#o.session.client) {
      const card = await this.#o.store.getPerson(key);
      const wants: [ContactPart, string | null][] = [
        ['contactPresence', links.contactPresence], ['contactNote', links.contactNote], ['contactLocation', links.contactLocation],
      ];
      for (const [part, href] of wants) {
        const field = part === 'contactPresence' ? 'presence' : part === 'contactNote' ? 'note' : 'location';
        if (href && (!card || card.updated[field] === null || !this.#notesAsked.has(`${key}\u0000${part}`))) {
          this.#notesAsked.add(`${key}\u0000${part}`);
          this.parts.enqueue(key, part, href, null);
        }
      }
      await this.parts.idleFor(key);
    }
    return this.#o.store.getPerson(key);
  }

  /** Add to or remove from Favourites on the server; resolves once the store shows it. */
  setFavourite(sip: string, favourite: boolean): Promise<void> {
    return this.favourites.set(sip, favourite);
  }

  /** A person's (or 'me': your) photo from the disk cache, fetched first when due; null: none. */
  async personPhoto(sip: string): Promise<PhotoBytes | null> {
    if (!this.photos) return null;
    return this.photos.photo(sip);
  }

  /** The people of a group; a distribution group's are read from the server (and stored). */
  expandGroup(groupId: number): Promise<PersonCard[]> {
    return expandGroup({ session: this.#o.session, store: this.#o.store, contacts: this.contacts, onContacts: (c) => this.#notePhotos(c, true) }, groupId);
  }

  /** Directory search: the cards are stored and their links kept (presence and card on demand). */
  async search(query: string, limit: number): Promise<Person[] | null> {
    const { session, store } = this.#o;
    const client = session.client;
    const href = this.#searchHref();
    if (!client || !href) return null;
    const body = await client.getJson(href, { query: { query, limit: String(Math.max(1, Math.min(100, limit))) } });
    const parsed = parseContactCollection(body);
    this.contacts.noteContacts(parsed.contacts);
    if (parsed.contacts.length) await store.upsertPeople(parsed.contacts.map((c) => c.card));
    this.#notePhotos(parsed.contacts, true);
    return parsed.contacts.map((c) => personFromSip(c.sip, c.card.name || undefined));
  }

  linksOf(sip: string): ContactLinks | null {
    return this.contacts.linksOf(sip);
  }

  // --- inside ------------------------------------------------------------------------------------

  #searchHref(): string | null {
    return link(this.#o.session.app?.people, 'search') ?? null;
  }

  #onMembers(sips: string[], contacts: ParsedContact[]): void {
    const me = this.#o.session.me?.sip;
    this.presence.setGroup('contacts', sips.filter((s) => s !== me));
    this.#notePhotos(contacts);
    // The status line shows notes; a subscription signals only presence at first (§1.8): read each
    // member's note once per application — after the first presence burst, so that sign-in's own
    // work (an invitation to answer) does not wait behind a few hundred note GETs.
    const gen = ++this.#notesGen;
    void this.presence.reconcile().then(() => this.parts.idle()).then(() => {
      if (gen !== this.#notesGen) return;
      for (const c of contacts) {
        if (c.sip === me || !c.links.contactNote || this.#notesAsked.has(`${c.sip}\u0000contactNote`)) continue;
        this.#notesAsked.add(`${c.sip}\u0000contactNote`);
        this.parts.enqueue(c.sip, 'contactNote', c.links.contactNote, null);
      }
      // Photos too, so that each card says whether there is one (the cache asks once a session).
      this.photos?.prefetch(contacts.map((c) => c.sip));
    });
  }

  /** Remember the contacts' photo links; `fetch`: and ask for their photos now (search results, a group opened). */
  #notePhotos(contacts: ParsedContact[], fetch = false): void {
    const photos = this.photos;
    if (!photos) return;
    for (const c of contacts) if (c.links.contactPhoto) photos.photoLink(c.sip, c.links.contactPhoto);
    if (fetch) photos.prefetch(contacts.map((c) => c.sip));
  }

  #refetchCovered(): void {
    for (const sip of this.presence.covered()) {
      const href = this.contacts.linksOf(sip)?.contactPresence;
      if (href) this.parts.enqueue(sip, 'contactPresence', href, null);
    }
  }
}
