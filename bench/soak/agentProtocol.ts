// Messages between the soak (parent) and an account agent (child, agent.ts) over the IPC channel.
import type { Side } from './accounts.ts';
import type { ServiceTiming } from '../../main/core/app/deps.ts';

export interface AgentArgs {
  side: Side;
  server: string;
  dataDir: string;
  typedLog: string;
  /** Pace of typing: one message every `intervalMs` (± 30 %). */
  intervalMs: number;
  seed: number;
  timing: ServiceTiming;
}

export type ToAgent =
  | { type: 'status'; id: number }
  /** Stop typing; keep running so the outbox can drain. */
  | { type: 'drain' }
  /** Stop typing, close the service (sign out, close the store) and exit. */
  | { type: 'stop' };

export interface AgentStatus {
  signedIn: boolean;
  nextSeq: number;
  /** Outbox items not yet delivered nor failed (pendingOutbox()). */
  pending: number;
  /** Seqs from the peer stored in this account's database (distinct). */
  peerSeqs: number[];
  /** Seqs of this account's own typed messages whose outbox item is 'failed'. */
  failedSeqs: number[];
}

export type FromAgent =
  | { type: 'ready'; nextSeq: number }
  | { type: 'status'; id: number; status: AgentStatus };
