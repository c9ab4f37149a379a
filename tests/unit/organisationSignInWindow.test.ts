// The organisation's sign-in window (AD FS, issue 15): navigation limited to the pool and the identity
// provider the pool sends the user to (learnt from that first redirect only), done when the page is
// back on the pool's PassiveAuth address, cancelled in words when the user closes it. The window is a
// scripted stand-in for a BrowserWindow (the real one runs in tests/e2e-emulated/enterpriseSignIn.scenarios.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { navigationPolicy, organisationSignIn, isOrganisationSignIn, type SignInWindowLike } from '../../main/electron/signInWindow.ts';
import { SignInError } from '../../main/core/ucwa/errors.ts';

class FakeWindow extends EventEmitter {
  readonly webContents = Object.assign(new EventEmitter(), { setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' }) => { this.openHandler = h; } });
  openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
  destroyed = false;
  loaded: string[] = [];
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
  /** A navigation or redirect; returns whether it was let through. */
  go(kind: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.webContents.emit(kind, { preventDefault: () => { prevented = true; } }, url);
    return !prevented;
  }
  arrive(url: string): void {
    this.webContents.emit('did-navigate', {}, url);
  }
}

const START = 'https://lyncweb.contoso.com/PassiveAuth/PassiveAuth.aspx';

function open(): { win: FakeWindow; done: Promise<void>; logs: string[]; opts: { partition: string; title: string }[] } {
  const win = new FakeWindow();
  const logs: string[] = [];
  const opts: { partition: string; title: string }[] = [];
  const done = organisationSignIn({ openSignInWindow: (o) => { opts.push(o); return win as unknown as SignInWindowLike; }, log: (l) => logs.push(l) }, { startUrl: START, partition: 'p1' });
  return { win, done, logs, opts };
}

test('the pool, then the identity provider it redirects to; nothing else; done back on PassiveAuth', async () => {
  const { win, done, logs, opts } = open();
  assert.deepEqual(opts, [{ partition: 'p1', title: 'Sign in to your organisation' }]);
  assert.deepEqual(win.loaded, [START]);
  assert.ok(isOrganisationSignIn(win.webContents), 'the global navigation lock leaves it to this module');
  assert.equal(win.go('will-redirect', 'https://sts.contoso.com/adfs/ls/?wa=wsignin1.0'), true, 'the pool\'s redirect names the identity provider');
  win.arrive('https://sts.contoso.com/adfs/ls/?wa=wsignin1.0');
  assert.equal(win.go('will-navigate', 'https://sts.contoso.com/adfs/ls/mfa'), true, 'MFA step on the identity provider');
  assert.equal(win.go('will-navigate', 'https://evil.example/phish'), false, 'a link elsewhere is stopped');
  assert.equal(win.go('will-redirect', 'https://evil.example/x'), false, 'a later redirect teaches nothing');
  assert.equal(win.go('will-navigate', 'http://sts.contoso.com/adfs/ls/'), false, 'never plain http');
  assert.deepEqual(win.openHandler?.({ url: 'https://sts.contoso.com/help' }), { action: 'deny' }, 'no pop-ups');
  assert.ok(logs.some((l) => /stopped/.test(l)));
  assert.equal(win.go('will-navigate', START), true, 'the post-back to the pool');
  win.arrive(START);
  await done;
  assert.equal(win.destroyed, true, 'closed once signed in');
});

test('closing the window is cancelled, in words; an aborted sign-in closes it', async () => {
  const { win, done } = open();
  win.close();
  await assert.rejects(done, (e: unknown) => e instanceof SignInError && e.code === 'signInCancelled' && /closed your organisation/.test(e.message));
  const ac = new AbortController();
  const w2 = new FakeWindow();
  const p = organisationSignIn({ openSignInWindow: () => w2 as unknown as SignInWindowLike, log: () => undefined }, { startUrl: START, partition: 'p1', signal: ac.signal });
  ac.abort();
  await assert.rejects(p, (e: unknown) => e instanceof SignInError && e.code === 'signInCancelled');
  assert.equal(w2.destroyed, true);
});

test('navigationPolicy: loopback http only when sign-in began on this computer', () => {
  const local = navigationPolicy(new URL('http://127.0.0.1:5000/PassiveAuth/PassiveAuth.aspx'));
  assert.equal(local.allow('http://127.0.0.1:5000/adfs/ls/', false), true);
  assert.equal(local.allow('http://example.com/', true), false);
  const remote = navigationPolicy(new URL(START));
  assert.equal(remote.allow('http://127.0.0.1:5000/', true), false);
  assert.equal(remote.allow('not a url', true), false);
});
