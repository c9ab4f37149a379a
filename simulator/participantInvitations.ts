// addParticipant and participantInvitation (PROTOCOL-2 §2.4): POST conversation/addParticipant
// {to, operationId} → 201 + Location of an outgoing participantInvitation. A Conferenced
// conversation just invites; a connected 1:1 is escalated in place first (escalation.ts). The
// invitee: a simulated person answers by their behaviour (accepts after participantAcceptSec or
// their joinLateMs, `decline` → Declined, `neverAnswer` → Timeout after invitationTimeoutSec); an
// unknown address → DestinationNotFound; a signed-in account is rung with an incoming
// onlineMeetingInvitation on each of its available applications. Success comes only after the
// invitee is in the roster, with `_embedded.acceptedByParticipant`.

import { behaviourOf } from './behaviours.ts';
import { settleOperation } from './conferenceEvents.ts';
import type { Outcome } from './conferenceEvents.ts';
import { removeMember } from './conferences.ts';
import { convTimer, invitationEvent, live } from './conversations.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { escalate } from './escalation.ts';
import { habitsOf, personJoins } from './groupBehaviours.ts';
import { cancelRing, ringConference } from './groupInvites.ts';
import { missedConferenceLog } from './groupLogs.ts';
import { h } from './hrefs.ts';
import { ringableApps } from './incoming.ts';
import { findConv, requireChannel, validateOperationId } from './messaging.ts';
import type { Conference, Conv, Ctx, Invitation, Reply } from './model.ts';
import type { Sim } from './sim.ts';

/** Protocol ms until an unknown address fails, a decliner declines, an account nobody can ring fails. */
const UNKNOWN_MS = 50;
const DECLINE_MS = 500;
const UNAVAILABLE_MS = 500;

export function addParticipant(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  const input = ctx.input();
  const raw = input.str('to')?.trim();
  if (!raw || !/^sip:[^@\s]+@[^@\s]+$/i.test(raw)) throw invalidParam('to must be a SIP URI.');
  const to = raw.toLowerCase();
  const operationId = validateOperationId(input.str('operationId'));
  const escalating = !conv.conf && conv.state === 'Connected';
  if (!escalating && !(conv.conf && conv.state === 'Conferenced')) throw new UcwaError(409, 'None', 'People can be added to a connected conversation only.');
  if (to === ctx.app.user.sip) throw invalidParam('to must be someone else.');
  if (conv.conf?.members.has(to) || (escalating && conv.joined.includes(to))) throw new UcwaError(409, 'AlreadyExists', `${to} is in the conversation already.`);
  requireChannel(sim, ctx.app);
  const inv: Invitation = {
    id: sim.id('i'), kind: 'participant', conv, direction: 'Outgoing', operationId, state: 'Connecting', first: undefined,
    showAnswerLinks: false, completed: false, timer: undefined, to,
  };
  ctx.app.invitations.set(inv.id, inv);
  // started first (the client correlates by operationId), then the escalation of §2.5 steps 3–7.
  const events = [invitationEvent(sim, inv, 'started')];
  const esc = escalating ? escalate(sim, conv) : undefined;
  if (esc) events.push(...esc.events);
  sim.emit(ctx.app, ...events);
  if (esc?.routedPeer && esc.peer) ringPeer(sim, esc.conf, esc.peer, esc.routedPeer, conv);
  invite(sim, inv);
  return { status: 201, headers: { Location: h.invitation(inv) } };
}

/** The other party of an escalated 1:1 is an account: its 1:1 rings with the conference; not joining takes it out. */
function ringPeer(sim: Sim, conf: Conference, peer: string, peerConv: Conv, conv: Conv): void {
  ringConference(sim, conf, peer, {
    from: conv.app.user.sip,
    existing: peerConv,
    onAnswer: (answer) => {
      if (answer !== 'accepted' && !conf.ended) removeMember(sim, conf, peer);
    },
  });
}

function invite(sim: Sim, inv: Invitation): void {
  const conv = inv.conv;
  const conf = conv.conf as Conference;
  const to = inv.to as string;
  conf.invited.add(to);
  const fail = (subcode: string, state: Invitation['state'] = 'Failed', message?: string): void => {
    if (live(conv)) settleOperation(sim, inv, { code: 'RemoteFailure', subcode, state, ...(message ? { message } : {}) } satisfies Outcome);
  };
  const user = sim.world.user(to);
  if (!user) {
    convTimer(sim, conv, UNKNOWN_MS, () => fail('DestinationNotFound', 'Failed', 'The person does not exist.'));
    return;
  }
  if (user.password !== undefined && sim.cfg.routeBetweenAccounts) {
    if (ringableApps(sim, to).length > 0) {
      const group = ringConference(sim, conf, to, {
        from: conv.app.user.sip,
        onAnswer: (answer) => {
          if (answer === 'accepted') settleOperation(sim, inv, 'Success', [to]);
          else if (answer === 'declined') fail('Declined', 'Declined', 'The invitation was declined.');
          else if (answer === 'missed') fail('Timeout', 'Failed', 'The invitation was not answered in time.');
        },
      });
      inv.abort = () => cancelRing(sim, group);
      return;
    }
    if (sim.cfg.offlineAccounts === 'missed') {
      missedConferenceLog(sim, conf, to, conv.app.user.sip);
      convTimer(sim, conv, UNAVAILABLE_MS, () => fail('TemporarilyUnavailable', 'Failed', 'The person is not available.'));
      return;
    }
  }
  const b = behaviourOf(sim, to);
  if (b?.kind === 'decline') {
    convTimer(sim, conv, DECLINE_MS, () => fail('Declined', 'Declined', 'The invitation was declined.'));
  } else if (b?.kind !== 'neverAnswer') {
    const after = habitsOf(sim, to)?.joinLateMs ?? sim.cfg.participantAcceptSec * 1000;
    convTimer(sim, conv, after, () => {
      if (inv.completed || conf.ended) return;
      personJoins(sim, conf, to);
      settleOperation(sim, inv, 'Success', [to]);
    });
  }
  inv.timer = sim.clock.after(sim.cfg.invitationTimeoutSec * 1000, () => fail('Timeout', 'Failed', 'The invitation was not answered in time.'));
}

/** POST participantInvitation/cancel (while Connecting) → 204; the invitee stops ringing. */
export function cancelParticipantInvitation(sim: Sim, ctx: Ctx): Reply {
  const inv = ctx.app.invitations.get(ctx.params.inv ?? '');
  if (!inv || inv.kind !== 'participant') throw new UcwaError(404, undefined, 'The invitation does not exist.');
  if (inv.completed) throw new UcwaError(409, 'None', 'The invitation is no longer pending.');
  settleOperation(sim, inv, { code: 'LocalFailure', subcode: 'Canceled', state: 'Cancelled', message: 'The invitation was cancelled.' });
  return { status: 204 };
}
