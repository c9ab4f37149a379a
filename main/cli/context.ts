// What a signed-in command works with (Ctx), and the waiting and printing every command shares:
// run.ts (the one-to-one commands, listen, people) and groups.ts (group conversations) both use it.
import { AppError } from '../core/app/types.ts';
import type { FullMessengerService as MessengerService, InvitationInfo, OutboxItem, Sending, ServiceEventName } from '../core/app/types.ts';
import type { GlobalOptions } from './args.ts';
import { appError, toErrorShape } from './errors.ts';
import { messageJson } from './format.ts';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  readStdin(): Promise<string>;
  /** Calls `handler` on SIGINT/SIGTERM; returns a remover. */
  onInterrupt(handler: () => void): () => void;
  /** Whether stdout is a terminal (for bold search matches). */
  tty: boolean;
}

export interface Ctx {
  globals: GlobalOptions;
  io: CliIO;
  service: MessengerService;
  account: string;
  warnings: string[];
  progress(line: string): void;
  /** Invitations that rang before `listen` was listening (during sign-in). */
  early: InvitationInfo[];
  listening: boolean;
  /** When --timeout runs out for the sign-in and the sync together (ms since epoch). */
  deadline: number;
}

/** Sync history into the cache, with progress on stderr. A failed sync is a warning: the cache still answers. */
export async function sync(ctx: Ctx): Promise<void> {
  let last = 0;
  const off = ctx.service.on('sync', (p) => {
    const now = Date.now();
    if (p.running && now - last > 500 && p.total > 0) {
      last = now;
      ctx.progress(`Syncing history… ${p.done}/${p.total}`);
    }
  });
  try {
    ctx.progress('Syncing history…');
    await beforeDeadline(ctx, ctx.service.syncNow(), 'Syncing the history');
    const p = ctx.service.syncProgress();
    if (p.error) {
      const msg = `history not fully synced: ${p.error.message}`;
      ctx.warnings.push(msg);
      ctx.progress(`warning: ${msg}`);
    } else {
      ctx.progress(`History synced${p.total ? ` (${p.done}/${p.total})` : ''}.`);
    }
  } catch (err) {
    const msg = `history not synced: ${toErrorShape(err).message}`;
    ctx.warnings.push(msg);
    ctx.progress(`warning: ${msg}`);
  } finally {
    off();
  }
}

/** The one document of a one-shot command (with --json), else its lines. */
export function print(ctx: Ctx, json: Record<string, unknown>, text: string[]): void {
  if (ctx.globals.json) ctx.io.stdout(`${JSON.stringify({ ok: true, ...json, ...(ctx.warnings.length ? { warnings: ctx.warnings } : {}) })}\n`);
  else if (text.length) ctx.io.stdout(`${text.join('\n')}\n`);
}

export async function conversationOrFail(ctx: Ctx, id: number, offline: boolean) {
  let c = await ctx.service.getConversation(id);
  if (!c && !offline) {
    await sync(ctx);
    c = await ctx.service.getConversation(id);
  }
  if (!c) throw appError('notFound', `No conversation #${id} in the local history (see \`ucwa history\`).`);
  return c;
}

/**
 * `work`, or a timeout error once `until` (default ctx.deadline) has passed. The caller's cleanups
 * sign out, which cancels whatever is still under way (the sync's requests, a sign-in attempt).
 */
export function beforeDeadline<T>(ctx: Ctx, work: Promise<T>, what: string, until = ctx.deadline): Promise<T> {
  const left = until - Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(appError('network', `${what} did not finish within --timeout (${ctx.globals.timeout} s).`)), Math.max(0, left));
  });
  work.catch(() => undefined); // settled after the deadline: nothing is waiting for it any more
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Re-evaluates `check` whenever the service reports one of `events` (and every 250 ms), until it
 * returns a value or throws; after `ms` (default --timeout) resolves with `onTimeout()` when given,
 * else rejects with a timeout.
 */
export function waitFor<T>(ctx: Ctx, events: ServiceEventName[], check: () => Promise<T | undefined>, timeoutMessage: string,
  opts: { ms?: number; onTimeout?: () => T } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let busy = false;
    let again = false;
    const offs: (() => void)[] = [];
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearInterval(tick);
      clearTimeout(timer);
      for (const off of offs) off();
      fn();
    };
    const evaluate = () => {
      if (done) return;
      if (busy) { again = true; return; }
      busy = true;
      check().then((v) => {
        busy = false;
        if (v !== undefined) finish(() => resolve(v));
        else if (again) { again = false; evaluate(); }
      }, (err: unknown) => { busy = false; finish(() => reject(err)); });
    };
    for (const e of events) offs.push(ctx.service.on(e, evaluate));
    offs.push(ctx.service.on('session', (s) => {
      if (s.status === 'error' || s.status === 'signedOut') finish(() => reject(s.error ? new AppError(s.error) : appError('notSignedIn', 'The session ended.')));
    }));
    const tick = setInterval(evaluate, 250);
    const { onTimeout } = opts;
    const timer = setTimeout(() => finish(onTimeout ? () => resolve(onTimeout()) : () => reject(appError('network', timeoutMessage))), Math.max(0, opts.ms ?? ctx.globals.timeout * 1000));
    evaluate();
  });
}

/**
 * The outbox item of `sending` once delivered — not a text that looks like it — or why not. A
 * message still undelivered when --timeout runs out is taken back out of the outbox when it is not
 * on the wire, so it does not go out unseen by a later command.
 */
export async function awaitDelivery(ctx: Ctx, sending: Sending): Promise<OutboxItem> {
  let outcome: { item: OutboxItem } | { err: unknown } | null = null;
  sending.delivered.then((item) => { outcome = { item }; }, (err: unknown) => { outcome = { err }; });
  try {
    return await waitFor(ctx, ['delivery', 'invitationProgress'], async () => {
      const o = outcome as { item: OutboxItem } | { err: unknown } | null;
      if (!o) return undefined;
      if ('err' in o) throw o.err;
      return o.item;
    }, 'No answer in time: the message was not delivered.');
  } catch (err) {
    if (!outcome) {
      const taken = await ctx.service.discardOutbox(sending.clientId).then(() => true, () => false);
      if (!taken) ctx.warnings.push('The message was on its way when time ran out; it may still arrive.');
    }
    throw err;
  }
}

/** What continue and send print of a message once delivered (its JSON fields). */
export async function deliveredJson(ctx: Ctx, sending: Sending, item: OutboxItem): Promise<Record<string, unknown>> {
  const page = await ctx.service.listMessages(sending.conversationId, { limit: 50 });
  const mine = page.items.find((m) => m.id === item.messageId) ?? null;
  return {
    conversationId: sending.conversationId,
    clientId: sending.clientId,
    state: 'connected',
    delivered: true,
    ...(item.maybeDuplicate ? { maybeDuplicate: true } : {}),
    ...(item.lastError ? { note: item.lastError } : {}),
    message: mine ? messageJson(mine) : null,
  };
}

export type Line = (json: Record<string, unknown>, text: string) => void;

/** One line per event: the JSON document with --json (JSON Lines), else the words. */
export function linePrinter(ctx: Ctx): Line {
  return (json, text) => ctx.io.stdout(`${ctx.globals.json ? JSON.stringify(json) : text}\n`);
}
