// Application lifecycle (PROTOCOL §2): create, GET, DELETE, expiry after missing P-GETs
// (410 InactiveApplicationExpired), then forgotten (404 ApplicationNotFound).

import { dropContactsSubscription } from './contactsSubscription.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { EventChannel } from './eventChannel.ts';
import { abandonApp } from './leaving.ts';
import { APPLICATIONS_PATH, h } from './hrefs.ts';
import type { App, Ctx, Reply } from './model.ts';
import { dropPresenceSubscriptions } from './presenceSubscriptions.ts';
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
    adHocMeetings: sim.cfg.adHocMeetings,
    availability: 'Online',
    idle: 'active',
    inactiveMs: 0,
    decayTimers: [],
    activityTimer: undefined,
    resumeTimer: undefined,
    commEtag: 1,
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
      sim.clock.cancel(app.resumeTimer);
      app.resumeTimer = undefined;
    },
    onRelease: () => {
      armExpiry(sim, app);
      armResume(sim, app);
    },
  });
  sim.apps.set(id, app);
  armExpiry(sim, app);
  return { status: 201, headers: { Location: base, ...photoCookie(app, ctx.headers.authorization) }, body: applicationJson(app) };
}

/**
 * cwt_ucwa (PROTOCOL-2 §4.2): the token again, as a cookie scoped to the application's photos,
 * for image loads that cannot send an Authorization header. Set on POST and GET application.
 */
export function photoCookie(app: App, authorization: string | undefined): Record<string, string> {
  const m = /^Bearer\s+cwt=(\S+)$/i.exec((authorization ?? '').trim());
  if (!m) return {};
  return { 'Set-Cookie': `cwt_ucwa=${m[1]}; path=${app.base}/photos; secure; HttpOnly` };
}

/** No P-GET within applicationExpirySec after the last release → terminate (PROTOCOL §2.3). */
function armExpiry(sim: Sim, app: App): void {
  sim.clock.cancel(app.expiryTimer);
  app.expiryTimer = sim.clock.after(sim.cfg.applicationExpirySec * 1000, () => {
    app.expiryTimer = undefined;
    if (!app.channel.parked) terminateApplication(sim, app, false);
  });
}

/**
 * No P-GET within resumeAfterSec (but before expiry) → the server drops the app's transient state
 * and the next P-GET carries `resume` instead of `next` (PROTOCOL §3.3).
 */
function armResume(sim: Sim, app: App): void {
  sim.clock.cancel(app.resumeTimer);
  app.resumeTimer = undefined;
  const sec = sim.cfg.resumeAfterSec;
  if (sec <= 0 || sec >= sim.cfg.applicationExpirySec) return;
  app.resumeTimer = sim.clock.after(sec * 1000, () => {
    app.resumeTimer = undefined;
    if (app.state !== 'active' || app.channel.parked) return;
    abandonApp(sim, app);
    app.invitations.clear();
    dropPeople(sim, app);
    app.channel.markResume();
  });
}

/** After makeMeAvailable: no reportMyActivity for activityExpirySec → terminate (PROTOCOL §2.3). */
export function armActivityExpiry(sim: Sim, app: App): void {
  sim.clock.cancel(app.activityTimer);
  app.activityTimer = undefined;
  if (sim.cfg.activityExpirySec <= 0 || !app.available) return;
  app.activityTimer = sim.clock.after(sim.cfg.activityExpirySec * 1000, () => {
    app.activityTimer = undefined;
    terminateApplication(sim, app, false);
  });
}

/** Subscriptions are not persistent: gone with the application, or on the resume teardown. */
function dropPeople(sim: Sim, app: App): void {
  dropPresenceSubscriptions(sim, app);
  dropContactsSubscription(sim, app);
}

function clearAppTimers(sim: Sim, app: App): void {
  for (const t of [app.expiryTimer, app.resumeTimer, app.activityTimer, ...app.decayTimers]) sim.clock.cancel(t);
  app.expiryTimer = app.resumeTimer = app.activityTimer = undefined;
  app.decayTimers = [];
}

export function terminateApplication(sim: Sim, app: App, forgetNow: boolean): void {
  if (app.state === 'active') {
    app.state = 'terminated';
    clearAppTimers(sim, app);
    app.channel.close(410, 'InactiveApplicationExpired');
    abandonApp(sim, app);
    dropPeople(sim, app);
    // The account may just have gone Offline for the people watching it.
    sim.presence.changed(app.user.sip);
    app.forgetTimer = sim.clock.after(sim.cfg.applicationForgetSec * 1000, () => sim.apps.delete(app.id));
  }
  if (forgetNow) {
    sim.clock.cancel(app.forgetTimer);
    sim.apps.delete(app.id);
  }
}

export function deleteApplication(sim: Sim, app: App): Reply {
  clearAppTimers(sim, app);
  sim.clock.cancel(app.forgetTimer);
  app.channel.close(404, 'ApplicationNotFound');
  abandonApp(sim, app);
  dropPeople(sim, app);
  app.state = 'terminated';
  sim.apps.delete(app.id);
  sim.presence.changed(app.user.sip);
  return { status: 204 };
}

/** Resolves the application of an /applications/{id} path, or throws the §2.3 error. */
export function lookupApplication(sim: Sim, id: string, sip: string, pool: number): App {
  const app = sim.apps.get(id);
  if (!app || app.user.sip !== sip || app.pool !== pool) throw new UcwaError(404, 'ApplicationNotFound');
  if (app.state !== 'active') throw new UcwaError(410, 'InactiveApplicationExpired');
  return app;
}

export function policiesJson(app: App, photos: 'Enabled' | 'Disabled' = 'Enabled'): Record<string, unknown> {
  return {
    rel: 'policies',
    htmlMessaging: 'Enabled',
    conversationHistory: 'Enabled',
    messageArchiving: 'Enabled',
    multiViewJoin: 'Disabled',
    photos,
    _links: { self: { href: `${app.base}/policies` }, communication: { href: h.communication(app) } },
  };
}
