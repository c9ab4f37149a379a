import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromPromise, SimulatedClock, transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { sessionMachine, sessionStatusOf } from '../../main/core/machines/session.ts';
import { invitationMachine } from '../../main/core/machines/invitation.ts';
import { groupMachine } from '../../main/core/machines/group.ts';

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
const forbidden = { code: 'server', message: 'The server refused the request (403 Forbidden).', status: 403, ucwaCode: 'Forbidden' };
const invokeIds = ['discover', 'authenticate', 'createApplication', 'makeAvailable', 'recreateApplication', 'probe', 'deleteApplication'];
const sessionEvents = [
  { type: 'SIGN_IN' }, { type: 'SIGN_IN', persistent: true }, { type: 'SIGN_OUT' }, { type: 'RENEWING' }, { type: 'RENEWED' },
  { type: 'APPLICATION_GONE' }, { type: 'NETWORK_LOST', error: net }, { type: 'NETWORK_LOST', error: net, retryAfterMs: 5000 },
  { type: 'REDISCOVER', error: forbidden }, { type: 'CHANNEL_HEALTHY' }, { type: 'FATAL', error: fatal }, { type: 'NUDGE' },
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
  // NUDGE tries at once; once the server answers, online. The attempt counter starts over only
  // when the channel has proved healthy (CHANNEL_HEALTHY), not merely on reaching online.
  up = true;
  a.send({ type: 'NUDGE' });
  await settle();
  assert.equal(discoveries, 11);
  assert.ok('online' in (a.getSnapshot().value as object));
  assert.equal(a.getSnapshot().context.attempt, 10);
  assert.equal(a.getSnapshot().context.error, null);
  a.send({ type: 'CHANNEL_HEALTHY' });
  assert.equal(a.getSnapshot().context.attempt, 0);
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
  assert.equal(reported, 2, 'reported while idle too: the server expires a silent application');
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

// --- issue 9 item 3: a session that never lies about being online ------------------------------

const settleAll = async () => { for (let i = 0; i < 10; i++) await tick(); };
const isOnline = (a: { getSnapshot(): { value: unknown } }) => topLevel(a.getSnapshot().value) === 'online';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => { open = r; });
  return { promise, open };
}

test('session: the backoff starts over only on CHANNEL_HEALTHY, not when a probe succeeds — a failing P-GET backs off 1 s → 60 s instead of flapping', async () => {
  const clock = new SimulatedClock();
  const a = createActor(fakeSession(), { clock, input: { random: () => 0.5 } }).start();
  a.send({ type: 'SIGN_IN' });
  await settleAll();
  assert.ok(isOnline(a));
  // The probe (GET application) succeeds every time, but the P-GET fails again as soon as it is resumed.
  const delays: number[] = [];
  let elapsed = 0;
  let changes = 0;
  while (elapsed < 10 * 60_000 && delays.length < 100) {
    a.send({ type: 'NETWORK_LOST', error: net });
    assert.deepEqual(a.getSnapshot().value, { reconnecting: 'waiting' });
    const d = a.getSnapshot().context.retryDelayMs;
    delays.push(d);
    clock.increment(d);
    elapsed += d;
    await settleAll();
    assert.ok(isOnline(a), 'the probe succeeded');
    changes += 2;
  }
  assert.deepEqual(delays.slice(0, 9), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.ok(changes <= 60, `${changes} status changes in 10 minutes (the old machine: one every 0.5 s)`);
  // The channel delivered normally for a while: the next loss waits the first step again.
  a.send({ type: 'CHANNEL_HEALTHY' });
  assert.equal(a.getSnapshot().context.attempt, 0);
  a.send({ type: 'NETWORK_LOST', error: net });
  assert.equal(a.getSnapshot().context.retryDelayMs, 500);
  // CHANNEL_HEALTHY means nothing while reconnecting (the channel is not running).
  a.send({ type: 'CHANNEL_HEALTHY' });
  assert.equal(a.getSnapshot().context.attempt, 1);
  a.stop();
});

test('session: Retry-After — NETWORK_LOST { retryAfterMs } and an error\'s Retry-After lengthen the next wait (max with the backoff), once, bounded', async () => {
  const clock = new SimulatedClock();
  const outcomes: unknown[] = [];
  const m = fakeSession({
    probe: fromPromise(async () => { const o = outcomes.shift(); if (o) throw o; return 'ok' as const; }),
  });
  const a = createActor(m, { clock, input: { random: () => 0.5 } }).start();
  a.send({ type: 'SIGN_IN' });
  await settleAll();
  a.send({ type: 'NETWORK_LOST', error: net, retryAfterMs: 5000 });
  assert.equal(a.getSnapshot().context.retryDelayMs, 5000, 'the server asked for 5 s; the backoff alone would be 0.5 s');
  // The probe fails with a 503 whose Retry-After travels in the error's cause chain (AppError → UcwaError).
  const busy = Object.assign(new Error('busy'), { code: 'poolUnavailable', message: 'busy', status: 503, cause: { name: 'UcwaError', retryAfterMs: 20_000 } });
  outcomes.push(busy, net);
  clock.increment(4999);
  await settleAll();
  assert.deepEqual(a.getSnapshot().value, { reconnecting: 'waiting' }, 'not before the Retry-After');
  clock.increment(1);
  await settleAll();
  assert.equal(a.getSnapshot().context.retryDelayMs, 20_000);
  clock.increment(20_000);
  await settleAll();
  assert.equal(a.getSnapshot().context.retryDelayMs, 2000, 'a Retry-After counts once; then the backoff alone');
  clock.increment(2000);
  await settleAll();
  assert.ok(isOnline(a));
  a.send({ type: 'NETWORK_LOST', error: net, retryAfterMs: 3_600_000 });
  assert.equal(a.getSnapshot().context.retryDelayMs, 600_000, 'at most 10 minutes');
  a.stop();
  // A persistent sign-in refused with Retry-After waits for it in retryingSignIn too.
  const b = createActor(fakeSession({ discover: fromPromise(async () => { throw busy; }) }), { clock: new SimulatedClock(), input: { random: () => 0.5 } }).start();
  b.send({ type: 'SIGN_IN', persistent: true });
  await settleAll();
  assert.equal(b.getSnapshot().value, 'retryingSignIn');
  assert.equal(b.getSnapshot().context.retryDelayMs, 20_000);
  b.stop();
});

test('session: REDISCOVER (P-GET 403 / unexpected 4xx) from online, reauthenticating and reconnecting → discovering again, persistent; repeated before the channel is healthy it backs off', async () => {
  const clock = new SimulatedClock();
  let discoveries = 0;
  let failDiscovery = false;
  let stops = 0;
  const m = fakeSession({ discover: fromPromise(async () => { discoveries++; if (failDiscovery) throw net; }) })
    .provide({ actions: { stopAll: () => { stops++; } } });
  const a = createActor(m, { clock, input: { random: () => 0.5 } }).start();
  a.send({ type: 'SIGN_IN' }); // interactive
  await settleAll();
  assert.ok(isOnline(a));
  assert.equal(discoveries, 1);
  // online → discovering at once; the old channel and sync are stopped; the reason is kept for the UI.
  const stopsBefore = stops;
  failDiscovery = true;
  a.send({ type: 'REDISCOVER', error: forbidden });
  assert.equal(a.getSnapshot().value, 'discovering');
  assert.equal(sessionStatusOf(a.getSnapshot().value), 'discovering');
  assert.equal(a.getSnapshot().context.persistent, true);
  assert.equal(a.getSnapshot().context.error?.status, 403);
  assert.ok(stops > stopsBefore, 'stopAll');
  await settleAll();
  // A transient failure of that discovery retries (persistent), it is no error screen.
  assert.equal(a.getSnapshot().value, 'retryingSignIn');
  failDiscovery = false;
  a.send({ type: 'NUDGE' });
  await settleAll();
  assert.ok(isOnline(a));
  assert.equal(discoveries, 3);
  // Again before CHANNEL_HEALTHY: no straight loop of new applications — the backoff first.
  a.send({ type: 'REDISCOVER', error: forbidden });
  assert.equal(a.getSnapshot().value, 'retryingSignIn');
  assert.equal(sessionStatusOf(a.getSnapshot().value), 'reconnecting');
  assert.equal(a.getSnapshot().context.retryDelayMs, 2000);
  clock.increment(1999);
  await settleAll();
  assert.equal(discoveries, 3, 'not before the delay');
  clock.increment(1);
  await settleAll();
  assert.equal(discoveries, 4);
  assert.ok(isOnline(a));
  // Healthy again: the next REDISCOVER goes at once, from reauthenticating too.
  a.send({ type: 'CHANNEL_HEALTHY' });
  a.send({ type: 'RENEWING' });
  assert.equal(a.getSnapshot().value, 'reauthenticating');
  a.send({ type: 'REDISCOVER', error: forbidden });
  assert.equal(a.getSnapshot().value, 'discovering');
  await settleAll();
  assert.ok(isOnline(a));
  assert.equal(discoveries, 5);
  // From reconnecting (attempts under way): through the backoff, then discovering.
  a.send({ type: 'NETWORK_LOST', error: net });
  assert.equal(topLevel(a.getSnapshot().value), 'reconnecting');
  a.send({ type: 'REDISCOVER', error: forbidden });
  assert.equal(a.getSnapshot().value, 'retryingSignIn');
  clock.increment(a.getSnapshot().context.retryDelayMs);
  await settleAll();
  assert.equal(discoveries, 6);
  assert.ok(isOnline(a));
  a.stop();
});

test('session: a channel failure while the application is created, made available or recreated is not lost — reconnecting or rediscovering instead of a deaf "online"', async () => {
  for (const step of ['createApplication', 'makeAvailable', 'recreateApplication'] as const) {
    for (const loss of [{ type: 'NETWORK_LOST', error: net }, { type: 'APPLICATION_GONE' }, { type: 'REDISCOVER', error: forbidden }] as const) {
      const g = gate();
      let discoveries = 0;
      let armed = step !== 'recreateApplication';
      const slow = fromPromise(async () => { if (armed) await g.promise; });
      const m = fakeSession({ [step]: slow, discover: fromPromise(async () => { discoveries++; }) });
      const a = createActor(m, { clock: new SimulatedClock(), input: {} }).start();
      a.send({ type: 'SIGN_IN' });
      await settleAll();
      const stateOf = { createApplication: 'creatingApplication', makeAvailable: 'makingAvailable', recreateApplication: 'recreatingApplication' }[step];
      if (step === 'recreateApplication') {
        assert.ok(isOnline(a));
        armed = true;
        a.send({ type: 'APPLICATION_GONE' });
      }
      assert.equal(a.getSnapshot().value, stateOf, `${step}: waiting`);
      a.send(loss as never);
      assert.equal(a.getSnapshot().value, stateOf, `${step} ${loss.type}: the step goes on`);
      assert.equal(a.getSnapshot().context.pendingLoss, loss.type === 'REDISCOVER' ? 'rediscover' : 'reconnect');
      g.open();
      await settleAll();
      const label = `${step} then ${loss.type}`;
      if (loss.type === 'REDISCOVER') {
        assert.equal(discoveries, 2, `${label}: signed in again from discovery`);
        assert.ok(isOnline(a), label);
      } else {
        // Not online: reconnecting, whose probe resumes the channel (or finds the application gone).
        assert.deepEqual(a.getSnapshot().value, { reconnecting: 'waiting' }, label);
        assert.equal(sessionStatusOf(a.getSnapshot().value), 'reconnecting');
        assert.equal(a.getSnapshot().context.pendingLoss, null);
        if (loss.type === 'NETWORK_LOST') assert.equal(a.getSnapshot().context.error?.code, 'network', `${label}: the reason is kept`);
      }
      a.stop();
    }
  }
  // FATAL there is an error at once (it used to be dropped, and the session went online).
  for (const step of ['createApplication', 'makeAvailable'] as const) {
    const g = gate();
    const a = createActor(fakeSession({ [step]: fromPromise(async () => { await g.promise; }) }), { clock: new SimulatedClock(), input: {} }).start();
    a.send({ type: 'SIGN_IN' });
    await settleAll();
    a.send({ type: 'FATAL', error: { code: 'tooManyApplications', message: 'x', status: 410 } });
    assert.equal(a.getSnapshot().value, 'error', step);
    assert.equal(a.getSnapshot().context.error?.code, 'tooManyApplications');
    g.open();
    await settleAll();
    assert.equal(a.getSnapshot().value, 'error', `${step}: stays in error`);
    a.stop();
  }
});

test('session: reportMyActivity on every tick while online — active, idle or locked — while the presence still decays to Away', async () => {
  const clock = new SimulatedClock();
  let reported = 0;
  let away = 0;
  const m = fakeSession().provide({ actions: { reportActivity: () => { reported++; }, goAway: () => { away++; } } });
  const a = createActor(m, { clock, input: { timing: { reportActivityMs: 1000, awayAfterSec: 300 } } }).start();
  a.send({ type: 'SIGN_IN' });
  await settleAll();
  clock.increment(1000);
  assert.equal(reported, 1, 'active');
  a.send({ type: 'IDLE', idleSec: 3600, locked: false });
  assert.equal(away, 1, 'Away after the idle threshold');
  clock.increment(1000);
  assert.equal(reported, 2, 'idle for an hour: still reported');
  a.send({ type: 'IDLE', idleSec: 7200, locked: true });
  for (let i = 0; i < 3; i++) clock.increment(1000);
  assert.equal(reported, 5, 'locked: still reported, once per tick');
  a.send({ type: 'NETWORK_LOST', error: net, retryAfterMs: 60_000 });
  for (let i = 0; i < 5; i++) clock.increment(1000);
  assert.equal(reported, 5, 'not while reconnecting');
  a.stop();
});

test('group: every state reachable from each way in (xstate/graph shortest paths)', () => {
  const err = { code: 'server', message: 'no' };
  const events = [
    { type: 'POSTED' }, { type: 'LOBBY' }, { type: 'JOINED' }, { type: 'IM_CONNECTED' }, { type: 'IM_DROPPED' },
    { type: 'FAILED', error: err }, { type: 'ENDED', error: err }, { type: 'LEAVE' }, { type: 'LEFT' },
  ];
  const start = stateKeys(groupMachine, events, { start: 'start' });
  for (const s of ['starting', 'joining', 'lobby', 'addingMessaging', 'connected', 'leaving', 'left', 'ended', 'failed']) assert.ok(start.has(JSON.stringify(s)), `start → ${s}`);
  const accepted = stateKeys(groupMachine, events, { start: 'accepted' });
  assert.ok(!accepted.has(JSON.stringify('starting')), 'an accepted invitation never POSTs a meeting');
  for (const s of ['joining', 'addingMessaging', 'connected', 'failed', 'ended', 'left']) assert.ok(accepted.has(JSON.stringify(s)), `accepted → ${s}`);
  const grown = stateKeys(groupMachine, events, { start: 'escalatedWithIm' });
  for (const s of ['connected', 'addingMessaging', 'leaving', 'left', 'ended']) assert.ok(grown.has(JSON.stringify(s)), `grown → ${s}`);
  assert.equal(createActor(groupMachine, { input: { start: 'escalated' } }).start().getSnapshot().value, 'addingMessaging');
  // A 1:1 grown into a group whose IM dropped on the way: walked like the others.
  const escalated = stateKeys(groupMachine, events, { start: 'escalated' });
  assert.ok(!escalated.has(JSON.stringify('starting')) && !escalated.has(JSON.stringify('joining')), 'already in the meeting: no POST, no join');
  for (const s of ['addingMessaging', 'connected', 'leaving', 'left', 'ended', 'failed']) assert.ok(escalated.has(JSON.stringify(s)), `escalated → ${s}`);
});

test('group: the IM dropping on escalation adds it again; the safety timer fails a step that never ends; a lobby waits', () => {
  const clock = new SimulatedClock();
  const a = createActor(groupMachine, { input: { start: 'start', timeoutMs: 1000 }, clock }).start();
  a.send({ type: 'POSTED' });
  a.send({ type: 'JOINED' });
  a.send({ type: 'IM_CONNECTED' });
  a.send({ type: 'IM_DROPPED' });
  assert.equal(a.getSnapshot().value, 'addingMessaging');
  a.send({ type: 'IM_CONNECTED' });
  clock.increment(5000);
  assert.equal(a.getSnapshot().value, 'connected', 'no timer while connected');
  const b = createActor(groupMachine, { input: { start: 'start', timeoutMs: 1000 }, clock }).start();
  clock.increment(1001);
  assert.equal(b.getSnapshot().value, 'failed');
  assert.match(b.getSnapshot().context.error?.message ?? '', /did not answer/);
  const c = createActor(groupMachine, { input: { start: 'start', timeoutMs: 1000 }, clock }).start();
  c.send({ type: 'POSTED' });
  c.send({ type: 'LOBBY' });
  clock.increment(10_000);
  assert.equal(c.getSnapshot().value, 'lobby');
  c.send({ type: 'ENDED', error: { code: 'server', message: 'Ejected' } });
  assert.equal(c.getSnapshot().value, 'ended');
  assert.equal(c.getSnapshot().context.error?.message, 'Ejected');
});
