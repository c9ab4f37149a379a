// The window title carries the unread count ("(3) UCWA Tray"), as task bars and Alt+Tab show it.
import { useEffect, useState } from 'react';
import { safe, ucwa } from './api.ts';
import { useUcwaEvent } from './hooks.ts';

export const titleWithCount = (n: number, base: string): string => (n > 0 ? `(${n}) ${base}` : base);

export function useUnreadTitle(base: string): void {
  const [n, setN] = useState(0);
  useEffect(() => {
    void safe(() => ucwa().unreadSummary(1)).then((r) => { if (r.ok) setN(r.value.unreadChats); });
  }, []);
  useUcwaEvent('unread', (u) => setN(u.unreadChats));
  useEffect(() => { document.title = titleWithCount(n, base); }, [n, base]);
}
