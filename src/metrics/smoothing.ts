/**
 * Numerics shared by the QVHighlights and Charades scorers: NumPy's summation order (so means
 * match the Python references bit for bit, which matters at thresholds and 2-decimal rounding)
 * and the released scorer's centred box smoothing (benchmarks.md §2 step 2).
 */

/** NumPy's pairwise summation of `values[start..end)` (float64 `np.sum` / `np.mean` on a 1-D array). */
export function pairwiseSum(values: ArrayLike<number>, start = 0, end = values.length): number {
  const n = end - start;
  if (n < 8) {
    let res = 0;
    for (let i = start; i < end; i++) res += values[i]!;
    return res;
  }
  if (n <= 128) {
    // Eight accumulators as in NumPy's unrolled loop (plain locals: this runs in hot loops).
    let r0 = values[start]!, r1 = values[start + 1]!, r2 = values[start + 2]!, r3 = values[start + 3]!;
    let r4 = values[start + 4]!, r5 = values[start + 5]!, r6 = values[start + 6]!, r7 = values[start + 7]!;
    let i = start + 8;
    const stop = start + n - (n % 8);
    for (; i < stop; i += 8) {
      r0 += values[i]!;
      r1 += values[i + 1]!;
      r2 += values[i + 2]!;
      r3 += values[i + 3]!;
      r4 += values[i + 4]!;
      r5 += values[i + 5]!;
      r6 += values[i + 6]!;
      r7 += values[i + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < end; i++) res += values[i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, start, start + n2) + pairwiseSum(values, start + n2, end);
}

/** `np.mean` of a 1-D float64 array; NaN for an empty one (NumPy warns and returns NaN). */
export function npMean(values: ArrayLike<number>, start = 0, end = values.length): number {
  return pairwiseSum(values, start, end) / (end - start);
}

/**
 * Centred box smoothing with window w: `s_i = mean(p[max(0, i−w) .. min(n−1, i+w)])`, the box
 * shrinking at the edges (MMDuet's `smooth_pred_list`, window_size = w). w = 0 returns a copy.
 */
export function smoothScores(scores: readonly number[], w: number): number[] {
  if (!Number.isInteger(w) || w < 0) throw new RangeError(`smoothing window must be a non-negative integer, got ${w}`);
  const n = scores.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = npMean(scores, Math.max(0, i - w), Math.min(n, i + w + 1));
  return out;
}
