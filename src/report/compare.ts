import { InputError } from '../errors.js';
import type { MetricValue } from '../benchmarks/types.js';
import { pairedClusterBootstrap } from './bootstrap.js';
import { metricDirection, type MetricDirection } from './directions.js';
import { streamSeed } from '../util/prng.js';
import type { ComparableResult } from './result-file.js';

export const CONFIDENCE_LEVEL = 0.95;
/** Key of --tolerance that applies to every metric without its own entry. */
export const ANY_METRIC = '*';

export interface CompareOptions {
  /** Allowed drop per metric (metric units, >= 0); `*` sets the default for the others. Default 0. */
  tolerances: Record<string, number>;
  allowMismatch: boolean;
  seed: number;
  resamples: number;
  /** How many most-changed items to list per metric. */
  top: number;
}

/**
 * - regression: dropped by more than the tolerance, and the CI excludes zero (or no CI exists)
 * - improvement: rose by more than the tolerance, and the CI excludes zero (or no CI exists)
 * - within-tolerance: changed, but by no more than the tolerance
 * - within-noise: changed beyond the tolerance, but the CI includes zero
 * - unchanged: identical values
 * - informational: a descriptive quantity, never judged (directions.ts)
 * - missing: a number in the baseline, null or absent in the current result (counts as a failure)
 * - new: absent or null in the baseline, a number now
 * - unavailable: null or absent on both sides
 */
export type MetricStatus =
  | 'regression'
  | 'improvement'
  | 'within-tolerance'
  | 'within-noise'
  | 'unchanged'
  | 'informational'
  | 'missing'
  | 'new'
  | 'unavailable';

/**
 * - item-mean: the metric is the mean of its per-item values (times `scale`, 1 or 100) on both sides,
 *   so the interval is directly the interval of the metric's delta.
 * - per-item-proxy: the metric is a corpus statistic (e.g. corpus CIDEr, SODA_c) that is not the mean
 *   of its per-item values; the interval is that of the mean per-item delta, in per-item units, and
 *   only its sign is used to decide.
 */
export type CiBasis = 'item-mean' | 'per-item-proxy';

export interface DeltaInterval {
  basis: CiBasis;
  /** Factor from per-item units to metric units (1 for per-item-proxy). */
  scale: number;
  /** Mean paired per-item delta times scale. */
  mean: number;
  low: number;
  high: number;
  items: number;
  clusters: number;
}

export interface MetricRow {
  metric: string;
  direction: MetricDirection;
  baseline: MetricValue;
  current: MetricValue;
  /** current - baseline, null unless both are numbers. */
  delta: number | null;
  tolerance: number;
  ci: DeltaInterval | null;
  /** Why there is no interval (null when there is one). */
  ciMissingReason: string | null;
  /** What decided the status: the interval, the tolerance alone (no interval), or nothing to decide. */
  decidedBy: 'ci' | 'tolerance-only' | 'none';
  status: MetricStatus;
  /** True for regressions and for metrics that went missing. */
  failing: boolean;
  /** Items with this metric on one side only (left out of the pairing). */
  baselineOnlyItems: number;
  currentOnlyItems: number;
}

export interface ItemChange {
  metric: string;
  item: string;
  video: string | null;
  baseline: number;
  current: number;
  delta: number;
}

export interface Difference {
  what: string;
  baseline: string;
  current: string;
}

export interface Comparison {
  benchmark: string;
  protocol: string;
  baselineFile: string;
  currentFile: string;
  toolkitVersions: { baseline: string | null; current: string | null };
  predictionsIdentical: boolean;
  /** Differences that make the results incomparable (reported only when --allow-mismatch was given). */
  mismatches: Difference[];
  /** Other parameter differences, shown for information. */
  parameterChanges: Difference[];
  bootstrap: { seed: number; resamples: number; level: number; clusteredByVideo: boolean };
  rows: MetricRow[];
  /** Most-changed items per metric (failing metrics first, then row order), each list by |delta| descending. */
  topItems: ItemChange[];
  notes: string[];
  failingMetrics: string[];
}

const MISSING_LABEL = '(absent)';

function show(v: unknown): string {
  if (v === undefined) return MISSING_LABEL;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function differences(pairs: [string, unknown, unknown][]): Difference[] {
  return pairs
    .filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b))
    .map(([what, a, b]) => ({ what, baseline: show(a), current: show(b) }));
}

/** Sorted union of two key lists (code-unit order, so output never depends on locale or file key order). */
function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** The item -> video map used for clustering; a conflict between the two sides is a mismatch. */
function videoOf(baseline: ComparableResult, current: ComparableResult): { lookup: (item: string) => string | null; conflicts: Difference[] } {
  const conflicts: Difference[] = [];
  const b = baseline.perItemVideo ?? {};
  const c = current.perItemVideo ?? {};
  for (const item of Object.keys(b)) {
    if (item in c && c[item] !== b[item]) conflicts.push({ what: `perItemVideo["${item}"]`, baseline: b[item]!, current: c[item]! });
  }
  return { lookup: (item) => c[item] ?? b[item] ?? null, conflicts };
}

function findMismatches(baseline: ComparableResult, current: ComparableResult, videoConflicts: Difference[]): Difference[] {
  const found = differences([
    ['benchmark', baseline.benchmark, current.benchmark],
    ['protocol', baseline.protocol, current.protocol],
    ['gold data sha256', baseline.goldSha256, current.goldSha256],
    ['judge model', baseline.parameters.judge_model, current.parameters.judge_model],
  ]);
  // A long list of conflicting videos is summarised: the first three, then a count.
  const shown = videoConflicts.slice(0, 3);
  if (videoConflicts.length > 3) shown.push({ what: `perItemVideo (${videoConflicts.length - 3} more items)`, baseline: '…', current: '…' });
  return [...found, ...shown];
}

function parameterChanges(baseline: ComparableResult, current: ComparableResult): Difference[] {
  // judge_model is a mismatch; the gold and predictions paths are covered by their sha256.
  const skipped = new Set(['judge_model', 'gold', 'predictions']);
  const keys = sortedUnion(Object.keys(baseline.parameters), Object.keys(current.parameters)).filter((k) => !skipped.has(k));
  return differences(keys.map((k) => [`parameter ${k}`, baseline.parameters[k], current.parameters[k]]));
}

function perItemMetricNames(result: ComparableResult): Set<string> {
  const names = new Set<string>();
  for (const values of Object.values(result.perItem ?? {})) for (const name of Object.keys(values)) names.add(name);
  return names;
}

function toleranceFor(metric: string, tolerances: Record<string, number>): number {
  return tolerances[metric] ?? tolerances[ANY_METRIC] ?? 0;
}

function metricValuesOf(result: ComparableResult, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [item, values] of Object.entries(result.perItem ?? {})) {
    const v = values[metric];
    if (v !== undefined) out.set(item, v);
  }
  return out;
}

function mean(values: Iterable<number>): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    sum += v;
    n++;
  }
  return sum / n;
}

function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** 100 or 1 when the metric equals that multiple of the mean of its per-item values on both sides; else null. */
function itemMeanScale(metric: string, baseline: ComparableResult, current: ComparableResult, b: Map<string, number>, c: Map<string, number>): number | null {
  const vb = baseline.metrics[metric];
  const vc = current.metrics[metric];
  if (typeof vb !== 'number' || typeof vc !== 'number' || b.size === 0 || c.size === 0) return null;
  const mb = mean(b.values());
  const mc = mean(c.values());
  return [100, 1].find((k) => closeTo(mb * k, vb) && closeTo(mc * k, vc)) ?? null;
}

interface PairedMetric {
  interval: DeltaInterval | null;
  missingReason: string | null;
  baselineOnly: number;
  currentOnly: number;
  changes: ItemChange[];
}

function pairMetric(
  metric: string,
  baseline: ComparableResult,
  current: ComparableResult,
  video: (item: string) => string | null,
  options: CompareOptions,
): PairedMetric {
  const b = metricValuesOf(baseline, metric);
  const c = metricValuesOf(current, metric);
  const paired = [...b.keys()].filter((k) => c.has(k)).sort();
  const result: PairedMetric = {
    interval: null,
    missingReason: null,
    baselineOnly: b.size - paired.length,
    currentOnly: c.size - paired.length,
    changes: [],
  };
  if (baseline.perItem === undefined || current.perItem === undefined) {
    result.missingReason = `no per-item values in the ${baseline.perItem === undefined ? 'baseline' : 'current'} result`;
    return result;
  }
  if (paired.length === 0) {
    result.missingReason = 'no item has per-item values for this metric on both sides';
    return result;
  }
  const deltas = new Float64Array(paired.length);
  const clusterOf = new Int32Array(paired.length);
  const clusterIndex = new Map<string, number>();
  paired.forEach((item, i) => {
    const before = b.get(item)!;
    const after = c.get(item)!;
    deltas[i] = after - before;
    // Items without a video entry are their own cluster; the "\u0000" prefix keeps them apart from video ids.
    const key = video(item) ?? `\u0000${item}`;
    if (!clusterIndex.has(key)) clusterIndex.set(key, clusterIndex.size);
    clusterOf[i] = clusterIndex.get(key)!;
    if (after !== before) result.changes.push({ metric, item, video: video(item), baseline: before, current: after, delta: after - before });
  });
  result.changes.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.item < y.item ? -1 : x.item > y.item ? 1 : 0));
  result.changes = result.changes.slice(0, options.top);

  const boot = pairedClusterBootstrap(deltas, clusterOf, {
    resamples: options.resamples,
    seed: streamSeed(options.seed, metric),
    level: CONFIDENCE_LEVEL,
  });
  if (boot === null) {
    result.missingReason = `only ${clusterIndex.size} cluster of paired items (a bootstrap needs at least 2)`;
    return result;
  }
  const scale = itemMeanScale(metric, baseline, current, b, c);
  const k = scale ?? 1;
  result.interval = {
    basis: scale === null ? 'per-item-proxy' : 'item-mean',
    scale: k,
    mean: boot.mean * k,
    low: boot.low * k,
    high: boot.high * k,
    items: boot.items,
    clusters: boot.clusters,
  };
  return result;
}

function judge(direction: MetricDirection, delta: number, tolerance: number, ci: DeltaInterval | null): Pick<MetricRow, 'status' | 'decidedBy'> {
  if (direction === 'informational') return { status: 'informational', decidedBy: 'none' };
  if (delta === 0) return { status: 'unchanged', decidedBy: 'none' };
  const sign = direction === 'lower' ? -1 : 1;
  const gain = sign * delta;
  if (Math.abs(gain) <= tolerance) return { status: 'within-tolerance', decidedBy: 'none' };
  if (ci === null) return { status: gain < 0 ? 'regression' : 'improvement', decidedBy: 'tolerance-only' };
  const gainLow = sign > 0 ? ci.low : -ci.high;
  const gainHigh = sign > 0 ? ci.high : -ci.low;
  if (gain < 0 && gainHigh < 0) return { status: 'regression', decidedBy: 'ci' };
  if (gain > 0 && gainLow > 0) return { status: 'improvement', decidedBy: 'ci' };
  return { status: 'within-noise', decidedBy: 'ci' };
}

function metricRow(metric: string, baseline: ComparableResult, current: ComparableResult, paired: PairedMetric, options: CompareOptions): MetricRow {
  const before = baseline.metrics[metric] ?? null;
  const after = current.metrics[metric] ?? null;
  const direction = metricDirection(metric);
  const tolerance = toleranceFor(metric, options.tolerances);
  const row: MetricRow = {
    metric,
    direction,
    baseline: before,
    current: after,
    delta: null,
    tolerance,
    ci: paired.interval,
    ciMissingReason: paired.interval === null ? paired.missingReason : null,
    decidedBy: 'none',
    status: 'unavailable',
    failing: false,
    baselineOnlyItems: paired.baselineOnly,
    currentOnlyItems: paired.currentOnly,
  };
  if (before === null && after === null) return row;
  if (after === null) return { ...row, status: 'missing', failing: direction !== 'informational' };
  if (before === null) return { ...row, status: 'new' };
  const delta = after - before;
  const verdict = judge(direction, delta, tolerance, paired.interval);
  return { ...row, delta, ...verdict, failing: verdict.status === 'regression' };
}

function validateOptions(baseline: ComparableResult, current: ComparableResult, options: CompareOptions): void {
  if (!Number.isInteger(options.resamples) || options.resamples < 1) throw new InputError(`--resamples: expected a positive integer, found ${options.resamples}`);
  if (!Number.isInteger(options.seed)) throw new InputError(`--seed: expected an integer, found ${options.seed}`);
  if (!Number.isInteger(options.top) || options.top < 0) throw new InputError(`--top: expected a non-negative integer, found ${options.top}`);
  const known = new Set([...Object.keys(baseline.metrics), ...Object.keys(current.metrics)]);
  for (const [metric, tolerance] of Object.entries(options.tolerances)) {
    if (metric !== ANY_METRIC && !known.has(metric)) {
      throw new InputError(`--tolerance ${metric}: expected a metric of these results (${[...known].sort().join(', ')}), found none named "${metric}"`);
    }
    if (!Number.isFinite(tolerance) || tolerance < 0) throw new InputError(`--tolerance ${metric}: expected a non-negative number, found ${tolerance}`);
  }
}

/**
 * Compares two results metric by metric. Throws InputError when they are not comparable (different
 * benchmark, protocol, gold data, judge model or item videos) unless `allowMismatch`.
 */
export function compareResults(baseline: ComparableResult, current: ComparableResult, options: CompareOptions): Comparison {
  validateOptions(baseline, current, options);
  const { lookup: video, conflicts } = videoOf(baseline, current);
  const mismatches = findMismatches(baseline, current, conflicts);
  if (mismatches.length > 0 && !options.allowMismatch) {
    const list = mismatches.map((d) => `${d.what} ${d.baseline} (baseline) vs ${d.current} (current)`).join('; ');
    throw new InputError(`${baseline.file} and ${current.file} are not comparable: ${list} (pass --allow-mismatch to compare anyway)`);
  }

  const metrics = sortedUnion(Object.keys(baseline.metrics), Object.keys(current.metrics));
  const rows: MetricRow[] = [];
  const changesByMetric = new Map<string, ItemChange[]>();
  for (const metric of metrics) {
    const paired = pairMetric(metric, baseline, current, video, options);
    rows.push(metricRow(metric, baseline, current, paired, options));
    changesByMetric.set(metric, paired.changes);
  }
  // Per-item values under a name that is no top-level metric (e.g. per-query IoU beside mIoU) feed
  // only the item breakdown: which metric they explain is the benchmark's business, not guessed here.
  const itemOnly = sortedUnion(perItemMetricNames(baseline), perItemMetricNames(current)).filter((m) => !metrics.includes(m));
  for (const metric of itemOnly) changesByMetric.set(metric, pairMetric(metric, baseline, current, video, options).changes);
  // Failing metrics' items first: they are what a reviewer opens the list for.
  const ordered = [...rows.filter((r) => r.failing).map((r) => r.metric), ...rows.filter((r) => !r.failing).map((r) => r.metric), ...itemOnly];
  const topItems = ordered.flatMap((m) => changesByMetric.get(m) ?? []);

  const notes: string[] = [];
  for (const [side, r] of [['baseline', baseline], ['current', current]] as const) {
    if (r.perItemNulls > 0) notes.push(`${side}: ${r.perItemNulls} per-item values were null (not computable) and are left out of the pairing`);
  }
  const clusteredByVideo = baseline.perItemVideo !== undefined || current.perItemVideo !== undefined;
  if (!clusteredByVideo) notes.push('no perItemVideo map in either result: each item is its own bootstrap cluster');
  if (itemOnly.length > 0) {
    notes.push(`per-item values with no top-level metric of the same name (item breakdown only, no interval): ${itemOnly.join(', ')}`);
  }
  const unpaired = rows.filter((r) => r.baselineOnlyItems + r.currentOnlyItems > 0);
  for (const r of unpaired) {
    notes.push(`${r.metric}: ${r.baselineOnlyItems} items only in the baseline and ${r.currentOnlyItems} only in the current result are left out of the paired interval`);
  }

  return {
    benchmark: current.benchmark,
    protocol: current.protocol,
    baselineFile: baseline.file,
    currentFile: current.file,
    toolkitVersions: { baseline: baseline.toolkitVersion ?? null, current: current.toolkitVersion ?? null },
    predictionsIdentical: baseline.predictionsSha256 !== undefined && baseline.predictionsSha256 === current.predictionsSha256,
    mismatches,
    parameterChanges: parameterChanges(baseline, current),
    bootstrap: { seed: options.seed, resamples: options.resamples, level: CONFIDENCE_LEVEL, clusteredByVideo },
    rows,
    topItems,
    notes,
    failingMetrics: rows.filter((r) => r.failing).map((r) => r.metric),
  };
}
