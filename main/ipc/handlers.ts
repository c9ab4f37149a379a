// Transport-neutral handlers for the IPC contract: the Electron shell registers these on ipcMain
// (after checking the sender) and the renderer's browser test bridge calls the very same functions,
// so the tests exercise the real handler code. Every argument is parsed with the contract's schema;
// every failure becomes a typed IpcError in a Result — nothing throws across the boundary.
import type { MessengerService, SignInRequest } from '../core/app/types.ts';
import {
  calls, eventNames, ipcErrorSchema, type CallArgs, type CallName, type CallResult, type EventName, type EventPayload,
  type IpcError, type Navigation, type Result, type Settings, type WindowName,
} from './contract.ts';
import { describeError } from '../core/logSafe.ts';
import { normaliseServerUrl } from '../core/ucwa/serverUrl.ts';

/** What only the host (Electron shell, or the test bridge) can do. */
export interface HandlerHost {
  /** Start the built-in demo server and return how to sign in to it. */
  startDemo(): Promise<SignInRequest>;
  getSettings(): Promise<Settings>;
  setSettings(patch: Partial<Settings>): Promise<Settings>;
  /** Open an already-validated http(s) URL in the user's browser. */
  openExternal(url: string): Promise<void>;
  showWindow(name: WindowName, navigation?: Navigation): Promise<void>;
  /** Hide the window that made the call (the host knows which one; the bridge may ignore it). */
  closeWindow(caller: CallerInfo): Promise<void>;
  pendingNavigation(caller: CallerInfo): Promise<Navigation | null>;
  /** Delete the open account's local history (signed out and its store closed first); absent where there is none. */
  deleteLocalHistory?(): Promise<{ account: string }>;
  log?(line: string): void;
}

/** Who called: the shell fills this from the IPC event; the test bridge passes a window name. */
export interface CallerInfo {
  window?: WindowName | string;
}

export type Handlers = {
  [K in CallName]: (caller: CallerInfo, rawArgs: unknown) => Promise<Result<CallResult<K>>>;
};

/** What the host tells the handlers outside any call (the shell: window lifecycle, account switch). */
export interface HandlerControls {
  /**
   * The window went away or reloaded (a new page holds none of the old one's state): the presence
   * it kept live (watchPeople) is released.
   */
  releaseWindow(window: string): void;
  /** Every window's watches released (the service switched account: they were the other one's). */
  releaseAll(): void;
}

/** Only http(s) links leave the app, and never with credentials in them. */
export function validateExternalUrl(raw: string): URL | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  if (!url.hostname) return null;
  return url;
}

function toIpcError(err: unknown): IpcError {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    const e = err as { code: string; message?: unknown; status?: unknown; ucwaCode?: unknown; subcode?: unknown };
    const parsed = ipcErrorSchema.safeParse({
      code: e.code,
      message: typeof e.message === 'string' && e.message ? e.message : 'Something went wrong.',
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
      ...(typeof e.ucwaCode === 'string' ? { ucwaCode: e.ucwaCode } : {}),
      ...(typeof e.subcode === 'string' ? { subcode: e.subcode } : {}),
    });
    if (parsed.success) return parsed.data;
  }
  // Unknown failures never leak stack traces or internals to the renderer.
  return { code: 'internal', message: 'Something went wrong inside UCWA Tray. Please try again.' };
}

type Impl = { [K in CallName]: (caller: CallerInfo, ...args: CallArgs<K>) => Promise<CallResult<K>> };

const pick = (s: { conversationId: number; clientId: string }) => ({ conversationId: s.conversationId, clientId: s.clientId });

export function createHandlers(service: MessengerService, host: HandlerHost): Handlers & HandlerControls {
  const nul = async <T>(p: Promise<T> | T): Promise<null> => {
    await p;
    return null;
  };
  /** The presence each window keeps live, by window and reason (see watchPeople). */
  const watches = new Map<string, () => void>();
  const watchKey = (window: string, reason: string) => `${window}\u0000${reason}`;
  const release = (keep: (key: string) => boolean) => {
    for (const [key, off] of [...watches]) {
      if (keep(key)) continue;
      watches.delete(key);
      try {
        off();
      } catch (err) {
        host.log?.(`ipc: releasing a watch failed: ${describeError(err)}`);
      }
    }
  };
  const impl: Impl = {
    signIn: (_c, req) => {
      // An empty field means "find it from my address".
      // The sign-in name goes as typed: the core trims it and says in words what is wrong with one.
      const login = req.login !== undefined ? { login: req.login } : {};
      if (req.server === undefined || !req.server.trim()) return service.signIn({ sip: req.sip, password: req.password, ...login, ...(req.remember !== undefined ? { remember: req.remember } : {}) });
      const server = normaliseServerUrl(req.server);
      if (!server.ok) throw { code: 'invalidInput', message: server.message };
      return service.signIn({ ...req, server: server.url });
    },
    tryDemo: async () => service.signIn({ ...(await host.startDemo()), demo: true }),
    signOut: (_c, opts) => nul(service.signOut(opts)),
    deleteLocalHistory: async () => {
      if (!host.deleteLocalHistory) throw { code: 'internal', message: 'Deleting the local history is not available here.' };
      return host.deleteLocalHistory();
    },
    sessionState: async () => service.state(),
    setAvailability: (_c, a) => nul(service.setAvailability(a)),
    listConversations: (_c, q) => service.listConversations(q),
    getConversation: (_c, id) => service.getConversation(id),
    listChats: (_c, q) => service.listChats(q),
    getChat: (_c, id) => service.getChat(id),
    chatConversationIds: (_c, id) => service.chatConversationIds(id),
    listChatMessages: (_c, id, q) => service.listChatMessages(id, q),
    firstUnreadMessage: (_c, id) => service.firstUnreadMessage(id),
    listMessages: (_c, id, q) => service.listMessages(id, q),
    messagesAround: (_c, id) => service.messagesAround(id),
    search: (_c, text, limit) => service.search(text, limit),
    searchMessages: (_c, text, query) => service.searchMessages(text, query),
    markRead: (_c, id) => nul(service.markRead(id)),
    markAllRead: () => nul(service.markAllRead()),
    setReading: async (c, id) => { service.setReading(String(c.window ?? 'unknown'), id); return null; },
    unreadSummary: (_c, limit) => service.unreadSummary(limit),
    syncNow: (_c) => nul(service.syncNow()),
    syncProgress: async () => service.syncProgress(),
    searchPeople: (_c, q, limit) => service.searchPeople(q, limit),
    contactList: () => service.contactList(),
    refreshContacts: () => service.refreshContacts(),
    person: (_c, sip) => service.person(sip),
    findPeople: (_c, q, opts) => service.findPeople(q, opts),
    watchPeople: async (c, sips, reason) => {
      // A release function cannot cross IPC: each window holds one set per reason, replaced by its
      // next call ([] releases it).
      const key = watchKey(String(c.window ?? 'unknown'), reason);
      watches.get(key)?.();
      watches.delete(key);
      if (sips.length > 0) watches.set(key, service.watchPeople(sips, reason));
      return null;
    },
    setNote: (_c, text) => service.setNote(text),
    setLocation: (_c, text) => service.setLocation(text),
    myStatus: () => service.myStatus(),
    resetAvailability: () => nul(service.resetAvailability()),
    setGroupCollapsed: (_c, id, collapsed) => service.setGroupCollapsed(id, collapsed),
    setFavourite: (_c, sip, favourite) => nul(service.setFavourite(sip, favourite)),
    personPhoto: (_c, sip) => service.personPhoto(sip),
    expandGroup: (_c, groupId) => service.expandGroup(groupId),
    // A delivery promise cannot cross IPC: the renderer follows the item by its clientId ('delivery' events).
    startConversation: async (_c, to, text) => pick(await service.startConversation(to, text)),
    continueConversation: async (_c, id, text) => pick(await service.continueConversation(id, text)),
    send: async (_c, id, text) => (await service.send(id, text)).item,
    accept: (_c, id) => nul(service.accept(id)),
    decline: (_c, id) => nul(service.decline(id)),
    typing: (_c, id) => nul(service.typing(id)),
    hangUp: (_c, id) => nul(service.hangUp(id)),
    startGroup: async (_c, to, text, opts) => pick(await service.startGroup(to, text, opts)),
    addParticipants: (_c, id, sips) => nul(service.addParticipants(id, sips)),
    leave: (_c, id) => nul(service.leave(id)),
    joinMeeting: (_c, urlOrUri) => service.joinMeeting(urlOrUri),
    liveState: async (_c, id) => service.liveState(id),
    connectedConversations: async () => service.connectedConversations(),
    retryOutbox: (_c, clientId) => service.retryOutbox(clientId),
    discardOutbox: (_c, clientId) => nul(service.discardOutbox(clientId)),
    openExternal: async (_c, raw) => {
      const url = validateExternalUrl(raw);
      if (!url) throw { code: 'invalidArgument', message: 'Only web links (http or https) can be opened.' };
      await host.openExternal(url.href);
      return null;
    },
    getSettings: () => host.getSettings(),
    setSettings: (_c, patch) => host.setSettings(patch),
    showWindow: (_c, name, nav) => nul(host.showWindow(name, nav)),
    pendingNavigation: (c) => host.pendingNavigation(c),
    closeWindow: (c) => nul(host.closeWindow(c)),
  };

  const handlers = {} as Record<CallName, (caller: CallerInfo, rawArgs: unknown) => Promise<Result<unknown>>>;
  for (const name of Object.keys(calls) as CallName[]) {
    const schema = calls[name].args;
    handlers[name] = async (caller, rawArgs) => {
      const parsed = schema.safeParse(rawArgs);
      if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ');
        host.log?.(`ipc: rejected ${name}: ${why}`);
        return { ok: false, error: { code: 'invalidArgument', message: `Invalid request (${why}).` } };
      }
      try {
        const fn = impl[name] as (caller: CallerInfo, ...args: unknown[]) => Promise<unknown>;
        const value = await fn(caller, ...(parsed.data as unknown[]));
        return { ok: true, value: value === undefined ? null : value };
      } catch (err) {
        const error = toIpcError(err);
        // Its kind and where it was thrown, never its message: the arguments were search terms and message text.
        if (error.code === 'internal') host.log?.(`ipc: ${name} failed: ${describeError(err)}`);
        return { ok: false, error };
      }
    };
  }
  const controls: HandlerControls = {
    releaseWindow: (window) => release((key) => !key.startsWith(watchKey(window, ''))),
    releaseAll: () => release(() => false),
  };
  // Not enumerable: the handlers are the calls, looked up by name; these are the host's alone.
  return Object.defineProperties(handlers as Handlers, {
    releaseWindow: { value: controls.releaseWindow },
    releaseAll: { value: controls.releaseAll },
  }) as Handlers & HandlerControls;
}

/**
 * Forward every service event to `emit` (ipc: webContents.send to each window; the bridge:
 * page.evaluate). Returns the unsubscribe function.
 */
export function forwardEvents(
  service: MessengerService,
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void,
): () => void {
  const offs: (() => void)[] = [];
  for (const name of eventNames) {
    if (name === 'settings' || name === 'navigate') continue; // host events, not service events
    offs.push(service.on(name, (payload) => emit(name, payload as EventPayload<typeof name>)));
  }
  return () => offs.forEach((off) => off());
}
