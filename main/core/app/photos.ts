// People's photos (PROTOCOL-2 §4) cached on disk: one file per person in <dataDir>/photos, fetched
// once a session and revalidated with the ETag the store remembers (If-None-Match → 304 keeps the
// file). No event ever says a photo changed (§4.3), so "once a session, or when asked" is the
// freshness there is.
//
// Nothing a server sends can break this: the bytes, not the Content-Type, decide whether an answer
// is a picture; a body is read only up to the limit; any refusal is a log line, the previous good
// photo (or the initials) stays, and get() never rejects.
//
// The cache keeps no index of its own: what it learnt (ETag and file name) is returned as the
// store's PersonPhoto for people.ts to write with store.patchPerson(sip, { photo }), and handed back
// as `known` after a restart.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LIMITS } from '../limits.ts';
import { describeError, safeUrl } from '../logSafe.ts';
import { ensureDataDir, namesIn } from '../paths.ts';
import type { PersonPhoto } from '../store/types.ts';
import { normaliseSip } from '../ucwa/hypermedia.ts';
import type { LogFn } from '../ucwa/transport.ts';
import { contentTypeAllowsImage, sniffImage } from './imageSniff.ts';
import type { FetchPhoto, PhotoResponse } from './photoFetch.ts';

export type { FetchPhoto, PhotoResponse } from './photoFetch.ts';

/** At most this many photo requests in flight (PROTOCOL-2 §4.3: "at most ~4"). */
export const PHOTO_CONCURRENCY = 4;

export interface PhotoCacheOptions {
  /** The authenticated GET (see photoFetch.ts: the UcwaClient has no byte-level, conditional GET). */
  fetchPhoto: FetchPhoto;
  /** The photo folder, `<dataDir>/photos` (created 0700 on the first write). */
  dir: string;
  log: LogFn;
  /** Largest photo accepted, in bytes (default LIMITS.photoBytes, 1 MiB). */
  maxBytes?: number;
  /** Photo requests in flight at most (default 4). */
  concurrency?: number;
}

export interface PhotoGetOptions {
  /**
   * What the store holds for this person (PersonCard.photo): its ETag makes the first request of a
   * session a conditional one, so an unchanged photo costs a 304 instead of its bytes.
   */
  known?: PersonPhoto | null;
  /** Ask the server again even though this session already did. */
  refresh?: boolean;
}

export interface PhotoResult {
  /** The cached picture's absolute path; null: no photo (show initials). */
  path: string | null;
  /** What store.patchPerson(sip, { photo }) should hold now (null: no photo). */
  photo: PersonPhoto | null;
  /** `photo` differs from what the caller gave as `known` (or, without it, from this session's last answer): write it. */
  changed: boolean;
}

interface Entry {
  photo: PersonPhoto | null;
  /** The server answered this session (a network failure leaves it false: the next get() asks again). */
  answered: boolean;
}

// <32 hex of sha256(sip)>.<ext>: the SIP address never appears in a path, and the name is a bare
// name the store accepts (store/peopleRows.ts photoFile).
const FILE_NAME = /^([0-9a-f]{32})\.(png|jpg|gif|webp)$/;
// Temporary files of an interrupted write: removed by clear() too.
const TEMP_NAME = /^\.[0-9a-f]{32}\.[0-9a-f]{16}\.tmp$/;

/** The hash part of a person's cache file name (lower-cased SIP, "sip:" added when missing). */
export function photoKey(sip: string): string {
  return createHash('sha256').update(normaliseSip(sip)).digest('hex').slice(0, 32);
}

/** A Content-Type as a log line may show it: a media-type word or "none" (server text never goes to the log). */
function typeWord(contentType: string | null): string {
  if (!contentType) return 'none';
  const m = /^\s*([a-z0-9!#$&^_.+-]{1,40}\/[a-z0-9!#$&^_.+-]{1,60})/i.exec(contentType);
  return m?.[1] ?? 'unreadable';
}

/** An ETag the store can keep whole and send back verbatim: printable ASCII, within LIMITS.photoTagChars. */
function usableEtag(etag: string | null): string | null {
  if (!etag || etag.length > LIMITS.photoTagChars || /[^\x20-\x7e]/.test(etag)) return null;
  return etag;
}

const same = (a: PersonPhoto | null, b: PersonPhoto | null): boolean =>
  a === b || (!!a && !!b && a.etag === b.etag && a.file === b.file);

export class PhotoCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #fetch: FetchPhoto;
  readonly #log: LogFn;
  readonly #limit: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<PersonPhoto | null>>();
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  /** Bumped by clear(): a fetch that started before it must not leave a file behind. */
  #generation = 0;
  #closed = false;

  constructor(opts: PhotoCacheOptions) {
    this.dir = opts.dir;
    this.#fetch = opts.fetchPhoto;
    this.#log = opts.log;
    this.maxBytes = opts.maxBytes ?? LIMITS.photoBytes;
    this.#limit = Math.max(1, Math.floor(opts.concurrency ?? PHOTO_CONCURRENCY));
  }

  /**
   * The absolute path of a stored photo of this person, when its file is one this cache wrote for
   * them (a file name from a damaged or foreign store is no photo). Does not look at the disk:
   * for showing the cached picture at once, before get() revalidates it.
   */
  pathOf(sip: string, photo: PersonPhoto | null | undefined): string | null {
    const m = photo?.file ? FILE_NAME.exec(photo.file) : null;
    return m && m[1] === photoKey(sip) ? join(this.dir, photo!.file!) : null;
  }

  /**
   * The person's photo: asked of the server once a session (again with `refresh`), conditionally
   * when an ETag is known. Concurrent calls for one person share one request. Never rejects: a
   * refused or failed answer keeps the previous photo and says why in the log.
   */
  async get(sip: string, href: string | null | undefined, opts: PhotoGetOptions = {}): Promise<PhotoResult> {
    const key = photoKey(sip);
    const entry = this.#entries.get(key);
    const baseline = opts.known !== undefined ? opts.known : entry?.photo ?? null;
    let photo: PersonPhoto | null;
    if (!href) {
      // No link (an anonymous view, a link the server left out): nothing to ask, keep what is known.
      // Said once a session per person: a list of a thousand link-less contacts is one line each.
      photo = entry ? entry.photo : baseline;
      if (!entry) {
        this.#entries.set(key, { photo, answered: false });
        this.#log(`photo: a person has no photo link; ${photo ? 'the cached photo is kept' : 'initials shown'}`);
      }
    } else if (entry?.answered && !opts.refresh) {
      photo = entry.photo;
    } else {
      let pending = this.#inflight.get(key);
      if (!pending) {
        const start = entry ? entry.photo : opts.known ?? null;
        pending = this.#slot(() => this.#fetchOne(sip, key, href, start)).finally(() => {
          if (this.#inflight.get(key) === pending) this.#inflight.delete(key);
        });
        this.#inflight.set(key, pending);
      }
      photo = await pending;
    }
    return { path: this.pathOf(sip, photo), photo, changed: !same(photo, baseline) };
  }

  /**
   * Forget what this session asked (a new sign-in): every person's next get() asks the server
   * again, conditionally for those with a file. The files stay.
   */
  resetSession(): void {
    for (const entry of this.#entries.values()) entry.answered = false;
  }

  /**
   * Remove every cached photo (sign-out with "forget"): the files of this folder that this cache
   * writes, temporary ones included, and what this session learnt. A fetch still in flight writes
   * nothing after this. Returns the paths removed.
   */
  async clear(): Promise<string[]> {
    this.#generation++;
    this.#entries.clear();
    this.#inflight.clear();
    return removeCachedPhotos(this.dir);
  }

  /**
   * Stop for good (the service closes; its account's folder may be removed next): a fetch still
   * in flight writes nothing, and nothing re-creates the folder. The files stay.
   */
  close(): void {
    this.#generation++;
    this.#closed = true;
    this.#entries.clear();
    this.#inflight.clear();
  }

  async #slot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  /** One request for one person; what the store should hold afterwards. */
  async #fetchOne(sip: string, key: string, href: string, start: PersonPhoto | null): Promise<PersonPhoto | null> {
    const generation = this.#generation;
    const where = `photo ${safeUrl(href)}`;
    // The previous photo counts only if its file is still there: a 304 for a file that is gone
    // would leave the person without a picture until the next session.
    let prior = this.pathOf(sip, start) ? start : null;
    if (prior && !(await isFile(join(this.dir, prior.file!)))) prior = null;
    const remember = (photo: PersonPhoto | null): PersonPhoto | null => {
      if (generation === this.#generation) this.#entries.set(key, { photo, answered: true });
      return photo;
    };

    let res: PhotoResponse;
    try {
      res = await this.#fetch(href, prior?.etag ?? null, this.maxBytes);
    } catch (err) {
      this.#log(`${where}: not fetched (${describeError(err)}); ${prior ? 'the cached photo is kept' : 'initials shown'}, asked again next time`);
      if (generation === this.#generation) this.#entries.set(key, { photo: prior, answered: false });
      return prior;
    }
    const keep = (why: string): PersonPhoto | null => {
      this.#log(`${where}: ${why}; ${prior ? 'the cached photo is kept' : 'initials shown'}`);
      return remember(prior);
    };

    if (res.status === 304) return remember(prior);
    if (res.status === 404 || res.status === 403) {
      // The person has no photo (any more), or photos are not for us to see: no picture to keep.
      if (prior) await rm(join(this.dir, prior.file!), { force: true }).catch(() => undefined);
      this.#log(`${where}: ${res.status === 404 ? 'none on the server' : 'not for this user to see'} (${res.status}); initials shown`);
      return remember(null);
    }
    if (res.status !== 200) return keep(`answered ${res.status}`);
    if (res.tooLarge || res.body.byteLength > this.maxBytes) return keep(`refused: larger than ${this.maxBytes} bytes`);
    if (res.body.byteLength === 0) return keep('refused: empty body');
    if (!contentTypeAllowsImage(res.contentType)) return keep(`refused: Content-Type ${typeWord(res.contentType)} is not an image`);
    const image = sniffImage(res.body);
    if (!image) return keep(`refused: the bytes (Content-Type ${typeWord(res.contentType)}) are no PNG, JPEG, GIF or WebP`);

    const file = `${key}.${image.ext}`;
    try {
      if (!(await this.#write(file, res.body, generation))) return prior;
    } catch (err) {
      return keep(`not cached (${describeError(err)})`);
    }
    if (prior && prior.file !== file) await rm(join(this.dir, prior.file!), { force: true }).catch(() => undefined);
    return remember({ etag: usableEtag(res.etag), file });
  }

  /**
   * Replace `file` atomically: a private temporary file in the same folder, written and synced,
   * then renamed over the old one — a reader (the renderer) sees the old picture or the new one,
   * never half of one. False when clear() ran meanwhile (nothing is left behind then).
   */
  async #write(file: string, bytes: Uint8Array, generation: number): Promise<boolean> {
    // Closed or cleared while the bytes came: the folder may be gone on purpose (Delete local history).
    if (generation !== this.#generation || this.#closed) return false;
    await ensurePrivateDir(this.dir);
    const tmp = join(this.dir, `.${file.slice(0, 32)}.${randomBytes(8).toString('hex')}.tmp`);
    const target = join(this.dir, file);
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (generation !== this.#generation) return false;
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
    if (generation !== this.#generation) {
      // clear() listed the folder between our check and the rename.
      await rm(target, { force: true }).catch(() => undefined);
      return false;
    }
    return true;
  }
}

/** Removes the cached photos of a photo folder (also without a PhotoCache: `ucwa forget`); returns the paths removed. */
export async function removeCachedPhotos(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await namesIn(dir)) {
    if (!FILE_NAME.test(name) && !TEMP_NAME.test(name)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed.sort();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The folder, 0700. store/database.ts has ensurePrivateFile, but it is synchronous, creates the
 * file it is given, and importing it would load the SQLite binding into this process (only the
 * store's worker opens databases); paths.ts's ensureDataDir creates 0700 and this tightens a
 * folder that already existed with wider modes, the same only-ever-tighten rule.
 */
async function ensurePrivateDir(dir: string): Promise<void> {
  await ensureDataDir(dir);
  if (process.platform === 'win32') return; // ACLs, not modes: the user profile is private already
  const st = await stat(dir);
  if ((st.mode & 0o077) !== 0) await chmod(dir, st.mode & 0o700);
}
