// myContactsAndGroupsSubscription (PROTOCOL-2 §1.7): without it an application gets no contact
// list change events. One per application; start adds the duration to what is left (capped at
// 30 min, the effective cap of the text), an "about to expire" updated event comes before the end.

import type { TimerId } from './clock.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { h } from './hrefs.ts';
import { requireChannel } from './messaging.ts';
import type { App, Ctx, Reply } from './model.ts';
import { peopleSender } from './peopleEvents.ts';
import type { Sim } from './sim.ts';

interface ListSub {
  state: 'Connected' | 'Disconnected';
  expiresAt: number;
  timers: TimerId[];
}

const subs = new WeakMap<App, ListSub>();

function subOf(app: App): ListSub {
  let s = subs.get(app);
  if (!s) {
    s = { state: 'Disconnected', expiresAt: 0, timers: [] };
    subs.set(app, s);
  }
  return s;
}

function stop(sim: Sim, s: ListSub): void {
  for (const t of s.timers) sim.clock.cancel(t);
  s.timers = [];
  s.state = 'Disconnected';
}

/** Applications of `userSip` that receive contact list change events. */
export function contactListWatchers(sim: Sim, userSip: string): App[] {
  return sim.activeApps(userSip).filter((a) => subs.get(a)?.state === 'Connected');
}

export function dropContactsSubscription(sim: Sim, app: App): void {
  const s = subs.get(app);
  if (s) stop(sim, s);
}

function json(app: App): Record<string, unknown> {
  return {
    rel: 'myContactsAndGroupsSubscription',
    state: subOf(app).state,
    _links: {
      self: { href: h.contactsSubscription(app) },
      startOrRefreshSubscriptionToContactsAndGroups: { href: h.contactsSubscriptionStart(app) },
      stopSubscriptionToContactsAndGroups: { href: h.contactsSubscriptionStop(app) },
    },
  };
}

export function getContactsSubscription(_sim: Sim, ctx: Ctx): Reply {
  return { status: 200, body: json(ctx.app) };
}

/** POST …/startOrRefresh?duration=N (10–60 per the table) → 201; the total is capped at 30 min. */
export function startContactsSubscription(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const raw = ctx.input().str('duration');
  const minutes = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(minutes) || minutes < 10 || minutes > 60) throw invalidParam('duration must be a whole number of minutes from 10 to 60.');
  requireChannel(sim, app);
  const s = subOf(app);
  const left = s.state === 'Connected' ? Math.max(0, (s.expiresAt - sim.clock.now()) / sim.clock.scale) : 0;
  const ms = Math.min(30 * 60_000, left + minutes * 60_000);
  for (const t of s.timers) sim.clock.cancel(t);
  s.state = 'Connected';
  s.expiresAt = sim.clock.now() + sim.clock.scaled(ms);
  s.timers = [];
  const lead = sim.cfg.subscriptionWarningSec * 1000;
  if (lead > 0 && ms > lead) {
    s.timers.push(sim.clock.after(ms - lead, () => {
      sim.emit(app, { sender: peopleSender(app), link: { rel: 'myContactsAndGroupsSubscription', href: h.contactsSubscription(app) }, type: 'updated', priority: 'medium' });
    }));
  }
  // The docs describe no event at the end; the state just reads Disconnected again.
  s.timers.push(sim.clock.after(ms, () => stop(sim, s)));
  return { status: 201, body: json(app) };
}

export function stopContactsSubscription(sim: Sim, ctx: Ctx): Reply {
  const s = subOf(ctx.app);
  if (s.state !== 'Connected') throw new UcwaError(409, undefined, 'The subscription is not running.');
  stop(sim, s);
  return { status: 204 };
}
