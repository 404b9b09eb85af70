/**
 * Moment retrieval (metrics.md §3.2) as Moment-DETR's standalone evaluator computes it, plus the
 * UniVTG fork's extras (R1 from 0.3, mIoU, R5, open-ended "long" bucket). Values are fractions;
 * `toPercentTree` / `roundLikeReference` produce the evaluator's percent and 2-decimal forms.
 */
import { iouCross, iouPaired, type Span } from './iou.js';
import { pairwiseSum } from './smoothing.js';
import { npArgmax } from './highlight.js';
import { pyRound } from '../benchmarks/predictions.js';

/** `[start, end, score]` as in `pred_relevant_windows`. */
export type ScoredWindow = readonly [number, number, number];

export interface RetrievalQuery {
  qid: string;
  gold: readonly Span[];
  /** In file order; an empty list is allowed (a miss for R1/R5, absent from mAP as in the reference). */
  pred: readonly ScoredWindow[];
}

/** `[float(f"{e:.2f}") for e in np.linspace(a, 0.95, k)]`. */
function thresholds(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((from + 0.05 * i).toFixed(2)));
}
export const MAP_IOU_THRESHOLDS = thresholds(0.5, 10);
export const MOMENT_DETR_R1_THRESHOLDS = thresholds(0.5, 10);
export const UNIVTG_R_THRESHOLDS = thresholds(0.3, 14);

export type RetrievalStyle = 'moment_detr' | 'univtg';
export const BUCKETS = ['short', 'middle', 'long', 'full'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** GT-window length ranges (min, max]; "full" keeps everything (the reference short-cuts it). */
const RANGES: Record<RetrievalStyle, Record<Bucket, [number, number]>> = {
  moment_detr: { short: [0, 10], middle: [10, 30], long: [30, 150], full: [0, 150] },
  univtg: { short: [0, 10], middle: [10, 30], long: [30, Infinity], full: [0, Infinity] },
};

export interface BucketResult {
  /** Number of queries left in the bucket (submission side). */
  queries: number;
  /** threshold (string key as the evaluator prints it) -> AP fraction, plus "average". */
  mAP: Record<string, number>;
  /** threshold -> R@1 fraction. */
  R1: Record<string, number>;
  /** UniVTG only. */
  R5?: Record<string, number>;
  mIoU?: number;
}

export interface RetrievalResult {
  style: RetrievalStyle;
  /** null = empty bucket (Moment-DETR crashes there; we report null and a note). */
  buckets: Record<Bucket, BucketResult | null>;
  /** Queries whose prediction list is empty: misses for R1/R5, not in the mAP mean (as the reference). */
  emptyPredictions: number;
  /** UniVTG: empty buckets replaced by the full set (the fork's fallback). */
  bucketFallbacks: Bucket[];
  /** qid -> AP per threshold (full bucket), for regression reports. */
  perQueryAP: Record<string, number[]>;
}

/**
 * ActivityNet detection AP of one query at several IoU thresholds (compute_average_precision_detection):
 * predictions sorted by score (stable), each takes the unmatched GT of highest cross IoU (B1) if it is
 * ≥ the threshold, VOC-interpolated AP with recall = TP / #GT.
 */
export function detectionAP(gold: readonly Span[], pred: readonly ScoredWindow[], ious: readonly number[] = MAP_IOU_THRESHOLDS): number[] {
  const nT = ious.length;
  if (pred.length === 0) return new Array<number>(nT).fill(0);
  const sorted = pred.map((p, i) => ({ p, i })).sort((a, b) => -a.p[2] - -b.p[2] || a.i - b.i).map((x) => x.p);
  const locked: number[][] = ious.map(() => new Array<number>(gold.length).fill(-1));
  const tp: number[][] = ious.map(() => new Array<number>(sorted.length).fill(0));
  const fp: number[][] = ious.map(() => new Array<number>(sorted.length).fill(0));
  sorted.forEach((p, idx) => {
    const tiou = gold.map((g) => iouCross([p[0], p[1]], g));
    // argsort()[::-1]: NumPy's small-array sort is stable, so ties come out highest index first; NaN sorts last, so first here.
    const order = tiou.map((_, j) => j).sort((a, b) => cmpNaNLast(tiou[a]!, tiou[b]!) || a - b).reverse();
    ious.forEach((thr, t) => {
      for (const j of order) {
        if (tiou[j]! < thr) {
          fp[t]![idx] = 1;
          break;
        }
        if (locked[t]![j]! >= 0) continue;
        tp[t]![idx] = 1;
        locked[t]![j] = idx;
        break;
      }
      if (fp[t]![idx] === 0 && tp[t]![idx] === 0) fp[t]![idx] = 1;
    });
  });
  return ious.map((_, t) => {
    const precision: number[] = [];
    const recall: number[] = [];
    let tc = 0;
    let fc = 0;
    for (let k = 0; k < sorted.length; k++) {
      tc += tp[t]![k]!;
      fc += fp[t]![k]!;
      recall.push(tc / gold.length);
      precision.push(tc / (tc + fc));
    }
    return interpolatedAP(precision, recall);
  });
}

function cmpNaNLast(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** VOC 2011 interpolated AP (interpolated_precision_recall). */
export function interpolatedAP(precision: readonly number[], recall: readonly number[]): number {
  const mp = [0, ...precision, 0];
  const mr = [0, ...recall, 1];
  for (let i = mp.length - 2; i >= 0; i--) mp[i] = Math.max(mp[i]!, mp[i + 1]!);
  const terms: number[] = [];
  for (let i = 1; i < mr.length; i++) if (mr[i] !== mr[i - 1]) terms.push((mr[i]! - mr[i - 1]!) * mp[i]!);
  return pairwiseSum(terms);
}

/** The GT window of highest cross IoU with `w` (np.argmax: first maximum). */
function bestGold(w: Span, gold: readonly Span[]): Span {
  return gold[npArgmax(gold.map((g) => iouCross(w, g)))]!;
}

/** R@1 IoU per query: first window in file order vs its best GT, paired IoU (B2); empty list -> null. */
function firstWindowIoU(q: RetrievalQuery): number | null {
  if (q.pred.length === 0) return null;
  const w: Span = [q.pred[0]![0], q.pred[0]![1]];
  return iouPaired(w, bestGold(w, q.gold));
}

/** UniVTG R5 per query: the (pred, GT) pair of highest cross IoU among the first 5 windows (NaN -> 0), paired IoU. */
function top5IoU(q: RetrievalQuery): number | null {
  const top = q.pred.slice(0, 5);
  if (top.length === 0) return null;
  let best = -Infinity;
  let bp = 0;
  let bg = 0;
  top.forEach((p, i) =>
    q.gold.forEach((g, j) => {
      let v = iouCross([p[0], p[1]], g);
      if (Number.isNaN(v)) v = 0;
      if (v > best) [best, bp, bg] = [v, i, j];
    }),
  );
  return iouPaired([top[bp]![0], top[bp]![1]], q.gold[bg]!);
}

function recallTable(values: readonly (number | null)[], ths: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ths) out[String(t)] = values.filter((v) => v !== null && v >= t).length / values.length;
  return out;
}

function filterBucket(queries: readonly RetrievalQuery[], range: [number, number], isFull: boolean): RetrievalQuery[] {
  if (isFull) return [...queries];
  const [lo, hi] = range;
  const out: RetrievalQuery[] = [];
  for (const q of queries) {
    const gold = q.gold.filter((g) => lo < g[1] - g[0] && g[1] - g[0] <= hi);
    if (gold.length > 0) out.push({ ...q, gold });
  }
  return out;
}

function evaluateBucket(queries: readonly RetrievalQuery[], style: RetrievalStyle, perQueryAP?: Record<string, number[]>): BucketResult {
  // mAP: only queries with at least one predicted window (the reference builds its list from them).
  const withPred = queries.filter((q) => q.pred.length > 0);
  const rows = withPred.map((q) => {
    const ap = detectionAP(q.gold, q.pred.slice(0, 10));
    if (perQueryAP) perQueryAP[q.qid] = ap;
    return ap;
  });
  const mAP: Record<string, number> = {};
  const perThreshold = MAP_IOU_THRESHOLDS.map((_, t) => {
    // ap_array.mean(0): a column reduction, i.e. a plain running sum over the queries.
    let s = 0;
    for (const r of rows) s += r[t]!;
    return s / rows.length;
  });
  MAP_IOU_THRESHOLDS.forEach((t, i) => (mAP[String(t)] = perThreshold[i]!));
  mAP.average = pairwiseSum(perThreshold) / perThreshold.length;
  const first = queries.map(firstWindowIoU);
  const result: BucketResult = { queries: queries.length, mAP, R1: recallTable(first, style === 'univtg' ? UNIVTG_R_THRESHOLDS : MOMENT_DETR_R1_THRESHOLDS) };
  if (style === 'univtg') {
    result.mIoU = pairwiseSum(first.map((v) => v ?? 0)) / first.length;
    result.R5 = recallTable(queries.map(top5IoU), UNIVTG_R_THRESHOLDS);
  }
  return result;
}

/**
 * eval_moment_retrieval over the short / middle / long / full buckets. Queries without any GT
 * window must be removed by the caller (the reference divides by zero on them).
 */
export function evaluateMomentRetrieval(queries: readonly RetrievalQuery[], style: RetrievalStyle = 'moment_detr'): RetrievalResult {
  for (const q of queries) if (q.gold.length === 0) throw new RangeError(`query ${q.qid} has no gold window`);
  const perQueryAP: Record<string, number[]> = {};
  const buckets = {} as Record<Bucket, BucketResult | null>;
  const bucketFallbacks: Bucket[] = [];
  for (const b of BUCKETS) {
    let subset = filterBucket(queries, RANGES[style][b], b === 'full');
    if (subset.length === 0 && style === 'univtg') {
      subset = [...queries];
      bucketFallbacks.push(b);
    }
    buckets[b] = subset.length === 0 ? null : evaluateBucket(subset, style, b === 'full' ? perQueryAP : undefined);
  }
  return { style, buckets, emptyPredictions: queries.filter((q) => q.pred.length === 0).length, bucketFallbacks, perQueryAP };
}

/** A percent value the way the evaluators store it: `float(f"{100 * v:.2f}")`. */
export function roundLikeReference(fraction: number): number {
  return pyRound(100 * fraction, 2);
}

type Tree = { [k: string]: number | null | Tree };

/** The evaluator's nested MR block for one bucket (percent, unrounded): `MR-mAP`, `MR-R1` (+ UniVTG `MR-mIoU`, `MR-R5`). */
export function bucketTree(b: BucketResult): Tree {
  const pct = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, 100 * v]));
  const t: Tree = {};
  if (b.mIoU !== undefined) t['MR-mIoU'] = 100 * b.mIoU;
  t['MR-mAP'] = pct(b.mAP);
  t['MR-R1'] = pct(b.R1);
  if (b.R5) t['MR-R5'] = pct(b.R5);
  return t;
}

/** The brief MR keys of the evaluator (percent, unrounded); null for an empty bucket. */
export function retrievalBrief(r: RetrievalResult): Record<string, number | null> {
  const avg = (b: Bucket) => (r.buckets[b] ? 100 * r.buckets[b]!.mAP.average! : null);
  const full = r.buckets.full;
  if (r.style === 'moment_detr') {
    return {
      'MR-full-R1@0.5': full ? 100 * full.R1['0.5']! : null,
      'MR-full-R1@0.7': full ? 100 * full.R1['0.7']! : null,
      'MR-full-mAP': avg('full'),
      'MR-full-mAP@0.5': full ? 100 * full.mAP['0.5']! : null,
      'MR-full-mAP@0.75': full ? 100 * full.mAP['0.75']! : null,
      'MR-long-mAP': avg('long'),
      'MR-middle-mAP': avg('middle'),
      'MR-short-mAP': avg('short'),
    };
  }
  const out: Record<string, number | null> = {};
  const miou = (b: Bucket) => (r.buckets[b] ? 100 * r.buckets[b]!.mIoU! : null);
  for (const t of ['0.3', '0.5', '0.7']) out[`MR-full-R1@${t}-key`] = full ? 100 * full.R1[t]! : null;
  for (const t of ['0.3', '0.5', '0.7']) out[`MR-full-R5@${t}-key`] = full ? 100 * full.R5![t]! : null;
  out['MR-full-mAP-key'] = avg('full');
  out['MR-full-mAP@0.5-key'] = full ? 100 * full.mAP['0.5']! : null;
  out['MR-full-mAP@0.75-key'] = full ? 100 * full.mAP['0.75']! : null;
  out['MR-full-mIoU-key'] = miou('full');
  for (const b of ['long', 'middle', 'short'] as const) {
    out[`MR-${b}-mAP`] = avg(b);
    out[`MR-${b}-mIoU`] = miou(b);
  }
  return out;
}

/** Every number of a nested result rounded as the evaluator stores it (input: unrounded percent). */
export function roundTree<T>(tree: T): T {
  if (typeof tree === 'number') return pyRound(tree, 2) as T;
  if (tree === null || typeof tree !== 'object') return tree;
  return Object.fromEntries(Object.entries(tree as Record<string, unknown>).map(([k, v]) => [k, roundTree(v)])) as T;
}

/** Every number of a nested result as `[dotted path, value]` (null leaves included), in key order. */
export function flattenTree(tree: unknown, path = ''): [string, number | null][] {
  if (typeof tree === 'number' || tree === null) return [[path, tree as number | null]];
  if (typeof tree !== 'object' || tree === undefined) return [];
  return Object.entries(tree as Record<string, unknown>).flatMap(([k, v]) => flattenTree(v, path ? `${path}.${k}` : k));
}
