// Group conversations (issue 14, PROTOCOL-2 §2): one group actor (machines/group.ts) per
// conversation in a meeting. Groups starts an ad hoc meeting (startOnlineMeeting) or joins one
// (joinOnlineMeeting), joins its IM (addMessaging) once the meeting invitation succeeded, invites
// people (addParticipant — on a one-to-one the server grows it into a meeting in place, §2.5),
// keeps the roster from the participant events, and leaves (DELETE conversation). It claims the
// events of the invitations it made (by operationId, then by href) and the roster's events; the
// router gives it the conversation and messaging events of the conversations it follows.
import { createActor, type ActorRefFrom } from 'xstate';
import { groupMachine, type GroupStart } from '../machines/group.ts';
import { AppError, type AppErrorShape, type GroupPhase } from './types.ts';
import { toAppError } from './errors.ts';
import type { Session } from './session.ts';
import type { Live, Lives } from './lives.ts';
import { addChange, memberByHref, newGroupState, removeMember, setInIm, upsertMember, type GroupState, type RosterMember } from './roster.ts';
import type { UcwaEvent } from '../ucwa/events.ts';
import { UcwaError } from '../ucwa/errors.ts';
import { link, str, type Resource } from '../ucwa/links.ts';
import * as C from '../ucwa/conference.ts';
import { newOperationId } from '../ucwa/operationId.ts';
import type { Person } from '../store/types.ts';
import { describeError } from '../logSafe.ts';

type GroupActor = ActorRefFrom<typeof groupMachine>;

/** An invitation this app made for a group: the meeting's, its IM's, or one person's. */
interface OwnOp {
  kind: 'meeting' | 'messaging' | 'participant';
  live: Live;
  /** The group actor it belongs to: events of an attempt given up on must not drive the next one. */
  actor: GroupActor | undefined;
  /** The invitee (participant invitations). */
  uri?: string;
}

export interface GroupsOptions {
  session: Session;
  lives: Lives;
  now: () => number;
  log: (line: string) => void;
  /** The safety timer of each step (the server's own limits come first). */
  timeoutMs: number;
  /** People joined a group: the store adds them to the conversation (its chat follows). */
  onJoined(conversationId: number, people: Person[]): void;
}

/** operationIds of this app's group invitations start with this (≤ 50 chars in all). */
const OP_PREFIX = 'grp';
/** Own invitations kept findable (ended ones are dropped beyond this). */
const OPS_KEPT = 500;

export class Groups {
  readonly #o: GroupsOptions;
  readonly #actors = new Map<number, GroupActor>();
  readonly #ops = new Map<string, OwnOp>();
  readonly #invs = new Map<string, OwnOp>();
  /** Invitees to invite once the IM of a group being started is connected. */
  readonly #queued = new Map<number, Person[]>();

  constructor(o: GroupsOptions) {
    this.#o = o;
  }

  /** In a group now (its actor lives: starting, joining, in it, leaving). */
  isGroup(conversationId: number): boolean {
    return this.#actors.has(conversationId);
  }

  /**
   * A group this app is in or on its way into whose IM is not ready to send (starting, joining, in
   * the lobby, adding messaging, or connected with its IM coming back): wait for it, never start another.
   */
  pending(conversationId: number): boolean {
    if (!this.#actors.has(conversationId)) return false;
    const live = this.#o.lives.get(conversationId);
    return !(live?.group?.phase === 'connected' && this.#o.lives.isReady(live));
  }

  /** Resolves true once the group's IM is connected, false when it failed, ended or `ms` passed. */
  async waitConnected(conversationId: number, ms: number): Promise<boolean> {
    const end = this.#o.now() + ms;
    // Rare and bounded (a group coming up): polling keeps the event path free of waiter bookkeeping.
    for (;;) {
      const live = this.#o.lives.get(conversationId);
      if (live?.group?.phase === 'connected' && this.#o.lives.isReady(live)) return true;
      if (!this.#actors.has(conversationId) || this.#o.now() >= end || this.#closed) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * A group just started: its first message waits until someone is there to read it — one invitee in
   * its IM — or every invitation has ended (true only if someone came), bounded by `ms`. A server does
   * not replay the IM to those who join later (§2.8).
   */
  async waitAudience(conversationId: number, ms: number): Promise<boolean> {
    const end = this.#o.now() + ms;
    for (;;) {
      const g = this.#o.lives.get(conversationId)?.group;
      if (!g) return false;
      if ([...g.members.values()].some((m) => m.inIm)) return true;
      const invites = [...g.adding.values()];
      if (!this.#queued.get(conversationId)?.length && invites.every((a) => a.state !== 'inviting')) return invites.some((a) => a.state === 'joined');
      if (!this.#actors.has(conversationId) || this.#o.now() >= end || this.#closed) return [...g.members.values()].length > 0;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  #closed = false;

  /** The group state of a live conversation, made (with its actor) on first use. */
  #ensure(live: Live, start: GroupStart, subject = ''): GroupState {
    if (live.group && this.#actors.has(live.conversationId)) return live.group;
    // A group this app was in before (left, ended) starts over; its joined/left lines stay.
    const g = newGroupState(start === 'start' ? 'starting' : start === 'accepted' ? 'joining' : start === 'escalated' ? 'addingMessaging' : 'connected', subject || live.group?.subject || '');
    if (live.group) g.changes = live.group.changes;
    live.group = g;
    const actor = createActor(groupMachine, { input: { start, timeoutMs: this.#o.timeoutMs } });
    this.#actors.set(live.conversationId, actor);
    actor.subscribe((snap) => {
      const phase = snap.value as GroupPhase | 'init';
      if (phase === 'init') return;
      const changed = g.phase !== phase;
      g.phase = phase;
      g.error = (snap.context.error as AppErrorShape | null) ?? null;
      if (!changed) return;
      this.#o.lives.emitLive(live);
      if (phase === 'addingMessaging') void this.#addMessaging(live);
      else if (phase === 'connected') void this.#flushInvites(live);
      else if (phase === 'left' || phase === 'ended' || phase === 'failed') {
        this.#queued.delete(live.conversationId);
        this.#grown.delete(live.conversationId);
        for (const [uri, a] of g.adding) if (a.state === 'inviting') g.adding.set(uri, { ...a, state: 'failed', error: { code: 'invitationFailed', message: 'The conversation ended before they answered.' } });
        if (this.#actors.get(live.conversationId) === actor) this.#actors.delete(live.conversationId);
        // Failed once in the meeting (its IM never came): leave it rather than stay as a silent participant.
        const client = this.#o.session.client;
        if (phase === 'failed' && live.convHref && client) void C.leaveConversation(client, live.convHref).catch((err: unknown) => this.#o.log(`leaving a failed group: ${describeError(err)}`));
        this.#o.lives.ended(live);
      }
    });
    actor.start();
    // The first state is the actor's first snapshot, not a change: an IM to add comes now.
    if (g.phase === 'addingMessaging') void this.#addMessaging(live);
    return g;
  }

  #op(live: Live, kind: OwnOp['kind'], uri?: string): string {
    const id = `${OP_PREFIX}${newOperationId()}`.slice(0, 50);
    this.#ops.set(id, { kind, live, uri, actor: this.#actors.get(live.conversationId) });
    if (this.#ops.size > OPS_KEPT) for (const k of [...this.#ops.keys()].slice(0, OPS_KEPT / 2)) this.#ops.delete(k);
    return id;
  }

  #bind(op: string, location: string | null): void {
    const own = this.#ops.get(op);
    if (!own || !location) return;
    this.#invs.set(this.#o.session.abs(location), own);
    if (this.#invs.size > OPS_KEPT) for (const k of [...this.#invs.keys()].slice(0, OPS_KEPT / 2)) this.#invs.delete(k);
  }

  // --- the flows --------------------------------------------------------------------------------

  /**
   * A new group: an ad hoc meeting (no first message, no invitees: §2.2), its IM, then the
   * invitations. Resolves once the server took the meeting (201); the rest follows from events.
   */
  async start(live: Live, opts: { invitees: Person[]; subject: string; threadId: string | null; restarted?: boolean }): Promise<void> {
    const { session } = this.#o;
    const client = session.requireClient();
    const href = link(session.app?.communication, 'startOnlineMeeting');
    if (!href) throw new AppError({ code: 'conferenceNotSupported', message: 'This server does not offer group conversations (no ad hoc meetings).' });
    const g = this.#ensure(live, 'start', opts.subject);
    g.subject = opts.subject;
    // Continuing a past group was refused (409 None): the user is told why a new one starts.
    if (opts.restarted) addChange(g, { at: this.#o.now(), kind: 'restarted', uri: null, name: '' });
    this.#queued.set(live.conversationId, [...opts.invitees]);
    for (const p of opts.invitees) g.adding.set(p.sip, { uri: p.sip, name: p.name, state: 'inviting', error: null });
    this.#o.lives.emitLive(live);
    const op = this.#op(live, 'meeting');
    try {
      const r = await C.startOnlineMeeting(client, href, { subject: opts.subject, threadId: opts.threadId ?? undefined, operationId: op });
      this.#bind(op, r.location);
      this.#send(live, { type: 'POSTED' });
    } catch (err) {
      const said = words(err, 'start');
      this.#send(live, { type: 'FAILED', error: (said ?? toAppError(err)).toJSON() });
      // The raw error when there is nothing better to say: the outbox's policy reads it (a 500
      // CallbackChannelError restarts the channel, an expired application is recreated, …).
      throw said ?? err;
    }
  }

  /** Join a meeting by its conference URI (§2.11); each candidate in turn while the server says "no such meeting". */
  async join(live: Live, uris: string[]): Promise<void> {
    const { session } = this.#o;
    const client = session.requireClient();
    const href = link(session.app?.communication, 'joinOnlineMeeting');
    if (!href) throw new AppError({ code: 'conferenceNotSupported', message: 'This server does not let this app join meetings.' });
    this.#ensure(live, 'start');
    let last: unknown = null;
    for (const uri of uris) {
      const op = this.#op(live, 'meeting');
      try {
        const r = await C.joinOnlineMeeting(client, href, { onlineMeetingUri: uri, operationId: op });
        this.#bind(op, r.location);
        this.#send(live, { type: 'POSTED' });
        return;
      } catch (err) {
        last = err;
        if (!(err instanceof UcwaError && err.status === 404)) break;
      }
    }
    const e = words(last, 'join') ?? toAppError(last);
    this.#send(live, { type: 'FAILED', error: e.toJSON() });
    throw e;
  }

  /** An incoming group invitation was accepted (the Invitations layer answered it): join its IM once it succeeds. */
  accepting(live: Live, subject: string, opts: { grown?: boolean } = {}): void {
    const g = this.#ensure(live, 'accepted', subject);
    if (subject && !g.subject) g.subject = subject;
    if (opts.grown) this.#grown.add(live.conversationId);
  }

  /** One-to-ones the other side grew into a group, being joined (a failure leaves them one-to-one). */
  readonly #grown = new Set<number>();

  /** The meeting invitation of an accepted group completed: with Success the IM is next. */
  meetingJoined(live: Live, ok: boolean, reason: AppErrorShape | null): void {
    if (!live.group || !this.#actors.has(live.conversationId)) return;
    if (!ok && this.#grown.has(live.conversationId)) {
      // Joining the grown conversation failed: it is still the one-to-one it was.
      this.#grown.delete(live.conversationId);
      this.#actors.get(live.conversationId)?.stop();
      this.#actors.delete(live.conversationId);
      live.group = null;
      this.#o.lives.emitLive(live);
      return;
    }
    if (ok) {
      this.#grown.delete(live.conversationId);
      void this.#loadRoster(live, undefined);
    }
    this.#send(live, ok ? { type: 'JOINED' } : { type: 'FAILED', error: reason ?? { code: 'invitationFailed', message: 'Joining the group conversation failed.' } });
  }

  /** Invite people: into a group, or into a one-to-one (which the server grows into a group in place). */
  async addParticipants(live: Live, people: Person[]): Promise<void> {
    const g = live.group;
    if (g && (g.phase === 'starting' || g.phase === 'joining' || g.phase === 'lobby' || g.phase === 'addingMessaging')) {
      // Not in yet: they go once the IM is connected.
      const q = this.#queued.get(live.conversationId) ?? [];
      this.#queued.set(live.conversationId, [...q, ...people]);
      for (const p of people) g.adding.set(p.sip, { uri: p.sip, name: p.name, state: 'inviting', error: null });
      this.#o.lives.emitLive(live);
      return;
    }
    if (live.connection !== 'connected' && !(g && g.phase === 'connected')) {
      throw new AppError({ code: 'notFound', message: 'People can be added only while the conversation is live.' });
    }
    const href = g?.addParticipantHref ?? await this.#addParticipantLink(live);
    if (!href) throw new AppError({ code: 'conferenceNotSupported', message: 'This server does not let this app add people to this conversation.' });
    await this.#invite(live, href, people);
  }

  async #invite(live: Live, href: string, people: Person[]): Promise<void> {
    const client = this.#o.session.requireClient();
    // Each invitee has a row at once, whether or not the conversation is a group yet (a 1:1 becomes one).
    const rows = live.group ?? null;
    for (const p of people) rows?.adding.set(p.sip, { uri: p.sip, name: p.name, state: 'inviting', error: null });
    if (!rows) this.#pendingAdding.set(live.conversationId, [...(this.#pendingAdding.get(live.conversationId) ?? []), ...people]);
    this.#o.lives.emitLive(live);
    const post = async (p: Person) => {
      const op = this.#op(live, 'participant', p.sip);
      const r = await C.addParticipant(client, href, p.sip, op);
      this.#bind(op, r.location);
    };
    let results: PromiseSettledResult<void>[];
    if (!rows && people.length > 1) {
      // On a one-to-one the first invitation makes the meeting (§2.4): the others wait for it, or
      // the server answers them 409 AnotherOperationPending.
      const first = await Promise.allSettled([post(people[0] as Person)]);
      const end = this.#o.now() + this.#o.timeoutMs;
      while (!this.#actors.has(live.conversationId) && this.#o.now() < end && first[0]?.status === 'fulfilled' && !this.#closed) await new Promise((r) => setTimeout(r, 25));
      const rest = await Promise.allSettled(people.slice(1).map(post));
      results = [...first, ...rest];
    } else {
      results = await Promise.allSettled(people.map(post));
    }
    const failures: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      const p = people[i] as Person;
      const e = words(r.reason, 'add') ?? toAppError(r.reason);
      failures.push(`${p.name}: ${e.message}`);
      this.#settleAdding(live, p.sip, false, e.toJSON());
      // Not a group (yet): nobody waits for this one's answer.
      const pending = this.#pendingAdding.get(live.conversationId);
      if (pending) this.#pendingAdding.set(live.conversationId, pending.filter((x) => x.sip !== p.sip));
    });
    if (failures.length === people.length) throw new AppError({ code: 'invitationFailed', message: failures.join(' ') });
  }

  /** Invitees of a one-to-one, before the server turned it into a group (their rows move in then). */
  readonly #pendingAdding = new Map<number, Person[]>();

  async #addParticipantLink(live: Live): Promise<string | null> {
    if (!live.convHref) return null;
    try {
      const r = await this.#o.session.requireClient().getJson(live.convHref);
      const href = link(r, 'addParticipant') ?? null;
      if (live.group) live.group.addParticipantHref = href;
      return href;
    } catch (err) {
      this.#o.log(`GET conversation for addParticipant: ${describeError(err)}`);
      return null;
    }
  }

  async #flushInvites(live: Live): Promise<void> {
    const queued = this.#queued.get(live.conversationId);
    if (!queued?.length) return;
    this.#queued.delete(live.conversationId);
    const href = live.group?.addParticipantHref ?? await this.#addParticipantLink(live);
    if (!href) {
      for (const p of queued) this.#settleAdding(live, p.sip, false, { code: 'conferenceNotSupported', message: 'The server offered no way to invite people.' });
      return;
    }
    await this.#invite(live, href, queued).catch((err: unknown) => this.#o.log(`inviting into a group: ${describeError(err)}`));
  }

  #settleAdding(live: Live, uri: string, ok: boolean, error: AppErrorShape | null): void {
    const g = live.group;
    if (!g) return;
    const a = g.adding.get(uri);
    if (!a) return;
    if (ok && a.state === 'joined') return;
    // Joined by the roster first: a late failure of the same invitation (a second endpoint) changes nothing.
    if (!ok && a.state === 'joined') return;
    g.adding.set(uri, { ...a, state: ok ? 'joined' : 'failed', error: ok ? null : error });
    this.#o.lives.emitLive(live);
  }

  /** Join the IM of the meeting (addMessaging), its link found from the conversation if no event gave it. */
  async #addMessaging(live: Live): Promise<void> {
    const g = live.group;
    if (!g) return;
    if (this.#o.lives.isReady(live)) {
      this.#send(live, { type: 'IM_CONNECTED' });
      return;
    }
    try {
      const client = this.#o.session.requireClient();
      const href = g.addMessagingHref ?? await this.#addMessagingLink(live);
      if (!href) throw new AppError({ code: 'server', message: 'The server offered no way to join this conversation’s messages.' });
      const op = this.#op(live, 'messaging');
      const r = await C.addMessaging(client, href, op);
      this.#bind(op, r.location);
    } catch (err) {
      if (this.#o.lives.isReady(live)) return;
      this.#send(live, { type: 'FAILED', error: (words(err, 'messaging') ?? toAppError(err)).toJSON() });
    }
  }

  async #addMessagingLink(live: Live): Promise<string | null> {
    if (!live.convHref) return null;
    const client = this.#o.session.requireClient();
    const conv = await client.getJson(live.convHref);
    this.#takeConversationLinks(live, conv);
    const messagingHref = link(conv, 'messaging');
    if (!messagingHref) return null;
    const m = await client.getJson(messagingHref);
    return link(m, 'addMessaging') ?? null;
  }

  /** Leave: DELETE the conversation; the others carry on. */
  async leave(live: Live): Promise<void> {
    const client = this.#o.session.client;
    const href = live.convHref;
    if (!this.#actors.has(live.conversationId)) {
      // A one-to-one (or a group already over): leaving is ending it here.
      if (client && href) await C.leaveConversation(client, href);
      this.#o.lives.ended(live);
      return;
    }
    this.#send(live, { type: 'LEAVE' });
    try {
      if (client && href) await C.leaveConversation(client, href);
    } finally {
      this.#send(live, { type: 'LEFT' });
    }
  }

  #send(live: Live, ev: Parameters<GroupActor['send']>[0]): void {
    this.#actors.get(live.conversationId)?.send(ev);
  }

  // --- events -----------------------------------------------------------------------------------

  /**
   * An event this layer owns: its own invitations (meeting, IM, people), the roster's events, the
   * meeting. Returns true when it took the event (the router then does nothing else with it).
   */
  async onEvent(ev: UcwaEvent): Promise<boolean> {
    switch (ev.rel) {
      case 'onlineMeetingInvitation':
      case 'messagingInvitation':
      case 'participantInvitation':
        return this.#onOwnInvitation(ev);
      case 'participant':
        if (ev.inRel === 'typingParticipants') return false;
        return this.#onParticipant(ev);
      case 'participantMessaging':
        return this.#onParticipantMessaging(ev);
      case 'localParticipant': {
        const live = this.#o.lives.byHref(ev.senderHref);
        if (live?.group && ev.phase === 'start') live.group.localHref = this.#o.session.abs(ev.href);
        return true;
      }
      case 'onlineMeeting':
        return this.#onMeeting(ev);
      default:
        return false;
    }
  }

  async #onOwnInvitation(ev: UcwaEvent): Promise<boolean> {
    const { session, lives } = this.#o;
    const href = session.abs(ev.href);
    let own = this.#invs.get(href);
    let r: Resource | null = ev.resource;
    if (!own) {
      // Our operationId names it before our 201 is read (events may come first).
      if (!r && ev.phase === 'start') {
        r = await session.resourceOf(ev);
        // Read once: the Invitations layer takes it from here when the invitation is not ours.
        if (r) ev.resource = r;
      }
      const op = str(r, 'operationId');
      own = op ? this.#ops.get(op) : undefined;
      if (!own) return ev.rel === 'participantInvitation';
      this.#invs.set(href, own);
    }
    const live = own.live;
    // An invitation of an earlier attempt (given up on by our timer, or before a restart): not this group's.
    if (own.actor !== this.#actors.get(live.conversationId)) return true;
    lives.attachHref(live, link(r, 'conversation'));
    if (own.kind === 'meeting' && ev.phase === 'end') {
      if (ev.status === 'Success') this.#send(live, { type: 'JOINED' });
      else this.#send(live, { type: 'FAILED', error: reasonWords(ev.reason, 'join') });
    } else if (own.kind === 'messaging' && ev.phase === 'end' && ev.status !== 'Success') {
      if (!lives.isReady(live)) this.#send(live, { type: 'FAILED', error: reasonWords(ev.reason, 'messaging') });
    } else if (own.kind === 'participant' && own.uri && ev.phase === 'end') {
      this.#settleAdding(live, own.uri, ev.status === 'Success', ev.status === 'Success' ? null : reasonWords(ev.reason, 'add'));
    }
    return true;
  }

  async #onParticipant(ev: UcwaEvent): Promise<boolean> {
    const { session, lives } = this.#o;
    const live = lives.byHref(ev.senderHref);
    // A one-to-one's participant events (the other person) say nothing the conversation does not.
    if (!live?.group) return false;
    const g = live.group;
    // Role views (leaders / attendees / lobby) repeat the roster: the roster itself is enough.
    if (ev.inRel) return true;
    const href = session.abs(ev.href);
    if (href === g.localHref) return true;
    if (ev.phase === 'end') {
      if (removeMember(g, href, this.#o.now())) lives.emitLive(live);
      return true;
    }
    const known = g.members.get(href);
    const r = ev.resource ?? (known ? null : await session.resourceOf(ev));
    const info = C.parseParticipant(r, href, ev.title);
    if (!info && !known) return true;
    // Yourself (`local`, the `me` link, or your own address before localParticipant came): never one of "the others".
    if (info && (info.local || (info.uri && info.uri === session.me?.sip))) {
      g.localHref = href;
      return true;
    }
    const member: RosterMember = {
      href,
      uri: info?.uri ?? known?.uri ?? null,
      name: info?.name ?? known?.name ?? '',
      role: info?.role ?? known?.role ?? 'Unknown',
      inIm: known?.inIm ?? false,
      phone: info?.phone ?? known?.phone ?? false,
    };
    const isNew = !known;
    if (upsertMember(g, member, this.#o.now(), g.phase === 'connected')) lives.emitLive(live);
    if (isNew && member.uri) this.#o.onJoined(live.conversationId, [{ sip: member.uri, name: member.name }]);
    return true;
  }

  #onParticipantMessaging(ev: UcwaEvent): boolean {
    const { session, lives } = this.#o;
    const live = lives.byHref(ev.senderHref);
    if (!live?.group) return false;
    if (ev.inRel !== 'participant' || !ev.inHref) return true;
    if (setInIm(live.group, session.abs(ev.inHref), ev.phase !== 'end')) lives.emitLive(live);
    return true;
  }

  async #onMeeting(ev: UcwaEvent): Promise<boolean> {
    const { session, lives } = this.#o;
    const live = lives.byHref(ev.inHref ?? ev.senderHref);
    if (!live?.group || ev.phase === 'end') return true;
    const r = ev.resource ?? await session.resourceOf(ev);
    const subject = str(r, 'subject');
    if (subject && subject !== live.group.subject) {
      live.group.subject = subject.slice(0, 250);
      lives.emitLive(live);
    }
    return true;
  }

  /**
   * A conversation event (router): Conferencing / Conferenced make a group of a one-to-one grown in
   * place (ours or the other side's), InLobby says so, and the end of the conversation ends it.
   */
  onConversation(live: Live, ev: UcwaEvent): void {
    const r = ev.resource;
    const state = str(r, 'state');
    if (ev.phase === 'end' || state === 'Disconnected') {
      if (live.group && this.#actors.has(live.conversationId)) this.#send(live, live.group.phase === 'leaving' ? { type: 'LEFT' } : { type: 'ENDED', error: endWords(ev.reason) });
      return;
    }
    if (state === 'Conferencing' || state === 'Conferenced') {
      if (!this.#actors.has(live.conversationId)) {
        // A one-to-one grown into a group: its IM may stay, or drop and be added again (§2.5).
        const g = this.#ensure(live, this.#o.lives.isReady(live) ? 'escalatedWithIm' : 'escalated', str(r, 'subject') ?? '');
        for (const p of this.#pendingAdding.get(live.conversationId) ?? []) g.adding.set(p.sip, { uri: p.sip, name: p.name, state: 'inviting', error: null });
        this.#pendingAdding.delete(live.conversationId);
        this.#o.lives.emitLive(live);
        // The one-to-one's other person was never a roster member (its participant events are not
        // kept), and the server need not announce them again: read who is in it now.
        void this.#loadRoster(live, link(r, 'participants'));
      }
    }
    if (live.group && this.#actors.has(live.conversationId)) {
      this.#takeConversationLinks(live, r);
      if (state === 'InLobby') this.#send(live, { type: 'LOBBY' });
    }
  }

  /**
   * Who is in the conversation now, from its participants collection (no GET is documented for it,
   * §2.7: servers answer with `_embedded.participant[]` and/or `_links.participant[]`; the events
   * stay the primary source). Members already known are kept; none is announced as joined.
   */
  async #loadRoster(live: Live, participantsHref: string | undefined): Promise<void> {
    const g = live.group;
    const client = this.#o.session.client;
    if (!g || !client) return;
    try {
      let changed = false;
      const joined: Person[] = [];
      for (const { href: self, info, inIm } of await C.listParticipants(client, { participants: participantsHref, conversation: live.convHref })) {
        const pHref = this.#o.session.abs(self);
        if (info.local || pHref === g.localHref || g.members.has(pHref) || info.uri === this.#o.session.me?.sip) continue;
        const member: RosterMember = { href: pHref, uri: info.uri, name: info.name, role: info.role, phone: info.phone, inIm };
        changed = upsertMember(g, member, this.#o.now(), false) || changed;
        if (info.uri) joined.push({ sip: info.uri, name: info.name });
      }
      if (changed) this.#o.lives.emitLive(live);
      if (joined.length) this.#o.onJoined(live.conversationId, joined);
    } catch (err) {
      this.#o.log(`reading a group's participants: ${describeError(err)}`);
    }
  }

  #takeConversationLinks(live: Live, r: Resource | null): void {
    const g = live.group;
    if (!g || !r) return;
    g.addParticipantHref = link(r, 'addParticipant') ?? g.addParticipantHref;
    const subject = str(r, 'subject');
    if (subject && !g.subject) g.subject = subject.slice(0, 250);
  }

  /** A messaging event of a group (router, after Lives took it): the IM connected, or dropped while the meeting goes on. */
  onMessaging(live: Live, r: Resource, reason?: UcwaEvent['reason']): void {
    const g = live.group;
    if (!g || !this.#actors.has(live.conversationId)) return;
    g.addMessagingHref = link(r, 'addMessaging') ?? (str(r, 'state') === 'Connected' ? null : g.addMessagingHref);
    const state = str(r, 'state');
    if (state === 'Connected' && this.#o.lives.isReady(live)) this.#send(live, { type: 'IM_CONNECTED' });
    else if (state === 'Disconnected' && reason?.subcode && ENDING.has(reason.subcode)) this.#send(live, { type: 'ENDED', error: endWords(reason) });
    // The IM dropped while the meeting goes on (an escalation, §2.5): join it again.
    else if (state === 'Disconnected' && g.phase === 'connected') this.#send(live, { type: 'IM_DROPPED' });
  }

  /** A message's author in a group: the roster's member named by the message's participant link. */
  authorOf(live: Live | null, participantHref: string | null): Person | null {
    const m = memberByHref(live?.group ?? null, participantHref ? this.#o.session.abs(participantHref) : null);
    return m?.uri ? { sip: m.uri, name: m.name } : null;
  }

  /** The channel or the application started over: every meeting this app was in is gone for it. */
  dropTransient(): void {
    for (const [id, actor] of [...this.#actors]) {
      actor.send({ type: 'ENDED', error: { code: 'network', message: 'The connection to the server was reset; the group conversation was left.' } });
      this.#actors.delete(id);
    }
    this.#ops.clear();
    this.#invs.clear();
    this.#queued.clear();
    this.#pendingAdding.clear();
    this.#grown.clear();
  }

  /** The store started over (its conversation ids are gone), or the service closes: stop everything. */
  forgetAll(opts: { closing?: boolean } = {}): void {
    for (const actor of this.#actors.values()) actor.stop();
    this.#actors.clear();
    this.dropTransient();
    if (opts.closing) this.#closed = true;
  }
}

/** A failed POST in words of its own (null: the generic words of toAppError fit). */
function words(err: unknown, what: 'start' | 'join' | 'messaging' | 'add'): AppError | null {
  if (err instanceof UcwaError) {
    if (err.status === 404 && what === 'join') return new AppError({ code: 'meetingNotFound', message: 'No meeting was found at that address. Check the link, or ask the organiser for the meeting’s address.', status: 404, subcode: err.subcode });
    if (err.is(409, 'AnotherOperationPending')) return new AppError({ code: 'server', message: 'The server is busy with this conversation; try again in a moment.', status: 409, subcode: err.subcode });
    if (err.status === 403) return new AppError({ code: 'server', message: 'The server does not allow you to do this here.', status: 403, subcode: err.subcode });
  }
  return null;
}

/** An invitation's failure reason in words (§2.12; the mapping of subcodes is inferred). */
function reasonWords(reason: UcwaEvent['reason'], what: 'join' | 'messaging' | 'add'): AppErrorShape {
  const sub = reason?.subcode ?? '';
  const base = { code: 'invitationFailed' as const, ...(sub ? { subcode: sub } : {}) };
  switch (sub) {
    case 'Declined': return { ...base, message: 'They declined.' };
    case 'Timeout': case 'NoAnswer': return { ...base, message: 'Nobody answered.' };
    case 'DestinationNotFound': return { ...base, message: what === 'add' ? 'There is nobody with that address.' : 'No meeting was found at that address.' };
    case 'Busy': return { ...base, message: 'They are busy.' };
    case 'DoNotDisturb': return { ...base, message: 'They do not want to be disturbed.' };
    case 'NotAllowed': case 'FederationRequired': return { ...base, message: 'Your organisation does not allow inviting them.' };
    case 'TooManyParticipants': return { ...base, message: 'The conversation is full.' };
    case 'Denied': return { ...base, message: 'The organiser did not let you in.' };
    case 'EscalationFailed': case 'Unavailable': return { ...base, message: 'The server could not make this a group conversation.' };
    default: return { ...base, message: reason?.message ?? (what === 'add' ? 'The invitation was not answered.' : 'Joining the group conversation failed.') };
  }
}

/** Reasons on a messaging or conversation update that end a group (§2.10), not a drop to re-join. */
const ENDING = new Set(['Ended', 'Ejected', 'Removed', 'TemporarilyUnavailable', 'Demoted']);

/** Why a group ended, in words (§2.10). */
function endWords(reason: UcwaEvent['reason']): AppErrorShape {
  switch (reason?.subcode) {
    case 'Ejected': return { code: 'server', message: 'You were removed from the conversation.', subcode: 'Ejected' };
    case 'Removed': case 'TemporarilyUnavailable': return { code: 'server', message: 'The server closed the conversation.', subcode: reason.subcode };
    case 'Demoted': return { code: 'server', message: 'Your role in the meeting changed and the conversation closed.', subcode: 'Demoted' };
    default: return { code: 'server', message: 'The conversation ended.', ...(reason?.subcode ? { subcode: reason.subcode } : {}) };
  }
}
