// Users and per-user stores (conversation logs, unread state, what the server received).
// Logs live per user — not per application — so their ids survive new applications and sign-ins.

import { DEMO_LOG_CONTACTS, demoAccounts, demoContacts, demoLogs, demoMeetings } from './demoWorld.ts';
import { toSip } from './hrefs.ts';
import type { Config } from './options.ts';
import type { LogRec, ScheduledMeeting } from './model.ts';
import type { SimUser } from './types.ts';

export interface Received {
  from: string;
  to: string[];
  threadId: string;
  text: string;
  contentType: string;
  at: number;
}

interface UserStore {
  logs: LogRec[] | undefined; // generated lazily on first access
  wroteFirst: boolean;
}

export class World {
  readonly users = new Map<string, SimUser>();
  readonly accounts: SimUser[] = [];
  readonly people: SimUser[] = [];
  readonly received: Received[] = [];
  /** Scheduled meetings (scheduleMeeting, the demo world): joinable with joinOnlineMeeting. */
  readonly meetings: ScheduledMeeting[] = [];
  readonly #stores = new Map<string, UserStore>();
  readonly #cfg: Config;
  readonly #demoContacts: SimUser[];
  #logSeq = 0;

  constructor(cfg: Config) {
    this.#cfg = cfg;
    this.#demoContacts = cfg.demoWorld ? demoContacts(cfg.domain, cfg.seed) : [];
    const all = [...(cfg.demoWorld ? demoAccounts(cfg.domain) : []), ...this.#demoContacts, ...cfg.users];
    for (const u of all) {
      const user = { ...u, sip: toSip(u.sip) };
      if (!user.email) user.email = user.sip.slice(4);
      this.users.set(user.sip, user);
    }
    for (const u of this.users.values()) (u.password !== undefined ? this.accounts : this.people).push(u);
    if (cfg.demoWorld) this.meetings.push(...demoMeetings(cfg.domain, cfg.seed));
  }

  meeting(uri: string): ScheduledMeeting | undefined {
    const key = uri.trim().toLowerCase();
    return this.meetings.find((m) => m.uri.toLowerCase() === key);
  }

  user(sip: string): SimUser | undefined {
    return this.users.get(toSip(sip));
  }

  /** The account a sign-in name belongs to (see SimUser.signInNames), or undefined. */
  account(signInName: string): SimUser | undefined {
    const n = signInName.trim().toLowerCase();
    if (!n) return undefined;
    for (const u of this.accounts) {
      if (u.signInNames?.length) {
        if (u.signInNames.some((x) => x.toLowerCase() === n)) return u;
      } else if (toSip(n) === u.sip) {
        return u;
      }
    }
    return undefined;
  }

  name(sip: string): string {
    return this.user(sip)?.name ?? sip.replace(/^sip:/, '');
  }

  #store(sip: string): UserStore {
    let s = this.#stores.get(sip);
    if (!s) {
      s = { logs: undefined, wroteFirst: false };
      this.#stores.set(sip, s);
    }
    return s;
  }

  /** Newest first. Demo logs are generated on first access (fast: plain objects, no I/O). */
  logs(sip: string): LogRec[] {
    const s = this.#store(sip);
    if (!s.logs) {
      const isDemoAccount = this.#cfg.demoWorld && /^sip:demo2?@/.test(sip);
      s.logs = isDemoAccount ? demoLogs(this.#cfg.seed, sip, this.#demoContacts.slice(0, DEMO_LOG_CONTACTS), this.#cfg.demoConversations, Date.now()) : [];
    }
    return s.logs;
  }

  log(sip: string, id: string): LogRec | undefined {
    return this.logs(sip).find((l) => l.id === id);
  }

  addLog(sip: string, rec: Omit<LogRec, 'id'>): LogRec {
    this.#logSeq += 1;
    const log: LogRec = { ...rec, id: `log${Date.now().toString(16)}${this.#logSeq.toString(16).padStart(4, '0')}` };
    const logs = this.logs(sip);
    logs.push(log);
    logs.sort((a, b) => b.creationTime - a.creationTime);
    return log;
  }

  deleteLog(sip: string, id: string): boolean {
    const logs = this.logs(sip);
    const i = logs.findIndex((l) => l.id === id);
    if (i < 0) return false;
    logs.splice(i, 1);
    return true;
  }

  /** Once per user and run: the `writeFirst` people write after the first makeMeAvailable. */
  takeWriteFirst(sip: string): boolean {
    const s = this.#store(sip);
    if (s.wroteFirst) return false;
    s.wroteFirst = true;
    return true;
  }

  missedItems(sip: string): Record<string, number | string> {
    const logs = this.logs(sip);
    let missed = 0;
    let unreadMissed = 0;
    let unread = 0;
    for (const l of logs) {
      if (l.status === 'Missed') missed++;
      if (l.unread) unread++;
      if (l.unread && l.status === 'Missed') unreadMissed++;
    }
    return {
      conversationLogsCount: logs.length,
      conversationLogsNotifications: 'Enabled',
      missedConversationsCount: missed,
      unreadMissedConversationsCount: unreadMissed,
      // Not in the reference page; lets clients see markAsRead on archived logs too.
      unreadConversationLogsCount: unread,
      unreadVoicemailsCount: 0,
      voiceMailsCount: 0,
    };
  }
}
