// The valid shapes the fuzz starts from: the simulator's real answers (corpus.json, recorded by
// captureCorpus.ts), sorted by what they are, so each generator mutates the right kind of document.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusEntry {
  method: string;
  /** Path and query, origin-relative. */
  path: string;
  status: number;
  headers: Record<string, string>;
  json: unknown;
}

export interface Corpus {
  note: string;
  entries: CorpusEntry[];
}

export type ShapeKind =
  | 'root' | 'user' | 'token' | 'application' | 'batch' | 'conversationLogs' | 'conversationLog'
  | 'transcripts' | 'search' | 'resource';

export type Shapes = Record<ShapeKind, unknown[]> & {
  challenges: string[];
  /** Resources embedded in the recorded events, by link rel (message, messagingInvitation, …). */
  embedded: Record<string, unknown[]>;
  /** Every recorded event (one `events[]` entry), with its sender's rel and href. */
  events: { senderRel: string; senderHref: string; event: unknown }[];
};

function kindOf(e: CorpusEntry): ShapeKind | null {
  const p = e.path.toLowerCase().split('?')[0] ?? '';
  if (e.status >= 300 || e.json === null || typeof e.json !== 'object') return null;
  if (p.includes('/events')) return 'batch';
  if (p.includes('oauthtoken')) return 'token';
  if (p.endsWith('/oauth/user') || p.endsWith('/user')) return 'user';
  if (p.endsWith('/root') || p.includes('autodiscoverservice.svc/root')) return 'root';
  if (p.includes('/conversationlogtranscripts')) return 'transcripts';
  if (/\/conversationlogs\/[^/]+$/.test(p)) return 'conversationLog';
  if (p.endsWith('/conversationlogs')) return 'conversationLogs';
  if (p.includes('/search')) return 'search';
  if (/\/applications\/[^/]+$/.test(p) || (e.method === 'POST' && p.endsWith('/applications'))) return 'application';
  return 'resource';
}

let cached: Shapes | null = null;

/** The recorded answers by kind (every kind has at least one document). */
export function shapes(): Shapes {
  if (cached) return cached;
  const file = join(dirname(fileURLToPath(import.meta.url)), 'corpus.json');
  const corpus = JSON.parse(readFileSync(file, 'utf8')) as Corpus;
  const out: Shapes = {
    root: [], user: [], token: [], application: [], batch: [], conversationLogs: [], conversationLog: [],
    transcripts: [], search: [], resource: [], challenges: [], embedded: {}, events: [],
  };
  for (const e of corpus.entries) {
    const auth = e.headers['www-authenticate'];
    if (auth && !out.challenges.includes(auth)) out.challenges.push(auth);
    const k = kindOf(e);
    if (k) out[k].push(e.json);
  }
  for (const b of out.batch) {
    for (const sender of (b as { sender?: { rel: string; href: string; events: unknown[] }[] }).sender ?? []) {
      for (const event of sender.events) {
        out.events.push({ senderRel: sender.rel, senderHref: sender.href, event });
        for (const [rel, r] of Object.entries((event as { _embedded?: Record<string, unknown> })._embedded ?? {})) {
          (out.embedded[rel] ??= []).push(r);
          out.resource.push(r);
        }
      }
    }
  }
  // Event batches with events are the interesting ones; keep the empty ones few.
  const withEvents = out.batch.filter((b) => Array.isArray((b as { sender?: unknown }).sender));
  out.batch = [...withEvents, ...out.batch.filter((b) => !withEvents.includes(b)).slice(0, 2)];
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v) && v.length === 0) throw new Error(`corpus.json has no "${k}" answer: re-run tests/fuzz/captureCorpus.ts`);
  cached = out;
  return out;
}
