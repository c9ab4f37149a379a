// The directory: search, a contact and its sub-resources (PROTOCOL-2 §1.4, §1.5, §1.10), in the
// trace style …/people/<user>[/presence|/note|/location|/supportedMedia|/privacyRelationship].

import { UcwaError, invalidParam } from './errors.ts';
import { h, toSip } from './hrefs.ts';
import type { App, Ctx, Reply } from './model.ts';
import { contactJson, date } from './resources.ts';
import type { Sim } from './sim.ts';

const fold = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

export function search(sim: Sim, ctx: Ctx): Reply {
  const q = ctx.url.searchParams;
  const query = q.get('query') ?? q.get('Query') ?? '';
  if (query.length > 256) throw invalidParam('query must be at most 256 characters.');
  const limitRaw = q.get('limit') ?? q.get('Limit');
  let limit = 100;
  if (limitRaw !== null) {
    limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidParam('limit must be between 1 and 100.');
  }
  const needle = fold(query.trim());
  const all = needle === ''
    ? []
    : [...sim.world.users.values()].filter((u) => [u.name, u.sip, u.email ?? ''].some((f) => fold(f).includes(needle)));
  const hits = all.slice(0, limit);
  return {
    status: 200,
    body: {
      rel: 'search',
      moreResultsAvailable: all.length > hits.length,
      _links: { self: { href: `${h.search(ctx.app)}?query=${encodeURIComponent(query)}&limit=${limit}` } },
      _embedded: { contact: hits.map((u) => contactJson(ctx.app, sim.world, u.sip)) },
    },
  };
}

function person(sim: Sim, ctx: Ctx): string {
  const sip = toSip(decodeURIComponent(ctx.params.who ?? ''));
  if (!sim.world.user(sip)) throw new UcwaError(404, undefined, 'No such person.');
  return sip;
}

/** GET contact, conditional on its etag (contact_ref: If-None-Match → 304). */
export function getContact(sim: Sim, ctx: Ctx): Reply {
  const body = contactJson(ctx.app, sim.world, person(sim, ctx));
  const etag = `"${String(body.etag)}"`;
  const inm = ctx.headers['if-none-match'];
  if (inm !== undefined && String(inm).split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === etag || t === '*')) {
    return { status: 304, headers: { ETag: etag } };
  }
  return { status: 200, headers: { ETag: etag }, body };
}

const self = (href: string) => ({ self: { href } });

export function getContactPresence(sim: Sim, ctx: Ctx): Reply {
  const sip = person(sim, ctx);
  const p = sim.presence.presence(sip);
  const body: Record<string, unknown> = { rel: 'contactPresence', availability: p.availability };
  // An offline contact has no activity at all (GetPresenceDataOfAContact trace).
  if (p.activity !== undefined) body.activity = p.activity;
  body.deviceType = p.deviceType;
  body.lastActive = date(p.lastActive);
  body._links = self(h.contactPresence(ctx.app, sip));
  return { status: 200, body };
}

export function getContactNote(sim: Sim, ctx: Ctx): Reply {
  const sip = person(sim, ctx);
  const n = sim.presence.note(sip);
  return { status: 200, body: { rel: 'contactNote', message: n.message, type: n.type, _links: self(h.contactNote(ctx.app, sip)) } };
}

export function getContactLocation(sim: Sim, ctx: Ctx): Reply {
  const sip = person(sim, ctx);
  return { status: 200, body: { rel: 'contactLocation', location: sim.presence.location(sip), _links: self(h.contactLocation(ctx.app, sip)) } };
}

export function getContactModalities(sim: Sim, ctx: Ctx): Reply {
  const sip = person(sim, ctx);
  return { status: 200, body: { rel: 'contactSupportedModalities', modalities: sim.presence.modalities(sip), _links: self(h.contactModalities(ctx.app, sip)) } };
}

/** Colleagues by default; Workgroup for the user's pinned contacts (the official client's default for Favorites). */
function relationship(sim: Sim, app: App, sip: string): string {
  const pinned = sim.contacts.groups(app.user.sip).find((g) => g.kind === 'pinnedGroup');
  return pinned?.members.includes(sip) ? 'Workgroup' : 'Colleagues';
}

export function getContactPrivacy(sim: Sim, ctx: Ctx): Reply {
  const sip = person(sim, ctx);
  return { status: 200, body: { rel: 'contactPrivacyRelationship', relationshipLevel: relationship(sim, ctx.app, sip), _links: self(h.contactPrivacy(ctx.app, sip)) } };
}

/** GET myPrivacyRelationships: the contact list grouped by level. */
export function getPrivacyRelationships(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const byLevel = new Map<string, string[]>();
  for (const sip of sim.contacts.contacts(app.user.sip)) {
    const level = relationship(sim, app, sip);
    byLevel.set(level, [...(byLevel.get(level) ?? []), sip]);
  }
  return {
    status: 200,
    body: {
      rel: 'myPrivacyRelationships',
      _links: self(h.privacyRelationships(app)),
      _embedded: {
        myPrivacyRelationship: [...byLevel].map(([level, sips]) => ({
          rel: 'myPrivacyRelationship',
          relationshipLevel: level,
          _links: { contact: sips.map((s) => ({ href: h.contact(app, s) })) },
        })),
      },
    },
  };
}
