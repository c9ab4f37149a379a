// The presence manager (PROTOCOL-2 §1.8, §1.11 step 4, §1.14 "Client must" 3): the ONE owner of
// the application's presence subscriptions. Callers say whom they want watched and why; this keeps
// the server's subscriptions covering exactly the union — ad-hoc subscriptions of 30 minutes, as few
// as the server's per-subscription limit allows (at most 250 people each; a lower limit learned from
// its 403 LimitExceeded), members added
// (addToPresenceSubscription) and removed (DELETE membership) rather than subscriptions remade,
// renewed before expiry, re-created one by one when the server lost one, all of them after an
// application recreate or an event-channel resume. The presence values themselves arrive as
// contactPresence events (people.ts fetches them).
import type { Session } from './session.ts';
import type { LogFn } from '../ucwa/transport.ts';
import { getApplication } from '../ucwa/application.ts';
import { parsePeopleLinks } from '../ucwa/contacts.ts';
import { isApplicationGone, UcwaError } from '../ucwa/errors.ts';
import { embeddedList, link } from '../ucwa/links.ts';
import { hrefKey, sipFromPeopleHref, sipFromUri } from '../ucwa/peopleFields.ts';
import {
  addToPresenceSubscriptionRequest, parsePresenceSubscription, presenceSubscriptionRequest, SUBSCRIPTION_MINUTES,
} from '../ucwa/presence.ts';
import { describeError, safeUrl } from '../logSafe.ts';

export interface PresenceSubscriptionsOptions {
  session: Session;
  log: LogFn;
  /** Local renewal timer (~25 min; scaled down in tests). */
  renewMs: number;
  /** Wait for more watch changes before reconciling. */
  delayMs: number;
}

interface Sub {
  self: string;
  key: string;
  addHref: string | null;
  membershipsHref: string | null;
  sips: Set<string>;
  /** sip → membership href, once read (GET memberships); needed only to remove someone. */
  memberships: Map<string, string> | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** The server refused one more member: take none. */
  full: boolean;
  renewing: boolean;
}

/** What the manager did (tests and the bench count it). */
export interface PresenceSubscriptionStats {
  creates: number;
  refusedCreates: number;
  adds: number;
  removals: number;
  renewals: number;
  recreated: number;
}

const RETRY_MS = 5_000;

/**
 * The most people one subscription is asked for. The server's limit is undocumented (PROTOCOL-2
 * §1.8: a 403 LimitExceeded says it was passed); the contact list's documented default is 250
 * contacts, and that is what the simulator allows. Probing upward from a larger first try cost
 * 13 requests for 1 000 people where 4 do (bench: people); a server that allows more only gets
 * more, smaller subscriptions; one that allows fewer is found by halves as before.
 */
export const FIRST_SUBSCRIPTION_URIS = 250;

/**
 * How long after the n-th failed renewal in a row to try again: RETRY_MS doubling (5 s, 10 s, …),
 * never later than the normal renewal; a tenth of it at most for the first try, so that timers
 * scaled down in tests scale this too.
 */
export function retryDelay(renewMs: number, failures: number): number {
  const step = 2 ** Math.max(0, failures - 1);
  return Math.min(renewMs, RETRY_MS * step, (renewMs / 10) * step);
}

export class PresenceSubscriptions {
  readonly #o: PresenceSubscriptionsOptions;
  /** Sets kept by the core (contacts, conversations), replaced as a whole. */
  readonly #groups = new Map<string, Set<string>>();
  /** Watches handed out by watch(): id → people. */
  readonly #holds = new Map<number, Set<string>>();
  #nextHold = 1;
  readonly #subs = new Map<string, Sub>();
  readonly #covered = new Map<string, Sub>();
  /** The per-subscription limit as learned: the most people one subscription was given, and the
   * fewest it was refused (kept across applications: it is the server's). */
  #good = 0;
  #bad = Number.POSITIVE_INFINITY;
  /** Bumped when every subscription is gone (reset): work begun before must not record its result. */
  #gen = 0;
  #running: Promise<void> | null = null;
  #dirty = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  readonly stats: PresenceSubscriptionStats = { creates: 0, refusedCreates: 0, adds: 0, removals: 0, renewals: 0, recreated: 0 };

  constructor(o: PresenceSubscriptionsOptions) {
    this.#o = o;
  }

  // --- who is wanted -----------------------------------------------------------------------------

  /** Replace the people of one of the core's own reasons (the contact list, open conversations). */
  setGroup(reason: string, sips: Iterable<string>): void {
    this.#groups.set(reason, normalised(sips));
    this.schedule();
  }

  /** Watch these people until the returned function is called (idempotent). */
  watch(sips: Iterable<string>): () => void {
    const id = this.#nextHold++;
    this.#holds.set(id, normalised(sips));
    this.schedule();
    return () => {
      if (this.#holds.delete(id)) this.schedule();
    };
  }

  wanted(): Set<string> {
    const out = new Set<string>();
    for (const s of this.#groups.values()) for (const sip of s) out.add(sip);
    for (const s of this.#holds.values()) for (const sip of s) out.add(sip);
    return out;
  }

  /** Who the subscriptions cover now. */
  covered(): string[] {
    return [...this.#covered.keys()];
  }

  subscriptionCount(): number {
    return this.#subs.size;
  }

  // --- lifecycle ---------------------------------------------------------------------------------

  /** Online (again): bring the subscriptions in line with what is wanted. */
  onOnline(): void {
    this.schedule(0);
  }

  /**
   * Every subscription is gone: the application was recreated, the channel resumed (the server tears
   * subscriptions down then), or the user signed out. Nothing is deleted on the server (it is gone
   * or dropped them itself). `again`: the session stays online (resume): subscribe anew at once.
   */
  reset(again: boolean): void {
    this.#gen++;
    for (const s of this.#subs.values()) if (s.timer) clearTimeout(s.timer);
    this.#subs.clear();
    this.#covered.clear();
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    if (again) this.schedule(0);
  }

  close(): void {
    this.#closed = true;
    this.reset(false);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Run the reconciliation soon (changes within `delayMs` are taken together). */
  schedule(ms = this.#o.delayMs): void {
    if (this.#closed) return;
    if (this.#timer) {
      if (ms > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = unref(setTimeout(() => {
      this.#timer = null;
      void this.reconcile();
    }, ms));
  }

  /** Bring the server's subscriptions in line with what is wanted; resolves when that is done. */
  reconcile(): Promise<void> {
    this.#dirty = true;
    if (this.#running) return this.#running;
    this.#running = (async () => {
      try {
        while (this.#dirty && !this.#closed) {
          this.#dirty = false;
          await this.#reconcileOnce();
        }
      } catch (err) {
        this.#o.log(`presence subscriptions: ${describeError(err)}`);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  // --- events ------------------------------------------------------------------------------------

  /** `presenceSubscription` added / updated ("about to expire") / deleted (expired or removed). */
  onSubscriptionEvent(change: 'added' | 'updated' | 'deleted' | 'other', href: string): void {
    const sub = this.#subs.get(hrefKey(href));
    if (!sub) return;
    if (change === 'updated') void this.#renew(sub);
    else if (change === 'deleted') {
      this.#o.log('presence subscription: ended by the server; subscribing its people again');
      this.#drop(sub);
      this.stats.recreated++;
      this.schedule(0);
    }
  }

  // --- the work ----------------------------------------------------------------------------------

  #ready(): { href: string } | null {
    const s = this.#o.session;
    if (!s.client || !s.app || !s.isOnline()) return null;
    const href = parsePeopleLinks(s.app.people).presenceSubscriptions;
    return href ? { href } : null;
  }

  async #reconcileOnce(): Promise<void> {
    const ready = this.#ready();
    if (!ready) return;
    const gen = this.#gen;
    const wanted = this.wanted();

    // Removals first: they make room for the additions.
    const leaving = new Map<Sub, string[]>();
    for (const [sip, sub] of this.#covered) {
      if (wanted.has(sip)) continue;
      let l = leaving.get(sub);
      if (!l) leaving.set(sub, (l = []));
      l.push(sip);
    }
    for (const [sub, sips] of leaving) {
      if (gen !== this.#gen) return;
      if (sips.length === sub.sips.size) await this.#delete(sub);
      else await this.#removeMembers(sub, sips);
    }

    const missing = [...wanted].filter((sip) => !this.#covered.has(sip));
    while (missing.length > 0 && gen === this.#gen) {
      // Fill a subscription with room before making a new one: all but one end up full.
      const target = this.#roomy();
      if (target) {
        // #roomy() found it below the cap, so the cap is known.
        const n = Math.min(this.#cap()! - target.sips.size, missing.length);
        const outcome = await this.#add(target, missing.slice(0, n));
        if (outcome === 'ok') missing.splice(0, n);
        else if (outcome === 'failed') return this.#later();
        continue;
      }
      const chunk = missing.slice(0, this.#probeSize(missing.length));
      const outcome = await this.#create(ready.href, chunk);
      if (outcome === 'ok') missing.splice(0, chunk.length);
      else if (outcome === 'failed') return this.#later();
      else if (chunk.length <= this.#good || chunk.length === 1) {
        // A size the server took before: it is the NUMBER of subscriptions that is at its limit.
        this.#o.log(`presence subscriptions: the server allows no more subscriptions (LimitExceeded); ${missing.length} people are not watched`);
        return;
      } else {
        // Too many URIs for one subscription (the limit is undocumented): look for it by halves.
        this.#bad = Math.min(this.#bad, chunk.length);
        this.#o.log(`presence subscriptions: the server refused ${chunk.length} people in one subscription (LimitExceeded); trying ${this.#probeSize(missing.length)}`);
      }
    }
  }

  /** The size subscriptions are filled to: FIRST_SUBSCRIPTION_URIS until the server refused a
   * size, then the limit once it is known exactly; null while it is being looked for. */
  #cap(): number | null {
    if (!Number.isFinite(this.#bad)) return FIRST_SUBSCRIPTION_URIS;
    return this.#bad - this.#good <= 1 ? Math.max(1, this.#good) : null;
  }

  /** How many people the next new subscription gets: up to the cap, or a probe below a refused size. */
  #probeSize(left: number): number {
    const cap = this.#cap();
    return Math.min(left, cap ?? Math.max(1, Math.floor((this.#good + this.#bad) / 2)));
  }

  /** A subscription that can take more people (below the cap). */
  #roomy(): Sub | null {
    const cap = this.#cap();
    if (cap === null) return null;
    for (const sub of this.#subs.values()) {
      if (!sub.addHref || sub.full) continue;
      if (sub.sips.size < cap) return sub;
    }
    return null;
  }

  /** Try again later (a transient failure). */
  #later(): void {
    if (this.#retry || this.#closed) return;
    this.#retry = unref(setTimeout(() => {
      this.#retry = null;
      this.schedule(0);
    }, Math.min(RETRY_MS, this.#o.renewMs)));
  }

  async #create(href: string, sips: string[]): Promise<'ok' | 'tooMany' | 'failed'> {
    const gen = this.#gen;
    const client = this.#o.session.client;
    if (!client) return 'failed';
    try {
      const res = await this.#o.session.withChannel(() => client.post(href, { json: presenceSubscriptionRequest(sips, SUBSCRIPTION_MINUTES.max) }));
      const parsed = parsePresenceSubscription(res.json);
      if (!parsed) {
        this.#o.log('presence subscription: created, but the answer has no self link (it can be neither renewed nor deleted); not used');
        return 'failed';
      }
      this.stats.creates++;
      this.#good = Math.max(this.#good, sips.length);
      if (gen !== this.#gen) return 'ok';
      const sub: Sub = {
        self: parsed.self, key: hrefKey(parsed.self), addHref: parsed.addToPresenceSubscription ?? parsed.memberships,
        membershipsHref: parsed.memberships, sips: new Set(sips), memberships: null, timer: null, full: false, renewing: false,
      };
      this.#subs.set(sub.key, sub);
      for (const sip of sips) this.#covered.set(sip, sub);
      this.#arm(sub);
      return 'ok';
    } catch (err) {
      if (err instanceof UcwaError && err.is(403, 'LimitExceeded')) {
        this.stats.refusedCreates++;
        return 'tooMany';
      }
      this.#o.log(`presence subscription: creating one failed: ${describeError(err)}`);
      return 'failed';
    }
  }

  /** addToPresenceSubscription. 'tooMany': refused, what that taught is recorded (they go elsewhere). */
  async #add(sub: Sub, sips: string[]): Promise<'ok' | 'tooMany' | 'failed'> {
    const client = this.#o.session.client;
    if (!client || !sub.addHref) return 'failed';
    try {
      const res = await this.#o.session.withChannel(() => client.post(sub.addHref!, { json: addToPresenceSubscriptionRequest(sips) }));
      this.stats.adds++;
      if (this.#subs.get(sub.key) !== sub) return 'ok';
      for (const sip of sips) {
        sub.sips.add(sip);
        this.#covered.set(sip, sub);
      }
      this.#good = Math.max(this.#good, sub.sips.size);
      this.#noteMemberships(sub, res.json);
      return 'ok';
    } catch (err) {
      if (err instanceof UcwaError && err.is(403, 'LimitExceeded')) {
        const total = sub.sips.size + sips.length;
        this.#o.log(`presence subscriptions: a subscription of ${sub.sips.size} took no ${sips.length} more (LimitExceeded)`);
        // A total the server took before, or a single one more: this subscription is full as it is.
        if (sips.length === 1 || total <= this.#good) sub.full = true;
        else this.#bad = Math.min(this.#bad, total);
        return 'tooMany';
      }
      if (err instanceof UcwaError && err.status === 404) await this.#lost(sub);
      else this.#o.log(`presence subscription: adding people failed: ${describeError(err)}`);
      return 'failed';
    }
  }

  async #removeMembers(sub: Sub, sips: string[]): Promise<void> {
    const client = this.#o.session.client;
    if (!client) return;
    if (!sub.memberships && sub.membershipsHref) {
      try {
        this.#noteMemberships(sub, await client.getJson(sub.membershipsHref));
      } catch (err) {
        if (err instanceof UcwaError && err.status === 404) {
          await this.#lost(sub);
          return;
        }
        this.#o.log(`presence subscription: reading its memberships failed: ${describeError(err)}`);
      }
    }
    for (const sip of sips) {
      const href = sub.memberships?.get(sip);
      if (!href) {
        // Nothing to delete it by: it stays covered on the server, harmless, until the subscription goes.
        this.#o.log('presence subscription: no membership link for a person to remove; left in');
        continue;
      }
      try {
        await client.request('DELETE', href);
        this.stats.removals++;
      } catch (err) {
        if (!(err instanceof UcwaError && err.status === 404)) {
          this.#o.log(`presence subscription: removing a member failed: ${describeError(err)}`);
          continue;
        }
      }
      sub.sips.delete(sip);
      sub.memberships?.delete(sip);
      if (this.#covered.get(sip) === sub) this.#covered.delete(sip);
    }
  }

  #noteMemberships(sub: Sub, body: unknown): void {
    const r = body && typeof body === 'object' ? (body as Record<string, unknown>) : null;
    const list = embeddedList(r, 'presenceSubscriptionMembership');
    if (list.length === 0) return;
    sub.memberships ??= new Map();
    for (const m of list) {
      const self = link(m, 'self');
      const sip = sipFromPeopleHref(link(m, 'contact')) ?? sipFromUri(m.uri);
      if (self && sip) sub.memberships.set(sip, self);
    }
  }

  async #delete(sub: Sub): Promise<void> {
    const client = this.#o.session.client;
    this.#drop(sub);
    if (!client) return;
    try {
      await client.request('DELETE', sub.self);
    } catch (err) {
      if (!(err instanceof UcwaError && err.status === 404)) this.#o.log(`presence subscription: deleting one failed: ${describeError(err)}`);
    }
  }

  #drop(sub: Sub): void {
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = null;
    if (this.#subs.get(sub.key) === sub) this.#subs.delete(sub.key);
    for (const sip of sub.sips) if (this.#covered.get(sip) === sub) this.#covered.delete(sip);
  }

  /** The next renewal: at renewMs, or soon after a failed one (`failures` in a row). */
  #arm(sub: Sub, failures = 0): void {
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = unref(setTimeout(() => {
      sub.timer = null;
      void this.#renew(sub, failures);
    }, failures === 0 ? this.#o.renewMs : retryDelay(this.#o.renewMs, failures)));
  }

  /** POST self?duration=30: adds to what is left, capped at 30 minutes — renewing twice is harmless. */
  async #renew(sub: Sub, failures = 0): Promise<void> {
    const client = this.#o.session.client;
    if (!client || this.#subs.get(sub.key) !== sub || sub.renewing) return;
    // The event and the timer may both come: one renewal at a time (the cap makes a second harmless,
    // but not free).
    sub.renewing = true;
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = null;
    try {
      await this.#o.session.withChannel(() => client.post(sub.self, { query: { duration: String(SUBSCRIPTION_MINUTES.max) } }));
      this.stats.renewals++;
    } catch (err) {
      if (err instanceof UcwaError && err.status === 404) {
        await this.#lost(sub);
        return;
      }
      // Soon, not at the next renewal: the subscription has a few minutes left, and lapsed it would
      // only be found (404) and remade after the next timer — presence not live for 20 minutes.
      this.#o.log(`presence subscription: renewing failed (trying again soon): ${describeError(err)}`);
      sub.renewing = false;
      if (this.#subs.get(sub.key) === sub) this.#arm(sub, failures + 1);
      return;
    } finally {
      sub.renewing = false;
    }
    // Armed once the answer is in: a request that never returns does not pile up more of them.
    if (this.#subs.get(sub.key) === sub) this.#arm(sub);
  }

  /**
   * A subscription URL answered 404 — with the subcode that elsewhere means "your application is
   * gone" (PROTOCOL-2 §1.8). Ask the application itself: alive, only this subscription is remade.
   */
  async #lost(sub: Sub): Promise<void> {
    if (this.#subs.get(sub.key) !== sub) return;
    const { session } = this.#o;
    const client = session.client, app = session.app;
    if (!client || !app) return;
    try {
      await getApplication(client, app.self);
    } catch (err) {
      if (isApplicationGone(err)) {
        session.applicationGone();
        return;
      }
      this.#o.log(`presence subscription: checking the application failed: ${describeError(err)}`);
    }
    this.#o.log(`presence subscription ${safeUrl(sub.self)}: gone on the server (404); subscribing its people again`);
    this.#drop(sub);
    this.stats.recreated++;
    this.schedule(0);
  }

}

function normalised(sips: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const s of sips) {
    const sip = sipFromUri(s);
    if (sip) out.add(sip);
  }
  return out;
}

/** Background upkeep never keeps a process alive by itself (the event channel's request does that). */
export function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
