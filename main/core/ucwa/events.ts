// Event batches (PROTOCOL.md §3.2) normalised for generic dispatch: added≈started,
// deleted≈completed (the official sample library does the same), `_embedded` keyed by link rel.
import { BadResponseError } from './errors.ts';
import { asResource, link, type Resource } from './links.ts';
import { LIMITS } from '../limits.ts';

export type RawEventType = 'added' | 'updated' | 'deleted' | 'started' | 'completed';
export type EventPhase = 'start' | 'update' | 'end';

export interface UcwaEvent {
  senderRel: string;
  senderHref: string;
  rel: string;
  href: string;
  title?: string;
  type: string;
  phase: EventPhase | 'unknown';
  inRel?: string;
  inHref?: string;
  status?: string;
  reason?: { code?: string; subcode?: string; message?: string };
  /** The embedded target, when the server sent it. */
  resource: Resource | null;
}

export interface EventBatch {
  self?: string;
  next?: string;
  resume?: string;
  resync?: string;
  events: UcwaEvent[];
  /** Events beyond LIMITS.eventsPerBatch, not read (the owner logs it; history sync recovers messages). */
  skipped: number;
}

export function phaseOf(type: string): EventPhase | 'unknown' {
  switch (type) {
    case 'added': case 'started': return 'start';
    case 'updated': return 'update';
    case 'deleted': case 'completed': return 'end';
    default: return 'unknown';
  }
}

/** Parse one P-GET answer. Malformed events are skipped; a batch without any way on is an error.
 * At most `maxEvents` are read; the rest are counted in `skipped`. */
export function parseBatch(json: unknown, maxEvents: number = LIMITS.eventsPerBatch): EventBatch {
  const body = asResource(json);
  if (!body) throw new BadResponseError('malformed', 'the event channel answered without a JSON body');
  const batch: EventBatch = {
    self: link(body, 'self'),
    next: link(body, 'next'),
    resume: link(body, 'resume'),
    resync: link(body, 'resync'),
    events: [],
    skipped: 0,
  };
  if (!batch.next && !batch.resume && !batch.resync) throw new BadResponseError('missingLink', 'the event batch has no next, resume or resync link');
  const senders = Array.isArray(body.sender) ? body.sender : [];
  for (const s of senders) {
    const sender = asResource(s);
    if (!sender) continue;
    const senderRel = typeof sender.rel === 'string' ? sender.rel : '';
    const senderHref = typeof sender.href === 'string' ? sender.href : '';
    const events = Array.isArray(sender.events) ? sender.events : [];
    for (const e of events) {
      if (batch.events.length >= maxEvents) {
        batch.skipped++;
        continue;
      }
      const ev = asResource(e);
      const l = asResource(ev?.link);
      if (!ev || !l || typeof l.rel !== 'string' || typeof l.href !== 'string') continue;
      const type = typeof ev.type === 'string' ? ev.type : '';
      const inLink = asResource(ev.in);
      const emb = asResource(ev._embedded);
      const reason = asResource(ev.reason);
      batch.events.push({
        senderRel, senderHref,
        rel: l.rel,
        href: l.href,
        title: typeof l.title === 'string' ? l.title : undefined,
        type,
        phase: phaseOf(type),
        inRel: typeof inLink?.rel === 'string' ? inLink.rel : undefined,
        inHref: typeof inLink?.href === 'string' ? inLink.href : undefined,
        status: typeof ev.status === 'string' ? ev.status : undefined,
        reason: reason ? {
          code: typeof reason.code === 'string' ? reason.code : undefined,
          subcode: typeof reason.subcode === 'string' ? reason.subcode : undefined,
          message: typeof reason.message === 'string' ? reason.message : undefined,
        } : undefined,
        resource: asResource(emb?.[l.rel]) ?? (Array.isArray(emb?.[l.rel]) ? asResource((emb[l.rel] as unknown[])[0]) : null),
      });
    }
  }
  return batch;
}
