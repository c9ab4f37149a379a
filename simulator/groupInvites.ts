// Incoming conference invitations (PROTOCOL-2 §2.6): an onlineMeetingInvitation `started`
// (direction Incoming, accept/decline/conversation/from links, `_embedded.from`, subject,
// onlineMeetingUri, availableModalities, the first message as a data URL) rings every available
// application of the invitee — first answer wins, as for IM (PROTOCOL §6). Accept → 204 and the
// join sequence (meetings.ts); decline → 204 and a failure; no answer → Missed. An invitation may
// target the invitee's existing 1:1 (the other party of an escalation): accepting turns that very
// conversation into the conference.

import { settleOperation } from './conferenceEvents.ts';
import { endIfEmpty } from './conferences.ts';
import {
  addMessage, conversationEvent, convTimer, createConversation, endConversation, failInvitation, invitationEvent, live, unlink,
} from './conversations.ts';
import type { TimerId } from './clock.ts';
import { UcwaError } from './errors.ts';
import { joinInPlace } from './escalation.ts';
import { ringableApps } from './incoming.ts';
import { STEP_MS, joinConv } from './meetings.ts';
import type { App, Conference, Conv, Ctx, Invitation, Reply } from './model.ts';
import { invitationJson } from './resources.ts';
import type { Sim } from './sim.ts';

export interface MeetingRing {
  /** Who invites (their participant is `from`). */
  from: string;
  first?: { text: string; html?: string; at: number };
  /** Told once how the invitee answered. */
  onAnswer?: Invitation['onAnswer'];
  /** Ring this existing 1:1 of the invitee instead of new conversations (escalation). */
  existing?: Conv;
}

/** The invitations of one ringing, settled together. */
export interface MeetingGroup {
  invs: Invitation[];
  settled: boolean;
  timer: TimerId | undefined;
  onAnswer: Invitation['onAnswer'];
}

const groups = new WeakMap<Invitation, MeetingGroup>();

/** A fresh conversation for the invitation, or the invitee's 1:1 that it targets. */
const inPlace = (inv: Invitation): boolean => inv.conv.invitation !== inv;

export function ringConference(sim: Sim, conf: Conference, to: string, r: MeetingRing): MeetingGroup | undefined {
  const targets: (Conv | { app: App })[] = r.existing ? (live(r.existing) ? [r.existing] : []) : ringableApps(sim, to).map((app) => ({ app }));
  conf.invited.add(to);
  if (targets.length === 0) return undefined;
  const group: MeetingGroup = { invs: [], settled: false, timer: undefined, onAnswer: r.onAnswer };
  targets.forEach((t, i) => {
    let inv: Invitation;
    if ('invitation' in t) {
      const conv = t;
      inv = {
        id: sim.id('i'), kind: 'onlineMeeting', conv, direction: 'Incoming', operationId: undefined, state: 'Connecting', first: undefined,
        showAnswerLinks: true, completed: false, timer: undefined, from: r.from, conf,
      };
      conv.app.invitations.set(inv.id, inv);
      sim.emit(conv.app, invitationEvent(sim, inv, 'started'));
    } else {
      const conv = createConversation(sim, t.app, { direction: 'Incoming', remotes: [r.from], conf, threadId: conf.threadId, subject: conf.subject, importance: conf.importance });
      inv = conv.invitation;
      inv.from = r.from;
      // One missed conversation in the history, however many applications rang.
      conv.logStatus = i === 0 ? 'Missed' : undefined;
      if (r.first) inv.first = addMessage(sim, conv, { from: r.from, text: r.first.text, html: r.first.html, at: r.first.at, direction: 'Incoming', operationId: undefined });
      sim.emit(t.app, invitationEvent(sim, inv, 'started'), conversationEvent(conv, 'added'));
      convTimer(sim, conv, STEP_MS, () => {
        if (inv.completed) return;
        // As for IM, the update withdraws accept/decline: clients answer with the cached links.
        inv.showAnswerLinks = false;
        sim.emit(conv.app, invitationEvent(sim, inv, 'updated'));
      });
    }
    groups.set(inv, group);
    group.invs.push(inv);
  });
  group.timer = sim.clock.after(sim.cfg.invitationTimeoutSec * 1000, () => {
    if (group.settled) return;
    settle(sim, group);
    withdraw(sim, group.invs, { code: 'RemoteFailure', subcode: 'Missed', message: 'The invitation was not answered.' });
    group.onAnswer?.('missed');
  });
  return group;
}

function settle(sim: Sim, group: MeetingGroup): void {
  group.settled = true;
  sim.clock.cancel(group.timer);
}

/** End pending invitations: a fresh conversation is torn down, a targeted 1:1 ends too (its peer moved on into the conference). */
function withdraw(sim: Sim, invs: Invitation[], reason: { code: string; subcode: string; message?: string }, state: Invitation['state'] = 'Failed'): void {
  for (const inv of invs) {
    if (inv.completed) continue;
    if (inPlace(inv)) {
      settleOperation(sim, inv, { ...reason, state });
      unlink(inv.conv);
      endConversation(sim, inv.conv);
    } else if (live(inv.conv)) {
      failInvitation(sim, inv.conv, state, reason);
    } else {
      inv.completed = true;
    }
    if (inv.conf) endIfEmpty(sim, inv.conf);
  }
}

/** The inviter gave up (participantInvitation cancelled or failed): the invitee stops ringing. */
export function cancelRing(sim: Sim, group: MeetingGroup | undefined): void {
  if (!group || group.settled) return;
  settle(sim, group);
  withdraw(sim, group.invs, { code: 'RemoteFailure', subcode: 'Canceled', message: 'The inviter cancelled the invitation.' });
}

/** The conference ended: nobody can join it any more. */
export function withdrawAll(sim: Sim, conf: Conference): void {
  for (const app of sim.apps.values()) {
    for (const inv of [...app.invitations.values()]) {
      if (inv.kind !== 'onlineMeeting' || inv.direction !== 'Incoming' || inv.conf !== conf || inv.completed) continue;
      const group = groups.get(inv);
      if (group && !group.settled) settle(sim, group);
      withdraw(sim, [inv], { code: 'RemoteFailure', subcode: 'Ended', message: 'The meeting has ended.' });
      group?.onAnswer?.('canceled');
    }
  }
}

/** An onlineMeetingInvitation still waiting for this 1:1 (the peer escalated it): the user's words go to that conference. */
export function pendingEscalation(conv: Conv): Invitation | undefined {
  return [...conv.app.invitations.values()].find((i) => i.kind === 'onlineMeeting' && i.conv === conv && inPlace(i) && !i.completed);
}

function pendingMeeting(ctx: Ctx): Invitation {
  const inv = ctx.app.invitations.get(ctx.params.inv ?? '');
  if (!inv || inv.kind !== 'onlineMeeting' || inv.direction !== 'Incoming') throw new UcwaError(404, undefined, 'The invitation does not exist.');
  if (inv.completed || !live(inv.conv)) throw new UcwaError(409, 'None', 'The invitation is no longer pending.');
  return inv;
}

/** The user's other applications stop ringing. */
function settleOthers(sim: Sim, inv: Invitation, subcode: string): MeetingGroup | undefined {
  const group = groups.get(inv);
  if (!group) return undefined;
  settle(sim, group);
  const others = group.invs.filter((i) => i !== inv);
  for (const o of others) o.conv.logStatus = undefined;
  withdraw(sim, others, { code: 'RemoteFailure', subcode });
  return group;
}

export function acceptMeeting(sim: Sim, ctx: Ctx): Reply {
  const inv = pendingMeeting(ctx);
  const group = settleOthers(sim, inv, 'ConnectedElsewhere');
  if (inv.conf?.ended) {
    withdraw(sim, [inv], { code: 'RemoteFailure', subcode: 'Ended', message: 'The meeting has ended.' });
    group?.onAnswer?.('canceled');
    return { status: 204 };
  }
  if (inPlace(inv)) joinInPlace(sim, inv.conv, inv);
  else joinConv(sim, inv.conv, inv);
  group?.onAnswer?.(inv.state === 'Connected' ? 'accepted' : 'missed');
  return { status: 204 };
}

/** decline {reason} (decline_ref): the conference carries on without the user. */
export function declineInvitation(sim: Sim, inv: Invitation): void {
  const group = settleOthers(sim, inv, 'Declined');
  if (!inPlace(inv)) inv.conv.logStatus = 'Missed';
  withdraw(sim, [inv], { code: 'LocalFailure', subcode: 'Declined', message: 'The invitation was declined.' }, 'Declined');
  group?.onAnswer?.('declined');
}

export function declineMeeting(sim: Sim, ctx: Ctx): Reply {
  declineInvitation(sim, pendingMeeting(ctx));
  return { status: 204 };
}

/** GET of an onlineMeetingInvitation or participantInvitation: only under its own collection. */
export function getOperation(kind: Invitation['kind']) {
  return (sim: Sim, ctx: Ctx): Reply => {
    const inv = ctx.app.invitations.get(ctx.params.inv ?? '');
    if (!inv || inv.kind !== kind) throw new UcwaError(404, undefined, 'The invitation does not exist.');
    return { status: 200, body: invitationJson(inv, sim.world) };
  };
}
