// What the server's report of your own presence means for the session (main/core/app/sessionPresence.ts):
// the availability shown, and whether the report is the user's choice (kept over a recreate, the
// only Available that idle decays).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availabilityFromServer, isChosen } from '../../main/core/app/sessionPresence.ts';

/** What the session does with a report: the availability, and whether it becomes the choice. */
function read(token: string, activity: string): { a: ReturnType<typeof availabilityFromServer>; chosen: boolean | null } {
  const a = availabilityFromServer(token, activity);
  return { a, chosen: a ? isChosen(token, activity, a) : null };
}

describe('availabilityFromServer', () => {
  it('Off work is the activity, whatever availability the server reads it back with (PROTOCOL-2 §1.3)', () => {
    // The reference sample: {"activity":"Off Work","availability":"Online"}.
    assert.equal(availabilityFromServer('Online', 'Off Work'), 'Offwork');
    assert.equal(availabilityFromServer('Online', 'off-work'), 'Offwork');
    // The simulator's contact view, and other servers.
    assert.equal(availabilityFromServer('Away', 'off-work'), 'Offwork');
    assert.equal(availabilityFromServer('Away', 'Off Work'), 'Offwork');
    assert.equal(availabilityFromServer('Busy', 'OFF-WORK'), 'Offwork');
    assert.equal(availabilityFromServer('IdleOnline', '  off work '), 'Offwork');
    assert.equal(availabilityFromServer('online', 'Offwork'), 'Offwork');
    // Echoed as a token.
    assert.equal(availabilityFromServer('Offwork', ''), 'Offwork');
    assert.equal(availabilityFromServer(' offwork ', 'Available'), 'Offwork');
  });

  it('the other availabilities as the tray shows them; Offline and unknown tokens say nothing', () => {
    assert.equal(availabilityFromServer('Online', 'Available'), 'Online');
    assert.equal(availabilityFromServer('Online', ''), 'Online');
    assert.equal(availabilityFromServer('Busy', 'in-a-meeting'), 'Busy');
    assert.equal(availabilityFromServer('DoNotDisturb', 'presenting'), 'DoNotDisturb');
    assert.equal(availabilityFromServer('BeRightBack', ''), 'BeRightBack');
    assert.equal(availabilityFromServer('Away', 'Away'), 'Away');
    assert.equal(availabilityFromServer('IdleOnline', 'Inactive'), 'Away');
    assert.equal(availabilityFromServer('IdleBusy', 'in-a-call'), 'Busy');
    assert.equal(availabilityFromServer('Offline', ''), null);
    assert.equal(availabilityFromServer('Sleeping', ''), null);
    // "Off" alone, or a word that merely contains it, is not Off work.
    assert.equal(availabilityFromServer('Away', 'Off'), 'Away');
    assert.equal(availabilityFromServer('Online', 'Off work soon'), 'Online');
  });
});

describe('isChosen', () => {
  it('Online with Off Work (the reference) is Off work, and the user chose it', () => {
    assert.deepEqual(read('Online', 'Off Work'), { a: 'Offwork', chosen: true });
    assert.deepEqual(read('Away', 'off-work'), { a: 'Offwork', chosen: true });
  });

  it('a Busy or Do not disturb the server set for a meeting, a call or a presentation is shown, not chosen', () => {
    for (const activity of ['in-a-meeting', 'in-a-call', 'on-the-phone', 'in-a-conference', 'presenting', 'urgent-interruptions-only']) {
      assert.deepEqual(read('Busy', activity), { a: 'Busy', chosen: false }, `Busy, ${activity}`);
      assert.deepEqual(read('DoNotDisturb', activity), { a: 'DoNotDisturb', chosen: false }, `DoNotDisturb, ${activity}`);
    }
    // Case, spaces and hyphens apart (a localised display string instead of the token).
    assert.deepEqual(read('Busy', 'In a meeting'), { a: 'Busy', chosen: false });
    assert.deepEqual(read('Busy', ' IN-A-CALL '), { a: 'Busy', chosen: false });
    assert.deepEqual(read('DoNotDisturb', 'Urgent interruptions only'), { a: 'DoNotDisturb', chosen: false });
    assert.deepEqual(read('busy', 'On the phone'), { a: 'Busy', chosen: false });
  });

  it('a Busy, Do not disturb or Be right back with no activity, its own name or a custom one is chosen', () => {
    assert.deepEqual(read('Busy', ''), { a: 'Busy', chosen: true });
    assert.deepEqual(read('Busy', 'Busy'), { a: 'Busy', chosen: true });
    assert.deepEqual(read('Busy', 'Heads down'), { a: 'Busy', chosen: true }, 'custom presence from the desktop client');
    assert.deepEqual(read('DoNotDisturb', ''), { a: 'DoNotDisturb', chosen: true });
    assert.deepEqual(read('DoNotDisturb', 'Do not disturb'), { a: 'DoNotDisturb', chosen: true });
    assert.deepEqual(read('BeRightBack', 'Be right back'), { a: 'BeRightBack', chosen: true });
    assert.deepEqual(read('Online', 'Available'), { a: 'Online', chosen: true });
  });

  it("the server's idle and Away leave the choice as it was", () => {
    assert.deepEqual(read('IdleOnline', 'Inactive'), { a: 'Away', chosen: false });
    assert.deepEqual(read('IdleBusy', 'Inactive'), { a: 'Busy', chosen: false });
    assert.deepEqual(read('IdleBusy', 'in-a-meeting'), { a: 'Busy', chosen: false });
    assert.deepEqual(read('Away', 'Away'), { a: 'Away', chosen: false });
  });
});
