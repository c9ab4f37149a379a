import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { SessionState } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { useUcwaEvent } from './hooks.ts';

const initial: SessionState = { status: 'signedOut', user: null, availability: null, error: null, nextRetryAt: null, demo: false };
const SessionContext = createContext<SessionState>(initial);

export function SessionProvider({ children }: { children: ReactNode }): ReactNode {
  const [state, setState] = useState<SessionState>(initial);
  useEffect(() => {
    void safe(() => ucwa().sessionState()).then((r) => r.ok && setState(r.value));
  }, []);
  useUcwaEvent('session', setState);
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export const useSession = (): SessionState => useContext(SessionContext);

export const statusWords: Record<SessionState['status'], string> = {
  signedOut: 'Signed out',
  discovering: 'Finding your server…',
  authenticating: 'Checking your password…',
  creatingApplication: 'Setting up your session…',
  makingAvailable: 'Going online…',
  online: 'Online',
  reauthenticating: 'Signing in again…',
  recreatingApplication: 'Reconnecting your session…',
  reconnecting: 'Offline — reconnecting…',
  signingOut: 'Signing out…',
  error: 'Not connected',
};

export { availabilityWords } from './presenceWords.ts';
