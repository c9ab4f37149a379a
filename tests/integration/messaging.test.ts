import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMessages, ME, service, signIn, sim, texts, until } from './helpers.ts';

test('sign in, receive an IM, accept by answering, no duplicate of the first message', async () => {
  const s = await sim();
  const h = service(s);
  try {
    const st = await signIn(h, s);
    assert.equal(st.status, 'online');
    const bob = s.people[0]!.sip;
    const invites: number[] = [];
    h.service.on('invitation', (i) => { if (i.text === 'Hi there') invites.push(i.conversationId); }); // demo 'writeFirst' people ring too
    await s.control.sendIm(bob, ME, 'Hi there');
    const convId = await until(() => invites[0], 'invitation');
    const reply = await h.service.send(convId, 'Hello back');
    await until(async () => (await h.store.pendingOutbox(convId)).length === 0, 'reply sent');
    assert.ok(reply.clientId);
    await new Promise((r) => setTimeout(r, 200));
    const msgs = await allMessages(h, convId);
    assert.deepEqual(texts(msgs).filter((t) => t === 'Hi there').length, 1);
    assert.ok(texts(msgs).includes('Hello back'));
    const got = s.control.receivedMessages(ME).map((m) => m.text);
    assert.deepEqual(got.filter((t) => t === 'Hello back').length, 1);
  } finally {
    await h.service.close();
    await s.stop();
  }
});
