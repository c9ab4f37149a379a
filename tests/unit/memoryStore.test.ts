// The in-memory Store: the shared contract (tests/unit/storeContract.ts, which the file store runs
// too), then what only this factory promises — it is created synchronously, instances share
// nothing, it can be spread to wrap a method, and it ends cleanly.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore, MARK_END, MARK_START } from '../../main/core/store/memoryStore.ts';
import { StoreError } from '../../main/core/store/types.ts';
import type { Store, StoreChange } from '../../main/core/store/types.ts';
import { logInput, msg, storeContractTests } from './storeContract.ts';

storeContractTests('memory', async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});

describe('memoryStore', () => {
  test('created synchronously; two stores share nothing', async () => {
    const a = createMemoryStore();
    const b = createMemoryStore();
    try {
      const ca = await a.upsertLog(logInput({ logKey: 'same' }), 'fp');
      assert.equal((await b.listConversations({})).items.length, 0);
      const cb = await b.upsertLog(logInput({ logKey: 'same' }), 'fp');
      assert.equal(cb.conversation.id, ca.conversation.id, 'each issues its own ids from 1');
      assert.equal(MARK_START, '\uE000');
      assert.equal(MARK_END, '\uE001');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a spread copy with one method wrapped still works (tests wrap onChange this way)', async () => {
    const inner = createMemoryStore();
    const seen: StoreChange[] = [];
    const store: Store = { ...inner, onChange: (l) => inner.onChange((c) => { seen.push(c); l(c); }) };
    store.onChange(() => {});
    const { conversation } = await store.upsertLog(logInput({ logKey: 'wrapped', unread: true }), 'fp');
    await store.putTranscriptPage(conversation.id, null, [msg(1_700_000_001_000, 'hello')], true, 'wrapped');
    assert.equal((await store.listMessages(conversation.id, {})).items.length, 1);
    assert.ok(seen.some((c) => c.kind === 'unread'));
    await store.close();
    await assert.rejects(inner.listConversations({}), (e: unknown) => e instanceof StoreError && e.kind === 'closed');
  });

  test('close: calls made before it are answered, calls after it are refused', async () => {
    const store = createMemoryStore();
    const live = await store.ensureLiveConversation({ threadId: 't', subject: '', direction: 'Incoming', participants: [], startedAt: 1 });
    const before = store.addMessage(live.id, 't', msg(2, 'in time', { origin: 'live' }));
    const closed = store.close();
    await assert.rejects(store.getConversation(live.id), (e: unknown) => e instanceof StoreError && e.kind === 'closed');
    assert.equal((await before).inserted, true);
    await closed;
    assert.equal(store.close(), closed, 'idempotent');
  });

  test('SQLite errors come out as StoreErrors, as from the worker', async () => {
    const store = createMemoryStore();
    try {
      const big = 2n ** 70n; // not representable: SQLite refuses the bind
      await assert.rejects(store.getConversation(big as unknown as number), (e: unknown) => e instanceof StoreError);
      await assert.rejects(store.addMessage(1, null, { ...msg(1, 'x'), at: (() => 1) as unknown as number }), (e: unknown) => e instanceof StoreError && e.kind === 'other');
      assert.equal((await store.listConversations({})).items.length, 0, 'still usable');
    } finally {
      await store.close();
    }
  });
});
