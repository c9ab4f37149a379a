// Which window the app shows once the launch sign-in settled. Started at login "hidden", it stays
// in the tray; launched by hand, it opens the history so the user sees it started.
import type { Navigation, WindowName } from '../ipc/contract.ts';

export interface LaunchFacts {
  signedIn: boolean;
  /** A sip:/im: link the app was launched with. */
  link: string | null;
  /** --hidden on the command line (start at login passes it when the setting asks). */
  hiddenArg: boolean;
  /** The "start hidden" setting. */
  startHidden: boolean;
}

export function launchWindow(f: LaunchFacts): { window: WindowName; navigation?: Navigation } | null {
  if (f.link) return { window: 'history', navigation: { to: 'newConversation', sip: f.link } };
  // Nothing to sign in with: ask, even when started hidden, or the user would see nothing at all.
  if (!f.signedIn) return { window: 'signin' };
  if (f.hiddenArg || f.startHidden) return null;
  return { window: 'history' };
}
