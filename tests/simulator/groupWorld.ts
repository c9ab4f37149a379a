// Shared setup of the conference tests: the test users plus people with group habits, and
// helpers that sign in and walk a conversation into a conference and its IM over plain HTTP.

import assert from 'node:assert/strict';
import type { Simulator, SimulatorOptions, SimUser } from '../../simulator/index.ts';
import { Session, TEST_USERS, startTestSim } from './http.ts';
import type { Ev } from './http.ts';

export const LENE = 'sip:lene@contoso.com';
export const BERT = 'sip:bert@contoso.com';
export const CARL = 'sip:carl@contoso.com';
export const PHONE = 'tel:+14255550123';

export const GROUP_USERS: SimUser[] = [
  ...TEST_USERS,
  { sip: LENE, name: 'Lene Lead', behaviour: { kind: 'echo' } },
  // Bert answers in groups; Carl does not.
  { sip: BERT, name: 'Bert Replier', behaviour: { kind: 'echo' }, group: { reply: { afterMs: 100, text: 'group reply' } } },
  { sip: CARL, name: 'Carl Quiet', behaviour: { kind: 'echo' } },
];

export function startGroupSim(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startTestSim({ users: GROUP_USERS, ...opts });
}

export async function withGroupSim(opts: SimulatorOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startGroupSim(opts);
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

/** Signed in, available, first (makeMeAvailable) batch read. */
export async function ready(sim: Simulator, sip?: string): Promise<Session> {
  const s = await Session.open(sim, sip);
  const first = s.events.batch();
  await s.makeMeAvailable();
  await first;
  return s;
}

export const find = (evs: Ev[], rel: string, type: string, pred: (e: Ev) => boolean = () => true): Ev | undefined =>
  evs.find((e) => e.rel === rel && e.type === type && pred(e));

/** Events up to and including the first completion of `rel`. */
export async function untilCompleted(s: Session, rel: string, timeoutMs?: number): Promise<Ev[]> {
  const all = await s.events.until((e) => e.some((x) => x.rel === rel && x.type === 'completed'), timeoutMs);
  return all.slice(0, all.findIndex((x) => x.rel === rel && x.type === 'completed') + 1);
}

/** POST addMessaging on a Conferenced conversation; returns the events until its Success. */
export async function addMessaging(s: Session, convHref: string, operationId = 'op-im'): Promise<{ evs: Ev[]; messaging: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const m = await s.get(`${convHref}/messaging`);
  assert.ok(m.json._links.addMessaging, 'addMessaging offered while messaging is Disconnected');
  const r = await s.post(m.json._links.addMessaging.href, { operationId });
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('location') ?? '', /\/communication\/messagingInvitations\/[^/]+$/);
  const evs = await untilCompleted(s, 'messagingInvitation');
  const messaging = [...evs].reverse().find((e) => e.rel === 'messaging')!.embedded;
  return { evs, messaging };
}

/** startOnlineMeeting until its Success; returns the conversation href and the events. */
export async function startMeeting(s: Session, body: Record<string, unknown> = {}): Promise<{ conv: string; evs: Ev[]; location: string }> {
  const r = await s.post(s.comm.startOnlineMeeting!.href, body);
  assert.equal(r.status, 201, r.text);
  const evs = await untilCompleted(s, 'onlineMeetingInvitation');
  return { conv: find(evs, 'conversation', 'added')!.href, evs, location: r.headers.get('location') ?? '' };
}

/** An incoming group invitation (groupInvite) accepted; returns the conversation href. */
export async function acceptGroupInvite(sim: Simulator, s: Session, args: { from: string; others?: string[]; subject?: string; text?: string }): Promise<{ confId: string; conv: string; ring: Ev[]; joined: Ev[] }> {
  const confId = await sim.control.groupInvite({ to: s.app._embedded.me.uri, ...args });
  const ring = await s.events.untilEvent('onlineMeetingInvitation', 'started');
  const inv = find(ring, 'onlineMeetingInvitation', 'started')!.embedded;
  assert.equal((await s.post(inv._links.accept.href)).status, 204);
  const joined = await untilCompleted(s, 'onlineMeetingInvitation');
  return { confId, conv: inv._links.conversation.href, ring, joined };
}

export async function send(s: Session, messaging: any, text: string): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await s.post(messaging._links.sendMessage.href, text, { 'Content-Type': 'text/plain' });
  assert.equal(r.status, 201, r.text);
}
