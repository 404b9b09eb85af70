import { describe, expect, it } from 'vitest';
import { ptbTokenize, ptbTokens } from './ptb-tokenizer.js';

describe('PTB tokenizer port (raw tokens before the coco filter)', () => {
  it.each([
    ["Don't stop", ['do', "n't", 'stop']],
    ['(a) [b] {c}', ['-lrb-', 'a', '-rrb-', '-lsb-', 'b', '-rsb-', '-lcb-', 'c', '-rcb-']],
    ['"hi" she said', ['``', 'hi', "''", 'she', 'said']],
    ['add 2 1/2 cups', ['add', '2\u00A01/2', 'cups']],
    ['cannot gonna', ['can', 'not', 'gon', 'na']],
    ['a --- b', ['a', '--', 'b']],
    ['wait...', ['wait', '...']],
    ['costs €5 or ½', ['costs', '$', '5', 'or', '1/2']],
    ['see Smith et al. Then', ['see', 'smith', 'et', 'al.', '.', 'then']],
    // Edge cases of the fast paths (letter runs, spaces, commas, periods), values from the full rule set.
    ['2 \u00A0.com', ['2', '.', 'com']],
    ['mix well, add salt.', ['mix', 'well', ',', 'add', 'salt', '.']],
    ['pour. . . stir', ['pour', '...', 'stir']],
    ['so,5 and .5', ['so', ',5', 'and', '.5']],
    ['fry.com', ['fry.com']],
    ['mr smith, gonna, cannot go', ['mr', 'smith', ',', 'gon', 'na', ',', 'can', 'not', 'go']],
  ])('%s', (input, expected) => {
    expect(ptbTokens(input)).toEqual(expected);
  });
});

describe('ptbTokenize (coco-caption wrapper)', () => {
  it('drops the punctuation list but keeps bracket tokens and other symbols', () => {
    expect(ptbTokenize('Hello, world (again)!')).toBe('hello world -lrb- again -rrb-');
    expect(ptbTokenize('salt & pepper 50%')).toBe('salt & pepper 50 %');
  });

  it('keeps the period of a sentence-final abbreviation (the doubled "." is dropped)', () => {
    expect(ptbTokenize('Made by Acme Inc.')).toBe('made by acme inc.');
  });

  it('deletes emoji and keeps accented letters', () => {
    expect(ptbTokenize('crème brûlée 🍮 done')).toBe('crème brûlée done');
  });

  it('replaces non-ASCII per code point when asked (densevid/SODA)', () => {
    expect(ptbTokenize('café 🍮 ok', { stripNonAscii: true })).toBe('caf ok');
  });

  it('treats newlines inside a caption as spaces', () => {
    expect(ptbTokenize('add\nsalt')).toBe('add salt');
  });
});
