// Test and demo hooks (types.ts SimulatorControl), also reachable as POST /_control/<method>
// when `controlEndpoint` is on — loopback callers only, as it can read everyone's messages.

import type { IncomingMessage } from 'node:http';
import { terminateApplication } from './applications.ts';
import { liveConversations, remoteMessage, setRemoteTyping } from './conversations.ts';
import { errorBody } from './errors.ts';
import { hhmm } from './dayClock.ts';
import { groupHooks } from './groupControl.ts';
import { toSip } from './hrefs.ts';
import { sendIm } from './incoming.ts';
import type { Reply } from './model.ts';
import { listSubscriptions } from './presenceSubscriptions.ts';
import type { Sim } from './sim.ts';
import type { Behaviour, Fault, GroupInviteArgs, PhotoSpec, PresenceChange, SimulatorControl } from './types.ts';

export function createControl(sim: Sim, dropConnections: () => void): SimulatorControl {
  const findLive = (threadId: string, from: string) => {
    const sip = toSip(from);
    const convs = [...sim.apps.values()].flatMap((a) => [...a.conversations.values()]);
    const conv = convs.find((c) => c.threadId === threadId && c.state === 'Connected' && c.joined.includes(sip));
    if (!conv) throw new Error(`No connected conversation ${threadId} with ${sip}`);
    return { conv, sip };
  };
  return {
    sendIm: async (from, to, text, opts) => sendIm(sim, from, to, text, opts),
    ...groupHooks(sim),
    sendInConversation: async (threadId, from, text) => {
      const { conv, sip } = findLive(threadId, from);
      remoteMessage(sim, conv, sip, text);
    },
    setTyping: async (threadId, from, typing) => {
      const { conv, sip } = findLive(threadId, from);
      setRemoteTyping(sim, conv, sip, typing);
    },
    setBehaviour: (sip: string, behaviour: Behaviour) => {
      const u = sim.world.user(sip);
      if (!u) throw new Error(`Unknown user ${sip}`);
      u.behaviour = behaviour;
    },
    addFault: (fault: Fault) => sim.faults.add(fault),
    clearFaults: () => sim.faults.clear(),
    faultsFired: () => sim.faults.fired(),
    expireTokens: (sip?: string) => sim.tokens.expire(sip),
    expireApplications: (sip?: string, opts?: { forget?: boolean }) => {
      for (const app of [...sim.apps.values()]) if (!sip || app.user.sip === toSip(sip)) terminateApplication(sim, app, opts?.forget ?? false);
    },
    dropConnections,
    addLog: (userSip, log) => {
      const user = toSip(userSip);
      const recipients = log.with.map(toSip);
      const messages = [...log.messages].sort((a, b) => a.at - b.at).map((m) => ({ ...m, from: toSip(m.from) }));
      const last = messages[messages.length - 1]?.at ?? sim.clock.now();
      const rec = sim.world.addLog(user, {
        threadId: Buffer.from(sim.id('t').padEnd(16, '0')).toString('base64'),
        subject: log.subject ?? '',
        direction: log.direction ?? 'Incoming',
        importance: 'Normal',
        status: log.status ?? 'Archived',
        creationTime: last + 1000,
        recipients,
        messages,
        unread: log.unread ?? log.status === 'Missed',
      });
      return rec.id;
    },
    receivedMessages: (userSip?: string) => sim.world.received.filter((r) => !userSip || r.from === toSip(userSip)).map((r) => ({ ...r, to: [...r.to] })),
    logIds: (userSip: string) => sim.world.logs(toSip(userSip)).map((l) => l.id),
    liveConversations: (userSip: string) =>
      liveConversations(sim, toSip(userSip)).map((c) => ({
        threadId: c.threadId,
        state: c.state,
        participants: c.conf ? [...c.conf.members.keys()].filter((u) => u !== c.app.user.sip) : [...c.remotes],
      })),
    requestCount: () => sim.requests,
    setPresence: (sip, change) => sim.presence.override(sip, change),
    clearPresence: (sip) => sim.presence.clearOverride(sip),
    presenceOf: (sip) => {
      if (!sim.world.user(sip)) throw new Error(`Unknown user ${sip}`);
      return sim.presence.snapshot(sip);
    },
    daySchedule: (sip) => sim.presence.schedule(sip),
    dayTime: () => hhmm(sim.presence.day.timeOfDay()),
    addToGroup: (userSip, contactSip, group) => {
      const { owner, sip } = listParties(userSip, contactSip);
      const g = sim.contacts.resolve(owner, group) ?? sim.contacts.createGroup(sim, owner, group);
      sim.contacts.add(sim, owner, sip, g);
    },
    removeFromGroup: (userSip, contactSip, group) => {
      const { owner, sip } = listParties(userSip, contactSip);
      const groups = group === undefined ? sim.contacts.groups(owner) : [sim.contacts.resolve(owner, group)];
      if (groups[0] === undefined) throw new Error(`${owner} has no group ${group ?? ''}`);
      for (const g of groups) if (g) sim.contacts.remove(sim, owner, sip, g);
    },
    contactList: (userSip) =>
      sim.contacts.groups(toSip(userSip)).map((g) => ({ kind: g.kind, id: g.id, name: g.name, ...(g.uri ? { uri: g.uri } : {}), members: [...g.members] })),
    presenceSubscriptions: (userSip) => listSubscriptions(sim, userSip),
    setPhoto: (sip, photo) => {
      if (!sim.world.user(sip)) throw new Error(`Unknown user ${sip}`);
      sim.photos.set(sip, photo);
    },
  };

  function listParties(userSip: string, contactSip: string): { owner: string; sip: string } {
    const owner = toSip(userSip);
    const sip = toSip(contactSip);
    if (!sim.world.user(owner)) throw new Error(`Unknown user ${userSip}`);
    if (!sim.world.user(sip)) throw new Error(`Unknown user ${contactSip}`);
    return { owner, sip };
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

type Args = Record<string, unknown>;
const s = (a: Args, k: string): string => String(a[k] ?? '');

/** POST /_control/<method> with a JSON body of named arguments. */
export async function handleControlRequest(sim: Sim, control: SimulatorControl, req: IncomingMessage, name: string, body: Buffer): Promise<Reply> {
  if (!sim.cfg.controlEndpoint) return { status: 404, body: errorBody(404, undefined, 'The control endpoint is disabled.') };
  const remote = req.socket.remoteAddress ?? '';
  if (!LOOPBACK.has(remote) && !remote.startsWith('127.')) return { status: 403, body: errorBody(403, undefined, 'The control endpoint answers loopback callers only.') };
  let args: Args = {};
  if (body.length) {
    try {
      args = JSON.parse(body.toString('utf8')) as Args;
    } catch {
      return { status: 400, body: errorBody(400, 'DeserializationFailure') };
    }
  }
  const ok = (result: unknown = null): Reply => ({ status: 200, body: { ok: true, result } });
  try {
    switch (name) {
      case 'sendIm':
        return ok(await control.sendIm(s(args, 'from'), s(args, 'to'), s(args, 'text'), { html: args.html as string | undefined, subject: args.subject as string | undefined }));
      case 'groupInvite':
        return ok(await control.groupInvite(args as unknown as GroupInviteArgs));
      case 'groupJoin':
        return ok(await control.groupJoin(s(args, 'confId'), s(args, 'uri') || s(args, 'sip'), { inIm: args.inIm as boolean | undefined, name: args.name as string | undefined }));
      case 'groupLeave':
        return ok(await control.groupLeave(s(args, 'confId'), s(args, 'uri') || s(args, 'sip')));
      case 'groupSay':
        return ok(await control.groupSay(s(args, 'confId'), s(args, 'from'), s(args, 'text'), { html: args.html as string | undefined }));
      case 'groupTyping':
        return ok(await control.groupTyping(s(args, 'confId'), s(args, 'from'), Boolean(args.typing)));
      case 'endConference':
        return ok(await control.endConference(s(args, 'confId')));
      case 'conferences':
        return ok(control.conferences(args.userSip as string | undefined));
      case 'scheduleMeeting':
        return ok(control.scheduleMeeting(args as unknown as Parameters<SimulatorControl['scheduleMeeting']>[0]));
      case 'meetings':
        return ok(control.meetings(args.userSip as string | undefined));
      case 'sendInConversation':
        return ok(await control.sendInConversation(s(args, 'threadId'), s(args, 'from'), s(args, 'text')));
      case 'setTyping':
        return ok(await control.setTyping(s(args, 'threadId'), s(args, 'from'), Boolean(args.typing)));
      case 'setBehaviour':
        control.setBehaviour(s(args, 'sip'), args.behaviour as Behaviour);
        return ok();
      case 'fault':
      case 'addFault':
        control.addFault(args as unknown as Fault);
        return ok();
      case 'clearFaults':
        control.clearFaults();
        return ok();
      case 'faultsFired':
        return ok(control.faultsFired());
      case 'expireTokens':
        control.expireTokens(args.sip as string | undefined);
        return ok();
      case 'expireApplications':
        control.expireApplications(args.sip as string | undefined, { forget: Boolean(args.forget) });
        return ok();
      case 'dropConnections':
        // Answer first, then drop: this very request would otherwise be cut too.
        setImmediate(() => control.dropConnections());
        return ok();
      case 'addLog':
        return ok(control.addLog(s(args, 'userSip'), args.log as Parameters<SimulatorControl['addLog']>[1]));
      case 'receivedMessages':
        return ok(control.receivedMessages(args.userSip as string | undefined));
      case 'logIds':
        return ok(control.logIds(s(args, 'userSip')));
      case 'liveConversations':
        return ok(control.liveConversations(s(args, 'userSip')));
      case 'requestCount':
        return ok(control.requestCount());
      case 'setPresence': {
        const { sip, ...change } = args;
        control.setPresence(String(sip ?? ''), change as PresenceChange);
        return ok();
      }
      case 'clearPresence':
        control.clearPresence(s(args, 'sip'));
        return ok();
      case 'presenceOf':
        return ok(control.presenceOf(s(args, 'sip')));
      case 'daySchedule':
        return ok(control.daySchedule(s(args, 'sip')));
      case 'dayTime':
        return ok(control.dayTime());
      case 'addToGroup':
        control.addToGroup(s(args, 'userSip'), s(args, 'contactSip'), s(args, 'group'));
        return ok();
      case 'removeFromGroup':
        control.removeFromGroup(s(args, 'userSip'), s(args, 'contactSip'), args.group as string | undefined);
        return ok();
      case 'contactList':
        return ok(control.contactList(s(args, 'userSip')));
      case 'presenceSubscriptions':
        return ok(control.presenceSubscriptions(args.userSip as string | undefined));
      case 'setPhoto':
        control.setPhoto(s(args, 'sip'), args.photo as PhotoSpec);
        return ok();
      default:
        return { status: 404, body: errorBody(404, undefined, `Unknown control method ${name}.`) };
    }
  } catch (err) {
    return { status: 400, body: errorBody(400, undefined, err instanceof Error ? err.message : String(err)) };
  }
}
