// Group conversations from the command line (issue 14): `send` to two or more people, `add`,
// `participants`, `join`, `leave`, and what `listen` shows of groups (invitations, joins, leaves).
// Like run.ts, this drives only the MessengerService.
import type { AppErrorShape, InvitationInfo, LiveConversationState, RosterChange } from '../core/app/types.ts';
import type { CommandSpec } from './args.ts';
import type { Ctx, Line } from './context.ts';
import { awaitDelivery, beforeDeadline, conversationOrFail, deliveredJson, print, waitFor } from './context.ts';
import { appError, errorLine } from './errors.ts';
import type { InviteeOutcome } from './format.ts';
import { changeJson, changeLine, inviteeJson, inviteeLine, pastParticipantJson, rosterJson, rosterLine, rosterName } from './format.ts';

type Cmd<N extends CommandSpec['name']> = Extract<CommandSpec, { name: N }>;

/** Before any network traffic: you are never one of the people you write to or add. */
export function refuseSelf(command: CommandSpec, account: string): void {
  const sips = command.name === 'send' && command.to.length > 1 ? command.to : command.name === 'add' ? command.sips : [];
  if (sips.includes(account)) throw appError('invalidInput', `${account.replace(/^sip:/, '')} is you: list only the others.`);
}

/** `send SIP SIP… TEXT`: a group conversation, its first message delivered, then who joined. */
export async function sendGroup(ctx: Ctx, cmd: Cmd<'send'>): Promise<number> {
  const until = Date.now() + ctx.globals.timeout * 1000;
  ctx.progress(`Starting a group conversation with ${cmd.to.length} people…`);
  const sending = await ctx.service.startGroup(cmd.to, cmd.text, cmd.subject ? { subject: cmd.subject } : {});
  const { conversationId } = sending;
  const item = await awaitDelivery(ctx, sending);
  ctx.progress('Message delivered; waiting for the answers…');
  const invited = await settleInvitees(ctx, conversationId, cmd.to, until);
  const live = ctx.service.liveState(conversationId);
  const subject = live?.subject || cmd.subject || '';
  const anyone = invited.some((o) => o.state === 'joined');
  const code = report(ctx, {
    ...await deliveredJson(ctx, sending, item),
    group: true,
    subject,
    invited: invited.map(inviteeJson),
    participants: (live?.roster ?? []).map(rosterJson),
  }, [
    `Group conversation #${conversationId}${subject ? ` "${subject}"` : ''} with ${invited.map((o) => o.name || o.uri.replace(/^sip:/, '')).join(', ')}: message delivered${anyone ? '.' : ', but nobody joined.'}`,
    ...invited.map((o) => `  ${inviteeLine(o, ctx.globals.timeout)}`),
  ], anyone ? null : { code: 'invitationFailed', message: 'Nobody joined the group conversation.' });
  await ctx.service.leave(conversationId).catch(() => undefined);
  return code;
}

/**
 * `add ID SIP… [--message TEXT]`: the invitations, then each one's answer (bounded by --timeout).
 * Only a live conversation takes people; each command signs in afresh, so one is live here only
 * when --message brought it back (the core continues or restarts it to deliver the text).
 */
export async function addPeople(ctx: Ctx, cmd: Cmd<'add'>): Promise<number> {
  const until = Date.now() + ctx.globals.timeout * 1000;
  await conversationOrFail(ctx, cmd.id, false);
  let id = cmd.id;
  let written: Record<string, unknown> | null = null;
  if (cmd.message !== null) {
    ctx.progress(`Writing in conversation #${cmd.id}…`);
    const sending = await ctx.service.send(cmd.id, cmd.message);
    written = await deliveredJson(ctx, sending, await awaitDelivery(ctx, sending));
    id = sending.conversationId;
  } else if (!ctx.service.liveState(cmd.id)) {
    throw notLiveHere(cmd.id, 'give --message TEXT to bring it back with a message');
  }
  ctx.progress(`Inviting ${cmd.sips.map((s) => s.replace(/^sip:/, '')).join(', ')} into conversation #${id}…`);
  await beforeDeadline(ctx, ctx.service.addParticipants(id, cmd.sips), 'Inviting', until);
  const invited = await settleInvitees(ctx, id, cmd.sips, until);
  const live = ctx.service.liveState(id);
  const everyone = invited.every((o) => o.state === 'joined');
  const missing = invited.filter((o) => o.state !== 'joined').map((o) => rosterName(o.name, o.uri));
  const code = report(ctx, {
    conversationId: id,
    ...(written ? { message: written.message } : {}),
    invited: invited.map(inviteeJson),
    participants: (live?.roster ?? []).map(rosterJson),
  }, invited.map((o) => inviteeLine(o, ctx.globals.timeout)),
  everyone ? null : { code: 'invitationFailed', message: `Not everyone joined conversation #${id}: ${missing.join(', ')}.` });
  await ctx.service.leave(id).catch(() => undefined);
  return code;
}

/** `participants ID`: the roster while the conversation is live here, else who took part (history). */
export async function participants(ctx: Ctx, cmd: Cmd<'participants'>): Promise<number> {
  const live = cmd.offline ? null : ctx.service.liveState(cmd.id);
  if (live && live.connection === 'connected' && (live.group || live.roster.length)) {
    const subject = live.subject ? ` "${live.subject}"` : '';
    print(ctx, { conversationId: cmd.id, live: true, group: live.group, subject: live.subject, participants: live.roster.map(rosterJson) }, [
      `Conversation #${cmd.id}${subject} is live${live.group ? ' (group)' : ''}: ${others(live.roster.length)} in it besides you.`,
      ...live.roster.map(rosterLine),
    ]);
    return 0;
  }
  const c = await conversationOrFail(ctx, cmd.id, cmd.offline);
  const people = c.participants.filter((p) => p.sip !== ctx.account);
  print(ctx, { conversationId: cmd.id, live: false, group: people.length > 1, subject: c.subject, participants: people.map(pastParticipantJson) }, [
    `Conversation #${cmd.id}${c.subject ? ` "${c.subject}"` : ''} is not live: the people who took part:`,
    ...(people.length ? people.map((p) => `  ${rosterName(p.name, p.sip)}`) : ['  (nobody else is recorded)']),
  ]);
  return 0;
}

/** `join MEETING`: into the meeting's group conversation; prints its id and who is in it. */
export async function joinMeeting(ctx: Ctx, cmd: Cmd<'join'>): Promise<number> {
  const until = Date.now() + ctx.globals.timeout * 1000;
  ctx.progress('Joining the meeting…');
  const { conversationId } = await beforeDeadline(ctx, ctx.service.joinMeeting(cmd.meeting), 'Joining the meeting', until);
  // The roster arrives as participant events after the join: let them come.
  await settleRoster(ctx, conversationId, Math.min(3000, until - Date.now()));
  const live = ctx.service.liveState(conversationId);
  const roster = live?.roster ?? [];
  const subject = live?.subject ?? '';
  print(ctx, { conversationId, subject, groupPhase: live?.groupPhase ?? null, participants: roster.map(rosterJson) }, [
    `${live?.groupPhase === 'lobby' ? 'Waiting in the lobby of' : 'Joined'} ${subject ? `"${subject}"` : 'the meeting'} (conversation #${conversationId}): ${others(roster.length)} in it besides you.`,
    ...roster.map(rosterLine),
  ]);
  await ctx.service.leave(conversationId).catch(() => undefined);
  return 0;
}

/** `leave ID`. */
export async function leaveConversation(ctx: Ctx, cmd: Cmd<'leave'>): Promise<number> {
  await conversationOrFail(ctx, cmd.id, false);
  if (!ctx.service.liveState(cmd.id)) throw notLiveHere(cmd.id, 'it leaves its conversations when it ends');
  await beforeDeadline(ctx, ctx.service.leave(cmd.id), 'Leaving the conversation', Date.now() + ctx.globals.timeout * 1000);
  print(ctx, { conversationId: cmd.id, left: true }, [`You left conversation #${cmd.id}.`]);
  return 0;
}

// --- listen ----------------------------------------------------------------------------------------

/**
 * listen: each join and leave of a live group once (the 'live' events carry the whole recent list),
 * and a group's end. Returns the remover.
 */
export function watchGroups(ctx: Ctx, line: Line): () => void {
  const seen = new Map<number, Set<string>>();
  const ended = new Set<number>();
  const key = (c: RosterChange) => `${c.at}|${c.kind}|${c.uri ?? ''}|${c.name}`;
  return ctx.service.on('live', (s) => {
    const id = s.conversationId;
    if (s.changes.length) {
      let keys = seen.get(id) ?? new Set<string>();
      for (const c of [...s.changes].sort((a, b) => a.at - b.at)) {
        if (keys.has(key(c))) continue;
        keys.add(key(c));
        line(changeJson(id, c), changeLine(id, c));
      }
      // Every change the server still lists is printed: remembering those is enough.
      if (keys.size > 1000) keys = new Set(s.changes.map(key));
      seen.set(id, keys);
    }
    if (s.group && (s.groupPhase === 'ended' || s.groupPhase === 'failed') && !ended.has(id)) {
      ended.add(id);
      line({ event: 'groupEnded', conversationId: id, phase: s.groupPhase, ...(s.groupError ? { error: s.groupError } : {}) },
        `#${id} the group conversation ${s.groupPhase}${s.groupError ? `: ${s.groupError.message}` : '.'}`);
    }
  });
}

/**
 * listen --accept: what is said once an invitation is accepted — for a group, once its IM is joined,
 * with who is in it (or why it could not be joined).
 */
export async function acceptedLine(ctx: Ctx, inv: InvitationInfo): Promise<[Record<string, unknown>, string]> {
  const id = inv.conversationId;
  if (!inv.group) return [{ event: 'accepted', conversationId: id }, `  accepted #${id}`];
  const settled = (s: LiveConversationState | null) => !!s && ['connected', 'ended', 'failed', 'left'].includes(s.groupPhase ?? '');
  const live = await waitFor(ctx, ['live'], async () => {
    const s = ctx.service.liveState(id);
    return settled(s) ? s : undefined;
  }, 'Joining the group did not finish in time.', { onTimeout: () => ctx.service.liveState(id) });
  if (live && live.groupPhase !== 'connected' && settled(live)) {
    const error = live.groupError ?? { code: 'invitationFailed' as const, message: 'The group conversation could not be joined.' };
    return [{ event: 'error', conversationId: id, error }, `  could not join #${id}: ${error.message}`];
  }
  const roster = live?.roster ?? [];
  return [
    { event: 'accepted', conversationId: id, group: true, participants: roster.map(rosterJson) },
    `  accepted #${id}${roster.length ? ` — in it: ${roster.map((r) => rosterName(r.name, r.uri)).join(', ')}` : ''}`,
  ];
}

// --- waiting ---------------------------------------------------------------------------------------

/** How each of `sips` answered so far ('inviting': not yet). */
function answers(live: LiveConversationState | null, sips: string[]): (Omit<InviteeOutcome, 'state'> & { state: InviteeOutcome['state'] | 'inviting' })[] {
  return sips.map((uri) => {
    const adding = live?.adding.find((a) => a.uri.toLowerCase() === uri);
    const inRoster = live?.roster.find((r) => r.uri?.toLowerCase() === uri);
    const state = adding?.state === 'joined' || inRoster ? 'joined' : adding?.state === 'failed' ? 'failed' : 'inviting';
    return { uri, name: adding?.name || inRoster?.name || '', state, error: state === 'failed' ? adding?.error ?? null : null };
  });
}

/**
 * Wait until each of `sips` joined or failed, the group ended, or `until`; who is still being
 * invited then did not answer (noAnswer). Ends early, failing the rest, when the group ends.
 */
async function settleInvitees(ctx: Ctx, id: number, sips: string[], until: number): Promise<InviteeOutcome[]> {
  const settle = (live: LiveConversationState | null, rest: 'noAnswer' | 'failed', error: AppErrorShape | null): InviteeOutcome[] =>
    answers(live, sips).map((o) => (o.state === 'inviting' ? { ...o, state: rest, error: rest === 'failed' ? error : null } : { ...o, state: o.state }));
  return waitFor(ctx, ['live'], async () => {
    const live = ctx.service.liveState(id);
    if (!live || live.groupPhase === 'ended' || live.groupPhase === 'failed' || live.groupPhase === 'left') return settle(live, 'failed', live?.groupError ?? null);
    return answers(live, sips).every((o) => o.state !== 'inviting') ? settle(live, 'noAnswer', null) : undefined;
  }, 'No answer in time.', { ms: until - Date.now(), onTimeout: () => settle(ctx.service.liveState(id), 'noAnswer', null) });
}

/** After a join: until the roster has people and no 'live' event came for a moment, or `maxMs`. */
async function settleRoster(ctx: Ctx, id: number, maxMs: number): Promise<void> {
  const end = Date.now() + Math.max(0, maxMs);
  let last = Date.now();
  const off = ctx.service.on('live', (s) => { if (s.conversationId === id) last = Date.now(); });
  try {
    while (Date.now() < end) {
      const roster = ctx.service.liveState(id)?.roster ?? [];
      if (roster.length && Date.now() - last > 700) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    off();
  }
}

// --- output ----------------------------------------------------------------------------------------

/** Each command is its own session: a conversation of an earlier one is not live in it. */
function notLiveHere(id: number, what: string) {
  return appError('notFound', `Conversation #${id} is not live in this session (each ucwa command signs in afresh): ${what}.`);
}

function others(n: number): string {
  return n === 1 ? '1 other' : `${n} others`;
}

/**
 * A one-shot group command's result: its document (ok, or ok: false with the error) or its lines;
 * a failure adds its one line on stderr and exits 1.
 */
function report(ctx: Ctx, json: Record<string, unknown>, text: string[], error: AppErrorShape | null): number {
  if (!error) {
    print(ctx, json, text);
    return 0;
  }
  if (ctx.globals.json) ctx.io.stdout(`${JSON.stringify({ ok: false, ...json, error, ...(ctx.warnings.length ? { warnings: ctx.warnings } : {}) })}\n`);
  else ctx.io.stdout(`${text.join('\n')}\n`);
  ctx.io.stderr(`${errorLine(error)}\n`);
  return 1;
}
