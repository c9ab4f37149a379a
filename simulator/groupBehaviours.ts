// What simulated people do in conferences (types.ts GroupHabits): come at once or late, leave
// early, answer when a signed-in user writes. Phones join without IM.

import { addMember, confTimer, memberSays, memberTyping, removeMember } from './conferences.ts';
import { REPLY_LINES } from './demoWorld.ts';
import type { Conference } from './model.ts';
import type { Sim } from './sim.ts';
import type { GroupHabits } from './types.ts';

/** Protocol ms before a replying member starts typing. */
const TYPING_LEAD_MS = 300;
let replySeq = 0;

/** Habits of a simulated person (accounts answer through their clients, never by habit). */
export function habitsOf(sim: Sim, uri: string): GroupHabits | undefined {
  const u = sim.world.user(uri);
  return u && u.password === undefined ? u.group : undefined;
}

/** A simulated person or a phone joins now (in the IM unless a phone), and leaves later if that is their habit. */
export function personJoins(sim: Sim, conf: Conference, uri: string, o: { inIm?: boolean; name?: string } = {}): void {
  if (conf.ended || conf.members.has(uri)) return;
  addMember(sim, conf, uri, { inIm: o.inIm ?? !/^tel:/i.test(uri), account: false, name: o.name });
  const leave = habitsOf(sim, uri)?.leaveAfterMs;
  if (leave !== undefined) confTimer(sim, conf, leave, () => removeMember(sim, conf, uri));
}

/** Someone expected in the group comes: at once, or joinLateMs later. */
export function personArrives(sim: Sim, conf: Conference, uri: string): void {
  const late = habitsOf(sim, uri)?.joinLateMs;
  if (late) confTimer(sim, conf, late, () => personJoins(sim, conf, uri));
  else personJoins(sim, conf, uri);
}

/** A signed-in user wrote in the group: the next member who answers in groups types, then replies. */
export function reactInGroup(sim: Sim, conf: Conference, author: string): void {
  const repliers = [...conf.members.values()].filter((m) => !m.account && m.inIm && m.uri !== author && habitsOf(sim, m.uri)?.reply);
  if (repliers.length === 0) return;
  const m = repliers[conf.replySeq++ % repliers.length];
  const reply = m && habitsOf(sim, m.uri)?.reply;
  if (!m || !reply) return;
  const still = () => conf.members.get(m.uri)?.inIm === true;
  confTimer(sim, conf, Math.min(TYPING_LEAD_MS, reply.afterMs / 2), () => {
    if (still()) memberTyping(sim, conf, m.uri, true);
  });
  confTimer(sim, conf, reply.afterMs, () => {
    if (still()) memberSays(sim, conf, m.uri, reply.text ?? (REPLY_LINES[replySeq++ % REPLY_LINES.length] as string));
  });
}
