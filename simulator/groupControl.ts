// The control hooks of group conversations (types.ts SimulatorControl: groupInvite … meetings).

import { findConference, freshConferenceId, memberSays, memberTyping, memberUri, removeMember, setMemberIm } from './conferences.ts';
import { nameIn } from './conferenceResources.ts';
import { newThreadId } from './conversations.ts';
import { personJoins } from './groupBehaviours.ts';
import { groupInvite } from './groupInviters.ts';
import { toSip } from './hrefs.ts';
import { endConference, leaveConversation } from './leaving.ts';
import { focusUri, joinUrl } from './meetingUris.ts';
import type { Conference } from './model.ts';
import type { Sim } from './sim.ts';
import type { ConferenceInfo, SimulatorControl } from './types.ts';

type GroupHooks = Pick<SimulatorControl, 'groupInvite' | 'groupJoin' | 'groupLeave' | 'groupSay' | 'groupTyping' | 'endConference' | 'conferences' | 'scheduleMeeting' | 'meetings'>;

/** Accounts act through their applications (sendMessage, DELETE …), never through these hooks. */
function simulated(sim: Sim, uri: string): string {
  const who = memberUri(uri);
  if (sim.world.user(who)?.password !== undefined) throw new Error(`${who} is an account: it takes part through its applications`);
  return who;
}

function live(sim: Sim, confId: string): Conference {
  const conf = findConference(sim, confId);
  if (!conf || conf.ended) throw new Error(`No live conference ${confId}`);
  return conf;
}

export function conferenceInfo(sim: Sim, conf: Conference): ConferenceInfo {
  return {
    id: conf.id,
    uri: conf.uri,
    joinUrl: conf.joinUrl,
    subject: conf.subject,
    threadId: conf.threadId,
    organizer: conf.organizer,
    ended: conf.ended,
    members: [...conf.members.values()].map((m) => ({ uri: m.uri, name: m.name, role: m.role, inIm: m.inIm, account: m.account })),
    everyone: [...conf.everyone.keys()],
    invited: [...conf.invited],
    messages: conf.messages.map((m) => ({ from: m.from, name: nameIn(conf, sim.world, m.from), text: m.text, ...(m.html !== undefined ? { html: m.html } : {}), at: m.at })),
  };
}

export function groupHooks(sim: Sim): GroupHooks {
  return {
    groupInvite: async (args) => groupInvite(sim, args),
    groupJoin: async (confId, uri, opts) => {
      personJoins(sim, live(sim, confId), simulated(sim, uri), opts);
    },
    groupLeave: async (confId, uri) => {
      const conf = live(sim, confId);
      const who = memberUri(uri);
      const mine = [...conf.convs].filter((c) => c.app.user.sip === who);
      if (mine.length > 0) for (const c of mine) leaveConversation(sim, c);
      else removeMember(sim, conf, who);
    },
    groupSay: async (confId, from, text, opts) => {
      const conf = live(sim, confId);
      const who = simulated(sim, from);
      if (!conf.members.has(who)) throw new Error(`${who} is not in conference ${confId}`);
      setMemberIm(sim, conf, who, true);
      memberSays(sim, conf, who, text, opts?.html);
    },
    groupTyping: async (confId, from, typing) => {
      const conf = live(sim, confId);
      const who = simulated(sim, from);
      if (!conf.members.get(who)?.inIm) throw new Error(`${who} is not in the IM of conference ${confId}`);
      memberTyping(sim, conf, who, typing);
    },
    endConference: async (confId) => endConference(sim, live(sim, confId)),
    conferences: (userSip) => {
      const who = userSip ? toSip(userSip) : undefined;
      return [...sim.conferences.values()].filter((c) => !who || c.everyone.has(who) || c.invited.has(who) || c.organizer === who).map((c) => conferenceInfo(sim, c));
    },
    scheduleMeeting: ({ organizer, subject, members }) => {
      const org = toSip(organizer);
      if (!sim.world.user(org)) throw new Error(`Unknown user ${org}`);
      // The meeting starts (becomes a live conference) when someone first joins it.
      const id = freshConferenceId(sim);
      const meeting = { id, organizer: org, subject: subject ?? '', members: (members ?? []).map(memberUri), uri: focusUri(org, id), joinUrl: joinUrl(org, id), threadId: newThreadId() };
      sim.world.meetings.push(meeting);
      return { joinUrl: meeting.joinUrl, onlineMeetingUri: meeting.uri };
    },
    meetings: (userSip) => {
      const who = userSip ? toSip(userSip) : undefined;
      return sim.world.meetings
        .filter((m) => !who || m.organizer === who || m.members.includes(who))
        .map((m) => ({ id: m.id, organizer: m.organizer, subject: m.subject, members: [...m.members], joinUrl: m.joinUrl, onlineMeetingUri: m.uri }));
    },
  };
}
