// A group invitation in words (issue 14), in the popup and in the open chat alike: who invites, who
// else is in it as far as the server said, and its subject.
import type { ReactNode } from 'react';
import type { InvitationInfo } from '../main/ipc/contract.ts';
import { groupInvitationWords } from './groupView.ts';

export function GroupInvite({ inv, self }: { inv: InvitationInfo; self: string | null }): ReactNode {
  const w = groupInvitationWords(inv, self);
  return (
    <span className="invite-words">
      <span className="invite-title">{w.title}.</span>
      {w.others && <span className="invite-others">{w.others}.</span>}
      {inv.subject && <span className="invite-subject">Subject: {inv.subject}</span>}
    </span>
  );
}
