// HTTP side of the contact list (PROTOCOL-2 §1.6): myContacts / groupContacts (?groupId=), myGroups
// (embedded, or links with ?expand=false), a group, expandDistributionGroup, and the memberships —
// read, and the v2 edits POST myGroupMemberships / DELETE myGroupMembership.

import type { Group } from './contactList.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { h, toSip } from './hrefs.ts';
import { requireChannel } from './messaging.ts';
import type { App, Ctx, Reply } from './model.ts';
import { contactJson } from './resources.ts';
import type { Sim } from './sim.ts';

const link = (href: string) => ({ href });

function expand(ctx: Ctx): boolean {
  return (ctx.url.searchParams.get('expand') ?? '').toLowerCase() !== 'false';
}

export function groupJson(app: App, g: Group): Record<string, unknown> {
  const body: Record<string, unknown> = { rel: g.kind, id: g.id, name: g.name };
  if (g.kind === 'distributionGroup') {
    body.uri = g.uri;
    body._links = { self: link(h.group(app, g.id)), expandDistributionGroup: link(h.expandGroup(app, g.id)), subscribeToGroupPresence: link(h.subscribeToGroup(app, g.id)) };
  } else {
    body._links = { self: link(h.group(app, g.id)), groupContacts: link(h.groupContacts(app, g.id)), subscribeToGroupPresence: link(h.subscribeToGroup(app, g.id)) };
  }
  return body;
}

/** A list of contacts: embedded (default) or as `_links.contact[]` (?expand=false). */
function contactsBody(sim: Sim, ctx: Ctx, rel: string, selfHref: string, sips: string[]): Record<string, unknown> {
  const app = ctx.app;
  if (!expand(ctx)) return { rel, _links: { self: link(selfHref), contact: sips.map((s) => link(h.contact(app, s))) } };
  return { rel, _links: { self: link(selfHref) }, _embedded: { contact: sips.map((s) => contactJson(app, sim.world, s)) } };
}

function findGroup(sim: Sim, ctx: Ctx, id: string | undefined): Group {
  const g = id === undefined ? undefined : sim.contacts.group(ctx.app.user.sip, id);
  if (!g) throw new UcwaError(404, undefined, 'No such group.');
  return g;
}

/** GET myContacts, or groupContacts when ?groupId= is given (the trace's groupContacts href). */
export function getContacts(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const gid = ctx.url.searchParams.get('groupId');
  if (gid === null) return { status: 200, body: contactsBody(sim, ctx, 'myContacts', h.myContacts(app), sim.contacts.contacts(app.user.sip)) };
  const g = findGroup(sim, ctx, gid);
  if (g.kind === 'distributionGroup') throw new UcwaError(404, undefined, 'Distribution groups are expanded with expandDistributionGroup.');
  return { status: 200, body: contactsBody(sim, ctx, 'groupContacts', h.groupContacts(app, g.id), g.members) };
}

/** Single-instance groups as objects, multi-instance ones as arrays even when empty (myGroups_ref). */
export function getGroups(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const groups = sim.contacts.groups(app.user.sip);
  const one = (kind: string) => groups.find((g) => g.kind === kind) as Group;
  const many = (kind: string) => groups.filter((g) => g.kind === kind);
  if (!expand(ctx)) {
    const ref = (g: Group) => link(h.group(app, g.id));
    return {
      status: 200,
      body: {
        rel: 'myGroups',
        _links: { self: link(h.myGroups(app)), pinnedGroup: ref(one('pinnedGroup')), defaultGroup: ref(one('defaultGroup')), group: many('group').map(ref), distributionGroup: many('distributionGroup').map(ref) },
      },
    };
  }
  return {
    status: 200,
    body: {
      rel: 'myGroups',
      _links: { self: link(h.myGroups(app)) },
      _embedded: {
        pinnedGroup: groupJson(app, one('pinnedGroup')),
        defaultGroup: groupJson(app, one('defaultGroup')),
        group: many('group').map((g) => groupJson(app, g)),
        distributionGroup: many('distributionGroup').map((g) => groupJson(app, g)),
      },
    },
  };
}

export function getGroup(sim: Sim, ctx: Ctx): Reply {
  return { status: 200, body: groupJson(ctx.app, findGroup(sim, ctx, ctx.params.gid)) };
}

/** The distribution group with its members embedded; 403 TooManyContacts above the limit. */
export function expandDistributionGroup(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const g = findGroup(sim, ctx, ctx.params.gid);
  if (g.kind !== 'distributionGroup') throw new UcwaError(404, undefined, 'Only distribution groups expand.');
  if ((g.size ?? g.members.length) > sim.cfg.distributionGroupExpandLimit) throw new UcwaError(403, 'TooManyContacts');
  const body = groupJson(app, g);
  body._links = { ...(body._links as Record<string, unknown>), self: link(h.expandGroup(app, g.id)) };
  body._embedded = { contact: g.members.map((s) => contactJson(app, sim.world, s)), distributionGroup: [] };
  return { status: 200, body };
}

function membershipJson(app: App, g: Group, sip: string): Record<string, unknown> {
  return { rel: 'myGroupMembership', _links: { self: link(h.groupMembership(app, g.id, sip)), contact: link(h.contact(app, sip)), [g.kind]: link(h.group(app, g.id)) } };
}

/** GET myGroupMemberships[?groupId=]: one (contact, group) pair per membership. */
export function getGroupMemberships(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const gid = ctx.url.searchParams.get('groupId');
  const groups = gid === null ? sim.contacts.groups(app.user.sip).filter((g) => g.kind !== 'distributionGroup') : [findGroup(sim, ctx, gid)];
  return {
    status: 200,
    body: {
      rel: 'myGroupMemberships',
      _links: { self: link(gid === null ? h.myGroupMemberships(app) : h.groupMemberships(app, gid)) },
      _embedded: { myGroupMembership: groups.flatMap((g) => g.members.map((s) => membershipJson(app, g, s))) },
    },
  };
}

/** POST myGroupMemberships {contactUri, groupId?} → 201 (v2; no groupId → defaultGroup). */
export function addGroupMembership(sim: Sim, ctx: Ctx): Reply {
  const app = ctx.app;
  const input = ctx.input();
  const uri = input.str('contactUri');
  if (uri === undefined || !/^sip:[^@\s]+@\S+$/i.test(uri.trim()) || uri.length > 250) throw invalidParam('contactUri must be a SIP URI of at most 250 characters.');
  const gid = input.str('groupId');
  if (gid !== undefined && gid.length > 256) throw invalidParam('groupId must be at most 256 characters.');
  const g = gid === undefined ? (sim.contacts.groups(app.user.sip).find((x) => x.kind === 'defaultGroup') as Group) : findGroup(sim, ctx, gid);
  if (g.kind === 'distributionGroup') throw new UcwaError(403, undefined, 'Distribution groups cannot be edited.');
  const sip = toSip(uri.trim());
  if (!sim.world.user(sip) || sip === app.user.sip) throw new UcwaError(404, undefined, 'No such person.');
  requireChannel(sim, app);
  if (g.members.includes(sip)) throw new UcwaError(409, 'AlreadyExists', 'The contact is already in this group.');
  if (!sim.contacts.inList(app.user.sip, sip) && sim.contacts.contacts(app.user.sip).length >= sim.cfg.maxContacts) {
    throw new UcwaError(409, 'LimitExceeded', `The contact list is full (${sim.cfg.maxContacts} contacts).`);
  }
  sim.contacts.add(sim, app.user.sip, sip, g);
  return { status: 201, body: membershipJson(app, g, sip) };
}

function membership(sim: Sim, ctx: Ctx): { g: Group; sip: string } {
  const raw = ctx.params.key ?? '';
  const comma = raw.lastIndexOf(',');
  const g = comma < 0 ? undefined : sim.contacts.group(ctx.app.user.sip, raw.slice(0, comma));
  const sip = toSip(raw.slice(comma + 1));
  if (!g || g.kind === 'distributionGroup' || !g.members.includes(sip)) throw new UcwaError(404, undefined, 'No such membership.');
  return { g, sip };
}

export function getGroupMembership(sim: Sim, ctx: Ctx): Reply {
  const { g, sip } = membership(sim, ctx);
  return { status: 200, body: membershipJson(ctx.app, g, sip) };
}

export function deleteGroupMembership(sim: Sim, ctx: Ctx): Reply {
  const { g, sip } = membership(sim, ctx);
  sim.contacts.remove(sim, ctx.app.user.sip, sip, g);
  return { status: 204 };
}
