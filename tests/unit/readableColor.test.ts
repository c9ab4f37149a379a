// A sender's colour on this window's bubble: kept when it reads, moved toward the theme's text
// colour only as far as WCAG AA (4.5:1) needs when it does not (dark red on the dark bubble).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrast, readable } from '../../renderer/readableColor.ts';

const darkBubble: [number, number, number] = [43, 45, 49];
const lightText: [number, number, number] = [230, 230, 230];
const white: [number, number, number] = [255, 255, 255];
const black: [number, number, number] = [20, 20, 20];

test('a readable colour is kept as the sender chose it', () => {
  assert.equal(readable([204, 0, 0], white, black), null); // #c00 on white: 5.9:1
  assert.ok(contrast([204, 0, 0], white) >= 4.5);
});

test('dark red on the dark bubble becomes a lighter red that reads at 4.5:1', () => {
  const red: [number, number, number] = [204, 0, 0];
  assert.ok(contrast(red, darkBubble) < 4.5, 'the case is real');
  const fixed = readable(red, darkBubble, lightText);
  assert.ok(fixed, 'changed');
  assert.ok(contrast(fixed, darkBubble) >= 4.5, `contrast ${contrast(fixed, darkBubble)}`);
  // Still red: the red channel stays the strongest.
  assert.ok(fixed[0] > fixed[1] && fixed[0] > fixed[2], `still red: ${fixed.join(',')}`);
  assert.notDeepEqual(fixed, lightText, 'not simply replaced by the text colour');
});

test('a colour equal to the background falls back to the theme text colour at worst', () => {
  const fixed = readable(darkBubble, darkBubble, lightText);
  assert.ok(fixed && contrast(fixed, darkBubble) >= 4.5);
});
