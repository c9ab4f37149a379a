// Favourites = the server's pinned group (PROTOCOL-2 §1.6, "Memberships and editing the contact
// list"): adding is POST myGroupMemberships {contactUri, groupId}; removing is a DELETE of the
// membership the server lists for that pair — its href is taken from the server's answer, never
// made up. Then the contact list is read again, so the store (and its 'contactList' / 'person'
// changes) shows what the server now has. Holds no state: the server's list is the truth.
import { AppError } from './types.ts';
import { toAppError } from './errors.ts';
import { notSignedIn, type Session } from './session.ts';
import type { ContactListSync } from './contactList.ts';
import type { LogFn } from '../ucwa/transport.ts';
import type { UcwaClient } from '../ucwa/client.ts';
import { isApplicationGone, NetworkError, UcwaError } from '../ucwa/errors.ts';
import { parseGroupMemberships, type ParsedGroup, type ParsedMembership } from '../ucwa/contacts.ts';
import { hrefKey, sipFromUri } from '../ucwa/peopleFields.ts';
import { describeError } from '../logSafe.ts';

export interface FavouritesOptions {
  session: Session;
  contacts: ContactListSync;
  log: LogFn;
}

/** The server's documented cap on a contact list (myGroupMemberships2_ref): named in the refusal. */
const DEFAULT_MAX_CONTACTS = 250;

export class Favourites {
  readonly #o: FavouritesOptions;

  constructor(o: FavouritesOptions) {
    this.#o = o;
  }

  /** Put `sip` into Favourites (true) or take them out (false); resolves once the list is read again. */
  async set(sip: string, favourite: boolean): Promise<void> {
    const { session, contacts, log } = this.#o;
    const key = sipFromUri(sip);
    if (!key) throw new AppError({ code: 'invalidInput', message: `"${sip}" is not a SIP address like alice@contoso.com.` });
    const client = session.client;
    if (!client || !session.app) throw notSignedIn();
    try {
      const pinned = await this.#pinnedGroup();
      const memberships = (await contacts.peopleLinks())?.myGroupMemberships;
      if (!memberships) throw new AppError({ code: 'server', message: 'This server does not let apps change your contact list.' });
      if (favourite) await this.#add(client, memberships, key, pinned);
      else await this.#remove(client, memberships, key, pinned);
    } catch (err) {
      throw this.#refusal(err, favourite);
    }
    // Done on the server: read the list again so the store shows it (the server's own change event
    // would too, but the caller is told "done" only once it is visible).
    await contacts.sync().catch((err: unknown) => log(`contact list after a Favourites change: ${describeError(err)}`));
  }

  async #pinnedGroup(): Promise<ParsedGroup> {
    const find = () => this.#o.contacts.groups().find((g) => g.kind === 'pinned');
    // No list read by this application yet (just signed in, or recreated): read it now.
    const pinned = find() ?? (await this.#o.contacts.sync(), find());
    if (!pinned) throw new AppError({ code: 'server', message: 'Your contact list on the server has no Favourites group.' });
    return pinned;
  }

  async #add(client: UcwaClient, href: string, sip: string, pinned: ParsedGroup): Promise<void> {
    try {
      await this.#o.session.withChannel(() => client.post(href, { json: { contactUri: sip, groupId: pinned.serverId } }));
    } catch (err) {
      // Already a favourite (another endpoint, a double click): what was asked is so.
      if (err instanceof UcwaError && err.is(409, 'AlreadyExists')) return;
      throw err;
    }
  }

  async #remove(client: UcwaClient, href: string, sip: string, pinned: ParsedGroup): Promise<void> {
    // The pinned group's memberships (groupId is the documented filter, added with a URL builder);
    // matched again here, in case a server lists more than was asked.
    const body = await client.getJson(href, { query: { groupId: pinned.serverId } });
    const membership = parseGroupMemberships(body).find((m) => this.#isPinnedMembership(m, sip, pinned));
    if (!membership) return; // not a favourite: nothing to remove
    try {
      await this.#o.session.withChannel(() => client.request('DELETE', membership.self));
    } catch (err) {
      // 404: gone already (another endpoint took them out) — unless the application itself is gone.
      if (err instanceof UcwaError && err.status === 404 && !isApplicationGone(err)) return;
      throw err;
    }
  }

  #isPinnedMembership(m: ParsedMembership, sip: string, pinned: ParsedGroup): boolean {
    const contactSelf = this.#o.contacts.linksOf(sip)?.self;
    const isContact = m.sip === sip || (!!m.contactHref && !!contactSelf && hrefKey(m.contactHref) === hrefKey(contactSelf));
    const inPinned = pinned.links.self && m.groupHref ? hrefKey(m.groupHref) === hrefKey(pinned.links.self) : m.groupKind === 'pinned';
    return isContact && inPinned;
  }


  /** The refusal in words a user understands. */
  #refusal(err: unknown, favourite: boolean): AppError {
    if (err instanceof AppError) return err;
    const client = this.#o.session.client;
    // Signed out while this was on its way: the client refuses every request as cancelled.
    if (err instanceof NetworkError && err.kind === 'aborted' && (!client || client.signedOut)) return notSignedIn();
    if (!(err instanceof UcwaError)) return toAppError(err);
    const base = { status: err.status, ucwaCode: err.code, ...(err.subcode !== undefined ? { subcode: err.subcode } : {}) };
    const cause = { cause: err };
    if (isApplicationGone(err)) {
      if (this.#o.session.isCurrentApplication(err)) this.#o.session.applicationGone();
      return new AppError({ ...base, code: 'network', message: 'The connection to the server was lost; try again in a moment.' }, cause);
    }
    if (err.is(409, 'LimitExceeded')) {
      return new AppError({ ...base, code: 'server', message: `Your contact list is full (the server allows about ${DEFAULT_MAX_CONTACTS} contacts): remove someone to add another.` }, cause);
    }
    if (err.is(500, 'MigrationInProgress')) {
      return new AppError({ ...base, code: 'server', message: 'Your contact list is read-only for now: the server is moving it. Try again later.' }, cause);
    }
    if (err.status === 502 || err.status === 503) return toAppError(err);
    const what = favourite ? 'add this person to Favourites' : 'remove this person from Favourites';
    return new AppError({ ...base, code: 'server', message: `The server could not ${what} (${err.status} ${err.code}${err.subcode ? `/${err.subcode}` : ''}).` }, cause);
  }
}
