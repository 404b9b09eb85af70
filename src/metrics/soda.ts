/**
 * SODA_c and SODA_d (metrics.md §2.9): per video, the best order-preserving one-to-one matching of
 * gold and predicted segments by dynamic programming, scored by IoU × caption score (SODA_c) or IoU
 * alone (SODA_d). Two variants:
 *  - 'timechat' (TimeChat's `sodac`, which MMDuet calls): given order; the caption scorer's per-item
 *    scores come back in Python's sorted string-key order ("0","1","10","11","2",…) and are read
 *    positionally, so with ≥ 11 predictions they no longer line up with the IoU columns (reproduced);
 *    reported value = mean over videos of per-video F; an empty prediction list scores 0.
 *  - 'fujiso' (public SODA v1.1): gold and predictions sorted by start time, scores aligned; means
 *    over videos of P, R and F separately; videos without a prediction entry are dropped; an empty
 *    prediction list (which raises in the reference) scores 0 and is counted.
 * Argument swap (both variants): the caption scorer sees the GOLD caption as the candidate and the
 * prediction as its only reference (the references call `compute_score(preds, gold)`).
 */
import type { CaptionItem, CaptionScorer } from './caption-types.js';
import type { Span } from './iou.js';
import { denseCapIou, harmonicF1, iouMatrix, meanOf } from './densecap.js';

export type SodaVariant = 'timechat' | 'fujiso';

export interface SodaSegment {
  span: Span;
  /** Tokenized caption. */
  caption: string;
}

export interface SodaVideo {
  id: string;
  gold: SodaSegment[];
  /** null: no prediction entry for this video. */
  preds: SodaSegment[] | null;
}

export interface SodaOptions {
  variant: SodaVariant;
  /** Spans as given (densevid/SODA) or endpoint-sorted (TimeChat). */
  rawSpans: boolean;
}

export interface SodaVideoResult {
  id: string;
  precision: number;
  recall: number;
  f1: number;
  nPreds: number;
}

export interface SodaResult {
  /** Means over the scored videos (fractions). For 'timechat' the reported SODA_c is `f1`. */
  precision: number;
  recall: number;
  f1: number;
  videos: SodaVideoResult[];
  counts: {
    videos_scored: number;
    missing_videos_dropped: number;
    missing_videos_zeroed: number;
    empty_prediction_videos: number;
    /** Videos with ≥ 11 predictions, whose caption scores TimeChat misaligns. */
    misaligned_videos: number;
  };
}

/**
 * Best order-preserving one-to-one matching value of score matrix S [gold][pred], exactly as the
 * references' `chased_dp_assignment`: dp[i][j] = max(dp[i−1][j], dp[i][j−1], dp[i−1][j−1] + S[i][j]),
 * with the first row and column taking max(previous, S[i][j]).
 */
export function orderPreservingMatch(S: readonly (readonly number[])[]): number {
  const m = S.length;
  const n = m === 0 ? 0 : S[0]!.length;
  if (m === 0 || n === 0) return 0;
  let prev = new Array<number>(n).fill(0);
  let cur = new Array<number>(n).fill(0);
  for (let i = 0; i < m; i++) {
    const row = S[i]!;
    for (let j = 0; j < n; j++) {
      const s = row[j]!;
      if (i === 0 && j === 0) cur[j] = Math.max(-1, -1, s);
      else if (i === 0) cur[j] = Math.max(-1, cur[j - 1]!, s);
      else if (j === 0) cur[j] = Math.max(prev[j]!, -1, s);
      else cur[j] = Math.max(prev[j]!, cur[j - 1]!, prev[j - 1]! + s);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n - 1]!;
}

/**
 * Index order of items keyed "0".."n−1" after Python's `sorted()` on the string keys: the order in
 * which TimeChat's CIDEr/METEOR wrappers return per-item scores. Keys are ASCII digits, so
 * JavaScript's default string sort is Python's.
 */
export function pyStringKeyOrder(n: number): number[] {
  return Array.from({ length: n }, (_, i) => String(i))
    .sort()
    .map(Number);
}

/** Stable sort by start time (SODA v1.1 sorts gold by `timestamps[0]`, predictions by `timestamp[0]`). */
function byStart(segs: readonly SodaSegment[]): SodaSegment[] {
  return segs
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.span[0] - b.s.span[0] || a.i - b.i)
    .map((x) => x.s);
}

/** IoU matrix with entries below the threshold 0 zeroed (raw reversed spans can give −0). */
function sodaIou(gold: readonly SodaSegment[], preds: readonly SodaSegment[], rawSpans: boolean): number[][] {
  return iouMatrix(
    gold.map((g) => g.span),
    preds.map((p) => p.span),
    denseCapIou(rawSpans),
  ).map((row) => row.map((v) => (v < 0 ? 0 : v)));
}

/**
 * Caption score matrix [gold][pred]: row i scores gold caption i (candidate) against each prediction
 * (the single reference), one scorer call per gold caption, as both references do.
 */
export async function captionScoreMatrix(
  gold: readonly string[],
  preds: readonly string[],
  scorer: CaptionScorer,
  variant: SodaVariant,
  /** Rows whose scores are multiplied by an all-zero IoU row anyway: not scored (left 0). */
  skipRow: (i: number) => boolean = () => false,
): Promise<number[][]> {
  const order = variant === 'timechat' ? pyStringKeyOrder(preds.length) : null;
  const rows: number[][] = [];
  for (const [i, g] of gold.entries()) {
    if (skipRow(i)) {
      rows.push(new Array<number>(preds.length).fill(0));
      continue;
    }
    const items: CaptionItem[] = preds.map((p, j) => ({ id: String(j), candidate: g, references: [p] }));
    const per = (await scorer.score(items)).perItem.map((x) => (Number.isFinite(x) ? x : 0));
    rows.push(order ? order.map((k) => per[k]!) : per);
  }
  return rows;
}

type MatrixFn = (gold: SodaSegment[], preds: SodaSegment[], iou: number[][]) => Promise<number[][]>;

async function sodaGeneric(videos: readonly SodaVideo[], opts: SodaOptions, matrix: MatrixFn): Promise<SodaResult> {
  const counts: SodaResult['counts'] = { videos_scored: 0, missing_videos_dropped: 0, missing_videos_zeroed: 0, empty_prediction_videos: 0, misaligned_videos: 0 };
  const results: SodaVideoResult[] = [];
  for (const v of videos) {
    if (v.preds === null) {
      // TimeChat scores every video it is given (its caller decides which); SODA v1.1 keeps the
      // intersection of gold and prediction ids.
      if (opts.variant === 'fujiso') {
        counts.missing_videos_dropped++;
        continue;
      }
      counts.missing_videos_zeroed++;
    }
    const preds0 = v.preds ?? [];
    if (v.preds !== null && preds0.length === 0) counts.empty_prediction_videos++;
    counts.videos_scored++;
    if (preds0.length === 0 || v.gold.length === 0) {
      results.push({ id: v.id, precision: 0, recall: 0, f1: 0, nPreds: preds0.length });
      continue;
    }
    const gold = opts.variant === 'fujiso' ? byStart(v.gold) : v.gold;
    const preds = opts.variant === 'fujiso' ? byStart(preds0) : preds0;
    if (opts.variant === 'timechat' && preds.length >= 11) counts.misaligned_videos++;
    const iou = sodaIou(gold, preds, opts.rawSpans);
    const S = await matrix(gold, preds, iou);
    const best = orderPreservingMatch(S);
    const precision = best / preds.length;
    const recall = best / gold.length;
    results.push({ id: v.id, precision, recall, f1: harmonicF1(precision, recall), nPreds: preds.length });
  }
  return {
    precision: meanOf(results.map((r) => r.precision)),
    recall: meanOf(results.map((r) => r.recall)),
    f1: meanOf(results.map((r) => r.f1)),
    videos: results,
    counts,
  };
}

/** SODA_c: DP over IoU × caption score (gold caption as the candidate). */
export function sodaC(videos: readonly SodaVideo[], scorer: CaptionScorer, opts: SodaOptions): Promise<SodaResult> {
  return sodaGeneric(videos, opts, async (gold, preds, iou) => {
    const scores = await captionScoreMatrix(
      gold.map((g) => g.caption),
      preds.map((p) => p.caption),
      scorer,
      opts.variant,
      (i) => iou[i]!.every((x) => x === 0),
    );
    return iou.map((row, i) => row.map((x, j) => x * scores[i]![j]!));
  });
}

/** SODA_d (SODA v1.1 type "d"): DP over the IoU matrix alone; no caption scorer. */
export function sodaD(videos: readonly SodaVideo[], opts: SodaOptions): Promise<SodaResult> {
  return sodaGeneric(videos, opts, async (_g, _p, iou) => iou);
}
