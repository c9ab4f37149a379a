// Incoming IM (PROTOCOL §6): the control hook `sendIm` rings every available application of the
// user; accept/decline/no answer settle all of them.

import {
  addMessage, connectIncoming, conversationEvent, convTimer, createConversation, failInvitation,
  invitationEvent, live, localParticipantEvent, messageEvent, newThreadId, participantEvent,
} from './conversations.ts';
import { UcwaError } from './errors.ts';
import { toSip } from './hrefs.ts';
import type { Conv, Ctx, IncomingGroup, Reply } from './model.ts';
import type { Sim } from './sim.ts';

/** Protocol ms between the §6.1 batch, `participant added` and the `updated` invitation. */
const STEP_MS = 50;

export function sendIm(sim: Sim, fromRaw: string, toRaw: string, text: string, opts: { html?: string; subject?: string } = {}): string {
  const from = toSip(fromRaw);
  const to = toSip(toRaw);
  if (!sim.world.user(to)) throw new Error(`Unknown user ${to}`);
  const apps = sim.activeApps(to).filter((a) => a.available && a.modalities.includes('Messaging'));
  const at = sim.clock.now();
  const threadId = newThreadId();
  if (apps.length === 0) {
    // Nobody signed in to ring: the sender's IM ends up as a missed conversation in history.
    sim.clock.after(sim.cfg.logDelaySec * 1000, () => {
      sim.world.addLog(to, {
        threadId, subject: opts.subject ?? '', direction: 'Incoming', importance: 'Normal', status: 'Missed', creationTime: sim.clock.now(),
        recipients: [from], messages: [opts.html !== undefined ? { from, text, html: opts.html, at } : { from, text, at }], unread: true,
      });
      sim.emitMissedItems(to);
    });
    return '';
  }
  const group: IncomingGroup = { convs: [], settled: false, timer: undefined };
  for (const app of apps) {
    const conv = createConversation(sim, app, { direction: 'Incoming', remotes: [from], threadId, subject: opts.subject ?? '' });
    conv.group = group;
    conv.invitation.first = addMessage(sim, conv, { from, text, html: opts.html, at, direction: 'Incoming', operationId: undefined });
    group.convs.push(conv);
    sim.emit(app, invitationEvent(sim, conv.invitation, 'started'), conversationEvent(conv, 'added'), localParticipantEvent(sim, conv));
    convTimer(sim, conv, STEP_MS, () => {
      sim.emit(app, participantEvent(sim, conv, from, 'added'));
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
    group.convs.forEach((c, i) => {
      c.logStatus = i === 0 ? 'Missed' : undefined;
      if (live(c)) failInvitation(sim, c, 'Failed', { code: 'RemoteFailure', subcode: 'Missed', message: 'The invitation was not answered.' });
    });
  });
  return (group.convs[0] as Conv).invitation.id;
}

function pendingIncoming(ctx: Ctx): Conv {
  const inv = ctx.app.invitations.get(ctx.params.inv ?? '');
  if (!inv || inv.direction !== 'Incoming') throw new UcwaError(404, undefined, 'The invitation does not exist.');
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
    if (other === conv || !live(other)) continue;
    other.logStatus = undefined;
    failInvitation(sim, other, 'Failed', { code: 'RemoteFailure', subcode });
  }
}

export function accept(sim: Sim, ctx: Ctx): Reply {
  const conv = pendingIncoming(ctx);
  settleOthers(sim, conv, 'ConnectedElsewhere');
  connectIncoming(sim, conv);
  const first = conv.invitation.first;
  if (first && sim.cfg.redeliverFirstMessage) sim.emit(conv.app, messageEvent(sim, conv, first));
  return { status: 204 };
}

export function decline(sim: Sim, ctx: Ctx): Reply {
  const conv = pendingIncoming(ctx);
  settleOthers(sim, conv, 'Declined');
  conv.logStatus = 'Missed';
  failInvitation(sim, conv, 'Declined', { code: 'LocalFailure', subcode: 'Declined', message: 'The invitation was declined.' });
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
