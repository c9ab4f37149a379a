// Public, programmatic API of the UCWA 2.0 simulator. Composition roots (CLI demo mode, the
// Electron shell's demo, tests, bench) import only this file and `simulator/index.ts`.
// The client never imports the simulator and the simulator never imports the client.

/** A simulated person's behaviour when someone writes to them. */
export type Behaviour =
  | { kind: 'echo' } // answers every message with "Echo: <text>"
  | { kind: 'reply'; afterMs: number; text?: string } // answers after a delay (text or a canned line)
  | { kind: 'typeThenReply'; typingMs: number; text?: string } // shows typing, then answers
  | { kind: 'neverAnswer' } // the invitation times out (invitationTimeoutMs)
  | { kind: 'decline' } // declines at once
  | { kind: 'writeFirst'; afterMs: number; text: string }; // sends an IM to the user after sign-in (makeMeAvailable)

/**
 * How a simulated person's presence moves (accounts instead report the presence of their own
 * applications). 'rhythm': a seeded working day on the simulator's day clock — Offline until they
 * arrive, Available, meetings (Busy / in-a-meeting, sometimes DoNotDisturb / presenting), calls,
 * breaks (BeRightBack), an idle spell (IdleOnline, then Away), lunch (Away or BeRightBack), off-work
 * (Away / off-work), Offline in the evening. An object: always that presence. Either way
 * control.setPresence overrides it until control.clearPresence.
 */
export type PresencePlan = 'rhythm' | { availability: string; activity?: string; deviceType?: string };

/** An account's contact list (PROTOCOL-2 §1.6). Members are SIP URIs of directory users. */
export interface SimContactList {
  /** The pinnedGroup ("Pinned Contacts" — what the official client shows as Favorites). */
  favourites?: string[];
  /** The defaultGroup ("Other Contacts"). */
  other?: string[];
  /** User-created groups, in this order. */
  groups?: { name: string; members: string[] }[];
  /** Mail-enabled groups; `size` (default: members.length) decides 403 TooManyContacts on expansion. */
  distributionGroups?: { name: string; uri: string; members: string[]; size?: number }[];
}

export interface SimUser {
  /** "sip:alice@contoso.com" */
  sip: string;
  name: string;
  /** Only users with a password can sign in. */
  password?: string;
  /**
   * The names this account signs in with (PROTOCOL-2 §3.2): e.g. "CONTOSO\\jdoe", "jdoe@corp.contoso.com",
   * "jdoe" — compared case-insensitively. When set, ONLY these are accepted (the SIP address is a
   * different thing, as where the Windows account differs from it); when absent, the SIP address
   * (with or without "sip:") is the sign-in name, as in Microsoft's trace.
   */
  signInNames?: string[];
  /** The fake AD FS of passive sign-in (PROTOCOL-2 §3.4) says the account is locked (after a right password); the password grant ignores it. */
  locked?: boolean;
  title?: string;
  department?: string;
  email?: string;
  behaviour?: Behaviour;
  /** Directory fields of the contact resource (PROTOCOL-2 §1.4); company defaults to "Contoso". */
  company?: string;
  office?: string;
  /** tel: URIs, e.g. "tel:+14255550107". */
  workPhoneNumber?: string;
  mobilePhoneNumber?: string;
  /** Note others see (contactNote); for an account, its own note at start. */
  note?: string;
  noteType?: 'Personal' | 'OutOfOffice';
  /** Location others see (contactLocation); for an account, its own location at start. */
  location?: string;
  /** Simulated people only. Default: fixed, from the behaviour (neverAnswer → Away, decline → Busy, else Online). */
  presence?: PresencePlan;
  /** Accounts only. Default: every simulated person in "Other Contacts", no other groups. */
  contactList?: SimContactList;
  /** Simulated people only: how they act in group conversations (conferences). */
  group?: GroupHabits;
}

/** What a simulated person does in group conversations (conferences, PROTOCOL-2 §2). */
export interface GroupHabits {
  /**
   * Invites each signed-in account to a group with these people (SIP URIs), `afterMs` protocol ms
   * after the account's first makeMeAvailable — once, or again every `everyMs`.
   */
  invite?: { afterMs: number; with: string[]; subject?: string; text?: string; everyMs?: number };
  /** Comes this many protocol ms after the group starts (or after being added), instead of at once. */
  joinLateMs?: number;
  /** Leaves a group this many protocol ms after joining it. */
  leaveAfterMs?: number;
  /** Answers in groups: when a signed-in user writes, one such member replies after `afterMs` (typing first). */
  reply?: { afterMs: number; text?: string };
}

export interface SimulatorOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 0 (a free port)
  /** SIP domain of the users; default "contoso.com". */
  domain?: string;
  /** Demo world seed: same seed → same contacts, logs, transcripts. */
  seed?: number | string;
  /** Generate the demo world (contacts + a few hundred past conversations); default true. */
  demoWorld?: boolean;
  /** Number of past conversations generated per signing-in user in the demo world; default 300. */
  demoConversations?: number;
  /** Extra users (signing-in or remote). The demo world adds its own. */
  users?: SimUser[];
  /** Every timer is multiplied by this (0.001 → real sequences in milliseconds). Default 1. */
  timeScale?: number;
  /** Token lifetime in (unscaled) seconds; default 28800 (8 h). */
  tokenLifetimeSec?: number;
  /** P-GET empty-release timeout when the client gives none, unscaled seconds; default 180. */
  eventTimeoutSec?: number;
  /** No P-GET for this long (unscaled seconds) → application terminated (410 InactiveApplicationExpired); default 900. */
  applicationExpirySec?: number;
  /** After termination, how long (unscaled seconds) until 410 turns into 404 ApplicationNotFound; default 300. */
  applicationForgetSec?: number;
  /** Event channel counts as dead (500 CallbackChannelError on continue/start) after this many unscaled seconds without a P-GET parked or released; default 60. */
  callbackChannelDeadSec?: number;
  /** Unanswered invitation (either direction) fails after this many unscaled seconds; default 30. */
  invitationTimeoutSec?: number;
  /** A finished conversation becomes a conversationLog after this many unscaled seconds; default 10. */
  logDelaySec?: number;
  /** Transcript page size; default 20. */
  transcriptPageSize?: number;
  /** Re-deliver the invitation's first message as a message event after accept (as the trace does); default true. */
  redeliverFirstMessage?: boolean;
  /**
   * The grants the MsRtcOAuth challenge offers (PROTOCOL-2 §3.7), in order; default Microsoft's trace:
   * urn:microsoft.rtc:windows, urn:microsoft.rtc:anonmeeting, password. A grant not listed is refused
   * with 400 unsupported_grant_type (X-Ms-diagnostics 28029).
   */
  grants?: string[];
  /**
   * Hybrid Modern Authentication (PROTOCOL-2 §3.6): the Bearer challenge adds
   * authorization_uri="<pool origin>/oauth2/authorize" and each pool serves a fake authorization
   * server there — authorization code + PKCE (S256 only), loopback redirect URIs (RFC 8252 §7.3),
   * rotating refresh tokens — whose access tokens the pool accepts only for the resource they were
   * issued for (its origin + "/"). `clientIds`: the registered public clients (unset or empty: any).
   * Absent = off (/oauth2/* answers 404).
   */
  modernAuth?: { clientIds?: string[] };
  /**
   * AD FS / passive sign-in (PROTOCOL-2 §3.4), served when `grants` lists urn:microsoft.rtc:passive:
   * a fake AD FS form on the pool host, with a verification code step when `mfa` (code `mfaCode`,
   * default "123456"); the pool's cookie lasts `cookieLifetimeSec` (unscaled; default 28800 = AD FS's
   * 8 h web SSO lifetime).
   */
  passive?: { mfa?: boolean; mfaCode?: string; cookieLifetimeSec?: number };
  /**
   * The origin each pool (first, second) names itself by in every link and challenge, e.g.
   * "https://lyncweb.fabrikam.com" — a pool in another domain than the users' SIP domain. The pool
   * still listens on loopback: a test's fetch maps these names to `listenOrigins` (the client sees,
   * and judges, the names). Default: the listening origin.
   */
  publicOrigins?: string[];
  /**
   * Also serve an HTTP first hop (PROTOCOL-2 §3.9) on its own port (`firstHopOrigin`): 'redirect'
   * answers every GET with 301 to the first pool's https root, as Microsoft describes; 'root'
   * answers the discovery body itself over HTTP (a deployment a client must not trust blindly).
   */
  httpFirstHop?: 'redirect' | 'root';
  /** Serve a second pool: users listed here are homed there and get a `redirect` from the first. */
  redirectUsers?: string[];
  /** Expose POST/GET /_control/... (loopback only). Default false. */
  controlEndpoint?: boolean;
  /** Optional cap on applications per user → 410 TooManyApplications. */
  maxApplicationsPerUser?: number;
  /** Log each request to this function. */
  log?: (line: string) => void;
  /**
   * No P-GET for this long (unscaled seconds) after the last release, but not yet expired → the
   * server tears down the application's live conversations and invitations and answers the next
   * P-GET with `_links.resume` instead of `next` (PROTOCOL §3.3). Default 0 = off (only takes
   * effect when smaller than applicationExpirySec).
   */
  resumeAfterSec?: number;
  /**
   * After makeMeAvailable, no reportMyActivity for this long (unscaled seconds) → application
   * terminated (410 InactiveApplicationExpired, PROTOCOL §2.3/§4.3). Default 0 = off.
   */
  activityExpirySec?: number;
  /**
   * Presence decay (PROTOCOL §4.3): inactiveTimeout used when makeMeAvailable sends none, in
   * unscaled seconds. Default 0 = no decay unless the client sends `inactiveTimeout`.
   */
  inactiveTimeoutSec?: number;
  /** After IdleOnline/IdleBusy, this many more unscaled seconds without activity → Away; default 600. */
  awayAfterIdleSec?: number;
  /**
   * An IM to a signed-in account with an available application (e.g. demo → demo2) rings that
   * account's applications instead of running a simulated behaviour. Default true.
   */
  routeBetweenAccounts?: boolean;
  /**
   * An IM to an account with no available application (signed out, or its app not yet available):
   * 'behaviour' (default) answers as the account's simulated behaviour, like any colleague — handy
   * in the demo; 'missed' treats it as a person who is not there: the caller's invitation fails
   * (TemporarilyUnavailable) and the account finds it as a missed conversation in its history, as
   * the simulator does for a colleague's IM that nobody could be rung for.
   */
  offlineAccounts?: 'behaviour' | 'missed';
  /**
   * Simulated time of day ("HH:MM") when the simulator starts; the day then runs at timeScale
   * (1 → real time, 0.001 → a day in 86 s). Drives the 'rhythm' presence. Default "09:30" so that a
   * demo always opens on a working morning whatever the wall clock says.
   */
  dayStart?: string;
  /** false: 'rhythm' people stay at their dayStart presence (stable client tests). Default true. */
  presenceRhythm?: boolean;
  /** Presence subscriptions per application before 403 LimitExceeded (PROTOCOL-2 §1.8); default 10. */
  maxPresenceSubscriptions?: number;
  /** Contact URIs per presence subscription before 403 LimitExceeded; default 250. */
  maxPresenceSubscriptionUris?: number;
  /** "About to expire" updated event this many unscaled seconds before a presence / contacts-and-groups subscription expires; default 60. */
  subscriptionWarningSec?: number;
  /** Status of a successful presence subscription extension: 200 (task page; default) or 201 (reference page). */
  presenceExtendStatus?: 200 | 201;
  /** expandDistributionGroup of a larger group → 403 TooManyContacts; default 100. */
  distributionGroupExpandLimit?: number;
  /** Contact list size cap for POST myGroupMemberships → 409 LimitExceeded; default 250. */
  maxContacts?: number;
  /** policies.photos: 'Disabled' says the organisation shows no photos (clients should not fetch them); default 'Enabled'. */
  photosPolicy?: 'Enabled' | 'Disabled';
  /**
   * Participant hrefs in conferences: 'opaque' (default) numbers as in Microsoft's reference samples
   * (…/participants/196), so a client cannot read SIP addresses from hrefs; 'sip' the trace style
   * (…/participants/alice@contoso.com) that 1:1 conversations always use.
   */
  participantHrefs?: 'opaque' | 'sip';
  /** Escalating a 1:1 (addParticipant): 'stays' (default) messaging stays Connected; 'drops' it goes Disconnected and the client must addMessaging again (PROTOCOL-2 §2.5 step 6). */
  escalationMessaging?: 'stays' | 'drops';
  /** Escalating a 1:1: 'keep' (default) participant hrefs survive; 'renew' the other party is deleted and re-added with a new (opaque) href. */
  escalationParticipantHrefs?: 'keep' | 'renew';
  /** Escalating a 1:1: 'keep' (default) the conversation keeps its threadId; 'new' the conference gets a new one (conversation updated events carry it). */
  escalationThreadId?: 'keep' | 'new';
  /** A simulated person invited with addParticipant accepts after this many unscaled seconds (unless their group habit says otherwise); default 2. */
  participantAcceptSec?: number;
  /**
   * participant added/updated events: 'embedded' (default) carry the participant resource and a
   * title, as Microsoft's traces do; 'bare' carry only the link, as participants_ref's example
   * (PROTOCOL-2 §2.7) — the client must GET the participant to learn who it is.
   */
  participantEvents?: 'embedded' | 'bare';
  /** Ad hoc meetings (startOnlineMeeting) offered: true (default); false — a policy without them: no link, a POST refused 403. */
  adHocMeetings?: boolean;
  /** continueMessaging on a ConferenceLog: false (default) → 409 None; true → a new conference with the log's people and threadId. */
  continueConferenceLogs?: boolean;
  /** People with a `group.invite` habit invite signed-in accounts to group conversations by themselves (the demo world has one); default true. */
  autoGroupInvites?: boolean;
}

/** What control.setPresence changes; omitted fields stay as they are. */
export interface PresenceChange {
  /** Any string (unknown tokens such as "Sleeping" are served verbatim, for client robustness tests). Accounts: a PreferredAvailability, applied as if another endpoint of theirs set it. */
  availability?: string;
  /** Activity string; null → no activity property at all. Default: the usual one for the availability. */
  activity?: string | null;
  deviceType?: string;
  /** When they were last active (ms since the epoch, the simulator's clock); default: now. Served as `lastActive` ("Away 20 min"). */
  lastActive?: number;
  note?: string;
  noteType?: 'Personal' | 'OutOfOffice';
  location?: string;
}

/** A person's presence as contactPresence / contactNote / contactLocation serve it. */
export interface PresenceSnapshot {
  availability: string;
  activity: string | undefined;
  deviceType: string;
  /** Epoch ms (served as "/Date(ms)/"). */
  lastActive: number;
  note: string;
  noteType: 'Personal' | 'OutOfOffice';
  location: string;
}

/** One stretch of a 'rhythm' person's simulated day. */
export interface ScheduleSlot {
  from: string; // "HH:MM"
  to: string; // "HH:MM" ("24:00" for the end of the day)
  availability: string;
  activity: string | undefined;
}

/**
 * A person's photo (contactPhoto / me photo). 'default': a small PNG avatar; 'changed': another one
 * (new ETag, no event — photos have none); 'none': 404; hostile ones for client robustness:
 * 'notImage' (Content-Type image/jpeg, HTML bytes), 'wrongType' (text/html), 'huge' (an image/png
 * of 5 MB, or `hugeBytes`), or any bytes.
 */
export type PhotoSpec = 'default' | 'changed' | 'none' | 'notImage' | 'wrongType' | 'huge' | { hugeBytes: number } | { contentType: string; base64: string };

/** One injected fault. Matches requests whose method (if given) and path pattern match. */
export interface Fault {
  /** Substring or RegExp source matched against the request path (e.g. "continueMessaging", "/events"). */
  route: string;
  method?: string;
  /** Reply with this status and UCWA error body (code derived from status unless given). */
  status?: number;
  code?: string;
  subcode?: string;
  message?: string;
  /** Delay before handling (ms, not scaled). */
  latencyMs?: number;
  /** Destroy the socket without an answer (the request is not carried out). */
  drop?: boolean;
  /** Carry the request out, then destroy the socket instead of answering (the answer is lost). */
  dropAnswer?: boolean;
  /** For the event channel: hold P-GETs forever (no events, no timeout release). */
  stall?: boolean;
  /** How many times the fault fires; default Infinity. */
  times?: number;
  /** With `status`: send `Retry-After: <seconds>` (429 / 503 as a throttling server does). */
  retryAfter?: number;
  /** A name for this fault in faultsFired() (e.g. the soak's fault kind); default route + status. */
  label?: string;
}

export interface SimulatorControl {
  /** A remote user writes to a signed-in user: emits the incoming invitation (§6.1) to each available application of `to`. Resolves with the invitation's server id. */
  sendIm(from: string, to: string, text: string, opts?: { html?: string; subject?: string }): Promise<string>;
  /** In an existing live conversation (by threadId), the remote `from` sends a message. */
  sendInConversation(threadId: string, from: string, text: string): Promise<void>;
  /** Remote starts / stops typing in a live conversation. */
  setTyping(threadId: string, from: string, typing: boolean): Promise<void>;
  setBehaviour(sip: string, behaviour: Behaviour): void;
  /**
   * `from` starts a group conversation (an ad hoc conference) with `others` in it and invites `to`:
   * every available application of `to` rings with an incoming `onlineMeetingInvitation` (first
   * answer wins). `text` is the invitation's first message. Returns the conference id (the part
   * after `focus:id:`); with nobody to ring, `to` gets a Missed ConferenceLog.
   */
  groupInvite(args: GroupInviteArgs): Promise<string>;
  /** A simulated person, a phone (tel: URI) or any SIP URI joins the conference (and its IM unless a phone: `inIm` overrides). */
  groupJoin(confId: string, uri: string, opts?: { inIm?: boolean; name?: string }): Promise<void>;
  /** A member leaves; for a signed-in account, its applications leave as with DELETE conversation. */
  groupLeave(confId: string, uri: string): Promise<void>;
  /** A member writes in the conference's IM (joining the IM first if needed). */
  groupSay(confId: string, from: string, text: string, opts?: { html?: string }): Promise<void>;
  groupTyping(confId: string, from: string, typing: boolean): Promise<void>;
  /** The conference ends for everyone (reason subcode `Ended`). */
  endConference(confId: string): Promise<void>;
  /** What the server holds: live and ended conferences (those `userSip` ever took part in, or all). */
  conferences(userSip?: string): ConferenceInfo[];
  /** A scheduled meeting the world knows; join it with joinOnlineMeeting. */
  scheduleMeeting(args: { organizer: string; subject?: string; members?: string[] }): { joinUrl: string; onlineMeetingUri: string };
  /** The scheduled meetings (of which `userSip` is organizer or member, or all). */
  meetings(userSip?: string): { id: string; organizer: string; subject: string; members: string[]; joinUrl: string; onlineMeetingUri: string }[];
  addFault(fault: Fault): () => void; // returns a remover
  clearFaults(): void;
  /** How many times faults fired since the start, per label (Fault.label, else "<route> <status|drop|stall|latency>"). */
  faultsFired(): Record<string, number>;
  /** Make the user's current tokens invalid now (next request → 401). */
  expireTokens(sip?: string): void;
  /** Terminate applications now (410 InactiveApplicationExpired); with forget, 404 ApplicationNotFound at once. */
  expireApplications(sip?: string, opts?: { forget?: boolean }): void;
  /** Drop every open connection (parked P-GETs included) without answers. */
  dropConnections(): void;
  /** Add a past conversation log for a user (returns the log id). */
  addLog(userSip: string, log: { with: string[]; messages: { from: string; text: string; html?: string; at: number }[]; subject?: string; status?: 'Archived' | 'Missed'; direction?: 'Incoming' | 'Outgoing'; unread?: boolean }): string;
  /** Everything the server received from signed-in users, for assertions. */
  receivedMessages(userSip?: string): { from: string; to: string[]; threadId: string; text: string; contentType: string; at: number }[];
  /** Logs stored for a user (ids stable across applications). */
  logIds(userSip: string): string[];
  /** Number of live conversations of a user. */
  liveConversations(userSip: string): { threadId: string; state: string; participants: string[] }[];
  /** Request counters per route, for benchmarks and tests (e.g. "GET transcripts"). */
  requestCount(): number;
  /**
   * Change a person's presence, note or location now: `contactPresence` / `contactNote` /
   * `contactLocation` updated events go to every application whose presence subscription covers
   * them. A simulated person keeps the given presence (the rhythm pauses) until clearPresence. For
   * an account, availability acts as another endpoint of theirs would (their applications get a
   * `presence` updated event) and note/location as POST me/note / me/location do.
   */
  setPresence(sip: string, change: PresenceChange): void;
  /** Back to the person's plan (rhythm or fixed); events if that changes what others see. */
  clearPresence(sip: string): void;
  /** What others see of the person now. */
  presenceOf(sip: string): PresenceSnapshot;
  /** A 'rhythm' person's slots for the current simulated day ([] for anyone else). */
  daySchedule(sip: string): ScheduleSlot[];
  /** Simulated time of day now, "HH:MM". */
  dayTime(): string;
  /**
   * Put `contactSip` into one of the user's groups: 'pinnedGroup' (Favourites), 'defaultGroup', or a
   * user group's name (created when new: `group` added event). Apps of the user with a running
   * myContactsAndGroupsSubscription get `contact` added (in myContacts when new to the list, and in
   * the group). No-op when already there.
   */
  addToGroup(userSip: string, contactSip: string, group: string): void;
  /** Take the contact out of one group (same names as addToGroup), or out of every group. */
  removeFromGroup(userSip: string, contactSip: string, group?: string): void;
  /** The user's groups now (pinned, default, user groups, distribution groups). */
  contactList(userSip: string): { kind: string; id: string; name: string; uri?: string; members: string[] }[];
  /** Live presence subscriptions (of one user's applications, or all), for assertions. */
  presenceSubscriptions(userSip?: string): { app: string; id: string; uris: string[]; groupId: string | undefined; remainingSec: number }[];
  /** Replace a person's photo (see PhotoSpec). */
  setPhoto(sip: string, photo: PhotoSpec): void;
}

export interface GroupInviteArgs {
  from: string;
  to: string;
  others?: string[];
  subject?: string;
  text?: string;
}

export interface ConferenceInfo {
  id: string;
  uri: string;
  joinUrl: string;
  subject: string;
  threadId: string;
  organizer: string;
  ended: boolean;
  members: { uri: string; name: string; role: 'Leader' | 'Attendee'; inIm: boolean; account: boolean }[];
  /** Everyone who ever took part (URIs). */
  everyone: string[];
  /** Everyone ever invited (groupInvite, addParticipant), whether or not they came. */
  invited: string[];
  messages: { from: string; name: string; text: string; html?: string; at: number }[];
}

export interface Simulator {
  /** The discovery root URL, e.g. "http://127.0.0.1:5123/autodiscover/autodiscoverservice.svc/root". */
  readonly url: string;
  /** Base origin, e.g. "http://127.0.0.1:5123" (the first pool's public origin when publicOrigins is set). */
  readonly origin: string;
  /** Where each pool really listens (same order as publicOrigins). */
  readonly listenOrigins: string[];
  /** The HTTP first hop's listening origin, when httpFirstHop is set. */
  readonly firstHopOrigin: string | undefined;
  readonly domain: string;
  /** Users that can sign in (sip + password). */
  readonly accounts: { sip: string; password: string; name: string }[];
  /** Remote users (contacts) of the demo world and the options. */
  readonly people: SimUser[];
  readonly control: SimulatorControl;
  /** Stop: closes every connection (parked P-GETs included) and the listener. */
  stop(): Promise<void>;
  /** Stop and start again on the same port; state (users, logs) survives, applications and tokens do not. */
  restart(): Promise<void>;
}

export type StartSimulator = (options?: SimulatorOptions) => Promise<Simulator>;
