import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emojify } from '../../renderer/emoticons.ts';

test('free-standing emoticons become emoji', () => {
  assert.equal(emojify(':) hi :D ;) :( :P <3'), '🙂 hi 😀 😉 🙁 😛 ❤️');
  assert.equal(emojify('Great :)!'), 'Great 🙂!');
  assert.equal(emojify('(see :-))'), '(see 🙂)');
});

test('not inside words, URLs or code', () => {
  assert.equal(emojify('abc:)def'), 'abc:)def');
  assert.equal(emojify('a:Dx'), 'a:Dx');
  assert.equal(emojify('http://x.com/a:)b'), 'http://x.com/a:)b');
  assert.equal(emojify('run `echo :)` now :)'), 'run `echo :)` now 🙂');
  assert.equal(emojify('12:30'), '12:30');
  assert.equal(emojify('std::P'), 'std::P');
});

test('linear on hostile input', () => {
  const s = ':'.repeat(200_000) + ')';
  const t0 = performance.now();
  emojify(s);
  assert.ok(performance.now() - t0 < 500);
});
