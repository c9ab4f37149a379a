// People: search, my contacts, contact and contact presence (modelled on the real UCWA `search`,
// `myContacts` and `contactPresence` resources; not covered by PROTOCOL.md).

import { UcwaError, invalidParam } from './errors.ts';
import { h, toSip } from './hrefs.ts';
import type { Ctx, Reply } from './model.ts';
import { effectiveAvailability } from './me.ts';
import { contactJson } from './resources.ts';
import type { Sim } from './sim.ts';

const fold = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

export function search(sim: Sim, ctx: Ctx): Reply {
  const q = ctx.url.searchParams;
  const query = q.get('query') ?? q.get('Query') ?? '';
  const limitRaw = q.get('limit') ?? q.get('Limit');
  let limit = 100;
  if (limitRaw !== null) {
    limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidParam('limit must be between 1 and 100.');
  }
  const needle = fold(query.trim());
  const hits = needle === ''
    ? []
    : [...sim.world.users.values()].filter((u) => [u.name, u.sip, u.email ?? ''].some((f) => fold(f).includes(needle))).slice(0, limit);
  return {
    status: 200,
    body: {
      rel: 'search',
      _links: { self: { href: `${h.people(ctx.app)}/search?query=${encodeURIComponent(query)}&limit=${limit}` } },
      _embedded: { contact: hits.map((u) => contactJson(ctx.app, sim.world, u.sip)) },
    },
  };
}

export function myContacts(sim: Sim, ctx: Ctx): Reply {
  const contacts = sim.world.people.filter((u) => u.sip !== ctx.app.user.sip);
  return {
    status: 200,
    body: { rel: 'myContacts', _links: { self: { href: `${h.people(ctx.app)}/contacts` } }, _embedded: { contact: contacts.map((u) => contactJson(ctx.app, sim.world, u.sip)) } },
  };
}

function person(sim: Sim, ctx: Ctx): string {
  const sip = toSip(decodeURIComponent(ctx.params.who ?? ''));
  if (!sim.world.user(sip)) throw new UcwaError(404, undefined, 'No such person.');
  return sip;
}

export function getContact(sim: Sim, ctx: Ctx): Reply {
  return { status: 200, body: contactJson(ctx.app, sim.world, person(sim, ctx)) };
}

/** Accounts show their real availability; simulated people a fixed one from their behaviour. */
export function availabilityOf(sim: Sim, sip: string): string {
  const u = sim.world.user(sip);
  if (u?.password !== undefined) {
    const app = sim.activeApps(sip).find((a) => a.available);
    return app ? effectiveAvailability(app) : 'Offline';
  }
  if (u?.behaviour?.kind === 'neverAnswer') return 'Away';
  if (u?.behaviour?.kind === 'decline') return 'Busy';
  return 'Online';
}

export function getContactPresence(sim: Sim, ctx: Ctx): Reply {
  const sip = person(sim, ctx);
  return { status: 200, body: { rel: 'contactPresence', availability: availabilityOf(sim, sip), activity: '', _links: { self: { href: h.contactPresence(ctx.app, sip) } } } };
}

// 1×1 transparent PNG: enough for clients that render photos.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

export function getPhoto(sim: Sim, ctx: Ctx): Reply {
  person(sim, ctx);
  return { status: 200, contentType: 'image/png', body: PNG, headers: { 'Cache-Control': 'max-age=3600' } };
}
