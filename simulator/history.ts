// Conversation history (PROTOCOL §7): conversationLogs (links only, newest first, `limit`),
// conversationLog, transcripts paged oldest → newest via nextConversationLogTranscripts,
// markAsRead and missedItems.

import { encodeHtml, encodePlain } from './dataUrl.ts';
import { UcwaError, invalidParam } from './errors.ts';
import { h, userPart } from './hrefs.ts';
import type { App, Ctx, LogRec, Reply } from './model.ts';
import { date } from './resources.ts';
import type { Sim } from './sim.ts';

export function findLog(sim: Sim, ctx: Ctx): LogRec {
  const log = sim.world.log(ctx.sip, ctx.params.log ?? '');
  if (!log) throw new UcwaError(404, undefined, 'The conversation log does not exist.');
  return log;
}

export function getLogs(sim: Sim, ctx: Ctx): Reply {
  const raw = ctx.url.searchParams.get('limit') ?? ctx.url.searchParams.get('Limit');
  let logs = sim.world.logs(ctx.sip);
  if (raw !== null) {
    const limit = Number(raw);
    if (!Number.isInteger(limit) || limit < 1) throw invalidParam('limit must be a positive integer.');
    logs = logs.slice(0, limit);
  }
  const self = h.logs(ctx.app) + (raw !== null ? `?limit=${raw}` : '');
  return { status: 200, body: { rel: 'conversationLogs', _links: { self: { href: self }, conversationLog: logs.map((l) => ({ href: h.log(ctx.app, l.id) })) } } };
}

function preview(log: LogRec): string {
  const last = log.messages[log.messages.length - 1];
  if (!last) return '';
  return last.text.length > 100 ? last.text.slice(0, 97) + '...' : last.text;
}

export function logJson(sim: Sim, app: App, log: LogRec): Record<string, unknown> {
  const self = h.log(app, log.id);
  return {
    rel: 'conversationLog',
    creationTime: date(log.creationTime),
    direction: log.direction,
    importance: log.importance,
    modalities: log.type === 'ConferenceLog' ? ['Messaging', 'Audio'] : ['Messaging'],
    onlineMeetingUri: log.onlineMeetingUri ?? '',
    previewMessage: preview(log),
    status: log.status,
    subject: log.subject,
    threadId: log.threadId,
    totalRecipientsCount: log.recipients.length,
    type: log.type ?? 'MessageLog',
    _links: {
      self: { href: self },
      // Offered for conference logs too: by default the POST answers 409 None, the seed's "not
      // supported" row (continueConferenceLogs turns it into a new conference).
      continueMessaging: { href: `${self}/continueMessaging` },
      conversationLogTranscripts: { href: `${self}/conversationLogTranscripts` },
      markAsRead: { href: `${self}/markAsRead` },
    },
    _embedded: { conversationLogRecipient: log.recipients.map((sip) => recipientJson(sim, app, log, sip)) },
  };
}

function recipientJson(sim: Sim, app: App, log: LogRec, sip: string): Record<string, unknown> {
  const links: Record<string, unknown> = { self: { href: `${h.log(app, log.id)}/conversationLogRecipients/${userPart(sip)}` } };
  // A phone participant of a conference has no contact.
  if (sim.world.user(sip)) {
    links.contact = { href: h.contact(app, sip) };
    links.contactPhoto = { href: h.photo(app, sip) };
    links.contactPresence = { href: h.contactPresence(app, sip) };
  }
  return { rel: 'conversationLogRecipient', displayName: log.recipientNames?.[sip] ?? sim.world.name(sip), sipUri: sip, _links: links };
}

export function getLog(sim: Sim, ctx: Ctx): Reply {
  return { status: 200, body: logJson(sim, ctx.app, findLog(sim, ctx)) };
}

export function getRecipient(sim: Sim, ctx: Ctx): Reply {
  const log = findLog(sim, ctx);
  const sip = log.recipients.find((s) => userPart(s) === (ctx.params.who ?? '').toLowerCase());
  if (!sip) throw new UcwaError(404);
  return { status: 200, body: recipientJson(sim, ctx.app, log, sip) };
}

export function deleteLog(sim: Sim, ctx: Ctx): Reply {
  findLog(sim, ctx);
  sim.world.deleteLog(ctx.sip, ctx.params.log ?? '');
  sim.emitMissedItems(ctx.sip);
  return { status: 204 };
}

function transcriptJson(sim: Sim, app: App, log: LogRec, index: number): Record<string, unknown> {
  const m = log.messages[index];
  if (!m) throw new UcwaError(404);
  const self = `${h.log(app, log.id)}/conversationLogTranscripts/${index + 1}`;
  const links: Record<string, unknown> = { self: { href: self } };
  if (m.from === app.user.sip) links.me = { href: h.me(app) };
  // A phone author has no contact (and so no author link): its name is among the recipients.
  else if (sim.world.user(m.from)) links.contact = { href: h.contact(app, m.from), title: sim.world.name(m.from) };
  const msgLinks: Record<string, unknown> = { self: { href: `${self}/messageTranscript` }, plainMessage: { href: encodePlain(m.text) } };
  if (m.html !== undefined) msgLinks.htmlMessage = { href: encodeHtml(m.html) };
  return {
    rel: 'conversationLogTranscript',
    timeStamp: date(m.at),
    _links: links,
    _embedded: { messageTranscript: { rel: 'messageTranscript', _links: msgLinks } },
  };
}

export function getTranscripts(sim: Sim, ctx: Ctx): Reply {
  const log = findLog(sim, ctx);
  const size = sim.cfg.transcriptPageSize;
  const pageRaw = ctx.url.searchParams.get('page');
  const page = pageRaw === null ? 1 : Number(pageRaw);
  if (!Number.isInteger(page) || page < 1) throw invalidParam('page must be a positive integer.');
  const base = `${h.log(ctx.app, log.id)}/conversationLogTranscripts`;
  const start = (page - 1) * size;
  const items: unknown[] = [];
  for (let i = start; i < Math.min(start + size, log.messages.length); i++) items.push(transcriptJson(sim, ctx.app, log, i));
  const links: Record<string, unknown> = { self: { href: page === 1 ? base : `${base}?page=${page}` } };
  if (start + size < log.messages.length) links.nextConversationLogTranscripts = { href: `${base}?page=${page + 1}` };
  return { status: 200, body: { rel: 'conversationLogTranscripts', _links: links, _embedded: { conversationLogTranscript: items } } };
}

export function getTranscript(sim: Sim, ctx: Ctx): Reply {
  const log = findLog(sim, ctx);
  return { status: 200, body: transcriptJson(sim, ctx.app, log, Number(ctx.params.n) - 1) };
}

export function markAsRead(sim: Sim, ctx: Ctx): Reply {
  const log = findLog(sim, ctx);
  if (log.unread) {
    log.unread = false;
    sim.emitMissedItems(ctx.sip);
  }
  return { status: 204 };
}

export function getMissedItems(sim: Sim, ctx: Ctx): Reply {
  return { status: 200, body: { rel: 'missedItems', ...sim.world.missedItems(ctx.sip), _links: { self: { href: h.missedItems(ctx.app) } } } };
}
