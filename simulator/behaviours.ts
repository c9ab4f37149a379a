// What simulated people do (types.ts Behaviour): answer or not, reply, type, write first.

import { connectOutgoing, convTimer, failInvitation, remoteMessage, setRemoteTyping } from './conversations.ts';
import { REPLY_LINES } from './demoWorld.ts';
import type { Conv, Msg } from './model.ts';
import type { Sim } from './sim.ts';
import type { Behaviour } from './types.ts';

/** Protocol ms a remote client "rings" before it accepts. */
const RING_MS = 1000;
const ECHO_MS = 300;
let replySeq = 0;

export function behaviourOf(sim: Sim, sip: string): Behaviour | undefined {
  const u = sim.world.user(sip);
  if (!u) return undefined;
  return u.behaviour ?? { kind: 'echo' };
}

/** An outgoing invitation reached the remote(s): accept, decline or stay silent. */
export function remoteAnswer(sim: Sim, conv: Conv): void {
  const accepting: string[] = [];
  let silent = false;
  let unknown = 0;
  for (const sip of conv.remotes) {
    const b = behaviourOf(sim, sip);
    if (!b) unknown++;
    else if (b.kind === 'neverAnswer') silent = true;
    else if (b.kind !== 'decline') accepting.push(sip);
  }
  if (accepting.length > 0) {
    convTimer(sim, conv, RING_MS, () => {
      connectOutgoing(sim, conv, accepting);
      const first = conv.invitation.first;
      if (first) reactToUserMessage(sim, conv, first);
    });
  } else if (!silent) {
    const subcode = unknown === conv.remotes.length ? 'DestinationNotFound' : 'Declined';
    convTimer(sim, conv, subcode === 'Declined' ? RING_MS / 2 : 50, () => failInvitation(sim, conv, 'Declined', { code: 'RemoteFailure', subcode }));
  }
  // silent: the invitation timer (invitationTimeoutSec) fails it.
}

/** The local user sent `msg`; the first remote that is in the conversation reacts. */
export function reactToUserMessage(sim: Sim, conv: Conv, msg: Msg): void {
  const sip = conv.joined[0] ?? conv.remotes[0];
  if (!sip) return;
  const b = behaviourOf(sim, sip);
  if (!b) return;
  const canned = (): string => REPLY_LINES[replySeq++ % REPLY_LINES.length] as string;
  switch (b.kind) {
    case 'echo':
      convTimer(sim, conv, ECHO_MS, () => remoteMessage(sim, conv, sip, `Echo: ${msg.text}`));
      break;
    case 'reply':
      convTimer(sim, conv, b.afterMs, () => remoteMessage(sim, conv, sip, b.text ?? canned()));
      break;
    case 'typeThenReply':
      convTimer(sim, conv, ECHO_MS, () => {
        setRemoteTyping(sim, conv, sip, true);
        convTimer(sim, conv, b.typingMs, () => remoteMessage(sim, conv, sip, b.text ?? canned()));
      });
      break;
    case 'writeFirst':
      convTimer(sim, conv, 2000, () => remoteMessage(sim, conv, sip, canned()));
      break;
    default:
      break;
  }
}
