import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSender } from '../../main/electron/ipcGuard.ts';

test('only the main frame of an app://ui page may call', () => {
  assert.deepEqual(checkSender({ frameUrl: 'app://ui/index.html?window=popup', isMainFrame: true }), { ok: true });
  assert.deepEqual(checkSender({ frameUrl: 'app://ui/', isMainFrame: true }), { ok: true });
});

test('everything else is refused with a reason', () => {
  const cases: [string | null | undefined, boolean, RegExp][] = [
    ['app://ui/index.html', false, /main frame/],
    ['https://evil.example/index.html', true, /foreign origin https:\/\/evil.example/],
    ['file:///work/out/renderer/index.html', true, /foreign origin/],
    ['app://evil/index.html', true, /foreign origin app:\/\/evil/],
    ['app://ui.evil.com/index.html', true, /foreign origin/],
    ['app://ui:8080/index.html', true, /foreign origin/],
    ['http://ui/index.html', true, /foreign origin/],
    ['data:text/html,<script>1</script>', true, /foreign origin/],
    ['about:blank', true, /foreign origin/],
    ['devtools://devtools/bundled/inspector.html', true, /foreign origin/],
    ['not a url', true, /unparsable/],
    [null, true, /no sender frame/],
    [undefined, true, /no sender frame/],
    ['', true, /no sender frame/],
  ];
  for (const [frameUrl, isMainFrame, reason] of cases) {
    const r = checkSender({ frameUrl, isMainFrame });
    assert.equal(r.ok, false, String(frameUrl));
    assert.match(!r.ok ? r.reason : '', reason, String(frameUrl));
  }
});
