// makeMeAvailable, presence and reportMyActivity (PROTOCOL §4).

import { UcwaError, invalidParam } from './errors.ts';
import { h } from './hrefs.ts';
import { scheduleWriteFirst } from './incoming.ts';
import type { App, Ctx, Reply } from './model.ts';
import { communicationJson, meJson } from './resources.ts';
import type { Sim } from './sim.ts';

const ALLOWED_MODALITIES = ['Messaging', 'PhoneAudio'];
const ALL_MODALITIES = ['Audio', 'Video', 'PhoneAudio', 'ApplicationSharing', 'Messaging', 'DataCollaboration', 'PanoramicVideo'];
const PREFERRED = ['Online', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offwork'];

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
  app.available = true;
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
  return { status: 204 };
}

function requireAvailable(app: App): void {
  if (!app.available) throw new UcwaError(409, 'MakeMeAvailableRequired');
}

export function presenceJson(app: App): Record<string, unknown> {
  return { rel: 'presence', availability: app.availability, activity: app.availability === 'Offwork' ? 'Off Work' : 'Available', _links: { self: { href: `${h.me(app)}/presence` } } };
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
  sim.emit(ctx.app, { sender: { rel: 'me', href: h.me(ctx.app) }, link: { rel: 'presence', href: `${h.me(ctx.app)}/presence` }, embedded: presenceJson(ctx.app), type: 'updated', priority: 'medium' });
  return { status: 204 };
}

export function reportMyActivity(sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  ctx.app.lastActivity = sim.clock.now();
  return { status: 204 };
}

export function getNote(_sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  return { status: 200, body: { rel: 'note', message: '', type: 'Personal', _links: { self: { href: `${h.me(ctx.app)}/note` } } } };
}

export function getLocation(_sim: Sim, ctx: Ctx): Reply {
  requireAvailable(ctx.app);
  return { status: 200, body: { rel: 'location', location: '', _links: { self: { href: `${h.me(ctx.app)}/location` } } } };
}
