import { describe, expect, it } from 'vitest';
import { ciderD, ciderScorer, comparePyStrings } from './cider.js';

describe('CIDEr-D (pycocoevalcap Cider)', () => {
  it('is 0 with one item (every idf is log 1 - log 1 = 0)', () => {
    const r = ciderD([{ id: 'x', candidate: 'a b c', references: ['a b c', 'a b'] }]);
    expect(r.corpus).toBe(0);
    expect(r.perItem).toEqual([0]);
  });

  it('scores identical two-word captions 10 * mean(1, 1, 0, 0) = 5', () => {
    const r = ciderD([
      { id: 'a', candidate: 'a b', references: ['a b'] },
      { id: 'b', candidate: 'c d', references: ['c d'] },
    ]);
    expect(r.perItem[0]).toBeCloseTo(5, 12);
    expect(r.corpus).toBeCloseTo(5, 12);
  });

  it('matches a hand computation with the Gaussian length penalty on bigram counts', () => {
    const r = ciderD([
      { id: 'a', candidate: 'a b', references: ['a b c'] },
      { id: 'b', candidate: 'd e', references: ['d e'] },
    ]);
    // all idf = ln 2: sim1 = 2/sqrt(6), sim2 = 1/sqrt(2); bigram counts 1 vs 2 -> exp(-1/72)
    const expected = ((10 * (2 / Math.sqrt(6) + 1 / Math.SQRT2)) / 4) * Math.exp(-1 / 72);
    expect(r.perItem[0]).toBeCloseTo(expected, 12);
  });

  it('clips the candidate tf-idf at the reference value (CIDEr-D)', () => {
    const items = [
      { id: 'a', candidate: 'x x x', references: ['x y z'] },
      { id: 'b', candidate: 'q', references: ['q'] },
    ];
    // unigram: hyp x = 3 ln2, ref x = ln2: min(3,1)*1 / (3 * sqrt3) ln2^2; bigram: hyp "x x" only -> 0
    const sim1 = 1 / (3 * Math.sqrt(3));
    expect(ciderD(items).perItem[0]).toBeCloseTo((10 * sim1) / 4, 12);
  });

  it('can return per-item scores in Python sorted string-key order (TimeChat)', () => {
    const items = ['0', '1', '2', '10'].map((id, i) => ({ id, candidate: `w${i} v`, references: [`w${i} v`] }));
    items[3]!.candidate = 'nothing here';
    const input = ciderD(items).perItem;
    const sorted = ciderD(items, { keyOrder: 'sorted-string' }).perItem;
    // sorted ids: "0", "1", "10", "2"
    expect(sorted).toEqual([input[0], input[1], input[3], input[2]]);
    expect(comparePyStrings('10', '2')).toBeLessThan(0);
  });

  it('throws on an empty call, like the reference', () => {
    expect(() => ciderD([])).toThrow();
  });

  it('is exposed as a CaptionScorer named CIDEr', async () => {
    expect(ciderScorer.name).toBe('CIDEr');
    const r = await ciderScorer.score([{ id: 'x', candidate: 'a', references: ['a'] }]);
    expect(r.corpus).toBe(0);
  });
});
