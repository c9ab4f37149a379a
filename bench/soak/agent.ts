// Child process: one soak account running the REAL core (createMessengerService over its own SQLite
// store). It signs in, accepts the peer's invitations, and types numbered messages to the peer at a
// steady pace; each one is logged (fsync) once send()/startConversation() resolved, i.e. once it is
// in the outbox. The soak SIGKILLs it at random and starts it again on the same data folder, so it
// resumes the numbering after the last seq it typed (or persisted, should a kill fall between).
import { appendFileSync } from 'node:fs';
import { createMessengerService } from '../../main/core/app/service.ts';
import { createSqliteStore } from '../../main/core/store/sqliteStore.ts';
import { ACCOUNTS, messageText, peerOf } from './accounts.ts';
import type { AgentArgs, AgentStatus, FromAgent, ToAgent } from './agentProtocol.ts';
import { createRng } from './prng.ts';
import { scanSoakMessages } from './storeScan.ts';
import { readTypedLog, TypedLogWriter } from './typedLog.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as AgentArgs;
const me = ACCOUNTS[args.side];
const peer = ACCOUNTS[peerOf(args.side)];
const rng = createRng(args.seed);
const t0 = Date.now();
const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${args.side} ${line}\n`);
const send = (msg: FromAgent) => process.send?.(msg);

// A crash of the agent is a finding, not a reason to stop measuring: log it, keep going.
process.on('unhandledRejection', (err) => say(`UNHANDLED REJECTION ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
process.on('uncaughtException', (err) => say(`UNCAUGHT EXCEPTION ${err.stack ?? err.message}`));

say(`agent start pid ${process.pid}`);
const store = await createSqliteStore({ dataDir: args.dataDir, account: me.sip });
const serviceLog = `${args.dataDir}/../service.log`;
const service = createMessengerService({
  fetch: globalThis.fetch,
  store,
  endpointId: me.endpointId,
  userAgent: 'UCWA Tray soak agent',
  random: rng.next,
  timing: args.timing,
  log: (line) => appendFileSync(serviceLog, `${new Date().toISOString()} ${line}\n`),
});

// Accept every invitation from the peer (a user who always answers); nothing else rings here.
service.on('invitation', (inv) => {
  if (inv.direction !== 'Incoming' || inv.unsupported || inv.from?.sip.toLowerCase() !== peer.sip) return;
  service.accept(inv.conversationId).then(
    () => say(`accepted #${inv.conversationId}`),
    (err: unknown) => say(`accept #${inv.conversationId} failed: ${String(err)}`),
  );
});

// Continue the numbering: after the last typed seq, or the last one persisted should a kill have
// fallen between the outbox write and the typed-log line.
const stored = await scanSoakMessages(store);
const ownMax = Math.max(0, ...stored.filter((r) => r.from === args.side && r.direction === 'Outgoing').map((r) => r.seq));
const typedMax = Math.max(0, ...readTypedLog(args.typedLog).map((e) => e.seq));
let nextSeq = Math.max(ownMax, typedMax) + 1;
const typed = new TypedLogWriter(args.typedLog);

let typing = true;
let signedIn = false;
let stopping = false;

async function signInUntilDone(): Promise<void> {
  for (let attempt = 1; !stopping; attempt++) {
    try {
      await service.signIn({ sip: me.sip, password: me.password, server: args.server });
      signedIn = true;
      say(`signed in after ${attempt} attempt(s), ${Date.now() - t0} ms; next seq ${nextSeq}`);
      send({ type: 'ready', nextSeq });
      return;
    } catch (err) {
      say(`sign-in attempt ${attempt} failed: ${err instanceof Error ? err.message : String(err)}`);
      await new Promise((r) => setTimeout(r, 300 + rng.int(0, 400)));
    }
  }
}

/** Type one message: into the newest conversation with the peer, or a new one. */
async function typeOne(): Promise<void> {
  const seq = nextSeq++;
  const text = messageText(args.side, seq, rng.next);
  const newest = (await store.listConversations({ contact: peer.sip, limit: 1 })).items[0];
  const r = newest ? await service.send(newest.id, text) : await service.startConversation(peer.sip, text);
  // The rebuilt core returns a delivery promise: it may reject (a permanent failure), never unhandled.
  const delivered = (r as unknown as { delivered?: Promise<unknown> }).delivered;
  if (delivered && typeof delivered.catch === 'function') delivered.catch(() => undefined);
  const clientId = (r as unknown as { clientId?: string }).clientId ?? (await findClientId(r.conversationId, text));
  typed.append({ seq, clientId });
}

/** startConversation() may answer with the conversation only: find the message's outbox item by its text. */
async function findClientId(conversationId: number, text: string): Promise<string> {
  const queued = (await store.pendingOutbox(conversationId)).find((i) => i.text === text);
  if (queued) return queued.clientId;
  const page = await store.listMessages(conversationId, { limit: 50 });
  return page.items.find((m) => m.text === text && m.clientId)?.clientId ?? 'unknown';
}

async function typeLoop(): Promise<void> {
  let due = Date.now();
  while (!stopping) {
    if (typing && signedIn) {
      try {
        await typeOne();
      } catch (err) {
        // Not typed (not persisted): the seq is skipped, never reused.
        say(`type #${nextSeq - 1} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    due += args.intervalMs * (0.7 + 0.6 * rng.next());
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
}

async function status(): Promise<AgentStatus> {
  const rows = await scanSoakMessages(store);
  const peerSeqs = [...new Set(rows.filter((r) => r.from === peer.side && r.direction === 'Incoming').map((r) => r.seq))];
  const failedSeqs: number[] = [];
  for (const e of readTypedLog(args.typedLog)) {
    const item = await store.outboxItem(e.clientId);
    if (item?.state === 'failed') failedSeqs.push(e.seq);
  }
  return { signedIn, nextSeq, pending: (await store.pendingOutbox()).length, peerSeqs, failedSeqs };
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping');
  const closed = service.close().then(() => true, (err: unknown) => (say(`close failed: ${String(err)}`), false));
  const inTime = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  typed.close();
  say(inTime ? 'closed' : 'close did not finish in 10 s');
  process.exit(inTime ? 0 : 3);
}

process.on('message', (msg: ToAgent) => {
  if (msg.type === 'drain') typing = false;
  else if (msg.type === 'stop') void stop();
  else if (msg.type === 'status') {
    status().then(
      (s) => send({ type: 'status', id: msg.id, status: s }),
      (err: unknown) => say(`status failed: ${String(err)}`),
    );
  }
});
// The parent is gone (the soak was interrupted): do not linger.
process.on('disconnect', () => void stop());

void typeLoop();
await signInUntilDone();
