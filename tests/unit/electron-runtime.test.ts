// Runtime details of the Electron shell that only show in a real Electron (IPC sender frames that
// are gone, Windows toast activations, tray click order), checked as the pure decisions main.ts uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSender, senderInfo, type FrameLike } from '../../main/electron/ipcGuard.ts';
import { activationTarget, notificationId, replyText } from '../../main/electron/notifications.ts';
import { BLUR_CLICK_GRACE_MS, trayClickAction, traySetsContextMenu } from '../../main/electron/tray.ts';

const frame = (over: Partial<FrameLike> & { destroyed?: boolean } = {}): FrameLike => ({
  url: 'app://ui/index.html?window=history', parent: null, detached: false, isDestroyed: () => over.destroyed ?? false, ...over,
});

test('senderInfo: the main frame is the one without a parent', () => {
  assert.deepEqual(checkSender(senderInfo(() => frame())), { ok: true });
  const child = senderInfo(() => frame({ parent: frame() }));
  assert.equal(child.isMainFrame, false);
  assert.match(JSON.stringify(checkSender(child)), /main frame/);
});

test('senderInfo: a frame that is null, detached, destroyed or throws on access is refused', () => {
  const gone: (() => FrameLike | null | undefined)[] = [
    () => null,
    () => undefined,
    () => frame({ detached: true }),
    () => frame({ destroyed: true }),
    () => { throw new Error('Render frame was disposed before WebFrameMain could be accessed'); },
    () => Object.defineProperty(frame(), 'url', { get() { throw new Error('disposed'); } }) as FrameLike,
  ];
  for (const get of gone) {
    const r = checkSender(senderInfo(get));
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /no sender frame/);
  }
});

test('replyText: details.reply (Electron ≥ 42), else the legacy second argument, else empty', () => {
  assert.equal(replyText({ reply: 'hi', preventDefault() {} }, 'old'), 'hi');
  assert.equal(replyText({ preventDefault() {} }, 'old'), 'old');
  assert.equal(replyText(undefined, 'old'), 'old');
  assert.equal(replyText({}, undefined), '');
  assert.equal(replyText({ reply: 42 }, 7), '');
});

test('activation: a reply goes only to the notification it names', () => {
  const id = notificationId(12, 3);
  assert.deepEqual(activationTarget({ type: 'reply', arguments: `launch=${id}`, reply: 'on my way' }, notificationId(99, 4)),
    { kind: 'reply', key: id, conversationId: 12, text: 'on my way' });
  // No id in the arguments: never the last notification's conversation (wrong person, and a second send).
  const r = activationTarget({ type: 'reply', arguments: '', reply: 'on my way' }, notificationId(99, 4));
  assert.equal(r.kind, 'none');
  assert.equal(activationTarget({ type: 'reply', arguments: id, reply: '   ' }, null).kind, 'none');
});

test('activation: a click opens the named conversation, else the last notified one', () => {
  assert.deepEqual(activationTarget({ type: 'click', arguments: notificationId(5, 1) }, notificationId(9, 2)), { kind: 'open', conversationId: 5 });
  assert.deepEqual(activationTarget({ type: 'click', arguments: '' }, notificationId(9, 2)), { kind: 'open', conversationId: 9 });
  assert.equal(activationTarget({ type: 'click', arguments: '' }, null).kind, 'none');
  assert.equal(activationTarget({ type: 'action', arguments: notificationId(5, 1) }, null).kind, 'none');
});

test('tray click: open popup → hide; just hidden by the blur of this very click → stay hidden; else show', () => {
  assert.equal(trayClickAction({ open: true, hiddenByBlurAt: null }, 1000), 'hide');
  assert.equal(trayClickAction({ open: false, hiddenByBlurAt: 1000 }, 1000 + 50), 'none');
  assert.equal(trayClickAction({ open: false, hiddenByBlurAt: 1000 }, 1000 + BLUR_CLICK_GRACE_MS), 'show');
  assert.equal(trayClickAction({ open: false, hiddenByBlurAt: null }, 1000), 'show');
  assert.equal(trayClickAction({ open: false, hiddenByBlurAt: 5000 }, 1000), 'show'); // clock went back
});

test('tray menu: set as the context menu except on macOS (left click would open it with the popup)', () => {
  assert.equal(traySetsContextMenu('win32'), true);
  assert.equal(traySetsContextMenu('linux'), true);
  assert.equal(traySetsContextMenu('darwin'), false);
});
