/**
 * Charades-STA grounding metrics (metrics.md §4): TimeChat R1@m for window predictions, MMDuet's
 * frame-level grounding for the online model (smoothing, per-video min-max, threshold τ, frame-set
 * IoU) with the released w × τ grid and per-query oracle, and MMDuet's text-baseline scorer.
 * Values are fractions.
 */
import { iouTimeChatTvg, type Span } from './iou.js';
import { npMean, smoothScores } from './smoothing.js';

export const GROUNDING_RECALL_THRESHOLDS = [0.3, 0.5, 0.7] as const;

export interface GroundingSummary {
  /** Number of queries averaged over (the denominator). */
  n: number;
  mIoU: number;
  /** 'R1@0.3' etc. -> fraction. */
  recall: Record<string, number>;
}

/** mIoU (np.mean) and R@m (fraction of IoU ≥ m) of per-query IoUs. */
export function summarizeIoUs(ious: readonly number[]): GroundingSummary {
  const recall: Record<string, number> = {};
  for (const m of GROUNDING_RECALL_THRESHOLDS) recall[`R1@${m}`] = ious.filter((v) => v >= m).length / ious.length;
  return { n: ious.length, mIoU: npMean(ious), recall };
}

// ---------------------------------------------------------------- TimeChat R1@m (window predictions)

export interface WindowGroundingQuery {
  id: string;
  gold: Span;
  /** Predicted windows in ranked order; null = no prediction for this gold query. */
  pred: readonly Span[] | null;
}

export interface TimeChatResult extends GroundingSummary {
  /** Hits per threshold (R1 = hits / n). */
  hits: Record<string, number>;
  emptyPredictions: number;
  missingPredictions: number;
  /** First window and gold are the same point: the reference divides 0 by 0; scored as IoU 0. */
  samePoint: number;
  perQuery: Record<string, number>;
}

/**
 * TimeChat `eval_tvg.py`: for every gold query, an empty (or missing) prediction list is a miss,
 * otherwise the first window hits if IoU variant C ≥ m. mIoU = mean IoU C of the first window (0 for a miss).
 */
export function timechatR1(queries: readonly WindowGroundingQuery[]): TimeChatResult {
  let empty = 0;
  let missing = 0;
  let samePoint = 0;
  const perQuery: Record<string, number> = {};
  const ious = queries.map((q) => {
    if (q.pred === null) missing++;
    else if (q.pred.length === 0) empty++;
    if (!q.pred || q.pred.length === 0) return (perQuery[q.id] = 0);
    const p = q.pred[0]!;
    if (Math.max(p[1], q.gold[1]) - Math.min(p[0], q.gold[0]) === 0) samePoint++;
    return (perQuery[q.id] = iouTimeChatTvg(q.gold, p));
  });
  const s = summarizeIoUs(ious);
  const hits: Record<string, number> = {};
  for (const m of GROUNDING_RECALL_THRESHOLDS) hits[`R1@${m}`] = ious.filter((v) => v >= m).length;
  return { ...s, hits, emptyPredictions: empty, missingPredictions: missing, samePoint, perQuery };
}

// ---------------------------------------------------------------- MMDuet frame-level grounding

export interface FrameGroundingQuery {
  id: string;
  /** Frame times from the score log. */
  times: readonly number[];
  /** Relevance per frame (already rounded as the convention says). */
  scores: readonly number[];
  gold: readonly Span[];
}

/** The released grid's thresholds: `np.arange(0.30, 0.71, 0.02)` = 0.30 + i·((0.30 + 0.02) − 0.30), i = 0..20. */
export const FRAME_THRESHOLDS: readonly number[] = (() => {
  const delta = 0.3 + 0.02 - 0.3;
  return Array.from({ length: 21 }, (_, i) => (i === 0 ? 0.3 : i === 1 ? 0.3 + 0.02 : 0.3 + i * delta));
})();
export const FRAME_WINDOWS: readonly number[] = Array.from({ length: 15 }, (_, i) => i);

/** Gold frame mask: frame time inside any gold span, both ends inclusive. */
export function goldFrameMask(times: readonly number[], gold: readonly Span[]): boolean[] {
  return times.map((t) => gold.some((g) => t >= g[0] && t <= g[1]));
}

/** Smoothed, min-max normalised scores; all-equal gives NaN everywhere (every `≥ τ` is then false). */
export function normalizedScores(scores: readonly number[], w: number): number[] {
  const s = smoothScores(scores, w);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of s) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return s.map((v) => (v - lo) / (hi - lo));
}

/** Frame-set IoU (variant E) of `norm ≥ τ` against the gold mask. */
export function frameIoU(norm: readonly number[], goldMask: readonly boolean[], tau: number): number {
  // Same as iouFrames(norm.map((v) => v >= tau), goldMask), without the allocation (grid hot loop).
  let inter = 0;
  let union = 0;
  const n = Math.max(norm.length, goldMask.length);
  for (let i = 0; i < n; i++) {
    const p = (norm[i] ?? NaN) >= tau;
    const g = goldMask[i] === true;
    if (p && g) inter++;
    if (p || g) union++;
  }
  return union === 0 ? 0 : inter / union;
}

export interface FrameGridCell extends GroundingSummary {
  w: number;
  tau: number;
}

export interface FrameGridResult {
  cells: FrameGridCell[];
  /** Per w: mean over queries of the best IoU over all τ ("best among all thresholds"). Never a headline. */
  oracle: (GroundingSummary & { w: number })[];
  /** Queries whose smoothed scores are all equal (min-max NaN, IoU 0 at every τ), per w. */
  allEqual: Record<number, number>;
}

/**
 * frameIoU at every threshold in one pass: frame i is predicted at τ_k exactly when k < K_i, the
 * number of thresholds ≤ norm_i (thresholds ascending), so per-τ counts are suffix sums over K.
 */
export function iousOverThresholds(norm: readonly number[], goldMask: readonly boolean[], thresholds: readonly number[]): number[] {
  const nT = thresholds.length;
  for (let k = 1; k < nT; k++) if (!(thresholds[k]! > thresholds[k - 1]!)) return thresholds.map((t) => frameIoU(norm, goldMask, t));
  const predAt = new Array<number>(nT + 1).fill(0);
  const bothAt = new Array<number>(nT + 1).fill(0);
  let gold = 0;
  for (let i = 0; i < Math.max(norm.length, goldMask.length); i++) {
    const v = norm[i] ?? NaN;
    let K = 0;
    while (K < nT && v >= thresholds[K]!) K++;
    predAt[K]!++;
    const g = goldMask[i] === true;
    if (g) {
      gold++;
      bothAt[K]!++;
    }
  }
  const out = new Array<number>(nT);
  let pred = 0;
  let both = 0;
  for (let k = nT - 1; k >= 0; k--) {
    pred += predAt[k + 1]!;
    both += bothAt[k + 1]!;
    const union = pred + gold - both;
    out[k] = union === 0 ? 0 : both / union;
  }
  return out;
}

/** The released scorer's sweep: every w × τ, plus the per-query oracle over τ for each w. */
export function frameGroundingGrid(queries: readonly FrameGroundingQuery[], windows: readonly number[] = FRAME_WINDOWS, thresholds: readonly number[] = FRAME_THRESHOLDS): FrameGridResult {
  const masks = queries.map((q) => goldFrameMask(q.times, q.gold));
  const cells: FrameGridCell[] = [];
  const oracle: FrameGridResult['oracle'] = [];
  const allEqual: Record<number, number> = {};
  for (const w of windows) {
    const perTau = thresholds.map(() => new Array<number>(queries.length));
    const best = new Array<number>(queries.length);
    let flat = 0;
    queries.forEach((q, qi) => {
      const norm = normalizedScores(q.scores, w);
      if (norm.length > 0 && Number.isNaN(norm[0]!)) flat++;
      const ious = iousOverThresholds(norm, masks[qi]!, thresholds);
      let b = -Infinity;
      ious.forEach((v, ti) => {
        perTau[ti]![qi] = v;
        if (v > b) b = v;
      });
      best[qi] = b;
    });
    allEqual[w] = flat;
    thresholds.forEach((tau, ti) => cells.push({ w, tau, ...summarizeIoUs(perTau[ti]!) }));
    oracle.push({ w, ...summarizeIoUs(best) });
  }
  return { cells, oracle, allEqual };
}

/** One (w, τ) setting; per-query IoUs included. */
export function frameGrounding(queries: readonly FrameGroundingQuery[], w: number, tau: number): GroundingSummary & { perQuery: Record<string, number>; allEqual: number } {
  const perQuery: Record<string, number> = {};
  let allEqual = 0;
  const ious = queries.map((q) => {
    const norm = normalizedScores(q.scores, w);
    if (norm.length > 0 && Number.isNaN(norm[0]!)) allEqual++;
    return (perQuery[q.id] = frameIoU(norm, goldFrameMask(q.times, q.gold), tau));
  });
  return { ...summarizeIoUs(ious), perQuery, allEqual };
}
