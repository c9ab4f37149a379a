// Your own note, location and presence as the server reports them (PROTOCOL-2 §1.2): read once per
// application, set by POST me/note and me/location, and kept up to date from the `me` events (which
// also confirm what another endpoint or Exchange's out-of-office changed). Owns the note and the
// location; the presence it reads goes to the session (Session.presenceReported), the one owner of
// your availability, so SessionState and MyStatus never disagree about it.
import { AppError, type MyStatus } from './types.ts';
import { toAppError } from './errors.ts';
import type { Session } from './session.ts';
import type { LogFn } from '../ucwa/transport.ts';
import { UcwaError } from '../ucwa/errors.ts';
import { link, type Resource } from '../ucwa/links.ts';
import { parseLocation, parseNote, parsePresence } from '../ucwa/presence.ts';
import { LIMITS } from '../limits.ts';
import { describeError } from '../logSafe.ts';

/** The server's bound on your location (location_ref). */
export const MAX_LOCATION_CHARS = 60;

export interface MyStatusOptions {
  session: Session;
  log: LogFn;
  onChange(status: MyStatus): void;
}

type Part = 'presence' | 'note' | 'location';

type OwnText = Pick<MyStatus, 'note' | 'noteType' | 'location'>;

const EMPTY: OwnText = { note: '', noteType: 'Personal', location: '' };

export class MyStatusState {
  readonly #o: MyStatusOptions;
  #status: OwnText = { ...EMPTY };
  /** Parts read from this application (a new one is read again). */
  readonly #read = new Set<Part>();

  constructor(o: MyStatusOptions) {
    this.#o = o;
  }

  get current(): MyStatus {
    const p = this.#o.session.reportedPresence;
    return { availability: p?.token || null, activity: p?.activity ?? '', ...this.#status };
  }

  reset(): void {
    this.#read.clear();
  }

  /** Online: read what was not read from this application. */
  onOnline(): void {
    void this.read().catch((err: unknown) => this.#o.log(`my status: ${describeError(err)}`));
  }

  async read(): Promise<MyStatus> {
    const parts: Part[] = (['presence', 'note', 'location'] as const).filter((p) => !this.#read.has(p));
    await Promise.all(parts.map((p) => this.#fetch(p)));
    return this.current;
  }

  /** A `me` event (sender me): presence, note or location changed (embedded copy, else GET). */
  async onEvent(part: Part | 'me', resource: Resource | null, href: string): Promise<void> {
    if (part === 'me') {
      // Left lurker mode (makeMeAvailable): the note, location and presence links exist now.
      this.#read.clear();
      await this.read();
      return;
    }
    if (resource) this.#apply(part, resource);
    else await this.#fetch(part, href);
  }

  async setNote(text: string): Promise<MyStatus> {
    const message = text.trim();
    if (message.length > LIMITS.noteChars) throw new AppError({ code: 'invalidInput', message: `A note can be at most ${LIMITS.noteChars.toLocaleString('en')} characters.` });
    const href = this.#link('note');
    // The trace's reset sends no body at all; a set sends {"message": …}.
    await this.#post(href, message ? { json: { message } } : {});
    this.#merge({ note: message, noteType: 'Personal' });
    await this.#fetch('note').catch(() => undefined);
    return this.current;
  }

  async setLocation(text: string): Promise<MyStatus> {
    const location = text.trim();
    if ([...location].length > MAX_LOCATION_CHARS) {
      throw new AppError({ code: 'invalidInput', message: `A location can be at most ${MAX_LOCATION_CHARS} characters (this one has ${[...location].length}).` });
    }
    const href = this.#link('location');
    await this.#post(href, location ? { json: { location } } : {});
    this.#merge({ location });
    return this.current;
  }

  /** After setting the availability: the server's value (Offwork reads back as Away / off-work). */
  refreshPresence(): void {
    void this.#fetch('presence');
  }

  #link(part: Part): string {
    const { session } = this.#o;
    if (!session.client || !session.app) throw new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
    const href = link(session.app.me, part);
    if (!href) throw new AppError({ code: 'server', message: `The server offers no way to set your ${part} (no ${part} link; it appears once you are signed in as available).` });
    return href;
  }

  async #post(href: string, opts: { json?: unknown }): Promise<void> {
    const { session } = this.#o;
    const client = session.requireClient();
    try {
      await session.withChannel(() => client.post(href, opts));
    } catch (err) {
      if (err instanceof UcwaError && err.status === 400) throw new AppError({ code: 'invalidInput', message: 'The server refused the text.', status: 400, ucwaCode: err.code, subcode: err.subcode }, { cause: err });
      throw toAppError(err);
    }
  }

  async #fetch(part: Part, href?: string): Promise<void> {
    const { session } = this.#o;
    const client = session.client;
    const url = href ?? link(session.app?.me, part);
    if (!client || !url) return;
    try {
      this.#apply(part, await client.getJson(url));
    } catch (err) {
      // 409 MakeMeAvailableRequired (still a lurker) and the like: nothing to show yet.
      this.#o.log(`my ${part}: reading it failed: ${describeError(err)}`);
    }
  }

  #apply(part: Part, r: Resource): void {
    this.#read.add(part);
    if (part === 'presence') {
      const p = parsePresence(r);
      const before = JSON.stringify(this.current);
      this.#o.session.presenceReported(p.raw, p.activity);
      if (JSON.stringify(this.current) !== before) this.#o.onChange(this.current);
    } else if (part === 'note') {
      const n = parseNote(r);
      this.#merge({ note: n.message, noteType: n.type });
    } else {
      this.#merge({ location: parseLocation(r).location });
    }
  }

  #merge(patch: Partial<OwnText>): void {
    const next = { ...this.#status, ...patch };
    if (JSON.stringify(next) === JSON.stringify(this.#status)) return;
    this.#status = next;
    this.#o.onChange(this.current);
  }
}
