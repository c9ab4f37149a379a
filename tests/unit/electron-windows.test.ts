import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POPUP_SIZE, WINDOW_NAMES, popupPosition, secureWebPreferences, windowOptions, windowUrl } from '../../main/electron/windows.ts';

const preloadPath = '/app/out/preload/index.cjs';

test('every window: contextIsolation, sandbox, no node, webSecurity, no webview, the bundled preload', () => {
  for (const name of WINDOW_NAMES) {
    for (const platform of ['win32', 'darwin', 'linux'] as const) {
      const wp = windowOptions(name, { preloadPath, platform }).webPreferences;
      assert.deepEqual(wp, secureWebPreferences(preloadPath));
      assert.equal(wp?.contextIsolation, true);
      assert.equal(wp?.sandbox, true);
      assert.equal(wp?.nodeIntegration, false);
      assert.equal(wp?.nodeIntegrationInWorker, false);
      assert.equal(wp?.nodeIntegrationInSubFrames, false);
      assert.equal(wp?.webSecurity, true);
      assert.equal(wp?.allowRunningInsecureContent, false);
      assert.equal(wp?.webviewTag, false);
      assert.equal(wp?.experimentalFeatures, false);
      assert.equal(wp?.preload, preloadPath);
      assert.ok(!('enableBlinkFeatures' in (wp ?? {})));
    }
  }
});

test('popup: frameless, not in the taskbar, fixed size; windows start hidden', () => {
  const p = windowOptions('popup', { preloadPath, platform: 'win32' });
  assert.equal(p.frame, false);
  assert.equal(p.skipTaskbar, true);
  assert.equal(p.resizable, false);
  assert.equal(p.width, POPUP_SIZE.width);
  for (const name of WINDOW_NAMES) assert.equal(windowOptions(name, { preloadPath, platform: 'linux' }).show, false);
  assert.equal(windowOptions('history', { preloadPath, platform: 'linux' }).frame, undefined);
  assert.equal(windowOptions('history', { preloadPath, platform: 'linux', icon: '/i.png' }).icon, '/i.png');
  assert.equal(windowOptions('history', { preloadPath, platform: 'darwin', icon: '/i.png' }).icon, undefined);
});

test('window URLs are on the app:// origin with the view in ?window=', () => {
  assert.equal(windowUrl('history'), 'app://ui/index.html?window=history');
  assert.equal(windowUrl('popup'), 'app://ui/index.html?window=popup');
  assert.equal(windowUrl('signin'), 'app://ui/index.html?window=signin');
});

const size = { width: 380, height: 520 };
test('popup position: Windows taskbar at the bottom → above the tray icon, inside the work area', () => {
  const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
  const tray = { x: 1700, y: 1045, width: 24, height: 30 };
  const pos = popupPosition({ tray, workArea, size, platform: 'win32' });
  assert.equal(pos.y, 1040 - 520 - 8, 'just above the taskbar, inside the work area');
  assert.equal(pos.x, Math.round(1712 - 190));
  // Icon near the right edge: clamped inside the work area.
  const edge = popupPosition({ tray: { x: 1900, y: 1045, width: 20, height: 30 }, workArea, size, platform: 'win32' });
  assert.equal(edge.x, 1920 - 380 - 8);
});

test('popup position: macOS menu bar on top → below the icon', () => {
  const workArea = { x: 0, y: 25, width: 1440, height: 875 };
  const pos = popupPosition({ tray: { x: 1200, y: 0, width: 22, height: 24 }, workArea, size, platform: 'darwin' });
  assert.equal(pos.y, 25 + 8, 'just below the menu bar');
  assert.equal(pos.x, 1211 - 190);
});

test('popup position: taskbar on the left / right', () => {
  const left = popupPosition({ tray: { x: 10, y: 700, width: 24, height: 24 }, workArea: { x: 60, y: 0, width: 1860, height: 1080 }, size, platform: 'win32' });
  assert.equal(left.x, 60 + 8);
  assert.ok(left.x >= 60);
  const right = popupPosition({ tray: { x: 1880, y: 700, width: 24, height: 24 }, workArea: { x: 0, y: 0, width: 1860, height: 1080 }, size, platform: 'win32' });
  assert.equal(right.x, 1860 - 380 - 8);
  assert.equal(right.y, Math.round(712 - 260));
});

test('popup position: no tray bounds (Linux) → corner of the work area; multi-monitor offsets respected', () => {
  const wa = { x: 1920, y: 0, width: 1920, height: 1080 };
  assert.deepEqual(popupPosition({ tray: null, workArea: wa, size, platform: 'linux' }), { x: 1920 + 1920 - 380 - 8, y: 8 });
  assert.deepEqual(popupPosition({ tray: { x: 0, y: 0, width: 0, height: 0 }, workArea: wa, size, platform: 'win32' }), { x: 3452, y: 1080 - 520 - 8 });
  const inside = popupPosition({ tray: { x: 2500, y: 10, width: 24, height: 24 }, workArea: wa, size, platform: 'linux' });
  assert.equal(inside.y, 10 + 24 + 8);
  // A work area smaller than the popup never yields a position left/above of it.
  const tiny = popupPosition({ tray: null, workArea: { x: 0, y: 0, width: 300, height: 300 }, size, platform: 'linux' });
  assert.ok(Number.isFinite(tiny.x) && Number.isFinite(tiny.y));
});
