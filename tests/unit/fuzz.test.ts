// The quick subset of the fuzz (issue 11, part 6; the full run is `npm run fuzz`): the same
// generators and checks on a few thousand parser inputs and a few hundred service bodies, a
// fixed seed so a failure here replays with `npm run fuzz -- --seed 11 --replay kind:index`.
// Also: the harness itself can fail (a crash, a violation, a logged built-in error are counted),
// the corpus it mutates is valid, and the crashes the fuzz found stay fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, emptyResult, generate, runOne, runRange, type KindResult } from '../fuzz/engine.ts';
import { quickPlan, SERVICE_QUICK } from '../fuzz/plan.ts';
import { runService, builtinErrorIn } from '../fuzz/service.ts';
import { targets, Violation, type Target } from '../fuzz/targets.ts';
import { shapes } from '../fuzz/corpus.ts';
import { QUICK_SIZES } from '../fuzz/arb/values.ts';
import { parseBatch } from '../../main/core/ucwa/events.ts';
import { BadResponseError } from '../../main/core/ucwa/errors.ts';
import { lastSegment } from '../../main/core/ucwa/links.ts';
import { decodeDataUrl, encodeDataUrl } from '../../main/core/ucwa/dataUrl.ts';
import { parseConversationLog, parseMessage, personFromSip } from '../../main/core/ucwa/resources.ts';

const SEED = 11;

function explain(r: KindResult): string {
  return r.findings.map((f) => `\n  [${f.what}] ${f.kind}:${f.index} ${f.message}\n    ${f.stack?.split('\n').slice(1, 4).join('\n    ') ?? ''}\n    input: ${f.input.slice(0, 400)}`).join('');
}

test('quick fuzz of the parsers: no crash, no violation, on every kind of input', async () => {
  const byKind = new Map(targets(QUICK_SIZES).map((t) => [t.kind, t]));
  for (const { kind, count } of quickPlan()) {
    const target = byKind.get(kind);
    assert.ok(target, `a target for ${kind}`);
    const r = await runRange(target, SEED, 0, count, 1);
    assert.equal(r.inputs, count);
    assert.equal(r.crashes, 0, `${kind}: ${r.crashes} crashes (replay: npm run fuzz -- --seed ${SEED} --replay ${kind}:<index>)${explain(r)}`);
    assert.deepEqual(r.violations, {}, `${kind}: violations${explain(r)}`);
  }
});

test('quick fuzz of the service: generated bodies from a hostile pool, no crash, no rejection, no token off its origin, no hang', async () => {
  const r = await runService({ seed: SEED, sizes: SERVICE_QUICK.sizes, inputs: SERVICE_QUICK.inputs, maxSeconds: SERVICE_QUICK.maxSeconds, hangMs: 10_000 });
  const why = r.findings.map((f) => `\n  [${f.what}] ${f.message}\n    ${f.stack?.split('\n').slice(0, 3).join('\n    ') ?? ''}\n    last body: ${f.input.slice(0, 300)}`).join('');
  assert.equal(r.crashes, 0, `crashes${why}`);
  assert.equal(r.unhandledRejections, 0, `unhandled rejections${why}`);
  assert.equal(r.offOrigin, 0, `requests with the token off its origin${why}`);
  assert.equal(r.hangs, 0, `hangs${why}`);
  // It really ran: signed in, was fed batches and resources, and the store was read back.
  assert.ok(r.signIns >= 1 && r.totalInputs >= 100, `only ${r.totalInputs} bodies served`);
  assert.ok((r.inputs.batch ?? 0) > 0, 'event batches were served');
});

test('the harness counts what it must: a crash, a documented error (not a crash), a violation', async () => {
  const arb = fc.integer({ min: 0, max: 3 });
  const target: Target = {
    kind: 'selftest', arb, allowed: [BadResponseError],
    run(v) {
      if (v === 0) throw new TypeError('boom');
      if (v === 1) throw new BadResponseError('malformed', 'fine');
      if (v === 2) throw new Violation('offOrigin', 'leak');
    },
  };
  const r = emptyResult('selftest');
  const seen = new Set<unknown>();
  for (let i = 0; seen.size < 4 && i < 200; i++) {
    seen.add(generate(target, 1, i));
    await runOne(target, 1, i, r);
  }
  assert.equal(seen.size, 4, 'every value was generated');
  assert.ok(r.crashes > 0, 'the TypeError counts as a crash');
  assert.ok((r.violations.offOrigin ?? 0) > 0, 'the Violation is counted');
  const crash = r.findings.find((f) => f.what === 'crash');
  assert.ok(crash && crash.message.includes('TypeError: boom') && crash.input === '0', 'the finding names the error and the input');
  assert.equal(r.findings.filter((f) => f.what === 'crash').length <= 5, true);
  assert.ok(!r.findings.some((f) => f.message.includes('fine')), 'a documented error is no finding');
});

test('an input is named by seed, kind and index alone: regenerated identically, independent of the others', () => {
  for (const t of targets(QUICK_SIZES)) {
    const a = describe(generate(t, 5, 123), 1e6).text;
    assert.equal(describe(generate(t, 5, 123), 1e6).text, a, t.kind);
    const others = [describe(generate(t, 6, 123), 1e6).text, describe(generate(t, 5, 124), 1e6).text];
    assert.ok(others.some((x) => x !== a), `${t.kind}: another seed or index gives another input`);
  }
});

test('a built-in error the service caught and logged counts as a crash; network failures do not', () => {
  assert.ok(builtinErrorIn('event message completed failed: URI malformed'));
  assert.ok(builtinErrorIn("sync: log /x failed: Cannot read properties of undefined (reading 'href')"));
  assert.ok(builtinErrorIn('event batch processing failed: AppError internal ← RangeError at parse (x.ts:1:2)'));
  assert.ok(!builtinErrorIn('GET message failed: NetworkError network at http://127.0.0.1/x ← TypeError at fetch'));
  assert.ok(!builtinErrorIn('GET http://127.0.0.1/x failed: Cannot convert argument to a ByteString'));
  assert.ok(!builtinErrorIn('event channel paused (transient): BadResponseError malformed'));
});

test('the corpus the fuzz mutates is the simulator\'s valid shapes', () => {
  const s = shapes();
  assert.ok((s.embedded.message?.length ?? 0) > 0, 'recorded messages');
  let events = 0;
  for (const b of s.batch) events += parseBatch(b).events.length;
  assert.ok(events > 10, `recorded batches parse into events (${events})`);
  assert.ok(s.challenges.some((c) => /MsRtcOAuth/.test(c)));
});

// --- crashes the fuzz found (each failed before its fix) ----------------------------------------

test('found by the fuzz: a malformed percent escape in an href is kept, not thrown (URIError)', () => {
  assert.equal(lastSegment('/ucwa/people/%zz'), '%zz');
  assert.equal(lastSegment('/ucwa/people/a%20b'), 'a b');
  const log = parseConversationLog('/logs/%E0%A4%A', { _links: { self: { href: '/logs/%E0%A4%A' } } }, personFromSip('sip:me@contoso.com'));
  assert.equal(log.input.logKey, '%E0%A4%A');
  const m = parseMessage('/m/1', { _links: { contact: { href: '/people/bob%@contoso.com' }, plainMessage: { href: 'data:,hi' } } });
  assert.equal(m.text, 'hi');
});

test('found by the fuzz: the user\'s text with a lone surrogate is sent with U+FFFD, not thrown (URIError)', () => {
  assert.equal(decodeDataUrl(encodeDataUrl('a\ud800b')).text, 'a\ufffdb');
  assert.equal(decodeDataUrl(encodeDataUrl('x\udfff')).text, 'x\ufffd');
  assert.equal(decodeDataUrl(encodeDataUrl('ok 😀')).text, 'ok 😀');
});
