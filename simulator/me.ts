// makeMeAvailable, presence and reportMyActivity (PROTOCOL §4); own note and location (PROTOCOL-2 §1.2).
// Presence changes also reach the people watching this account (sim.presence.changed).

import { armActivityExpiry } from './applications.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { h } from './hrefs.ts';
import { scheduleGroupInvites } from './groupInviters.ts';
import { scheduleWriteFirst } from './incoming.ts';
import { requireChannel } from './messaging.ts';
import type { App, Ctx, Reply } from './model.ts';
import { communicationJson, meJson } from './resources.ts';
import type { Sim } from './sim.ts';

const ALLOWED_MODALITIES = ['Messaging', 'PhoneAudio'];
const ALL_MODALITIES = ['Audio', 'Video', 'PhoneAudio', 'ApplicationSharing', 'Messaging', 'DataCollaboration', 'PanoramicVideo'];
const PREFERRED = ['Online', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offwork'];

/** Own location length cap (location_ref). */
export const MAX_LOCATION = 60;

const norm = (list: string[], v: string): string | undefined => list.find((x) => x.toLowerCase() === v.toLowerCase());

export function makeMeAvailable(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  if (app.available) throw new UcwaError(409, 'AlreadyExists', 'makeMeAvailable was already called.');
  const input = ctx.input();
  const requested = input.list('supportedModalities') ?? ['Messaging'];
  const modalities: string[] = [];
  for (const m of requested) {
    const known = norm(ALL_MODALITIES, m);
    if (!known) throw invalidParam(`Unknown modality ${m}.`);
    if (!ALLOWED_MODALITIES.includes(known)) throw new UcwaError(403, 'None', `Modality ${known} is not allowed.`);
    modalities.push(known);
  }
  const formats = (input.list('supportedMessageFormats') ?? ['Plain']).map((f) => norm(['Plain', 'Html'], f));
  if (formats.some((f) => !f)) throw invalidParam('supportedMessageFormats must be Plain or Html.');
  const signInAs = input.str('signInAs');
  if (signInAs !== undefined && !norm(PREFERRED, signInAs)) throw invalidParam('signInAs is not a valid availability.');
  const inactive = input.has('inactiveTimeout') ? parseTimeSpan(input.str('inactiveTimeout')) : sim.cfg.inactiveTimeoutSec * 1000;
  if (inactive === undefined) throw invalidParam('inactiveTimeout must be a TimeSpan (minutes or hh:mm:ss).');
  app.available = true;
  app.inactiveMs = inactive;
  app.commEtag += 1;
  app.modalities = modalities;
  app.messageFormats = formats as string[];
  app.availability = signInAs ? (norm(PREFERRED, signInAs) as string) : 'Online';
  app.lastActivity = sim.clock.now();
  const me = { rel: 'me', href: h.me(app) };
  sim.emit(
    app,
    { sender: me, link: { rel: 'me', href: h.me(app) }, embedded: meJson(app), type: 'updated', priority: 'medium' },
    { sender: me, link: { rel: 'presence', href: `${h.me(app)}/presence` }, type: 'added', priority: 'medium' },
    { sender: me, link: { rel: 'note', href: `${h.me(app)}/note` }, type: 'added', priority: 'medium' },
    { sender: me, link: { rel: 'location', href: `${h.me(app)}/location` }, type: 'added', priority: 'medium' },
    {
      sender: { rel: 'communication', href: h.communication(app) },
      link: { rel: 'communication', href: h.communication(app) },
      embedded: communicationJson(app),
      type: 'updated',
      priority: 'medium',
    },
  );
  scheduleWriteFirst(sim, app.user.sip);
  scheduleGroupInvites(sim, app.user.sip);
  armDecay(sim, app);
  armActivityExpiry(sim, app);
  sim.presence.changed(app.user.sip);
  return { status: 204 };
}

/**
 * makeMeAvailable `inactiveTimeout` (PROTOCOL §4.1: TimeSpan, minutes, default 5): a number is
 * minutes, a string is minutes or "[d.]hh:mm:ss". Returns protocol ms, undefined when malformed.
 */
export function parseTimeSpan(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return 0;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 60_000;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(t);
  if (!m) return undefined;
  return (((Number(m[1] ?? 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4])) * 1000;
}

/** The availability others and the user see: the chosen one, decayed while there is no activity. */
export function effectiveAvailability(app: App): string {
  const base = app.availability;
  if (app.idle === 'active' || (base !== 'Online' && base !== 'Busy')) return base;
  if (app.idle === 'away') return 'Away';
  return base === 'Busy' ? 'IdleBusy' : 'IdleOnline';
}

function emitPresence(sim: Sim, app: App): void {
  sim.emit(app, { sender: { rel: 'me', href: h.me(app) }, link: { rel: 'presence', href: `${h.me(app)}/presence` }, embedded: presenceJson(app), type: 'updated', priority: 'medium' });
}

function setIdle(sim: Sim, app: App, idle: App['idle']): void {
  if (app.idle === idle) return;
  const before = effectiveAvailability(app);
  app.idle = idle;
  if (effectiveAvailability(app) !== before) emitPresence(sim, app);
  sim.presence.changed(app.user.sip);
}

/** Idle after inactiveMs without activity, Away awayAfterIdleSec later (PROTOCOL §4.3). */
function armDecay(sim: Sim, app: App): void {
  for (const t of app.decayTimers) sim.clock.cancel(t);
  app.decayTimers = [];
  if (app.inactiveMs <= 0 || app.state !== 'active') return;
  app.decayTimers.push(
    sim.clock.after(app.inactiveMs, () => setIdle(sim, app, 'idle')),
    sim.clock.after(app.inactiveMs + sim.cfg.awayAfterIdleSec * 1000, () => setIdle(sim, app, 'away')),
  );
}

/** User activity: back to the chosen availability (presence updated if it was decayed). */
function activity(sim: Sim, app: App): void {
  app.lastActivity = sim.clock.now();
  setIdle(sim, app, 'active');
  armDecay(sim, app);
  armActivityExpiry(sim, app);
}

function requireAvailable(app: App): void {
  if (!app.available) throw new UcwaError(409, 'MakeMeAvailableRequired');
}

export function presenceJson(app: App): Record<string, unknown> {
  const availability = effectiveAvailability(app);
  const activity = availability === 'Offwork' ? 'Off Work' : app.idle === 'active' ? 'Available' : 'Inactive';
  return { rel: 'presence', availability, activity, _links: { self: { href: `${h.me(app)}/presence` } } };
}

export function getPresence(_sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  return { status: 200, body: presenceJson(ctx.app) };
}

export function setPresence(sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  const v = ctx.input().str('availability');
  if (v === undefined || v === '') ctx.app.availability = 'Online';
  else {
    const found = norm(PREFERRED, v);
    if (!found) throw invalidParam('availability is not a valid PreferredAvailability.');
    ctx.app.availability = found;
  }
  ctx.app.idle = 'active';
  emitPresence(sim, ctx.app);
  activity(sim, ctx.app);
  sim.presence.changed(ctx.app.user.sip);
  return { status: 204 };
}

export function reportMyActivity(sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  activity(sim, ctx.app);
  return { status: 204 };
}

export function getNote(sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  const n = sim.presence.note(ctx.app.user.sip);
  return { status: 200, body: { rel: 'note', message: n.message, type: n.type, _links: { self: { href: `${h.me(ctx.app)}/note` } } } };
}

/** POST me/note {message} (body or ?message=) → 204; blank or absent resets (PROTOCOL-2 §1.2). */
export function setNote(sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  const message = (ctx.input().str('message') ?? '').trim();
  requireChannel(sim, ctx.app);
  // The app can set only the personal note; it replaces an out-of-office one shown before.
  sim.presence.setNote(ctx.app.user.sip, message, 'Personal');
  return { status: 204 };
}

export function getLocation(sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  return { status: 200, body: { rel: 'location', location: sim.presence.location(ctx.app.user.sip), _links: { self: { href: `${h.me(ctx.app)}/location` } } } };
}

/** POST me/location {location} → 204; at most 60 characters; empty clears it. */
export function setLocation(sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  const location = (ctx.input().str('location') ?? '').trim();
  if (location.length > MAX_LOCATION) throw invalidParam(`location must be at most ${MAX_LOCATION} characters.`);
  requireChannel(sim, ctx.app);
  sim.presence.setLocation(ctx.app.user.sip, location);
  return { status: 204 };
}
