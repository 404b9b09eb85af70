/**
 * QVHighlights highlight detection (metrics.md §3.1), exactly as Moment-DETR's standalone evaluator:
 * HL-mAP (sklearn precision–recall curve, recall cast to float32, VOC envelope, unweighted mean of
 * the precisions where recall changes) and HIT@1, at the Fair / Good / VeryGood label thresholds.
 */
import { pairwiseSum } from './smoothing.js';

/** Clip length in seconds; `#clips = int(duration / 2)`. */
export const CLIP_SECONDS = 2;

/** Label thresholds (minimum annotator score for a positive clip), in the evaluator's order. */
export const SALIENCY_LEVELS = [
  { name: 'Fair', min: 2 },
  { name: 'Good', min: 3 },
  { name: 'VeryGood', min: 4 },
] as const;
export type SaliencyLevel = (typeof SALIENCY_LEVELS)[number]['name'];

export interface HighlightGold {
  duration: number;
  relevantClipIds: readonly number[];
  /** One `[a, b, c]` triple (three annotators, 0–4) per relevant clip. */
  saliencyScores: readonly (readonly number[])[];
}

export interface HighlightQuery {
  qid: string;
  gold: HighlightGold;
  /** One predicted score per 2-s clip (any length: truncated / zero-padded for AP, whole list for HIT@1). */
  predScores: readonly number[];
}

export interface HighlightLevelResult {
  /** Fractions (0..1). */
  mAP: number;
  hit1: number;
}

export interface HighlightResult {
  levels: Record<SaliencyLevel, HighlightLevelResult>;
  /** qid -> level -> [AP annotator 0, 1, 2] and the HIT@1 value (0/1). */
  perQuery: Record<string, Record<SaliencyLevel, { ap: [number, number, number]; hit: number }>>;
}

/** `int(duration / 2)`: Python truncation toward zero. */
export function numClips(duration: number): number {
  return Math.trunc(duration / CLIP_SECONDS);
}

/** Gold matrix (#clips x 3): zero except the relevant clips' three annotator scores. */
export function goldSaliencyMatrix(gold: HighlightGold): number[][] {
  const n = numClips(gold.duration);
  const m: number[][] = Array.from({ length: n }, () => [0, 0, 0]);
  gold.relevantClipIds.forEach((clip, k) => {
    // NumPy fancy assignment: negative ids index from the end; out-of-range ids raise in the reference.
    const row = clip < 0 ? n + clip : clip;
    if (!Number.isInteger(row) || row < 0 || row >= n) throw new RangeError(`relevant clip id ${clip} is outside the ${n} clips of a ${gold.duration} s video`);
    const s = gold.saliencyScores[k];
    if (!s || s.length !== 3) throw new RangeError(`relevant clip ${clip} needs three annotator scores`);
    m[row] = [s[0]!, s[1]!, s[2]!];
  });
  return m;
}

/**
 * `get_ap(y_true, y_predict)` of the evaluator: all-0 labels -> 0, all-1 -> 1; otherwise the
 * sklearn precision–recall curve (one point per distinct score, descending; ties grouped), the
 * point (1, 0) appended, recall cast to float32, precision replaced by its running maximum from the
 * high-recall end, and AP = unweighted mean of the precisions at the indices where recall changes.
 */
export function averagePrecisionBinary(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new RangeError(`labels (${n}) and scores (${scores.length}) differ in length`);
  if (n === 0) return 0;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] ? 1 : 0;
  if (positives === 0) return 0;
  if (positives === n) return 1;
  return apFromOrder(labels, scores, descendingOrder(scores), positives);
}

/** Indices by descending score; ties do not matter because a threshold takes a whole tie group. */
function descendingOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
}

function apFromOrder(labels: ArrayLike<number>, scores: ArrayLike<number>, order: readonly number[], positives: number): number {
  const n = labels.length;
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  for (let k = 0; k < n; k++) {
    tp += labels[order[k]!] ? 1 : 0;
    if (k === n - 1 || scores[order[k + 1]!] !== scores[order[k]!]) {
      tps.push(tp);
      fps.push(k + 1 - tp);
    }
  }
  // Reversed (lowest threshold first), then the (precision 1, recall 0) point, as sklearn returns it.
  const m = tps.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float32Array(m + 1);
  for (let k = 0; k < m; k++) {
    const src = m - 1 - k;
    precision[k] = tps[src]! / (tps[src]! + fps[src]!);
    recall[k] = tps[src]! / positives;
  }
  precision[m] = 1;
  recall[m] = 0;
  for (let i = 1; i <= m; i++) precision[i] = Math.max(precision[i - 1]!, precision[i]!);
  const picked: number[] = [];
  for (let i = 0; i < m; i++) if (recall[i + 1] !== recall[i]) picked.push(precision[i]!);
  return pairwiseSum(picked) / picked.length;
}

/** `np.argmax`: the first maximum; a NaN counts as the maximum (its first occurrence wins). */
export function npArgmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) return i;
    if (v > values[best]!) best = i;
  }
  return best;
}

/** Scores truncated or zero-padded to `n` clips (compute_ap_from_tuple). */
function fitToClips(scores: readonly number[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < Math.min(n, scores.length); i++) out[i] = scores[i]!;
  return out;
}

/** HL-mAP and HIT@1 at the three label thresholds; queries in the given (submission) order. */
export function evaluateHighlight(queries: readonly HighlightQuery[]): HighlightResult {
  const perQuery: HighlightResult['perQuery'] = {};
  const apFlat: Record<SaliencyLevel, number[]> = { Fair: [], Good: [], VeryGood: [] };
  const hits: Record<SaliencyLevel, number[]> = { Fair: [], Good: [], VeryGood: [] };
  for (const q of queries) {
    const gold = goldSaliencyMatrix(q.gold);
    const n = gold.length;
    const fitted = fitToClips(q.predScores, n);
    const top = npArgmax(q.predScores);
    const order = descendingOrder(fitted);
    const entry = {} as Record<SaliencyLevel, { ap: [number, number, number]; hit: number }>;
    for (const level of SALIENCY_LEVELS) {
      const ap = [0, 1, 2].map((a) => {
        const labels = gold.map((row) => (row[a]! >= level.min ? 1 : 0));
        const positives = labels.reduce((s: number, v) => s + v, 0);
        return positives === 0 ? 0 : positives === n ? 1 : apFromOrder(labels, fitted, order, positives);
      }) as [number, number, number];
      // An index >= #clips (prediction longer than the video) is a miss.
      const hit = top < n && q.predScores.length > 0 ? (gold[top]!.some((s) => s >= level.min) ? 1 : 0) : 0;
      entry[level.name] = { ap, hit };
      apFlat[level.name].push(...ap);
      hits[level.name].push(hit);
    }
    perQuery[q.qid] = entry;
  }
  const levels = {} as HighlightResult['levels'];
  for (const level of SALIENCY_LEVELS) {
    levels[level.name] = {
      // np.mean over the (#queries, 3) matrix = pairwise sum of its row-major flattening.
      mAP: pairwiseSum(apFlat[level.name]) / apFlat[level.name].length,
      hit1: pairwiseSum(hits[level.name]) / hits[level.name].length,
    };
  }
  return { levels, perQuery };
}
