// The store interface the messenger service needs (DESIGN.md §5). Asynchronous from the first day.
// ONE implementation (DESIGN-2 §4): backend.ts over SQLite — on the account's database file in a
// worker thread (sqliteStore.ts), or on a ':memory:' database (memoryStore.ts: tests, and the
// fallback when no database file can be opened). Both run the same SQL and emit the same changes.
//
// Identity rules:
// - a conversation is issued its id by the store (a small integer, shared by CLI and app);
// - a conversation log is keyed by the LAST PATH SEGMENT of its href (`logKey`): hrefs change
//   with every UCWA application, the segment (an Exchange item id) does not;
// - a conversation is one thread: it owns every log of its threadId (continuing a past
//   conversation makes a NEW log with the SAME threadId) and its live copy. A live conversation is
//   found by its threadId; a log arriving later with that threadId (the first or the n-th) joins
//   that conversation instead of creating a second one;
// - a message is deduplicated by `dedupeKey` = threadId + timestamp + author + hash(text), so the
//   live copy and the transcript copies of one message (from whichever log) are stored once.

export type Direction = 'Incoming' | 'Outgoing';
export type LogStatus = 'Archived' | 'Missed';
export type MessageOrigin = 'transcript' | 'live' | 'outbox';
/**
 * The outbox's states (DESIGN-2 §2), persisted: queued → sending (the POST may be on the wire; its
 * operationId is recorded first) → accepted (the server's 201 and its Location recorded) →
 * delivered (the completion event); failed (refused for good, the reason in words); uncertain (the
 * process died while the POST was possibly received: checked against the server, else re-sent
 * once and shown as "may have arrived twice").
 */
export type DeliveryState = 'queued' | 'sending' | 'accepted' | 'delivered' | 'failed' | 'uncertain';
export type ConversationFilter = 'all' | 'unread' | 'missed';

export interface Person {
  /** "sip:alice@contoso.com" (always with the sip: prefix, lower-case). */
  sip: string;
  name: string;
}

export interface Conversation {
  id: number;
  /** The chat it belongs to: every conversation with the same people is one chat (see Chat). */
  chatId: number;
  /**
   * Last segment of the href of the conversation's NEWEST log (latest creationTime): the one whose
   * links continue the conversation. null while the conversation is only live.
   */
  logKey: string | null;
  /** Latest known href of that newest log (valid only for the application that produced it). */
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
  /** All transcript pages of every log of it are stored (sync resumes, per log, where not). */
  transcriptsComplete: boolean;
}

/**
 * A CHAT: every conversation with the same people (DESIGN-2 §3, chat ⊃ conversation ⊃ message).
 * Continuing or restarting a conversation with Kenji adds a conversation to Kenji's chat, not a
 * row to the list. Derived by the store from its conversations (never written by callers): the
 * list, the unread counts, the tray and the filters all read it.
 */
export interface Chat {
  id: number;
  /** Its newest conversation: the one writing continues, whose people and preview it shows. */
  latest: Conversation;
  lastActivityAt: number;
  conversationCount: number;
  /** Some conversation of it is unread. */
  unread: boolean;
  /** Some conversation of it was missed (the Missed filter) … */
  missed: boolean;
  /** … and one of those is still unread (counted in "missed"). */
  missedUnread: boolean;
  /** Where "new" begins: the earliest "read up to" of its unread conversations (null: all read). */
  unreadSince: number | null;
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
  /** `at` is a stand-in: the server's timestamp was no date (shown as "time unknown"). */
  atEstimated: boolean;
  /** Set for messages written by this user through the outbox. */
  clientId: string | null;
  delivery: DeliveryState | null;
  deliveryError: string | null;
}

export interface OutboxUpdate {
  error?: string;
  sentAt?: number;
  threadId?: string | null;
  operationId?: string | null;
  location?: string | null;
  maybeDuplicate?: boolean;
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
  /** operationId / OperationContext of the current or last POST (recorded before it goes out). */
  operationId: string | null;
  /**
   * The 201's Location: the message (sendMessage) or the messagingInvitation (start / continue).
   * While 'sending' by sendMessage: the messages collection it was POSTed to (looked up after a crash).
   */
  location: string | null;
  /** Re-sent after an uncertain outcome: the other person may have received it twice. */
  maybeDuplicate: boolean;
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
  /** The server's timestamp was no date: `at` is a stand-in (arrival, or the log's start). */
  atEstimated?: boolean;
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
  /** 'Outgoing': your own message (shown as "You"). */
  direction: Direction;
  /** Snippet with matches wrapped in U+E000 … U+E001 (private-use marks: no HTML in the store). */
  snippet: string;
  conversation: Pick<Conversation, 'id' | 'subject' | 'participants'>;
}

/** Which matches come first: the newest, or the best BM25 matches among the newest few hundred
 * (the store's default; the app's is 'newest': in a messenger you look for what was said lately). */
export type SearchSort = 'newest' | 'best';

export interface SearchQuery {
  limit?: number;
  /** Matches to skip ("show more"). 'best' pages within its ranked candidates. */
  offset?: number;
  conversationId?: number;
  sort?: SearchSort;
}

export interface SearchPage {
  hits: SearchHit[];
  /** Matches in all, up to 10 000 … */
  total: number;
  /** …and true when there are more than that. */
  totalIsLowerBound: boolean;
}

export interface UnreadSummary {
  /** Chats with something unread (a chat, not a conversation: what the list shows as a row). */
  unreadChats: number;
  /** Chats with a missed conversation not yet read. */
  missedChats: number;
  /** The newest unread conversation of each unread chat, newest first (at most `limit`). */
  latest: Conversation[];
}

export interface SyncCheckpoint {
  logKey: string;
  /** Fingerprint of the log properties last stored (to skip unchanged logs). */
  fingerprint: string;
  transcriptsComplete: boolean;
}

// --- people and the contact list (issue 13; PROTOCOL-2 §1) ---------------------------------------
// A PERSON is anyone the app has seen (a contact, a conversation's participant, a search result),
// keyed like Person.sip. The CONTACT LIST is the groups and their memberships: a person leaves it
// when no group holds them any more, but keeps their card and presence.

/** Which of the server's group families a group is (PROTOCOL-2 §1.6); an unknown rel is 'other'. */
export type ContactGroupKind = 'pinned' | 'default' | 'user' | 'distribution' | 'delegates' | 'delegators' | 'organization' | 'other';

export interface PhoneNumbers {
  /** tel: URIs as the server gives them ('' when none). */
  work: string;
  mobile: string;
  home: string;
  other: string;
}

/**
 * A person's directory card as read from a `contact` resource (or only their name, from a
 * conversation). A field left undefined keeps what is stored; a given one replaces it — except an
 * empty name, which never erases a known one.
 */
export interface PersonInput {
  sip: string;
  name?: string;
  title?: string;
  department?: string;
  company?: string;
  office?: string;
  emails?: string[];
  phones?: Partial<PhoneNumbers>;
  /** ContactType: User, Phone, Bot, ReplayBot (or what the server sent). */
  contactType?: string;
  /** SourceNetwork: SameEnterprise, Federated, PublicCloud, Everyone, Unknown (or what the server sent). */
  sourceNetwork?: string;
}

export interface PersonPresence {
  /** The server's token as it came (Online, Busy, Away, …; an unknown one too: the UI shows it as "Unknown"). */
  availability: string;
  /** A well-known token ("in-a-meeting") or the contact's own localised text; '' when none. */
  activity: string;
  /** PC, Mobile, Web, DeskPhone, Unknown (or what the server sent); '' when none. */
  deviceType: string;
  /** ms since epoch when the person last used a device; null when not given. */
  lastActive: number | null;
}

export interface PersonNote {
  message: string;
  /** Personal or OutOfOffice (or what the server sent); '' when none. */
  type: string;
}

export interface PersonPhoto {
  /** The ETag the photo was fetched with (null: the server gave none). */
  etag: string | null;
  /** The cached file's name in the photo folder (a bare name: never a path); null: no photo. */
  file: string | null;
}

/** What the store knows of a person, and when each part of it was last read (ms; null: never). */
export interface PersonCard extends Required<Omit<PersonInput, 'phones'>> {
  phones: PhoneNumbers;
  /** null until presence was read (or after it was cleared). */
  presence: PersonPresence | null;
  note: PersonNote | null;
  location: string | null;
  photo: PersonPhoto | null;
  /** Some group of the contact list holds this person. */
  inContactList: boolean;
  updated: { card: number | null; presence: number | null; note: number | null; location: number | null; photo: number | null };
}

/**
 * One part of a person read again from the server (a contactPresence / contactNote /
 * contactLocation GET, or a photo fetched). A part given replaces that part as a whole (a presence
 * without activity clears the activity); null clears it back to unknown; an absent part is kept.
 */
export interface PersonPatch {
  presence?: { availability: string; activity?: string; deviceType?: string; lastActive?: number | null } | null;
  note?: { message: string; type?: string } | null;
  location?: string | null;
  photo?: PersonPhoto | null;
}

/** A group of the contact list as the sync read it (the server's order is the order given). */
export interface ContactGroupInput {
  /** The server's opaque group id (kept as it came, never parsed). */
  serverId: string;
  kind: ContactGroupKind;
  name: string;
  /** The SIP addresses of its members. */
  members: string[];
}

export interface ContactListInput {
  /** Every group, in the server's order. */
  groups: ContactGroupInput[];
  /** The members' cards (and anybody else's: all are stored). */
  people?: PersonInput[];
}

export interface ContactGroup {
  /** The store's id: stable while the server keeps the group's id. */
  id: number;
  serverId: string;
  kind: ContactGroupKind;
  name: string;
  /** Where the server listed it (0 first). */
  position: number;
  /** The user folded it in the People view (remembered across syncs). */
  collapsed: boolean;
  /** Its members' SIP addresses, by name (case and diacritics folded), then address. */
  members: string[];
}

/**
 * The contact list: the groups — pinned (Favourites) first, then the others in the server's order —
 * and the card of every member, each once, by name.
 */
export interface ContactList {
  groups: ContactGroup[];
  people: PersonCard[];
}

export type StoreChange =
  | { kind: 'conversation'; conversation: Conversation }
  | { kind: 'conversationRemoved'; conversationId: number }
  /** A chat's activity, latest conversation or unread state changed (or the chat is new). */
  | { kind: 'chat'; chat: Chat }
  /** Its last conversation went away (merged into another chat, or deleted). */
  | { kind: 'chatRemoved'; chatId: number }
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
   * A person's card, presence, note, location or photo changed, or they joined or left the contact
   * list (a person first seen is announced too). Only a real change: reading the same values again
   * announces nothing.
   */
  | { kind: 'person'; person: PersonCard }
  /**
   * The contact list's groups changed: one added, removed, renamed, reordered, folded, or its members
   * (or their order). Carries the groups as contactList() lists them; the cards of people who joined
   * come as 'person' changes of the same write.
   */
  | { kind: 'contactList'; groups: ContactGroup[] }
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
  /**
   * Insert or refresh a log. It joins the conversation that has it, else the conversation of its
   * threadId (live, or holding the thread's other logs), else a new one. The conversation takes
   * the newest log's description (subject, type, direction, status/missed, importance,
   * participants, logKey/logHref); an older log only adds itself. Returns the conversation and
   * whether THIS log's transcripts still have to be fetched.
   */
  upsertLog(log: LogInput, fingerprint: string): Promise<{ conversation: Conversation; needsTranscripts: boolean }>;
  /** Sync checkpoints for the given log keys, per log (missing keys are unknown logs). */
  checkpoints(logKeys: string[]): Promise<SyncCheckpoint[]>;
  /**
   * Store one transcript page of log `logKey` of the conversation in one transaction; `complete`
   * marks that log's last page. `logKey` null: a conversation without a log, or every log of the
   * conversation at once. Throws when `logKey` is not a log of this conversation. Returns how
   * many messages were new (copies already stored, live or from another log, are not).
   */
  putTranscriptPage(conversationId: number, threadId: string | null, messages: MessageInput[], complete: boolean, logKey: string | null): Promise<{ added: number }>;
  /** Find or create the conversation of a live thread (no log yet). */
  ensureLiveConversation(input: { threadId: string; subject: string; direction: Direction; participants: Person[]; startedAt: number }): Promise<Conversation>;
  /**
   * People who joined a live group conversation: added to its participants (never removed — a group
   * stays the same chat as people leave). Its chat follows the new set of people. Null if unknown.
   */
  addConversationParticipants(conversationId: number, people: Person[]): Promise<Conversation | null>;
  getConversation(id: number): Promise<Conversation | null>;
  findConversationByThread(threadId: string): Promise<Conversation | null>;
  listConversations(query: { filter?: ConversationFilter; contact?: string; cursor?: string | null; limit?: number }): Promise<Page<Conversation>>;
  markRead(conversationId: number): Promise<void>;

  // --- chats ---
  /** Chats, newest activity first; filters and `contact` as listConversations (over any of its conversations). */
  listChats(query: { filter?: ConversationFilter; contact?: string; cursor?: string | null; limit?: number }): Promise<Page<Chat>>;
  getChat(chatId: number): Promise<Chat | null>;
  /** The ids of a chat's conversations, newest first (at most 1 000). */
  chatConversationIds(chatId: number): Promise<number[]>;
  /** The messages of every conversation of the chat, newest first by (at, id), as listMessages. */
  listChatMessages(chatId: number, query: { cursor?: string | null; limit?: number }): Promise<Page<Message>>;
  /** Where "New" begins: the first unread incoming message of the chat's newest unread conversation; null when read. */
  firstUnreadMessage(chatId: number): Promise<number | null>;
  /** Every unread conversation of the chat read; returns the ids it changed. */
  markChatRead(chatId: number): Promise<number[]>;
  /** Mark every unread conversation read; returns the ids it changed. */
  markAllRead(): Promise<number[]>;
  unreadSummary(limit?: number): Promise<UnreadSummary>;

  // --- messages ---
  /** Add a live (or outbox-confirmed) message; deduplicated by dedupe key. */
  addMessage(conversationId: number, threadId: string | null, message: MessageInput, opts?: { markUnread?: boolean }): Promise<{ message: Message; inserted: boolean }>;
  /**
   * Several live messages of one conversation in ONE transaction — what the service does with the
   * messages of one event batch. Same semantics as calling addMessage for each in order (dedupe,
   * unread, one 'message' change per inserted row), but at most one 'conversation' and one
   * 'unread' change.
   */
  addMessages(conversationId: number, threadId: string | null, messages: MessageInput[], opts?: { markUnread?: boolean }): Promise<{ added: number }>;
  /**
   * Give a stored live message the server timestamp once it is known (an invitation's first
   * message carries none and is stored with local time; its re-delivery after accept carries one).
   * Recomputes the dedupe key with `threadId`; when another row already holds that key, the live
   * row is removed ('messageRemoved') and the other one is returned. Emits a 'message' change for
   * the surviving row and a 'conversation' change. Null if the message is unknown.
   */
  restampMessage(messageId: number, at: number, threadId: string | null): Promise<Message | null>;
  /** Newest first by (at, id); `cursor` from the previous page. */
  listMessages(conversationId: number, query: { cursor?: string | null; limit?: number }): Promise<Page<Message>>;
  /**
   * The message and up to `radius` (default 20) messages on each side of it in its conversation,
   * NEWEST FIRST like listMessages (for "open the conversation at that message"). [] if unknown.
   */
  messagesAround(messageId: number, radius?: number): Promise<Message[]>;
  /**
   * Full-text search (any input is safe): the words of `text` (letters/digits runs) must all
   * occur, without regard to case or diacritics; earlier words match whole words, the LAST word
   * also matches as a prefix ("quarterly rep" finds "Quarterly-Report"; "qua rep" does not).
   * Best matches first (BM25 over the newest 300 matches BY TIME), or with sort 'newest' newest first.
   */
  search(text: string, query?: SearchQuery): Promise<SearchHit[]>;
  /** search() with the number of matches, for "338 messages" and "show more". */
  searchPage(text: string, query?: SearchQuery): Promise<SearchPage>;

  // --- outbox ---
  /**
   * Persist before any network call; creates the message row (origin 'outbox', delivery 'queued').
   * Idempotent per `clientId` (the item already stored is returned). Empty text (and no html) is
   * refused.
   */
  enqueueOutbox(input: { conversationId: number; text: string; html?: string | null; author: Person; clientId?: string }): Promise<OutboxItem>;
  /**
   * Items not yet delivered nor failed — queued, sending, accepted, uncertain — in the order the
   * user wrote them (an outbox sequence, not a clock: two in one millisecond keep their order),
   * per conversation when given. 'sending' items left by a crash included.
   */
  pendingOutbox(conversationId?: number): Promise<OutboxItem[]>;
  /**
   * The outbox item of `clientId` in whatever state (delivered and failed included — a failure
   * recorded by an earlier run of the app too); null once discarded or never known.
   */
  outboxItem(clientId: string): Promise<OutboxItem | null>;
  /**
   * Move an item to a new state; its message row's `delivery` (and `deliveryError`) mirror the
   * item in the same transaction. 'sending' counts an attempt. On 'delivered' the message takes
   * the server timestamp (`sentAt`, else it keeps its time) and its dedupe key with `threadId`
   * (else the conversation's), merging a transcript or live copy already stored into the outbox
   * row ('messageRemoved' for the copy). 'delivered' is final: moving a delivered item to any
   * other state is refused (StoreError); confirming it again is allowed. `operationId`,
   * `location` and `maybeDuplicate` are recorded when given (null clears) and kept otherwise;
   * `error` is recorded on 'failed' (default: the previous error, else 'failed') and cleared on
   * any other state unless given. Unknown clientId: StoreError.
   */
  setOutboxState(clientId: string, state: DeliveryState, extra?: OutboxUpdate): Promise<OutboxItem>;
  /**
   * The user discards a message that did not go out (queued, sending, failed, uncertain): the
   * outbox item and its message row go away. An accepted or delivered item is refused with a
   * StoreError and stays (a message that went out stays in the history). Unknown: no-op.
   */
  discardOutbox(clientId: string): Promise<void>;

  // --- contacts ---
  /** Names of people seen (a conversation's participants are stored so too); an empty name never erases a known one. */
  upsertContacts(people: Person[]): Promise<void>;
  /** People seen, by name, filtered by address or name (without case or diacritics). */
  listContacts(query?: string, limit?: number): Promise<Person[]>;

  // --- people and the contact list ---
  /**
   * Replace the contact list with what a sync read, in ONE transaction: groups the server no longer
   * lists go (with their memberships), the others are updated in place (keeping their id and
   * collapsed state) and take the given order; each group's members become exactly those given.
   * The cards given are stored (as upsertPeople). A person no group holds any more leaves the
   * contact list but keeps their row (card, presence, note). Out-of-bound or malformed entries are
   * skipped and counted, never thrown; a list without a `groups` array is refused (StoreError).
   * Announces 'person' for every card that changed or person who joined or left the list, then
   * 'contactList' when the groups changed.
   */
  replaceContactList(list: ContactListInput): Promise<{ changed: boolean; groups: number; members: number; skipped: number }>;
  /** The contact list: pinned (Favourites) first, then the server's order; members by name. */
  contactList(): Promise<ContactList>;
  /**
   * People whose name, address, e-mail or title contains every word typed (case and diacritics
   * folded as search does: "zoe" finds "Zoé"). Contact-list members first, then names starting with
   * the first word, then names with a word starting with it, then by name. An empty query lists
   * everybody in scope. `contactsOnly`: members of the contact list only. Limit default 50, at most 500.
   */
  findPeople(query: string, opts?: { contactsOnly?: boolean; limit?: number }): Promise<PersonCard[]>;
  getPerson(sip: string): Promise<PersonCard | null>;
  /** The cards of these people (unknown ones left out), in the order asked; at most 500. */
  getPeople(sips: string[]): Promise<PersonCard[]>;
  /** Store people's cards (search results, participants): see PersonInput. Returns how many changed. */
  upsertPeople(people: PersonInput[]): Promise<{ changed: number }>;
  /**
   * Apply what the server said of one part (or several) of a person; a person not yet known is
   * created. Each part given records when it was read, changed or not. `changed`: some value is
   * different (then a 'person' change is announced). A malformed address changes nothing (null person).
   */
  patchPerson(sip: string, patch: PersonPatch): Promise<{ changed: boolean; person: PersonCard | null }>;
  /** Fold or unfold a group in the People view; null when the group is unknown (a sync removed it). */
  setGroupCollapsed(groupId: number, collapsed: boolean): Promise<ContactGroup | null>;

  // --- lifecycle ---
  onChange(listener: (change: StoreChange) => void): () => void;
  close(): Promise<void>;
}
