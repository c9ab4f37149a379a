// The session: sign-in (discovery, token, application, makeMeAvailable), the event channel,
// activity and presence, renewal, recreation of a lost application and reconnection — the
// session machine's actors and actions, bound to the service's context.
import { createActor, fromPromise } from 'xstate';
import { AppError, type Availability, type SessionState, type SessionStatus, type SignInRequest } from './types.ts';
import { toAppError } from './errors.ts';
import { later, notSignedIn, requireClientOnly, type ServiceContext, type SessionActor } from './context.ts';
import { processBatch } from './eventDispatch.ts';
import { dropTransientState } from './liveConversations.ts';
import { resumeOutbox } from './outboxDelivery.ts';
import { discover, signInToPool } from '../ucwa/auth.ts';
import { UcwaClient } from '../ucwa/client.ts';
import { createApplication, deleteApplication, getApplication, meInfo } from '../ucwa/application.ts';
import { EventChannel } from '../ucwa/eventChannel.ts';
import { isApplicationGone, UcwaError } from '../ucwa/errors.ts';
import { normaliseSip, sipDomain } from '../ucwa/hypermedia.ts';
import { link } from '../ucwa/links.ts';
import * as R from '../ucwa/resources.ts';
import { sessionMachine, sessionStateKey, sessionStatusOf, type ProbeResult } from '../machines/session.ts';
import type { SyncTarget } from './sync.ts';

export function statusOf(ctx: ServiceContext): SessionStatus {
  return sessionStatusOf(ctx.session.getSnapshot().value);
}

export function isOnline(ctx: ServiceContext): boolean {
  return statusOf(ctx) === 'online';
}

// --- event channel and history sync ---------------------------------------------------------
function startChannel(ctx: ServiceContext): void {
  ctx.channel?.stop();
  const { client, app } = ctx;
  if (!client || !app) return;
  const ch = new EventChannel({
    client,
    startHref: app.events,
    timeoutSec: ctx.timing.eventTimeoutSec,
    clientTimeoutMs: ctx.timing.pgetClientTimeoutMs,
    onBatch: (b) => processBatch(ctx, b),
    onReset: () => dropTransientState(ctx, 'resume'),
    onFailure: (err) => {
      if (ch !== ctx.channel) return;
      const session = ctx.session;
      if (isApplicationGone(err) || (err instanceof UcwaError && err.is(409, 'PGetReplaced'))) session.send({ type: 'APPLICATION_GONE' });
      else if (err instanceof UcwaError && err.status === 410) session.send({ type: 'FATAL', error: toAppError(err).toJSON() });
      else if (err instanceof AppError && err.code === 'wrongPassword') session.send({ type: 'FATAL', error: err.toJSON() });
      else session.send({ type: 'NETWORK_LOST', error: toAppError(err).toJSON() });
    },
    log: ctx.log,
  });
  ctx.channel = ch;
  ch.start();
}

export function syncTarget(ctx: ServiceContext): SyncTarget | null {
  const { client, app, me } = ctx;
  if (!client || !app || !me) return null;
  return { client, conversationLogsHref: link(app.communication, 'conversationLogs') ?? null, me };
}

export function scheduleSync(ctx: ServiceContext, ms: number): void {
  const run = () => {
    if (isOnline(ctx)) void ctx.sync.run(() => syncTarget(ctx)).catch((err: unknown) => ctx.log(`sync: ${String(err)}`));
  };
  if (ms <= 0) run();
  else later(ctx, ms, run);
}

// --- the application ------------------------------------------------------------------------
async function bringUpApplication(ctx: ServiceContext): Promise<void> {
  const c = requireClientOnly(ctx);
  const { deps, request } = ctx;
  ctx.app = await createApplication(c, ctx.applicationsHref, { userAgent: deps.userAgent ?? 'UCWA-Tray/0.1', endpointId: deps.endpointId, culture: deps.culture });
  const info = meInfo(ctx.app);
  ctx.me = R.personFromSip(info.sip || (request ? normaliseSip(request.sip) : ''), info.name);
  startChannel(ctx);
}

async function makeAvailable(ctx: ServiceContext): Promise<void> {
  const c = requireClientOnly(ctx);
  if (!ctx.app) throw new AppError({ code: 'internal', message: 'No application.' });
  const html = ctx.deps.html !== false;
  const mma = link(ctx.app.me, 'makeMeAvailable');
  if (mma) {
    try {
      await R.makeMeAvailable(c, mma, { html });
    } catch (err) {
      if (err instanceof UcwaError && err.is(500, 'CallbackChannelError')) {
        ctx.channel?.restart();
        await new Promise((r) => setTimeout(r, ctx.timing.channelRestartWaitMs));
        await R.makeMeAvailable(c, mma, { html });
      } else throw err;
    }
  }
  // The links that appear after makeMeAvailable (presence, reportMyActivity) need a fresh GET.
  ctx.app = await getApplication(c, ctx.app.self);
  ctx.availability = 'Online';
  if (ctx.chosenAvailability !== 'Online') {
    const presence = link(ctx.app.me, 'presence');
    if (presence) await R.setPresence(c, presence, ctx.chosenAvailability).catch(() => undefined);
    ctx.availability = ctx.chosenAvailability;
  }
}

const wrap = <T>(fn: () => Promise<T>) => fromPromise<T>(async () => {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err);
  }
});

// --- the session actor ------------------------------------------------------------------------
/** When the armed retry (reconnecting.waiting or retryingSignIn) is due, per service; set on entry. */
const retries = new WeakMap<ServiceContext, { attempt: number; at: number }>();

function noteRetry(ctx: ServiceContext, value: unknown, context: { attempt: number; retryDelayMs: number }): void {
  const key = sessionStateKey(value);
  const waiting = key === 'retryingSignIn' || (key === 'reconnecting' && (value as Record<string, unknown>).reconnecting === 'waiting');
  if (!waiting) retries.delete(ctx);
  else if (retries.get(ctx)?.attempt !== context.attempt) retries.set(ctx, { attempt: context.attempt, at: ctx.now() + context.retryDelayMs });
}

/** Make, bind and start the session actor; it is ctx.session from here on. */
export function startSession(ctx: ServiceContext): SessionActor {
  const { timing, sync } = ctx;
  const session = createActor(sessionMachine.provide({
    actors: {
      discover: wrap(async () => {
        const request = ctx.request;
        if (!request) throw new AppError({ code: 'notSignedIn', message: 'No account.' });
        ctx.domain = sipDomain(request.sip);
        ctx.userHref = await discover(ctx.transport, ctx.domain, request.server);
      }),
      authenticate: wrap(async () => {
        const creds = ctx.creds;
        if (!creds) throw new AppError({ code: 'notSignedIn', message: 'No account.' });
        const res = await signInToPool(ctx.transport, ctx.userHref, ctx.domain, creds, ctx.now);
        ctx.applicationsHref = res.applicationsHref;
        const client = new UcwaClient({ transport: ctx.transport, token: res.token, credentials: creds, poolBase: new URL(res.applicationsHref).origin + '/', now: ctx.now });
        client.hooks = {
          onRenewing: () => session.send({ type: 'RENEWING' }),
          onRenewed: () => session.send({ type: 'RENEWED' }),
        };
        ctx.client = client;
      }),
      createApplication: wrap(() => bringUpApplication(ctx)),
      makeAvailable: wrap(() => makeAvailable(ctx)),
      recreateApplication: wrap(async () => {
        ctx.channel?.stop();
        dropTransientState(ctx, 'recreate');
        sync.clearLinks();
        await bringUpApplication(ctx);
        await makeAvailable(ctx);
      }),
      probe: fromPromise<ProbeResult>(async () => {
        try {
          const { client, app } = ctx;
          if (!client || !app) throw new AppError({ code: 'notSignedIn', message: 'No session.' });
          await getApplication(client, app.self);
          ctx.channel?.resume();
          return 'ok';
        } catch (err) {
          if (isApplicationGone(err)) return 'applicationGone';
          throw toAppError(err);
        }
      }),
      deleteApplication: fromPromise<void>(async () => {
        ctx.channel?.stop();
        sync.cancel();
        const { client, app } = ctx;
        if (client && app) await deleteApplication(client, app.self, 3000).catch(() => undefined);
      }),
    },
    actions: {
      reportActivity: () => {
        const href = link(ctx.app?.me, 'reportMyActivity');
        const client = ctx.client;
        if (client && href) void R.reportMyActivity(client, href).catch((err: unknown) => {
          if (isApplicationGone(err)) session.send({ type: 'APPLICATION_GONE' });
        });
      },
      goAway: () => {
        // Only "Available" decays to Away; Busy, Do not disturb and Be right back were chosen on purpose.
        if (ctx.chosenAvailability !== 'Online') return;
        const href = link(ctx.app?.me, 'presence');
        if (ctx.client && href) void R.setPresence(ctx.client, href, 'Away').then(() => {
          ctx.availability = 'Away';
          emitSession(ctx);
        }, () => undefined);
      },
      comeBack: () => {
        if (ctx.availability !== 'Away' || ctx.chosenAvailability === 'Away') return;
        const href = link(ctx.app?.me, 'presence');
        if (ctx.client && href) void R.setPresence(ctx.client, href, ctx.chosenAvailability).then(() => {
          ctx.availability = ctx.chosenAvailability;
          emitSession(ctx);
        }, () => undefined);
      },
      enterOnline: () => {
        // Re-entered after sign-in, renewal, recreation or reconnection: catch up.
        for (const live of ctx.lives.values()) live.actor.send({ type: 'RESUME' });
        const resync = !ctx.onlineOnce || ctx.needResync;
        ctx.onlineOnce = true;
        ctx.needResync = false;
        // Entry actions run before the snapshot says 'online', and the sync and the outbox only
        // run online (isOnline()): act once the transition is over. (Without this the sync on
        // sign-in never ran, and callers had to ask for it.)
        queueMicrotask(() => {
          void resumeOutbox(ctx).catch((err: unknown) => ctx.log(`outbox: ${String(err)}`));
          if (resync) scheduleSync(ctx, 0);
        });
      },
      stopAll: () => {
        ctx.channel?.stop();
        sync.cancel();
      },
    },
  }), { input: { timing: { reportActivityMs: timing.reportActivityMs, awayAfterSec: timing.awayAfterSec, backoffBaseMs: timing.backoffBaseMs, backoffMaxMs: timing.backoffMaxMs }, random: ctx.deps.random } });
  ctx.session = session;
  session.subscribe((snap) => {
    const status = sessionStatusOf(snap.value);
    noteRetry(ctx, snap.value, snap.context);
    if (status === 'recreatingApplication') ctx.needResync = true;
    if (status !== ctx.prevStatus && (status === 'signedOut' || status === 'error')) {
      dropTransientState(ctx, 'signedOut');
    }
    ctx.prevStatus = status;
    emitSession(ctx);
  });
  session.start();
  return session;
}

// --- what the UI sees of the session -----------------------------------------------------------
export function sessionState(ctx: ServiceContext): SessionState {
  const snap = ctx.session.getSnapshot();
  const status = sessionStatusOf(snap.value);
  return {
    status,
    user: ctx.me,
    availability: status === 'online' || status === 'reauthenticating' ? ctx.availability : null,
    error: snap.context.error,
    // While probing or signing in again there is no retry due: the attempt is under way.
    nextRetryAt: status === 'reconnecting' ? retries.get(ctx)?.at ?? null : null,
    demo: !!ctx.request?.demo,
  };
}

export function emitSession(ctx: ServiceContext): void {
  const s = sessionState(ctx);
  // Only whether a retry is due counts as a change, not when.
  const j = JSON.stringify({ ...s, nextRetryAt: s.nextRetryAt !== null });
  if (j === ctx.lastSessionJson) return;
  ctx.lastSessionJson = j;
  ctx.events.emit('session', s);
}

/**
 * Online, or the error / sign-out that ended the attempt. With `persistent`, also the retry after
 * a transient failure (retryingSignIn, status 'reconnecting'): the session signs in by itself
 * later, and whoever waits (the shell at launch) must not wait for the network forever.
 */
function waitForSettled(ctx: ServiceContext, persistent: boolean): Promise<SessionState> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const check = (retrying: boolean) => {
      if (settled) return;
      const s = sessionState(ctx);
      if (s.status === 'online') {
        settled = true;
        sub.unsubscribe();
        resolve(s);
      } else if (retrying) {
        settled = true;
        sub.unsubscribe();
        // The snapshot said retryingSignIn even if a short backoff has already moved on.
        resolve(s.status === 'reconnecting' ? s : { ...s, status: 'reconnecting', nextRetryAt: ctx.now() });
      } else if (s.status === 'error' || s.status === 'signedOut') {
        settled = true;
        sub.unsubscribe();
        reject(new AppError(s.error ?? { code: 'notSignedIn', message: 'Signed out.' }));
      }
    };
    const sub = ctx.session.subscribe((snap) => {
      const retrying = persistent && sessionStateKey(snap.value) === 'retryingSignIn';
      queueMicrotask(() => check(retrying));
    });
  });
}

function waitForStatus(ctx: ServiceContext, statuses: SessionStatus[]): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (statuses.includes(statusOf(ctx))) {
        sub.unsubscribe();
        resolve();
      }
    };
    const sub = ctx.session.subscribe(() => queueMicrotask(check));
    check();
  });
}

// --- sign-in and sign-out -----------------------------------------------------------------------
/**
 * `persistent` (the remembered account, signed in without the user watching): a transient failure
 * (network, pool unavailable, 5xx, timeout) resolves with status 'reconnecting' and the session
 * keeps trying with backoff (at once on nudge). Otherwise — the user at the sign-in window — any
 * failure rejects at once with its reason.
 */
export async function signIn(ctx: ServiceContext, req: SignInRequest, opts?: { persistent?: boolean }): Promise<SessionState> {
  const persistent = opts?.persistent === true;
  if (ctx.closed) throw new AppError({ code: 'internal', message: 'The service is closed.' });
  const st = statusOf(ctx);
  if (st !== 'signedOut' && st !== 'error') {
    ctx.session.send({ type: 'SIGN_OUT' });
    await waitForStatus(ctx, ['signedOut']);
  }
  ctx.request = req;
  ctx.creds = { username: normaliseSip(req.sip).slice(4), password: req.password };
  ctx.onlineOnce = false;
  const settled = waitForSettled(ctx, persistent);
  ctx.session.send({ type: 'SIGN_IN', persistent });
  const s = await settled;
  const secrets = ctx.deps.secrets;
  if (req.remember && secrets && s.status === 'online') {
    await secrets.setPassword(normaliseSip(req.sip), req.password).catch((err: unknown) => ctx.log(`keychain: ${String(err)}`));
  }
  return s;
}

export async function signInRemembered(ctx: ServiceContext, sip?: string, opts?: { server?: string }): Promise<SessionState | null> {
  const secrets = ctx.deps.secrets;
  if (!secrets) return null;
  const accounts = await secrets.accounts().catch(() => [] as string[]);
  const account = sip ? normaliseSip(sip) : accounts[0];
  if (!account) return null;
  const password = await secrets.getPassword(account).catch((err: unknown) => {
    ctx.log(`keychain: ${String(err)}`);
    return null;
  });
  if (!password) return null;
  // The server the user typed is not a secret and is not in the keychain: reuse the last one.
  const last = ctx.request && normaliseSip(ctx.request.sip) === account ? ctx.request : null;
  return signIn(ctx, { sip: account, password, server: opts?.server ?? last?.server, demo: opts?.server ? undefined : last?.demo }, { persistent: true });
}

export async function signOut(ctx: ServiceContext, opts?: { forget?: boolean }): Promise<void> {
  if (statusOf(ctx) !== 'signedOut') {
    ctx.session.send({ type: 'SIGN_OUT' });
    await waitForStatus(ctx, ['signedOut']);
  }
  if (opts?.forget && ctx.deps.secrets && ctx.request) await ctx.deps.secrets.deletePassword(normaliseSip(ctx.request.sip)).catch(() => undefined);
  ctx.client = null;
  ctx.app = null;
}

/** The availability the user chose: kept for the next sign-in, set now when online. */
export async function setAvailability(ctx: ServiceContext, a: Availability): Promise<void> {
  ctx.chosenAvailability = a;
  const href = link(ctx.app?.me, 'presence');
  const client = ctx.client;
  if (!client || !href) throw notSignedIn();
  try {
    await R.setPresence(client, href, a);
  } catch (err) {
    throw toAppError(err);
  }
  ctx.availability = a;
  emitSession(ctx);
}
