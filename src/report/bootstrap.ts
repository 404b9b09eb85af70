export interface BootstrapOptions {
  resamples: number;
  seed: number;
  /** Two-sided confidence level, e.g. 0.95. */
  level: number;
}

export interface BootstrapInterval {
  /** Mean over items of the paired differences (the statistic being resampled). */
  mean: number;
  low: number;
  high: number;
  items: number;
  clusters: number;
}

/**
 * Quantile of sorted data with linear interpolation between order statistics (Hyndman-Fan type 7,
 * numpy's default), so intervals agree with the usual Python tooling.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantile of an empty sample');
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}

/**
 * Paired cluster bootstrap of the mean difference: clusters (videos) are drawn with replacement, and
 * each resample's statistic is the mean over all items of the drawn clusters (sum of deltas / item count),
 * so items sharing a video move together. Percentile interval.
 *
 * `deltas[i]` is current - baseline for item i; `clusterOf[i]` is its cluster's index (0..k-1, dense).
 * Returns null when fewer than two clusters exist: a single cluster gives a zero-width interval that
 * says nothing about noise.
 */
export function pairedClusterBootstrap(deltas: ArrayLike<number>, clusterOf: ArrayLike<number>, options: BootstrapOptions): BootstrapInterval | null {
  const n = deltas.length;
  if (clusterOf.length !== n) throw new Error('deltas and clusterOf differ in length');
  let clusterCount = 0;
  for (let i = 0; i < n; i++) clusterCount = Math.max(clusterCount, clusterOf[i]! + 1);
  if (clusterCount < 2) return null;

  const clusterSum = new Float64Array(clusterCount);
  const clusterSize = new Float64Array(clusterCount);
  let total = 0;
  for (let i = 0; i < n; i++) {
    clusterSum[clusterOf[i]!]! += deltas[i]!;
    clusterSize[clusterOf[i]!]! += 1;
    total += deltas[i]!;
  }
  for (let c = 0; c < clusterCount; c++) {
    if (clusterSize[c] === 0) throw new Error(`cluster ${c} has no items (cluster indices must be dense)`);
  }

  const stats = new Float64Array(options.resamples);
  // mulberry32 inlined (same sequence as prng.ts): this loop runs resamples x clusters times.
  let state = options.seed >>> 0;
  for (let r = 0; r < options.resamples; r++) {
    let sum = 0;
    let size = 0;
    for (let k = 0; k < clusterCount; k++) {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const c = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * clusterCount);
      sum += clusterSum[c]!;
      size += clusterSize[c]!;
    }
    stats[r] = sum / size;
  }
  stats.sort();
  const tail = (1 - options.level) / 2;
  return {
    mean: total / n,
    low: quantileSorted(stats, tail),
    high: quantileSorted(stats, 1 - tail),
    items: n,
    clusters: clusterCount,
  };
}
