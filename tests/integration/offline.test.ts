// Starting without network (or with the server down) and a remembered account: the automatic
// sign-in (signInRemembered) waits in 'reconnecting' and signs in by itself — at once on nudge —
// when the server can be reached; the user signing in from the sign-in window still fails fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMessages, ME, service, sim, texts, until, type Harness } from './helpers.ts';
import { createMemorySecrets } from '../../main/core/secrets/keychain.ts';
import type { Simulator } from '../../simulator/index.ts';
import type { MessengerDeps } from '../../main/core/app/deps.ts';

/** A simulator that is down (its port closed), with an old conversation waiting in its history. */
async function deadSim(): Promise<{ s: Simulator; bob: string }> {
  const s = await sim();
  const bob = s.people[0]!.sip;
  s.control.addLog(ME, { with: [bob], messages: [{ from: bob, text: 'while you were away', at: 1_700_000_000_000 }] });
  await s.stop();
  return { s, bob };
}

async function rememberedService(s: Simulator, timing?: Partial<NonNullable<MessengerDeps['timing']>>): Promise<Harness> {
  const secrets = createMemorySecrets();
  await secrets.setPassword(ME, 'demo');
  const base = {
    reportActivityMs: 200, typingThrottleMs: 50, backoffBaseMs: 20, backoffMaxMs: 200, syncAfterConversationEndMs: 50,
    eventTimeoutSec: 180, pgetClientTimeoutMs: 1500, invitationTimeoutMs: 5000, requestTimeoutMs: 3000, channelRestartWaitMs: 100,
  };
  return service(s, { secrets, timing: { ...base, ...timing } });
}

async function hasMessage(h: Harness, text: string): Promise<boolean> {
  const page = await h.service.listConversations({ limit: 100 });
  for (const c of page.items) if (texts(await allMessages(h, c.id)).includes(text)) return true;
  return false;
}

test('remembered account, server down at launch: reconnecting (not error); server back + nudge → online, history synced', async () => {
  const { s } = await deadSim();
  // A long backoff: only the nudge can bring it back within the test.
  const h = await rememberedService(s, { backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
  const states: string[] = [];
  h.service.on('session', (st) => states.push(st.status));
  try {
    const t0 = Date.now();
    const st = await h.service.signInRemembered(ME, { server: s.url });
    assert.ok(st, 'a remembered account');
    assert.equal(st.status, 'reconnecting');
    assert.equal(st.error?.code, 'network', 'the last error is shown');
    assert.ok(st.nextRetryAt !== null && st.nextRetryAt > t0, 'when the next attempt is due');
    assert.ok(Date.now() - t0 < 3000, 'the shell is not kept waiting');
    assert.equal(h.service.state().status, 'reconnecting');
    assert.ok(!states.includes('error'), `never error: ${states.join(' → ')}`);
    // Nothing to do until the server answers: a nudge while it is still down retries and waits again.
    h.service.nudge('network');
    await until(() => h.requests.length >= 2 && h.service.state().status === 'reconnecting', 'retried on nudge, still reconnecting');

    await s.restart();
    h.service.nudge('network');
    await until(() => h.service.state().status === 'online', 'online after nudge', 5000);
    assert.ok(!states.includes('error'), `never error: ${states.join(' → ')}`);
    await until(() => hasMessage(h, 'while you were away'), 'history synced');
    assert.equal(h.service.state().error, null);
    assert.equal(h.service.state().nextRetryAt, null);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('remembered account, server down at launch: signs in by itself when the server is back (backoff, no nudge)', async () => {
  const { s } = await deadSim();
  const h = await rememberedService(s);
  try {
    const st = await h.service.signInRemembered(undefined, { server: s.url });
    assert.equal(st?.status, 'reconnecting');
    // Several attempts while down, each failing back into the retry, never into error.
    await until(() => h.requests.filter((r) => r.url.startsWith(s.url)).length >= 3, 'retries while down');
    assert.notEqual(h.service.state().status, 'error');
    await s.restart();
    await until(() => h.service.state().status === 'online', 'online by itself', 5000);
    await until(() => hasMessage(h, 'while you were away'), 'history synced');
    // Sign-out leaves for good.
    await h.service.signOut();
    assert.equal(h.service.state().status, 'signedOut');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('signOut while a remembered sign-in is being retried: signedOut, no more attempts', async () => {
  const { s } = await deadSim();
  const h = await rememberedService(s, { backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
  try {
    assert.equal((await h.service.signInRemembered(ME, { server: s.url }))?.status, 'reconnecting');
    await h.service.signOut();
    assert.equal(h.service.state().status, 'signedOut');
    const n = h.requests.length;
    h.service.nudge('network');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.requests.length, n, 'a nudge does not sign in a signed-out session');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('autodiscovery while offline (DNS fails): the remembered sign-in retries; the user signing in sees serverNotFound at once', async () => {
  const s = await sim();
  const secrets = createMemorySecrets();
  await secrets.setPassword(ME, 'demo');
  let lookups = 0;
  // No network: every name lookup fails, as fetch reports it.
  const offline = async (url: string) => {
    lookups++;
    throw new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`), { code: 'ENOTFOUND' }) });
  };
  const h = service(s, { secrets, fetch: offline as never });
  try {
    const st = await h.service.signInRemembered();
    assert.equal(st?.status, 'reconnecting');
    assert.equal(st?.error?.code, 'serverNotFound');
    const n = lookups;
    h.service.nudge('network');
    await until(() => lookups > n, 'tried again on nudge');
    await assert.rejects(h.service.signIn({ sip: ME, password: 'demo' }), (e: Error & { code?: string }) => e.code === 'serverNotFound');
    assert.equal(h.service.state().status, 'error');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('the user signing in to a dead server still fails fast with network', async () => {
  const { s } = await deadSim();
  const h = await rememberedService(s);
  try {
    const t0 = Date.now();
    await assert.rejects(h.service.signIn({ sip: ME, password: 'demo', server: s.url }), (e: Error & { code?: string }) => e.code === 'network' && /Could not reach/.test(e.message));
    assert.ok(Date.now() - t0 < 3000, 'fast');
    assert.equal(h.service.state().status, 'error');
    assert.equal(h.service.state().error?.code, 'network');
    // And stays there: no retry behind the user's back.
    const n = h.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.requests.length, n);
    assert.equal(h.service.state().status, 'error');
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('a remembered password the server refuses: signInRemembered rejects (no retry loop)', async () => {
  const s = await sim();
  const secrets = createMemorySecrets();
  await secrets.setPassword(ME, 'not-the-password');
  const h = service(s, { secrets });
  try {
    await assert.rejects(h.service.signInRemembered(ME, { server: s.url }), (e: Error & { code?: string }) => e.code === 'wrongPassword');
    assert.equal(h.service.state().status, 'error');
  } finally {
    await h.service.close();
    await s.stop();
  }
});
