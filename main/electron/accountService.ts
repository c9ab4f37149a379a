// The core's service is bound to one account's store. The app signs in to whichever account the
// user types (or the demo), so the shell holds one MessengerService that routes to a per-account
// inner service, replacing it (signed out, store closed) when another account signs in. Before
// any sign-in the inner service runs on an in-memory store. Listeners survive every switch.
import { AppError, type MessengerService, type ServiceEventName, type ServiceEvents, type SignInRequest } from '../core/app/types.ts';
import { describeError } from '../core/logSafe.ts';

export const SERVICE_EVENTS = [
  'session', 'invitation', 'invitationProgress', 'message', 'messageRemoved', 'delivery', 'typing', 'conversation', 'chat', 'chatRemoved', 'live', 'sync', 'unread',
  'person', 'contactList', 'myStatus',
] as const satisfies readonly ServiceEventName[];
// Compile-time: a service event missing above would never reach the windows.
type Exhaustive<A, B> = [Exclude<A, B>] extends [never] ? true : false;
const _allEvents: Exhaustive<ServiceEventName, (typeof SERVICE_EVENTS)[number]> = true;
void _allEvents;

export interface AccountServiceDeps {
  /** A service on the account's store; null → a throw-away in-memory store (nobody signed in yet). */
  create(account: string | null): Promise<MessengerService>;
  /** The remembered account to sign in with at launch (or null). */
  rememberedAccount(sip?: string): Promise<string | null>;
  /**
   * The server URL each remembered account signed in with (not a secret, so not in the keychain).
   * Without it a restart would sign in by the SIP domain's discovery, which fails wherever the user
   * had to type a server.
   */
  servers?: { get(account: string): Promise<string | undefined>; set(account: string, server: string | undefined): Promise<void> };
  /** The sign-in name (DOMAIN\\user, a UPN) of each remembered account that has one of its own: kept like the server. */
  logins?: { get(account: string): Promise<string | undefined>; set(account: string, login: string | undefined): Promise<void> };
  /**
   * Removes what this machine keeps of an account once it is signed out and its store closed: the
   * database with its -wal/-shm files, and the logs (which may name it). Its remembered server goes
   * through `servers`, its password through the keychain on sign-out.
   */
  removeLocalData?(account: string): Promise<void>;
  /**
   * Called before the open account's service is closed for another (a switch, or "Delete local
   * history"): whatever was taken from it (the windows' presence watches) is released while it
   * still runs. The windows see the new user and ask the new service again.
   */
  beforeSwitch?(): void;
  log?(line: string): void;
}

/** The shell's service: the account's MessengerService, plus what only the shell decides. */
export type AccountService = MessengerService & {
  /** The account whose history is open (kept after a sign-out), or null. */
  account(): string | null;
  /**
   * "Delete local history": signs out forgetting the password and the remembered server, closes the
   * store, then removes the account's files; the app goes on with nobody signed in.
   */
  deleteLocalHistory(): Promise<{ account: string }>;
};

export function accountKey(sip: string): string {
  const s = sip.trim().toLowerCase();
  return s.startsWith('sip:') ? s : `sip:${s}`;
}

export async function createAccountService(deps: AccountServiceDeps): Promise<AccountService> {
  let current = { account: null as string | null, service: await deps.create(null), offs: [] as (() => void)[] };
  const listeners = new Map<ServiceEventName, Set<(p: unknown) => void>>();
  let switching: Promise<void> = Promise.resolve();

  function attach(): void {
    current.offs = SERVICE_EVENTS.map((name) =>
      current.service.on(name, (payload) => {
        for (const l of listeners.get(name) ?? []) l(payload);
      }),
    );
  }
  attach();

  function released(): void {
    try {
      deps.beforeSwitch?.();
    } catch (err) {
      deps.log?.(`account switch: releasing failed: ${describeError(err)}`);
    }
  }

  function switchTo(account: string): Promise<void> {
    const next = switching.then(async () => {
      if (current.account === account) return;
      const old = current;
      released();
      old.offs.forEach((off) => off());
      await old.service.close().catch((err: unknown) => deps.log?.(`account switch: closing ${old.account ?? '(none)'} failed: ${describeError(err)}`));
      current = { account, service: await deps.create(account), offs: [] };
      attach();
      deps.log?.(`account: now ${account}`);
    });
    switching = next.catch(() => undefined);
    return next;
  }

  const s = () => current.service;
  return {
    account: () => current.account,
    async signIn(request: SignInRequest) {
      const account = accountKey(request.sip);
      await switchTo(account);
      const service = s();
      const state = await service.signIn(request);
      const rememberServer = () => Promise.all([
        deps.servers?.set(account, request.server?.trim() || undefined).catch((err: unknown) => deps.log?.(`account: could not remember the server of ${account}: ${describeError(err)}`)),
        deps.logins?.set(account, request.login?.trim() || undefined).catch((err: unknown) => deps.log?.(`account: could not remember the sign-in name of ${account}: ${describeError(err)}`)),
      ]);
      if (state.status === 'online' && request.remember && !request.demo) await rememberServer();
      else if (state.status === 'reconnecting' && request.remember && !request.demo) {
        // Settled early (the retry is far off): remember the server once it is online.
        const off = service.on('session', (st) => {
          if (st.status !== 'online' && st.status !== 'error' && st.status !== 'signedOut') return;
          off();
          if (st.status === 'online') void rememberServer();
        });
      }
      return state;
    },
    async signInRemembered(sip?: string) {
      const account = await deps.rememberedAccount(sip);
      if (!account) return null;
      await switchTo(accountKey(account));
      const server = await deps.servers?.get(accountKey(account)).catch(() => undefined);
      const login = await deps.logins?.get(accountKey(account)).catch(() => undefined);
      return s().signInRemembered(account, server || login ? { ...(server ? { server } : {}), ...(login ? { login } : {}) } : undefined);
    },
    async signOut(opts) {
      await s().signOut(opts);
      // "Forget me": the remembered account goes too, not only its password (a plain sign-out keeps both).
      const account = current.account;
      if (opts?.forget && account) {
        await deps.servers?.set(account, undefined).catch((err: unknown) => deps.log?.(`account: could not forget the server: ${describeError(err)}`));
        await deps.logins?.set(account, undefined).catch((err: unknown) => deps.log?.(`account: could not forget the sign-in name: ${describeError(err)}`));
      }
    },
    deleteLocalHistory() {
      const next = switching.then(async () => {
        const account = current.account;
        if (!account) throw new AppError({ code: 'notSignedIn', message: 'No account\'s history is open here: sign in to the account whose history you want to delete.' });
        if (!deps.removeLocalData) throw new AppError({ code: 'internal', message: 'Deleting the local history is not available here.' });
        const old = current;
        // Signed out and its store closed first: no write may land in files about to go.
        await old.service.signOut({ forget: true }).catch((err: unknown) => deps.log?.(`account: sign-out before deleting failed: ${describeError(err)}`));
        released();
        old.offs.forEach((off) => off());
        try {
          await old.service.close();
        } catch (err) {
          throw new AppError({ code: 'storage', message: 'The history could not be closed, so nothing was deleted. Quit UCWA Tray and try again.' }, { cause: err });
        } finally {
          current = { account: null, service: await deps.create(null), offs: [] };
          attach();
        }
        await deps.servers?.set(account, undefined);
        await deps.logins?.set(account, undefined);
        try {
          await deps.removeLocalData(account);
        } catch (err) {
          throw new AppError({ code: 'storage', message: `The local history could not be deleted: ${err instanceof Error ? err.message : String(err)}` }, { cause: err });
        }
        // The windows show the session of the (empty) service that took over.
        for (const l of listeners.get('session') ?? []) l(current.service.state());
        return { account };
      });
      switching = next.then(() => undefined, () => undefined);
      return next;
    },
    state: () => s().state(),
    setAvailability: (a) => s().setAvailability(a),
    reportIdle: (idle, locked, awayAfterSec) => s().reportIdle(idle, locked, awayAfterSec),
    nudge: (reason) => s().nudge(reason),
    searchPeople: (q, limit) => s().searchPeople(q, limit),
    startConversation: (to, text) => s().startConversation(to, text),
    continueConversation: (id, text) => s().continueConversation(id, text),
    send: (id, text, opts) => s().send(id, text, opts),
    delivery: (clientId) => s().delivery(clientId),
    accept: (id) => s().accept(id),
    decline: (id) => s().decline(id),
    typing: (id) => s().typing(id),
    hangUp: (id) => s().hangUp(id),
    startGroup: (to, text, opts) => s().startGroup(to, text, opts),
    addParticipants: (id, sips) => s().addParticipants(id, sips),
    leave: (id) => s().leave(id),
    joinMeeting: (urlOrUri) => s().joinMeeting(urlOrUri),
    liveState: (id) => s().liveState(id),
    connectedConversations: () => s().connectedConversations(),
    listConversations: (q) => s().listConversations(q),
    getConversation: (id) => s().getConversation(id),
    listChats: (q) => s().listChats(q),
    getChat: (id) => s().getChat(id),
    chatConversationIds: (id) => s().chatConversationIds(id),
    listChatMessages: (id, q) => s().listChatMessages(id, q),
    firstUnreadMessage: (id) => s().firstUnreadMessage(id),
    listMessages: (id, q) => s().listMessages(id, q),
    messagesAround: (id) => s().messagesAround(id),
    search: (text, limit) => s().search(text, limit),
    searchMessages: (text, query) => s().searchMessages(text, query),
    markRead: (id) => s().markRead(id),
    markAllRead: () => s().markAllRead(),
    setReading: (window, id) => s().setReading(window, id),
    isReading: (id) => s().isReading(id),
    unreadSummary: (limit) => s().unreadSummary(limit),
    syncNow: () => s().syncNow(),
    syncProgress: () => s().syncProgress(),
    retryOutbox: (id) => s().retryOutbox(id),
    discardOutbox: (id) => s().discardOutbox(id),
    contactList: () => s().contactList(),
    refreshContacts: () => s().refreshContacts(),
    person: (sip) => s().person(sip),
    findPeople: (q, opts) => s().findPeople(q, opts),
    // The release goes to the service that took the watch (an account switch closed the other).
    watchPeople: (sips, reason) => s().watchPeople(sips, reason),
    setNote: (text) => s().setNote(text),
    setLocation: (text) => s().setLocation(text),
    myStatus: () => s().myStatus(),
    resetAvailability: () => s().resetAvailability(),
    setGroupCollapsed: (id, collapsed) => s().setGroupCollapsed(id, collapsed),
    setFavourite: (sip, favourite) => s().setFavourite(sip, favourite),
    personPhoto: (sip) => s().personPhoto(sip),
    expandGroup: (groupId) => s().expandGroup(groupId),
    on<E extends ServiceEventName>(event: E, listener: (payload: ServiceEvents[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => void set.delete(l);
    },
    async close() {
      await switching;
      current.offs.forEach((off) => off());
      await current.service.close();
    },
  };
}
