// Application lifecycle (PROTOCOL §2): create, GET, DELETE, expiry after missing P-GETs
// (410 InactiveApplicationExpired), then forgotten (404 ApplicationNotFound).

import { abandonConversations } from './conversations.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { EventChannel } from './eventChannel.ts';
import { APPLICATIONS_PATH, h } from './hrefs.ts';
import type { App, Ctx, Reply } from './model.ts';
import { applicationJson } from './resources.ts';
import type { Sim } from './sim.ts';

function required(ctx: Ctx, name: string): string {
  const v = ctx.input().str(name);
  if (v === undefined || v.trim() === '') throw invalidParam(`${name} is required.`);
  if (v.length > 100) throw invalidParam(`${name} must be at most 100 characters.`);
  return v;
}

export function createApplication(sim: Sim, ctx: Ctx): Reply {
  const userAgent = required(ctx, 'userAgent');
  const endpointId = required(ctx, 'endpointId');
  const culture = required(ctx, 'culture');
  const instanceId = ctx.input().str('instanceId');
  if (instanceId !== undefined && instanceId.length > 100) throw invalidParam('instanceId must be at most 100 characters.');
  if (sim.homePool(ctx.sip).index !== ctx.pool.index) throw new UcwaError(403, undefined, 'The user is homed on another pool.');
  if (sim.activeApps(ctx.sip).length >= sim.cfg.maxApplicationsPerUser) throw new UcwaError(410, 'TooManyApplications');
  const user = sim.world.user(ctx.sip);
  if (!user) throw new UcwaError(403);
  const id = sim.nextAppId();
  const base = `${APPLICATIONS_PATH}/${id}`;
  const now = sim.clock.now();
  const app: App = {
    id,
    pool: ctx.pool.index,
    user,
    base,
    userAgent,
    endpointId,
    culture,
    instanceId,
    state: 'active',
    createdAt: now,
    available: false,
    modalities: [],
    messageFormats: ['Plain'],
    availability: 'Online',
    lastActivity: now,
    channel: undefined as unknown as EventChannel,
    conversations: new Map(),
    invitations: new Map(),
    expiryTimer: undefined,
    forgetTimer: undefined,
    convSeq: 0,
  };
  app.channel = new EventChannel(sim.clock, `${base}/events`, sim.cfg.eventTimeoutSec, {
    onPark: () => {
      sim.clock.cancel(app.expiryTimer);
      app.expiryTimer = undefined;
    },
    onRelease: () => armExpiry(sim, app),
  });
  sim.apps.set(id, app);
  armExpiry(sim, app);
  return { status: 201, headers: { Location: base }, body: applicationJson(app) };
}

/** No P-GET within applicationExpirySec after the last release → terminate (PROTOCOL §2.3). */
function armExpiry(sim: Sim, app: App): void {
  sim.clock.cancel(app.expiryTimer);
  app.expiryTimer = sim.clock.after(sim.cfg.applicationExpirySec * 1000, () => {
    app.expiryTimer = undefined;
    if (!app.channel.parked) terminateApplication(sim, app, false);
  });
}

export function terminateApplication(sim: Sim, app: App, forgetNow: boolean): void {
  if (app.state === 'active') {
    app.state = 'terminated';
    sim.clock.cancel(app.expiryTimer);
    app.channel.close(410, 'InactiveApplicationExpired');
    abandonConversations(sim, app);
    app.forgetTimer = sim.clock.after(sim.cfg.applicationForgetSec * 1000, () => sim.apps.delete(app.id));
  }
  if (forgetNow) {
    sim.clock.cancel(app.forgetTimer);
    sim.apps.delete(app.id);
  }
}

export function deleteApplication(sim: Sim, app: App): Reply {
  sim.clock.cancel(app.expiryTimer);
  sim.clock.cancel(app.forgetTimer);
  app.channel.close(404, 'ApplicationNotFound');
  abandonConversations(sim, app);
  app.state = 'terminated';
  sim.apps.delete(app.id);
  return { status: 204 };
}

/** Resolves the application of an /applications/{id} path, or throws the §2.3 error. */
export function lookupApplication(sim: Sim, id: string, sip: string, pool: number): App {
  const app = sim.apps.get(id);
  if (!app || app.user.sip !== sip || app.pool !== pool) throw new UcwaError(404, 'ApplicationNotFound');
  if (app.state !== 'active') throw new UcwaError(410, 'InactiveApplicationExpired');
  return app;
}

export function policiesJson(app: App): Record<string, unknown> {
  return {
    rel: 'policies',
    htmlMessaging: 'Enabled',
    conversationHistory: 'Enabled',
    messageArchiving: 'Enabled',
    multiViewJoin: 'Disabled',
    photos: 'Enabled',
    _links: { self: { href: `${app.base}/policies` }, communication: { href: h.communication(app) } },
  };
}
