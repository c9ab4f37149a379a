// Privacy of the logs and of the credentials, through real operations against the simulator:
// - no log line (the core's, as the app's log file receives them) holds a search term or the text
//   of a message, sent or received — also when the server fails and echoes them in its errors;
// - after a sign-out the password and the token are gone from what the service still holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ME, service, signIn, sim, until } from './helpers.ts';
import { createLogger } from '../../main/electron/log.ts';
import type { UcwaClient } from '../../main/core/ucwa/client.ts';

const PEOPLE_TERM = 'Xanthippe';
const HISTORY_TERM = 'zirconium';
const SENT_TEXT = 'the lighthouse at seven, bring plum42';
const RECEIVED_TEXT = 'meet by the orangery, wear saffron';
const RECEIVED_HTML = '<p>meet by the <b>orangery</b>, wear saffron</p>';
/** Words that only the private texts above contain (lower case; lines are compared lower-cased). */
const PRIVATE = ['xanthippe', 'zirconium', 'lighthouse', 'plum42', 'orangery', 'saffron'];

test('no log line holds a search term or message text (people search, history search, sending, receiving, failures)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-privacy-'));
  const file = join(dir, 'logs', 'main.log');
  const fileLog = createLogger(file, { stderr: false });
  const lines: string[] = [];
  const s = await sim();
  const h = service(s, { log: (line) => { lines.push(line); fileLog(line); } });
  try {
    assert.equal((await signIn(h, s)).status, 'online');
    const echo = s.people.find((p) => p.behaviour?.kind === 'echo')!.sip;

    // People search: answered by the directory, then failing (the server quotes the term in its
    // error body, and then the connection drops) — each time falling back to the local contacts.
    assert.ok(Array.isArray(await h.service.searchPeople(PEOPLE_TERM)));
    const offError = s.control.addFault({ route: 'people/search', status: 500, message: `no directory entry matches ${PEOPLE_TERM}`, times: 1 });
    await h.service.searchPeople(`${PEOPLE_TERM} Smith`);
    offError();
    const offDrop = s.control.addFault({ route: 'people/search', drop: true, times: 1 });
    await h.service.searchPeople(PEOPLE_TERM.toLowerCase());
    offDrop();

    // Sending (the text rides in the invitation): the first attempt refused by the server, with the
    // text in its error body; the outbox tries again.
    const offSend = s.control.addFault({ route: 'messagingInvitations', method: 'POST', status: 503, message: `cannot deliver "${SENT_TEXT}"`, times: 1 });
    const sending = await h.service.startConversation(echo, SENT_TEXT);
    await until(async () => (await h.store.pendingOutbox(sending.conversationId)).length === 0, 'sent', 15_000);
    offSend();
    // Receiving: the echo of what was sent, and a colleague's HTML message.
    await until(async () => (await h.store.listMessages(sending.conversationId, { limit: 50 })).items.some((m) => m.text.startsWith('Echo:')), 'the echo', 10_000);
    const rang: number[] = [];
    h.service.on('invitation', (i) => { if (i.text?.includes('orangery')) rang.push(i.conversationId); });
    await s.control.sendIm(s.people[1]!.sip, ME, RECEIVED_TEXT, { html: RECEIVED_HTML, subject: 'saffron plans' });
    const incoming = await until(() => rang[0], 'the incoming invitation');
    await h.service.accept(incoming);
    await until(async () => (await h.store.listMessages(incoming, { limit: 50 })).items.some((m) => m.text.includes('orangery')), 'the received message stored');

    // History (directory of past conversations) search, with a term found and one not found.
    assert.ok((await h.service.search('orangery', 20)).length >= 1, 'the received message is searchable');
    await h.service.search(HISTORY_TERM, 20);
    await h.service.search(`"${HISTORY_TERM}" AND (`, 20); // FTS syntax a parser would quote back
    await h.service.listConversations({ filter: 'all', contact: HISTORY_TERM, limit: 20 });

    assert.ok(lines.length > 20, `the operations were logged (${lines.length} lines)`);
    assert.ok(lines.some((l) => /people\/search/.test(l)), 'the people search requests are in the log (by path)');
    assert.ok(lines.some((l) => /people search failed/.test(l)), 'and its failures');
    assert.ok(lines.some((l) => /outbox .*503|ServiceUnavailable|poolUnavailable/.test(l)), 'and the refused send');
    const leaks = lines.filter((l) => PRIVATE.some((w) => l.toLowerCase().includes(w)));
    assert.deepEqual(leaks, [], 'no line holds a search term or message text');
    const onDisk = readFileSync(file, 'utf8').toLowerCase();
    for (const w of PRIVATE) assert.ok(!onDisk.includes(w), `main.log holds "${w}"`);
  } finally {
    await h.service.close();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sign-out drops the password and the token: what is still held cannot renew or sign in again', async () => {
  const s = await sim();
  const h = service(s);
  try {
    await signIn(h, s);
    const internals = (h.service as unknown as { _internals: { client(): UcwaClient | null } })._internals;
    const held = internals.client()!;
    assert.ok(held, 'a client while signed in');
    await held.renew(); // while signed in a renewal works (a password grant)
    const grants = () => h.requests.filter((r) => r.method === 'POST' && /token/i.test(r.url)).length;
    const before = grants();

    await h.service.signOut();
    assert.equal(h.service.state().status, 'signedOut');
    assert.equal(internals.client(), null);
    assert.equal(held.signedOut, true, 'the client that was held dropped its credentials');
    const requestsAfter = h.requests.length;
    // Anything that kept the old client (a sync, an outbox lane, a late event) can do nothing with it.
    await assert.rejects(held.renew(), (err: Error & { kind?: string }) => err.name === 'NetworkError' && err.kind === 'aborted');
    await assert.rejects(held.getJson('/ucwa/oauth/v1/applications'), (err: Error & { kind?: string }) => err.kind === 'aborted');
    // Nothing brings the session back without a password being given again.
    h.service.nudge('network');
    h.service.reportIdle(0, false);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.service.state().status, 'signedOut');
    assert.equal(grants(), before, 'no password grant after the sign-out');
    assert.equal(h.requests.length, requestsAfter, 'no request at all after the sign-out');
    assert.equal(await h.service.signInRemembered(), null, 'no keychain here: nothing remembered to sign in with');

    // A new sign-in with the password works as before.
    assert.equal((await signIn(h, s)).status, 'online');
    assert.notEqual(internals.client(), held);
  } finally {
    await h.service.close();
    await s.stop();
  }
});
