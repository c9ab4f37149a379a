// Every Store operation as a call on the Backend, declared once (Signal Desktop's
// ts/sql/Interface: operations declared once, the other signatures derived). A read runs as it
// is; a write runs in one IMMEDIATE transaction that collects the changes it made. The worker
// (file store) and the in-memory store both dispatch through this table, so the two cannot
// disagree about what an operation does or which changes it announces.
import type { Backend } from './backend.ts';
import type { Ops, StoreMethod } from './protocol.ts';
import type { StoreChange } from './types.ts';

export interface Outcome<R> {
  result: R;
  /** What the write changed, in order; emitted by the store once the write has committed. */
  changes: StoreChange[];
}

export type Operation<K extends StoreMethod> = (b: Backend, ...args: Ops[K]['args']) => Outcome<Ops[K]['result']>;

const read = <R>(result: R): Outcome<R> => ({ result, changes: [] });

export const storeOperations: { readonly [K in StoreMethod]: Operation<K> } = {
  upsertLog: (b, log, fingerprint) => b.write(() => b.upsertLog(log, fingerprint)),
  checkpoints: (b, keys) => read(b.checkpoints(keys)),
  putTranscriptPage: (b, id, thread, messages, complete, logKey) => b.write(() => b.putTranscriptPage(id, thread, messages, complete, logKey)),
  ensureLiveConversation: (b, input) => b.write(() => b.ensureLiveConversation(input)),
  addConversationParticipants: (b, id, people) => b.write(() => b.addConversationParticipants(id, people)),
  getConversation: (b, id) => read(b.getConversation(id)),
  findConversationByThread: (b, thread) => read(b.findConversationByThread(thread)),
  listConversations: (b, query) => read(b.listConversations(query)),
  markRead: (b, id) => b.write(() => b.markRead(id)),
  markAllRead: (b) => b.write(() => b.markAllRead()),
  unreadSummary: (b, limit) => read(b.unreadSummary(limit)),
  listChats: (b, query) => read(b.listChats(query)),
  getChat: (b, id) => read(b.getChat(id)),
  chatConversationIds: (b, id) => read(b.chatConversationIds(id)),
  listChatMessages: (b, id, query) => read(b.listChatMessages(id, query)),
  firstUnreadMessage: (b, id) => read(b.firstUnreadMessage(id)),
  markChatRead: (b, id) => b.write(() => b.markChatRead(id)),
  addMessage: (b, id, thread, message, opts) => b.write(() => b.addMessage(id, thread, message, opts)),
  addMessages: (b, id, thread, messages, opts) => b.write(() => b.addMessages(id, thread, messages, opts)),
  restampMessage: (b, id, at, thread) => b.write(() => b.restampMessage(id, at, thread)),
  listMessages: (b, id, query) => read(b.listMessages(id, query)),
  messagesAround: (b, id, radius) => read(b.messagesAround(id, radius)),
  search: (b, text, query) => read(b.search(text, query)),
  searchPage: (b, text, query) => read(b.searchPage(text, query)),
  enqueueOutbox: (b, input) => b.write(() => b.enqueueOutbox(input)),
  pendingOutbox: (b, id) => read(b.pendingOutbox(id)),
  outboxItem: (b, clientId) => read(b.outboxItem(clientId)),
  setOutboxState: (b, clientId, state, extra) => b.write(() => b.setOutboxState(clientId, state, extra)),
  discardOutbox: (b, clientId) => b.write(() => b.discardOutbox(clientId)),
  upsertContacts: (b, people) => b.write(() => b.upsertContacts(people)),
  listContacts: (b, query, limit) => read(b.listContacts(query, limit)),
  replaceContactList: (b, list) => b.write(() => b.people.replaceContactList(list)),
  contactList: (b) => read(b.people.contactList()),
  findPeople: (b, query, opts) => read(b.people.findPeople(query, opts)),
  getPerson: (b, sip) => read(b.people.getPerson(sip)),
  getPeople: (b, sips) => read(b.people.getPeople(sips)),
  upsertPeople: (b, people) => b.write(() => b.people.upsertPeople(people)),
  patchPerson: (b, sip, patch) => b.write(() => b.people.patchPerson(sip, patch)),
  setGroupCollapsed: (b, id, collapsed) => b.write(() => b.people.setGroupCollapsed(id, collapsed)),
};

export const storeMethods = Object.keys(storeOperations) as StoreMethod[];

/** Run operation `op` with `args` (an untyped request off the wire, or a typed call). */
export function runOperation<K extends StoreMethod>(b: Backend, op: K, args: Ops[K]['args']): Outcome<Ops[K]['result']> {
  return (storeOperations[op] as (b: Backend, ...a: Ops[K]['args']) => Outcome<Ops[K]['result']>)(b, ...args);
}
