// The service half of the fuzz: the real messenger service (SQLite store in a temporary folder,
// Node's fetch) signed in to the hostile loopback pool (hostileServer.ts), which answers with
// generated bodies, while the harness keeps using the service as the app does (sync, search,
// conversation lists, messages, sending, reading). Counted:
//  - crashes: a service call that rejects with anything but AppError / StoreError, an exception the
//    service caught and logged that is a built-in error (TypeError, RangeError, URIError, …),
//    an uncaught exception;
//  - unhandled rejections (a process listener);
//  - requests off the issuing origin: any request the client makes with the bearer token to an
//    origin other than the pool (seen by the fetch it is given, so file:, data: and javascript:
//    too), and any request that reaches one of the two foreign servers;
//  - hangs: a service call that does not settle within `hangMs`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessengerService } from '../../main/core/app/service.ts';
import type { MessengerDeps } from '../../main/core/app/deps.ts';
import { AppError, type MessengerService } from '../../main/core/app/types.ts';
import { createSqliteStore } from '../../main/core/store/sqliteStore.ts';
import { StoreError } from '../../main/core/store/types.ts';
import type { EventChannel } from '../../main/core/ucwa/eventChannel.ts';
import { createRng } from '../../simulator/prng.ts';
import fc from 'fast-check';
import { hostileText, type Sizes } from './arb/values.ts';
import { ROOT_PATH, startForeign, startPool, TOKEN, type ForeignHit, type Served } from './hostileServer.ts';
import type { Finding } from './engine.ts';

export interface ServiceRun {
  inputs: Record<string, number>;
  totalInputs: number;
  crashes: number;
  unhandledRejections: number;
  offOrigin: number;
  hangs: number;
  signIns: number;
  actions: number;
  storedMessages: number;
  seconds: number;
  findings: (Finding & { recent?: Served[] })[];
}

export interface ServiceOptions {
  seed: number;
  sizes: Sizes;
  /** Stop once this many generated bodies were served… */
  inputs: number;
  /** …or after this long, whichever comes first. */
  maxSeconds: number;
  hangMs?: number;
  onProgress?: (served: number) => void;
}

// A built-in error caught and logged somewhere in the service: in the old log format its message,
// in the new one (logSafe.describeError) its class name. A NetworkError's causes are fetch's own.
const BUILTIN_RE = /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|URIError|EvalError)\b|Cannot read propert|is not a function|is not iterable|Invalid time value|URI malformed|Maximum call stack|Invalid array length|Invalid string length|is not defined|Cannot destructure|is not a constructor|Invalid code point|circular structure/;
const NETWORK_TAIL_RE = /NetworkError.*$|\b(?:GET|POST|PUT|DELETE) \S+ (?:failed|timed out|was cancelled)\b.*$/;

export function builtinErrorIn(line: string): boolean {
  return BUILTIN_RE.test(line.replace(NETWORK_TAIL_RE, ''));
}

const MAX_KEPT = 8;

export async function runService(o: ServiceOptions): Promise<ServiceRun> {
  const started = Date.now();
  const hangMs = o.hangMs ?? 30_000;
  const run: ServiceRun = { inputs: {}, totalInputs: 0, crashes: 0, unhandledRejections: 0, offOrigin: 0, hangs: 0, signIns: 0, actions: 0, storedMessages: 0, seconds: 0, findings: [] };
  const hits: ForeignHit[] = [];
  const foreign = await startForeign('127.0.0.2', hits);
  const otherPort = await startForeign('127.0.0.1', hits);
  let channel: () => EventChannel | null = () => null;
  const pool = await startPool({
    seed: o.seed, sizes: o.sizes,
    // One batch at a time: the client processes a batch before the next is generated (a flood is
    // the hostile-server suite's case, not this one's).
    beforeBatch: async () => { await Promise.race([channel()?.drain(), new Promise((r) => setTimeout(r, 2000))]); },
  });
  pool.arm({ self: pool.origin, foreign: foreign.origin, otherPort: otherPort.origin });

  const note = (what: Finding['what'], message: string, stack?: string, counted = true) => {
    if (what === 'crash' && counted) run.crashes++;
    if (run.findings.filter((f) => f.what === what).length < MAX_KEPT) {
      run.findings.push({ what, kind: 'service', index: pool.recent.at(-1)?.index ?? -1, seed: o.seed, message, stack, input: pool.recent.at(-1)?.body ?? '', recent: pool.recent.slice(-5) });
    }
  };
  const onRejection = (reason: unknown) => {
    run.unhandledRejections++;
    note('crash', `unhandled rejection: ${String((reason as Error)?.message ?? reason)}`, (reason as Error)?.stack, false);
  };
  const onUncaught = (err: Error) => note('crash', `uncaught exception: ${err.message}`, err.stack);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onUncaught);

  const offOrigin: string[] = [];
  const spy: MessengerDeps['fetch'] = (url, init) => {
    const auth = new Headers(init.headers).get('authorization');
    let origin = '';
    try { origin = new URL(url).origin; } catch { /* fetch will refuse it */ }
    if (auth?.includes(TOKEN) && origin !== pool.origin) {
      run.offOrigin++;
      if (offOrigin.length < MAX_KEPT) offOrigin.push(`${init.method ?? 'GET'} ${url.slice(0, 200)}`);
    }
    return fetch(url, init);
  };

  const dir = mkdtempSync(join(tmpdir(), 'ucwa-fuzz-'));
  const log = (line: string) => {
    if (builtinErrorIn(line)) note('crash', `caught and logged by the service: ${line.slice(0, 400)}`);
    if (process.env.FUZZ_LOG) console.log(`[svc ${Date.now() - started}] ${line.slice(0, 300)}`);
  };
  const store = await createSqliteStore({ dataDir: dir, account: 'sip:demo@contoso.com', log, checkpointIntervalMs: 0, backgroundCheckIdleMs: 3_600_000 });
  const service: MessengerService & { _internals?: { channel: () => EventChannel | null } } = createMessengerService({
    fetch: spy, store, endpointId: 'fuzz-endpoint', random: () => 0.5, log,
    timing: {
      reportActivityMs: 500, typingThrottleMs: 50, backoffBaseMs: 5, backoffMaxMs: 50, syncAfterConversationEndMs: 50, eventTimeoutSec: 180,
      pgetClientTimeoutMs: 5000, invitationTimeoutMs: 1000, requestTimeoutMs: 5000, channelRestartWaitMs: 20, syncConcurrency: 4, syncLogLimit: 200,
    },
  });
  channel = () => service._internals?.channel() ?? null;

  const rng = createRng(o.seed);
  const texts = hostileText({ ...o.sizes, bigChars: Math.min(o.sizes.bigChars, 64 * 1024) });
  let textIndex = 0;
  const text = () => fc.sample(texts, { seed: o.seed + textIndex++, numRuns: 1 })[0] as string;

  /** A service call: settles in time, and rejects only with the documented errors. */
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    run.actions++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<'hang'>((r) => { timer = setTimeout(() => r('hang'), hangMs); });
    try {
      const r = await Promise.race([fn(), hang]);
      if (r === 'hang') {
        run.hangs++;
        note('hang', `${what} did not settle within ${hangMs / 1000} s`);
        return undefined;
      }
      return r as T;
    } catch (err) {
      if (!(err instanceof AppError || err instanceof StoreError)) note('crash', `${what} rejected with ${(err as Error)?.name}: ${(err as Error)?.message}`, (err as Error)?.stack);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  const served = () => Object.entries(pool.inputs).filter(([k]) => k !== 'roll').reduce((s, [, n]) => s + n, 0);

  const actions: (() => Promise<unknown>)[] = [
    () => call('syncNow', () => service.syncNow()),
    () => call('searchPeople', () => service.searchPeople(text(), 10)),
    () => call('search', () => service.search(text(), 20)),
    () => call('unreadSummary', () => service.unreadSummary(5)),
    async () => {
      const page = await call('listConversations', () => service.listConversations({ limit: 20 }));
      for (const c of page?.items ?? []) {
        const msgs = await call('listMessages', () => service.listMessages(c.id, { limit: 50 }));
        run.storedMessages += msgs?.items.length ?? 0;
        const first = msgs?.items[0];
        if (first) await call('messagesAround', () => service.messagesAround(first.id));
      }
      const c = page?.items[rng.int(0, Math.max(0, (page?.items.length ?? 1) - 1))];
      if (!c) return;
      if (rng.chance(0.5)) await call('markRead', () => service.markRead(c.id));
      if (rng.chance(0.5)) {
        const sending = await call('send', () => service.send(c.id, text()));
        // Delivery may fail for good on a hostile server: an AppError then, nothing else.
        sending?.delivered.catch((err: unknown) => { if (!(err instanceof AppError)) note('crash', `delivery rejected with ${String(err)}`, (err as Error)?.stack); });
      }
    },
    () => call('startConversation', () => service.startConversation(rng.chance(0.5) ? 'sip:bob@contoso.com' : text(), text())),
  ];

  const signIn = () => {
    run.signIns++;
    return call('signIn', () => service.signIn({ sip: 'sip:demo@contoso.com', password: 'demo', server: `${pool.origin}${ROOT_PATH}` }));
  };
  try {
    await signIn();
    let lastProgress = 0;
    while (served() < o.inputs && Date.now() - started < o.maxSeconds * 1000) {
      const st = service.state().status;
      if (st === 'error' || st === 'signedOut') await signIn();
      // A Retry-After of up to 10 minutes is honoured; the harness plays the network coming back.
      else if (st === 'reconnecting') service.nudge('network');
      await (actions[rng.int(0, actions.length - 1)] as () => Promise<unknown>)();
      await new Promise((r) => setTimeout(r, 20));
      if (o.onProgress && Date.now() - lastProgress > 5000) { lastProgress = Date.now(); o.onProgress(served()); }
    }
  } finally {
    await call('close', () => service.close());
    await Promise.all([pool.close(), foreign.close(), otherPort.close()]);
    // Whatever the client sent with the token after the pool closed still counts.
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onUncaught);
    rmSync(dir, { recursive: true, force: true });
  }
  for (const h of hits.filter((x) => x.authorization?.includes(TOKEN))) {
    run.offOrigin++;
    if (offOrigin.length < MAX_KEPT) offOrigin.push(`${h.method} ${h.origin}${h.url} (reached the foreign server)`);
  }
  for (const r of offOrigin) run.findings.push({ what: 'violation', kind: 'service', index: -1, seed: o.seed, message: `offOrigin: ${r}`, input: '' });
  run.inputs = Object.fromEntries(Object.entries(pool.inputs).filter(([k]) => k !== 'roll'));
  run.totalInputs = served();
  run.seconds = (Date.now() - started) / 1000;
  return run;
}
