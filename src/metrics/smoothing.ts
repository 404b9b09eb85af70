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
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = values[start + j]!;
    let i = 8;
    const stop = n - (n % 8);
    for (; i < stop; i += 8) for (let j = 0; j < 8; j++) r[j] += values[start + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += values[start + i]!;
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
