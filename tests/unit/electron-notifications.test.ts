import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  conversationFromNotificationId, createNotificationGate, createReplyDeduper, fromInvitation, fromMessage, notificationContent,
  notificationId, supportsInlineReply, type NotificationSource,
} from '../../main/electron/notifications.ts';
import type { InvitationInfo, Message } from '../../main/ipc/contract.ts';

const alice = { sip: 'sip:alice@contoso.com', name: 'Alice Example' };
const src: NotificationSource = { conversationId: 7, from: alice, text: 'Lunch at 12?', invitation: true };
const ctx = (over: Partial<Parameters<typeof notificationContent>[1]> = {}) => ({
  settings: { notificationShowText: true, notificationSound: true }, availability: 'Online' as const, platform: 'win32' as NodeJS.Platform, seq: 1, ...over,
});

test('content: sender as title, text as body, inline reply on Windows and macOS', () => {
  const c = notificationContent(src, ctx());
  assert.ok(c);
  assert.equal(c.title, 'Alice Example');
  assert.equal(c.body, 'Lunch at 12?');
  assert.equal(c.hasReply, true);
  assert.equal(c.replyPlaceholder, 'Reply to Alice Example');
  assert.equal(c.conversationId, 7);
  assert.equal(c.silent, false);
  assert.equal(notificationContent(src, ctx({ platform: 'darwin' }))?.hasReply, true);
  const linux = notificationContent(src, ctx({ platform: 'linux' }));
  assert.equal(linux?.hasReply, false, 'Linux: a click opens the quick-reply popup instead');
  assert.equal(linux?.replyPlaceholder, undefined);
  assert.equal(supportsInlineReply('linux'), false);
});

test('privacy: notificationShowText=false never puts the text in the notification', () => {
  const c = notificationContent({ ...src, text: 'the secret plan' }, ctx({ settings: { notificationShowText: false, notificationSound: true } }));
  assert.ok(c);
  assert.ok(!JSON.stringify(c).includes('secret'));
  assert.equal(c.body, 'New conversation from Alice Example');
  const m = notificationContent({ ...src, invitation: false, text: 'the secret plan' }, ctx({ settings: { notificationShowText: false, notificationSound: false } }));
  assert.equal(m?.body, 'New message from Alice Example');
  assert.equal(m?.silent, true);
});

test('Do not disturb raises nothing', () => {
  assert.equal(notificationContent(src, ctx({ availability: 'DoNotDisturb' })), null);
  assert.ok(notificationContent(src, ctx({ availability: 'Busy' })));
  assert.ok(notificationContent(src, ctx({ availability: null })));
});

test('content edge cases: unknown sender, empty text, long text, whitespace', () => {
  assert.equal(notificationContent({ ...src, from: null }, ctx())?.title, 'Someone');
  assert.equal(notificationContent({ ...src, from: { sip: 'sip:bob@contoso.com', name: ' ' } }, ctx())?.title, 'bob@contoso.com');
  assert.equal(notificationContent({ ...src, text: null }, ctx())?.body, 'Alice Example wants to chat');
  assert.equal(notificationContent({ ...src, text: 'a\n\n  b' }, ctx())?.body, 'a b');
  const long = notificationContent({ ...src, text: 'x'.repeat(1000) }, ctx())!;
  assert.equal(long.body.length, 240);
  assert.ok(long.body.endsWith('…'));
});

test('ids carry the conversation (activation that launched the app finds it)', () => {
  const id = notificationId(42, 3);
  assert.equal(conversationFromNotificationId(id), 42);
  assert.equal(conversationFromNotificationId(`launch args: foo ${id} bar`), 42);
  assert.equal(conversationFromNotificationId('something else'), null);
  assert.equal(conversationFromNotificationId(undefined), null);
  assert.equal(notificationContent(src, ctx({ seq: 9 }))?.id, 'ucwa-c7-n9');
});

test('sources: incoming invitations and live incoming messages only', () => {
  const inv: InvitationInfo = { id: 'i1', conversationId: 3, direction: 'Incoming', state: 'ringing', from: alice, text: 'hi', subject: '', unsupported: false, group: false, others: [], error: null };
  assert.deepEqual(fromInvitation(inv), { conversationId: 3, from: alice, text: 'hi', invitation: true });
  assert.equal(fromInvitation({ ...inv, direction: 'Outgoing' }), null);
  assert.equal(fromInvitation({ ...inv, unsupported: true })?.text, null);
  const msg: Message = { id: 1, conversationId: 3, author: alice, direction: 'Incoming', at: 1, text: 'yo', html: null, origin: 'live', clientId: null, delivery: null, deliveryError: null, atEstimated: false };
  assert.deepEqual(fromMessage(msg), { conversationId: 3, from: alice, text: 'yo', invitation: false });
  assert.equal(fromMessage({ ...msg, origin: 'transcript' }), null, 'history sync raises nothing');
  assert.equal(fromMessage({ ...msg, direction: 'Outgoing' }), null);
});

test('gate: the invitation text re-delivered as a message notifies once', () => {
  const gate = createNotificationGate(10_000);
  assert.equal(gate(src, 0), true);
  assert.equal(gate({ ...src, invitation: false }, 500), false);
  assert.equal(gate({ ...src, text: 'another' }, 600), true);
  assert.equal(gate(src, 20_000), true, 'after the window the same text notifies again');
});

test('reply de-duplication: accepted once per notification id + text within the window', () => {
  const accept = createReplyDeduper(30_000);
  assert.equal(accept('ucwa-c7-n1', 'ok', 0), true);
  assert.equal(accept('ucwa-c7-n1', 'ok', 100), false, 'instance event + handleActivation for one reply');
  assert.equal(accept('ucwa-c7-n1', 'ok!', 200), true, 'different text');
  assert.equal(accept('ucwa-c7-n2', 'ok', 300), true, 'another notification');
  assert.equal(accept('ucwa-c7-n1', 'ok', 40_000), true, 'outside the window');
});

test('Linux: the body is escaped (notification servers render markup); elsewhere it is the text as is', () => {
  const marked = { ...src, text: '<b>bold</b> & <a href="x">link</a>' };
  assert.equal(notificationContent(marked, ctx({ platform: 'linux' }))?.body, '&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href=&quot;x&quot;&gt;link&lt;/a&gt;');
  assert.equal(notificationContent(marked, ctx({ platform: 'win32' }))?.body, '<b>bold</b> & <a href="x">link</a>');
});

test("the title carries the sender's availability as already known; unknown or none: the name alone", () => {
  const title = (senderPresence: Parameters<typeof notificationContent>[1]['senderPresence']) => notificationContent(src, ctx({ senderPresence }))?.title;
  assert.equal(title({ availability: 'Busy', activity: 'in-a-meeting' }), 'Alice Example (Busy)');
  assert.equal(title({ availability: 'Online', activity: '' }), 'Alice Example (Available)');
  assert.equal(title({ availability: 'DoNotDisturb' }), 'Alice Example (Do not disturb)');
  assert.equal(title({ availability: 'Away', activity: 'off-work' }), 'Alice Example (Off work)', 'Off work reads back as Away + off-work');
  assert.equal(title({ availability: 'Sleeping' }), 'Alice Example', 'a token nobody documents says nothing');
  assert.equal(title({ availability: 'constructor' }), 'Alice Example', 'a token is a word, not a lookup');
  assert.equal(title({ availability: null }), 'Alice Example', 'never read');
  assert.equal(title(null), 'Alice Example');
  assert.equal(title(undefined), 'Alice Example');
  // The reply box and the hidden-text body name the person, without the presence.
  const c = notificationContent(src, ctx({ senderPresence: { availability: 'Busy' }, settings: { notificationShowText: false, notificationSound: true } }))!;
  assert.equal(c.replyPlaceholder, 'Reply to Alice Example');
  assert.equal(c.body, 'New conversation from Alice Example');
});

test('a group invitation says it is a group, with whom and about what; the subject stays private when texts are hidden', () => {
  const inv: InvitationInfo = {
    id: 'i2', conversationId: 4, direction: 'Incoming', state: 'ringing', from: alice, text: 'Plans for Q3', subject: 'Offsite',
    unsupported: false, group: true, others: [{ sip: 'sip:bob@contoso.com', name: 'Bob' }, { sip: 'sip:carol@contoso.com', name: 'Carol' }], error: null,
  };
  const g = fromInvitation(inv)!;
  const shown = notificationContent(g, ctx())!;
  assert.equal(shown.title.startsWith('Alice Example'), true);
  assert.equal(shown.body, 'Group conversation “Offsite” with Bob, Carol: Plans for Q3');
  const hidden = notificationContent(g, ctx({ settings: { notificationShowText: false, notificationSound: true } }))!;
  assert.equal(hidden.body, 'Group conversation with Bob, Carol');
  const many = notificationContent(fromInvitation({ ...inv, text: null, subject: '', others: ['a', 'b', 'c', 'd', 'e'].map((n) => ({ sip: `sip:${n}@c.com`, name: n.toUpperCase() })) })!, ctx())!;
  assert.equal(many.body, 'Group conversation with A, B, C and 2 others');
  assert.equal(notificationContent(fromInvitation({ ...inv, others: [], subject: '' })!, ctx())!.body, 'Group conversation: Plans for Q3');
});
