// The search ranking the SQLite store does outside FTS5 (main/core/store/searchRank.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bm25, idf, parseAverages, tokensOf, wordFrequencies, type QueryWord } from '../../main/core/store/searchRank.ts';

describe('searchRank', () => {
  it('reads the FTS5 averages record (SQLite varints: rows, then tokens)', () => {
    // 1 000 000 rows, 12 772 828 tokens: a record read from a benchmark database.
    assert.deepEqual(parseAverages(Buffer.from([0xbd, 0x84, 0x40, 0x86, 0x8b, 0xcb, 0x5c])), { rows: 1_000_000, tokens: 12_772_828 });
    assert.deepEqual(parseAverages(Buffer.from([0x03, 0x11])), { rows: 3, tokens: 17 });
    // nine-byte varint: the last byte counts all 8 bits
    assert.deepEqual(parseAverages(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0xff, 0x00])), { rows: 0x1ff, tokens: 0 });
    assert.equal(parseAverages(null), null);
    assert.equal(parseAverages(Buffer.alloc(0)), null);
    assert.equal(parseAverages(Buffer.from([0x85])), null, 'truncated');
    assert.equal(parseAverages(Buffer.from([0x05])), null, 'no token total');
  });

  it('tokens are folded like the unicode61 tokenizer does (case, diacritics, separators)', () => {
    assert.deepEqual(tokensOf('Café-Crème at https://Example.com/Q3!'), ['cafe', 'creme', 'at', 'https', 'example', 'com', 'q3']);
    assert.deepEqual(tokensOf('😀 … "" '), []);
  });

  it('counts a word\'s terms, or the tokens a prefix starts', () => {
    const words: QueryWord[] = [{ terms: ['budget'], prefix: null }, { terms: ['quarter', 'quarterly'], prefix: null }, { terms: null, prefix: 're' }];
    assert.deepEqual(wordFrequencies(tokensOf('Budget: quarterly budget, quarter review, report'), words), [2, 2, 2]);
  });

  it('idf: rarer is heavier, never zero or negative', () => {
    assert.ok(idf(1000, 1) > idf(1000, 100));
    assert.ok(idf(1000, 900) > 0);
    assert.ok(idf(1000, 5000) > 0, 'a stale count above the row count');
    assert.ok(idf(0, 0) > 0);
  });

  it('bm25: more occurrences, shorter text and rarer words score higher', () => {
    const words: QueryWord[] = [{ terms: ['alpha'], prefix: null }, { terms: ['omega'], prefix: null }];
    const idfs = [idf(1000, 500), idf(1000, 5)];
    const avg = 10;
    assert.ok(bm25('alpha alpha omega x', words, idfs, avg) > bm25('alpha omega x y', words, idfs, avg));
    assert.ok(bm25('alpha omega', words, idfs, avg) > bm25('alpha omega a b c d e f g h i j k l m n o p', words, idfs, avg));
    assert.ok(bm25('alpha omega omega omega', words, idfs, avg) > bm25('alpha alpha alpha omega', words, idfs, avg), 'the rare word weighs more');
    assert.equal(bm25('nothing here', words, idfs, avg), 0);
    assert.ok(Number.isFinite(bm25('alpha', words, idfs, 0)));
  });
});
