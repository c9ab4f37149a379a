// IM between two signed-in accounts (e.g. sip:demo@… → sip:demo2@…): when the callee has an
// available application, the caller's outgoing invitation rings the callee's applications as a
// real incoming invitation (PROTOCOL §6.1) instead of running a simulated behaviour. Accept,
// decline, messages, typing and hang-up then flow between the two conversations (`Conv.peers`).

import { failInvitation, live, remoteMessage, setRemoteTyping } from './conversations.ts';
import { missedLog, ring, ringableApps } from './incoming.ts';
import type { Conv, Msg } from './model.ts';
import type { Sim } from './sim.ts';

/** Protocol ms a setIsTyping keeps the author listed in the peer's typingParticipants. */
export const TYPING_MS = 5000;
/** Protocol ms before an invitation to an account with nobody to ring fails. */
const UNAVAILABLE_AFTER_MS = 500;

const typingGen = new WeakMap<Conv, number>();

/** Start ringing the callee when `origin` (outgoing, 1:1) targets a signed-in, available account. */
export function routeToAccount(sim: Sim, origin: Conv): boolean {
  if (!sim.cfg.routeBetweenAccounts || origin.remotes.length !== 1) return false;
  const to = origin.remotes[0] as string;
  const callee = sim.world.user(to);
  if (!callee || callee.password === undefined || to === origin.app.user.sip) return false;
  const first = origin.invitation.first;
  if (ringableApps(sim, to).length === 0) {
    if (sim.cfg.offlineAccounts !== 'missed') return false;
    // Nobody there to ring: a missed conversation for them, a failure for the caller.
    missedLog(sim, {
      from: origin.app.user.sip, to, threadId: origin.threadId, subject: origin.subject, importance: origin.importance,
      first: first ? { text: first.text, html: first.html, at: first.at } : undefined,
    });
    sim.clock.after(UNAVAILABLE_AFTER_MS, () => failInvitation(sim, origin, 'Failed', { code: 'RemoteFailure', subcode: 'TemporarilyUnavailable', message: 'The person is not available.' }));
    return true;
  }
  const group = ring(sim, {
    from: origin.app.user.sip,
    to,
    threadId: origin.threadId,
    subject: origin.subject,
    importance: origin.importance,
    first: first ? { text: first.text, html: first.html, at: first.at } : undefined,
  });
  if (!group) return false;
  origin.peers = [...group.convs];
  for (const c of group.convs) c.peers = [origin];
  return true;
}

export function routed(conv: Conv): boolean {
  return conv.peers.length > 0;
}

/** The local user sent `msg` in a routed conversation: the peer receives it as an incoming message. */
export function forwardMessage(sim: Sim, conv: Conv, msg: Msg): void {
  for (const p of conv.peers) if (live(p)) remoteMessage(sim, p, conv.app.user.sip, msg.text, msg.html);
}

/** setIsTyping in a routed conversation: the peer sees typing added, then deleted after TYPING_MS. */
export function forwardTyping(sim: Sim, conv: Conv): void {
  const gen = (typingGen.get(conv) ?? 0) + 1;
  typingGen.set(conv, gen);
  const me = conv.app.user.sip;
  for (const p of conv.peers) {
    if (!live(p)) continue;
    setRemoteTyping(sim, p, me, true);
    sim.clock.after(TYPING_MS, () => {
      if (typingGen.get(conv) === gen && live(p)) setRemoteTyping(sim, p, me, false);
    });
  }
}
