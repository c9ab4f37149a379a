// The handlers the shell registers on ipcMain, driven the way ipcMain drives them (one raw args
// array per call): every call of the contract accepted with valid arguments, anything else refused
// before the service is touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callNames, defaultSettings, type CallName } from '../../main/ipc/contract.ts';
import { createHandlers, validateExternalUrl } from '../../main/ipc/handlers.ts';
import type { MessengerService } from '../../main/core/app/types.ts';
import { createPendingNavigation, createShellHost } from '../../main/electron/host.ts';

const person = { sip: 'sip:alice@contoso.com', name: 'Alice' };
const session = { status: 'online' as const, user: person, availability: 'Online' as const, error: null, nextRetryAt: null, demo: false };
const outbox = { clientId: 'c1', conversationId: 1, messageId: 2, text: 'hi', html: null, state: 'queued' as const, attempts: 0, lastError: null, createdAt: 1, operationId: null, location: null, maybeDuplicate: false };

const myStatus = { availability: 'Online', activity: '', note: '', noteType: '', location: '' };
const sending = { clientId: outbox.clientId, conversationId: 1, item: outbox, delivered: Promise.resolve(outbox) };

function fakeService(calls: string[]): MessengerService {
  const rec = <T>(name: string, value: T) => (..._a: unknown[]) => {
    calls.push(name);
    return value;
  };
  return {
    signIn: rec('signIn', Promise.resolve(session)), signInRemembered: rec('signInRemembered', Promise.resolve(null)),
    signOut: rec('signOut', Promise.resolve()), state: rec('state', session), setAvailability: rec('setAvailability', Promise.resolve()),
    reportIdle: rec('reportIdle', undefined), nudge: rec('nudge', undefined),
    searchPeople: rec('searchPeople', Promise.resolve([person])), startConversation: rec('startConversation', Promise.resolve(sending)),
    continueConversation: rec('continueConversation', Promise.resolve(sending)), send: rec('send', Promise.resolve(sending)),
    delivery: rec('delivery', Promise.resolve(outbox)),
    accept: rec('accept', Promise.resolve()), decline: rec('decline', Promise.resolve()), typing: rec('typing', undefined), hangUp: rec('hangUp', Promise.resolve()),
    startGroup: rec('startGroup', Promise.resolve(sending)),
    addParticipants: rec('addParticipants', Promise.resolve()), leave: rec('leave', Promise.resolve()),
    joinMeeting: rec('joinMeeting', Promise.resolve({ conversationId: 9 })),
    liveState: rec('liveState', null), connectedConversations: rec('connectedConversations', []), listConversations: rec('listConversations', Promise.resolve({ items: [], next: null })),
    getConversation: rec('getConversation', Promise.resolve(null)),
    listChats: rec('listChats', Promise.resolve({ items: [], next: null })), getChat: rec('getChat', Promise.resolve(null)),
    chatConversationIds: rec('chatConversationIds', Promise.resolve([])), listChatMessages: rec('listChatMessages', Promise.resolve({ items: [], next: null })), firstUnreadMessage: rec('firstUnreadMessage', Promise.resolve(null)), listMessages: rec('listMessages', Promise.resolve({ items: [], next: null })),
    messagesAround: rec('messagesAround', Promise.resolve([])), search: rec('search', Promise.resolve([])), searchMessages: rec('searchMessages', Promise.resolve({ hits: [], total: 0, totalIsLowerBound: false })), markRead: rec('markRead', Promise.resolve()), markAllRead: rec('markAllRead', Promise.resolve()), setReading: rec('setReading', undefined), isReading: () => false,
    unreadSummary: rec('unreadSummary', Promise.resolve({ unreadChats: 0, missedChats: 0, latest: [] })),
    syncNow: rec('syncNow', Promise.resolve()), syncProgress: rec('syncProgress', { running: false, done: 0, total: 0, error: null }),
    retryOutbox: rec('retryOutbox', Promise.resolve(outbox)), discardOutbox: rec('discardOutbox', Promise.resolve()),
    contactList: rec('contactList', Promise.resolve({ groups: [], people: [] })), refreshContacts: rec('refreshContacts', Promise.resolve({ groups: [], people: [] })),
    person: rec('person', Promise.resolve(null)), findPeople: rec('findPeople', Promise.resolve([])),
    watchPeople: (sips: string[]) => {
      calls.push(`watchPeople ${sips.join(',')}`);
      return () => void calls.push(`release ${sips.join(',')}`);
    },
    setNote: rec('setNote', Promise.resolve(myStatus)), setLocation: rec('setLocation', Promise.resolve(myStatus)), myStatus: rec('myStatus', Promise.resolve(myStatus)),
    resetAvailability: rec('resetAvailability', Promise.resolve()), setGroupCollapsed: rec('setGroupCollapsed', Promise.resolve(null)),
    setFavourite: rec('setFavourite', Promise.resolve()), personPhoto: rec('personPhoto', Promise.resolve(null)),
    expandGroup: rec('expandGroup', Promise.resolve([])),
    on: () => () => undefined, close: rec('close', Promise.resolve()),
  };
}

function setup() {
  const calls: string[] = [];
  const opened: string[] = [];
  const shown: unknown[] = [];
  const hidden: string[] = [];
  const deleted: string[] = [];
  let settings = { ...defaultSettings };
  const pending = createPendingNavigation();
  const host = createShellHost({
    startDemo: async () => ({ sip: 'sip:demo@contoso.com', password: 'demo', server: 'http://127.0.0.1:1/x' }),
    readSettings: () => settings,
    writeSettings: async (s) => {
      settings = s;
    },
    openExternal: async (u) => {
      opened.push(u);
    },
    showWindow: async (name, nav) => {
      shown.push([name, nav]);
    },
    hideWindow: (n) => hidden.push(n),
    pending,
    deleteLocalHistory: async () => {
      deleted.push('sip:alice@contoso.com');
      return { account: 'sip:alice@contoso.com' };
    },
    log: () => undefined,
  });
  return { handlers: createHandlers(fakeService(calls), host), calls, opened, shown, hidden, deleted, pending, settings: () => settings };
}

const valid: Record<CallName, unknown[]> = {
  signIn: [{ sip: 'alice@contoso.com', password: 'pw', remember: true }],
  tryDemo: [],
  signOut: [{ forget: true }],
  deleteLocalHistory: [{ confirm: true }],
  sessionState: [],
  setAvailability: ['Busy'],
  listConversations: [{ filter: 'unread', limit: 50 }],
  getConversation: [1],
  listChats: [{ filter: 'missed', limit: 20 }],
  getChat: [3],
  chatConversationIds: [3],
  listChatMessages: [3, { limit: 100 }],
  firstUnreadMessage: [3],
  setReading: [null],
  markAllRead: [],
  listMessages: [1, { cursor: null, limit: 100 }],
  messagesAround: [5],
  search: ['lunch', 20],
  searchMessages: ['lunch', { sort: 'newest', limit: 20, offset: 20 }],
  markRead: [1],
  unreadSummary: [5],
  syncNow: [],
  syncProgress: [],
  searchPeople: ['ali', 10],
  startConversation: ['sip:bob@contoso.com', 'hello'],
  continueConversation: [3, 'hello again'],
  send: [3, 'hi'],
  accept: [3],
  decline: [3],
  typing: [3],
  hangUp: [3],
  startGroup: [['bob@contoso.com', 'carol@contoso.com'], 'hi', { subject: 'Plans' }],
  addParticipants: [3, ['carol@contoso.com']],
  leave: [3],
  joinMeeting: ['https://meet.contoso.com/dana/DEDX9367'],
  liveState: [3],
  connectedConversations: [],
  retryOutbox: ['c1'],
  discardOutbox: ['c1'],
  openExternal: ['https://example.com/path?q=1'],
  getSettings: [],
  setSettings: [{ notificationShowText: false }],
  showWindow: ['history', { to: 'conversation', conversationId: 4 }],
  pendingNavigation: [],
  closeWindow: [],
  contactList: [],
  refreshContacts: [],
  person: ['sip:bob@contoso.com'],
  findPeople: ['bo', { contactsOnly: true, limit: 50 }],
  watchPeople: [['sip:bob@contoso.com'], 'search'],
  setNote: ['Out at 4'],
  setLocation: ['Office'],
  myStatus: [],
  resetAvailability: [],
  setGroupCollapsed: [2, true],
  setFavourite: ['sip:bob@contoso.com', true],
  personPhoto: ['sip:bob@contoso.com'],
  expandGroup: [4],
};

test('every call of the contract is accepted with valid arguments', async () => {
  const { handlers } = setup();
  assert.deepEqual(Object.keys(handlers).sort(), [...callNames].sort());
  assert.deepEqual(Object.keys(valid).sort(), [...callNames].sort());
  for (const name of callNames) {
    const r = await handlers[name]({ window: 'popup' }, valid[name]);
    assert.equal(r.ok, true, `${name}: ${JSON.stringify(r)}`);
  }
});

// Wrong types, missing, and one argument too many for every call.
const invalid: Partial<Record<CallName, unknown[][]>> = {
  // A server that is not one (ftp://x) is refused in words (invalidInput): tests/unit/serverUrl.test.ts.
  // An empty password is valid (Windows sign-in, AD FS, the browser); a missing one or a too long sign-in name is not.
  signIn: [[], [{ sip: 'a@b.c' }], [{ sip: 'a@b.c', password: 'x', login: 'x'.repeat(257) }], [{ sip: 'a@b.c', password: 1 }], ['a@b.c', 'pw']],
  setAvailability: [['Invisible'], [1], []],
  listConversations: [[{ filter: 'everything' }], [{ limit: 0 }], [{ limit: 100000 }], [null]],
  listChats: [[{ filter: 'everything' }], [{ limit: 0 }], [null]],
  getChat: [['1'], [1.5]],
  connectedConversations: [[1]],
  listChatMessages: [[1], ['1', {}], [1, { limit: 100000 }]],
  firstUnreadMessage: [['1'], []],
  getConversation: [['1'], [0], [-1], [1.5], [Number.MAX_SAFE_INTEGER + 2]],
  listMessages: [[1], ['1', {}]],
  search: [[42], ['x'.repeat(10_001)]],
  searchMessages: [['lunch', { sort: 'oldest' }], ['lunch', { offset: -1 }]],
  startConversation: [['bob@contoso.com'], ['bob@contoso.com', '   '], ['bob@contoso.com', 'x'.repeat(8001)], ['b', 'hi']],
  send: [[3], [3, ''], ['3', 'hi'], [3, { text: 'hi' }]],
  retryOutbox: [[''], [1]],
  setSettings: [[{ awayAfterMinutes: 0 }], [{ doNotDisturb: 'loud' }], [{ notificationShowText: 'yes' }]],
  showWindow: [['main'], ['history', { to: 'elsewhere' }], ['history', { to: 'conversation', conversationId: 'x' }]],
  openExternal: [[42], []],
  // Deleting needs the renderer to say it asked; nothing else may ride along (no account of its choosing).
  deleteLocalHistory: [[], [{}], [{ confirm: false }], [{ confirm: 'yes' }], [{ confirm: 1 }], [{ confirm: true, account: 'sip:bob@contoso.com' }], [true]],
  signOut: [[{ forget: 'yes' }], ['forget']],
  person: [[], [''], [42], ['x'.repeat(300)]],
  findPeople: [[1], ['bo', { limit: 0 }], ['bo', { contactsOnly: 'yes' }]],
  watchPeople: [[['sip:bob@contoso.com']], [['sip:bob@contoso.com'], 'contacts'], ['sip:bob@contoso.com', 'search'], [Array(501).fill('sip:bob@contoso.com'), 'view']],
  setNote: [[1], ['x'.repeat(2049)]],
  setGroupCollapsed: [['2', true], [2, 'yes']],
  setFavourite: [['sip:bob@contoso.com'], ['sip:bob@contoso.com', 'yes']],
  personPhoto: [[], [null]],
  expandGroup: [[], ['4'], [4.5], [null]],
};

test('watchPeople: one set per window and reason, replaced by the next call, [] releases it', async () => {
  const { handlers, calls } = setup();
  await handlers.watchPeople({ window: 'history' }, [['sip:a@x.y'], 'search']);
  await handlers.watchPeople({ window: 'popup' }, [['sip:p@x.y'], 'search']);
  await handlers.watchPeople({ window: 'history' }, [['sip:b@x.y'], 'search']);
  await handlers.watchPeople({ window: 'history' }, [['sip:c@x.y'], 'card']);
  await handlers.watchPeople({ window: 'history' }, [[], 'search']);
  assert.deepEqual(calls, ['watchPeople sip:a@x.y', 'watchPeople sip:p@x.y', 'release sip:a@x.y', 'watchPeople sip:b@x.y', 'watchPeople sip:c@x.y', 'release sip:b@x.y']);
});

test('releaseWindow: a window that went away (closed, reloaded) releases all its watches and only its own; releaseAll every window\'s', async () => {
  const { handlers, calls } = setup();
  await handlers.watchPeople({ window: 'history' }, [['sip:a@x.y'], 'search']);
  await handlers.watchPeople({ window: 'history' }, [['sip:b@x.y'], 'view']);
  await handlers.watchPeople({ window: 'popup' }, [['sip:p@x.y'], 'search']);
  // A name that starts like another window's is not that window.
  await handlers.watchPeople({ window: 'history2' }, [['sip:h@x.y'], 'card']);
  calls.length = 0;
  handlers.releaseWindow('history');
  assert.deepEqual(calls.sort(), ['release sip:a@x.y', 'release sip:b@x.y']);
  // Released once: nothing is left to release, and the next [] from a new page releases nothing.
  calls.length = 0;
  handlers.releaseWindow('history');
  await handlers.watchPeople({ window: 'history' }, [[], 'search']);
  assert.deepEqual(calls, []);
  // The new page's watches are its own, and released with it.
  await handlers.watchPeople({ window: 'history' }, [['sip:c@x.y'], 'search']);
  handlers.releaseWindow('history');
  assert.deepEqual(calls, ['watchPeople sip:c@x.y', 'release sip:c@x.y']);
  // An account switch: every window's.
  calls.length = 0;
  handlers.releaseAll();
  assert.deepEqual(calls.sort(), ['release sip:h@x.y', 'release sip:p@x.y']);
  calls.length = 0;
  handlers.releaseAll();
  assert.deepEqual(calls, []);
  // Not calls of the contract: not among the handlers the shell registers by name.
  assert.equal(Object.keys(handlers).includes('releaseWindow'), false);
});

test('wrong argument types, missing and extra arguments are refused before the service runs', async () => {
  const { handlers, calls } = setup();
  for (const name of callNames) {
    const cases = [...(invalid[name] ?? []), [...valid[name], 'extra'], 'not-an-array', { 0: 1 }, null];
    for (const args of cases) {
      const r = await handlers[name]({}, args);
      assert.equal(r.ok, false, `${name}(${JSON.stringify(args)?.slice(0, 80)}) should be refused`);
      assert.equal(!r.ok && r.error.code, 'invalidArgument', name);
    }
  }
  assert.deepEqual(calls, [], 'the service was never called');
});

test('deleteLocalHistory: reaches the host only when confirmed; refused where the host cannot delete', async () => {
  const { handlers, deleted } = setup();
  assert.equal((await handlers.deleteLocalHistory({}, [{ confirm: false }])).ok, false);
  assert.equal((await handlers.deleteLocalHistory({}, [{ confirm: true, account: 'sip:bob@contoso.com' }])).ok, false);
  assert.deepEqual(deleted, []);
  assert.deepEqual(await handlers.deleteLocalHistory({ window: 'history' }, [{ confirm: true }]), { ok: true, value: { account: 'sip:alice@contoso.com' } });
  assert.deepEqual(deleted, ['sip:alice@contoso.com']);
  // A host without the feature (the browser test bridge): a typed error, not a crash.
  const bare = createHandlers(fakeService([]), { ...createShellHost({
    startDemo: async () => ({ sip: 'sip:demo@contoso.com', password: 'demo' }), readSettings: () => defaultSettings, writeSettings: async () => undefined,
    openExternal: async () => undefined, showWindow: async () => undefined, hideWindow: () => undefined, pending: createPendingNavigation(), log: () => undefined,
  }) });
  const r = await bare.deleteLocalHistory({}, [{ confirm: true }]);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'internal');
});

test('openExternal: only http(s) without credentials reaches the browser', async () => {
  const { handlers, opened } = setup();
  for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'sip:alice@contoso.com', 'app://ui/index.html', 'https://user:pw@example.com/',
    'ms-msdt:/id PCWDiagnostic', 'smb://host/share', 'not a url', '', 'data:text/html,x', 'vbscript:msgbox', 'http://', 'x'.repeat(5000)]) {
    const r = await handlers.openExternal({}, [bad]);
    assert.equal(r.ok, false, bad.slice(0, 60));
  }
  assert.deepEqual(opened, []);
  assert.equal((await handlers.openExternal({}, ['http://example.com'])).ok, true);
  assert.deepEqual(opened, ['http://example.com/']);
  assert.equal(validateExternalUrl('HTTPS://Example.com/a')?.href, 'https://example.com/a');
});

test('host: settings are validated and merged; windows, pending navigation, closeWindow by caller', async () => {
  const { handlers, shown, hidden, pending, settings } = setup();
  const r = await handlers.setSettings({}, [{ startAtLogin: true }]);
  assert.ok(r.ok);
  assert.equal(settings().startAtLogin, true);
  assert.equal(settings().notificationShowText, true);
  await handlers.showWindow({}, ['popup']);
  assert.deepEqual(shown, [['popup', undefined]]);
  pending.set('history', { to: 'newConversation', sip: 'sip:bob@contoso.com' });
  assert.deepEqual(await handlers.pendingNavigation({ window: 'popup' }, []), { ok: true, value: null });
  assert.deepEqual(await handlers.pendingNavigation({ window: 'history' }, []), { ok: true, value: { to: 'newConversation', sip: 'sip:bob@contoso.com' } });
  assert.deepEqual(await handlers.pendingNavigation({ window: 'history' }, []), { ok: true, value: null }, 'taken once');
  await handlers.closeWindow({ window: 'popup' }, []);
  await handlers.closeWindow({}, []);
  assert.deepEqual(hidden, ['popup']);
  const demo = await handlers.tryDemo({}, []);
  assert.ok(demo.ok);
});

test('the log lines of refused and failed calls name no argument and no error message (search terms, message text)', async () => {
  const SECRET = 'quarterly-layoffs';
  const lines: string[] = [];
  const failing = { ...fakeService([]), search: async () => { throw new Error(`fts5: syntax error near "${SECRET}"`); } } as MessengerService;
  const host = createShellHost({
    startDemo: async () => ({ sip: 'sip:demo@contoso.com', password: 'demo' }), readSettings: () => defaultSettings, writeSettings: async () => undefined,
    openExternal: async () => undefined, showWindow: async () => undefined, hideWindow: () => undefined, pending: createPendingNavigation(), log: (l) => lines.push(l),
  });
  const handlers = createHandlers(failing, host);
  const refused = [
    handlers.search({}, [SECRET.repeat(1000), 20]), handlers.search({}, [SECRET, SECRET]), handlers.send({}, [1, SECRET.repeat(600)]),
    handlers.send({}, [SECRET, SECRET]), handlers.searchPeople({}, [SECRET.repeat(20)]), handlers.startConversation({}, [SECRET, { text: SECRET }]),
    handlers.setAvailability({}, [SECRET]), handlers.deleteLocalHistory({}, [{ confirm: SECRET }]),
  ];
  for (const r of await Promise.all(refused)) assert.equal(r.ok, false);
  const failed = await handlers.search({}, [SECRET, 20]);
  assert.equal(!failed.ok && failed.error.code, 'internal');
  assert.equal(!failed.ok && failed.error.message.includes(SECRET), false, 'nor does the renderer get the message');
  assert.ok(lines.length >= 9, lines.join('\n'));
  assert.ok(lines.some((l) => /^ipc: search failed: Error at /.test(l)), lines.join('\n'));
  for (const l of lines) assert.ok(!l.includes('quarterly'), l);
});
