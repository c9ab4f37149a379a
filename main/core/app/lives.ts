// Live conversations: the conversations with an IM modality the service follows — their hrefs
// (which belong to one application and one event channel), whether messaging is connected, who is
// typing, and the 'live' / 'typing' events the UI draws from them. The connection state has one
// owner, this class; the outbox (above) learns of a connection through the port it hands in.
import type { ConnectionState, InvitationInfo, LiveConversationState } from './types.ts';
import { rosterOf, type GroupState } from './roster.ts';
import type { ServiceEmitter } from './events.ts';
import type { Session } from './session.ts';
import * as R from '../ucwa/resources.ts';
import type { Person } from '../store/types.ts';
import { describeError } from '../logSafe.ts';

export interface Live {
  readonly conversationId: number;
  threadId: string | null;
  convHref: string | null;
  connection: ConnectionState;
  sendHref: string | null;
  typingHref: string | null;
  stopHref: string | null;
  html: boolean;
  typing: Person[];
  /** What the UI shows of the conversation's invitation (owned by Invitations, mirrored here). */
  invitation: InvitationInfo | null;
  lastTypingPost: number;
  /** A group conversation (a conference): its roster and flow (owned by Groups, shown from here). */
  group: GroupState | null;
}

export interface LivesOptions {
  session: Session;
  events: ServiceEmitter;
  now: () => number;
  typingThrottleMs: number;
  log: (line: string) => void;
  /** Messaging of this conversation became connected (the outbox sends what waits). */
  onConnected(conversationId: number): void;
}

export class Lives {
  readonly #o: LivesOptions;
  readonly #byId = new Map<number, Live>();
  readonly #byHref = new Map<string, Live>();
  /** Who waits for a conversation to be ready to send (connected, with its sendMessage link). */
  readonly #readyWaiters = new Map<number, Set<(ready: boolean) => void>>();
  readonly #readyTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Last 'live' payload sent per conversation (JSON), so unchanged states are not re-sent. */
  readonly #lastLive = new Map<number, string>();

  constructor(o: LivesOptions) {
    this.#o = o;
  }

  get(conversationId: number): Live | null {
    return this.#byId.get(conversationId) ?? null;
  }

  byHref(href: string | undefined | null): Live | null {
    if (!href) return null;
    return this.#byHref.get(this.#o.session.abs(href)) ?? null;
  }

  hrefs(): string[] {
    return [...this.#byHref.keys()];
  }

  /** The live record of a conversation, made on first use. */
  ensure(conversationId: number, threadId: string | null): Live {
    const existing = this.#byId.get(conversationId);
    if (existing) {
      if (!existing.threadId && threadId) existing.threadId = threadId;
      return existing;
    }
    const live: Live = {
      conversationId, threadId, convHref: null, connection: 'disconnected', sendHref: null, typingHref: null, stopHref: null,
      html: false, typing: [], invitation: null, lastTypingPost: 0, group: null,
    };
    this.#byId.set(conversationId, live);
    return live;
  }

  attachHref(live: Live, convHref: string | undefined | null): void {
    if (!convHref) return;
    const h = this.#o.session.abs(convHref);
    if (live.convHref && live.convHref !== h) this.#byHref.delete(live.convHref);
    live.convHref = h;
    this.#byHref.set(h, live);
  }

  setConnection(live: Live, connection: ConnectionState): void {
    if (live.connection !== connection) {
      live.connection = connection;
      if (connection !== 'connected' && live.typing.length) live.typing = [];
      this.emitLive(live);
    }
    this.#wakeReady(live);
    if (connection === 'connected' && live.sendHref) this.#o.onConnected(live.conversationId);
  }

  isReady(live: Live | null): live is Live & { sendHref: string } {
    return !!live && live.connection === 'connected' && !!live.sendHref;
  }

  /** Resolves true once the conversation can take sendMessage, false if it disconnects or `ms` pass. */
  whenReady(live: Live, ms: number): Promise<boolean> {
    if (this.isReady(live)) return Promise.resolve(true);
    return new Promise((resolve) => {
      let set = this.#readyWaiters.get(live.conversationId);
      if (!set) this.#readyWaiters.set(live.conversationId, (set = new Set()));
      const done = (ready: boolean) => {
        clearTimeout(t);
        this.#readyTimers.delete(t);
        set.delete(done);
        resolve(ready);
      };
      const t = setTimeout(() => done(this.isReady(live)), ms);
      this.#readyTimers.add(t);
      set.add(done);
    });
  }

  #wakeReady(live: Live): void {
    const set = this.#readyWaiters.get(live.conversationId);
    if (!set?.size) return;
    const ready = this.isReady(live);
    if (!ready && live.connection !== 'disconnected') return;
    for (const w of [...set]) w(ready);
  }

  /** The messaging modality's links and state, from a 'messaging' event. */
  setMessaging(live: Live, m: { sendHref: string | null; typingHref: string | null; stopHref: string | null; html: boolean; state: string | null }): void {
    live.sendHref = m.sendHref;
    live.typingHref = m.typingHref;
    live.stopHref = m.stopHref ?? live.stopHref;
    live.html = m.html;
    if (m.state === 'Connected' && live.sendHref) this.setConnection(live, 'connected');
    else if (m.state === 'Connecting') this.setConnection(live, 'connecting');
    else if (m.state === 'Disconnected') this.disconnect(live);
  }

  /** Messaging ended (or the conversation did): its links are no use any more. */
  disconnect(live: Live): void {
    live.sendHref = live.typingHref = live.stopHref = null;
    if (live.typing.length) this.setTyping(live, []);
    this.setConnection(live, 'disconnected');
  }

  /** The conversation itself ended on the server. */
  ended(live: Live): void {
    if (live.convHref) this.#byHref.delete(live.convHref);
    live.convHref = null;
    this.disconnect(live);
  }

  setInvitation(live: Live, info: InvitationInfo | null): void {
    live.invitation = info ? { ...info } : null;
    this.emitLive(live);
  }

  setTyping(live: Live, typing: Person[]): void {
    live.typing = typing;
    this.#o.events.emit('typing', { conversationId: live.conversationId, participants: [...typing] });
    this.emitLive(live);
  }

  /** The conversations whose IM is connected now (what the list marks "Live"). */
  connected(): number[] {
    return [...this.#byId.values()].filter((l) => l.connection === 'connected').map((l) => l.conversationId);
  }

  state(conversationId: number): LiveConversationState | null {
    const live = this.#byId.get(conversationId);
    return live ? liveState(live) : null;
  }

  /** Emit 'live' when what the UI shows of this conversation changed. */
  emitLive(live: Live): void {
    const s = liveState(live);
    const key = JSON.stringify(s);
    if (this.#lastLive.get(live.conversationId) === key) return;
    this.#lastLive.set(live.conversationId, key);
    this.#o.events.emit('live', s);
  }

  /** The user is typing: tell the server, at most once per throttle period. */
  postTyping(conversationId: number): void {
    const live = this.#byId.get(conversationId);
    const client = this.#o.session.client;
    if (!live || !live.typingHref || !client) return;
    const t = this.#o.now();
    if (t - live.lastTypingPost < this.#o.typingThrottleMs) return;
    live.lastTypingPost = t;
    void R.setIsTyping(client, live.typingHref).catch(() => undefined);
  }

  /** stopMessaging, then disconnected. */
  async stop(conversationId: number): Promise<void> {
    const live = this.#byId.get(conversationId);
    if (!live) return;
    const client = this.#o.session.client;
    if (live.stopHref && client) await R.stopMessaging(client, live.stopHref).catch((err: unknown) => this.#o.log(`stop: ${describeError(err)}`));
    this.disconnect(live);
  }

  /** The event channel or the application started over: every href is stale. */
  dropTransient(): void {
    for (const live of this.#byId.values()) {
      live.convHref = null;
      this.disconnect(live);
    }
    this.#byHref.clear();
  }

  /** The store started over: the conversation ids held here are gone with it. */
  forgetAll(): void {
    this.dropTransient();
    for (const set of this.#readyWaiters.values()) for (const w of [...set]) w(false);
    this.#readyWaiters.clear();
    for (const t of this.#readyTimers) clearTimeout(t);
    this.#readyTimers.clear();
    this.#byId.clear();
    this.#lastLive.clear();
  }
}

export function liveState(live: Live): LiveConversationState {
  return {
    conversationId: live.conversationId,
    connection: live.connection,
    typing: [...live.typing],
    invitation: live.invitation ? { ...live.invitation } : null,
    group: !!live.group,
    groupPhase: live.group?.phase ?? null,
    groupError: live.group?.error ?? null,
    roster: live.group ? rosterOf(live.group) : [],
    changes: live.group ? [...live.group.changes] : [],
    adding: live.group ? [...live.group.adding.values()] : [],
    subject: live.group?.subject ?? '',
  };
}
