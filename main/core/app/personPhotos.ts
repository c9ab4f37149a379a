// People's photos for display (PROTOCOL-2 §4): the photo cache (photos.ts) fed with the photo links
// this application learnt (contact list, search, distribution groups, your own `me` photo), what it
// learnt written to the store (store.patchPerson(sip, { photo })), and the cached file handed out as
// bytes sniffed again on the way out — a file is a picture when its bytes say so, whatever wrote it.
//
// Each person's photo is asked for once a session: in the background for the people this
// application lists (after the first presence burst: sign-in's own work goes first), at most 4 at a
// time (the cache's bound) and conditionally when an ETag is known — an unchanged photo is a 304 —
// so that a card says it has a photo (what a window asks personPhoto for); or when asked for, first.
// Without prefetching (the CLI's one-shot commands) only what is asked for is fetched.
// Owns the links (good only for this application); the cache owns "asked this session".
// The organisation may switch photos off (policies.photos Disabled, §4.1): then none is fetched,
// what the disk has is still shown. Photos are asked for at PHOTO_SIZE (§4.2: the server's default
// is 48×48, blurred on a HiDPI screen and in the card).
import { readFile, stat } from 'node:fs/promises';
import { AppError, type PhotoBytes } from './types.ts';
import { PHOTO_CONCURRENCY, PhotoCache } from './photos.ts';
import { createClientPhotoFetcher } from './photoFetch.ts';
import { sniffImage } from './imageSniff.ts';
import type { ResetReason, Session } from './session.ts';
import type { LogFn } from '../ucwa/transport.ts';
import { link } from '../ucwa/links.ts';
import { sipFromUri } from '../ucwa/peopleFields.ts';
import type { PersonPhoto, Store } from '../store/types.ts';
import { LIMITS } from '../limits.ts';
import { describeError } from '../logSafe.ts';

export interface PersonPhotosOptions {
  /** The photo folder, `<dataDir>/photos`. */
  dir: string;
  session: Session;
  store: Store;
  log: LogFn;
  /** Largest photo accepted (default LIMITS.photoBytes). */
  maxBytes?: number;
  /** false: prefetch() and onOnline() ask for nothing (only photo() does). */
  prefetch: boolean;
}

/** What personPhoto takes for your own photo. */
export const ME = 'me';

/** Exchange's photo size code asked for: 96×96 serves a 48-px avatar at 2× and the card's 64 px. */
export const PHOTO_SIZE = 'HR96X96';

/** `href` with the size asked for (kept when the server's link already says one). */
export function sizedPhotoHref(href: string): string {
  if (/[?&]size=/i.test(href)) return href;
  return `${href}${href.includes('?') ? '&' : '?'}size=${PHOTO_SIZE}`;
}

export class PersonPhotos {
  readonly #o: PersonPhotosOptions;
  readonly cache: PhotoCache;
  readonly #maxBytes: number;
  /** sip → its photo link in this application. */
  readonly #links = new Map<string, string>();
  /** Bumped when the links go stale: background work of before stops. */
  #gen = 0;
  /** This application's policies.photos read (null: not yet, or no policies link: photos allowed). */
  #policy: Promise<boolean> | null = null;

  constructor(o: PersonPhotosOptions) {
    this.#o = o;
    this.#maxBytes = o.maxBytes ?? LIMITS.photoBytes;
    this.cache = new PhotoCache({ fetchPhoto: createClientPhotoFetcher(() => o.session.client), dir: o.dir, log: o.log, maxBytes: this.#maxBytes });
  }

  /** A person's photo link, as this application learnt it. */
  photoLink(sip: string, href: string): void {
    // Bounded like the contact links it comes with (contact list, search results).
    if (this.#links.size >= LIMITS.contactListMembers && !this.#links.has(sip)) return;
    this.#links.set(sip, href);
  }

  /**
   * The links are stale (another application). Signed out: the next sign-in is a new session, in
   * which each photo is asked for again (conditionally: an unchanged one costs a 304).
   */
  reset(reason: ResetReason): void {
    this.#gen++;
    this.#links.clear();
    this.#policy = null;
    if (reason === 'signedOut') this.cache.resetSession();
  }

  /** Online: your own photo (the card of the account shows it too). */
  onOnline(): void {
    const sip = this.#mySip();
    if (sip) this.prefetch([sip]);
  }

  /**
   * Ask for these people's photos in the background (those this application has a link for), a
   * few at a time; what is still waiting when the links go stale (a new application, a sign-out,
   * close) is dropped, not sent to fail one by one.
   */
  prefetch(sips: string[]): void {
    if (!this.#o.prefetch) return;
    const waiting = sips.filter((s) => this.#hrefOf(s));
    const gen = this.#gen;
    const worker = async (): Promise<void> => {
      for (let sip = waiting.shift(); sip !== undefined && gen === this.#gen; sip = waiting.shift()) {
        const known = (await this.#o.store.getPerson(sip))?.photo ?? null;
        if (gen === this.#gen) await this.#refresh(sip, known);
      }
    };
    const workers = Math.min(PHOTO_CONCURRENCY, waiting.length);
    for (let i = 0; i < workers; i++) void worker().catch((err: unknown) => this.#o.log(`photo: ${describeError(err)}`));
  }

  /** Nothing more in the background (the service closes). */
  close(): void {
    this.#gen++;
    this.cache.close();
  }

  /**
   * The photo of `who` (a SIP address, or 'me'), fetched first when this application has its link
   * and the cache has not asked this session. Null: no photo — none on the server, none cached, or
   * what there is is no PNG, JPEG, GIF or WebP (logged). Rejects only for an address that is none.
   */
  async photo(who: string): Promise<PhotoBytes | null> {
    const own = who.trim().toLowerCase() === ME;
    const sip = own ? this.#mySip() : sipFromUri(who);
    if (!sip) {
      if (own) return null; // never signed in: nobody is "me" yet
      throw new AppError({ code: 'invalidInput', message: `"${who}" is not a SIP address like alice@contoso.com.` });
    }
    const known = (await this.#o.store.getPerson(sip))?.photo ?? null;
    // Offline, or a person this application has no link for: what the disk has.
    const path = this.#hrefOf(sip) ? await this.#refresh(sip, known) : this.cache.pathOf(sip, known);
    return path ? this.#read(path) : null;
  }

  #mySip(): string | null {
    const me = this.#o.session.me?.sip;
    return me ? sipFromUri(me) : null;
  }

  /** The photo link of `sip` in this application, when signed in. */
  #hrefOf(sip: string): string | null {
    const { session } = this.#o;
    if (!session.client || !session.app) return null;
    return (sip === this.#mySip() ? link(session.app.me, 'photo') : this.#links.get(sip)) ?? null;
  }

  /** Whether this organisation allows photos (policies.photos), read once per application. */
  #allowed(): Promise<boolean> {
    if (this.#policy) return this.#policy;
    const { session, log } = this.#o;
    const client = session.client, href = session.app?.policies;
    if (!client || !href) return Promise.resolve(true);
    const read = client.getJson(href).then(
      (p) => {
        const off = typeof p.photos === 'string' && p.photos.toLowerCase() === 'disabled';
        if (off) log('photos: switched off by the organisation (policies.photos Disabled); none is fetched');
        return !off;
      },
      (err: unknown) => {
        log(`photos: reading policies failed, photos allowed: ${describeError(err)}`);
        return true;
      },
    );
    this.#policy = read;
    return read;
  }

  /** Asked of the server when due (the cache decides), what it learnt written to the store; the file's path. */
  async #refresh(sip: string, known: PersonPhoto | null): Promise<string | null> {
    const href = this.#hrefOf(sip);
    if (!href || !(await this.#allowed())) return this.cache.pathOf(sip, known);
    const r = await this.cache.get(sip, sizedPhotoHref(href), { known });
    if (r.changed) {
      await this.#o.store.patchPerson(sip, { photo: r.photo }).catch((err: unknown) => this.#o.log(`photo: storing what was fetched failed: ${describeError(err)}`));
    }
    return r.path;
  }

  /** The cached file as bytes for an <img>: bounded, and sniffed (the file may be damaged or replaced). */
  async #read(path: string): Promise<PhotoBytes | null> {
    const { log } = this.#o;
    try {
      const st = await stat(path);
      if (!st.isFile() || st.size > this.#maxBytes) {
        log(`photo: a cached file is ${st.isFile() ? `larger than ${this.#maxBytes} bytes` : 'no file'}; initials shown`);
        return null;
      }
      const bytes = await readFile(path);
      if (bytes.byteLength > this.#maxBytes) return null; // grew since the stat: not ours
      const image = sniffImage(bytes);
      if (!image) {
        log('photo: a cached file is no PNG, JPEG, GIF or WebP; initials shown');
        return null;
      }
      return { mime: image.mime as PhotoBytes['mime'], base64: bytes.toString('base64') };
    } catch (err) {
      // Gone since (another process's forget, a clean-up): the next fetch writes it again.
      log(`photo: the cached file cannot be read (${describeError(err)}); initials shown`);
      return null;
    }
  }
}
