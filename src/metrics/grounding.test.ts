import { describe, expect, it } from 'vitest';
import { FRAME_THRESHOLDS, frameGrounding, frameGroundingGrid, goldFrameMask, normalizedScores, timechatR1 } from './grounding.js';

describe('TimeChat R1@m', () => {
  it('first window, IoU C >= m (exact 0.7 hits, 0.6999… misses), empty = miss, same point = 0', () => {
    const r = timechatR1([
      { id: '0', gold: [0, 10], pred: [[0, 7], [0, 10]] },
      { id: '1', gold: [0.1, 4.4], pred: [[0.1, 3.11]] }, // 0.6999999999999998
      { id: '2', gold: [0, 10], pred: [] },
      { id: '3', gold: [5, 5], pred: [[5, 5]] },
      { id: '4', gold: [0, 10], pred: null },
    ]);
    expect(r.hits).toEqual({ 'R1@0.3': 2, 'R1@0.5': 2, 'R1@0.7': 1 });
    expect(r.recall['R1@0.7']).toBe(0.2);
    expect(r.emptyPredictions).toBe(1);
    expect(r.missingPredictions).toBe(1);
    expect(r.samePoint).toBe(1);
    expect(r.perQuery['3']).toBe(0);
  });
});

describe('MMDuet frame-level grounding', () => {
  const times = [0, 0.5, 1, 1.5, 2, 2.5];
  const q = { id: 'q', times, scores: [0, 0, 1, 1, 0, 0], gold: [[1, 1.5]] as [number, number][] };
  it('thresholds are np.arange(0.30, 0.71, 0.02): 21 values, 0.50 is 0.5000000000000002', () => {
    expect(FRAME_THRESHOLDS).toHaveLength(21);
    expect(FRAME_THRESHOLDS[2]).toBe(0.34);
    expect(FRAME_THRESHOLDS[10]).toBe(0.5000000000000002);
    expect(FRAME_THRESHOLDS[20]).toBe(0.7000000000000004);
  });
  it('gold frames inclusive at both ends', () => {
    expect(goldFrameMask(times, [[1, 1.5]])).toEqual([false, false, true, true, false, false]);
  });
  it('smoothing w = 1 then min-max gives [0, .5, 1, 1, .5, 0]; τ = 0.5 (≥) takes 4 frames, the grid value 0.5000000000000002 takes 2', () => {
    expect(normalizedScores(q.scores, 1)).toEqual([0, 0.5, 1, 1, 0.5, 0]);
    expect(frameGrounding([q], 1, 0.5).perQuery.q).toBe(0.5);
    expect(frameGrounding([q], 1, FRAME_THRESHOLDS[10]!).perQuery.q).toBe(1);
  });
  it('all-equal scores: NaN after min-max, IoU 0, counted', () => {
    const r = frameGrounding([{ ...q, scores: [0.25, 0.25, 0.25, 0.25, 0.25, 0.25] }], 2, 0.3);
    expect(r.perQuery.q).toBe(0);
    expect(r.allEqual).toBe(1);
    // Constant 0.2 is not constant after smoothing in float64 (0.2·3/3 ≠ 0.2·5/5), exactly as in NumPy: no NaN.
    expect(new Set(normalizedScores([0.2, 0.2, 0.2, 0.2, 0.2, 0.2], 2)).has(NaN)).toBe(false);
  });
  it('grid has 15 × 21 cells and the oracle takes the best τ per query', () => {
    const other = { id: 'r', times, scores: [0, 0.4, 1, 0.6, 0.2, 0], gold: [[0.5, 1.5]] as [number, number][] };
    const g = frameGroundingGrid([q, other]);
    expect(g.cells).toHaveLength(315);
    const w0 = g.cells.filter((c) => c.w === 0);
    for (const c of w0) expect(c.mIoU).toBeLessThanOrEqual(g.oracle[0]!.mIoU);
    // w = 0: q is exact at every τ (IoU 1); r: frames ≥ .4 are {1,2,3} vs gold {1,2,3} below τ = .4, then {2,3}: best 1.
    expect(g.oracle[0]!.mIoU).toBe(1);
    expect(g.cells[0]!.recall['R1@0.7']).toBe(1);
  });
});

describe('iousOverThresholds', () => {
  it('equals frameIoU at every grid threshold (including values exactly on a threshold and NaN)', async () => {
    const { iousOverThresholds, frameIoU } = await import('./grounding.js');
    const norm = [0, 0.3, 0.5, 0.5000000000000002, 0.7, 1, NaN, 0.34];
    const mask = [false, true, true, true, false, true, true, false];
    expect(iousOverThresholds(norm, mask, FRAME_THRESHOLDS)).toEqual(FRAME_THRESHOLDS.map((t) => frameIoU(norm, mask, t)));
  });
});
