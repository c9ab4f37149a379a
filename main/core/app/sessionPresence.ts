// What the server's report of your own presence (PROTOCOL-2 §1.2, §1.3) means for the session's
// availability — the tray's icon, SessionState.availability. Pure: session.ts holds the state.
import type { Availability } from './types.ts';
import { availabilityOf } from '../ucwa/presence.ts';

/**
 * The session availability a reported presence is, or null when it says nothing the session can
 * show (Offline or an unknown token while signed in: keep what is known).
 * Offwork is set but reads back as Away with activity "off-work" (§1.3) — or, from some, as Offwork
 * itself; the server's idle states
 * show as what SfB clients show for them: IdleOnline as Away (Inactive), IdleBusy as Busy.
 */
export function availabilityFromServer(token: string, activity: string): Availability | null {
  // Some servers (and the simulator's own presence resource) echo the token that was set.
  if (token.trim().toLowerCase() === 'offwork') return 'Offwork';
  const a = availabilityOf(token);
  switch (a) {
    case 'Online': case 'Busy': case 'DoNotDisturb': case 'BeRightBack':
      return a;
    case 'Away':
      return /^off[- ]?work$/i.test(activity.trim()) ? 'Offwork' : 'Away';
    case 'IdleOnline':
      return 'Away';
    case 'IdleBusy':
      return 'Busy';
    default:
      return null;
  }
}

/**
 * Whether a reported availability can only have been chosen by the user (here or on another
 * endpoint): then it is the user's choice from now on (kept over a recreate, and the rule "only a
 * chosen Available decays to Away" follows it). The server's idle (IdleOnline, IdleBusy) and Away
 * — idle decay or a choice, the report cannot tell — leave the choice as it was.
 */
export function isChosen(token: string, a: Availability): boolean {
  const reported = availabilityOf(token);
  return a !== 'Away' && reported !== 'IdleOnline' && reported !== 'IdleBusy';
}
