import { describe, expect, it } from 'vitest';
import { detectionAP, evaluateMomentRetrieval, interpolatedAP, MAP_IOU_THRESHOLDS, roundLikeReference, UNIVTG_R_THRESHOLDS } from './retrieval.js';
import { iouCross, iouPaired } from './iou.js';

describe('thresholds and rounding', () => {
  it('are the evaluator literals', () => {
    expect(MAP_IOU_THRESHOLDS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    expect(UNIVTG_R_THRESHOLDS[0]).toBe(0.3);
    expect(UNIVTG_R_THRESHOLDS).toHaveLength(14);
  });
  it('roundLikeReference = float(f"{100 v:.2f}") with ties to even on the binary value', () => {
    expect(roundLikeReference(0.53943)).toBe(53.94);
    expect(roundLikeReference(0.00125)).toBe(0.12); // 0.125 exactly -> even
  });
});

describe('B1 (cross) vs B2 (paired) IoU', () => {
  it('agree on overlapping windows and differ on a shared single point (NaN vs 0)', () => {
    expect(iouCross([0, 10], [5, 20])).toBe(0.25);
    expect(iouPaired([0, 10], [5, 20])).toBe(0.25);
    expect(Number.isNaN(iouCross([3, 3], [3, 3]))).toBe(true);
    expect(iouPaired([3, 3], [3, 3])).toBe(0);
  });
});

describe('detectionAP (ActivityNet greedy matching, VOC interpolation)', () => {
  it('a duplicate of a matched window is a false positive after the TP: AP stays 1', () => {
    expect(detectionAP([[0, 10]], [[0, 10, 0.9], [0, 10, 0.8]])).toEqual(Array(10).fill(1));
  });
  it('sorts by score (stable): a FP ranked first halves the AP', () => {
    const ap = detectionAP([[0, 10]], [[50, 60, 0.5], [0, 10, 0.9], [40, 45, 0.9]]);
    // Order: [0,10] (0.9), [40,45] (0.9, later in file), [50,60]: TP first -> AP 1.
    expect(ap[0]).toBe(1);
    expect(detectionAP([[0, 10]], [[40, 45, 0.9], [0, 10, 0.9]])[0]).toBe(0.5);
  });
  it('threshold is inclusive: IoU exactly 0.7 matches at 0.7, not at 0.75', () => {
    const ap = detectionAP([[0, 10]], [[0, 7, 1]]);
    expect(ap[MAP_IOU_THRESHOLDS.indexOf(0.7)]).toBe(1);
    expect(ap[MAP_IOU_THRESHOLDS.indexOf(0.75)]).toBe(0);
  });
  it('interpolatedAP on a hand case', () => {
    // TP, FP, TP with 2 GT: P = 1, .5, 2/3; R = .5, .5, 1 -> .5·1 + .5·(2/3).
    expect(interpolatedAP([1, 0.5, 2 / 3], [0.5, 0.5, 1])).toBeCloseTo(5 / 6, 15);
  });
});

describe('evaluateMomentRetrieval', () => {
  const q = (qid: string, gold: [number, number][], pred: [number, number, number][]) => ({ qid, gold, pred });
  it('R1 uses the first window in file order with B2 IoU; exact 0.7 passes, float 0.6999… fails', () => {
    const r = evaluateMomentRetrieval([
      q('a', [[0, 10]], [[0, 7, 0.1], [0, 10, 0.9]]),
      q('b', [[1.2, 2.74]], [[1.2, 3.4, 1]]),
      q('c', [[0.1, 4.4]], [[0.1, 3.11, 1]]),
    ]);
    // metrics.md §1 cites [1.2, 3.4] vs [1.2, 2.74] as a failing 0.6999…; in float64 it is 0.7000000000000001 and passes (golden cs_03 agrees).
    expect(iouPaired([1.2, 3.4], [1.2, 2.74])).toBe(0.7000000000000001);
    expect(iouPaired([0.1, 3.11], [0.1, 4.4])).toBe(0.6999999999999998);
    expect(r.buckets.full!.R1['0.7']).toBe(2 / 3);
    expect(r.buckets.full!.R1['0.5']).toBe(1);
  });
  it('empty prediction list: R1 miss, absent from the mAP mean; empty buckets are null (moment_detr) or full (univtg)', () => {
    const qs = [q('a', [[0, 20]], [[0, 20, 1]]), q('b', [[0, 20]], [])];
    const r = evaluateMomentRetrieval(qs);
    expect(r.emptyPredictions).toBe(1);
    expect(r.buckets.full!.R1['0.5']).toBe(0.5);
    expect(r.buckets.full!.mAP.average).toBe(1);
    expect(r.buckets.middle!.queries).toBe(2);
    expect(r.buckets.short).toBeNull();
    expect(r.buckets.long).toBeNull();
    const u = evaluateMomentRetrieval(qs, 'univtg');
    expect(u.bucketFallbacks).toEqual(['short', 'long']);
    expect(u.buckets.short!.queries).toBe(2);
    expect(u.buckets.full!.mIoU).toBe(0.5);
    expect(u.buckets.full!.R5!['0.9']).toBe(0.5);
  });
  it('buckets filter GT windows by length (min, max] but keep all predictions', () => {
    const r = evaluateMomentRetrieval([q('a', [[0, 10], [20, 60]], [[20, 60, 0.9], [0, 10, 0.8]])]);
    // short bucket keeps GT [0,10] only; the first window [20,60] then has IoU 0 for R1, AP = 0.5.
    expect(r.buckets.short!.R1['0.5']).toBe(0);
    expect(r.buckets.short!.mAP['0.5']).toBe(0.5);
    expect(r.buckets.long!.R1['0.5']).toBe(1);
  });
});
