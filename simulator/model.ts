// Shared state shapes of the simulator. Kept separate so modules can `import type` them without
// import cycles.

import type { IncomingHttpHeaders } from 'node:http';
import type { TimerId } from './clock.ts';
import type { EventChannel } from './eventChannel.ts';
import type { Input } from './input.ts';
import type { SimUser } from './types.ts';

/** What a handler answers; the server (or the batch handler) writes it out. */
export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Objects are sent as JSON; strings/Buffers as is (with `contentType`). */
  body?: unknown;
  contentType?: string;
}

export interface Pool {
  index: number; // 1 or 2
  origin: string;
}

export interface App {
  id: string;
  pool: number;
  user: SimUser;
  base: string; // /ucwa/oauth/v1/applications/<id>
  userAgent: string;
  endpointId: string;
  culture: string;
  instanceId: string | undefined;
  state: 'active' | 'terminated';
  createdAt: number;
  available: boolean;
  modalities: string[];
  messageFormats: string[];
  availability: string;
  /** Presence decay (PROTOCOL §4.3): Idle after inactiveMs without reportMyActivity, Away later. */
  idle: 'active' | 'idle' | 'away';
  inactiveMs: number;
  decayTimers: TimerId[];
  activityTimer: TimerId | undefined;
  resumeTimer: TimerId | undefined;
  /** ETag of the communication resource (PROTOCOL §0.2). */
  commEtag: number;
  lastActivity: number;
  channel: EventChannel;
  conversations: Map<string, Conv>;
  invitations: Map<string, Invitation>;
  expiryTimer: TimerId | undefined;
  forgetTimer: TimerId | undefined;
  convSeq: number;
}

export interface Msg {
  n: number; // message id within the conversation
  from: string; // sip of the author
  text: string;
  html: string | undefined;
  at: number;
  direction: 'Incoming' | 'Outgoing';
  operationId: string | undefined;
}

export interface Conv {
  id: string;
  app: App;
  threadId: string;
  subject: string;
  importance: string;
  direction: 'Incoming' | 'Outgoing';
  state: 'Incoming' | 'Connecting' | 'Connected' | 'Disconnected';
  remotes: string[]; // remote sips invited / inviting
  joined: string[]; // remotes that are in the conversation
  typing: Set<string>;
  messages: Msg[];
  msgSeq: number;
  invitation: Invitation;
  timers: Set<TimerId>;
  /** How the conversation is archived when it ends; undefined → no log (e.g. answered elsewhere). */
  logStatus: 'Archived' | 'Missed' | undefined;
  group: IncomingGroup | undefined;
  createdAt: number;
  /** Routed between two signed-in accounts: the other side's conversation(s). */
  peers: Conv[];
  /** Set for an incoming online meeting invitation (sendConferenceInvite). */
  meetingUri: string | undefined;
}

export interface Invitation {
  id: string;
  conv: Conv;
  direction: 'Incoming' | 'Outgoing';
  operationId: string | undefined;
  state: 'Connecting' | 'Connected' | 'Failed' | 'Declined' | 'Cancelled';
  first: Msg | undefined;
  /** Incoming: accept/decline links are withdrawn in the `updated` event (trace behaviour). */
  showAnswerLinks: boolean;
  completed: boolean;
  timer: TimerId | undefined;
}

/** One incoming IM rings every available application of the user; the first answer wins. */
export interface IncomingGroup {
  convs: Conv[];
  settled: boolean;
  timer: TimerId | undefined;
}

export interface LogMessage {
  from: string;
  text: string;
  html?: string;
  at: number;
}

export interface LogRec {
  id: string;
  threadId: string;
  subject: string;
  direction: 'Incoming' | 'Outgoing';
  importance: string;
  status: 'Archived' | 'Missed';
  creationTime: number;
  recipients: string[];
  messages: LogMessage[];
  unread: boolean;
  /** ConversationLogType; default MessageLog. */
  type?: 'MessageLog' | 'ConferenceLog';
  onlineMeetingUri?: string;
}

export interface Ctx {
  headers: IncomingHttpHeaders;
  pool: Pool;
  method: string;
  url: URL;
  path: string;
  params: Record<string, string>;
  body: Buffer;
  input: () => Input;
  /** Signed-in user (set for /ucwa paths). */
  sip: string;
  /** The application addressed (set for application paths). */
  app: App;
  inBatch: boolean;
}
