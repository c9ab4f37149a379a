// What must survive: the outbox across a crash (real SQLite store), one copy of each message when
// live messages later come back as history (the file store and the in-memory one, which is the
// same Backend on ':memory:'), and a remembered password in the real OS keychain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { allMessages, ME, service, signIn, sim, until, type Harness } from './helpers.ts';
import { createSqliteStore } from '../../main/core/store/sqliteStore.ts';
import { createMemoryStore } from '../../main/core/store/memoryStore.ts';
import { createKeychain } from '../../main/core/secrets/keychain.ts';
import { personFromSip } from '../../main/core/ucwa/resources.ts';
import type { Simulator } from '../../simulator/index.ts';
import type { Store } from '../../main/core/store/types.ts';
import type { InvitationInfo } from '../../main/core/app/types.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-persist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function answering(s: Simulator): string {
  return s.people.find((p) => p.behaviour?.kind === 'echo' || p.behaviour?.kind === 'reply' || p.behaviour?.kind === 'typeThenReply')?.sip
    ?? s.people.find((p) => p.behaviour?.kind !== 'decline' && p.behaviour?.kind !== 'neverAnswer')!.sip;
}

test('outbox items left queued/sending by a crash are delivered exactly once after restart (SQLite)', async (t) => {
  const dir = tempDir(t);
  const s = await sim();
  const bob = answering(s);
  // Before the "crash": two messages typed offline, the first one already on its way.
  const before = await createSqliteStore({ dataDir: dir, account: ME });
  const conv = await before.ensureLiveConversation({ threadId: 'crash-thread', subject: '', direction: 'Outgoing', participants: [personFromSip(bob)], startedAt: Date.now() });
  const me = personFromSip(ME, 'Demo');
  const a = await before.enqueueOutbox({ conversationId: conv.id, text: 'typed before the crash', author: me });
  const b = await before.enqueueOutbox({ conversationId: conv.id, text: 'and a second line', author: me });
  await before.setOutboxState(a.clientId, 'sending');
  await before.close(); // the process died here: nothing was delivered

  const store = await createSqliteStore({ dataDir: dir, account: ME });
  const h = service(s, { store });
  try {
    assert.deepEqual((await store.pendingOutbox(conv.id)).map((i) => [i.clientId, i.state]), [[a.clientId, 'sending'], [b.clientId, 'queued']]);
    await signIn(h, s); // sign-in resumes the outbox on its own
    await until(async () => (await store.pendingOutbox(conv.id)).length === 0, 'outbox drained', 10_000);
    await new Promise((r) => setTimeout(r, 200)); // room for a duplicate to show up
    const got = s.control.receivedMessages(ME).map((m) => m.text);
    assert.equal(got.filter((x) => x === 'typed before the crash').length, 1);
    assert.equal(got.filter((x) => x === 'and a second line').length, 1);
    assert.ok(got.indexOf('typed before the crash') < got.indexOf('and a second line'), 'order kept');
    const msgs = await allMessages(h, conv.id);
    const mine = msgs.filter((m) => m.origin === 'outbox');
    assert.deepEqual(mine.map((m) => [m.text, m.delivery]), [['typed before the crash', 'delivered'], ['and a second line', 'delivered']]);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

async function liveThenHistory(store: Store, clock?: () => number): Promise<void> {
  const s = await sim();
  const h: Harness = service(s, { store, clock });
  try {
    await signIn(h, s);
    const bob = answering(s);
    s.control.setBehaviour(bob, { kind: 'neverAnswer' }); // only what the test sends
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'first, in the invitation') invites.push(i); });
    await s.control.sendIm(bob, ME, 'first, in the invitation');
    const inv = await until(() => invites[0], 'invitation');
    await h.service.send(inv.conversationId, 'my answer'); // accepts, then sends
    await until(async () => (await h.store.pendingOutbox(inv.conversationId)).length === 0, 'answer sent');
    const thread = s.control.liveConversations(ME)[0]!.threadId;
    await s.control.sendInConversation(thread, bob, 'second from bob');
    await until(async () => (await allMessages(h, inv.conversationId)).some((m) => m.text === 'second from bob'), 'live message');
    // The re-delivered first message (server timestamp) has come and gone by now.
    await h.service.hangUp(inv.conversationId);
    // The log appears (logDelaySec, scaled) and is synced after the conversation ends; sync again to be sure.
    await until(() => s.control.logIds(ME).length > 5, 'log archived');
    await h.service.syncNow();
    await h.service.syncNow();
    const conv = await until(async () => {
      const c = await h.store.getConversation(inv.conversationId);
      return c?.logKey && c.transcriptsComplete ? c : null;
    }, 'the live conversation got its log');
    const msgs = await allMessages(h, conv.id);
    const texts = msgs.map((m) => m.text);
    for (const t of ['first, in the invitation', 'my answer', 'second from bob']) assert.equal(texts.filter((x) => x === t).length, 1, `${t}: ${JSON.stringify(texts)}`);
    assert.equal(msgs.length, 3, JSON.stringify(texts));
    // No second conversation for the same thread.
    const all = await h.store.listConversations({ limit: 100 });
    assert.equal(all.items.filter((c) => c.threadId === conv.threadId).length, 1);
  } finally {
    await h.service.close();
    await s.stop();
  }
}

test('live messages and the later history sync: one copy each, the invitation\'s first message too (SQLite)', async (t) => {
  const dir = tempDir(t);
  // This machine's clock is an hour behind the server's: the first message, stored with local time,
  // only meets its transcript copy because its re-delivery restamped it with the server's time.
  await liveThenHistory(await createSqliteStore({ dataDir: dir, account: ME }), () => Date.now() - 3_600_000);
});

test('live messages and the later history sync: one copy each (in-memory store: the same Backend on :memory:)', async () => {
  await liveThenHistory(createMemoryStore());
});

const hasBus = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS) && process.platform === 'linux';
const noBusReason = 'no D-Bus session with a Secret Service (run through `npm test`, which starts dbus-run-session + gnome-keyring)';

test('signInRemembered with the real OS keychain', async (t) => {
  if (!hasBus) {
    console.log(`skipped: ${noBusReason}`);
    return t.skip(noBusReason);
  }
  const keychain = createKeychain({ service: `UCWA Tray test ${randomUUID()}` });
  const s = await sim();
  const first = service(s, { secrets: keychain });
  const second = service(s, { secrets: keychain });
  try {
    assert.equal(await first.service.signInRemembered(), null, 'nothing remembered yet');
    await first.service.signIn({ sip: ME, password: 'demo', server: s.url, remember: true });
    assert.equal(await keychain.getPassword(ME), 'demo');
    await first.service.signOut();
    // The same service again (tray "Sign in"): account and server of the last sign-in.
    assert.equal((await first.service.signInRemembered())?.status, 'online');
    await first.service.signOut();
    // Another start of the app: no password typed.
    const st = await second.service.signInRemembered(ME, { server: s.url });
    assert.equal(st?.status, 'online');
    assert.equal(st?.user?.sip, ME);
    await second.service.signOut({ forget: true });
    assert.equal(await keychain.getPassword(ME), null);
    assert.equal(await second.service.signInRemembered(ME, { server: s.url }), null, 'forgotten');
  } finally {
    await first.service.close();
    await second.service.close();
    await keychain.deletePassword(ME).catch(() => undefined);
    await s.stop();
  }
});

test('a missed invitation\'s first message meets its transcript copy and takes the server time (SQLite)', async (t) => {
  const dir = tempDir(t);
  const store = await createSqliteStore({ dataDir: dir, account: ME });
  const s = await sim({ invitationTimeoutSec: 100 }); // 100 ms scaled: it goes unanswered
  const h = service(s, { store, clock: () => Date.now() - 30_000 }); // this machine runs 30 s slow
  try {
    await signIn(h, s);
    const bob = s.people[0]!.sip;
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'call me back') invites.push(i); });
    const sentAt = Date.now();
    await s.control.sendIm(bob, ME, 'call me back');
    const inv = await until(() => invites[0], 'invitation');
    const live = (await allMessages(h, inv.conversationId))[0]!;
    assert.ok(Math.abs(live.at - (sentAt - 30_000)) < 5000, 'stored with (slow) local time');
    const logsBefore = s.control.logIds(ME).length;
    await until(() => s.control.logIds(ME).length > logsBefore, 'missed conversation logged', 10_000);
    await h.service.syncNow();
    const conv = await until(async () => {
      const c = await h.store.getConversation(inv.conversationId);
      return c?.logKey && c.transcriptsComplete ? c : null;
    }, 'log attached to the live conversation');
    const msgs = await allMessages(h, conv.id);
    assert.deepEqual(msgs.map((m) => m.text), ['call me back']);
    assert.ok(Math.abs(msgs[0]!.at - sentAt) < 5000, `takes the server's time (${msgs[0]!.at - sentAt} ms off)`);
    await h.service.syncNow(); // and stays single
    assert.equal((await allMessages(h, conv.id)).length, 1);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

test('the store starting over (damaged database replaced): the service drops what it held and resyncs', async () => {
  const inner = createMemoryStore();
  const listeners: ((c: Parameters<Parameters<Store['onChange']>[0]>[0]) => void)[] = [];
  const store: Store = { ...inner, onChange: (l) => { listeners.push(l); return inner.onChange(l); } };
  const s = await sim();
  const h = service(s, { store });
  try {
    await signIn(h, s);
    await h.service.syncNow();
    const invites: InvitationInfo[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'before the reset') invites.push(i); });
    await s.control.sendIm(s.people[0]!.sip, ME, 'before the reset');
    const inv = await until(() => invites[0], 'invitation');
    assert.ok(h.service.liveState(inv.conversationId));
    let syncs = 0;
    h.service.on('sync', (p) => { if (!p.running && !p.error) syncs++; });
    for (const l of listeners) l({ kind: 'reset', reason: 'test' });
    assert.equal(h.service.liveState(inv.conversationId), null, 'no live state for a conversation id that is gone');
    await until(() => syncs > 0, 'a resync after the reset');
    await stillOnline(h, s);
  } finally {
    await h.service.close();
    await s.stop();
  }
});

async function stillOnline(h: Harness, s: Simulator): Promise<void> {
  assert.equal(h.service.state().status, 'online');
  const got: InvitationInfo[] = [];
  h.service.on('invitation', (i) => { if (i.text === 'after the reset') got.push(i); });
  await s.control.sendIm(s.people[0]!.sip, ME, 'after the reset');
  const inv = await until(() => got[0], 'an invitation after the reset');
  assert.deepEqual((await allMessages(h, inv.conversationId)).map((m) => m.text), ['after the reset']);
}
