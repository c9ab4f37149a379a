// Connecting a conversation so that its queued messages can go (DESIGN.md §3, the seed): reuse
// the live IM when there is one, accept the invitation that rings, wait for the one under way,
// or POST continueMessaging on a past conversation (its log's links fetched now if the sync has
// not reached it) / startMessaging on a new one with the first queued message travelling along.
// Every error becomes an outcome value for the outbox to act on; nothing here retries or fails a
// message — the outbox owns that.
import { AppError } from './types.ts';
import { classifyFailure, invitationFailureKind, mayHaveReached, type Failure } from './retryPolicy.ts';
import type { Session } from './session.ts';
import type { Live, Lives } from './lives.ts';
import type { Groups } from './groups.ts';
import { LOCAL_TIMEOUT_CODE, RESET_CODE, type InvitationRec, type Invitations, type InvitationReason } from './invitations.ts';
import { UcwaError } from '../ucwa/errors.ts';
import { link } from '../ucwa/links.ts';
import { newOperationId } from '../ucwa/operationId.ts';
import * as R from '../ucwa/resources.ts';
import type { OutboxItem, Person, Store } from '../store/types.ts';

export type ConnectOutcome =
  /** Messaging is connected: the item goes by sendMessage. */
  | { kind: 'connected' }
  /** The item travelled with our invitation, which connected. */
  | { kind: 'carried'; operationId: string }
  /**
   * The item travelled with our invitation, which the server took (201) and nobody answered: the
   * server keeps it for them as a missed conversation. Offering it again would be a second copy.
   */
  | { kind: 'unanswered'; operationId: string; reason: string }
  /** The server took our invitation carrying the item (201), then this app lost track of it (the
   * channel or the application was reset): its resource (the Location) says how it ended. */
  | { kind: 'offered'; operationId: string }
  /** Not connected; what went wrong and whether it is worth another try. `maybeReceived`: the POST
   * carrying the item got no answer and no event showed it — the server may have it. */
  | { kind: 'failed'; failure: Failure; maybeReceived?: boolean };

export interface ConnectHooks {
  /** Record 'sending' with this operationId before the POST carrying the item goes out. */
  posting(operationId: string): Promise<void>;
  /** The POST's 201: recorded (the invitation's Location) before anything else happens. */
  accepted(location: string | null): Promise<void>;
}

export interface ConnectorOptions {
  session: Session;
  lives: Lives;
  invitations: Invitations;
  groups: Groups;
  store: Store;
  /** How long to wait for messaging to come up after an invitation connected. */
  readyTimeoutMs: number;
  /** How long to wait for the events of an invitation whose POST got no answer. */
  lostAnswerWaitMs: number;
  log: (line: string) => void;
}

/** operationIds of invitations that carry a message start with this (≤ 50 chars in all). */
export const CARRIED_OP_PREFIX = 'inv';

export class Connector {
  readonly #o: ConnectorOptions;

  constructor(o: ConnectorOptions) {
    this.#o = o;
  }

  async connect(conversationId: number, first: OutboxItem, hooks: ConnectHooks): Promise<ConnectOutcome> {
    const { lives, invitations, session } = this.#o;
    const live = lives.get(conversationId);
    if (lives.isReady(live)) return { kind: 'connected' };
    // An invitation rings in this conversation: answering it is how the reply goes.
    if (invitations.ringing(conversationId)) {
      try {
        await invitations.accept(conversationId);
      } catch (err) {
        return { kind: 'failed', failure: classifyFailure(err) };
      }
    }
    const pending = invitations.pending(conversationId);
    if (pending) {
      const outcome = await invitations.waitSettled(pending);
      if (!outcome.ok) return { kind: 'failed', failure: invitationFailure(outcome.reason) };
    }
    // A group on its way in (started, joined, accepted): its IM comes after the meeting.
    if (this.#o.groups.pending(conversationId)) return this.#groupReady(conversationId);
    if (live && live.connection === 'connected') {
      return (await lives.whenReady(live, this.#o.readyTimeoutMs)) ? { kind: 'connected' } : { kind: 'failed', failure: notReady() };
    }
    if (!session.isOnline()) return { kind: 'failed', failure: classifyFailure(new AppError({ code: 'notSignedIn', message: 'You are not signed in.' })) };
    return this.#invite(conversationId, first, hooks);
  }

  /** continueMessaging / startMessaging with the first queued message. */
  async #invite(conversationId: number, first: OutboxItem, hooks: ConnectHooks): Promise<ConnectOutcome> {
    const { lives, invitations, session, store } = this.#o;
    const conv = await store.getConversation(conversationId);
    if (!conv) return { kind: 'failed', failure: { kind: 'permanent', error: new AppError({ code: 'notFound', message: 'This conversation does not exist.' }) } };
    let client;
    try {
      client = session.requireClient();
    } catch (err) {
      return { kind: 'failed', failure: classifyFailure(err) };
    }
    let links;
    try {
      links = await session.sync.linksFor(session.syncTarget(), conversationId, conv.logKey);
    } catch (err) {
      // History unreachable right now: not a reason to start a second conversation instead.
      if (conv.logKey) return { kind: 'failed', failure: classifyFailure(err) };
      links = null;
    }
    // startMessaging reaches one person: never the way to go on with a group.
    const others = conv.participants.filter((p) => p.sip !== session.me?.sip);
    const to = others.length === 1 ? others[0]?.sip : undefined;
    const startHref = link(session.app?.communication, 'startMessaging');
    // A past group without a log to continue: the same people again, in a new ad hoc meeting.
    if (!links?.continueHref && others.length > 1) return this.#restartGroup(conversationId, conv.threadId, conv.subject, others);
    if (!links?.continueHref && (!to || !startHref)) {
      return { kind: 'failed', failure: { kind: 'permanent', error: new AppError({ code: 'continueNotAvailable', message: 'This conversation cannot be continued from here.' }) } };
    }
    const live = lives.ensure(conversationId, conv.threadId);
    const operationId = `${CARRIED_OP_PREFIX}${newOperationId()}`.slice(0, 50);
    await hooks.posting(operationId);
    const rec = invitations.outgoing(live, operationId, { from: session.me, text: first.text, subject: conv.subject });
    lives.setConnection(live, 'connecting');
    let location: string | null;
    try {
      const res = links?.continueHref
        ? await R.continueMessaging(client, links.continueHref, { text: first.text, operationId })
        : await R.startMessaging(client, startHref as string, { to: to as string, text: first.text, subject: conv.subject, threadId: conv.threadId ?? undefined, operationId });
      location = res.location;
    } catch (err) {
      if (mayHaveReached(err)) {
        // No answer, but the server may have made the invitation: its events name it by our
        // operationId. Wait for them a little before deciding it never existed.
        if (await invitations.waitStarted(rec, this.#o.lostAnswerWaitMs)) {
          await hooks.accepted(rec.href);
          return this.#settled(rec, operationId);
        }
        const failure = classifyFailure(err);
        invitations.abandon(rec, { message: failure.error.message }, failure.error);
        this.#undoConnecting(live);
        return { kind: 'failed', failure, maybeReceived: true };
      }
      const failure = this.#postFailure(err, others.length > 1);
      invitations.abandon(rec, { code: failure.error.ucwaCode, subcode: failure.error.subcode, message: failure.error.message }, failure.error);
      this.#undoConnecting(live);
      // A server that cannot continue a group log (409 None): nothing went out, so the message can
      // go to the same people in a new group instead (when the server has ad hoc meetings).
      if (failure.error.code === 'continueUnsupported' && others.length > 1 && link(session.app?.communication, 'startOnlineMeeting')) {
        this.#o.log('continueMessaging refused for a group log (409 None): starting a new group with the same people');
        return this.#restartGroup(conversationId, conv.threadId, conv.subject, others);
      }
      if (failure.kind === 'callbackChannel') await session.restartChannel();
      if (failure.kind === 'applicationGone' && !session.isCurrentApplication(err)) {
        // A link of an earlier application (not the current one): fetch the log's links again.
        session.sync.clearLinks();
        return { kind: 'failed', failure: { ...failure, kind: 'transient' } };
      }
      // 409 AlreadyExists: the thread is live on the server but not in this application (one
      // thread is one conversation here, and a live one would have taken sendMessage): a dead
      // instance holds it until its application expires — a transient failure, retried.
      return { kind: 'failed', failure };
    }
    await hooks.accepted(location);
    invitations.bindHref(rec, location);
    return this.#settled(rec, operationId);
  }

  /** How our invitation carrying the item ended. */
  async #settled(rec: InvitationRec, operationId: string): Promise<ConnectOutcome> {
    const outcome = await this.#o.invitations.waitSettled(rec);
    if (outcome.ok) return { kind: 'carried', operationId };
    const failure = invitationFailure(outcome.reason);
    if (failure.kind === 'permanent') return { kind: 'failed', failure };
    // Our own verdict (a reset, our safety timer), not the server's: ask the invitation itself.
    if (outcome.reason?.code === RESET_CODE || outcome.reason?.code === LOCAL_TIMEOUT_CODE) return { kind: 'offered', operationId };
    return { kind: 'unanswered', operationId, reason: failure.error.message };
  }

  /** Our POST failed: back to disconnected — unless events connected the conversation meanwhile. */
  #undoConnecting(live: Live): void {
    if (live.connection === 'connecting' && !this.#o.lives.isReady(live)) this.#o.lives.disconnect(live);
  }

  /** Wait for a group's IM; its failure in the group's own words. */
  async #groupReady(conversationId: number): Promise<ConnectOutcome> {
    const { groups, lives } = this.#o;
    if (await groups.waitConnected(conversationId, this.#o.readyTimeoutMs * 2)) return { kind: 'connected' };
    const g = lives.get(conversationId)?.group;
    const error = g?.error ? new AppError({ code: g.error.code, message: g.error.message, ...(g.error.subcode ? { subcode: g.error.subcode } : {}) }) : null;
    // A refusal (no such meeting, not allowed, declined) is final; a server that did not answer is not.
    if (g?.phase === 'failed' && error && error.code !== 'network') return { kind: 'failed', failure: { kind: 'permanent', error } };
    return { kind: 'failed', failure: error ? { kind: 'transient', error } : notReady() };
  }

  /** A group started for this message: connected, and someone there to read it (or why not). */
  async #startedGroupReady(conversationId: number): Promise<ConnectOutcome> {
    const ready = await this.#groupReady(conversationId);
    if (ready.kind !== 'connected') return ready;
    if (await this.#o.groups.waitAudience(conversationId, this.#o.readyTimeoutMs)) return ready;
    const why = [...(this.#o.lives.get(conversationId)?.group?.adding.values() ?? [])].filter((a) => a.error).map((a) => `${a.name}: ${a.error?.message}`).join(' ');
    return { kind: 'failed', failure: { kind: 'permanent', error: new AppError({ code: 'invitationFailed', message: `Nobody joined the group conversation.${why ? ` ${why}` : ''}` }) } };
  }

  /** The same people in a new ad hoc meeting (the text then goes by sendMessage). */
  async #restartGroup(conversationId: number, threadId: string | null, subject: string, others: Person[]): Promise<ConnectOutcome> {
    const { lives, groups } = this.#o;
    const live = lives.ensure(conversationId, threadId);
    try {
      await groups.start(live, { invitees: others, subject, threadId, restarted: true });
    } catch (err) {
      const failure = classifyFailure(err);
      // 500 CallbackChannelError: the server sees no event channel — start it again, then retry.
      if (failure.kind === 'callbackChannel') await this.#o.session.restartChannel();
      return { kind: 'failed', failure };
    }
    return this.#startedGroupReady(conversationId);
  }

  /** The seed's error table (continueMessaging_ref), in words a user can read. */
  #postFailure(err: unknown, group = false): Failure {
    const f = classifyFailure(err);
    if (!(err instanceof UcwaError)) return f;
    const base = { status: err.status, ucwaCode: err.code, subcode: err.subcode };
    const withError = (code: AppError['code'], message: string): Failure => ({ ...f, error: new AppError({ ...base, code, message }) });
    if (err.is(409, 'AlreadyExists')) return withError('continueAlreadyExists', 'This conversation is still open elsewhere; trying again shortly.');
    if (err.is(409, 'TooManyGroups')) return withError('continueTooManyGroups', 'The server has too many conversations open for you; close some and try again.');
    if (err.status === 409 && (err.subcode === 'None' || err.subcode === undefined)) {
      return withError('continueUnsupported', group ? 'This server cannot continue a past group conversation.' : 'This server does not support continuing past conversations.');
    }
    if (err.is(410, 'CannotRedirect')) return withError('continueCannotRedirect', 'The server cannot reach your home pool for this conversation right now.');
    if (err.is(500, 'CallbackChannelError')) return withError('continueCallbackChannel', 'The server cannot reach this app right now; trying again.');
    return f;
  }
}

function invitationFailure(reason: InvitationReason): Failure {
  const kind = invitationFailureKind(reason);
  const declined = (reason?.subcode ?? '').toLowerCase() === 'declined';
  const message = declined ? 'The other person declined.' : reason?.message ?? 'The invitation was not answered.';
  return { kind, error: new AppError({ code: 'invitationFailed', message, ...(reason?.subcode ? { subcode: reason.subcode } : {}) }) };
}

function notReady(): Failure {
  return { kind: 'transient', error: new AppError({ code: 'network', message: 'The conversation did not get ready in time.' }) };
}
