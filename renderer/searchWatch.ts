// The people on screen as search results, kept live (their presence subscribed) while shown. The
// core keeps one set per window and reason, the last call replacing the one before; the sidebar's
// search and the new-conversation picker can be open together, so their people are joined here and
// the window sends the union as its one 'search' set.
import { useEffect, useId } from 'react';
import type { WatchReasonIpc } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { sipKey } from './peopleCache.ts';
import { onAccountChange } from './accountReset.ts';

const REASON: WatchReasonIpc = 'search';
/** The contract's bound on a set (MAX_WATCHED). */
const MAX = 500;
const holders = new Map<string, readonly string[]>();
let sent = '';
let queued = false;

function flush(): void {
  queued = false;
  const union = [...new Set([...holders.values()].flat())].sort().slice(0, MAX);
  const key = union.join('\n');
  if (key === sent) return;
  sent = key;
  void safe(() => ucwa().watchPeople(union, REASON));
}

// Another account's service holds none of this window's watches: the set goes to it again.
onAccountChange(() => {
  sent = '';
  schedule();
});

function schedule(): void {
  if (queued) return;
  queued = true;
  // One call for the changes of one render (a holder leaving and another coming).
  queueMicrotask(flush);
}

/** Watch these people while the component shows them. */
export function useWatchSearchResults(sips: readonly string[]): void {
  const id = useId();
  const joined = [...new Set(sips.map(sipKey))].sort().join('\n');
  useEffect(() => {
    holders.set(id, joined ? joined.split('\n') : []);
    schedule();
  }, [id, joined]);
  useEffect(() => () => {
    holders.delete(id);
    schedule();
  }, [id]);
}
