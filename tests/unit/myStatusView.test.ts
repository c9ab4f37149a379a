// Your own status as the history window's header reads it (renderer/myStatusView.ts): the session's
// availability in words, the server's activity only when it says more, Off work as Off work.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHOICES, myStatusView } from '../../renderer/myStatusView.ts';
import type { MyStatus } from '../../main/ipc/contract.ts';

const online = (availability: Parameters<typeof myStatusView>[0]['availability']) => ({ status: 'online' as const, availability });
const mine = (over: Partial<MyStatus> = {}): MyStatus => ({ availability: 'Online', activity: '', note: '', noteType: 'Personal', location: '', ...over });

describe('myStatusView', () => {
  it('the menu offers the six availabilities with the contract tokens', () => {
    assert.deepEqual(CHOICES.map((c) => [c.label, c.availability]), [
      ['Available', 'Online'], ['Busy', 'Busy'], ['Do not disturb', 'DoNotDisturb'], ['Be right back', 'BeRightBack'], ['Appear away', 'Away'], ['Off work', 'Offwork'],
    ]);
  });

  it('the session availability in words, with a kind for the dot, checked in the menu', () => {
    assert.deepEqual(myStatusView(online('Online'), mine()), { kind: 'available', words: 'Available', detail: '', chosen: 'Online', note: '' });
    assert.deepEqual(myStatusView(online('DoNotDisturb'), mine({ availability: 'DoNotDisturb' })), { kind: 'dnd', words: 'Do not disturb', detail: '', chosen: 'DoNotDisturb', note: '' });
    assert.equal(myStatusView(online('Away'), null).words, 'Away');
    assert.equal(myStatusView(online('BeRightBack'), null).kind, 'away');
  });

  it('Off work: set as Offwork, read back as Away (or Online) with the activity off-work — "Off work" either way', () => {
    assert.equal(myStatusView(online('Offwork'), null).words, 'Off work');
    for (const back of [mine({ availability: 'Away', activity: 'off-work' }), mine({ availability: 'Away', activity: 'Off Work' })]) {
      const v = myStatusView(online('Away'), back);
      assert.deepEqual([v.words, v.detail, v.chosen, v.kind], ['Off work', '', 'Offwork', 'away'], JSON.stringify(back));
    }
    assert.equal(myStatusView(online('Online'), mine({ availability: 'Online', activity: 'Off Work' })).words, 'Off work', "the reference sample's read-back");
    assert.equal(myStatusView(online(null), mine({ availability: 'Offwork', activity: 'Off Work' })).words, 'Off work', 'before the session knows');
    // Chosen since: the report from before is not what you are.
    assert.equal(myStatusView(online('Busy'), mine({ availability: 'Away', activity: 'off-work' })).words, 'Busy');
    assert.equal(myStatusView(online('Online'), mine({ availability: 'Away', activity: 'off-work' })).words, 'Available');
  });

  it('the activity only when it says more than the availability (the server echoes "Available" as your activity)', () => {
    assert.equal(myStatusView(online('Busy'), mine({ availability: 'Busy', activity: 'in-a-meeting' })).detail, 'In a meeting');
    assert.equal(myStatusView(online('Busy'), mine({ availability: 'Busy', activity: 'Available' })).detail, '');
    assert.equal(myStatusView(online('Away'), mine({ availability: 'IdleOnline', activity: 'Inactive' })).detail, '');
  });

  it('the note while signed in; not signed in: where the session is, and no choice checked', () => {
    assert.equal(myStatusView(online('Online'), mine({ note: '  Heads down until 3  ' })).note, 'Heads down until 3');
    const out = myStatusView({ status: 'signedOut', availability: null }, mine({ note: 'old' }));
    assert.deepEqual(out, { kind: 'offline', words: 'Signed out', detail: '', chosen: null, note: '' });
    assert.equal(myStatusView({ status: 'reconnecting', availability: null }, null).words, 'Offline');
    assert.equal(myStatusView({ status: 'authenticating', availability: null }, null).words, 'Signing in…');
    assert.equal(myStatusView({ status: 'reauthenticating', availability: 'Busy' }, null).words, 'Busy', 'a token refresh is not offline');
  });

  it('no availability known yet: the server token as a colleague\'s would read, Unknown for nonsense', () => {
    assert.equal(myStatusView(online(null), mine({ availability: 'IdleBusy' })).words, 'Busy');
    const odd = myStatusView(online(null), mine({ availability: 'Sleeping' }));
    assert.deepEqual([odd.kind, odd.words, odd.chosen], ['unknown', 'Unknown', null]);
    assert.equal(myStatusView(online(null), null).words, 'Unknown');
  });
});
