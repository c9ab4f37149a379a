// The messenger service: the one object the Electron shell, the CLI and the tests talk to.
// It owns the session, the invitations and conversations (xstate actors), history sync and
// outbox delivery; it reads and writes only through the asynchronous Store.
import type {
  Chat, ContactGroup, ContactList, Conversation, ConversationFilter, DeliveryState, Message, OutboxItem, Page, Person, PersonCard, SearchHit, SearchPage, SearchQuery, UnreadSummary,
} from '../store/types.ts';
import type { SessionStatus } from '../machines/session.ts';

export type Availability = 'Online' | 'Busy' | 'DoNotDisturb' | 'BeRightBack' | 'Away' | 'Offwork';

/** Every failure the user may have to read, as one typed union (the IPC contract mirrors it). */
export type AppErrorCode =
  | 'wrongPassword'
  | 'methodNotOffered' // the server offers no sign-in method this app (or this front end) can use
  | 'signInCancelled' // the user closed the organisation's sign-in page
  | 'accountLocked' // the identity provider said the account is locked or disabled
  | 'mfaFailed' // the second sign-in step failed or timed out
  | 'serverNotFound' // discovery found no UCWA server (DNS, 404, refused)
  | 'certificate' // TLS certificate not trusted
  | 'poolUnavailable' // 5xx / 503 from the pool, or a redirect to an unreachable pool
  | 'insecureUrl' // http:// to a non-loopback host, or a link outside the user's domain
  | 'tooManyApplications' // 410 TooManyApplications
  | 'userAgentNotAllowed' // 410 UserAgentNotAllowed
  | 'network' // offline, timeout
  | 'notSignedIn'
  | 'noKeychain' // the OS keychain is not available: the password will not be remembered
  | 'continueCallbackChannel' // 500 CallbackChannelError even after restarting the event channel
  | 'continueAlreadyExists' // 409 AlreadyExists and no live conversation with that thread
  | 'continueTooManyGroups' // 409 TooManyGroups
  | 'continueUnsupported' // 409 None
  | 'continueCannotRedirect' // 410 CannotRedirect
  | 'continueNotAvailable' // the log has no continueMessaging link (policy, not an IM log)
  | 'invitationFailed' // remote declined / did not answer / not found
  | 'conferenceNotSupported' // an invitation this client cannot join, or no group IM on this server
  | 'meetingNotFound' // joinOnlineMeeting: 404 DestinationNotFound (no meeting at that address)
  | 'notFound' // unknown conversation / outbox item
  | 'invalidInput' // bad SIP address, empty text, too long, …
  | 'historyUnavailable' // conversation history disabled by policy or Exchange failing
  | 'storage' // local database problem
  | 'server' // any other UCWA error
  | 'internal';

export interface AppErrorShape {
  code: AppErrorCode;
  /** One sentence a user can read. */
  message: string;
  /** UCWA details when the error came from the server. */
  status?: number;
  ucwaCode?: string;
  subcode?: string;
}

export class AppError extends Error implements AppErrorShape {
  readonly code: AppErrorCode;
  readonly status?: number;
  readonly ucwaCode?: string;
  readonly subcode?: string;
  constructor(shape: AppErrorShape, options?: { cause?: unknown }) {
    super(shape.message, options);
    this.name = 'AppError';
    this.code = shape.code;
    if (shape.status !== undefined) this.status = shape.status;
    if (shape.ucwaCode !== undefined) this.ucwaCode = shape.ucwaCode;
    if (shape.subcode !== undefined) this.subcode = shape.subcode;
  }
  toJSON(): AppErrorShape {
    return { code: this.code, message: this.message, status: this.status, ucwaCode: this.ucwaCode, subcode: this.subcode };
  }
}

/** The session machine owns its states (machines/session.ts); re-exported for the app's users. */
export type { SessionStatus };

export interface SessionState {
  status: SessionStatus;
  user: Person | null;
  availability: Availability | null;
  /** Set in 'error' (and kept as the last reason while 'reconnecting', including a sign-in that
   * failed on something transient and is being retried). */
  error: AppErrorShape | null;
  /** While reconnecting: when the next attempt is due (ms since epoch); null while it runs. */
  nextRetryAt: number | null;
  /** True when the session is the built-in demo server. */
  demo: boolean;
  /** The server sign-in found, what it offers and which method is used (PROTOCOL-2 §3.11), once it answered. */
  signIn?: SignInInfo;
}

export interface SignInInfo {
  /** host[:port] of the user resource that asked for sign-in. */
  host: string;
  offered: ('password' | 'windows' | 'passive' | 'modern')[];
  using: 'password' | 'windows' | 'passive' | 'modern';
}

export interface SignInRequest {
  /** "alice@contoso.com" or "sip:alice@contoso.com". */
  sip: string;
  password: string;
  /**
   * The sign-in name the token service knows, where it differs from the SIP address: "CONTOSO\\jdoe"
   * or a UPN "jdoe@corp.contoso.com" (PROTOCOL-2 §3.2). Default: the SIP address without "sip:".
   * The SIP address still drives discovery and is who the user is.
   */
  login?: string;
  /** Explicit autodiscover URL; otherwise lyncdiscoverinternal.<domain> then lyncdiscover.<domain>. */
  server?: string;
  /** Remember the password in the OS keychain. */
  remember?: boolean;
  /** The built-in demo server (shown as such in the UI). */
  demo?: boolean;
}

export type InvitationState =
  // outgoing
  | 'requesting' | 'connecting' | 'connected' | 'failed' | 'cancelled' | 'timedOut'
  // incoming
  | 'ringing' | 'accepting' | 'declined' | 'missed';

export interface InvitationInfo {
  /** Client-side id of the invitation actor. */
  id: string;
  conversationId: number;
  direction: 'Incoming' | 'Outgoing';
  state: InvitationState;
  from: Person | null;
  /** First message carried by the invitation (decoded). */
  text: string | null;
  subject: string;
  /** An invitation this client cannot join (audio/video only): shown, never joined. */
  unsupported: boolean;
  /** A group conversation (an onlineMeetingInvitation, PROTOCOL-2 §2.6): joining it joins its IM. */
  group: boolean;
  /** Who else is in it, as far as the server said before it was joined ([] when it said nothing). */
  others: Person[];
  error: AppErrorShape | null;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

/** One person in a live group conversation (its roster, PROTOCOL-2 §2.7), kept from the participant events. */
export interface RosterEntry {
  /** Their sip: or tel: address; null when the server named them only (anonymous). */
  uri: string | null;
  name: string;
  role: 'Leader' | 'Attendee' | 'Unknown';
  /** In the chat (its IM), not only in the meeting. */
  inIm: boolean;
  /** A phone participant: no contact, no presence. */
  phone: boolean;
}

/**
 * A "joined" / "left" line of a live group conversation (not kept in the history: the server's log
 * has only messages); "restarted": the server could not continue this past group (409 None), so a
 * new one was started with the same people — said in the transcript where it happened.
 */
export interface RosterChange {
  at: number;
  kind: 'joined' | 'left' | 'restarted';
  uri: string | null;
  name: string;
}

/** Someone being invited into a live conversation ("Add people"), as it goes. */
export interface AddingInfo {
  uri: string;
  name: string;
  state: 'inviting' | 'joined' | 'failed';
  error: AppErrorShape | null;
}

/** Where a group conversation's IM is (machines/group.ts). */
export type GroupPhase = 'starting' | 'joining' | 'lobby' | 'addingMessaging' | 'connected' | 'leaving' | 'left' | 'ended' | 'failed';

export interface LiveConversationState {
  conversationId: number;
  connection: ConnectionState;
  typing: Person[];
  invitation: InvitationInfo | null;
  /** A group conversation (a conference): `roster` is who is in it. */
  group: boolean;
  /** Where joining (or leaving) the group is; null for a one-to-one. */
  groupPhase: GroupPhase | null;
  /** Why the group ended or failed, in words (ejected, ended by the organiser, no such meeting, …). */
  groupError: AppErrorShape | null;
  /** The others in the conversation, in the order they joined (you are never among them). */
  roster: RosterEntry[];
  /** Joined / left lines since this app joined (the newest 200). */
  changes: RosterChange[];
  /** People being added, and how it went. */
  adding: AddingInfo[];
  /** The meeting's subject ('' when none); the group's name is this, else the first names. */
  subject: string;
}

export interface SyncProgress {
  running: boolean;
  done: number;
  total: number;
  error: AppErrorShape | null;
}

export interface ServiceEvents extends PeopleServiceEvents {
  session: SessionState;
  invitation: InvitationInfo; // new incoming invitation
  invitationProgress: InvitationInfo; // any invitation changed state
  message: Message; // a message was added, or changed (same id: replace it — e.g. its server timestamp arrived)
  /** A message row went away: an unsent outbox message discarded, or a copy merged into its twin. */
  messageRemoved: { conversationId: number; messageId: number };
  delivery: OutboxItem; // an outbox item changed state
  typing: { conversationId: number; participants: Person[] };
  conversation: Conversation; // a conversation row was added or changed
  chat: Chat; // a chat (the list's row) was added or changed
  chatRemoved: { chatId: number };
  live: LiveConversationState; // connection / typing state of a live conversation changed
  sync: SyncProgress;
  unread: Omit<UnreadSummary, 'latest'>;
}

export type ServiceEventName = keyof ServiceEvents;

/** Your own status as the server reports it (PROTOCOL-2 §1.2), kept up to date from the `me` events. */
export interface MyStatus {
  /** The server's availability token (Online, Busy, Away, …); an unknown one as it came (shown as
   * Unknown); null until read. `Offwork` reads back as Away with activity "off-work". */
  availability: string | null;
  /** A well-known token ("in-a-meeting", "off-work") or the server's localised text; '' when none. */
  activity: string;
  /** Your note ('' when none); `noteType` Personal or OutOfOffice (Exchange's automatic reply). */
  note: string;
  noteType: string;
  /** '' when none. */
  location: string;
}

/**
 * Why people are watched (their presence subscribed): the presence manager keeps the union of every
 * reason's people in its subscriptions. 'contacts' and 'conversations' are kept by the core itself.
 */
export type WatchReason = 'contacts' | 'conversations' | 'search' | 'card' | 'view';

/** The events of the people layer (issue 13), part of ServiceEvents. */
export interface PeopleServiceEvents {
  /** A person's card, presence, note, location or photo changed, or they joined or left the contact list. */
  person: PersonCard;
  /** The contact list's groups changed (added, removed, renamed, reordered, folded, members). */
  contactList: { groups: ContactGroup[] };
  /** Your own availability, activity, note or location changed. */
  myStatus: MyStatus;
}

export type PeopleServiceEventName = keyof PeopleServiceEvents;
/** Kept for the callers written while the people layer was separate. */
export type AnyServiceEvents = ServiceEvents;
export type AnyServiceEventName = ServiceEventName;

/** What send() gives back: the message's clientId at once, and a promise of its delivery. */
export interface Sending {
  clientId: string;
  conversationId: number;
  item: OutboxItem;
  /** Resolves with the item once delivered; rejects with an AppError if it failed for good. */
  delivered: Promise<OutboxItem>;
}

export interface MessengerService extends PeopleService {
  // --- session ---
  /** The user signing in (the sign-in window, the CLI): any failure rejects at once with its reason. */
  signIn(request: SignInRequest): Promise<SessionState>;
  /** Sign in with the password remembered in the keychain for this account (or the last one).
   * `server`: the autodiscover URL to use (default: the one of this service's last sign-in for
   * that account, else DNS autodiscovery).
   * Persistent, unlike signIn: a transient failure (network, pool unavailable, 5xx, timeout) does
   * not reject; it resolves with status 'reconnecting' as soon as the session has entered its
   * retry (backoff 1 s → 60 s with jitter, at once on nudge) and the session signs in by itself
   * when the server can be reached. Wrong password, certificate and the like still reject. */
  signInRemembered(sip?: string, opts?: { server?: string; login?: string }): Promise<SessionState | null>;
  signOut(opts?: { forget?: boolean }): Promise<void>;
  state(): SessionState;
  setAvailability(availability: Availability): Promise<void>;
  /**
   * Seconds since the user's last input (from the OS, or 0 for the CLI's listen); `awayAfterSec`
   * is the user's Away threshold (a setting), kept until the next report changes it.
   */
  reportIdle(idleSeconds: number, locked?: boolean, awayAfterSec?: number): void;
  /** The host noticed resume from sleep / a network change: check the session now (a reconnect
   * or a sign-in being retried tries at once). */
  nudge(reason: 'resume' | 'network'): void;

  // --- people and conversations ---
  searchPeople(query: string, limit?: number): Promise<Person[]>;
  /** A new conversation with its first message (queued in the outbox; the core connects it). */
  startConversation(to: string, text: string): Promise<Sending>;
  /** The same as send(): the core decides continue, start, reuse or accept. Kept for callers that say "continue". */
  continueConversation(conversationId: number, text: string): Promise<Sending>;
  /**
   * The one call a UI makes to send: the text is persisted in the outbox before anything else,
   * then delivered in order — by sendMessage when the conversation is live, else carried by the
   * accept / continueMessaging / startMessaging the core chooses — retried by itself on transient
   * failures for as long as the user is signed in. Returns the message's clientId at once and a
   * promise of its delivery (rejects with an AppError when it failed for good).
   */
  send(conversationId: number, text: string, opts?: { html?: string }): Promise<Sending>;
  /** The delivery promise of an outbox item by clientId (an earlier send, or one from before a restart). */
  delivery(clientId: string): Promise<OutboxItem>;
  accept(conversationId: number): Promise<void>;
  decline(conversationId: number): Promise<void>;
  /** The user is typing in this conversation (throttled by the service). */
  typing(conversationId: number): void;
  /** End the live IM in this conversation (stopMessaging). */
  hangUp(conversationId: number): Promise<void>;

  // --- group conversations (issue 14, PROTOCOL-2 §2) ---
  /**
   * A group conversation with these people (two or more others): an ad hoc meeting, its IM, then
   * one invitation each. The text is queued in the outbox at once and goes when the IM is
   * connected. Who joined (or did not) shows in liveState().roster / .adding.
   */
  startGroup(to: string[], text: string, opts?: { subject?: string }): Promise<Sending>;
  /**
   * Invite people into a live conversation. A one-to-one grows into a group in place: the same
   * conversation (the server keeps its href), so its messages so far stay with it. Resolves once
   * the server took the invitations; each one's answer shows in liveState().adding.
   */
  addParticipants(conversationId: number, sips: string[]): Promise<void>;
  /** Leave a live conversation (DELETE conversation): the others carry on without you. */
  leave(conversationId: number): Promise<void>;
  /** Join a meeting's IM by its join URL (https://meet.…/user/ID) or conference URI; resolves once joined. */
  joinMeeting(urlOrUri: string): Promise<{ conversationId: number }>;
  liveState(conversationId: number): LiveConversationState | null;
  /** Ids of the conversations connected now; 'live' events say when one connects or ends. */
  connectedConversations(): number[];

  // --- history (reads only the store) ---
  listConversations(query: { filter?: ConversationFilter; contact?: string; cursor?: string | null; limit?: number }): Promise<Page<Conversation>>;
  getConversation(conversationId: number): Promise<Conversation | null>;
  listChats(query: { filter?: ConversationFilter; contact?: string; cursor?: string | null; limit?: number }): Promise<Page<Chat>>;
  getChat(chatId: number): Promise<Chat | null>;
  chatConversationIds(chatId: number): Promise<number[]>;
  /** One transcript for the chat: the messages of all its conversations, newest first. */
  listChatMessages(chatId: number, query: { cursor?: string | null; limit?: number }): Promise<Page<Message>>;
  listMessages(conversationId: number, query: { cursor?: string | null; limit?: number }): Promise<Page<Message>>;
  /** Where "New" begins in the chat (in its newest unread conversation), or null. */
  firstUnreadMessage(chatId: number): Promise<number | null>;
  messagesAround(messageId: number): Promise<Message[]>;
  search(text: string, limit?: number): Promise<SearchHit[]>;
  /** A page of message matches with their count; newest first unless `sort` is 'best'. */
  searchMessages(text: string, query: Omit<SearchQuery, 'conversationId'>): Promise<SearchPage>;
  /** The conversation's whole CHAT read (what the user reads is the chat), here and on the server. */
  markRead(conversationId: number): Promise<void>;
  /** Every unread conversation read (locally at once; the server's logs told in the background). */
  markAllRead(): Promise<void>;
  unreadSummary(limit?: number): Promise<UnreadSummary>;
  /**
   * `window` shows `conversationId` to the user (visible and focused), or nothing (null). Messages
   * arriving in its CHAT (any conversation with the same people) do not turn it unread nor raise a
   * notification.
   */
  setReading(window: string, conversationId: number | null): void;
  isReading(conversationId: number): boolean;
  syncNow(): Promise<void>;
  syncProgress(): SyncProgress;

  // --- outbox ---
  retryOutbox(clientId: string): Promise<OutboxItem>;
  discardOutbox(clientId: string): Promise<void>;

  // --- events ---
  on<E extends ServiceEventName>(event: E, listener: (payload: ServiceEvents[E]) => void): () => void;

  /** Sign out (if needed), stop every timer, close the store. */
  close(): Promise<void>;
}

/** Contacts and presence (issue 13): the people part of MessengerService. */
export interface PeopleService {
  /** The contact list from the local cache (shown at once, offline too); refreshed after sign-in. */
  contactList(): Promise<ContactList>;
  /** Read the contact list from the server again now (it is also re-read on its change events). */
  refreshContacts(): Promise<ContactList>;
  /** A person's card and presence from the cache; when online, the parts not read yet this session
   * (presence, note, location) are fetched first. Null for an address nobody knows. */
  person(sip: string): Promise<PersonCard | null>;
  /** People in the cache (contacts first) whose name, address, e-mail or title match. */
  findPeople(query: string, opts?: { contactsOnly?: boolean; limit?: number }): Promise<PersonCard[]>;
  /**
   * Keep these people's presence live (subscribed) until the returned function is called — search
   * results on screen, a card open. The subscription covers the union of every watch, the contact
   * list and the people of open conversations.
   */
  watchPeople(sips: string[], reason: WatchReason): () => void;
  /** Your note; blank resets it. */
  setNote(text: string): Promise<MyStatus>;
  /** Your location (at most 60 characters); blank clears it. */
  setLocation(text: string): Promise<MyStatus>;
  /** Your availability, activity, note and location (read from the server when not read yet). */
  myStatus(): Promise<MyStatus>;
  /** "Reset status": Available again, and idle decay (Away after the threshold) back on. */
  resetAvailability(): Promise<void>;
  /** Fold or unfold a group in the People view (remembered); null when the group is unknown. */
  setGroupCollapsed(groupId: number, collapsed: boolean): Promise<ContactGroup | null>;
  /** Add to (true) or remove from (false) Favourites, the server's pinned group; the contact list
   * follows from the server. Rejects in words: offline, list full, read-only (migration), … */
  setFavourite(sip: string, favourite: boolean): Promise<void>;
  /** A person's photo from the disk cache, fetched first when online and not read this session;
   * 'me' is your own. Null: no photo (show initials). Never a non-image. */
  personPhoto(sip: string): Promise<PhotoBytes | null>;
  /**
   * The people of a group (by its ContactGroup id), their cards stored. A distribution group's are
   * read from the server when asked (online only); it may refuse a large one ("too large to show").
   * Any other group's come from the cache.
   */
  expandGroup(groupId: number): Promise<PersonCard[]>;
}

/** A photo for display: bytes the core sniffed as an image, with that type. */
export interface PhotoBytes {
  mime: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  base64: string;
}

/** Kept for the callers written while the people layer was separate. */
export type FullMessengerService = MessengerService;

export type { Chat, ContactGroup, ContactList, Conversation, DeliveryState, Message, OutboxItem, Person, PersonCard, SearchHit, UnreadSummary };
