// The simulator's shared state: configuration, clock, users, presence, contact lists, photos,
// applications, tokens and faults.
// Feature modules are plain functions over this object.

import { Tokens } from './auth.ts';
import { Clock } from './clock.ts';
import { ContactLists } from './contactList.ts';
import type { UcwaEvent } from './eventChannel.ts';
import { Faults } from './faults.ts';
import { h } from './hrefs.ts';
import type { App, Conference, Pool } from './model.ts';
import type { Config } from './options.ts';
import { PhotoBook } from './photos.ts';
import { PresenceBook } from './presence.ts';
import { World } from './world.ts';

export class Sim {
  readonly cfg: Config;
  readonly clock: Clock;
  readonly world: World;
  /** Everyone's presence, note and location, and the presence fan-out. */
  readonly presence: PresenceBook;
  /** Each account's contact list. */
  readonly contacts: ContactLists;
  readonly photos = new PhotoBook();
  readonly tokens = new Tokens();
  readonly faults = new Faults();
  readonly apps = new Map<string, App>();
  /** Conferences by focus id (live and ended ones: tests read what arrived at the server). */
  readonly conferences = new Map<string, Conference>();
  readonly pools: Pool[] = [];
  requests = 0;
  #appSeq = 100;
  #idSeq = 0;

  constructor(cfg: Config) {
    this.cfg = cfg;
    this.clock = new Clock(cfg.timeScale);
    this.world = new World(cfg);
    this.contacts = new ContactLists(this.world);
    this.presence = new PresenceBook(this);
  }

  nextAppId(): string {
    this.#appSeq += 1;
    return String(this.#appSeq);
  }

  /** Short unique ids for conversations, invitations, operations. */
  id(prefix = ''): string {
    this.#idSeq += 1;
    return prefix + this.#idSeq.toString(36) + Math.floor(Math.random() * 0xffff).toString(16);
  }

  homePool(sip: string): Pool {
    const second = this.pools[1];
    if (second && this.cfg.redirectUsers.includes(sip)) return second;
    return this.pools[0] as Pool;
  }

  activeApps(sip: string): App[] {
    return [...this.apps.values()].filter((a) => a.state === 'active' && a.user.sip === sip);
  }

  emit(app: App, ...events: UcwaEvent[]): void {
    if (app.state !== 'active') return;
    app.channel.push(...events);
  }

  /** missedItems updated to every application of the user (PROTOCOL §7.5). */
  emitMissedItems(sip: string): void {
    for (const app of this.activeApps(sip)) {
      this.emit(app, {
        sender: { rel: 'communication', href: h.communication(app) },
        link: { rel: 'missedItems', href: h.missedItems(app) },
        type: 'updated',
      });
    }
  }

  log(line: string): void {
    this.cfg.log?.(line);
  }
}
