// Incoming IM invitations (PROTOCOL §6): the control hook `sendIm` and IMs routed from another
// signed-in account ring every available application of the user; accept/decline/no answer settle
// all of them. Conference invitations: groupInvites.ts.

import {
  addMessage, connectIncoming, connectOutgoing, conversationEvent, convTimer, createConversation, failInvitation,
  invitationEvent, live, localParticipantEvent, messageEvent, newThreadId, participantEvent, unlink,
} from './conversations.ts';
import { UcwaError } from './errors.ts';
import { toSip } from './hrefs.ts';
import type { App, Conv, Ctx, IncomingGroup, Reply } from './model.ts';
import type { Sim } from './sim.ts';

/** Protocol ms between the §6.1 batch, `participant added` and the `updated` invitation. */
const STEP_MS = 50;

export interface Ring {
  from: string;
  to: string;
  threadId: string;
  subject: string;
  importance: string;
  first: { text: string; html: string | undefined; at: number } | undefined;
}

/** Applications that receive incoming invitations: available with Messaging (PROTOCOL §4.1). */
export function ringableApps(sim: Sim, sip: string): App[] {
  return sim.activeApps(sip).filter((a) => a.available && a.modalities.includes('Messaging'));
}

/** Rings each available application of `r.to`; undefined when there is none. */
export function ring(sim: Sim, r: Ring): IncomingGroup | undefined {
  const apps = ringableApps(sim, r.to);
  if (apps.length === 0) return undefined;
  const group: IncomingGroup = { convs: [], settled: false, timer: undefined };
  for (const app of apps) {
    const conv = createConversation(sim, app, { direction: 'Incoming', remotes: [r.from], threadId: r.threadId, subject: r.subject, importance: r.importance });
    conv.group = group;
    if (r.first) conv.invitation.first = addMessage(sim, conv, { from: r.from, text: r.first.text, html: r.first.html, at: r.first.at, direction: 'Incoming', operationId: undefined });
    group.convs.push(conv);
    sim.emit(app, invitationEvent(sim, conv.invitation, 'started'), conversationEvent(conv, 'added'), localParticipantEvent(sim, conv));
    convTimer(sim, conv, STEP_MS, () => {
      sim.emit(app, participantEvent(sim, conv, r.from, 'added'));
      convTimer(sim, conv, STEP_MS, () => {
        if (conv.invitation.completed) return;
        // Real servers withdraw accept/decline in this update; clients must use the cached links.
        conv.invitation.showAnswerLinks = false;
        sim.emit(app, invitationEvent(sim, conv.invitation, 'updated'));
      });
    });
  }
  group.timer = sim.clock.after(sim.cfg.invitationTimeoutSec * 1000, () => {
    group.settled = true;
    const ringing = group.convs.filter(live);
    ringing.forEach((c, i) => {
      c.logStatus = i === 0 ? 'Missed' : undefined;
      failInvitation(sim, c, 'Failed', { code: 'RemoteFailure', subcode: 'Missed', message: 'The invitation was not answered.' });
    });
  });
  return group;
}

/** Nobody to ring: the invitation ends up as a missed conversation in the user's history. */
export function missedLog(sim: Sim, r: Ring): void {
  sim.clock.after(sim.cfg.logDelaySec * 1000, () => {
    const f = r.first;
    sim.world.addLog(r.to, {
      threadId: r.threadId, subject: r.subject, direction: 'Incoming', importance: r.importance, status: 'Missed', creationTime: sim.clock.now(),
      recipients: [r.from], messages: f ? [f.html !== undefined ? { from: r.from, text: f.text, html: f.html, at: f.at } : { from: r.from, text: f.text, at: f.at }] : [], unread: true,
    });
    sim.emitMissedItems(r.to);
  });
}

export function sendIm(sim: Sim, fromRaw: string, toRaw: string, text: string, opts: { html?: string; subject?: string } = {}): string {
  const from = toSip(fromRaw);
  const to = toSip(toRaw);
  if (!sim.world.user(to)) throw new Error(`Unknown user ${to}`);
  const r: Ring = { from, to, threadId: newThreadId(), subject: opts.subject ?? '', importance: 'Normal', first: { text, html: opts.html, at: sim.clock.now() } };
  const group = ring(sim, r);
  if (!group) {
    missedLog(sim, r);
    return '';
  }
  return (group.convs[0] as Conv).invitation.id;
}

function pendingIncoming(ctx: Ctx): Conv {
  const inv = ctx.app.invitations.get(ctx.params.inv ?? '');
  if (!inv || inv.direction !== 'Incoming' || inv.kind !== 'messaging') throw new UcwaError(404, undefined, 'The invitation does not exist.');
  if (inv.completed || !live(inv.conv)) throw new UcwaError(409, 'None', 'The invitation is no longer pending.');
  return inv.conv;
}

/** The other applications of the user stop ringing. */
function settleOthers(sim: Sim, conv: Conv, subcode: string): void {
  const group = conv.group;
  if (!group) return;
  group.settled = true;
  sim.clock.cancel(group.timer);
  for (const other of group.convs) {
    if (other === conv) continue;
    unlink(other);
    if (!live(other)) continue;
    other.logStatus = undefined;
    failInvitation(sim, other, 'Failed', { code: 'RemoteFailure', subcode });
  }
}

export function accept(sim: Sim, ctx: Ctx): Reply {
  const conv = pendingIncoming(ctx);
  settleOthers(sim, conv, 'ConnectedElsewhere');
  const caller = conv.peers.find(live);
  connectIncoming(sim, conv);
  if (caller) {
    // Routed from another signed-in account: the caller's outgoing invitation succeeds.
    conv.peers = [caller];
    caller.peers = [conv];
    connectOutgoing(sim, caller, [conv.app.user.sip]);
  }
  const first = conv.invitation.first;
  if (first && sim.cfg.redeliverFirstMessage) sim.emit(conv.app, messageEvent(sim, conv, first));
  return { status: 204 };
}

export function decline(sim: Sim, ctx: Ctx): Reply {
  const conv = pendingIncoming(ctx);
  const caller = conv.peers.find(live);
  unlink(conv);
  settleOthers(sim, conv, 'Declined');
  conv.logStatus = 'Missed';
  failInvitation(sim, conv, 'Declined', { code: 'LocalFailure', subcode: 'Declined', message: 'The invitation was declined.' });
  if (caller) failInvitation(sim, caller, 'Declined', { code: 'RemoteFailure', subcode: 'Declined', message: 'The invitation was declined.' });
  return { status: 204 };
}

/** `writeFirst` people write once per user, after that user's first makeMeAvailable. */
export function scheduleWriteFirst(sim: Sim, userSip: string): void {
  if (!sim.world.takeWriteFirst(userSip)) return;
  for (const person of sim.world.users.values()) {
    const b = person.behaviour;
    if (b?.kind !== 'writeFirst' || person.sip === userSip) continue;
    sim.clock.after(b.afterMs, () => {
      try {
        sendIm(sim, person.sip, userSip, b.text);
      } catch {
        // the user vanished meanwhile; nothing to ring
      }
    });
  }
}
