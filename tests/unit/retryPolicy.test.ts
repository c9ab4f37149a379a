// The outbox's table of what a failure means (DESIGN-2 §2): retried by itself, or refused for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFailure, invitationFailureKind, retryDelay } from '../../main/core/app/retryPolicy.ts';
import { AppError } from '../../main/core/app/types.ts';
import { NetworkError, UcwaError } from '../../main/core/ucwa/errors.ts';

const ucwa = (status: number, subcode?: string, retryAfter?: number) =>
  new UcwaError({ status, code: 'X', ...(subcode ? { subcode } : {}), message: 'm', url: 'http://x/', ...(retryAfter !== undefined ? { retryAfter } : {}) });

test('transient: network, timeouts, 5xx, 429, 401, 409 AlreadyExists — retried without the user', () => {
  for (const err of [new NetworkError('network', 'u', 'refused'), new NetworkError('timeout', 'u', 'slow'), ucwa(500), ucwa(502), ucwa(503), ucwa(504), ucwa(429), ucwa(401), ucwa(409, 'AlreadyExists')]) {
    assert.equal(classifyFailure(err).kind, 'transient', String(err));
  }
  assert.equal(classifyFailure(new AppError({ code: 'network', message: 'x' })).kind, 'transient');
  assert.equal(classifyFailure(new AppError({ code: 'poolUnavailable', message: 'x' })).kind, 'transient');
});

test('a gone application and a lost callback channel have their own remedies', () => {
  assert.equal(classifyFailure(ucwa(404, 'ApplicationNotFound')).kind, 'applicationGone');
  assert.equal(classifyFailure(ucwa(410, 'InactiveApplicationExpired')).kind, 'applicationGone');
  assert.equal(classifyFailure(ucwa(500, 'CallbackChannelError')).kind, 'callbackChannel');
});

test('permanent: refused for good — TooManyGroups, 409 None, CannotRedirect, 403, 400, 501, bugs', () => {
  for (const err of [ucwa(409, 'TooManyGroups'), ucwa(409, 'None'), ucwa(410, 'CannotRedirect'), ucwa(403), ucwa(400), ucwa(501), new Error('bug')]) {
    assert.equal(classifyFailure(err).kind, 'permanent', String(err));
  }
  assert.equal(classifyFailure(new AppError({ code: 'invalidInput', message: 'x' })).kind, 'permanent');
});

test('Retry-After is carried and never undercut by the jittered backoff', () => {
  const f = classifyFailure(ucwa(503, undefined, 7));
  assert.equal(f.retryAfterMs, 7000);
  const d = retryDelay(0, { baseMs: 1000, maxMs: 60_000, random: () => 0, retryAfterMs: f.retryAfterMs });
  assert.equal(d, 7000);
  // Through an AppError whose cause is the UcwaError, too.
  const wrapped = new AppError({ code: 'poolUnavailable', message: 'x' }, { cause: ucwa(503, undefined, 3) });
  assert.equal(classifyFailure(wrapped).retryAfterMs, 3000);
});

test('backoff grows with full jitter up to the cap', () => {
  const at = (n: number) => retryDelay(n, { baseMs: 1000, maxMs: 60_000, random: () => 0.999 });
  assert.ok(at(0) <= 1000 && at(1) <= 2000 && at(5) <= 32_000);
  assert.ok(at(20) <= 60_000 && at(20) > 59_000);
});

test('an invitation that was declined or found nobody is an answer; one nobody answered is not', () => {
  assert.equal(invitationFailureKind({ code: 'RemoteFailure', subcode: 'Declined' }), 'permanent');
  assert.equal(invitationFailureKind({ code: 'NotFound', subcode: 'UserNotFound' }), 'permanent');
  assert.equal(invitationFailureKind({ code: 'RemoteFailure', subcode: 'Timeout' }), 'transient');
  assert.equal(invitationFailureKind({ code: 'Reset', message: 'The connection to the server was reset.' }), 'transient');
  assert.equal(invitationFailureKind(null), 'transient');
});
