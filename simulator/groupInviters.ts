// Group conversations that simulated people start: the groupInvite control hook and the
// `group.invite` habit (after an account's first makeMeAvailable, once or every `everyMs`). The
// conference exists with the inviter and the others in it; the invitee's applications ring.

import { addMember, createConference, memberUri } from './conferences.ts';
import { personArrives } from './groupBehaviours.ts';
import { ringConference } from './groupInvites.ts';
import { missedConferenceLog } from './groupLogs.ts';
import { toSip } from './hrefs.ts';
import type { Sim } from './sim.ts';
import type { GroupInviteArgs } from './types.ts';

/** Returns the conference id. Throws for an unknown invitee. */
export function groupInvite(sim: Sim, args: GroupInviteArgs): string {
  const from = toSip(args.from);
  const to = toSip(args.to);
  if (!sim.world.user(to)) throw new Error(`Unknown user ${to}`);
  const conf = createConference(sim, { organizer: from, subject: args.subject });
  addMember(sim, conf, from, { role: 'Leader', inIm: true, account: false });
  for (const o of args.others ?? []) {
    const uri = memberUri(o);
    if (uri !== to && uri !== from) personArrives(sim, conf, uri);
  }
  const at = sim.clock.now();
  const first = args.text ? { text: args.text, at } : undefined;
  if (first) conf.messages.push({ from, text: first.text, html: undefined, at });
  const group = ringConference(sim, conf, to, { from, first });
  if (!group) missedConferenceLog(sim, conf, to, from, first);
  return conf.id;
}

const invitedOnce = new WeakMap<Sim, Set<string>>();

/** People with a `group.invite` habit invite the account after its first makeMeAvailable (per run, like writeFirst). */
export function scheduleGroupInvites(sim: Sim, userSip: string): void {
  if (!sim.cfg.autoGroupInvites) return;
  const done = invitedOnce.get(sim) ?? new Set<string>();
  invitedOnce.set(sim, done);
  if (done.has(userSip)) return;
  done.add(userSip);
  for (const person of sim.world.users.values()) {
    const habit = person.group?.invite;
    if (!habit || person.password !== undefined || person.sip === userSip) continue;
    const fire = (): void => {
      try {
        groupInvite(sim, { from: person.sip, to: userSip, others: habit.with.filter((w) => toSip(w) !== userSip), subject: habit.subject, text: habit.text });
      } catch {
        // the account vanished meanwhile; nothing to ring
      }
      if (habit.everyMs) sim.clock.after(habit.everyMs, fire);
    };
    sim.clock.after(habit.afterMs, fire);
  }
}
