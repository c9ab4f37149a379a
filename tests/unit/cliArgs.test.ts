// CLI argument parsing and error wording (pure functions; no process, no network).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, normaliseSipArg } from '../../main/cli/args.ts';
import type { EarlyExit, ParsedArgs } from '../../main/cli/args.ts';
import { toErrorShape, errorLine, PLAIN_WORDS } from '../../main/cli/errors.ts';
import { AppError } from '../../main/core/app/types.ts';
import { StoreError } from '../../main/core/store/types.ts';
import { inviteeLine, invitationLine, renderSnippet, rosterLine, rosterName } from '../../main/cli/format.ts';

function ok(argv: string[]): ParsedArgs {
  const r = parseArgs(argv);
  if ('exit' in r) assert.fail(`expected a command for ${JSON.stringify(argv)}, got exit ${r.exit}: ${r.stderr}`);
  return r;
}
function early(argv: string[]): EarlyExit {
  const r = parseArgs(argv);
  if (!('exit' in r)) assert.fail(`expected an early exit for ${JSON.stringify(argv)}`);
  return r;
}

test('global options work before and after the command, and between its arguments', () => {
  const forms = [
    ['--json', '--user', 'alice@contoso.com', '--server', 'https://lyncdiscover.contoso.com/', 'history', '--limit', '5'],
    ['history', '--limit', '5', '--json', '--user', 'sip:Alice@Contoso.com', '--server', 'https://lyncdiscover.contoso.com/'],
    ['--json', 'history', '--user', 'alice@contoso.com', '--limit', '5', '--server', 'https://lyncdiscover.contoso.com/'],
  ];
  for (const argv of forms) {
    const r = ok(argv);
    assert.deepEqual(r.command, { name: 'history', limit: 5, filter: 'all', offline: false }, argv.join(' '));
    assert.equal(r.globals.json, true);
    assert.equal(r.globals.user, 'sip:alice@contoso.com');
    assert.equal(r.globals.server, 'https://lyncdiscover.contoso.com/');
    assert.equal(r.globals.timeout, 60);
  }
  assert.equal(ok(['--timeout', '5', 'send', 'bob@contoso.com', 'hi']).globals.timeout, 5);
  assert.equal(ok(['send', 'bob@contoso.com', 'hi', '--timeout', '7']).globals.timeout, 7);
  const d = ok(['transcript', '12', '--demo', '--data-dir', '/tmp/x', '--password-stdin', '--remember']);
  assert.deepEqual(d.globals, { passwordStdin: true, remember: true, json: false, demo: true, timeout: 60, dataDir: '/tmp/x' });
});

test('every command and its options', () => {
  assert.deepEqual(ok(['history', '--filter', 'missed', '--offline']).command, { name: 'history', limit: 20, filter: 'missed', offline: true });
  assert.deepEqual(ok(['transcript', '#42']).command, { name: 'transcript', id: 42, offline: false });
  assert.deepEqual(ok(['transcript', '42', '--limit', '3', '--offline']).command, { name: 'transcript', id: 42, limit: 3, offline: true });
  assert.deepEqual(ok(['continue', '7', 'back', 'again']).command, { name: 'continue', id: 7, text: 'back again' });
  assert.deepEqual(ok(['continue', '7', 'one argument with spaces']).command, { name: 'continue', id: 7, text: 'one argument with spaces' });
  assert.deepEqual(ok(['send', 'sip:bob@contoso.com', 'hi']).command, { name: 'send', to: ['sip:bob@contoso.com'], text: 'hi', subject: null });
  assert.deepEqual(ok(['listen']).command, { name: 'listen', accept: false, forSeconds: null });
  assert.deepEqual(ok(['listen', '--accept', '--for', '2.5']).command, { name: 'listen', accept: true, forSeconds: 2.5 });
  assert.deepEqual(ok(['search', 'déploiement', 'jeudi', '--limit', '3']).command, { name: 'search', text: 'déploiement jeudi', limit: 3, offline: false, sort: 'newest' });
  assert.equal(ok(['search', 'lunch', '--best']).command.name === 'search' && (ok(['search', 'lunch', '--best']).command as { sort: string }).sort, 'best');
  assert.deepEqual(ok(['demo', '--port', '5123', '--seed', 'x']).command, { name: 'demo', port: 5123, seed: 'x' });
  assert.deepEqual(ok(['forget', '--user', 'a@contoso.com']).command, { name: 'forget' });
});

test('contacts, presence, whois, watch', () => {
  assert.deepEqual(ok(['contacts']).command, { name: 'contacts', group: null, offline: false });
  assert.deepEqual(ok(['contacts', '--group', 'Favourites', '--offline', '--json']).command, { name: 'contacts', group: 'Favourites', offline: true });
  assert.deepEqual(ok(['presence']).command, { name: 'presence', availability: null, note: null, location: null });
  assert.deepEqual(ok(['presence', 'Do-Not-Disturb', '--note', 'Heads down']).command, { name: 'presence', availability: 'DoNotDisturb', note: 'Heads down', location: null });
  assert.deepEqual(ok(['presence', '--note', '']).command, { name: 'presence', availability: null, note: '', location: null });
  assert.deepEqual(ok(['presence', '--location', 'Building 4']).command, { name: 'presence', availability: null, note: null, location: 'Building 4' });
  assert.deepEqual(ok(['presence', 'busy', '--location', '']).command, { name: 'presence', availability: 'Busy', note: null, location: '' });
  for (const [word, value] of [['available', 'Online'], ['busy', 'Busy'], ['be-right-back', 'BeRightBack'], ['appear-away', 'Away'], ['off-work', 'Offwork'], ['reset', 'reset']] as const) {
    assert.deepEqual(ok(['presence', word]).command, { name: 'presence', availability: value, note: null, location: null }, word);
  }
  const bad = early(['presence', 'sleepy']);
  assert.equal(bad.exit, 2);
  assert.match(bad.stderr, /not a status/);
  assert.deepEqual(ok(['whois', 'Bob@Contoso.com']).command, { name: 'whois', sip: 'sip:bob@contoso.com' });
  assert.equal(early(['whois', 'not an address']).exit, 2);
  assert.deepEqual(ok(['watch']).command, { name: 'watch', forSeconds: null });
  assert.deepEqual(ok(['watch', '--for', '3', '--json']).command, { name: 'watch', forSeconds: 3 });
});

test('send: one address, or two and more for a group; the message is the last argument', () => {
  assert.deepEqual(ok(['send', 'Bob@Contoso.com', 'Hello there']).command, { name: 'send', to: ['sip:bob@contoso.com'], text: 'Hello there', subject: null });
  assert.deepEqual(ok(['send', 'bob@contoso.com', 'sip:carol@contoso.com', 'Hello, both']).command,
    { name: 'send', to: ['sip:bob@contoso.com', 'sip:carol@contoso.com'], text: 'Hello, both', subject: null });
  assert.deepEqual(ok(['send', 'bob@contoso.com', 'carol@contoso.com', 'dan@contoso.com', 'Standup?', '--subject', ' Planning ', '--json']).command,
    { name: 'send', to: ['sip:bob@contoso.com', 'sip:carol@contoso.com', 'sip:dan@contoso.com'], text: 'Standup?', subject: 'Planning' });
  assert.deepEqual(ok(['send', '--subject', 'Planning', 'bob@contoso.com', 'carol@contoso.com', 'Hi']).command,
    { name: 'send', to: ['sip:bob@contoso.com', 'sip:carol@contoso.com'], text: 'Hi', subject: 'Planning' }, 'options before the arguments');
  assert.deepEqual(ok(['send', 'bob@contoso.com', 'Bob@contoso.com', 'carol@contoso.com', 'Hi']).command,
    { name: 'send', to: ['sip:bob@contoso.com', 'sip:carol@contoso.com'], text: 'Hi', subject: null }, 'an address given twice counts once');
  assert.deepEqual(ok(['send', 'bob@contoso.com', 'carol@contoso.com', 'Hi', '--subject', '']).command,
    { name: 'send', to: ['sip:bob@contoso.com', 'sip:carol@contoso.com'], text: 'Hi', subject: null }, 'an empty subject is none');
  assert.deepEqual(ok(['send', 'bob@contoso.com', '--', '-5 degrees outside']).command, { name: 'send', to: ['sip:bob@contoso.com'], text: '-5 degrees outside', subject: null });
  assert.deepEqual(ok(['send', 'bob@contoso.com', 'write to carol@contoso.com']).command, { name: 'send', to: ['sip:bob@contoso.com'], text: 'write to carol@contoso.com', subject: null });
});

test('send: usage errors in words (no address, a bad one, no message), exit 2, one line; --json gets the error document too', () => {
  const cases: [string[], RegExp][] = [
    [['send'], /Say who to write to, then the message/],
    [['send', 'hello'], /"hello" is not a SIP address; say who to write to first/],
    [['send', 'bob@contoso.com'], /No message: it comes last, after the addresses/],
    [['send', 'bob@contoso.com', 'carol@contoso.com'], /No message: "carol@contoso.com" is an address/],
    [['send', 'bob@contoso.com', '   '], /The message is empty/],
    [['send', 'bob smith', 'hello'], /"bob smith" is not a SIP address \(like bob@contoso\.com\)\./],
    [['send', 'bob@contoso.com', 'carol@contoso', 'hi'], /"carol@contoso" is not a SIP address/],
    [['send', 'bob@contoso.com', 'hello', 'there'], /"hello" is not a SIP address .*put it in quotes/],
    [['send', 'bob@contoso.com', 'Hi', '--subject', 'Planning'], /--subject is for a group conversation: give two or more addresses/],
  ];
  for (const [argv, words] of cases) {
    const r = early(argv);
    assert.equal(r.exit, 2, argv.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^ucwa: /);
    assert.match(r.stderr, words, argv.join(' '));
    assert.equal(r.stdout, '', 'no document without --json');
  }
  const json = early(['send', 'bob smith', 'hello', '--json']);
  assert.equal(json.exit, 2);
  assert.deepEqual(JSON.parse(json.stdout), { ok: false, error: { code: 'invalidInput', message: '"bob smith" is not a SIP address (like bob@contoso.com).' } });
  const after = early(['--json', 'history', '--limit', '0']);
  assert.equal((JSON.parse(after.stdout) as { error: { code: string } }).error.code, 'invalidInput', 'any usage error, with --json anywhere');
  assert.equal(early(['send', 'bob smith', '--', '--json']).stdout, '', 'after --, "--json" is the message');
  assert.deepEqual(ok(['send', 'bob@contoso.com', '--', '--json']).command, { name: 'send', to: ['sip:bob@contoso.com'], text: '--json', subject: null });
});

test('add, participants, join, leave', () => {
  assert.deepEqual(ok(['add', '12', 'Carol@Contoso.com']).command, { name: 'add', id: 12, sips: ['sip:carol@contoso.com'], message: null });
  assert.deepEqual(ok(['add', '#12', 'carol@contoso.com', 'sip:dan@contoso.com', 'carol@contoso.com', '--json']).command, { name: 'add', id: 12, sips: ['sip:carol@contoso.com', 'sip:dan@contoso.com'], message: null });
  assert.deepEqual(ok(['add', '12', 'carol@contoso.com', '--message', 'Adding Carol']).command, { name: 'add', id: 12, sips: ['sip:carol@contoso.com'], message: 'Adding Carol' });
  assert.match(early(['add', '12', 'carol@contoso.com', '--message', ' ']).stderr, /^ucwa: The message is empty/);
  assert.match(early(['add', '12']).stderr, /^ucwa: Say who to add/);
  assert.match(early(['add', '12', 'carol']).stderr, /^ucwa: "carol" is not a SIP address/);
  assert.match(early(['add', 'twelve', 'carol@contoso.com']).stderr, /not a conversation id/);
  assert.match(early(['add']).stderr, /missing required argument 'id'/);

  assert.deepEqual(ok(['participants', '12']).command, { name: 'participants', id: 12, offline: false });
  assert.deepEqual(ok(['participants', '#12', '--offline']).command, { name: 'participants', id: 12, offline: true });
  assert.equal(early(['participants']).exit, 2);
  assert.equal(early(['participants', 'abc']).exit, 2);

  const url = 'https://meet.contoso.com/alice/ABC12345';
  assert.deepEqual(ok(['join', url]).command, { name: 'join', meeting: url });
  assert.deepEqual(ok(['join', ' http://127.0.0.1:5123/meet/alice/X1 ']).command, { name: 'join', meeting: 'http://127.0.0.1:5123/meet/alice/X1' });
  const uri = 'sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:ABC12345';
  assert.deepEqual(ok(['join', uri]).command, { name: 'join', meeting: uri }, 'the conference URI as it is (its id is case-sensitive)');
  for (const bad of ['ABC12345', 'ftp://meet.contoso.com/x', 'sip:alice@contoso.com', 'meet.contoso.com/alice']) {
    const r = early(['join', bad]);
    assert.equal(r.exit, 2, bad);
    assert.match(r.stderr, /is not a meeting link/, bad);
  }
  assert.equal(early(['join']).exit, 2);

  assert.deepEqual(ok(['leave', '#7']).command, { name: 'leave', id: 7 });
  assert.equal(early(['leave']).exit, 2);
  assert.equal(early(['leave', '0']).exit, 2);
});

test('simulator: everything after the command belongs to the simulator CLI', () => {
  assert.deepEqual(ok(['simulator', '--port', '5000', '--control', '--json']).command, { name: 'simulator', argv: ['--port', '5000', '--control', '--json'] });
  const r = ok(['--data-dir', '/tmp/d', 'simulator', '--help']);
  assert.deepEqual(r.command, { name: 'simulator', argv: ['--help'] });
  assert.equal(r.globals.dataDir, '/tmp/d');
});

test('usage errors: exit 2 with one line; help and version: exit 0', () => {
  for (const argv of [
    ['history', '--filter', 'everything'], ['history', '--limit', '0'], ['transcript', 'abc'], ['transcript'],
    ['--user', 'not a sip', 'history'], ['--server', 'ftp://x', 'history'], ['bogus'], ['listen', '--for', '-1'], ['history', '--nope'],
    ['send', 'bob@contoso.com'],
  ]) {
    const r = early(argv);
    assert.equal(r.exit, 2, argv.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^ucwa: /);
  }
  const help = early(['--help']);
  assert.equal(help.exit, 0);
  assert.match(help.stdout, /Usage: ucwa/);
  for (const c of ['history', 'transcript', 'continue', 'send', 'add', 'participants', 'join', 'leave', 'listen', 'search', 'demo', 'simulator']) assert.match(help.stdout, new RegExp(`\\b${c}\\b`));
  assert.match(early(['history', '--help']).stdout, /--offline/);
  assert.equal(early(['--version']).exit, 0);
});

test('SIP addresses: with or without sip:, case-insensitive; junk refused', () => {
  assert.equal(normaliseSipArg('Bob@Contoso.com'), 'sip:bob@contoso.com');
  assert.equal(normaliseSipArg(' sip:bob@contoso.com '), 'sip:bob@contoso.com');
  for (const bad of ['bob', 'bob@', '@contoso.com', 'bob@contoso', 'bob smith@contoso.com', 'sip:', 'bob@contoso.com;x=1', 'a@b@c.com']) {
    assert.equal(normaliseSipArg(bad), null, bad);
  }
});

test('errors become one plain line (AppError codes, store, network, anything)', () => {
  assert.deepEqual(toErrorShape(new AppError({ code: 'wrongPassword', message: '' })), { code: 'wrongPassword', message: PLAIN_WORDS.wrongPassword });
  const withDetails = toErrorShape(new AppError({ code: 'continueTooManyGroups', message: 'Too many groups.\nsecond line', status: 409, ucwaCode: 'Conflict', subcode: 'TooManyGroups' }));
  assert.deepEqual(withDetails, { code: 'continueTooManyGroups', message: 'Too many groups.', status: 409, ucwaCode: 'Conflict', subcode: 'TooManyGroups' });
  assert.equal(toErrorShape({ code: 'network', message: 'offline' }).code, 'network', 'AppError-shaped objects from another realm');
  assert.equal(toErrorShape(new StoreError('corrupt', 'file is not a database')).code, 'storage');
  assert.equal(toErrorShape(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })).code, 'network');
  const odd = toErrorShape(new Error('boom\n    at x (y.ts:1:1)'));
  assert.equal(odd.code, 'internal');
  assert.ok(!odd.message.includes('\n') && !odd.message.includes(' at x'));
  assert.equal(errorLine({ code: 'notFound', message: 'No conversation #9.' }), 'ucwa: No conversation #9.');
  for (const words of Object.values(PLAIN_WORDS)) assert.ok(!words.includes('\n'));
});

test('search snippets: marks become bold on a terminal and brackets elsewhere', () => {
  assert.equal(renderSnippet('a \uE000b\uE001 c', false), 'a [b] c');
  assert.equal(renderSnippet('a \uE000b\uE001 c', true), 'a \u001b[1mb\u001b[22m c');
});

test('group lines: names with addresses, phones, anonymous people; invitations; answers', () => {
  assert.equal(rosterName('Carol Jones', 'sip:carol@contoso.com'), 'Carol Jones <carol@contoso.com>');
  assert.equal(rosterName('', 'sip:carol@contoso.com'), 'carol@contoso.com');
  assert.equal(rosterName('carol@contoso.com', 'sip:carol@contoso.com'), 'carol@contoso.com', 'no name: the address once');
  assert.equal(rosterName('', 'tel:+14255550100'), '+14255550100 (phone)');
  assert.equal(rosterName('Guest', null), 'Guest');
  assert.equal(rosterName('', null), '(someone)');
  assert.equal(rosterLine({ uri: 'sip:bob@contoso.com', name: 'Bob', role: 'Leader', inIm: false, phone: false }), '  Leader    Bob <bob@contoso.com>  (in the meeting, not in the chat)');
  const inv = { id: 'i', conversationId: 3, direction: 'Incoming' as const, state: 'ringing' as const, from: { sip: 'sip:bob@contoso.com', name: 'Bob' }, text: null, subject: '', unsupported: false, group: true, others: [], error: null };
  assert.match(invitationLine(inv), /#3 Bob <bob@contoso\.com> invites you to a group conversation$/);
  assert.match(invitationLine({ ...inv, group: false }), /wants to chat$/);
  assert.equal(inviteeLine({ uri: 'sip:dan@contoso.com', name: 'Dan', state: 'failed', error: null }, 60), 'Dan <dan@contoso.com> did not join.');
  assert.equal(inviteeLine({ uri: 'sip:dan@contoso.com', name: '', state: 'noAnswer', error: null }, 60), 'dan@contoso.com did not answer within --timeout (60 s).');
});

test('sign-in options: --login (inner spaces kept, control characters refused), --client-id, --authority (https)', () => {
  const ok = parseArgs(['--user', 'jd@contoso.com', '--login', ' CONTOSO\\John Smith ', '--client-id', '1b730954-1685-4b74-9bfd-dac224a7b894', '--authority', 'https://sts.contoso.com/adfs/', 'history']);
  assert.ok(!('exit' in ok));
  assert.equal(ok.globals.login, 'CONTOSO\\John Smith');
  assert.equal(ok.globals.clientId, '1b730954-1685-4b74-9bfd-dac224a7b894');
  assert.equal(ok.globals.authority, 'https://sts.contoso.com/adfs');
  for (const bad of [['--login', 'a\u0007b'], ['--client-id', 'x y'], ['--authority', 'http://sts.contoso.com/adfs'], ['--authority', 'not a url']]) {
    const r = parseArgs(['--user', 'jd@contoso.com', ...bad, 'history']);
    assert.ok('exit' in r && r.exit === 2, `${bad.join(' ')} is a usage error`);
  }
});
