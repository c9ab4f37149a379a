// The Store held in this process's memory: for tests, and as the fallback where the account's
// database file cannot be opened (no data folder, read-only disk). NOT a second implementation:
// the same Backend — the same SQL, migrations, FTS5 search and change events — on a ':memory:'
// SQLite database (DESIGN-2 §4: fake the thinnest seam, the database file, not the contract).
//
// It runs on the calling thread, not in a worker: a ':memory:' database never waits for a disk
// (no fsync, no lock held by another process, no page read from a file), so each operation costs
// only the CPU of its SQL, bounded by the same page sizes and search limits as in the worker.
// Measured on the 2 shared cores of the dev machine: creating the store ~20 ms (schema and
// migrations), a page of 50 messages < 1 ms, a search ~7 ms, storing a 200-message transcript
// page ~10 ms (dedupe hashes, FTS index). That last figure is how long a sync blocks the Electron
// main thread per page in the no-disk fallback: acceptable for a degraded mode, where a worker
// would cost a thread, a second V8 heap and tens of ms at start for every test's store, lose the
// whole history with a crashed worker, and make createMemoryStore() asynchronous, which its
// callers (the no-disk fallbacks, tests) do not expect.
//
// Otherwise it behaves as sqliteStore.ts does: every operation runs later (a microtask), in the
// order it was called; arguments are copied when the call is made and results and changes are
// structured clones (what crossing the worker boundary does), so no caller can reach the store's
// objects; a write's changes are emitted once it has committed, before its promise settles; SQLite
// errors become StoreErrors with the same kinds; after close() every call rejects with 'closed'.
import { Backend } from './backend.ts';
import { openMemoryDatabase, toStoreError } from './database.ts';
import { runOperation, storeMethods } from './operations.ts';
import type { Ops, StoreMethod } from './protocol.ts';
import type { Store, StoreChange } from './types.ts';
import { StoreError } from './types.ts';

export { MARK_END, MARK_START } from './keys.ts';

export function createMemoryStore(): Store {
  let backend: Backend | null = new Backend(openMemoryDatabase());
  let closing: Promise<void> | null = null;
  const listeners = new Set<(change: StoreChange) => void>();

  function emit(change: StoreChange): void {
    for (const l of [...listeners]) {
      try {
        l(change);
      } catch {
        // a listener's bug must not break the write that has already committed
      }
    }
  }

  function run<K extends StoreMethod>(op: K, args: Ops[K]['args']): Promise<Ops[K]['result']> {
    if (closing) return Promise.reject(new StoreError('closed', 'the store is closed'));
    let copy: Ops[K]['args'];
    try {
      copy = structuredClone(args);
    } catch (err) {
      return Promise.reject(new StoreError('other', `cannot pass the arguments to the store: ${String(err)}`));
    }
    return Promise.resolve().then(() => {
      if (!backend) throw new StoreError('closed', 'the store is closed');
      let outcome;
      try {
        // One clone of result and changes together, as one worker message would carry them.
        outcome = structuredClone(runOperation(backend, op, copy));
      } catch (err) {
        throw toStoreError(err);
      }
      for (const change of outcome.changes) emit(change);
      return outcome.result;
    });
  }

  // Own enumerable properties (not a class): callers may spread the store to wrap one method.
  const store = Object.fromEntries(storeMethods.map((op) => [op, (...args: Ops[typeof op]['args']) => run(op, args)])) as Pick<Store, StoreMethod>;
  return {
    ...store,
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      // Operations called before close() run first (they are earlier in the microtask queue).
      closing ??= Promise.resolve().then(() => {
        backend?.db.close();
        backend = null;
        listeners.clear();
      });
      return closing;
    },
  };
}
