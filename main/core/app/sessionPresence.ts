// What the server's report of your own presence (PROTOCOL-2 §1.2, §1.3) means for the session's
// availability — the tray's icon, SessionState.availability. Pure: session.ts holds the state.
import type { Availability } from './types.ts';
import { availabilityOf } from '../ucwa/presence.ts';

/** An activity token or display string with case, spaces, hyphens and underscores set aside: "Off Work" → "offwork". */
function activityKey(activity: string): string {
  return activity.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

/**
 * The activities the server sets by itself, not the user (PROTOCOL-2 §1.3: Exchange's calendar, a
 * call, a presentation): in-a-meeting, in-a-call / on-the-phone (the two pages' names for the same
 * thing), in-a-conference, presenting, urgent-interruptions-only. The Busy or Do not disturb they
 * come with ends with them, so it is never the user's choice.
 */
const AUTOMATIC_ACTIVITIES: ReadonlySet<string> = new Set(
  ['in-a-meeting', 'in-a-call', 'on-the-phone', 'in-a-conference', 'presenting', 'urgent-interruptions-only'].map(activityKey),
);

/** Whether an activity is one the server sets by itself (a meeting, a call, presenting), as a token or its display string. */
export function isAutomaticActivity(activity: string): boolean {
  return AUTOMATIC_ACTIVITIES.has(activityKey(activity));
}

/** Whether an activity says Off work ("off-work", "Off Work", …). */
export function isOffWorkActivity(activity: string): boolean {
  return activityKey(activity) === 'offwork';
}

/**
 * The session availability a reported presence is, or null when it says nothing the session can
 * show (Offline or an unknown token while signed in: keep what is known).
 * Offwork is set but nobody reads it back as an availability (§1.3): it is the activity "off-work" /
 * "Off Work", whatever availability comes with it — the reference reads it back as Online + "Off
 * Work", others as Away + "off-work", some echo Offwork itself. The server's idle states show as
 * what SfB clients show for them: IdleOnline as Away (Inactive), IdleBusy as Busy.
 */
export function availabilityFromServer(token: string, activity: string): Availability | null {
  // Some servers (and the simulator's own presence resource) echo the token that was set.
  if (token.trim().toLowerCase() === 'offwork' || isOffWorkActivity(activity)) return 'Offwork';
  const a = availabilityOf(token);
  switch (a) {
    case 'Online': case 'Busy': case 'DoNotDisturb': case 'BeRightBack': case 'Away':
      return a;
    case 'IdleOnline':
      return 'Away';
    case 'IdleBusy':
      return 'Busy';
    default:
      return null;
  }
}

/**
 * Whether a reported presence can only have been chosen by the user (here or on another endpoint):
 * then it is the user's choice from now on (kept over a recreate, and the rule "only a chosen
 * Available decays to Away" follows it). These leave the choice as it was: the server's idle
 * (IdleOnline, IdleBusy); Away (idle decay or a choice, the report cannot tell); and a Busy or Do
 * not disturb the server set by itself for a meeting, a call or a presentation (an automatic
 * activity, isAutomaticActivity) — it ends by itself, so setting it again would make it stick.
 */
export function isChosen(token: string, activity: string, a: Availability): boolean {
  const reported = availabilityOf(token);
  return a !== 'Away' && reported !== 'IdleOnline' && reported !== 'IdleBusy' && !isAutomaticActivity(activity);
}
