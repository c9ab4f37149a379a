// A colleague's presence in words and in a dot's kind (renderer/presenceWords.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { presenceAges, presenceView } from '../../renderer/presenceWords.ts';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

describe('presenceView', () => {
  it('the documented availabilities, each with a kind and words', () => {
    assert.deepEqual(presenceView({ availability: 'Online' }, NOW), { kind: 'available', words: 'Available', detail: '' });
    assert.deepEqual(presenceView({ availability: 'Busy', activity: 'in-a-meeting' }, NOW), { kind: 'busy', words: 'Busy', detail: 'In a meeting' });
    assert.deepEqual(presenceView({ availability: 'DoNotDisturb', activity: 'in-a-conference' }, NOW), { kind: 'dnd', words: 'Do not disturb', detail: 'In a conference call' });
    assert.equal(presenceView({ availability: 'BeRightBack' }, NOW).kind, 'away');
    assert.equal(presenceView({ availability: 'IdleOnline' }, NOW).words, 'Inactive');
    assert.equal(presenceView({ availability: 'Inactive' }, NOW).kind, 'away', "MeDashboard's extra value");
    assert.deepEqual(presenceView({ availability: 'Offline' }, NOW), { kind: 'offline', words: 'Offline', detail: '' });
  });

  it('both spellings of the call token; a custom activity shown as the contact wrote it', () => {
    assert.equal(presenceView({ availability: 'Busy', activity: 'on-the-phone' }, NOW).detail, 'In a call');
    assert.equal(presenceView({ availability: 'Busy', activity: 'in-a-call' }, NOW).detail, 'In a call');
    assert.equal(presenceView({ availability: 'Busy', activity: 'Working from the lake' }, NOW).detail, 'Working from the lake');
    // The server's localised string equal to the words adds nothing.
    assert.equal(presenceView({ availability: 'Away', activity: 'Away' }, NOW).detail, '');
  });

  it('"Away 20 min" from lastActive', () => {
    assert.equal(presenceView({ availability: 'Away', lastActive: NOW - 20 * 60_000 }, NOW).detail, 'Away 20 min');
    assert.equal(presenceView({ availability: 'Away', lastActive: NOW - 3 * 3_600_000 }, NOW).detail, 'Away 3 h');
    assert.equal(presenceView({ availability: 'BeRightBack', lastActive: NOW - 50 * 3_600_000 }, NOW).detail, 'Be right back 2 days');
    assert.equal(presenceView({ availability: 'Away', lastActive: NOW + 60_000 }, NOW).detail, '', 'a time in the future says nothing');
  });

  it('anything else is Unknown, never a crash', () => {
    for (const bad of [null, undefined, {}, { availability: 'Sleeping' }, { availability: 'constructor' }, { availability: '__proto__' },
      { availability: 42 as unknown as string }, { availability: 'Unknown', activity: { x: 1 } as unknown as string }]) {
      const v = presenceView(bad, NOW);
      assert.equal(v.kind, 'unknown');
      assert.equal(v.words, 'Unknown');
    }
    assert.equal(presenceView({ availability: 'Busy', activity: 'toString' }, NOW).detail, 'toString');
    assert.ok(presenceView({ availability: 'Busy', activity: 'x'.repeat(10_000) }, NOW).detail.length <= 120);
  });
});

describe('presenceAges: the words that are drawn again each minute', () => {
  it('only Away-like presences whose detail is the time since lastActive', () => {
    assert.equal(presenceAges({ availability: 'Away', lastActive: NOW - 20 * 60_000 }), true);
    assert.equal(presenceAges({ availability: 'BeRightBack', activity: '', lastActive: NOW }), true);
    assert.equal(presenceAges({ availability: 'Away', activity: 'off-work', lastActive: NOW }), false, 'its own words do not age');
    assert.equal(presenceAges({ availability: 'Away' }), false, 'no time, nothing to age');
    assert.equal(presenceAges({ availability: 'Busy', lastActive: NOW }), false);
    assert.equal(presenceAges({ availability: 'constructor', lastActive: NOW }), false, 'a hostile token is Unknown');
    assert.equal(presenceAges(null), false);
  });
});
