// What the shell knows of people, held in memory so that a notification and the tray menu can say
// someone's availability at once, with no call and no network wait: the contact list's cards (a
// store read) when the session comes online, then every 'person' event, and the Favourites (the
// server's pinned group) from the 'contactList' events. It holds only what those surfaces show.
import type { ContactGroup, ContactList, PersonCard, SessionState } from '../ipc/contract.ts';

export interface KnownPerson {
  sip: string;
  name: string;
  /** The server's token as it came, null until read. */
  availability: string | null;
  activity: string;
}

/** The few service calls this needs (the shell's AppService has them). */
export interface PeopleSource {
  contactList(): Promise<ContactList>;
  on(event: 'person', listener: (card: PersonCard) => void): () => void;
  on(event: 'contactList', listener: (list: { groups: ContactGroup[] }) => void): () => void;
  on(event: 'session', listener: (state: SessionState) => void): () => void;
}

export interface ShellPeople {
  /** The person's last known presence, or null (never read, or not seen this run). */
  presenceOf(sip: string | null | undefined): KnownPerson | null;
  /** The Favourites in the contact list's order (by name), with what is known of each. */
  favourites(): KnownPerson[];
  close(): void;
}

const key = (sip: string): string => {
  const s = sip.trim().toLowerCase();
  return s.startsWith('sip:') ? s : `sip:${s}`;
};

function known(card: PersonCard): KnownPerson {
  return { sip: key(card.sip), name: card.name, availability: card.presence?.availability ?? null, activity: card.presence?.activity ?? '' };
}

const same = (a: KnownPerson | undefined, b: KnownPerson): boolean =>
  !!a && a.name === b.name && a.availability === b.availability && a.activity === b.activity;

/** At most this many people kept (a contact list is capped near 1 000; conversations add some). */
const MAX_PEOPLE = 5000;

/**
 * `onFavouritesChanged`: a Favourite's name or presence changed, or who the Favourites are — the
 * tray rebuilds its menu (the caller debounces). Never for anybody else: a sign-in's burst of a
 * thousand presences must not rebuild the menu a thousand times.
 */
export function createShellPeople(source: PeopleSource, opts: { onFavouritesChanged(): void; log(line: string): void }): ShellPeople {
  const people = new Map<string, KnownPerson>();
  let pinned: string[] = [];
  let pinnedSet = new Set<string>();
  let account: string | null = null;
  let online = false;
  let loads = 0;

  const setPinned = (groups: readonly ContactGroup[]): boolean => {
    const next = groups.find((g) => g.kind === 'pinned')?.members.map(key) ?? [];
    if (next.length === pinned.length && next.every((s, i) => s === pinned[i])) return false;
    pinned = next;
    pinnedSet = new Set(next);
    return true;
  };

  const remember = (card: PersonCard): boolean => {
    const k = known(card);
    if (same(people.get(k.sip), k)) return false;
    if (!people.has(k.sip) && people.size >= MAX_PEOPLE) people.delete(people.keys().next().value as string);
    people.set(k.sip, k);
    return pinnedSet.has(k.sip);
  };

  const load = async (): Promise<void> => {
    const mine = ++loads;
    try {
      const list = await source.contactList();
      // A newer load (another account signed in meanwhile) wins.
      if (mine !== loads) return;
      let changed = setPinned(list.groups);
      // A card already held came by an event, newer than this read of the store: keep it.
      for (const card of list.people) if (!people.has(key(card.sip)) && remember(card)) changed = true;
      if (changed) opts.onFavouritesChanged();
    } catch (err) {
      opts.log(`shell people: the contact list could not be read (${err instanceof Error ? err.message : String(err)})`);
    }
  };

  const offs = [
    source.on('person', (card) => {
      if (remember(card)) opts.onFavouritesChanged();
    }),
    source.on('contactList', ({ groups }) => {
      if (setPinned(groups)) opts.onFavouritesChanged();
    }),
    source.on('session', (s) => {
      const who = s.user ? key(s.user.sip) : null;
      if (who !== account) {
        // Another account, or nobody (signed out, or the local history deleted): nothing of the
        // last one's people applies, and the tray lists none of them.
        account = who;
        people.clear();
        pinned = [];
        pinnedSet = new Set();
        opts.onFavouritesChanged();
      }
      // Once per coming online (session events also come for every availability change).
      const now = s.status === 'online';
      if (now && !online) void load();
      online = now;
    }),
  ];

  return {
    presenceOf(sip) {
      return sip ? people.get(key(sip)) ?? null : null;
    },
    favourites() {
      return pinned.map((s) => people.get(s) ?? { sip: s, name: '', availability: null, activity: '' });
    },
    close() {
      for (const off of offs) off();
    },
  };
}
