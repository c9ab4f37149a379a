// Loads the preload's logic with a fake contextBridge and ipcRenderer: window.ucwa is exactly the
// contract, each call goes to its own allow-listed channel, and listeners never see the IPC event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { callChannel, callNames, eventChannel, eventNames } from '../../main/ipc/contract.ts';
import { CALL_NAMES, EVENT_NAMES, callChannel as preloadCall, eventChannel as preloadEvent, exposeUcwa, type IpcRendererLike } from '../../preload/api.ts';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakes(reply: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: null })) {
  const exposed: Record<string, unknown> = {};
  const invoked: [string, unknown[]][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, args]);
      return reply(channel, args);
    },
    on: (channel, l) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    },
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  exposeUcwa({ exposeInMainWorld: (key, api) => (exposed[key] = api) }, ipc);
  return { exposed, invoked, listeners, ipc };
}

test('exposes exactly one key, ucwa, whose keys are the contract calls + on', () => {
  const { exposed } = fakes();
  assert.deepEqual(Object.keys(exposed), ['ucwa']);
  const api = exposed.ucwa as Record<string, unknown>;
  assert.deepEqual(Object.keys(api).sort(), [...callNames, 'on'].sort());
  for (const k of Object.keys(api)) assert.equal(typeof api[k], 'function', k);
  assert.ok(Object.isFrozen(api));
  assert.ok(!('ipcRenderer' in api) && !('invoke' in api) && !('removeListener' in api) && !('postMessage' in api));
});

test('the preload lists and channels equal the contract', () => {
  assert.deepEqual([...CALL_NAMES].sort(), [...callNames].sort());
  assert.deepEqual([...EVENT_NAMES].sort(), [...eventNames].sort());
  for (const n of callNames) assert.equal(preloadCall(n), callChannel(n));
  for (const n of eventNames) assert.equal(preloadEvent(n), eventChannel(n));
});

test('each call invokes its own channel with the arguments as one array and returns the Result', async () => {
  const { exposed, invoked } = fakes((channel, args) => ({ ok: true, value: { channel, args } }));
  const api = exposed.ucwa as Record<string, (...a: unknown[]) => Promise<unknown>>;
  assert.deepEqual(await api.send!(3, 'hi'), { ok: true, value: { channel: 'ucwa:call:send', args: [[3, 'hi']] } });
  await api.tryDemo!();
  assert.deepEqual(invoked.at(-1), ['ucwa:call:tryDemo', [[]]]);
  for (const n of callNames) await api[n]!('x');
  assert.deepEqual(new Set(invoked.map(([c]) => c)), new Set(callNames.map(callChannel)));
});

test('a failing transport resolves to a typed error (calls never reject)', async () => {
  const { exposed } = fakes(() => {
    throw new Error('boom with internals');
  });
  const api = exposed.ucwa as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const r = (await api.sessionState!()) as { ok: boolean; error: { code: string; message: string } };
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'internal');
  assert.ok(!r.error.message.includes('boom'));
});

test('on(): allow-listed events only; payload without the IpcRendererEvent; unsubscribe', () => {
  const { exposed, listeners } = fakes();
  const api = exposed.ucwa as { on: (e: string, l: (...a: unknown[]) => void) => () => void };
  const got: unknown[][] = [];
  const off = api.on('message', (...a) => got.push(a));
  const ch = listeners.get('ucwa:event:message')!;
  assert.equal(ch.size, 1);
  const fakeEvent = { sender: { send() {} }, ports: [] };
  for (const l of ch) l(fakeEvent, { id: 1 }, 'extra');
  assert.deepEqual(got, [[{ id: 1 }]], 'exactly the payload');
  off();
  off();
  assert.equal(ch.size, 0);
  for (const bad of ['ucwa:call:send', 'nope', '__proto__', 'constructor']) assert.throws(() => api.on(bad, () => undefined), TypeError, bad);
  assert.throws(() => api.on('message', 'x' as unknown as () => void), TypeError);
  for (const e of eventNames) api.on(e, () => undefined)();
  // A discarded (or merged) message reaches the page, so it can drop the row.
  const removed: unknown[] = [];
  api.on('messageRemoved', (p) => removed.push(p));
  for (const l of listeners.get('ucwa:event:messageRemoved')!) l(fakeEvent, { conversationId: 3, messageId: 7 });
  assert.deepEqual(removed, [{ conversationId: 3, messageId: 7 }]);
});

test('the bundle (when built) is one CommonJS file that requires only electron', () => {
  const file = join(import.meta.dirname, '..', '..', 'out', 'preload', 'index.cjs');
  if (!existsSync(file)) return; // `node scripts/build.mjs` makes it; npm test always builds first
  const text = readFileSync(file, 'utf8');
  const requires = [...text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(requires)], ['electron']);
  assert.ok(!text.includes('zod'), 'zod stays out of the preload');
});
