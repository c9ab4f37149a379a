// What everyone's presence, note and location are now, and who hears about changes. Accounts
// report the presence of their applications (me.ts); simulated people follow their plan — a
// 'rhythm' day on the day clock, or a fixed state — unless the control API overrides it. Every
// change goes out as `contactPresence` / `contactNote` / `contactLocation` updated events to each
// application whose presence subscription covers the person (PROTOCOL-2 §1.5, §1.9), and an
// account's own note/location changes also as `note` / `location` updated to its applications.

import type { TimerId } from './clock.ts';
import { DAY_MS, DayClock, hhmm } from './dayClock.ts';
import { daySchedule, slotAt } from './daySchedule.ts';
import type { Slot } from './daySchedule.ts';
import { h, toSip } from './hrefs.ts';
import { MAX_LOCATION, effectiveAvailability, presenceJson } from './me.ts';
import type { App } from './model.ts';
import { contactResourceUpdated } from './peopleEvents.ts';
import { watchersOf } from './presenceSubscriptions.ts';
import type { Sim } from './sim.ts';
import type { PresenceChange, PresenceSnapshot, ScheduleSlot, SimUser } from './types.ts';

export interface Presence {
  availability: string;
  activity: string | undefined;
  deviceType: string;
  lastActive: number;
}

interface Note {
  message: string;
  type: 'Personal' | 'OutOfOffice';
}

interface Override {
  availability?: string;
  activity?: string | null;
  deviceType?: string;
  since: number;
}

/** Display strings for published states; special activities use the well-known tokens (§1.3). */
const ACTIVITY: Record<string, string> = {
  Online: 'Available',
  IdleOnline: 'Inactive',
  Busy: 'Busy',
  IdleBusy: 'Inactive',
  DoNotDisturb: 'Do not disturb',
  BeRightBack: 'Be right back',
  Away: 'Away',
};

const PREFERRED = ['Online', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offwork'];

export class PresenceBook {
  readonly day: DayClock;
  readonly #sim: Sim;
  readonly #overrides = new Map<string, Override>();
  readonly #notes = new Map<string, Note>();
  readonly #locations = new Map<string, string>();
  /** What watchers were last told, per person: "availability|activity|device#modalities". */
  readonly #announced = new Map<string, string>();
  readonly #schedules = new Map<string, { day: number; slots: Slot[] }>();
  readonly #offlineSince = new Map<string, number>();
  readonly #startedAt: number;
  #ticker: TimerId | undefined;

  constructor(sim: Sim) {
    this.#sim = sim;
    this.day = new DayClock(sim.clock, sim.cfg.dayStartMs, !sim.cfg.presenceRhythm);
    this.#startedAt = sim.clock.now();
  }

  /** After the listeners are up and after every restart (the clock drops its timers then). */
  start(): void {
    this.#announced.clear();
    for (const u of this.#sim.world.users.values()) this.#announced.set(u.sip, this.#key(u.sip));
    this.#arm();
  }

  #user(sip: string): SimUser | undefined {
    return this.#sim.world.user(sip);
  }

  presence(sip: string): Presence {
    const key = toSip(sip);
    const u = this.#user(key);
    if (u?.password !== undefined) return this.#account(key);
    const base = this.#planned(u);
    const o = this.#overrides.get(key);
    if (!o) return base;
    const availability = o.availability ?? base.availability;
    let activity: string | undefined;
    if (o.activity === null) activity = undefined;
    else if (o.activity !== undefined) activity = o.activity;
    else if (o.availability !== undefined) activity = availability === 'Offline' ? undefined : ACTIVITY[availability]; // unknown tokens: none
    else activity = base.activity;
    const deviceType = o.deviceType ?? (availability === 'Offline' ? 'Unknown' : base.deviceType === 'Unknown' ? 'PC' : base.deviceType);
    return { availability, activity, deviceType, lastActive: o.since };
  }

  #account(sip: string): Presence {
    const app = this.#sim.activeApps(sip).find((a) => a.available);
    if (!app) return { availability: 'Offline', activity: undefined, deviceType: 'Unknown', lastActive: this.#offlineSince.get(sip) ?? this.#startedAt - 12 * 3_600_000 };
    const eff = effectiveAvailability(app);
    // Offwork can be set but is never read back as an availability (PROTOCOL-2 §1.3).
    if (eff === 'Offwork') return { availability: 'Away', activity: 'off-work', deviceType: 'PC', lastActive: app.lastActivity };
    return { availability: eff, activity: ACTIVITY[eff], deviceType: 'PC', lastActive: app.lastActivity };
  }

  #planned(u: SimUser | undefined): Presence {
    const plan = u?.presence;
    if (u && plan === 'rhythm') {
      const now = this.day.now();
      const tod = this.day.timeOfDay(now);
      const slot = slotAt(this.#slots(u.sip, this.day.dayIndex(now)), tod / 60_000);
      const dayBase = now - tod;
      const active = slot.availability === 'Online' || slot.availability === 'Busy' || slot.availability === 'DoNotDisturb';
      // Offline since midnight: they left the evening before.
      const since = slot.from === 0 ? dayBase - 5 * 3_600_000 : dayBase + slot.from * 60_000;
      return { availability: slot.availability, activity: slot.activity, deviceType: slot.deviceType, lastActive: active ? this.#sim.clock.now() : this.day.realAt(since) };
    }
    let availability = 'Online';
    if (typeof plan === 'object') availability = plan.availability;
    else if (u?.behaviour?.kind === 'neverAnswer') availability = 'Away';
    else if (u?.behaviour?.kind === 'decline') availability = 'Busy';
    const activity = typeof plan === 'object' && plan.activity !== undefined ? plan.activity : ACTIVITY[availability];
    const deviceType = typeof plan === 'object' && plan.deviceType ? plan.deviceType : availability === 'Offline' ? 'Unknown' : 'PC';
    return { availability, activity: availability === 'Offline' ? undefined : activity, deviceType, lastActive: this.#startedAt };
  }

  #slots(sip: string, day: number): Slot[] {
    const cached = this.#schedules.get(sip);
    if (cached && cached.day === day) return cached.slots;
    const slots = daySchedule(this.#sim.cfg.seed, sip, day);
    this.#schedules.set(sip, { day, slots });
    return slots;
  }

  note(sip: string): Note {
    const key = toSip(sip);
    const u = this.#user(key);
    return this.#notes.get(key) ?? { message: u?.note ?? '', type: u?.noteType ?? 'Personal' };
  }

  location(sip: string): string {
    const key = toSip(sip);
    return this.#locations.get(key) ?? this.#user(key)?.location ?? '';
  }

  /** contactSupportedModalities: what can be started with the person now. */
  modalities(sip: string): string[] {
    const key = toSip(sip);
    if (this.#user(key)?.password !== undefined) return this.#sim.activeApps(key).find((a) => a.available)?.modalities ?? [];
    return this.presence(key).availability === 'Offline' ? [] : ['Messaging', 'Audio', 'Video', 'ApplicationSharing'];
  }

  snapshot(sip: string): PresenceSnapshot {
    const p = this.presence(sip);
    const n = this.note(sip);
    return { ...p, note: n.message, noteType: n.type, location: this.location(sip) };
  }

  #key(sip: string): string {
    const p = this.presence(sip);
    return `${p.availability}|${p.activity ?? ''}|${p.deviceType}#${this.modalities(sip).join(',')}`;
  }

  /** Recompute what others see of `sip`; tell every watcher what changed since last time. */
  changed(sip: string): void {
    const key = toSip(sip);
    const now = this.#key(key);
    const before = this.#announced.get(key);
    if (before === now) return;
    this.#announced.set(key, now);
    const [was = '', wasMods] = (before ?? '').split('#');
    const [is = '', isMods] = now.split('#');
    if (this.#user(key)?.password !== undefined && is.startsWith('Offline|') && !was.startsWith('Offline|')) this.#offlineSince.set(key, this.#sim.clock.now());
    for (const app of watchersOf(this.#sim, key)) {
      if (was !== is) this.#sim.emit(app, contactResourceUpdated(app, 'contactPresence', key));
      if (wasMods !== isMods) this.#sim.emit(app, contactResourceUpdated(app, 'contactSupportedModalities', key));
    }
  }

  setNote(sip: string, message: string, type: Note['type'] = 'Personal'): void {
    const key = toSip(sip);
    const before = this.note(key);
    if (before.message === message && before.type === type) return;
    this.#notes.set(key, { message, type });
    this.#announce(key, 'note', 'contactNote');
  }

  setLocation(sip: string, location: string): void {
    const key = toSip(sip);
    if (this.location(key) === location) return;
    this.#locations.set(key, location);
    this.#announce(key, 'location', 'contactLocation');
  }

  /** Own event (sender me) to each of the user's available applications, then the watchers. */
  #announce(sip: string, own: 'note' | 'location', rel: 'contactNote' | 'contactLocation'): void {
    for (const app of this.#sim.activeApps(sip)) {
      if (!app.available) continue; // note/location exist once the application is available
      this.#sim.emit(app, { sender: { rel: 'me', href: h.me(app) }, link: { rel: own, href: `${h.me(app)}/${own}` }, type: 'updated', priority: 'medium' });
    }
    for (const app of watchersOf(this.#sim, sip)) this.#sim.emit(app, contactResourceUpdated(app, rel, sip));
  }

  /** control.setPresence */
  override(sip: string, change: PresenceChange): void {
    const key = toSip(sip);
    const u = this.#user(key);
    if (!u) throw new Error(`Unknown user ${sip}`);
    if (change.availability !== undefined || change.activity !== undefined || change.deviceType !== undefined || change.lastActive !== undefined) {
      if (u.password !== undefined) this.#otherEndpoint(key, change);
      else {
        // The first override freezes what is shown now, so the rhythm really pauses.
        const now = this.presence(key);
        const lastActive = typeof change.lastActive === 'number' && Number.isFinite(change.lastActive) ? change.lastActive : this.#sim.clock.now();
        const o: Override = { availability: now.availability, activity: now.activity ?? null, deviceType: now.deviceType, ...this.#overrides.get(key), since: lastActive };
        if (change.availability !== undefined) {
          o.availability = change.availability;
          o.activity = undefined; // the usual one for it, unless given below
          if (change.deviceType === undefined) delete o.deviceType;
        }
        if (change.activity !== undefined) o.activity = change.activity;
        if (change.deviceType !== undefined) o.deviceType = change.deviceType;
        this.#overrides.set(key, o);
      }
    }
    if (change.note !== undefined || change.noteType !== undefined) this.setNote(key, change.note ?? this.note(key).message, change.noteType ?? 'Personal');
    if (change.location !== undefined) this.setLocation(key, change.location.slice(0, MAX_LOCATION));
    this.changed(key);
  }

  /** An account's availability set elsewhere: each available application takes it, with a `presence` updated. */
  #otherEndpoint(sip: string, change: PresenceChange): void {
    if (change.availability === undefined) return;
    const found = PREFERRED.find((p) => p.toLowerCase() === change.availability?.toLowerCase());
    if (!found) throw new Error(`An account's availability must be one of ${PREFERRED.join(', ')}`);
    for (const app of this.#sim.activeApps(sip).filter((a: App) => a.available)) {
      app.availability = found;
      app.idle = 'active';
      this.#sim.emit(app, { sender: { rel: 'me', href: h.me(app) }, link: { rel: 'presence', href: `${h.me(app)}/presence` }, embedded: presenceJson(app), type: 'updated', priority: 'medium' });
    }
  }

  clearOverride(sip: string): void {
    const key = toSip(sip);
    if (this.#overrides.delete(key)) this.changed(key);
  }

  schedule(sip: string): ScheduleSlot[] {
    const u = this.#user(sip);
    if (!u || u.presence !== 'rhythm' || u.password !== undefined) return [];
    return this.#slots(u.sip, this.day.dayIndex()).map((s) => ({ from: hhmm(s.from * 60_000), to: hhmm(s.to * 60_000), availability: s.availability, activity: s.activity }));
  }

  /** One timer for the whole directory: the next slot boundary of any 'rhythm' person. */
  #arm(): void {
    this.#sim.clock.cancel(this.#ticker);
    this.#ticker = undefined;
    if (this.day.frozen) return;
    const rhythmic = this.#sim.world.people.filter((u) => u.presence === 'rhythm');
    if (rhythmic.length === 0) return;
    const now = this.day.now();
    const tod = this.day.timeOfDay(now);
    let next = DAY_MS - tod;
    for (const u of rhythmic) {
      const s = this.#slots(u.sip, this.day.dayIndex(now)).find((x) => x.from * 60_000 > tod);
      if (s) next = Math.min(next, s.from * 60_000 - tod);
    }
    this.#ticker = this.#sim.clock.after(next + 1, () => {
      this.#ticker = undefined;
      for (const u of rhythmic) this.changed(u.sip);
      this.#arm();
    });
  }
}
