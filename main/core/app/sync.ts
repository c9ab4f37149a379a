// History sync (DESIGN.md §3 "History"): list conversationLogs → GET each log (bounded
// concurrency) → upsert its properties → transcripts page by page, one store transaction per page,
// only for logs the store says still need them. Incremental by construction: a complete log whose
// fingerprint did not change costs one GET and no transcript request; an interrupted sync resumes
// because unfinished logs keep transcriptsComplete=false. Cancellable with an AbortSignal.
import { AppError } from './types.ts';
import type { SyncProgress } from './types.ts';
import { toAppError } from './errors.ts';
import { getConversationLog, getTranscriptPage, listConversationLogs, logFingerprint } from '../ucwa/resources.ts';
import { isAbort } from '../ucwa/errors.ts';
import { logKeyFromHref } from '../store/keys.ts';
import type { UcwaClient } from '../ucwa/client.ts';
import type { Person, Store } from '../store/types.ts';
import { describeError, safeUrl } from '../logSafe.ts';
import { LIMITS } from '../limits.ts';
import { Semaphore } from './semaphore.ts';

export interface LogLinks {
  href: string;
  /** The log's creationTime: of several logs of one thread, the newest one's links are used. */
  createdAt: number;
  continueHref: string | null;
  markAsReadHref: string | null;
  conversationId: number;
  threadId: string | null;
}

export interface SyncDeps {
  store: Store;
  concurrency: number;
  logLimit: number;
  onProgress: (p: SyncProgress) => void;
  log?: (line: string) => void;
}

export interface SyncTarget {
  client: UcwaClient;
  conversationLogsHref: string | null;
  me: Person;
}

// A copy stored without a server timestamp (an invitation's first message carries none and is
// stamped with local time unless its re-delivery after accept restamped it — not when the
// invitation was missed; a message carried by our own start/continue invitation is stamped when
// sent) cannot meet its transcript copy through the store's exact dedupe key. Match it here: same
// conversation, same author, same text, within a short window, copies not from a transcript only,
// each copy once. Where the store can restamp, the copy takes the transcript's server time (so the
// next sync meets it exactly); otherwise the transcript copy is left out.
const NEAR_MS = 120_000;
interface NearCopy { id: number; sip: string; text: string; at: number; used: boolean }

function takeNear(near: NearCopy[], m: { author: Person | null; text: string; at: number }): NearCopy | null {
  const sip = m.author?.sip ?? '';
  const hit = near.find((n) => !n.used && n.sip === sip && n.text.trim() === m.text.trim() && n.at !== m.at && Math.abs(n.at - m.at) <= NEAR_MS);
  if (!hit) return null;
  hit.used = true;
  return hit;
}

export class HistorySync {
  private readonly d: SyncDeps;
  private running: Promise<void> | null = null;
  private again = false;
  private controller: AbortController | null = null;
  progress: SyncProgress = { running: false, done: 0, total: 0, error: null };
  /** Links of each log for the current application (continueMessaging, markAsRead). */
  readonly logLinks = new Map<number, LogLinks>();
  /** Requests made by the last run (tests assert incrementality). */
  transcriptRequests = 0;

  constructor(d: SyncDeps) {
    this.d = d;
  }

  /** Start (or queue one more run after the current one). Resolves when the runs are over. */
  run(target: () => SyncTarget | null): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const t = target();
        if (!t) break;
        await this.once(t);
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  cancel(): void {
    this.again = false;
    this.controller?.abort();
  }

  clearLinks(): void {
    this.logLinks.clear();
  }

  private report(p: Partial<SyncProgress>): void {
    this.progress = { ...this.progress, ...p };
    this.d.onProgress(this.progress);
  }

  private async once(t: SyncTarget): Promise<void> {
    if (!t.conversationLogsHref) {
      this.report({ running: false, error: { code: 'historyUnavailable', message: 'Conversation history is not available for this account.' } });
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    const signal = controller.signal;
    this.report({ running: true, done: 0, total: 0, error: null });
    try {
      const listed = await listConversationLogs(t.client, t.conversationLogsHref, this.d.logLimit);
      // The server was asked for `logLimit`; one that sends more gets its first LIMITS.logsPerSync
      // read, and the sync says so rather than reading without end.
      const hrefs = listed.slice(0, LIMITS.logsPerSync);
      if (listed.length > hrefs.length) {
        this.d.log?.(`sync: the server listed ${listed.length} conversation logs; reading the first ${hrefs.length}`);
        this.progress.error = new AppError({ code: 'server', message: `The server listed ${listed.length.toLocaleString('en')} conversations; only the first ${hrefs.length.toLocaleString('en')} were read.` }).toJSON();
      }
      this.report({ total: hrefs.length });
      let next = 0;
      let done = 0;
      // `concurrency` bounds the requests in flight, not the logs in progress: more logs than
      // request slots are under way, so while one log waits for the store (upsert, live copies,
      // a transcript page's transaction) another log's request takes its slot. One worker per
      // log and one request per worker left the slots idle during every store call.
      const requests = new Semaphore(Math.max(1, this.d.concurrency));
      this.requests = requests;
      const worker = async () => {
        while (next < hrefs.length) {
          if (signal.aborted) return;
          const href = hrefs[next++] as string;
          try {
            await this.syncLog(t, href, signal);
          } catch (err) {
            if (signal.aborted || isAbort(err)) return;
            // One bad log must not stop the others: note it and carry on.
            this.d.log?.(`sync: log ${safeUrl(href)} failed: ${describeError(err)}`);
            this.progress.error = toAppError(err).toJSON();
          }
          done++;
          this.report({ done });
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, this.d.concurrency) * 2 }, worker));
      if (signal.aborted) throw new AppError({ code: 'internal', message: 'History sync was cancelled.' });
      this.report({ running: false });
    } catch (err) {
      const e = toAppError(err);
      this.report({ running: false, error: signal.aborted ? null : e.toJSON() });
      if (!signal.aborted) throw e;
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  /** A continued thread is several logs of one conversation: keep the newest log's links. */
  #noteLinks(conversationId: number, parsed: Awaited<ReturnType<typeof getConversationLog>>): LogLinks {
    const links: LogLinks = {
      href: parsed.input.href,
      createdAt: parsed.input.createdAt,
      continueHref: parsed.continueHref,
      markAsReadHref: parsed.markAsReadHref,
      conversationId,
      threadId: parsed.input.threadId,
    };
    const known = this.logLinks.get(conversationId);
    if (known && known.createdAt > links.createdAt) return known;
    this.logLinks.set(conversationId, links);
    return links;
  }

  /**
   * The links of a conversation's log for the current application, fetched now when the sync has
   * not reached it yet (continue right after sign-in must use continueMessaging, not start a new
   * conversation): list the logs, take the one with this key, GET it. Null if it is not there.
   */
  async linksFor(t: SyncTarget | null, conversationId: number, logKey: string | null): Promise<LogLinks | null> {
    const known = this.logLinks.get(conversationId);
    if (known || !t || !t.conversationLogsHref || !logKey) return known ?? null;
    const hrefs = await listConversationLogs(t.client, t.conversationLogsHref, this.d.logLimit);
    const href = hrefs.find((h) => logKeyFromHref(h) === logKey);
    if (!href) return null;
    const parsed = await getConversationLog(t.client, href, t.me);
    return this.#noteLinks(conversationId, parsed);
  }

  private requests: Semaphore | null = null;
  private request<T>(fn: () => Promise<T>): Promise<T> {
    return this.requests ? this.requests.use(fn) : fn();
  }

  private async liveCopies(conversationId: number): Promise<NearCopy[]> {
    const out: NearCopy[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page = await this.d.store.listMessages(conversationId, { cursor, limit: 200 });
      for (const m of page.items) if (m.origin !== 'transcript') out.push({ id: m.id, sip: m.author?.sip ?? '', text: m.text, at: m.at, used: false });
      cursor = page.next;
      if (!cursor) break;
    }
    return out;
  }

  private async syncLog(t: SyncTarget, href: string, signal: AbortSignal): Promise<void> {
    const parsed = await this.request(() => getConversationLog(t.client, href, t.me, signal));
    const fp = logFingerprint(parsed.input);
    const { conversation, needsTranscripts } = await this.d.store.upsertLog(parsed.input, fp);
    this.#noteLinks(conversation.id, parsed);
    if (!needsTranscripts || !parsed.transcriptsHref) {
      if (needsTranscripts) await this.d.store.putTranscriptPage(conversation.id, parsed.input.threadId, [], true, parsed.input.logKey);
      return;
    }
    const names = new Map(parsed.input.participants.map((p) => [p.sip, p.name]));
    const near = await this.liveCopies(conversation.id);
    let page: string | null = parsed.transcriptsHref;
    const seen = new Set<string>();
    while (page && !seen.has(page)) {
      if (signal.aborted) return;
      if (seen.size >= LIMITS.transcriptPagesPerLog) {
        // A `next` that never ends (never repeating either): stop, keep what was read, say so.
        // The log stays incomplete, so the next sync looks at it again.
        throw new AppError({ code: 'server', message: `The server sent more than ${LIMITS.transcriptPagesPerLog.toLocaleString('en')} pages of history for one conversation; the rest was not read.` });
      }
      seen.add(page); // a server looping its `next` link must not loop us
      this.transcriptRequests++;
      const url: string = page;
      const p: Awaited<ReturnType<typeof getTranscriptPage>> = await this.request(() => getTranscriptPage(t.client, url, t.me, names, signal, parsed.input.createdAt));
      const fresh = [];
      for (const m of p.messages) {
        const hit = takeNear(near, m);
        if (!hit) fresh.push(m);
        else await this.d.store.restampMessage(hit.id, m.at, parsed.input.threadId);
      }
      await this.d.store.putTranscriptPage(conversation.id, parsed.input.threadId, fresh, !p.next, parsed.input.logKey);
      page = p.next;
    }
  }
}
