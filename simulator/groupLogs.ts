// A conference invitation nobody could be rung for (signed out, not available): the invitee finds
// it as a Missed ConferenceLog in the history, as a missed IM is (incoming.ts missedLog).

import { hasContact, nameIn } from './conferenceResources.ts';
import type { Conference } from './model.ts';
import type { Sim } from './sim.ts';

export function missedConferenceLog(sim: Sim, conf: Conference, to: string, from: string, first?: { text: string; html?: string; at: number }): void {
  const recipients = [...new Set([from, ...conf.members.keys()])].filter((u) => u !== to);
  const names: Record<string, string> = {};
  for (const u of recipients) if (!hasContact(sim.world, u)) names[u] = nameIn(conf, sim.world, u);
  sim.clock.after(sim.cfg.logDelaySec * 1000, () => {
    sim.world.addLog(to, {
      threadId: conf.threadId, subject: conf.subject, direction: 'Incoming', importance: conf.importance, status: 'Missed',
      creationTime: sim.clock.now(), recipients,
      messages: first ? [first.html !== undefined ? { from, text: first.text, html: first.html, at: first.at } : { from, text: first.text, at: first.at }] : [],
      unread: true, type: 'ConferenceLog', onlineMeetingUri: conf.uri, recipientNames: names,
    });
    sim.emitMissedItems(to);
  });
}
