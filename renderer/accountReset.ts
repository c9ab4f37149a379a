// The window's people state belongs to one account: the cards, photos and groups (whose ids are the
// account's local database ids), the contact-list seed, and the presence watches sent to that
// account's service. When the signed-in user changes (another account signs in, or "Delete local
// history" leaves nobody, then someone signs in), everything registered here is reset at once, in
// the order registered. The same user signing out and in again keeps it all (shown offline at once).
// One listener for the window, so that the modules holding people state never each guess.
//
// A change away from a known user is a full reset (drop what is held, read again). A change from
// nobody (the app's start, or after the history was deleted: already reset then) to a user is a
// soft one: what is held was read from the store now open, so it stays on screen while it is read
// again, and the watches go to the new service (the shell released the old one's at the switch).
import type { SessionState } from '../main/ipc/contract.ts';
import { on, safe, ucwa } from './api.ts';

/** `soft`: the user before was nobody (see above). */
export type AccountReset = (change: { soft: boolean }) => void;

const resets: AccountReset[] = [];
/** The user the window's state belongs to: undefined until the first session state is known. */
let owner: string | null | undefined;
let listening = false;

const userOf = (s: SessionState): string | null => {
  const sip = s.user?.sip.trim().toLowerCase();
  if (!sip) return null;
  return sip.startsWith('sip:') ? sip : `sip:${sip}`;
};

/** Take a session state: resets every registered module when its user is not the owner's. */
export function noteSession(s: SessionState): void {
  const user = userOf(s);
  if (owner === undefined) {
    owner = user;
    return;
  }
  if (user === owner) return;
  const soft = owner === null;
  owner = user;
  for (const r of resets) {
    try {
      r({ soft });
    } catch (err) {
      console.error(err);
    }
  }
}

function listen(): void {
  if (listening) return;
  listening = true;
  on('session', noteSession);
  // The baseline, if no event came first: the state the window read its people under.
  void safe(() => ucwa().sessionState()).then((r) => {
    if (r.ok && owner === undefined) owner = userOf(r.value);
  });
}

/** Run `reset` whenever the signed-in user changes. Returns the unregister function. */
export function onAccountChange(reset: AccountReset): () => void {
  resets.push(reset);
  listen();
  return () => {
    const i = resets.indexOf(reset);
    if (i >= 0) resets.splice(i, 1);
  };
}
