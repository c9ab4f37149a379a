// Invitations: one invitation actor per messagingInvitation — incoming (ringing → accept /
// decline) or outgoing (a start / continue the connector made) — and the 'invitation' /
// 'invitationProgress' events. What an invitation settles to goes up through `waitSettled`
// (the connector awaits it) and the port `onIncoming` (the outbox answers a ringing conversation
// where the user already typed). Conferences and other modalities are shown, never joined.
import { createActor, type ActorRefFrom } from 'xstate';
import { AppError, type InvitationInfo } from './types.ts';
import { toAppError } from './errors.ts';
import type { ServiceEmitter } from './events.ts';
import type { Session } from './session.ts';
import type { Lives, Live } from './lives.ts';
import type { Groups } from './groups.ts';
import type { UcwaEvent } from '../ucwa/events.ts';
import { embedded, link, linkTitle, str, type Resource } from '../ucwa/links.ts';
import { listParticipants, parseParticipant } from '../ucwa/conference.ts';
import { tryDecodeDataUrl } from '../ucwa/dataUrl.ts';
import * as R from '../ucwa/resources.ts';
import { invitationMachine } from '../machines/invitation.ts';
import type { Person, Store } from '../store/types.ts';
import { describeError } from '../logSafe.ts';
import { LIMITS } from '../limits.ts';

type InvActor = ActorRefFrom<typeof invitationMachine>;

/** The reason code of an invitation this app stopped following (channel or application reset): its real end is unknown. */
export const RESET_CODE = 'Reset';
/** The reason code when this app's own safety timer ended an invitation the server had not ended. */
export const LOCAL_TIMEOUT_CODE = 'LocalTimeout';
export type InvitationReason = { code?: string; subcode?: string; message?: string } | null;

export interface InvitationRec {
  readonly id: string;
  readonly direction: 'Incoming' | 'Outgoing';
  readonly conversationId: number;
  readonly operationId: string | null;
  href: string | null;
  actor: InvActor;
  acceptHref: string | null;
  declineHref: string | null;
  cancelHref: string | null;
  info: InvitationInfo;
  /** How it ended (set once the actor is done). */
  outcome: { ok: boolean; reason: InvitationReason } | null;
  /** An onlineMeetingInvitation: success joins the meeting, its IM is added after (Groups). */
  meeting: boolean;
}

export interface InvitationsOptions {
  session: Session;
  lives: Lives;
  store: Store;
  events: ServiceEmitter;
  now: () => number;
  invitationTimeoutMs: number;
  log: (line: string) => void;
  /** The user has this conversation open in front of them: its new messages are read already. */
  isReading(conversationId: number): boolean;
  /** A new incoming invitation rang in this conversation. */
  onIncoming(conversationId: number): void;
  /** Group conversations: an accepted onlineMeetingInvitation joins the group's IM through them. */
  groups: Groups;
}

/** The first message an incoming invitation carried, stored at once with local time: its
 * re-delivery after accept is the same message, matched exactly (same conversation, same text). */
interface FirstCopy { text: string; messageId: number; threadId: string | null; at: number }

/** The re-delivery of an invitation's first message comes right after accept (§6.3), or not at all. */
const FIRST_COPY_WINDOW_MS = 60_000;
/** Invitations kept findable by href. */
const HREFS_KEPT = 1000;

export class Invitations {
  readonly #o: InvitationsOptions;
  #seq = 0;
  readonly #byHref = new Map<string, InvitationRec>();
  readonly #byOp = new Map<string, InvitationRec>();
  /** The current invitation of each conversation. */
  readonly #byConversation = new Map<number, InvitationRec>();
  readonly #settleWaiters = new Map<InvitationRec, (() => void)[]>();
  /** First messages awaiting their re-delivery, per conversation href (several invitations may be pending at once). */
  readonly #firstCopies = new Map<string, FirstCopy[]>();

  constructor(o: InvitationsOptions) {
    this.#o = o;
  }

  of(conversationId: number): InvitationRec | null {
    return this.#byConversation.get(conversationId) ?? null;
  }

  /** An incoming invitation still ringing in this conversation. */
  ringing(conversationId: number): InvitationRec | null {
    const rec = this.of(conversationId);
    return rec && rec.direction === 'Incoming' && rec.info.state === 'ringing' && !rec.info.unsupported ? rec : null;
  }

  /** An invitation under way (outgoing requesting / connecting, incoming accepting). */
  pending(conversationId: number): InvitationRec | null {
    const rec = this.of(conversationId);
    if (!rec || rec.outcome) return null;
    const st = rec.info.state;
    return st === 'requesting' || st === 'connecting' || st === 'accepting' ? rec : null;
  }

  #make(live: Live, init: Omit<InvitationRec, 'id' | 'actor' | 'info' | 'outcome' | 'meeting'> & { meeting?: boolean; info: Omit<InvitationInfo, 'id' | 'state'> }): InvitationRec {
    const id = `inv-${++this.#seq}`;
    const actor = createActor(invitationMachine, { input: { direction: init.direction, timeoutMs: this.#o.invitationTimeoutMs } });
    const rec: InvitationRec = { ...init, meeting: init.meeting ?? false, id, actor, outcome: null, info: { ...init.info, id, state: init.direction === 'Incoming' ? 'ringing' : 'requesting' } };
    actor.subscribe((snap) => {
      const state = snap.value as InvitationInfo['state'];
      if (state !== rec.info.state) {
        rec.info = { ...rec.info, state };
        if (state === 'failed' || state === 'timedOut' || state === 'missed') {
          const reason = snap.context.reason;
          rec.info.error = rec.info.error ?? {
            code: 'invitationFailed',
            message: state === 'timedOut' ? 'Nobody answered.' : reason?.subcode === 'Declined' ? 'The other person declined.' : reason?.message ?? 'The invitation was not answered.',
            subcode: reason?.subcode,
          };
        }
        this.#o.events.emit('invitationProgress', { ...rec.info });
        if (this.#byConversation.get(rec.conversationId) === rec) this.#o.lives.setInvitation(live, rec.info);
      }
      if (snap.status === 'done' && !rec.outcome) {
        rec.outcome = { ok: state === 'connected', reason: state === 'timedOut' ? { code: LOCAL_TIMEOUT_CODE, subcode: 'Timeout', message: 'Nobody answered.' } : snap.context.reason };
        if (rec.meeting) {
          // In the meeting, not yet in its IM: Groups adds messaging, and the IM connects from its events.
          // Only the conversation's current invitation speaks for it (not one superseded or duplicated).
          if (state !== 'declined' && this.#byConversation.get(rec.conversationId) === rec) this.#o.groups.meetingJoined(live, rec.outcome.ok, rec.outcome.ok ? null : rec.info.error);
        } else if (rec.outcome.ok) this.#o.lives.setConnection(live, 'connected');
        else if (live.connection === 'connecting' && this.#byConversation.get(rec.conversationId) === rec) this.#o.lives.disconnect(live);
        for (const w of this.#settleWaiters.get(rec) ?? []) w();
        this.#settleWaiters.delete(rec);
        if (rec.operationId) this.#byOp.delete(rec.operationId);
      }
    });
    actor.start();
    this.#byConversation.set(rec.conversationId, rec);
    this.#forgetOldest();
    if (rec.href) this.#byHref.set(rec.href, rec);
    if (rec.operationId) this.#byOp.set(rec.operationId, rec);
    this.#o.lives.setInvitation(live, rec.info);
    return rec;
  }

  /** An outgoing invitation the connector is about to POST (start / continue), known by operationId. */
  outgoing(live: Live, operationId: string, info: { from: Person | null; text: string | null; subject: string }): InvitationRec {
    return this.#make(live, {
      direction: 'Outgoing', conversationId: live.conversationId, operationId, href: null, acceptHref: null, declineHref: null, cancelHref: null,
      info: { conversationId: live.conversationId, direction: 'Outgoing', from: info.from, text: info.text, subject: info.subject, unsupported: false, group: false, others: [], error: null },
    });
  }

  /** The 201's Location of an outgoing invitation. */
  bindHref(rec: InvitationRec, href: string | null): void {
    if (!href || rec.href) return;
    rec.href = this.#o.session.abs(href);
    this.#byHref.set(rec.href, rec);
    rec.actor.send({ type: 'STARTED' });
  }

  /** The POST of an outgoing invitation failed: it never existed on the server. */
  abandon(rec: InvitationRec, reason: InvitationReason, error: AppError): void {
    rec.info = { ...rec.info, error: error.toJSON() };
    rec.actor.send({ type: 'FAILURE', reason: reason ?? { message: error.message } });
  }

  /**
   * Ended invitations stay findable by href (a late completion of one this app gave up on must
   * still attach its conversation), but not for ever: the oldest ended ones go beyond a bound.
   */
  #forgetOldest(): void {
    if (this.#byHref.size <= HREFS_KEPT) return;
    for (const [href, old] of this.#byHref) {
      if (this.#byHref.size <= HREFS_KEPT / 2) break;
      if (old.outcome && this.#byConversation.get(old.conversationId) !== old) this.#byHref.delete(href);
    }
  }

  /** Resolves true once the server shows the invitation (its href known from an event), false after `ms`. */
  async waitStarted(rec: InvitationRec, ms: number): Promise<boolean> {
    const end = this.#o.now() + ms;
    // Rare (a POST whose answer was lost) and bounded: polling keeps this off the hot path.
    while (!rec.href && !rec.outcome && this.#o.now() < end) await new Promise((r) => setTimeout(r, 25));
    return !!rec.href;
  }

  /** Resolves with the outcome once the invitation has ended (connected or not). */
  waitSettled(rec: InvitationRec): Promise<{ ok: boolean; reason: InvitationReason }> {
    if (rec.outcome) return Promise.resolve(rec.outcome);
    return new Promise((resolve) => {
      const list = this.#settleWaiters.get(rec) ?? [];
      list.push(() => resolve(rec.outcome ?? { ok: false, reason: null }));
      this.#settleWaiters.set(rec, list);
    });
  }

  async onEvent(ev: UcwaEvent): Promise<void> {
    const { session, lives } = this.#o;
    const href = session.abs(ev.href);
    let rec = this.#byHref.get(href) ?? null;
    const r = await session.resourceOf(ev);
    const opId = str(r, 'operationId');
    if (!rec && opId) rec = this.#byOp.get(opId) ?? null;
    if (rec && !rec.href) {
      rec.href = href;
      this.#byHref.set(href, rec);
    }
    if (ev.phase === 'start' && !rec) {
      if (str(r, 'direction') === 'Outgoing') return; // not ours (another endpoint of this user)
      return this.#incoming(ev, href, r);
    }
    if (!rec) return;
    const live = lives.get(rec.conversationId);
    if (live) {
      // Even for an invitation this app already gave up on (its own timer): if it connected after
      // all, the conversation's messaging events must find their conversation.
      lives.attachHref(live, link(r, 'conversation'));
      if (str(r, 'threadId') && !live.threadId) live.threadId = str(r, 'threadId') ?? null;
    }
    if (rec.outcome) return;
    if (ev.phase === 'start') {
      rec.cancelHref = link(r, 'cancel') ?? rec.cancelHref;
      rec.actor.send({ type: 'STARTED' });
    } else if (ev.phase === 'update') {
      rec.cancelHref = link(r, 'cancel') ?? rec.cancelHref;
    } else if (ev.phase === 'end') {
      if (ev.status === 'Success' || str(r, 'state') === 'Connected') rec.actor.send({ type: 'SUCCESS' });
      else rec.actor.send({ type: 'FAILURE', reason: ev.reason });
    }
  }

  /** Who else is in a group before it is joined: the conversation's participants, if the server shows them (best effort). */
  async #othersOf(live: Live, from: Person | null): Promise<Person[]> {
    const client = this.#o.session.client;
    if (!client || !live.convHref) return [];
    try {
      const me = this.#o.session.me?.sip;
      const out: Person[] = [];
      for (const { info } of await listParticipants(client, { conversation: live.convHref })) {
        if (!info.uri || info.local || info.uri === me || info.uri === from?.sip || out.some((o) => o.sip === info.uri)) continue;
        out.push({ sip: info.uri, name: info.name });
        if (out.length >= 20) break;
      }
      return out;
    } catch (err) {
      this.#o.log(`who is in the group: ${describeError(err)}`);
      return [];
    }
  }

  /** The other side grew our one-to-one into a group: accept at once and join its IM again if it dropped. */
  async #acceptGrown(live: Live, href: string, r: Resource | null): Promise<void> {
    const rec = this.#make(live, {
      direction: 'Incoming', conversationId: live.conversationId, operationId: str(r, 'operationId') ?? null, href,
      acceptHref: link(r, 'accept') ?? null, declineHref: null, cancelHref: null, meeting: true,
      info: { conversationId: live.conversationId, direction: 'Incoming', from: null, text: null, subject: str(r, 'subject') ?? '', unsupported: false, group: true, others: [], error: null },
    });
    this.#o.groups.accepting(live, rec.info.subject, { grown: true });
    rec.actor.send({ type: 'ACCEPT' });
    try {
      await R.acceptInvitation(this.#o.session.requireClient(), rec.acceptHref as string);
    } catch (err) {
      const e = toAppError(err);
      rec.actor.send({ type: 'ACCEPT_FAILED', reason: { code: e.ucwaCode, subcode: e.subcode, message: e.message } });
    }
  }

  async #incoming(ev: UcwaEvent, href: string, r: Resource | null): Promise<void> {
    const { session, store, lives } = this.#o;
    if (!session.me) return;
    const fromRes = embedded(r, 'from');
    const fromInfo = parseParticipant(fromRes, link(r, 'from'), linkTitle(r, 'from'));
    const from: Person | null = fromInfo?.uri ? { sip: fromInfo.uri, name: fromInfo.name } : null;
    const threadId = str(r, 'threadId') ?? `invitation:${href}`;
    const subject = R.clipLine(str(r, 'subject') ?? '', LIMITS.subjectChars);
    // Messaging invitations and group ones (an IM in a meeting) are joined; audio/video only is shown, never joined.
    const meeting = ev.rel === 'onlineMeetingInvitation';
    const modalities = Array.isArray(r?.availableModalities) ? r.availableModalities : null;
    const unsupported = meeting ? modalities !== null && !modalities.includes('Messaging') : ev.rel !== 'messagingInvitation';
    // A one-to-one this app is in, grown into a group by the other side (§2.5): joined without a prompt.
    const grown = meeting ? lives.byHref(link(r, 'conversation')) : null;
    if (grown && grown.connection === 'connected' && !unsupported && link(r, 'accept')) {
      await this.#acceptGrown(grown, href, r);
      return;
    }
    // A meeting invitation may come with a messaging invitation for the same conversation (§2.6):
    // one rings, the other is the same invitation.
    const ringingThere = lives.byHref(link(r, 'conversation'));
    if (ringingThere && this.ringing(ringingThere.conversationId)) return;
    const conv = await store.ensureLiveConversation({ threadId, subject, direction: 'Incoming', participants: from ? [from] : [], startedAt: this.#o.now() });
    const live = lives.ensure(conv.id, threadId);
    lives.attachHref(live, link(r, 'conversation'));
    const others = meeting ? await this.#othersOf(live, from) : [];
    const first = tryDecodeDataUrl(link(r, 'message'));
    let text: string | null = null;
    if (first) {
      const body = first.mimeType === 'text/html' ? R.messageBody(null, first.text) : R.messageBody(first.text, null);
      text = body?.text ?? '';
      const html = body?.html ?? null;
      const messageId = await this.#storeFirst(conv.id, threadId, from, text, html);
      if (live.convHref && messageId !== null) {
        const list = this.#firstCopies.get(live.convHref) ?? [];
        list.push({ text, messageId, threadId, at: this.#o.now() });
        this.#firstCopies.set(live.convHref, list);
      }
    }
    const rec = this.#make(live, {
      direction: 'Incoming', conversationId: conv.id, operationId: str(r, 'operationId') ?? null, href,
      acceptHref: link(r, 'accept') ?? null, declineHref: link(r, 'decline') ?? null, cancelHref: null, meeting,
      info: {
        conversationId: conv.id, direction: 'Incoming', from, text, subject, unsupported, group: meeting, others,
        error: unsupported ? { code: 'conferenceNotSupported', message: 'This is a call or meeting without messages: it cannot be joined from this app.' } : null,
      },
    });
    this.#o.events.emit('invitation', { ...rec.info });
    if (!unsupported) this.#o.onIncoming(conv.id);
  }

  /**
   * Store an invitation's first message. The same words from the same person in this thread,
   * stored from an earlier invitation that never connected and never got its server time (the
   * sender's client tried again after a timeout), are that message, not a second one.
   */
  async #storeFirst(conversationId: number, threadId: string, from: Person | null, text: string, html: string | null): Promise<number | null> {
    const { store } = this.#o;
    const recent = await store.listMessages(conversationId, { limit: 30 }).catch(() => null);
    const unconfirmed = recent?.items.find((m) => m.direction === 'Incoming' && m.origin === 'live' && m.text === text
      && (m.author?.sip ?? '') === (from?.sip ?? '') && this.#unconfirmed.has(m.id));
    if (unconfirmed) return unconfirmed.id;
    const added = await store.addMessage(conversationId, threadId, {
      author: from, direction: 'Incoming', at: this.#o.now(), text, html, origin: 'live',
    }, { markUnread: !this.#o.isReading(conversationId) });
    this.#unconfirmed.add(added.message.id);
    return added.message.id;
  }

  /** Stored first messages still stamped with local time (their re-delivery not seen yet). */
  readonly #unconfirmed = new Set<number>();

  /** An incoming message in this conversation: the re-delivery of an invitation's first message? */
  takeFirstCopy(convHref: string | null, text: string): FirstCopy | null {
    if (!convHref) return null;
    const list = this.#firstCopies.get(convHref);
    if (!list) return null;
    const now = this.#o.now();
    const i = list.findIndex((c) => now - c.at <= FIRST_COPY_WINDOW_MS && (c.text === text || c.text.trim() === text.trim()));
    if (i < 0) return null;
    const [hit] = list.splice(i, 1);
    if (!list.length) this.#firstCopies.delete(convHref);
    if (hit) this.#unconfirmed.delete(hit.messageId);
    return hit ?? null;
  }

  /**
   * Another message of this conversation was stored: the re-delivery of the first one, which comes
   * before anything else (§6.3), is not coming — a later message with the same words is a new one.
   */
  dropFirstCopies(convHref: string | null): void {
    if (!convHref) return;
    for (const c of this.#firstCopies.get(convHref) ?? []) this.#unconfirmed.delete(c.messageId);
    this.#firstCopies.delete(convHref);
  }

  async accept(conversationId: number): Promise<void> {
    const rec = this.of(conversationId);
    if (!rec || rec.direction !== 'Incoming') throw new AppError({ code: 'notFound', message: 'There is no invitation to accept.' });
    if (rec.info.unsupported) throw new AppError({ code: 'conferenceNotSupported', message: 'This kind of invitation cannot be joined from this app.' });
    if (rec.info.state !== 'ringing') return;
    if (!rec.acceptHref) throw new AppError({ code: 'server', message: 'The server offered no way to accept this invitation.' });
    const live = this.#o.lives.ensure(conversationId, null);
    if (rec.meeting) this.#o.groups.accepting(live, rec.info.subject);
    rec.actor.send({ type: 'ACCEPT' });
    this.#o.lives.setConnection(live, 'connecting');
    try {
      await R.acceptInvitation(this.#o.session.requireClient(), rec.acceptHref);
    } catch (err) {
      const e = toAppError(err);
      rec.actor.send({ type: 'ACCEPT_FAILED', reason: { code: e.ucwaCode, subcode: e.subcode, message: e.message } });
      this.#o.lives.disconnect(live);
      throw e;
    }
  }

  async decline(conversationId: number): Promise<void> {
    const rec = this.of(conversationId);
    if (!rec || rec.direction !== 'Incoming' || rec.info.state !== 'ringing') throw new AppError({ code: 'notFound', message: 'There is no invitation to decline.' });
    rec.actor.send({ type: 'DECLINE' });
    const client = this.#o.session.client;
    if (rec.declineHref && client) await R.declineInvitation(client, rec.declineHref).catch((err: unknown) => this.#o.log(`decline: ${describeError(err)}`));
  }

  /** Cancel an outgoing invitation still under way (hang up before it connected). */
  async cancel(conversationId: number): Promise<void> {
    const rec = this.of(conversationId);
    if (!rec || rec.direction !== 'Outgoing' || rec.outcome) return;
    rec.actor.send({ type: 'CANCEL' });
    const client = this.#o.session.client;
    if (rec.cancelHref && client) await R.cancelInvitation(client, rec.cancelHref).catch(() => undefined);
  }

  /** The event channel or the application started over: every invitation in flight is gone. */
  dropTransient(): void {
    for (const rec of this.#byConversation.values()) {
      if (!rec.outcome) rec.actor.send({ type: 'FAILURE', reason: { code: RESET_CODE, message: 'The connection to the server was reset.' } });
    }
    this.#byHref.clear();
    this.#byOp.clear();
    this.#firstCopies.clear();
  }

  forgetAll(): void {
    this.dropTransient();
    for (const rec of this.#byConversation.values()) rec.actor.stop();
    this.#byConversation.clear();
    this.#unconfirmed.clear();
  }
}
