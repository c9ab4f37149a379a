// The IPC contract between the renderer and the main process (DESIGN.md §6): every call and event
// with its schema, and one union of typed errors. The preload exposes exactly this as `window.ucwa`;
// main parses every argument with these schemas before anything else runs. The renderer imports
// only TYPES from this file (zod stays out of the renderer bundle).
import { z } from 'zod';

// ---------------------------------------------------------------- limits
/** Longest message a user may send (SfB's own clients cap near 8 000 characters). */
export const MAX_MESSAGE_LENGTH = 8000;
/** People invited at once into a group (the server's conference size is undocumented: a bound for the input). */
export const MAX_GROUP_INVITEES = 50;
export const MAX_SEARCH_LENGTH = 10_000;
export const MAX_PAGE = 500;

// ---------------------------------------------------------------- shared shapes
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const cursor = z.string().max(512).nullable().optional();
const limit = z.number().int().min(1).max(MAX_PAGE).optional();
const sipLike = z.string().trim().min(3).max(256);
const messageText = z.string().max(MAX_MESSAGE_LENGTH).refine((s) => s.trim().length > 0, 'Message is empty');

export const personSchema = z.object({ sip: z.string(), name: z.string() });
export const directionSchema = z.enum(['Incoming', 'Outgoing']);
export const deliveryStateSchema = z.enum(['queued', 'sending', 'accepted', 'delivered', 'failed', 'uncertain']);
export const availabilitySchema = z.enum(['Online', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offwork']);

export const appErrorCodeSchema = z.enum([
  'wrongPassword', 'serverNotFound', 'certificate', 'poolUnavailable', 'insecureUrl', 'tooManyApplications',
  'userAgentNotAllowed', 'network', 'notSignedIn', 'noKeychain', 'continueCallbackChannel', 'continueAlreadyExists',
  'continueTooManyGroups', 'continueUnsupported', 'continueCannotRedirect', 'continueNotAvailable', 'invitationFailed',
  'conferenceNotSupported', 'meetingNotFound', 'methodNotOffered', 'signInCancelled', 'accountLocked', 'mfaFailed', 'notFound', 'invalidInput', 'historyUnavailable', 'storage', 'server', 'internal',
  // added by the IPC layer itself
  'invalidArgument', 'forbidden',
]);
export const ipcErrorSchema = z.object({
  code: appErrorCodeSchema,
  message: z.string(),
  status: z.number().optional(),
  ucwaCode: z.string().optional(),
  subcode: z.string().optional(),
});

export const conversationSchema = z.object({
  id,
  chatId: z.number().int(),
  logKey: z.string().nullable(),
  logHref: z.string().nullable(),
  threadId: z.string().nullable(),
  subject: z.string(),
  type: z.string(),
  direction: directionSchema,
  status: z.enum(['Archived', 'Missed', 'Live']),
  importance: z.string(),
  createdAt: z.number(),
  lastActivityAt: z.number(),
  preview: z.string(),
  participants: z.array(personSchema),
  unread: z.boolean(),
  missed: z.boolean(),
  transcriptsComplete: z.boolean(),
});

export const chatSchema = z.object({
  id: z.number().int(),
  latest: conversationSchema,
  lastActivityAt: z.number(),
  conversationCount: z.number().int(),
  unread: z.boolean(),
  missed: z.boolean(),
  missedUnread: z.boolean(),
  unreadSince: z.number().nullable(),
});

export const messageSchema = z.object({
  id,
  conversationId: id,
  author: personSchema.nullable(),
  direction: directionSchema,
  at: z.number(),
  text: z.string(),
  html: z.string().nullable(),
  origin: z.enum(['transcript', 'live', 'outbox']),
  clientId: z.string().nullable(),
  delivery: deliveryStateSchema.nullable(),
  deliveryError: z.string().nullable(),
  atEstimated: z.boolean(),
});

export const outboxItemSchema = z.object({
  clientId: z.string(),
  conversationId: id,
  messageId: id,
  text: z.string(),
  html: z.string().nullable(),
  state: deliveryStateSchema,
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  operationId: z.string().nullable(),
  location: z.string().nullable(),
  maybeDuplicate: z.boolean(),
});

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: z.string().nullable() });

export const searchHitSchema = z.object({
  conversationId: id,
  messageId: id,
  at: z.number(),
  author: personSchema.nullable(),
  /** 'Outgoing': your own message (the renderer says "You"). */
  direction: z.enum(['Incoming', 'Outgoing']),
  /** Matches wrapped in U+E000 … U+E001; the renderer turns them into <mark> without HTML parsing. */
  snippet: z.string(),
  conversation: z.object({ id, subject: z.string(), participants: z.array(personSchema) }),
});

/** One page of message matches and how many there are (up to 10 000, `totalIsLowerBound` past it). */
export const searchPageSchema = z.object({ hits: z.array(searchHitSchema), total: z.number(), totalIsLowerBound: z.boolean() });
export const searchSortSchema = z.enum(['newest', 'best']);

export const unreadCountsSchema = z.object({ unreadChats: z.number(), missedChats: z.number() });
export const unreadSummarySchema = unreadCountsSchema.extend({ latest: z.array(conversationSchema) });

export const sessionStateSchema = z.object({
  status: z.enum(['signedOut', 'discovering', 'authenticating', 'creatingApplication', 'makingAvailable', 'online',
    'reauthenticating', 'recreatingApplication', 'reconnecting', 'signingOut', 'error']),
  user: personSchema.nullable(),
  availability: availabilitySchema.nullable(),
  error: ipcErrorSchema.nullable(),
  nextRetryAt: z.number().nullable(),
  demo: z.boolean(),
  signIn: z.object({
    host: z.string().max(300),
    offered: z.array(z.enum(['password', 'windows', 'passive', 'modern'])).max(4),
    using: z.enum(['password', 'windows', 'passive', 'modern']),
  }).optional(),
});

export const invitationInfoSchema = z.object({
  id: z.string(),
  conversationId: id,
  direction: directionSchema,
  state: z.enum(['requesting', 'connecting', 'connected', 'failed', 'cancelled', 'timedOut', 'ringing', 'accepting', 'declined', 'missed']),
  from: personSchema.nullable(),
  text: z.string().nullable(),
  subject: z.string(),
  unsupported: z.boolean(),
  /** A group conversation (accepting joins its IM). */
  group: z.boolean(),
  /** Who else is in it, as far as the server said before it was joined. */
  others: z.array(personSchema),
  error: ipcErrorSchema.nullable(),
});

export const rosterEntrySchema = z.object({
  uri: z.string().nullable(),
  name: z.string(),
  role: z.enum(['Leader', 'Attendee', 'Unknown']),
  inIm: z.boolean(),
  phone: z.boolean(),
});
export const rosterChangeSchema = z.object({ at: z.number(), kind: z.enum(['joined', 'left', 'restarted']), uri: z.string().nullable(), name: z.string() });
export const addingInfoSchema = z.object({ uri: z.string(), name: z.string(), state: z.enum(['inviting', 'joined', 'failed']), error: ipcErrorSchema.nullable() });

export const liveStateSchema = z.object({
  conversationId: id,
  connection: z.enum(['disconnected', 'connecting', 'connected']),
  typing: z.array(personSchema),
  invitation: invitationInfoSchema.nullable(),
  /** A group conversation: `roster` says who is in it. */
  group: z.boolean(),
  groupPhase: z.enum(['starting', 'joining', 'lobby', 'addingMessaging', 'connected', 'leaving', 'left', 'ended', 'failed']).nullable(),
  groupError: ipcErrorSchema.nullable(),
  /** The others, in the order they joined. */
  roster: z.array(rosterEntrySchema),
  /** Joined / left lines since this app joined. */
  changes: z.array(rosterChangeSchema),
  /** People being added ("Add people") and how it went. */
  adding: z.array(addingInfoSchema),
  /** The meeting's subject ('' when none). */
  subject: z.string(),
});

export const syncProgressSchema = z.object({ running: z.boolean(), done: z.number(), total: z.number(), error: ipcErrorSchema.nullable() });

export const settingsSchema = z.object({
  /** Show the message text in notifications (off: "New message from Alice"). */
  notificationShowText: z.boolean(),
  notificationSound: z.boolean(),
  /** While Do not disturb: 'silent' raises nothing; 'badgeOnly' still counts unread in the tray. */
  doNotDisturb: z.enum(['silent', 'badgeOnly']),
  startAtLogin: z.boolean(),
  startHidden: z.boolean(),
  /** Go Away after this many idle minutes (the OS idle time; also when the screen is locked). */
  awayAfterMinutes: z.number().int().min(1).max(240),
});
export const defaultSettings: Settings = {
  notificationShowText: true,
  notificationSound: true,
  doNotDisturb: 'silent',
  startAtLogin: false,
  startHidden: false,
  awayAfterMinutes: 10,
};

export const signInRequestSchema = z.object({
  sip: sipLike,
  // Empty: Windows sign-in, AD FS or modern authentication (the core says when a password is needed).
  password: z.string().max(1024),
  // What the person typed ("lyncdiscover.company.com" too): the handler makes it a URL, or says in words what is wanted.
  server: z.string().max(2048).optional(),
  // DOMAIN\user or a UPN, where it differs from the SIP address (the core says in words what is wrong with one).
  login: z.string().max(256).optional(),
  remember: z.boolean().optional(),
});

// ---------------------------------------------------------------- people (issue 13)
const sipArg = z.string().trim().min(3).max(256);
export const phoneNumbersSchema = z.object({ work: z.string(), mobile: z.string(), home: z.string(), other: z.string() });
export const personCardSchema = z.object({
  sip: z.string(),
  name: z.string(),
  title: z.string(),
  department: z.string(),
  company: z.string(),
  office: z.string(),
  emails: z.array(z.string()),
  phones: phoneNumbersSchema,
  contactType: z.string(),
  sourceNetwork: z.string(),
  /** null until read. `availability` is the server's token as it came: an unknown one reads "Unknown". */
  presence: z.object({ availability: z.string(), activity: z.string(), deviceType: z.string(), lastActive: z.number().nullable() }).nullable(),
  note: z.object({ message: z.string(), type: z.string() }).nullable(),
  location: z.string().nullable(),
  /** The cached photo's ETag and file (the renderer asks personPhoto for its bytes); null: none known. */
  photo: z.object({ etag: z.string().nullable(), file: z.string().nullable() }).nullable(),
  inContactList: z.boolean(),
  updated: z.object({ card: z.number().nullable(), presence: z.number().nullable(), note: z.number().nullable(), location: z.number().nullable(), photo: z.number().nullable() }),
});
export const contactGroupSchema = z.object({
  id: z.number().int(),
  serverId: z.string(),
  kind: z.enum(['pinned', 'default', 'user', 'distribution', 'delegates', 'delegators', 'organization', 'other']),
  name: z.string(),
  position: z.number(),
  collapsed: z.boolean(),
  members: z.array(z.string()),
});
export const contactListSchema = z.object({ groups: z.array(contactGroupSchema), people: z.array(personCardSchema) });
export const myStatusSchema = z.object({ availability: z.string().nullable(), activity: z.string(), note: z.string(), noteType: z.string(), location: z.string() });
/** A photo's bytes for an <img>: only image types the app sniffed itself (PNG, JPEG, GIF, WebP). */
export const photoSchema = z.object({ mime: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']), base64: z.string() });
/** Why a window keeps people's presence live; each window's set per reason replaces its last one. */
export const watchReasonSchema = z.enum(['search', 'card', 'view']);
export const MAX_WATCHED = 500;

export const windowNameSchema = z.enum(['history', 'popup', 'signin']);

/** What the renderer should show (sent by main with the `navigate` event, or read at load). */
export const navigationSchema = z.discriminatedUnion('to', [
  z.object({ to: z.literal('conversation'), conversationId: id, messageId: id.optional() }),
  z.object({ to: z.literal('newConversation'), sip: z.string().optional() }),
  z.object({ to: z.literal('settings') }),
  z.object({ to: z.literal('search') }),
]);

// ---------------------------------------------------------------- calls
/** Every call: args is a tuple schema (parsed in main), result the value on success. */
export const calls = {
  // session
  signIn: { args: z.tuple([signInRequestSchema]), result: sessionStateSchema },
  tryDemo: { args: z.tuple([]), result: sessionStateSchema },
  signOut: { args: z.tuple([z.object({ forget: z.boolean().optional() }).optional()]), result: z.null() },
  /** Sign out, forget the password and the remembered server, and remove this account's history,
   * database files and the logs from this computer. The renderer must say `confirm: true` (it asked). */
  deleteLocalHistory: { args: z.tuple([z.object({ confirm: z.literal(true) }).strict()]), result: z.object({ account: z.string() }) },
  sessionState: { args: z.tuple([]), result: sessionStateSchema },
  setAvailability: { args: z.tuple([availabilitySchema]), result: z.null() },
  // history (from the local cache)
  listConversations: {
    args: z.tuple([z.object({ filter: z.enum(['all', 'unread', 'missed']).optional(), contact: z.string().max(256).optional(), cursor, limit })]),
    result: page(conversationSchema),
  },
  getConversation: { args: z.tuple([id]), result: conversationSchema.nullable() },
  /** Chats (every conversation with the same people is one): the list's rows. */
  listChats: {
    args: z.tuple([z.object({ filter: z.enum(['all', 'unread', 'missed']).optional(), contact: z.string().max(256).optional(), cursor, limit })]),
    result: page(chatSchema),
  },
  getChat: { args: z.tuple([z.number().int()]), result: chatSchema.nullable() },
  chatConversationIds: { args: z.tuple([z.number().int()]), result: z.array(id) },
  listChatMessages: { args: z.tuple([z.number().int(), z.object({ cursor, limit })]), result: page(messageSchema) },
  firstUnreadMessage: { args: z.tuple([z.number().int()]), result: id.nullable() },
  listMessages: { args: z.tuple([id, z.object({ cursor, limit })]), result: page(messageSchema) },
  messagesAround: { args: z.tuple([id]), result: z.array(messageSchema) },
  search: { args: z.tuple([z.string().max(MAX_SEARCH_LENGTH), limit]), result: z.array(searchHitSchema) },
  searchMessages: {
    args: z.tuple([z.string().max(MAX_SEARCH_LENGTH), z.object({ sort: searchSortSchema.optional(), limit, offset: z.number().int().min(0).max(10_000).optional() })]),
    result: searchPageSchema,
  },
  markRead: { args: z.tuple([id]), result: z.null() },
  markAllRead: { args: z.tuple([]), result: z.null() },
  /** The calling window shows this conversation to the user now (visible, focused), or none (null). */
  setReading: { args: z.tuple([id.nullable()]), result: z.null() },
  unreadSummary: { args: z.tuple([z.number().int().min(1).max(50).optional()]), result: unreadSummarySchema },
  syncNow: { args: z.tuple([]), result: z.null() },
  syncProgress: { args: z.tuple([]), result: syncProgressSchema },
  // people and conversations
  searchPeople: { args: z.tuple([z.string().max(256), z.number().int().min(1).max(100).optional()]), result: z.array(personSchema) },
  startConversation: { args: z.tuple([sipLike, messageText]), result: z.object({ conversationId: id, clientId: z.string() }) },
  continueConversation: { args: z.tuple([id, messageText]), result: z.object({ conversationId: id, clientId: z.string() }) },
  send: { args: z.tuple([id, messageText]), result: outboxItemSchema },
  accept: { args: z.tuple([id]), result: z.null() },
  decline: { args: z.tuple([id]), result: z.null() },
  typing: { args: z.tuple([id]), result: z.null() },
  hangUp: { args: z.tuple([id]), result: z.null() },
  // group conversations (issue 14)
  /** A group with two or more others and its first message. */
  startGroup: { args: z.tuple([z.array(sipLike).min(2).max(MAX_GROUP_INVITEES), messageText, z.object({ subject: z.string().max(250).optional() }).optional()]), result: z.object({ conversationId: id, clientId: z.string() }) },
  addParticipants: { args: z.tuple([id, z.array(sipLike).min(1).max(MAX_GROUP_INVITEES)]), result: z.null() },
  leave: { args: z.tuple([id]), result: z.null() },
  /** A meeting's join URL or conference URI. */
  joinMeeting: { args: z.tuple([z.string().trim().min(3).max(2048)]), result: z.object({ conversationId: id }) },
  liveState: { args: z.tuple([id]), result: liveStateSchema.nullable() },
  connectedConversations: { args: z.tuple([]), result: z.array(id) },
  // contacts and presence (issue 13)
  contactList: { args: z.tuple([]), result: contactListSchema },
  refreshContacts: { args: z.tuple([]), result: contactListSchema },
  person: { args: z.tuple([sipArg]), result: personCardSchema.nullable() },
  findPeople: { args: z.tuple([z.string().max(256), z.object({ contactsOnly: z.boolean().optional(), limit: z.number().int().min(1).max(MAX_PAGE).optional() }).optional()]), result: z.array(personCardSchema) },
  /** Keep these people's presence live for the calling window and reason (replaces that window's last
   * set for the reason; [] releases it). */
  watchPeople: { args: z.tuple([z.array(sipArg).max(MAX_WATCHED), watchReasonSchema]), result: z.null() },
  setNote: { args: z.tuple([z.string().max(2048)]), result: myStatusSchema },
  setLocation: { args: z.tuple([z.string().max(256)]), result: myStatusSchema },
  myStatus: { args: z.tuple([]), result: myStatusSchema },
  resetAvailability: { args: z.tuple([]), result: z.null() },
  setGroupCollapsed: { args: z.tuple([z.number().int(), z.boolean()]), result: contactGroupSchema.nullable() },
  /** Add to or remove from Favourites (the server's pinned group). */
  setFavourite: { args: z.tuple([sipArg, z.boolean()]), result: z.null() },
  /** The person's photo from the disk cache (fetched once when online and not cached); null: none.
   * 'me' for your own. */
  personPhoto: { args: z.tuple([z.union([z.literal('me'), sipArg])]), result: photoSchema.nullable() },
  /** The people of a group (a ContactGroup id); a distribution group's are read from the server. */
  expandGroup: { args: z.tuple([z.number().int()]), result: z.array(personCardSchema) },
  // outbox
  retryOutbox: { args: z.tuple([z.string().min(1).max(128)]), result: outboxItemSchema },
  discardOutbox: { args: z.tuple([z.string().min(1).max(128)]), result: z.null() },
  // shell
  openExternal: { args: z.tuple([z.string().max(4096)]), result: z.null() },
  getSettings: { args: z.tuple([]), result: settingsSchema },
  setSettings: { args: z.tuple([settingsSchema.partial()]), result: settingsSchema },
  /** Open / focus a window, optionally navigating it. */
  showWindow: { args: z.tuple([windowNameSchema, navigationSchema.optional()]), result: z.null() },
  /** The renderer asks where to go at load (e.g. a sip: link or a notification click opened it). */
  pendingNavigation: { args: z.tuple([]), result: navigationSchema.nullable() },
  /** Hide the window that called (popup Esc, sign-in done). */
  closeWindow: { args: z.tuple([]), result: z.null() },
} as const;

// ---------------------------------------------------------------- events (main → renderer)
export const events = {
  session: sessionStateSchema,
  invitation: invitationInfoSchema,
  invitationProgress: invitationInfoSchema,
  message: messageSchema,
  /** A message row went away (an unsent message discarded, or a copy merged into its twin): drop it. */
  messageRemoved: z.object({ conversationId: id, messageId: id }),
  delivery: outboxItemSchema,
  typing: z.object({ conversationId: id, participants: z.array(personSchema) }),
  conversation: conversationSchema,
  chat: chatSchema,
  chatRemoved: z.object({ chatId: z.number().int() }),
  live: liveStateSchema,
  sync: syncProgressSchema,
  unread: unreadCountsSchema,
  settings: settingsSchema,
  navigate: navigationSchema,
  person: personCardSchema,
  contactList: z.object({ groups: z.array(contactGroupSchema) }),
  myStatus: myStatusSchema,
} as const;

// ---------------------------------------------------------------- derived types
export type CallName = keyof typeof calls;
export type EventName = keyof typeof events;
export type CallArgs<K extends CallName> = z.infer<(typeof calls)[K]['args']>;
export type CallResult<K extends CallName> = z.infer<(typeof calls)[K]['result']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
export type IpcError = z.infer<typeof ipcErrorSchema>;
export type IpcErrorCode = IpcError['code'];
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export type Settings = z.infer<typeof settingsSchema>;
export type Navigation = z.infer<typeof navigationSchema>;
export type WindowName = z.infer<typeof windowNameSchema>;
export type Conversation = z.infer<typeof conversationSchema>;
export type Chat = z.infer<typeof chatSchema>;
export type Message = z.infer<typeof messageSchema>;
export type OutboxItem = z.infer<typeof outboxItemSchema>;
export type SearchHit = z.infer<typeof searchHitSchema>;
export type SearchPage = z.infer<typeof searchPageSchema>;
export type SearchSort = z.infer<typeof searchSortSchema>;
export type SessionState = z.infer<typeof sessionStateSchema>;
export type InvitationInfo = z.infer<typeof invitationInfoSchema>;
export type LiveState = z.infer<typeof liveStateSchema>;
export type SyncProgress = z.infer<typeof syncProgressSchema>;
export type UnreadCounts = z.infer<typeof unreadCountsSchema>;
export type UnreadSummary = z.infer<typeof unreadSummarySchema>;
export type Person = z.infer<typeof personSchema>;
export type Availability = z.infer<typeof availabilitySchema>;
export type PersonCard = z.infer<typeof personCardSchema>;
export type ContactGroup = z.infer<typeof contactGroupSchema>;
export type ContactList = z.infer<typeof contactListSchema>;
export type MyStatus = z.infer<typeof myStatusSchema>;
export type Photo = z.infer<typeof photoSchema>;
export type WatchReasonIpc = z.infer<typeof watchReasonSchema>;

/** `window.ucwa` as the preload exposes it. Calls never reject: they resolve to a Result. */
export type UcwaApi = { [K in CallName]: (...args: CallArgs<K>) => Promise<Result<CallResult<K>>> } & {
  /** Subscribe to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** IPC channel names: one allow-listed channel per call and per event. */
export const callChannel = (name: CallName): string => `ucwa:call:${name}`;
export const eventChannel = (name: EventName): string => `ucwa:event:${name}`;
export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];
