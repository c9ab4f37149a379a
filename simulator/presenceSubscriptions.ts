// Presence subscriptions (PROTOCOL-2 §1.8): ad-hoc (uris) or of a group (?groupId=), their
// memberships, subscribedContacts, extension (adds, capped at 30 min), the "about to expire"
// warning, expiry and deletion — and who watches whom, for the presence fan-out.

import { randomBytes } from 'node:crypto';
import type { TimerId } from './clock.ts';
import { UcwaError, invalidParam } from './errors.ts';
import type { UcwaEvent } from './eventChannel.ts';
import { h, toSip } from './hrefs.ts';
import { requireChannel } from './messaging.ts';
import type { App, Ctx, Reply } from './model.ts';
import { contactIn, contactResourceUpdated, peopleSender } from './peopleEvents.ts';
import type { Sim } from './sim.ts';

interface Sub {
  id: string;
  app: App;
  uris: string[];
  groupId: string | undefined;
  /** Real epoch ms. */
  expiresAt: number;
  timers: TimerId[];
}

const MAX_MINUTES = 30;
/** The trace's body for an expired subscription (ExtendAPresenceSubscription): the application subcode, on purpose. */
const EXPIRED_MESSAGE = 'An error occurred. Please retry. If the problem persists, contact your support team.';

const subsByApp = new WeakMap<App, Map<string, Sub>>();

function subsOf(app: App): Map<string, Sub> {
  let m = subsByApp.get(app);
  if (!m) {
    m = new Map();
    subsByApp.set(app, m);
  }
  return m;
}

function covered(app: App, sip: string): boolean {
  for (const s of subsOf(app).values()) if (s.uris.includes(sip)) return true;
  return false;
}

/** Active applications with a subscription that covers `sip`. */
export function watchersOf(sim: Sim, sip: string): App[] {
  const out: App[] = [];
  for (const app of sim.apps.values()) {
    if (app.state === 'active' && subsByApp.has(app) && covered(app, sip)) out.push(app);
  }
  return out;
}

/** Application gone or torn down (resume): subscriptions vanish without events (PROTOCOL-2 §1.8). */
export function dropPresenceSubscriptions(sim: Sim, app: App): void {
  const m = subsByApp.get(app);
  if (!m) return;
  for (const s of m.values()) for (const t of s.timers) sim.clock.cancel(t);
  m.clear();
}

export function subscriptionJson(app: App, s: Sub): Record<string, unknown> {
  const links: Record<string, unknown> = { self: { href: h.presenceSubscription(app, s.id) }, memberships: { href: h.psMemberships(app, s.id) } };
  // The group trace (SubscribeToThePresenceOfAGroupOfContacts) shows no addToPresenceSubscription;
  // its memberships href still accepts POST.
  if (s.groupId === undefined) links.addToPresenceSubscription = { href: h.psMemberships(app, s.id) };
  return { rel: 'presenceSubscription', id: s.id, _links: links };
}

function membershipJson(app: App, s: Sub, sip: string): Record<string, unknown> {
  return {
    rel: 'presenceSubscriptionMembership',
    _links: { self: { href: h.psMembership(app, s.id, sip) }, contact: { href: h.contact(app, sip) }, presenceSubscription: { href: h.presenceSubscription(app, s.id) } },
  };
}

function membershipsJson(app: App, subs: Sub[], id: string | undefined): Record<string, unknown> {
  return {
    rel: 'presenceSubscriptionMemberships',
    _links: { self: { href: h.psMemberships(app, id) } },
    _embedded: { presenceSubscriptionMembership: subs.flatMap((s) => s.uris.map((u) => membershipJson(app, s, u))) },
  };
}

function duration(ctx: Ctx): number {
  const raw = ctx.input().str('duration');
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(n) || n < 10 || n > MAX_MINUTES) throw invalidParam('duration must be a whole number of minutes from 10 to 30.');
  return n;
}

const SIP_RE = /^sip:[^@\s,;]+@[^@\s,;]+$/i;

function uriList(ctx: Ctx, name: string): string[] {
  const list = ctx.input().list(name);
  if (!list || list.length === 0) throw invalidParam(`${name} must list at least one SIP URI.`);
  const out: string[] = [];
  for (const raw of list) {
    const v = raw.trim();
    if (!SIP_RE.test(v) || v.length > 250) throw invalidParam(`${name}: "${v}" is not a SIP URI.`);
    const sip = toSip(v);
    if (!out.includes(sip)) out.push(sip);
  }
  return out;
}

function limitExceeded(what: string): UcwaError {
  return new UcwaError(403, 'LimitExceeded', what);
}

function find(ctx: Ctx, id: string | undefined): Sub {
  const s = id === undefined ? undefined : subsByApp.get(ctx.app)?.get(id);
  if (!s) throw new UcwaError(404, 'ApplicationNotFound', EXPIRED_MESSAGE);
  return s;
}

function remainingMs(sim: Sim, s: Sub): number {
  return Math.max(0, (s.expiresAt - sim.clock.now()) / sim.clock.scale);
}

/** (Re)arm the warning and the expiry for `ms` protocol ms from now. */
function arm(sim: Sim, s: Sub, ms: number): void {
  for (const t of s.timers) sim.clock.cancel(t);
  s.expiresAt = sim.clock.now() + sim.clock.scaled(ms);
  s.timers = [];
  const lead = sim.cfg.subscriptionWarningSec * 1000;
  if (lead > 0 && ms > lead) {
    s.timers.push(sim.clock.after(ms - lead, () => {
      sim.emit(s.app, { sender: peopleSender(s.app), link: { rel: 'presenceSubscription', href: h.presenceSubscription(s.app, s.id) }, embedded: subscriptionJson(s.app, s), type: 'updated', priority: 'medium' });
    }));
  }
  s.timers.push(sim.clock.after(ms, () => end(sim, s)));
}

/** Expiry or DELETE: `contact` deleted for members nobody else covers, then the subscription (DeleteAPresenceSubscription trace order). */
function end(sim: Sim, s: Sub): void {
  for (const t of s.timers) sim.clock.cancel(t);
  const app = s.app;
  subsOf(app).delete(s.id);
  const gone = s.uris.filter((u) => !covered(app, u));
  sim.emit(
    app,
    ...gone.map((u) => contactIn(app, u, { rel: 'subscribedContacts', href: h.subscribedContacts(app) }, 'deleted', 'medium')),
    { sender: peopleSender(app), link: { rel: 'presenceSubscription', href: h.presenceSubscription(app, s.id) }, type: 'deleted', priority: 'medium' },
  );
}

/** New members: `contact` added in subscribedContacts (first coverage only), then the `contactPresence` updated that carries their initial presence. */
function memberEvents(app: App, fresh: string[], all: string[], between: UcwaEvent[] = []): UcwaEvent[] {
  return [
    ...fresh.map((u) => contactIn(app, u, { rel: 'subscribedContacts', href: h.subscribedContacts(app) }, 'added', 'medium')),
    ...between,
    ...all.map((u) => contactResourceUpdated(app, 'contactPresence', u)),
  ];
}

/** POST presenceSubscriptions {duration, uris} or POST subscribeToGroupPresence (…?groupId=&duration=). */
export function createPresenceSubscription(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const minutes = duration(ctx);
  const groupId = ctx.input().str('groupId');
  let uris: string[];
  if (groupId !== undefined) {
    if (groupId.length > 256) throw invalidParam('groupId must be at most 256 characters.');
    const g = sim.contacts.group(app.user.sip, groupId);
    if (!g) throw new UcwaError(404, undefined, 'No such group.');
    // "current group members" (subscribeToGroupPresence_ref): later additions are not followed.
    uris = [...g.members];
  } else {
    uris = uriList(ctx, 'uris');
  }
  requireChannel(sim, app);
  const subs = subsOf(app);
  if (subs.size >= sim.cfg.maxPresenceSubscriptions) throw limitExceeded(`At most ${sim.cfg.maxPresenceSubscriptions} presence subscriptions per application.`);
  if (uris.length > sim.cfg.maxPresenceSubscriptionUris) throw limitExceeded(`At most ${sim.cfg.maxPresenceSubscriptionUris} contacts per presence subscription.`);
  // People outside the directory are accepted and never reported (nothing to say about them).
  const members = uris.filter((u) => sim.world.user(u));
  const fresh = members.filter((u) => !covered(app, u));
  const s: Sub = { id: randomBytes(4).toString('hex'), app, uris: members, groupId, expiresAt: 0, timers: [] };
  subs.set(s.id, s);
  arm(sim, s, minutes * 60_000);
  const added: UcwaEvent = { sender: peopleSender(app), link: { rel: 'presenceSubscription', href: h.presenceSubscription(app, s.id) }, type: 'added', priority: 'medium' };
  sim.emit(app, ...memberEvents(app, fresh, members, [added]));
  return { status: 201, body: subscriptionJson(app, s) };
}

export function getPresenceSubscriptions(_sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  return {
    status: 200,
    body: { rel: 'presenceSubscriptions', _links: { self: { href: h.presenceSubscriptions(app) } }, _embedded: { presenceSubscription: [...subsOf(app).values()].map((s) => subscriptionJson(app, s)) } },
  };
}

export function getPresenceSubscription(_sim: Sim, ctx: Ctx): Reply {
  return { status: 200, body: subscriptionJson(ctx.app, find(ctx, ctx.params.id)) };
}

/** POST <presenceSubscription>?duration=N: adds N minutes to what is left, capped at 30. */
export function extendPresenceSubscription(sim: Sim, ctx: Ctx): Reply {
  const s = find(ctx, ctx.params.id);
  const minutes = duration(ctx);
  requireChannel(sim, ctx.app);
  arm(sim, s, Math.min(MAX_MINUTES * 60_000, remainingMs(sim, s) + minutes * 60_000));
  return { status: sim.cfg.presenceExtendStatus, body: subscriptionJson(ctx.app, s) };
}

export function deletePresenceSubscription(sim: Sim, ctx: Ctx): Reply {
  end(sim, find(ctx, ctx.params.id));
  return { status: 204 };
}

export function getMemberships(_sim: Sim, ctx: Ctx): Reply {
  const id = ctx.input().str('presenceSubscriptionId');
  const subs = id === undefined ? [...subsOf(ctx.app).values()] : [find(ctx, id)];
  return { status: 200, body: membershipsJson(ctx.app, subs, id) };
}

/** POST addToPresenceSubscription / memberships {contactUris} → 201 + the subscription's memberships. */
export function addMemberships(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const id = ctx.input().str('presenceSubscriptionId');
  if (id === undefined) throw invalidParam('presenceSubscriptionId is required.');
  const s = find(ctx, id);
  const uris = uriList(ctx, 'contactUris');
  requireChannel(sim, app);
  const added = uris.filter((u) => sim.world.user(u) && !s.uris.includes(u));
  if (s.uris.length + added.length > sim.cfg.maxPresenceSubscriptionUris) throw limitExceeded(`At most ${sim.cfg.maxPresenceSubscriptionUris} contacts per presence subscription.`);
  const fresh = added.filter((u) => !covered(app, u));
  s.uris.push(...added);
  sim.emit(app, ...memberEvents(app, fresh, added));
  return { status: 201, body: membershipsJson(app, [s], s.id) };
}

function membership(ctx: Ctx): { s: Sub; sip: string } {
  const raw = ctx.params.key ?? '';
  const comma = raw.lastIndexOf(',');
  const s = subsByApp.get(ctx.app)?.get(raw.slice(0, Math.max(0, comma)));
  const sip = toSip(raw.slice(comma + 1));
  if (comma < 0 || !s || !s.uris.includes(sip)) throw new UcwaError(404, undefined, 'No such membership.');
  return { s, sip };
}

export function getMembership(_sim: Sim, ctx: Ctx): Reply {
  const { s, sip } = membership(ctx);
  return { status: 200, body: membershipJson(ctx.app, s, sip) };
}

export function deleteMembership(sim: Sim, ctx: Ctx): Reply {
  const { s, sip } = membership(ctx);
  s.uris = s.uris.filter((u) => u !== sip);
  if (!covered(ctx.app, sip)) sim.emit(ctx.app, contactIn(ctx.app, sip, { rel: 'subscribedContacts', href: h.subscribedContacts(ctx.app) }, 'deleted', 'medium'));
  return { status: 204 };
}

export function getSubscribedContacts(_sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const all: string[] = [];
  for (const s of subsOf(app).values()) for (const u of s.uris) if (!all.includes(u)) all.push(u);
  return { status: 200, body: { rel: 'subscribedContacts', _links: { self: { href: h.subscribedContacts(app) }, contact: all.map((u) => ({ href: h.contact(app, u) })) } } };
}

/** control.presenceSubscriptions */
export function listSubscriptions(sim: Sim, userSip?: string): { app: string; id: string; uris: string[]; groupId: string | undefined; remainingSec: number }[] {
  const out: { app: string; id: string; uris: string[]; groupId: string | undefined; remainingSec: number }[] = [];
  for (const app of sim.apps.values()) {
    if (app.state !== 'active' || (userSip !== undefined && app.user.sip !== toSip(userSip))) continue;
    for (const s of subsByApp.get(app)?.values() ?? []) out.push({ app: app.id, id: s.id, uris: [...s.uris], groupId: s.groupId, remainingSec: remainingMs(sim, s) / 1000 });
  }
  return out;
}
