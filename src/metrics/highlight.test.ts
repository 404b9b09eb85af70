import { describe, expect, it } from 'vitest';
import { averagePrecisionBinary, evaluateHighlight, goldSaliencyMatrix, npArgmax, numClips } from './highlight.js';

describe('averagePrecisionBinary (Moment-DETR get_ap)', () => {
  it('all-negative labels give 0 and all-positive labels give 1, whatever the scores', () => {
    expect(averagePrecisionBinary([0, 0, 0], [0.9, 0.1, 0.5])).toBe(0);
    expect(averagePrecisionBinary([1, 1, 1], [0.1, 0.2, 0.3])).toBe(1);
  });
  it('distinct scores: mean of envelope precisions where recall changes (5/6)', () => {
    expect(averagePrecisionBinary([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])).toBeCloseTo(5 / 6, 15);
  });
  it('tied scores form one threshold: 2/3 instead of the 5/6 of the untied order', () => {
    expect(averagePrecisionBinary([1, 0, 1], [0.5, 0.5, 0.2])).toBeCloseTo(2 / 3, 15);
    expect(averagePrecisionBinary([1, 0, 1], [0.5, 0.4, 0.2])).toBeCloseTo(5 / 6, 15);
  });
  it('perfect ranking gives 1, reversed ranking the unweighted mean of 1/3 and 1/2... ', () => {
    expect(averagePrecisionBinary([1, 1, 0, 0], [4, 3, 2, 1])).toBe(1);
    // Reversed: thresholds 4 (P 0, R 0), 3 (0, 0), 2 (1/3, 1/2), 1 (1/2, 1) -> envelope picks 1/2 and 1/2.
    expect(averagePrecisionBinary([0, 0, 1, 1], [4, 3, 2, 1])).toBeCloseTo(0.5, 15);
  });
});

describe('HIT@1 and clip grid', () => {
  it('#clips = int(duration / 2); relevant clips hold the 3 annotator scores', () => {
    expect(numClips(150)).toBe(75);
    expect(numClips(7.9)).toBe(3);
    expect(goldSaliencyMatrix({ duration: 6, relevantClipIds: [1], saliencyScores: [[4, 2, 0]] })).toEqual([[0, 0, 0], [4, 2, 0], [0, 0, 0]]);
  });
  it('argmax takes the first maximum (NaN wins as in NumPy)', () => {
    expect(npArgmax([1, 3, 3, 2])).toBe(1);
    expect(npArgmax([1, NaN, 5])).toBe(1);
  });
  it('hit = max over annotators at the top clip; a top clip beyond #clips is a miss; padding with 0 for AP', () => {
    const gold = { duration: 6, relevantClipIds: [0, 2], saliencyScores: [[1, 4, 1], [2, 2, 2]] };
    const r = evaluateHighlight([
      { qid: 'a', gold, predScores: [0.9, 0.1] }, // top clip 0: VeryGood hit via annotator 1; padded to [0.9, 0.1, 0]
      { qid: 'b', gold, predScores: [0, 0, 0, 5] }, // top clip 3 >= 3 clips: miss; truncated to [0, 0, 0]
    ]);
    expect(r.levels.VeryGood.hit1).toBe(0.5);
    expect(r.levels.Fair.hit1).toBe(0.5);
    // Fair labels: annotators 0 and 2 -> [0, 0, 1] (positive ranked last: 1/3); annotator 1 -> [1, 0, 1] (5/6).
    const [a0, a1, a2] = r.perQuery.a!.Fair.ap;
    expect([a0, a2]).toEqual([1 / 3, 1 / 3]);
    expect(a1).toBeCloseTo(5 / 6, 15);
    // Query b, all scores tied: one threshold, precision = positives / 3 at full recall.
    expect(r.perQuery.b!.Fair.ap[0]).toBeCloseTo(1 / 3, 15);
    expect(r.perQuery.b!.Fair.ap[1]).toBeCloseTo(2 / 3, 15);
    expect(r.perQuery.b!.VeryGood.ap).toEqual([0, 0.3333333333333333, 0]);
  });
});
