import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromPromise, SimulatedClock, transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { sessionMachine, sessionStatusOf } from '../../main/core/machines/session.ts';
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

// The invoked actors' outcomes as events (explicit invoke ids keep their types stable), with the
// errors the guards tell apart: transient, fatal, application gone.
const fatal = { code: 'wrongPassword' as const, message: 'no' };
const gone = { code: 'server', message: 'gone', status: 404, subcode: 'ApplicationNotFound' };
const invokeIds = ['discover', 'authenticate', 'createApplication', 'makeAvailable', 'recreateApplication', 'probe', 'deleteApplication'];
const sessionEvents = [
  { type: 'SIGN_IN' }, { type: 'SIGN_IN', persistent: true }, { type: 'SIGN_OUT' }, { type: 'RENEWING' }, { type: 'RENEWED' },
  { type: 'APPLICATION_GONE' }, { type: 'NETWORK_LOST', error: net }, { type: 'FATAL', error: fatal }, { type: 'NUDGE' },
  { type: 'xstate.after.retryDelay.session.retryingSignIn' }, { type: 'xstate.after.retryDelay.session.reconnecting.waiting' },
  ...invokeIds.flatMap((id) => [
    { type: `xstate.done.actor.${id}`, output: 'ok' },
    ...[net, fatal, gone].map((error) => ({ type: `xstate.error.actor.${id}`, error })),
  ]),
];
type GraphPath = { state: { value: unknown; context: { persistent: boolean } }; steps: { event: { type: string; persistent?: boolean; error?: { code: string } } }[] };

function sessionPaths(): GraphPath[] {
  // Serialise by state and persistence only: the backoff attempt counter would make the graph infinite.
  return getShortestPaths(sessionMachine as never, {
    events: sessionEvents as never,
    input: {} as never,
    serializeState: ((s: GraphPath['state']) => JSON.stringify([s.value, s.context.persistent])) as never,
  } as never) as unknown as GraphPath[];
}

const topLevel = (value: unknown) => (typeof value === 'string' ? value : Object.keys(value as object)[0]!);

test('session: every top-level state reachable (xstate/graph, with the invoked actors\' done / error events)', () => {
  const paths = sessionPaths();
  const reached = new Set(paths.map((p) => topLevel(p.state.value)));
  const all = ['signedOut', 'discovering', 'authenticating', 'creatingApplication', 'makingAvailable', 'online', 'reauthenticating',
    'recreatingApplication', 'reconnecting', 'retryingSignIn', 'signingOut', 'error'];
  for (const s of all) assert.ok(reached.has(s), `${s} reachable`);
  assert.deepEqual([...reached].sort(), [...all].sort(), 'no state the test does not know of');
  assert.deepEqual(Object.keys(sessionMachine.states).sort(), [...all].sort(), 'the walk covers every top-level state of the machine');
  // Only a persistent sign-in retries; the shortest way there is a transient failure of a sign-in step.
  const retry = paths.filter((p) => p.state.value === 'retryingSignIn');
  assert.ok(retry.length > 0 && retry.every((p) => p.state.context.persistent));
  const toRetry = retry.find((p) => p.steps.length === 3)!;
  assert.deepEqual(toRetry.steps.map((s) => s.event.type), ['xstate.init', 'SIGN_IN', 'xstate.error.actor.discover']);
  assert.equal(toRetry.steps[1]!.event.persistent, true);
  assert.equal(toRetry.steps[2]!.event.error?.code, 'network');
  // Its ways out: a sign-in again after the delay or at once on NUDGE; SIGN_OUT to signedOut.
  const retrySnap = sessionMachine.resolveState({ value: 'retryingSignIn', context: { ...toRetry.state.context } as never });
  for (const [event, to] of [['xstate.after.retryDelay.session.retryingSignIn', 'discovering'], ['NUDGE', 'discovering'], ['SIGN_OUT', 'signedOut']] as const) {
    const [next] = transition(sessionMachine, retrySnap, { type: event } as never);
    assert.equal(next.value, to, event);
    if (to === 'discovering') assert.equal(next.context.persistent, true, 'still persistent');
  }
  // An interactive sign-in failing on the network ends in error, fast.
  const fastFail = paths.find((p) => p.state.value === 'error' && !p.state.context.persistent)!;
  assert.deepEqual(fastFail.steps.map((s) => s.event.type), ['xstate.init', 'SIGN_IN', 'xstate.error.actor.discover']);
});

test('session: a sign-in step failing — retry or error, by persistence and by kind of error', async () => {
  const netCause = Object.assign(new Error('getaddrinfo ENOTFOUND'), { name: 'NetworkError', kind: 'dns' });
  const abortCause = Object.assign(new Error('aborted'), { name: 'NetworkError', kind: 'aborted' });
  const cases: [string, unknown, boolean][] = [
    ['network', net, true],
    ['timeout', { code: 'network', message: 'The server did not answer in time.' }, true],
    ['poolUnavailable', { code: 'poolUnavailable', message: '503', status: 503 }, true],
    ['500', { code: 'server', message: '500', status: 500, ucwaCode: 'ServiceFailure' }, true],
    ['autodiscovery offline', Object.assign(new Error('none'), { code: 'serverNotFound', message: 'none', cause: netCause }), true],
    ['autodiscovery aborted', Object.assign(new Error('none'), { code: 'serverNotFound', message: 'none', cause: abortCause }), false],
    ['serverNotFound (404)', { code: 'serverNotFound', message: 'none' }, false],
    ['wrongPassword', { code: 'wrongPassword', message: 'x' }, false],
    ['certificate', { code: 'certificate', message: 'x' }, false],
    ['insecureUrl', { code: 'insecureUrl', message: 'x' }, false],
    ['tooManyApplications', { code: 'tooManyApplications', message: 'x', status: 410 }, false],
    ['userAgentNotAllowed', { code: 'userAgentNotAllowed', message: 'x', status: 410 }, false],
    ['501', { code: 'server', message: 'x', status: 501 }, false],
    ['internal', new Error('boom'), false],
  ];
  for (const step of ['discover', 'authenticate', 'createApplication', 'makeAvailable']) {
    for (const [name, error, transient] of cases) {
      for (const persistent of [false, true]) {
        const a = createActor(fakeSession({ [step]: fromPromise(async () => { throw error; }) }), { clock: new SimulatedClock(), input: {} }).start();
        a.send({ type: 'SIGN_IN', persistent });
        for (let i = 0; i < 10; i++) await tick();
        const expected = persistent && transient ? 'retryingSignIn' : 'error';
        assert.equal(a.getSnapshot().value, expected, `${step} ${name} persistent=${persistent}`);
        assert.equal(sessionStatusOf(a.getSnapshot().value), persistent && transient ? 'reconnecting' : 'error');
        assert.ok(a.getSnapshot().context.error, 'the last error is kept');
        a.stop();
      }
    }
  }
});

test('session: retryingSignIn backs off with jitter 1 s → 60 s, signs in again after the delay or at once on NUDGE; SIGN_OUT leaves', async () => {
  const clock = new SimulatedClock();
  let discoveries = 0;
  let up = false;
  const m = fakeSession({ discover: fromPromise(async () => { discoveries++; if (!up) throw net; }) });
  const a = createActor(m, { clock, input: {} }).start();
  const settle = async () => { for (let i = 0; i < 10; i++) await tick(); };
  a.send({ type: 'SIGN_IN', persistent: true });
  await settle();
  assert.equal(a.getSnapshot().value, 'retryingSignIn');
  const delays: number[] = [];
  for (let i = 0; i < 9; i++) {
    const d = a.getSnapshot().context.retryDelayMs;
    delays.push(d);
    clock.increment(d - 1);
    await settle();
    assert.equal(a.getSnapshot().value, 'retryingSignIn', 'not before the delay');
    clock.increment(1);
    await settle();
    assert.equal(a.getSnapshot().value, 'retryingSignIn', 'tried again and failed again');
  }
  assert.equal(discoveries, 10);
  assert.ok(delays.every((d) => d > 0 && d <= 60_000), String(delays));
  assert.ok(delays[0]! <= 1000, 'the first wait is at most 1 s');
  assert.ok(Math.max(...delays) > 1000, 'the wait grows');
  // Full jitter with the random source: half of the cap (1 s · 2^n, at most 60 s).
  const b = createActor(fakeSession({ discover: fromPromise(async () => { throw net; }) }), { clock: new SimulatedClock(), input: { random: () => 0.5 } }).start();
  b.send({ type: 'SIGN_IN', persistent: true });
  const seen: number[] = [];
  for (let i = 0; i < 9; i++) {
    await settle();
    seen.push(b.getSnapshot().context.retryDelayMs);
    b.send({ type: 'NUDGE' });
  }
  assert.deepEqual(seen, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  b.send({ type: 'SIGN_OUT' });
  assert.equal(b.getSnapshot().value, 'signedOut');
  // NUDGE tries at once; once the server answers, online (and the attempt counter starts over).
  up = true;
  a.send({ type: 'NUDGE' });
  await settle();
  assert.equal(discoveries, 11);
  assert.ok('online' in (a.getSnapshot().value as object));
  assert.equal(a.getSnapshot().context.attempt, 0);
  assert.equal(a.getSnapshot().context.error, null);
});

test('session: persistence — set by SIGN_IN { persistent }, kept once online, cleared by an interactive SIGN_IN', async () => {
  let fail = false;
  const m = fakeSession({ authenticate: fromPromise(async () => { if (fail) throw net; }) });
  const a = createActor(m, { clock: new SimulatedClock(), input: {} }).start();
  a.send({ type: 'SIGN_IN' });
  assert.equal(a.getSnapshot().context.persistent, false);
  for (let i = 0; i < 10; i++) await tick();
  assert.ok('online' in (a.getSnapshot().value as object));
  assert.equal(a.getSnapshot().context.persistent, true, 'a session that has been online retries its sign-in by itself');
  fail = true;
  a.send({ type: 'FATAL', error: fatal });
  a.send({ type: 'SIGN_IN' });
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(a.getSnapshot().value, 'error', 'the user signing in again sees the failure at once');
  a.send({ type: 'SIGN_IN', persistent: true });
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(a.getSnapshot().value, 'retryingSignIn');
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
