// Each account's contact list (PROTOCOL-2 §1.6): pinnedGroup, defaultGroup, user groups and
// distribution groups. Kept per user, not per application — like the real roaming list it survives
// sign-outs — and changed by POST/DELETE myGroupMemberships and the control API. Changes are
// announced only to applications with a running myContactsAndGroupsSubscription (§1.7).

import { createHash } from 'node:crypto';
import { contactListWatchers } from './contactsSubscription.ts';
import { h, toSip } from './hrefs.ts';
import { contactIn, peopleSender } from './peopleEvents.ts';
import type { Sim } from './sim.ts';
import type { SimContactList } from './types.ts';
import type { World } from './world.ts';

export type GroupKind = 'pinnedGroup' | 'defaultGroup' | 'group' | 'distributionGroup';

export interface Group {
  id: string;
  kind: GroupKind;
  name: string;
  members: string[];
  /** distributionGroup only. */
  uri?: string;
  /** distributionGroup only: how many members it really has (expansion limit). */
  size?: number;
}

export const PINNED_NAME = 'Pinned Contacts'; // the trace's name; the official client labels it Favorites
export const DEFAULT_NAME = 'Other Contacts';

/** Opaque ids in the shape of the real one in the trace (44 base64 characters). */
function groupId(owner: string, kind: GroupKind, name: string): string {
  return createHash('sha256').update(`${owner}\n${kind}\n${name}`).digest('base64');
}

export class ContactLists {
  readonly #world: World;
  readonly #lists = new Map<string, Group[]>();

  constructor(world: World) {
    this.#world = world;
  }

  groups(userSip: string): Group[] {
    const owner = toSip(userSip);
    let list = this.#lists.get(owner);
    if (!list) {
      list = this.#build(owner);
      this.#lists.set(owner, list);
    }
    return list;
  }

  #build(owner: string): Group[] {
    const spec: SimContactList = this.#world.user(owner)?.contactList ?? {
      other: this.#world.people.filter((p) => p.sip !== owner).map((p) => p.sip),
    };
    const known = (list: string[] | undefined): string[] => {
      const out: string[] = [];
      for (const s of list ?? []) {
        const sip = toSip(s);
        if (sip !== owner && this.#world.user(sip) && !out.includes(sip)) out.push(sip);
      }
      return out;
    };
    const make = (kind: GroupKind, name: string, members: string[]): Group => ({ id: groupId(owner, kind, name), kind, name, members });
    return [
      make('pinnedGroup', PINNED_NAME, known(spec.favourites)),
      make('defaultGroup', DEFAULT_NAME, known(spec.other)),
      ...(spec.groups ?? []).map((g) => make('group', g.name, known(g.members))),
      ...(spec.distributionGroups ?? []).map((d) => {
        const members = known(d.members);
        return { ...make('distributionGroup', d.name, members), uri: toSip(d.uri), size: Math.max(d.size ?? 0, members.length) };
      }),
    ];
  }

  group(userSip: string, id: string): Group | undefined {
    return this.groups(userSip).find((g) => g.id === id);
  }

  /** By id, kind ('pinnedGroup', 'defaultGroup') or name (control API). */
  resolve(userSip: string, key: string): Group | undefined {
    const groups = this.groups(userSip);
    const system = key === 'pinnedGroup' || key === 'defaultGroup' ? groups.find((g) => g.kind === key) : undefined;
    return groups.find((g) => g.id === key) ?? system ?? groups.find((g) => g.name === key);
  }

  /** The contact list: members of pinned, user and default groups (not distribution groups), Favourites first. */
  contacts(userSip: string): string[] {
    const out: string[] = [];
    const order: GroupKind[] = ['pinnedGroup', 'group', 'defaultGroup'];
    for (const kind of order) for (const g of this.groups(userSip)) if (g.kind === kind) for (const m of g.members) if (!out.includes(m)) out.push(m);
    return out;
  }

  inList(userSip: string, sip: string): boolean {
    return this.groups(userSip).some((g) => g.kind !== 'distributionGroup' && g.members.includes(sip));
  }

  createGroup(sim: Sim, userSip: string, name: string): Group {
    const owner = toSip(userSip);
    const g: Group = { id: groupId(owner, 'group', name), kind: 'group', name, members: [] };
    const groups = this.groups(owner);
    // User groups stay together, before the distribution groups.
    const at = groups.findIndex((x) => x.kind === 'distributionGroup');
    groups.splice(at < 0 ? groups.length : at, 0, g);
    for (const app of contactListWatchers(sim, owner)) {
      sim.emit(app, { sender: peopleSender(app), link: { rel: 'group', href: h.group(app, g.id) }, in: { rel: 'myGroups', href: h.myGroups(app) }, type: 'added', priority: 'high' });
    }
    return g;
  }

  /** False when already a member. Events: contact added in myContacts (if new to the list), then in the group. */
  add(sim: Sim, userSip: string, sip: string, g: Group): boolean {
    const owner = toSip(userSip);
    if (g.members.includes(sip)) return false;
    // Distribution group members are not in the contact list (myContacts) by being there.
    const wasInList = g.kind === 'distributionGroup' || this.inList(owner, sip);
    g.members.push(sip);
    for (const app of contactListWatchers(sim, owner)) {
      if (!wasInList) sim.emit(app, contactIn(app, sip, { rel: 'myContacts', href: h.myContacts(app) }, 'added', 'high'));
      sim.emit(app, contactIn(app, sip, { rel: g.kind, href: h.group(app, g.id) }, 'added', 'high'));
    }
    return true;
  }

  /** False when not a member. Events: contact deleted in the group, then in myContacts when it left the list. */
  remove(sim: Sim, userSip: string, sip: string, g: Group): boolean {
    const owner = toSip(userSip);
    if (!g.members.includes(sip)) return false;
    g.members = g.members.filter((m) => m !== sip);
    const stillInList = g.kind === 'distributionGroup' || this.inList(owner, sip);
    for (const app of contactListWatchers(sim, owner)) {
      sim.emit(app, contactIn(app, sip, { rel: g.kind, href: h.group(app, g.id) }, 'deleted', 'high'));
      if (!stillInList) sim.emit(app, contactIn(app, sip, { rel: 'myContacts', href: h.myContacts(app) }, 'deleted', 'high'));
    }
    return true;
  }
}
