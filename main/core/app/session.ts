// The session: sign-in (discovery, token, application, makeMeAvailable), the event channel,
// activity and presence, token renewal, recreation of a lost application, reconnection with
// backoff — the session machine's actors bound to the state this class owns. Nothing above is
// imported: what flows up (event batches, "every href is stale", "online again") goes through
// the ports handed in at construction.
import { createActor, fromPromise, type Actor } from 'xstate';
import { signInName } from '../ucwa/signInName.ts';
import { AppError, type Availability, type SessionState, type SessionStatus, type SignInInfo, type SignInRequest } from './types.ts';
import { toAppError } from './errors.ts';
import type { MessengerDeps, defaultTiming } from './deps.ts';
import type { ServiceEmitter } from './events.ts';
import { HistorySync, type SyncTarget } from './sync.ts';
import { availabilityFromServer, isChosen } from './sessionPresence.ts';
import type { LogFn, Transport } from '../ucwa/transport.ts';
import { discover, signInToPool, type Credentials } from '../ucwa/auth.ts';
import { UcwaClient } from '../ucwa/client.ts';
import { createApplication, deleteApplication, getApplication, meInfo, type AppLinks } from '../ucwa/application.ts';
import { channelFailureKind, EventChannel } from '../ucwa/eventChannel.ts';
import { isApplicationGone, retryAfterMsOf, UcwaError } from '../ucwa/errors.ts';
import type { EventBatch, UcwaEvent } from '../ucwa/events.ts';
import { loopbackTrusted, normaliseSip, sipDomain } from '../ucwa/hypermedia.ts';
import { link, type Resource } from '../ucwa/links.ts';
import * as R from '../ucwa/resources.ts';
import { sessionMachine, sessionStateKey, sessionStatusOf, type ProbeResult } from '../machines/session.ts';
import type { Person, Store } from '../store/types.ts';
import { describeError } from '../logSafe.ts';
import { trimTrailingSlashes } from '../text.ts';

/** Why every href and pending match of the live layers is stale now. */
export type ResetReason = 'resume' | 'resync' | 'recreate' | 'signedOut';

export interface SessionPorts {
  /** One event batch from the channel, in order (the router). */
  onBatch(batch: EventBatch): Promise<void>;
  /** Conversations, invitations and hrefs of the old application / channel are gone. */
  onReset(reason: ResetReason): void;
  /** The session is online (again): after sign-in, renewal, recreation or reconnection. */
  onOnline(): void;
}

export interface SessionOptions {
  deps: MessengerDeps;
  timing: typeof defaultTiming;
  now: () => number;
  log: LogFn;
  store: Store;
  transport: Transport;
  events: ServiceEmitter;
  ports: SessionPorts;
}

type SessionActor = Actor<typeof sessionMachine>;

/** A reconnect further off than this settles a sign-in as 'reconnecting' instead of being waited for. */
const SLOW_RETRY_MS = 10_000;

// Hrefs key several maps, so they are compared in absolute form. Most are plain server paths
// ("/ucwa/oauth/v1/..."): those resolve by concatenation, without a URL parse per event.
const PLAIN_PATH_RE = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT_RE = /\/\.{1,2}(?:\/|$)/;

export class Session {
  readonly sync: HistorySync;
  readonly #o: SessionOptions;
  #actor!: SessionActor;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** The last sign-in's account and server, never its password (which lives in #creds while signed in). */
  #request: Omit<SignInRequest, 'password'> | null = null;
  #creds: Credentials | null = null;
  /** What the last sign-in found (server, methods offered, the one used): shown by the sign-in window. */
  #signInInfo: SignInInfo | null = null;
  /** Aborted by a sign-out or close: a browser, AD FS or Windows sign-in under way (and its loopback server) stops. */
  #authAbort: AbortController | null = null;
  #domain = '';
  #userHref = '';
  #applicationsHref = '';
  #client: UcwaClient | null = null;
  #app: AppLinks | null = null;
  #me: Person | null = null;
  #channel: EventChannel | null = null;
  /** Your availability as shown (SessionState): what was set here until the server reports, then the server's word. */
  #availability: Availability | null = null;
  /** The server's last report of your presence, as it came (MyStatus shows it); null until one came. */
  #reported: { token: string; activity: string } | null = null;
  #chosen: Availability = 'Online';
  /** Away set by idle decay (not chosen): a recreated application must come back Away too. */
  #autoAway = false;
  #closed = false;
  #onlineOnce = false;
  #needResync = false;
  #onlineSince = 0;
  #lastJson = '';
  #prevStatus: SessionStatus = 'signedOut';
  #retry: { attempt: number; at: number } | null = null;

  constructor(o: SessionOptions) {
    this.#o = o;
    this.sync = new HistorySync({
      store: o.store,
      concurrency: o.timing.syncConcurrency,
      logLimit: o.timing.syncLogLimit,
      onProgress: (p) => o.events.emit('sync', { ...p }),
      log: o.log,
    });
    this.#makeActor();
  }

  // --- what the layers above read ---------------------------------------------------------------
  get client(): UcwaClient | null { return this.#client; }
  get app(): AppLinks | null { return this.#app; }
  get me(): Person | null { return this.#me; }
  get channel(): EventChannel | null { return this.#channel; }
  get closed(): boolean { return this.#closed; }
  /** The server's last report of your presence (token and activity as they came); null until one came. */
  get reportedPresence(): { token: string; activity: string } | null { return this.#reported ? { ...this.#reported } : null; }

  status(): SessionStatus {
    return sessionStatusOf(this.#actor.getSnapshot().value);
  }

  isOnline(): boolean {
    return this.status() === 'online';
  }

  /** The client of a session that has its application (what every conversation action needs). */
  requireClient(): UcwaClient {
    if (!this.#client || !this.#app) throw notSignedIn();
    return this.#client;
  }

  abs(href: string): string {
    const base = this.#client?.poolBase;
    if (base && PLAIN_PATH_RE.test(href) && !DOT_SEGMENT_RE.test(href) && base.endsWith('/')) return base + href.slice(1);
    try {
      return new URL(href, base ?? 'http://invalid/').href;
    } catch {
      return href;
    }
  }

  /** The event's resource: embedded, else one GET (an 'end' carries none for most rels). */
  async resourceOf(ev: UcwaEvent): Promise<Resource | null> {
    if (ev.resource) return ev.resource;
    if (ev.phase === 'end' && ev.rel !== 'message' && ev.rel !== 'messagingInvitation') return null;
    try {
      return await this.requireClient().getJson(ev.href);
    } catch (err) {
      this.#o.log(`GET ${ev.rel} failed: ${describeError(err)}`);
      return null;
    }
  }

  /** Whether a failed request was made to the current application (a stale link's 404 says nothing about it). */
  isCurrentApplication(err: unknown): boolean {
    const url = err instanceof UcwaError ? err.url : '';
    const self = this.#app?.self;
    if (!url || !self) return false;
    const base = trimTrailingSlashes(this.abs(self));
    return url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`);
  }

  /** A request found the application gone (404 ApplicationNotFound / 410 InactiveApplicationExpired). */
  applicationGone(): void {
    this.#actor.send({ type: 'APPLICATION_GONE' });
  }

  /** A request failed on the network while online: reconnect with backoff (Retry-After honoured). */
  networkLost(err: unknown): void {
    const retryAfterMs = retryAfterMsOf(err);
    this.#actor.send({ type: 'NETWORK_LOST', error: toAppError(err).toJSON(), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  /** The server lost our event channel (500 CallbackChannelError): park a fresh P-GET. */
  async restartChannel(): Promise<void> {
    this.#channel?.restart();
    await this.sleep(this.#o.timing.channelRestartWaitMs);
  }

  /** Run `fn`; on 500 CallbackChannelError (the server lost the event channel) restart it and run `fn` once more. */
  async withChannel<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof UcwaError && err.is(500, 'CallbackChannelError'))) throw err;
      await this.restartChannel();
      return fn();
    }
  }

  /** A timer that close() clears. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((r) => this.later(ms, r));
  }

  syncTarget(): SyncTarget | null {
    const client = this.#client, app = this.#app, me = this.#me;
    if (!client || !app || !me) return null;
    return { client, conversationLogsHref: link(app.communication, 'conversationLogs') ?? null, me };
  }

  scheduleSync(ms: number): void {
    const run = () => {
      if (this.isOnline()) void this.sync.run(() => this.syncTarget()).catch((err: unknown) => this.#o.log(`sync: ${describeError(err)}`));
    };
    if (ms <= 0) run();
    else this.later(ms, run);
  }

  async syncNow(): Promise<void> {
    if (!this.isOnline()) throw notSignedIn();
    await this.sync.run(() => this.syncTarget());
  }

  // --- the application -------------------------------------------------------------------------
  #startChannel(): void {
    this.#channel?.stop();
    const client = this.#client, app = this.#app;
    if (!client || !app) return;
    const ch: EventChannel = new EventChannel({
      client,
      startHref: app.events,
      timeoutSec: this.#o.timing.eventTimeoutSec,
      clientTimeoutMs: this.#o.timing.pgetClientTimeoutMs,
      onBatch: (b) => this.#o.ports.onBatch(b),
      onReset: (kind) => this.#o.ports.onReset(kind),
      onHealthy: () => {
        // Healthy for a while (not just one answer between failures): the backoff may start over.
        if (ch === this.#channel && this.isOnline() && this.#o.now() - this.#onlineSince >= this.#o.timing.backoffMaxMs) {
          this.#actor.send({ type: 'CHANNEL_HEALTHY' });
        }
      },
      onFailure: (err) => {
        if (ch !== this.#channel) return;
        const kind = channelFailureKind(err);
        if (kind === 'applicationGone') this.#actor.send({ type: 'APPLICATION_GONE' });
        else if (kind === 'rediscover') this.#actor.send({ type: 'REDISCOVER', error: toAppError(err).toJSON() });
        else if (kind === 'fatal') this.#actor.send({ type: 'FATAL', error: toAppError(err).toJSON() });
        else this.networkLost(err);
      },
      log: this.#o.log,
    });
    this.#channel = ch;
    ch.start();
  }

  async #bringUpApplication(): Promise<void> {
    const c = this.#requireClientOnly();
    const { deps } = this.#o;
    this.#app = await createApplication(c, this.#applicationsHref, { userAgent: deps.userAgent ?? 'UCWA-Tray/0.1', endpointId: deps.endpointId, culture: deps.culture });
    const info = meInfo(this.#app);
    const asked = this.#request ? normaliseSip(this.#request.sip) : '';
    // PROTOCOL-2 §3.2: with a sign-in name of its own, the credentials may belong to another account.
    if (info.sip && asked && normaliseSip(info.sip) !== asked) this.#o.log(`sign-in: signed in as ${info.sip}, not ${asked} (the sign-in name belongs to that account)`);
    this.#me = R.personFromSip(info.sip || asked, info.name);
    this.#startChannel();
  }

  async #makeAvailable(): Promise<void> {
    const c = this.#requireClientOnly();
    if (!this.#app) throw new AppError({ code: 'internal', message: 'No application.' });
    const html = this.#o.deps.html !== false;
    const mma = link(this.#app.me, 'makeMeAvailable');
    if (mma) {
      await this.withChannel(() => R.makeMeAvailable(c, mma, { html }));
    }
    // The links that appear after makeMeAvailable (presence, reportMyActivity) need a fresh GET.
    this.#app = await getApplication(c, this.#app.self);
    // A recreated application keeps the user's presence: what they chose, or Away if idle.
    const want: Availability = this.#chosen !== 'Online' ? this.#chosen : this.#autoAway ? 'Away' : 'Online';
    this.#availability = 'Online';
    if (want !== 'Online') {
      const presence = link(this.#app.me, 'presence');
      if (presence) await R.setPresence(c, presence, want).catch(() => undefined);
      this.#availability = want;
    }
  }

  #requireClientOnly(): UcwaClient {
    if (!this.#client) throw notSignedIn();
    return this.#client;
  }

  #makeActor(): void {
    const { timing } = this.#o;
    const wrap = <T>(fn: () => Promise<T>) => fromPromise<T>(async () => {
      try {
        return await fn();
      } catch (err) {
        throw toAppError(err);
      }
    });
    const actor = createActor(sessionMachine.provide({
      actors: {
        discover: wrap(async () => {
          const request = this.#request;
          if (!request) throw new AppError({ code: 'notSignedIn', message: 'No account.' });
          // Start over from discovery (RootURL: "clear the cache and start autodiscovery again").
          this.#channel?.stop();
          this.#domain = sipDomain(request.sip);
          this.#userHref = await discover(this.#o.transport, this.#domain, request.server);
        }),
        authenticate: wrap(async () => {
          const creds = this.#creds;
          if (!creds) throw new AppError({ code: 'notSignedIn', message: 'No account.' });
          const methods = this.#o.deps.signInMethods ?? {};
          this.#authAbort?.abort();
          const abort = new AbortController();
          this.#authAbort = abort;
          const res = await signInToPool(this.#o.transport, this.#userHref, this.#domain, creds, this.#o.now, abort.signal, loopbackTrusted(this.#request?.server), {
            ...methods,
            onMethod: (m) => {
              this.#signInInfo = { host: m.host, offered: [...m.offered], using: m.using };
              this.#emit();
              methods.onMethod?.(m);
            },
          });
          this.#applicationsHref = res.applicationsHref;
          const client = new UcwaClient({
            transport: this.#o.transport, token: res.token, credentials: creds, poolBase: new URL(res.applicationsHref).origin + '/', now: this.#o.now,
            // Windows, AD FS and modern sign-in renew by their own grant, not by a password.
            ...(res.method !== 'password' ? { regrant: res.regrant } : {}),
          });
          client.hooks = {
            onRenewing: () => actor.send({ type: 'RENEWING' }),
            onRenewed: () => actor.send({ type: 'RENEWED' }),
          };
          this.#client = client;
        }),
        createApplication: wrap(async () => {
          // A new sign-in (or a rediscovery): whatever an earlier application had is gone, its
          // links (continueMessaging, markAsRead) included.
          if (this.#app) this.#o.ports.onReset('recreate');
          this.sync.cancel();
          this.sync.clearLinks();
          await this.#bringUpApplication();
        }),
        makeAvailable: wrap(() => this.#makeAvailable()),
        recreateApplication: wrap(async () => {
          this.#channel?.stop();
          this.#o.ports.onReset('recreate');
          // A sync still running would write the old application's links after the clear.
          this.sync.cancel();
          this.sync.clearLinks();
          await this.#bringUpApplication();
          await this.#makeAvailable();
        }),
        probe: fromPromise<ProbeResult>(async () => {
          try {
            const client = this.#client, app = this.#app;
            if (!client || !app) throw new AppError({ code: 'notSignedIn', message: 'No session.' });
            await getApplication(client, app.self);
            this.#channel?.resume();
            return 'ok';
          } catch (err) {
            if (isApplicationGone(err)) return 'applicationGone';
            throw toAppError(err);
          }
        }),
        deleteApplication: fromPromise<void>(async () => {
          this.#channel?.stop();
          this.sync.cancel();
          const client = this.#client, app = this.#app;
          if (client && app) await deleteApplication(client, app.self, 3000).catch(() => undefined);
        }),
      },
      actions: {
        reportActivity: () => {
          const href = link(this.#app?.me, 'reportMyActivity');
          const client = this.#client;
          if (client && href) void R.reportMyActivity(client, href).catch((err: unknown) => {
            if (isApplicationGone(err)) actor.send({ type: 'APPLICATION_GONE' });
          });
        },
        goAway: () => {
          // Only "Available" decays to Away; Busy, Do not disturb and Be right back were chosen on purpose,
          // and a Busy the server set for a meeting or a call (shown, not chosen) is not replaced either.
          if (this.#chosen !== 'Online' || (this.#availability !== null && this.#availability !== 'Online' && this.#availability !== 'Away')) return;
          this.#autoAway = true;
          const href = link(this.#app?.me, 'presence');
          if (this.#client && href) void R.setPresence(this.#client, href, 'Away').then(() => {
            this.#availability = 'Away';
            this.#emit();
          }, () => undefined);
        },
        comeBack: () => {
          this.#autoAway = false;
          if (this.#availability !== 'Away' || this.#chosen === 'Away') return;
          const href = link(this.#app?.me, 'presence');
          if (this.#client && href) void R.setPresence(this.#client, href, this.#chosen).then(() => {
            this.#availability = this.#chosen;
            this.#emit();
          }, () => undefined);
        },
        enterOnline: () => {
          const resync = !this.#onlineOnce || this.#needResync;
          this.#onlineOnce = true;
          this.#needResync = false;
          this.#onlineSince = this.#o.now();
          // A P-GET that failed while the application was being made left the channel paused:
          // online means listening, so pick it up again (same ack).
          if (this.#channel?.state === 'paused') this.#channel.resume();
          // Entry actions run before the snapshot says 'online': act once the transition is over.
          queueMicrotask(() => {
            if (!this.isOnline()) return;
            this.#o.ports.onOnline();
            if (resync) this.scheduleSync(0);
          });
        },
        stopAll: () => {
          this.#channel?.stop();
          this.sync.cancel();
        },
      },
    }), { input: { timing: { reportActivityMs: timing.reportActivityMs, awayAfterSec: timing.awayAfterSec, backoffBaseMs: timing.backoffBaseMs, backoffMaxMs: timing.backoffMaxMs }, random: this.#o.deps.random } });
    actor.subscribe((snap) => {
      const status = sessionStatusOf(snap.value);
      this.#noteRetry(snap.value, snap.context);
      if (status === 'recreatingApplication') this.#needResync = true;
      const prev = this.#prevStatus;
      this.#prevStatus = status;
      if (status !== prev && (status === 'signedOut' || status === 'error')) {
        // Every way out of these states is a new SIGN_IN, which brings its own password.
        this.#dropCredentials();
        this.#o.ports.onReset('signedOut');
      }
      this.#emit();
    });
    this.#actor = actor;
    actor.start();
  }

  #noteRetry(value: unknown, context: { attempt: number; retryDelayMs: number }): void {
    const key = sessionStateKey(value);
    const waiting = key === 'retryingSignIn' || (key === 'reconnecting' && (value as Record<string, unknown>).reconnecting === 'waiting');
    if (!waiting) this.#retry = null;
    else if (this.#retry?.attempt !== context.attempt) this.#retry = { attempt: context.attempt, at: this.#o.now() + context.retryDelayMs };
  }

  // --- what the UI sees of the session ----------------------------------------------------------
  state(): SessionState {
    const snap = this.#actor.getSnapshot();
    const status = sessionStatusOf(snap.value);
    return {
      status,
      user: this.#me,
      availability: status === 'online' || status === 'reauthenticating' ? this.#availability : null,
      // The machine only ever holds AppErrors' shapes (every actor throws toAppError).
      error: snap.context.error as SessionState['error'],
      // While probing or signing in again there is no retry due: the attempt is under way.
      nextRetryAt: status === 'reconnecting' ? this.#retry?.at ?? null : null,
      demo: !!this.#request?.demo,
      ...(this.#signInInfo ? { signIn: this.#signInInfo } : {}),
    };
  }

  #emit(): void {
    const s = this.state();
    // Only whether a retry is due counts as a change, not when.
    const j = JSON.stringify({ ...s, nextRetryAt: s.nextRetryAt !== null });
    if (j === this.#lastJson) return;
    this.#lastJson = j;
    this.#o.events.emit('session', s);
  }

  /** Online, or the error / sign-out that ended the attempt (with `persistent`, also the retry). */
  #waitForSettled(persistent: boolean): Promise<SessionState> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        settled = true;
        sub.unsubscribe();
        fn();
      };
      const check = (retrying: boolean) => {
        if (settled) return;
        const s = this.state();
        if (s.status === 'online') finish(() => resolve(s));
        // Lost again before it was ever online, and the next try is far off (a server's Retry-After,
        // clamped to minutes): say so now rather than keep the caller waiting for it. A quick retry
        // (the usual backoff) is still waited for.
        else if (s.status === 'reconnecting' && s.nextRetryAt !== null && s.nextRetryAt - this.#o.now() > SLOW_RETRY_MS) finish(() => resolve(s));
        else if (retrying) finish(() => resolve(s.status === 'reconnecting' ? s : { ...s, status: 'reconnecting', nextRetryAt: this.#o.now() }));
        else if (s.status === 'error' || s.status === 'signedOut') finish(() => reject(new AppError(s.error ?? { code: 'notSignedIn', message: 'Signed out.' })));
      };
      const sub = this.#actor.subscribe((snap) => {
        const retrying = persistent && sessionStateKey(snap.value) === 'retryingSignIn';
        queueMicrotask(() => check(retrying));
      });
    });
  }

  #waitForStatus(statuses: SessionStatus[]): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (statuses.includes(this.status())) {
          sub.unsubscribe();
          resolve();
        }
      };
      const sub = this.#actor.subscribe(() => queueMicrotask(check));
      check();
    });
  }

  // --- sign-in and sign-out -----------------------------------------------------------------------
  async signIn(req: SignInRequest, opts?: { persistent?: boolean }): Promise<SessionState> {
    const persistent = opts?.persistent === true;
    if (this.#closed) throw new AppError({ code: 'internal', message: 'The service is closed.' });
    const st = this.status();
    if (st !== 'signedOut' && st !== 'error') {
      this.#actor.send({ type: 'SIGN_OUT' });
      await this.#waitForStatus(['signedOut']);
    }
    const { password, ...request } = req;
    let login: string | undefined;
    try {
      login = signInName(req.login);
    } catch (err) {
      throw toAppError(err);
    }
    if (login) request.login = login;
    else delete request.login;
    this.#request = request;
    this.#signInInfo = null;
    this.#creds = { username: login ?? normaliseSip(req.sip).slice(4), password };
    this.#onlineOnce = false;
    const settled = this.#waitForSettled(persistent);
    this.#actor.send({ type: 'SIGN_IN', persistent });
    const s = await settled;
    const secrets = this.#o.deps.secrets;
    const remember = () => secrets!.setPassword(normaliseSip(req.sip), req.password).catch((err: unknown) => this.#o.log(`keychain: ${describeError(err)}`));
    if (req.remember && secrets && s.status === 'online') await remember();
    else if (req.remember && secrets && s.status === 'reconnecting') {
      // Settled early (the retry is far off): remember once it is online, not never.
      void this.#waitForStatus(['online', 'error', 'signedOut']).then(() => (this.status() === 'online' && this.#creds?.password === req.password ? remember() : undefined));
    }
    return s;
  }

  async signInRemembered(sip?: string, opts?: { server?: string; login?: string }): Promise<SessionState | null> {
    const secrets = this.#o.deps.secrets;
    if (!secrets) return null;
    const accounts = await secrets.accounts().catch(() => [] as string[]);
    const account = sip ? normaliseSip(sip) : accounts[0];
    if (!account) return null;
    const password = await secrets.getPassword(account).catch((err: unknown) => {
      this.#o.log(`keychain: ${describeError(err)}`);
      return null;
    });
    if (!password) return null;
    // The server the user typed is not a secret and is not in the keychain: reuse the last one.
    const last = this.#request && normaliseSip(this.#request.sip) === account ? this.#request : null;
    const login = opts?.login ?? last?.login;
    return this.signIn({ sip: account, password, server: opts?.server ?? last?.server, ...(login ? { login } : {}), demo: opts?.server ? undefined : last?.demo }, { persistent: true });
  }

  async signOut(opts?: { forget?: boolean }): Promise<void> {
    if (this.status() !== 'signedOut') {
      this.#actor.send({ type: 'SIGN_OUT' });
      await this.#waitForStatus(['signedOut']);
    }
    this.#dropCredentials();
    if (opts?.forget && this.#o.deps.secrets && this.#request) await this.#o.deps.secrets.deletePassword(normaliseSip(this.#request.sip)).catch(() => undefined);
    this.#client = null;
    this.#app = null;
    this.sync.clearLinks(); // they belong to the application just deleted
  }

  /** Signed out (or failed for good): the password and the token leave memory. */
  #dropCredentials(): void {
    this.#authAbort?.abort();
    this.#authAbort = null;
    this.#creds = null;
    this.#client?.signOut();
  }

  /** The availability the user chose: kept for the next sign-in, set now when online. */
  async setAvailability(a: Availability): Promise<void> {
    this.#chosen = a;
    this.#autoAway = false;
    const href = link(this.#app?.me, 'presence');
    const client = this.#client;
    if (!client || !href) throw notSignedIn();
    try {
      await R.setPresence(client, href, a);
    } catch (err) {
      throw toAppError(err);
    }
    this.#availability = a;
    this.#emit();
  }

  /**
   * The server reported your presence (a `me` presence event, or a GET of it): another endpoint set
   * it, the server's idle decayed it, or it confirms what this session set. The session's
   * availability follows — the server's report is the fact; what was set here shows only until the
   * server speaks — and a state only a person can have chosen becomes the choice kept from now on.
   */
  presenceReported(token: string, activity: string): void {
    this.#reported = { token, activity };
    const a = availabilityFromServer(token, activity);
    if (!a) return;
    if (isChosen(token, activity, a)) {
      this.#chosen = a;
      this.#autoAway = false;
    }
    if (a === this.#availability) return;
    this.#availability = a;
    this.#emit();
  }

  reportIdle(idleSeconds: number, locked: boolean, awayAfterSec?: number): void {
    this.#actor.send({ type: 'IDLE', idleSec: Math.max(0, idleSeconds), locked, ...(awayAfterSec !== undefined ? { awayAfterSec } : {}) });
  }

  nudge(): void {
    this.#actor.send({ type: 'NUDGE' });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.signOut().catch(() => undefined);
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#actor.stop();
  }
}

export function notSignedIn(): AppError {
  return new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
}
