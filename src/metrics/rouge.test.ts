import { describe, expect, it } from 'vitest';
import { lcsLength, rougeL, rougeLItem } from './rouge.js';

describe('ROUGE-L (coco-caption, beta 1.2)', () => {
  it('computes the LCS length', () => {
    expect(lcsLength(['a', 'b', 'c', 'd'], ['a', 'c', 'd'])).toBe(3);
    expect(lcsLength(['a', 'b'], ['c'])).toBe(0);
    expect(lcsLength(['x', 'a', 'y', 'b'], ['a', 'b', 'x'])).toBe(2);
  });

  it('matches a hand computation', () => {
    // P = 3/3, R = 3/4: F = 2.44 * 0.75 / (0.75 + 1.44)
    expect(rougeLItem('a c d', ['a b c d'])).toBeCloseTo((2.44 * 0.75) / 2.19, 12);
  });

  it('takes the maxima of P and R over references independently', () => {
    // ref1: lcs 2 -> P 1, R 2/6; ref2: lcs 1 -> P 1/2, R 1/1.
    const f = rougeLItem('a b', ['a b x x x x', 'a']);
    expect(f).toBeCloseTo((2.44 * 1 * 1) / (1 + 1.44 * 1), 12);
  });

  it('splits on single spaces like coco-caption (an empty caption is one empty token)', () => {
    expect(rougeLItem('', ['a b'])).toBe(0);
    expect(rougeLItem('', [''])).toBe(1);
  });

  it('averages items for the corpus value', () => {
    const r = rougeL([
      { id: '1', candidate: 'a b', references: ['a b'] },
      { id: '2', candidate: 'c', references: ['d'] },
    ]);
    expect(r.perItem).toEqual([1, 0]);
    expect(r.corpus).toBe(0.5);
  });
});
