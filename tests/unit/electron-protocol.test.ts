import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, contentSecurityPolicy, resolveAppRequest } from '../../main/electron/appProtocol.ts';

const root = resolve('/srv/app/out/renderer');

test('CSP: exactly the strict policy', () => {
  assert.equal(
    contentSecurityPolicy(),
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  assert.ok(!contentSecurityPolicy().includes('unsafe'));
});

test('scheme is standard and secure, not CSP-bypassing', () => {
  assert.equal(APP_ORIGIN, 'app://ui');
  assert.equal(APP_SCHEME_PRIVILEGES.privileges.standard, true);
  assert.equal(APP_SCHEME_PRIVILEGES.privileges.secure, true);
  assert.equal(APP_SCHEME_PRIVILEGES.privileges.bypassCSP, false);
});

test('serves files from out/renderer with the CSP header and the right type', () => {
  const r = resolveAppRequest('app://ui/index.html?window=popup', root);
  assert.ok(r.ok);
  assert.equal(r.file, join(root, 'index.html'));
  assert.equal(r.headers['Content-Type'], 'text/html; charset=utf-8');
  assert.equal(r.headers['Content-Security-Policy'], contentSecurityPolicy());
  assert.equal(r.headers['X-Content-Type-Options'], 'nosniff');
  const js = resolveAppRequest('app://ui/app.js', root);
  assert.ok(js.ok && js.headers['Content-Type']?.startsWith('text/javascript'));
  const nested = resolveAppRequest('app://ui/assets/logo.svg', root);
  assert.ok(nested.ok && nested.file === join(root, 'assets', 'logo.svg'));
  const slash = resolveAppRequest('app://ui/', root);
  assert.ok(slash.ok && slash.file === join(root, 'index.html'));
});

test('refuses path traversal, other origins, odd methods and unknown types', () => {
  // The URL parser already folds literal dot segments: whatever it yields stays under the root.
  for (const url of ['app://ui/../main/index.js', 'app://ui/a/../../../etc/passwd', 'app://ui/%2e%2e/main/index.js', 'app://ui/assets/%2e%2e/%2e%2e/secret.html', 'app://ui/./index.html']) {
    const r = resolveAppRequest(url, root);
    assert.ok(!r.ok || r.file.startsWith(root + '/'), url);
  }
  for (const url of [
    'app://ui/..%2f..%2fetc%2fpasswd', 'app://ui/assets%2f..%2f..%2fmain.js', 'app://ui/%5c..%5cmain.js', 'app://ui/a%00.html', 'app://ui/%2E%2E%2Fx.html',
  ]) {
    const r = resolveAppRequest(url, root);
    assert.equal(r.ok, false, url);
    assert.ok(!r.ok && (r.status === 403 || r.status === 400), url);
  }
  for (const url of ['app://evil/index.html', 'file:///etc/passwd', 'https://ui/index.html', 'not a url']) {
    assert.equal(resolveAppRequest(url, root).ok, false, url);
  }
  assert.deepEqual(resolveAppRequest('app://ui/index.html', root, 'POST'), { ok: false, status: 405, reason: 'method POST' });
  assert.equal(resolveAppRequest('app://ui/x.exe', root).ok, false);
  assert.equal(resolveAppRequest('app://ui/%E0%A4%A.html', root).ok, false);
});
