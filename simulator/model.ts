// Shared state shapes of the simulator. Kept separate so modules can `import type` them without
// import cycles.

import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
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
  /** startOnlineMeeting offered (sim.cfg.adHocMeetings when the application was made). */
  adHocMeetings: boolean;
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
  /** ConversationState; Conferencing/Conferenced only for conversations of a conference (`conf`). */
  state: 'Incoming' | 'Connecting' | 'Connected' | 'Conferencing' | 'Conferenced' | 'Disconnected';
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
  /** The conference this conversation belongs to (joined, or ringing with an invitation to it); undefined for 1:1. */
  conf: Conference | undefined;
  /**
   * The messaging modality of a conference conversation: joining a conference does not join its IM
   * (PROTOCOL-2 §2.1), addMessaging does. 1:1 conversations derive messaging from `state`.
   */
  im: 'Disconnected' | 'Connecting' | 'Connected';
  /** Participant href keys by URI when participant hrefs are opaque (participants/196); undefined → the sip-user style. */
  pids: Map<string, string> | undefined;
}

export interface Invitation {
  id: string;
  /** messagingInvitation, onlineMeetingInvitation or participantInvitation. */
  kind: 'messaging' | 'onlineMeeting' | 'participant';
  conv: Conv;
  direction: 'Incoming' | 'Outgoing';
  operationId: string | undefined;
  state: 'Connecting' | 'Connected' | 'Failed' | 'Declined' | 'Cancelled';
  first: Msg | undefined;
  /** Incoming: accept/decline links are withdrawn in the `updated` event (trace behaviour). */
  showAnswerLinks: boolean;
  completed: boolean;
  timer: TimerId | undefined;
  /** participantInvitation: the invitee's URI. */
  to?: string;
  /** onlineMeetingInvitation (incoming): who invites. */
  from?: string;
  /** onlineMeetingInvitation: the conference it leads into (also for one that targets an existing 1:1). */
  conf?: Conference;
  /** `_embedded.acceptedByParticipant` once it succeeded. */
  accepted?: string[];
  /** Incoming onlineMeetingInvitation: tells whoever caused it (an addParticipant) how it was answered. */
  onAnswer?: (answer: 'accepted' | 'declined' | 'missed' | 'canceled') => void;
  /** Outgoing participantInvitation: stops whatever the invitee was doing (ringing their applications) when it is settled early. */
  abort?: () => void;
}

/** One incoming IM rings every available application of the user; the first answer wins. */
export interface IncomingGroup {
  convs: Conv[];
  settled: boolean;
  timer: TimerId | undefined;
}

/** Someone in a conference, keyed by SIP or tel: URI. */
export interface Member {
  uri: string;
  name: string;
  role: 'Leader' | 'Attendee';
  /** A signed-in account (it takes part through its applications' conversations) rather than a simulated person or phone. */
  account: boolean;
  /** In the conference's IM (participantMessaging). */
  inIm: boolean;
  joinedAt: number;
}

export interface ConfMessage {
  from: string;
  text: string;
  html: string | undefined;
  at: number;
}

/**
 * A conference (PROTOCOL-2 §2.1): one server-side object per meeting, shared by every application
 * that joined it — each through its own Conv with its own hrefs.
 */
export interface Conference {
  /** The focus id: the part after `opaque=app:conf:focus:id:`. */
  id: string;
  /** sip:<organizer user>@<domain>;gruu;opaque=app:conf:focus:id:<id> */
  uri: string;
  joinUrl: string;
  organizer: string;
  subject: string;
  threadId: string;
  importance: string;
  /** Who is in it now. */
  members: Map<string, Member>;
  /** Everyone who ever took part, URI → name (recipients of the ConferenceLog). */
  everyone: Map<string, string>;
  /** Everyone who was ever invited (whether or not they came). */
  invited: Set<string>;
  messages: ConfMessage[];
  /** The applications' conversations attached to it: joined (Conferenced) or ringing. */
  convs: Set<Conv>;
  /** Timers of simulated members (joining late, leaving early, answering); cleared when it ends. */
  timers: Set<TimerId>;
  ended: boolean;
  createdAt: number;
  /** Round-robin over the members who answer in groups. */
  replySeq: number;
}

/** A meeting the world knows before anyone joins it (scheduleMeeting, the demo world). */
export interface ScheduledMeeting {
  id: string;
  organizer: string;
  subject: string;
  members: string[];
  uri: string;
  joinUrl: string;
  threadId: string;
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
  /** Display names of recipients that are not directory users (phone participants). */
  recipientNames?: Record<string, string>;
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
  /** The TCP connection the request came on: NTLM (the windows grant) authenticates connections, not requests. */
  socket: Socket;
}
