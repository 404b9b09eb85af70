import { describe, expect, it } from 'vitest';
import { npMean, pairwiseSum, smoothScores } from './smoothing.js';

describe('NumPy summation order', () => {
  it('pairwiseSum reproduces np.sum on a cancelling 171-element array (naive order gives 105.00000000000027)', () => {
    const a = [...Array(10).fill(0.1), 1e16, ...Array(9).fill(0.3), -1e16, ...Array(150).fill(0.7)];
    expect(pairwiseSum(a)).toBe(97.70000000000002);
    expect(a.reduce((s, v) => s + v, 0)).toBe(105.00000000000027);
  });
  it('npMean of short arrays is the plain mean', () => {
    expect(npMean([1, 2, 3, 4])).toBe(2.5);
    expect(Number.isNaN(npMean([]))).toBe(true);
  });
});

describe('smoothScores (centred box, shrinking at the edges)', () => {
  it('w = 1 on a step', () => {
    expect(smoothScores([0, 0, 3, 3, 0, 0], 1)).toEqual([0, 1, 2, 2, 1, 0]);
  });
  it('w = 0 is the identity and w larger than the list averages everything', () => {
    expect(smoothScores([1, 5, 3], 0)).toEqual([1, 5, 3]);
    expect(smoothScores([1, 5, 3], 10)).toEqual([3, 3, 3]);
  });
  it('rejects a negative or fractional window', () => {
    expect(() => smoothScores([1], -1)).toThrow(/non-negative integer/);
    expect(() => smoothScores([1], 1.5)).toThrow(/non-negative integer/);
  });
});
