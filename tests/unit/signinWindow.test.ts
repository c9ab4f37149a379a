// Issue 12: the sign-in window can be resized (zoomed text needs room), never below a usable size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowOptions } from '../../main/electron/windows.ts';

test('the sign-in window is resizable with a sensible minimum size', () => {
  const o = windowOptions('signin', { preloadPath: '/p.cjs', platform: 'linux' });
  assert.notEqual(o.resizable, false);
  assert.ok((o.minWidth ?? 0) >= 300 && (o.minWidth ?? 0) <= (o.width ?? 0), `minWidth ${o.minWidth}`);
  assert.ok((o.minHeight ?? 0) >= 300 && (o.minHeight ?? 0) <= (o.height ?? 0), `minHeight ${o.minHeight}`);
});
