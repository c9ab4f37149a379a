// GETs of a conference conversation's roster and meeting (PROTOCOL-2 §2.7, §2.9): participants
// (both `_links.participant[]` and `_embedded.participant[]`), one participant, leaders, attendees,
// lobby, onlineMeeting. 1:1 conversations keep their own handlers (messaging.ts).

import { confParticipantJson, confParticipantsJson, onlineMeetingJson } from './conferenceResources.ts';
import { UcwaError } from './errors.ts';
import { participantKey } from './hrefs.ts';
import { findConv, getParticipant, getParticipants } from './messaging.ts';
import type { Conference, Conv, Ctx, Reply } from './model.ts';
import type { Sim } from './sim.ts';

function conferenceConv(ctx: Ctx): Conv & { conf: Conference } {
  const conv = findConv(ctx);
  if (!conv.conf || conv.state !== 'Conferenced') throw new UcwaError(404, undefined, 'The conversation is not a conference.');
  return conv as Conv & { conf: Conference };
}

export function getParticipantsAny(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  if (!conv.conf) return getParticipants(sim, ctx);
  if (conv.state === 'Disconnected') throw new UcwaError(404, undefined, 'The conversation has ended.');
  return { status: 200, body: confParticipantsJson(conv, sim.world, 'participants') };
}

/** One participant by the key of its href: the user, or someone in the conference now (404 once they left). */
export function getParticipantAny(sim: Sim, ctx: Ctx): Reply {
  const conv = findConv(ctx);
  if (!conv.conf) return getParticipant(sim, ctx);
  const key = (ctx.params.who ?? '').toLowerCase();
  const uris = [conv.app.user.sip, ...conv.conf.members.keys()];
  const who = uris.find((u) => participantKey(conv, u).toLowerCase() === key);
  if (!who) throw new UcwaError(404, undefined, 'No such participant.');
  return { status: 200, body: confParticipantJson(conv, conv.conf, sim.world, who) };
}

export const getLeaders = (sim: Sim, ctx: Ctx): Reply => ({ status: 200, body: confParticipantsJson(conferenceConv(ctx), sim.world, 'leaders') });
export const getAttendees = (sim: Sim, ctx: Ctx): Reply => ({ status: 200, body: confParticipantsJson(conferenceConv(ctx), sim.world, 'attendees') });
export const getLobby = (sim: Sim, ctx: Ctx): Reply => ({ status: 200, body: confParticipantsJson(conferenceConv(ctx), sim.world, 'lobby') });
export const getOnlineMeeting = (sim: Sim, ctx: Ctx): Reply => ({ status: 200, body: onlineMeetingJson(conferenceConv(ctx), sim.world) });
