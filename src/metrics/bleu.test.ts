import { describe, expect, it } from 'vitest';
import { bleu } from './bleu.js';

const item = (candidate: string, ...references: string[]) => ({ id: candidate, candidate, references });

describe('bleu (coco-caption BleuScorer)', () => {
  it('matches a hand computation on one item', () => {
    // cand 6 words, ref 6 words: clipped matches 1-gram 5/6, 2-gram 3/5, 3-gram 1/4, 4-gram 0/3.
    const r = bleu([item('the cat sat on the mat', 'the cat is on the mat')]);
    expect(r.corpus[0]).toBeCloseTo(5 / 6, 8);
    expect(r.corpus[1]).toBeCloseTo(Math.sqrt((5 / 6) * (3 / 5)), 8);
    expect(r.corpus[2]).toBeCloseTo(0.5, 8);
    // 0 matching 4-grams: the 1e-15 smoothing leaves a tiny but non-zero value.
    expect(r.corpus[3]).toBeCloseTo((0.125 * (1e-15 / (3 + 1e-9))) ** 0.25, 12);
    expect(r.perItem.map((p) => p[0])).toEqual(r.corpus);
  });

  it('clips each n-gram at its largest count in any one reference', () => {
    // "the" x4 vs at most 2 in one reference: 2/4; "the the" x3 vs at most 1: 1/3; closest length 3 < 4.
    const r = bleu([item('the the the the', 'the cat', 'the the dog')]);
    expect(r.corpus[0]).toBeCloseTo(2 / 4, 8);
    expect(r.corpus[1]).toBeCloseTo(Math.sqrt((2 / 4) * (1 / 3)), 8);
  });

  it('applies the brevity penalty exp(1 - r/c)', () => {
    const r = bleu([item('the cat', 'the cat is on the mat')]);
    expect(r.corpus[0]).toBeCloseTo(Math.exp(1 - 3), 8);
    expect(r.corpus[1]).toBeCloseTo(Math.exp(1 - 3), 8);
  });

  it('uses the closest reference length, the shorter one on ties', () => {
    // lengths 3 and 5 are both 1 away from 4: r = 3, so no brevity penalty.
    const r = bleu([item('a b c d', 'a b c', 'a b c d e')]);
    expect(r.corpus[0]).toBeCloseTo(1, 8);
  });

  it('gives 0 to an empty candidate (the smoothed ratio makes the penalty exp(-huge))', () => {
    const r = bleu([item('', 'a b')]);
    expect(r.perItem.map((p) => p[0])).toEqual([0, 0, 0, 0]);
  });

  it('sums statistics over items for the corpus value', () => {
    const r = bleu([item('a b', 'a b'), item('c d', 'x y')]);
    expect(r.corpus[0]).toBeCloseTo(2 / 4, 8);
    expect(r.perItem[0]![0]).toBeCloseTo(1, 8);
    expect(r.perItem[0]![1]).toBeCloseTo(1e-15 / (2 + 1e-9), 20);
  });
});
