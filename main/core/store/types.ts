// The store interface the messenger service needs (DESIGN.md §5). Asynchronous from the first day:
// the SQLite implementation runs every query in a worker thread; the in-memory one implements the
// same contract for tests of the core that do not care about persistence.
//
// Identity rules:
// - a conversation is issued its id by the store (a small integer, shared by CLI and app);
// - a conversation log is keyed by the LAST PATH SEGMENT of its href (`logKey`): hrefs change
//   with every UCWA application, the segment (an Exchange item id) does not;
// - a live conversation without a log yet is found by its threadId; when its log arrives later
//   (same threadId) the log attaches to that conversation instead of creating a second one;
// - a message is deduplicated by `dedupeKey` = threadId + timestamp + author + hash(text), so the
//   live copy and the later transcript copy of one message are stored once.

export type Direction = 'Incoming' | 'Outgoing';
export type LogStatus = 'Archived' | 'Missed';
export type MessageOrigin = 'transcript' | 'live' | 'outbox';
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'failed';
export type ConversationFilter = 'all' | 'unread' | 'missed';

export interface Person {
  /** "sip:alice@contoso.com" (always with the sip: prefix, lower-case). */
  sip: string;
  name: string;
}

export interface Conversation {
  id: number;
  /** Last segment of the conversationLog href; null while the conversation is only live. */
  logKey: string | null;
  /** Latest known href of the log (valid only for the application that produced it). */
  logHref: string | null;
  threadId: string | null;
  subject: string;
  /** ConversationLogType (MessageLog, AudioLog, ConferenceLog, …) or 'Live' before a log exists. */
  type: string;
  direction: Direction;
  status: LogStatus | 'Live';
  importance: string;
  /** ms since epoch: log creationTime, or when the live conversation started. */
  createdAt: number;
  /** ms since epoch of the newest message (or createdAt): the list is ordered by this. */
  lastActivityAt: number;
  preview: string;
  participants: Person[];
  unread: boolean;
  missed: boolean;
  /** All transcript pages of the log are stored (sync resumes where this is false). */
  transcriptsComplete: boolean;
}

export interface Message {
  id: number;
  conversationId: number;
  /** null for system lines. For outgoing messages this is the signed-in user. */
  author: Person | null;
  direction: Direction;
  /** ms since epoch (server timestamp once known; local time while queued). */
  at: number;
  text: string;
  /** HTML as received (never sanitized here: the renderer sanitizes with DOMPurify). */
  html: string | null;
  origin: MessageOrigin;
  /** Set for messages written by this user through the outbox. */
  clientId: string | null;
  delivery: DeliveryState | null;
  deliveryError: string | null;
}

export interface OutboxItem {
  clientId: string;
  conversationId: number;
  messageId: number;
  text: string;
  html: string | null;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  createdAt: number;
}

/** A conversationLog as read from the server, normalised by the client. */
export interface LogInput {
  logKey: string;
  href: string;
  threadId: string | null;
  subject: string;
  type: string;
  direction: Direction;
  status: LogStatus;
  importance: string;
  createdAt: number;
  preview: string;
  participants: Person[];
  /** Server-side unread (the log was not marked as read). */
  unread: boolean;
}

export interface MessageInput {
  author: Person | null;
  direction: Direction;
  at: number;
  text: string;
  html?: string | null;
  origin: MessageOrigin;
}

export interface Page<T> {
  items: T[];
  /** Opaque keyset cursor for the next (older) page; null when there is none. */
  next: string | null;
}

export interface SearchHit {
  conversationId: number;
  messageId: number;
  at: number;
  author: Person | null;
  /** Snippet with matches wrapped in U+E000 … U+E001 (private-use marks: no HTML in the store). */
  snippet: string;
  conversation: Pick<Conversation, 'id' | 'subject' | 'participants'>;
}

export interface UnreadSummary {
  unreadConversations: number;
  missedConversations: number;
  /** Newest unread conversations first (at most `limit`). */
  latest: Conversation[];
}

export interface SyncCheckpoint {
  logKey: string;
  /** Fingerprint of the log properties last stored (to skip unchanged logs). */
  fingerprint: string;
  transcriptsComplete: boolean;
}

export type StoreChange =
  | { kind: 'conversation'; conversation: Conversation }
  | { kind: 'conversationRemoved'; conversationId: number }
  | { kind: 'message'; message: Message }
  | { kind: 'delivery'; item: OutboxItem }
  | { kind: 'unread'; summary: Omit<UnreadSummary, 'latest'> }
  /**
   * A message row went away: an unsent outbox message discarded, or a live copy merged into the
   * row that already had its server timestamp (restamp). Optional for consumers: the
   * 'conversation' change that comes with it still describes the conversation after the removal.
   */
  | { kind: 'messageRemoved'; conversationId: number; messageId: number }
  /**
   * The store had to start over (its database was found damaged while in use, moved aside and
   * replaced by an empty one): everything read before is gone; the service should resync.
   * Optional for consumers.
   */
  | { kind: 'reset'; reason: string };

export type StoreErrorKind = 'corrupt' | 'readonly' | 'busy' | 'closed' | 'other';

export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  constructor(kind: StoreErrorKind, message: string) {
    super(message);
    this.name = 'StoreError';
    this.kind = kind;
  }
}

export interface Store {
  // --- conversations ---
  /** Insert or refresh a log. Returns whether its transcripts still have to be fetched. */
  upsertLog(log: LogInput, fingerprint: string): Promise<{ conversation: Conversation; needsTranscripts: boolean }>;
  /** Sync checkpoints for the given log keys (missing keys are unknown logs). */
  checkpoints(logKeys: string[]): Promise<SyncCheckpoint[]>;
  /** Store one transcript page in one transaction; `complete` marks the last page. Returns how many were new. */
  putTranscriptPage(conversationId: number, threadId: string | null, messages: MessageInput[], complete: boolean): Promise<{ added: number }>;
  /** Find or create the conversation of a live thread (no log yet). */
  ensureLiveConversation(input: { threadId: string; subject: string; direction: Direction; participants: Person[]; startedAt: number }): Promise<Conversation>;
  getConversation(id: number): Promise<Conversation | null>;
  findConversationByThread(threadId: string): Promise<Conversation | null>;
  listConversations(query: { filter?: ConversationFilter; contact?: string; cursor?: string | null; limit?: number }): Promise<Page<Conversation>>;
  markRead(conversationId: number): Promise<void>;
  unreadSummary(limit?: number): Promise<UnreadSummary>;

  // --- messages ---
  /** Add a live (or outbox-confirmed) message; deduplicated by dedupe key. */
  addMessage(conversationId: number, threadId: string | null, message: MessageInput, opts?: { markUnread?: boolean }): Promise<{ message: Message; inserted: boolean }>;
  /**
   * Optional: several live messages of one conversation in ONE transaction — what the service does
   * with the messages of one event batch. Same semantics as calling addMessage for each in order
   * (dedupe, unread, one 'message' change per inserted row), but at most one 'conversation' and
   * one 'unread' change. The service falls back to addMessage per message without it.
   */
  addMessages?(conversationId: number, threadId: string | null, messages: MessageInput[], opts?: { markUnread?: boolean }): Promise<{ added: number }>;
  /**
   * Optional: give a stored live message the server timestamp once it is known (an invitation's
   * first message carries none and is stored with local time; its re-delivery after accept carries
   * one). Recomputes the dedupe key with `threadId`; when another row already holds that key, the
   * live row is removed and the other one is returned. Emits a 'message' change for the surviving
   * row and a 'conversation' change. Null if the message is unknown.
   */
  restampMessage?(messageId: number, at: number, threadId: string | null): Promise<Message | null>;
  /** Newest first by (at, id); `cursor` from the previous page. */
  listMessages(conversationId: number, query: { cursor?: string | null; limit?: number }): Promise<Page<Message>>;
  /** Messages around one message (for "open the conversation at that message"). */
  messagesAround(messageId: number, radius?: number): Promise<Message[]>;
  search(text: string, query?: { limit?: number; conversationId?: number }): Promise<SearchHit[]>;

  // --- outbox ---
  /** Persist before any network call; creates the message row (origin 'outbox', delivery 'queued'). */
  enqueueOutbox(input: { conversationId: number; text: string; html?: string | null; author: Person; clientId?: string }): Promise<OutboxItem>;
  /** Items not yet sent, oldest first (per conversation when given). Includes 'sending' items left by a crash. */
  pendingOutbox(conversationId?: number): Promise<OutboxItem[]>;
  /**
   * The outbox item of `clientId` in whatever state (queued, sending, sent or failed — a failure
   * recorded by an earlier run of the app included); null once discarded or never known.
   */
  outboxItem(clientId: string): Promise<OutboxItem | null>;
  /** Move an item to a new state; on 'sent' the message takes the server timestamp and its dedupe key. */
  setOutboxState(clientId: string, state: DeliveryState, extra?: { error?: string; sentAt?: number; threadId?: string | null }): Promise<OutboxItem>;
  /** The user discards a failed message: the outbox item and its message row go away. */
  discardOutbox(clientId: string): Promise<void>;

  // --- contacts ---
  upsertContacts(people: Person[]): Promise<void>;
  listContacts(query?: string, limit?: number): Promise<Person[]>;

  // --- lifecycle ---
  onChange(listener: (change: StoreChange) => void): () => void;
  close(): Promise<void>;
}
