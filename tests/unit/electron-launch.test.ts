import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchWindow } from '../../main/electron/launch.ts';

const base = { signedIn: true, link: null, hiddenArg: false, startHidden: false };

test('launched by hand and signed in: the history window opens', () => {
  assert.deepEqual(launchWindow(base), { window: 'history' });
});

test('started hidden (argument or setting) and signed in: tray only', () => {
  assert.equal(launchWindow({ ...base, hiddenArg: true }), null);
  assert.equal(launchWindow({ ...base, startHidden: true }), null);
});

test('not signed in: the sign-in window, even when started hidden', () => {
  assert.deepEqual(launchWindow({ ...base, signedIn: false, hiddenArg: true, startHidden: true }), { window: 'signin' });
});

test('a sip: link wins: a new conversation with that person', () => {
  assert.deepEqual(launchWindow({ ...base, hiddenArg: true, link: 'sip:bob@contoso.com' }),
    { window: 'history', navigation: { to: 'newConversation', sip: 'sip:bob@contoso.com' } });
});
