// Search snippets made from the hit's text (main/core/store/snippet.ts), instead of one FTS5
// snippet() query per hit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { snippetOf, SNIPPET_TOKENS } from '../../main/core/store/snippet.ts';
import { MARK_END as E, MARK_START as S } from '../../main/core/store/keys.ts';
import type { QueryWord } from '../../main/core/store/searchRank.ts';

const term = (...terms: string[]): QueryWord => ({ terms, prefix: null });
const prefix = (p: string): QueryWord => ({ terms: null, prefix: p });

describe('snippetOf', () => {
  it('a short message whole, its words found marked in their own spelling, its punctuation kept', () => {
    assert.equal(snippetOf('Le déploiement du serveur est prévu jeudi', [term('deploiement')]), `Le ${S}déploiement${E} du serveur est prévu jeudi`);
    assert.equal(snippetOf('"Deploy the server tonight?"', [prefix('dep')]), `"${S}Deploy${E} the server tonight?"`);
  });

  it('marks every word of the query, and nothing else', () => {
    assert.equal(snippetOf('Budget: quarterly budget review, not budgeting', [term('budget'), term('quarterly')]),
      `${S}Budget${E}: ${S}quarterly${E} ${S}budget${E} review, not budgeting`);
  });

  it('a long message: a window of words around the matches, cut with …', () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
    words[120] = 'needle';
    const s = snippetOf(words.join(' '), [term('needle')]);
    assert.ok(s.startsWith('…') && s.endsWith('…'), s);
    assert.equal(s.split(' ').length, SNIPPET_TOKENS, s);
    assert.ok(s.includes(`${S}needle${E}`));
    assert.ok(s.includes('w113') && s.includes('w127'), `the match is near the middle: ${s}`);
  });

  it('prefers the window holding the most different words of the query', () => {
    const text = `alpha ${'x '.repeat(40)}alpha beta ${'y '.repeat(40)}end`;
    const s = snippetOf(text, [term('alpha'), term('beta')]);
    assert.ok(s.includes(`${S}alpha${E} ${S}beta${E}`), s);
  });

  it("drops the text's own mark characters, so that a mark always means a match", () => {
    const s = snippetOf(`odd${S} text ${E}here`, [term('odd')]);
    assert.equal(s, `${S}odd${E} text here`);
  });

  it('no word of the query in the text (the index read it otherwise): its preview, unmarked', () => {
    assert.equal(snippetOf('  nothing   here ', [term('absent')]), 'nothing here');
  });

  it('a message full of the word stays a short snippet', () => {
    const s = snippetOf('spam '.repeat(50_000), [term('spam')]);
    assert.ok(s.length < 200, `${s.length}`);
    assert.ok(s.endsWith('…'));
  });
});
