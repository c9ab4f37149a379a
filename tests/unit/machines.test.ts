import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { sessionMachine } from '../../main/core/machines/session.ts';
import { invitationMachine } from '../../main/core/machines/invitation.ts';
import { conversationMachine } from '../../main/core/machines/conversation.ts';

const net = { code: 'network', message: 'down' };

function stateKeys(m: Parameters<typeof getShortestPaths>[0], events: unknown[], input: unknown): Set<string> {
  const paths = getShortestPaths(m as never, { events: events as never, input: input as never } as never) as { state: { value: unknown } }[];
  return new Set(paths.map((p) => JSON.stringify(p.state.value)));
}

test('invitation: every state reachable (xstate/graph shortest paths)', () => {
  const events = [{ type: 'STARTED' }, { type: 'SUCCESS' }, { type: 'FAILURE' }, { type: 'CANCEL' }, { type: 'ACCEPT' }, { type: 'ACCEPT_FAILED' }, { type: 'DECLINE' }];
  const out = stateKeys(invitationMachine, events, { direction: 'Outgoing' });
  for (const s of ['requesting', 'connecting', 'connected', 'failed', 'cancelled']) assert.ok(out.has(JSON.stringify(s)), s);
  const inc = stateKeys(invitationMachine, events, { direction: 'Incoming' });
  for (const s of ['ringing', 'accepting', 'connected', 'declined', 'missed']) assert.ok(inc.has(JSON.stringify(s)), s);
});

test('invitation: timers (SimulatedClock) → timedOut / missed', () => {
  const clock = new SimulatedClock();
  const a = createActor(invitationMachine, { input: { direction: 'Outgoing', timeoutMs: 1000 }, clock }).start();
  a.send({ type: 'STARTED' });
  clock.increment(999);
  assert.equal(a.getSnapshot().value, 'connecting');
  clock.increment(2);
  assert.equal(a.getSnapshot().value, 'timedOut');
  const b = createActor(invitationMachine, { input: { direction: 'Incoming', timeoutMs: 1000 }, clock }).start();
  clock.increment(1001);
  assert.equal(b.getSnapshot().value, 'missed');
});

test('conversation: paths and ordered outbox delivered only when connected', () => {
  const events = [{ type: 'CONNECTING' }, { type: 'CONNECTED' }, { type: 'DISCONNECTED' }, { type: 'ENQUEUE', clientId: 'a' }, { type: 'SENT', clientId: 'a' }, { type: 'SEND_FAILED', clientId: 'a', retry: true }, { type: 'RESUME' }];
  const states = stateKeys(conversationMachine, events, {});
  for (const s of ['"disconnected"', '"connecting"', '{"connected":"idle"}', '{"connected":"sending"}', '{"connected":"paused"}']) assert.ok(states.has(s), s);
  const delivered: string[] = [];
  const a = createActor(conversationMachine.provide({ actions: { deliver: (_x, p: { clientId: string }) => { delivered.push(p.clientId); }, connect: () => undefined } }), { input: {} }).start();
  a.send({ type: 'CONNECTING' });
  a.send({ type: 'ENQUEUE', clientId: '1' });
  a.send({ type: 'ENQUEUE', clientId: '2' });
  assert.deepEqual(delivered, []);
  a.send({ type: 'CONNECTED' });
  assert.deepEqual(delivered, ['1']);
  a.send({ type: 'SENT', clientId: '2' }); // not the head: ignored
  assert.deepEqual(delivered, ['1']);
  a.send({ type: 'SENT', clientId: '1' });
  assert.deepEqual(delivered, ['1', '2']);
  a.send({ type: 'TYPING', sip: 'sip:x@y', typing: true });
  assert.deepEqual(a.getSnapshot().context.typing, ['sip:x@y']);
});

test('conversation: a message refused for good leaves the queue and the next goes at once; a transient failure waits for RESUME', () => {
  const delivered: string[] = [];
  const a = createActor(conversationMachine.provide({ actions: { deliver: (_x, p: { clientId: string }) => { delivered.push(p.clientId); }, connect: () => undefined } }), { input: {} }).start();
  a.send({ type: 'CONNECTED' });
  for (const id of ['1', '2', '3']) a.send({ type: 'ENQUEUE', clientId: id });
  assert.deepEqual(delivered, ['1']);
  a.send({ type: 'SEND_FAILED', clientId: '1', retry: false });
  assert.deepEqual(delivered, ['1', '2']);
  assert.deepEqual(a.getSnapshot().context.outbox, ['2', '3']);
  a.send({ type: 'SEND_FAILED', clientId: '2', retry: true });
  assert.deepEqual(a.getSnapshot().value, { connected: 'paused' });
  assert.deepEqual(delivered, ['1', '2']);
  a.send({ type: 'RESUME' });
  assert.deepEqual(delivered, ['1', '2', '2']);
});

function fakeSession(over: Record<string, unknown> = {}) {
  return sessionMachine.provide({
    actors: {
      discover: fromPromise(async () => undefined),
      authenticate: fromPromise(async () => undefined),
      createApplication: fromPromise(async () => undefined),
      makeAvailable: fromPromise(async () => undefined),
      recreateApplication: fromPromise(async () => undefined),
      probe: fromPromise(async () => 'ok' as const),
      deleteApplication: fromPromise(async () => undefined),
      ...over,
    } as never,
  });
}

const tick = () => new Promise((r) => setTimeout(r, 0));

test('session: every state reachable (graph) ', () => {
  const events = [{ type: 'SIGN_IN' }, { type: 'SIGN_OUT' }, { type: 'RENEWING' }, { type: 'RENEWED' }, { type: 'APPLICATION_GONE' }, { type: 'NETWORK_LOST' }, { type: 'FATAL', error: net }, { type: 'NUDGE' }];
  const states = stateKeys(sessionMachine, events, {});
  for (const s of ['signedOut', 'discovering']) assert.ok(states.has(JSON.stringify(s)), s);
});

test('session: sign-in to online, reconnect with backoff, recreate, sign out', async () => {
  const clock = new SimulatedClock();
  let reported = 0;
  let probes = 0;
  const m = fakeSession({ probe: fromPromise(async () => { probes++; if (probes === 1) throw net; return 'ok' as const; }) })
    .provide({ actions: { reportActivity: () => { reported++; } } });
  const a = createActor(m, { clock, input: { timing: { reportActivityMs: 1000, backoffBaseMs: 100, backoffMaxMs: 1000 }, random: () => 0.5 } }).start();
  a.send({ type: 'SIGN_IN' });
  for (let i = 0; i < 10; i++) await tick();
  assert.deepEqual(Object.keys(a.getSnapshot().value as object), ['online']);
  clock.increment(1000);
  assert.equal(reported, 1);
  a.send({ type: 'IDLE', idleSec: 3600, locked: false });
  clock.increment(1000);
  assert.equal(reported, 1, 'no activity report while idle');
  a.send({ type: 'NETWORK_LOST' });
  assert.deepEqual(a.getSnapshot().value, { reconnecting: 'waiting' });
  assert.equal(a.getSnapshot().context.retryDelayMs, 50);
  clock.increment(50);
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(a.getSnapshot().value, { reconnecting: 'waiting' });
  assert.equal(a.getSnapshot().context.retryDelayMs, 100, 'second delay doubles');
  clock.increment(100);
  for (let i = 0; i < 5; i++) await tick();
  assert.ok('online' in (a.getSnapshot().value as object));
  a.send({ type: 'APPLICATION_GONE' });
  for (let i = 0; i < 5; i++) await tick();
  assert.ok('online' in (a.getSnapshot().value as object));
  a.send({ type: 'RENEWING' });
  assert.equal(a.getSnapshot().value, 'reauthenticating');
  a.send({ type: 'RENEWED' });
  a.send({ type: 'FATAL', error: { code: 'tooManyApplications', message: 'x' } });
  assert.equal(a.getSnapshot().value, 'error');
  assert.equal(a.getSnapshot().context.error?.code, 'tooManyApplications');
  a.send({ type: 'SIGN_IN' });
  for (let i = 0; i < 10; i++) await tick();
  a.send({ type: 'SIGN_OUT' });
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(a.getSnapshot().value, 'signedOut');
});

test('session: discovery failure → error with the reason', async () => {
  const a = createActor(fakeSession({ discover: fromPromise(async () => { throw { code: 'serverNotFound', message: 'none' }; }) }), { input: {} }).start();
  a.send({ type: 'SIGN_IN' });
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(a.getSnapshot().value, 'error');
  assert.equal(a.getSnapshot().context.error?.code, 'serverNotFound');
});

test('session: Away follows the threshold the host reports with each idle reading', async () => {
  let away = 0;
  let back = 0;
  const m = fakeSession().provide({ actions: { goAway: () => { away++; }, comeBack: () => { back++; } } });
  const a = createActor(m, { clock: new SimulatedClock(), input: { timing: { awayAfterSec: 300 } } }).start();
  a.send({ type: 'SIGN_IN' });
  for (let i = 0; i < 10; i++) await tick();
  assert.ok('online' in (a.getSnapshot().value as object));
  a.send({ type: 'IDLE', idleSec: 400, locked: false, awayAfterSec: 600 });
  assert.equal(away, 0, '400 s idle is not Away when the user chose 10 minutes');
  assert.equal(a.getSnapshot().context.timing.awayAfterSec, 600);
  a.send({ type: 'IDLE', idleSec: 601, locked: false });
  assert.equal(away, 1, 'the chosen threshold is kept between readings');
  a.send({ type: 'IDLE', idleSec: 0, locked: false, awayAfterSec: -5 });
  assert.equal(back, 1);
  assert.equal(a.getSnapshot().context.timing.awayAfterSec, 600, 'a nonsense threshold is ignored');
  a.send({ type: 'IDLE', idleSec: 1, locked: true });
  assert.equal(away, 2, 'a locked screen is Away at once');
});
