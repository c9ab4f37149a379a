// window.ucwa, built from an ipcRenderer and exposed with a contextBridge that are passed in (so
// the unit tests load this very code with fakes). Exactly the contract: one function per call on its
// allow-listed channel, and on(event) for allow-listed events. Never exposes ipcRenderer or the
// IpcRendererEvent. Only TYPES come from the contract: zod stays out of the sandboxed preload.
import type { CallName, EventName, EventPayload, IpcError, Result, UcwaApi } from '../main/ipc/contract.ts';

export const CALL_NAMES = [
  'signIn', 'tryDemo', 'signOut', 'deleteLocalHistory', 'sessionState', 'setAvailability',
  'listConversations', 'getConversation', 'listChats', 'getChat', 'chatConversationIds', 'listChatMessages', 'firstUnreadMessage', 'listMessages', 'messagesAround', 'search', 'searchMessages', 'markRead', 'markAllRead', 'setReading', 'unreadSummary', 'syncNow', 'syncProgress',
  'searchPeople', 'startConversation', 'continueConversation', 'send', 'accept', 'decline', 'typing', 'hangUp', 'startGroup', 'addParticipants', 'leave', 'joinMeeting', 'liveState', 'connectedConversations',
  'retryOutbox', 'discardOutbox',
  'contactList', 'refreshContacts', 'person', 'findPeople', 'watchPeople', 'setNote', 'setLocation', 'myStatus', 'resetAvailability', 'setGroupCollapsed', 'setFavourite', 'personPhoto', 'expandGroup',
  'openExternal', 'getSettings', 'setSettings', 'showWindow', 'pendingNavigation', 'closeWindow',
] as const satisfies readonly CallName[];

export const EVENT_NAMES = [
  'session', 'invitation', 'invitationProgress', 'message', 'messageRemoved', 'delivery', 'typing', 'conversation', 'chat', 'chatRemoved', 'live', 'sync', 'unread', 'settings', 'navigate',
  'person', 'contactList', 'myStatus',
] as const satisfies readonly EventName[];

// Compile-time: the lists above name every call and event of the contract (the unit test checks the runtime side).
type Exhaustive<A, B> = [Exclude<A, B>] extends [never] ? true : false;
const _allCalls: Exhaustive<CallName, (typeof CALL_NAMES)[number]> = true;
const _allEvents: Exhaustive<EventName, (typeof EVENT_NAMES)[number]> = true;
void _allCalls;
void _allEvents;

export const callChannel = (name: CallName): string => `ucwa:call:${name}`;
export const eventChannel = (name: EventName): string => `ucwa:event:${name}`;

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

const TRANSPORT_ERROR: IpcError = { code: 'internal', message: 'UCWA Tray could not reach its main process. Please try again.' };

export function createUcwaApi(ipc: IpcRendererLike): UcwaApi {
  const api: Record<string, unknown> = {};
  for (const name of CALL_NAMES) {
    const channel = callChannel(name);
    // All arguments travel as one array: main parses it against the call's tuple schema.
    api[name] = async (...args: unknown[]): Promise<Result<unknown>> => {
      try {
        return (await ipc.invoke(channel, args)) as Result<unknown>;
      } catch {
        return { ok: false, error: TRANSPORT_ERROR };
      }
    };
  }
  const allowed = new Set<string>(EVENT_NAMES);
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    if (typeof event !== 'string' || !allowed.has(event)) throw new TypeError(`Unknown event: ${String(event)}`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const channel = eventChannel(event);
    // The IpcRendererEvent (sender, ports, …) stays here: the page gets the payload only.
    const wrapped = (_event: unknown, payload: unknown) => listener(payload as EventPayload<E>);
    ipc.on(channel, wrapped);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(channel, wrapped);
    };
  };
  return Object.freeze(api) as unknown as UcwaApi;
}

export function exposeUcwa(contextBridge: ContextBridgeLike, ipc: IpcRendererLike): void {
  contextBridge.exposeInMainWorld('ucwa', createUcwaApi(ipc));
}
