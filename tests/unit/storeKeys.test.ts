// Pure helpers of the store: identity keys, cursors, and the user-text → FTS5 query builder.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, dedupeKey, encodeCursor, foldWord, ftsQuery, logKeyFromHref, MAX_SEARCH_TERMS, normalizeSip, searchWords } from '../../main/core/store/keys.ts';
import { databaseFileName } from '../../main/core/store/sqliteStore.ts';

describe('store keys', () => {
  it('a log key is the last path segment of its href, whatever the application id', () => {
    assert.equal(logKeyFromHref('/ucwa/oauth/v1/applications/111/communication/conversationLogs/AAMkAGI2%3D'), 'AAMkAGI2=');
    assert.equal(logKeyFromHref('https://pool.contoso.com/ucwa/oauth/v1/applications/222/communication/conversationLogs/AAMkAGI2%3D?x=1'), 'AAMkAGI2=');
    assert.equal(logKeyFromHref('/a/b/c/'), 'c');
  });

  it('SIP addresses are normalised to lower case with the sip: prefix', () => {
    assert.equal(normalizeSip('Alice@Contoso.com'), 'sip:alice@contoso.com');
    assert.equal(normalizeSip(' SIP:Bob@contoso.com '), 'sip:bob@contoso.com');
  });

  it('dedupe keys depend on thread, time, author and text, not on line endings', () => {
    const k = dedupeKey('t:1', 1000, 'sip:a@b', 'hello\nworld');
    assert.equal(k, dedupeKey('t:1', 1000, 'sip:a@b', 'hello\r\nworld '));
    assert.notEqual(k, dedupeKey('t:2', 1000, 'sip:a@b', 'hello\nworld'));
    assert.notEqual(k, dedupeKey('t:1', 1001, 'sip:a@b', 'hello\nworld'));
    assert.notEqual(k, dedupeKey('t:1', 1000, 'sip:c@b', 'hello\nworld'));
    assert.notEqual(k, dedupeKey('t:1', 1000, 'sip:a@b', 'hello world'));
  });

  it('cursors round-trip and reject anything else', () => {
    assert.deepEqual(decodeCursor(encodeCursor({ t: 1_700_000_000_000, i: 42 })), { t: 1_700_000_000_000, i: 42 });
    assert.equal(decodeCursor(null), null);
    assert.equal(decodeCursor(''), null);
    for (const bad of ['!!', 'e30', Buffer.from('[1,"x"]').toString('base64url'), Buffer.from('[1.5,2]').toString('base64url')]) {
      assert.throws(() => decodeCursor(bad));
    }
  });

  it('user text becomes quoted FTS5 words, ANDed, the last one a prefix', () => {
    assert.equal(ftsQuery('quarterly report'), '"quarterly" AND "report"*');
    assert.equal(ftsQuery('NEAR(a b) OR -c'), '"NEAR" AND "a" AND "b" AND "OR" AND "c"');
    assert.equal(ftsQuery('"unbalanced ( :col * ^x'), '"unbalanced" AND "col" AND "x"');
    assert.equal(ftsQuery('😀 🎉'), null);
    assert.equal(ftsQuery('   '), null);
    assert.equal(ftsQuery('https://example.com/Quarterly-Report'), '"https" AND "example" AND "com" AND "Quarterly" AND "Report"*');
    assert.deepEqual(searchWords('w '.repeat(10_000)), ['w'], 'a word twice is one word (an AND of it twice is only more work)');
    assert.equal(searchWords(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ')).length, MAX_SEARCH_TERMS);
    assert.deepEqual(searchWords('Report report RÉPORT rapport'), ['Report', 'rapport'], 'the same word folded');
    assert.equal(ftsQuery('meet', () => ['meet', 'meeting']), '("meet" OR "meeting")');
    assert.equal(ftsQuery('meet', () => null), '"meet"*');
  });

  it('words fold like the unicode61 tokenizer with remove_diacritics 2', () => {
    assert.equal(foldWord('Café'), 'cafe');
    assert.equal(foldWord('ÆSIR'), 'æsir');
  });

  it('database file names are readable, safe and distinct per account', () => {
    assert.match(databaseFileName('sip:Alice@Contoso.com'), /^alice@contoso\.com-[0-9a-f]{8}\.sqlite$/);
    assert.equal(databaseFileName('sip:alice@contoso.com'), databaseFileName('Alice@Contoso.com'));
    assert.doesNotMatch(databaseFileName('sip:../../x'), /[/\\]|^\./);
    assert.notEqual(databaseFileName('sip:a:b@x'), databaseFileName('sip:a_b@x'));
  });
});

it('previewOf: white space flattened however long its runs; at most PREVIEW_LENGTH characters', async () => {
  const { previewOf, PREVIEW_LENGTH } = await import('../../main/core/store/keys.ts');
  assert.equal(previewOf(`Status:${' '.repeat(1700)}the build\n\tis green`), 'Status: the build is green', 'words after a long run of spaces stay');
  assert.equal(previewOf('  a \u00a0\u2028 b  '), 'a b');
  const long = previewOf('word '.repeat(1000));
  assert.equal(long.length, PREVIEW_LENGTH);
  assert.ok(long.endsWith('…'));
  assert.equal(previewOf('x'.repeat(PREVIEW_LENGTH)), 'x'.repeat(PREVIEW_LENGTH), 'exactly full: no ellipsis');
});
