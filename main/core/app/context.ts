// The state the parts of the messenger service share, in one object handed explicitly to each
// part (no module-level state: two services in one process — tests, bench — never meet). It holds
// what the session knows (reset on sign-out), the live conversations and invitations (reset when
// the application is recreated or the event channel starts over) and the outbox bookkeeping.
import type { Actor, ActorRefFrom } from 'xstate';
import { AppError, type Availability, type InvitationInfo, type SignInRequest } from './types.ts';
import { defaultTiming, type MessengerDeps } from './deps.ts';
import { ServiceEmitter } from './events.ts';
import { HistorySync } from './sync.ts';
import { createTransport, type LogFn, type Transport } from '../ucwa/transport.ts';
import type { Credentials } from '../ucwa/auth.ts';
import type { UcwaClient } from '../ucwa/client.ts';
import type { AppLinks } from '../ucwa/application.ts';
import type { EventChannel } from '../ucwa/eventChannel.ts';
import type { UcwaEvent } from '../ucwa/events.ts';
import type { Resource } from '../ucwa/links.ts';
import type { sessionMachine } from '../machines/session.ts';
import type { invitationMachine } from '../machines/invitation.ts';
import type { conversationMachine } from '../machines/conversation.ts';
import type { OutboxItem, Person, Store } from '../store/types.ts';

export type ConvActor = ActorRefFrom<typeof conversationMachine>;
export type InvActor = ActorRefFrom<typeof invitationMachine>;
export type SessionActor = Actor<typeof sessionMachine>;

export interface InvitationRec {
  id: string;
  href: string | null;
  operationId: string | null;
  direction: 'Incoming' | 'Outgoing';
  actor: InvActor;
  acceptHref: string | null;
  declineHref: string | null;
  cancelHref: string | null;
  info: InvitationInfo;
  /** Outbox item whose text travels with the invitation (start / continue). */
  carriesClientId: string | null;
  /** Server timestamp of that carried message, when an outgoing message event with the
   * invitation's operationId reported it (otherwise it is stamped with local time when sent). */
  carriedAt?: number | null;
  settle?: (ok: boolean, err?: AppError) => void;
}

/** A conversation with an IM modality the service follows (one conversation actor each). */
export interface Live {
  convHref: string | null;
  conversationId: number;
  threadId: string | null;
  actor: ConvActor;
  sendHref: string | null;
  typingHref: string | null;
  stopHref: string | null;
  html: boolean;
  invitation: InvitationRec | null;
  typing: Person[];
  /** Text of the invitation's first message: its re-delivery right after accept is the same message. */
  firstText: string | null;
  /** The stored row of that first message (local time until the re-delivery brings the server's). */
  firstMessageId: number | null;
  lastTypingPost: number;
}

export interface ServiceContext {
  readonly deps: MessengerDeps;
  readonly timing: typeof defaultTiming;
  readonly now: () => number;
  readonly log: LogFn;
  readonly store: Store;
  readonly transport: Transport;
  readonly events: ServiceEmitter;
  readonly sync: HistorySync;
  /** Set by startSession right after the context is made; every part reads it at call time. */
  session: SessionActor;

  // --- the session (reset on sign-out; hrefs reset on application recreation) ---
  request: SignInRequest | null;
  creds: Credentials | null;
  domain: string;
  userHref: string;
  applicationsHref: string;
  client: UcwaClient | null;
  app: AppLinks | null;
  me: Person | null;
  channel: EventChannel | null;
  availability: Availability | null;
  chosenAvailability: Availability;
  closed: boolean;
  onlineOnce: boolean;
  needResync: boolean;
  lastSessionJson: string;
  prevStatus: string;
  readonly timers: Set<ReturnType<typeof setTimeout>>;

  // --- live conversations and invitations ---
  readonly lives: Map<number, Live>; // by conversationId
  readonly livesByHref: Map<string, Live>;
  /** Last 'live' payload sent per conversation (JSON), so unchanged states are not re-sent. */
  readonly lastLive: Map<number, string>;
  readonly invitationsByOp: Map<string, InvitationRec>;
  readonly invitationsByHref: Map<string, InvitationRec>;
  invitationSeq: number;
  /** Incoming message hrefs already stored (re-deliveries are dropped). */
  readonly seenIncoming: Set<string>;
  /** Conversation hrefs that could not be adopted (not asked for again). */
  readonly unknownSenders: Set<string>;

  // --- outbox ---
  readonly opToClient: Map<string, string>; // sendMessage operationId → clientId
  readonly hrefToClient: Map<string, string>; // message Location → clientId
  readonly earlyCompletions: Map<string, { ok: boolean; at: number | null }>; // by href or opId
  readonly outboxCache: Map<string, OutboxItem>;
  /** Connection attempts under way, by conversation (one at a time each). */
  readonly connecting: Map<number, Promise<void>>;
}

export function createContext(deps: MessengerDeps): ServiceContext {
  const timing = { ...defaultTiming, ...deps.timing };
  const log = deps.log ?? (() => undefined);
  const events = new ServiceEmitter(log);
  return {
    deps,
    timing,
    now: deps.clock ?? Date.now,
    log,
    store: deps.store,
    transport: createTransport({ fetch: deps.fetch, log, defaultTimeoutMs: timing.requestTimeoutMs }),
    events,
    sync: new HistorySync({
      store: deps.store,
      concurrency: timing.syncConcurrency,
      logLimit: timing.syncLogLimit,
      onProgress: (p) => events.emit('sync', { ...p }),
      log,
    }),
    session: undefined as unknown as SessionActor,
    request: null,
    creds: null,
    domain: '',
    userHref: '',
    applicationsHref: '',
    client: null,
    app: null,
    me: null,
    channel: null,
    availability: null,
    chosenAvailability: 'Online',
    closed: false,
    onlineOnce: false,
    needResync: false,
    lastSessionJson: '',
    prevStatus: 'signedOut',
    timers: new Set(),
    lives: new Map(),
    livesByHref: new Map(),
    lastLive: new Map(),
    invitationsByOp: new Map(),
    invitationsByHref: new Map(),
    invitationSeq: 0,
    seenIncoming: new Set(),
    unknownSenders: new Set(),
    opToClient: new Map(),
    hrefToClient: new Map(),
    earlyCompletions: new Map(),
    outboxCache: new Map(),
    connecting: new Map(),
  };
}

export function notSignedIn(): AppError {
  return new AppError({ code: 'notSignedIn', message: 'You are not signed in.' });
}

/** The client of a session that has its application (what every conversation action needs). */
export function requireClient(ctx: ServiceContext): UcwaClient {
  if (!ctx.client || !ctx.app) throw notSignedIn();
  return ctx.client;
}

/** The client while the application is still being made (sign-in steps). */
export function requireClientOnly(ctx: ServiceContext): UcwaClient {
  if (!ctx.client) throw notSignedIn();
  return ctx.client;
}

/** A timer that close() clears. */
export function later(ctx: ServiceContext, ms: number, fn: () => void): void {
  const t = setTimeout(() => {
    ctx.timers.delete(t);
    fn();
  }, ms);
  ctx.timers.add(t);
}

// Hrefs key several maps, so they are compared in absolute form. Most are plain server paths
// ("/ucwa/oauth/v1/..."): those resolve by concatenation, without a URL parse per event.
const PLAIN_PATH_RE = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT_RE = /\/\.{1,2}(?:\/|$)/;
export function abs(ctx: ServiceContext, href: string): string {
  const base = ctx.client?.poolBase;
  if (base && PLAIN_PATH_RE.test(href) && !DOT_SEGMENT_RE.test(href) && base.endsWith('/')) return base + href.slice(1);
  try {
    return new URL(href, ctx.client?.poolBase ?? 'http://invalid/').href;
  } catch {
    return href;
  }
}

/** The event's resource: embedded, else one GET (an 'end' carries none for most rels). */
export async function resourceOf(ctx: ServiceContext, ev: UcwaEvent): Promise<Resource | null> {
  if (ev.resource) return ev.resource;
  if (ev.phase === 'end' && ev.rel !== 'message' && ev.rel !== 'messagingInvitation') return null;
  try {
    return await requireClient(ctx).getJson(ev.href);
  } catch (err) {
    ctx.log(`GET ${ev.rel} failed: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
