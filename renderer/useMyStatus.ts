// Your status as the server reports it (note, activity, location), read when you are signed in and
// kept live by the 'myStatus' events. The session's availability comes with the session itself.
import { useEffect, useRef, useState } from 'react';
import type { MyStatus } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { useUcwaEvent } from './hooks.ts';

export function useMyStatus(signedIn: boolean): [MyStatus | null, (s: MyStatus) => void] {
  const [status, setStatus] = useState<MyStatus | null>(null);
  // Bumped by every newer status (an event, a save): a read that answers after one is older than it.
  const seq = useRef(0);
  const put = (s: MyStatus) => {
    seq.current++;
    setStatus(s);
  };
  useEffect(() => {
    if (!signedIn) return;
    const asked = ++seq.current;
    // Again at every sign-in: another account, or what changed while signed out.
    void safe(() => ucwa().myStatus()).then((r) => {
      if (r.ok && asked === seq.current) setStatus(r.value);
    });
  }, [signedIn]);
  useUcwaEvent('myStatus', put);
  return [status, put];
}
