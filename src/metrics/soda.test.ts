import { describe, expect, it } from 'vitest';
import type { CaptionItem, CaptionScorer } from './caption-types.js';
import { exactMatchScorer } from '../../test/helpers/fake-scorers.js';
import { captionScoreMatrix, orderPreservingMatch, pyStringKeyOrder, sodaC, sodaD, type SodaSegment, type SodaVideo } from './soda.js';


/** n disjoint 10-s segments with distinct one-word captions. */
const segments = (n: number): SodaSegment[] => Array.from({ length: n }, (_, i) => ({ span: [i * 20, i * 20 + 10], caption: `w${i}` }));
const nearlyOne = 10 / (10 + 1e-8);

describe('order-preserving DP matching', () => {
  it('takes the best monotone one-to-one assignment', () => {
    expect(orderPreservingMatch([[1, 0], [0, 1]])).toBe(2);
    expect(orderPreservingMatch([[0, 1], [1, 0]])).toBe(1); // crossing pairs are not allowed
    expect(orderPreservingMatch([[0.5, 0.9], [0.8, 0.1]])).toBeCloseTo(0.9, 12);
    expect(orderPreservingMatch([[0.2, 0.3, 0.4], [0.5, 0.1, 0.6]])).toBeCloseTo(0.3 + 0.6, 12) // (0,1) then (1,2);
  });

  it('Python sorted string-key order puts "10" before "2"', () => {
    expect(pyStringKeyOrder(12)).toEqual([0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pyStringKeyOrder(10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('SODA_c', () => {
  it('calls the scorer with the gold caption as candidate and the prediction as reference', async () => {
    const seen: CaptionItem[] = [];
    const recorder: CaptionScorer = {
      name: 'REC',
      description: 'records items',
      async score(items) {
        seen.push(...items);
        return { corpus: 0, perItem: items.map(() => 0) };
      },
    };
    await captionScoreMatrix(['gold one'], ['pred a', 'pred b'], recorder, 'fujiso');
    expect(seen.map((i) => [i.candidate, i.references])).toEqual([
      ['gold one', ['pred a']],
      ['gold one', ['pred b']],
    ]);
  });

  it('TimeChat misaligns caption scores with >= 11 predictions; SODA v1.1 does not', async () => {
    const eleven: SodaVideo = { id: 'v', gold: segments(11), preds: segments(11) };
    const aligned = await sodaC([eleven], exactMatchScorer, { variant: 'fujiso', rawSpans: true });
    expect(aligned.f1).toBeCloseTo(nearlyOne, 12);
    const tc = await sodaC([eleven], exactMatchScorer, { variant: 'timechat', rawSpans: false });
    // Scores come back as keys "0","1","10","2",...: only columns 0 and 1 still line up.
    expect(tc.f1).toBeCloseTo((2 * nearlyOne) / 11, 12);
    expect(tc.counts.misaligned_videos).toBe(1);
    const ten: SodaVideo = { id: 'v', gold: segments(10), preds: segments(10) };
    expect((await sodaC([ten], exactMatchScorer, { variant: 'timechat', rawSpans: false })).f1).toBeCloseTo(nearlyOne, 12);
  });

  it('SODA v1.1 sorts by start time; TimeChat keeps the emitted order', async () => {
    const reversed: SodaVideo = { id: 'v', gold: segments(3), preds: segments(3).reverse() };
    expect((await sodaC([reversed], exactMatchScorer, { variant: 'fujiso', rawSpans: true })).f1).toBeCloseTo(nearlyOne, 12);
    expect((await sodaC([reversed], exactMatchScorer, { variant: 'timechat', rawSpans: false })).f1).toBeCloseTo(nearlyOne / 3, 12);
  });

  it('P = best / #pred, R = best / #gold, F per video then averaged', async () => {
    const v: SodaVideo = { id: 'v', gold: segments(2), preds: [...segments(2), { span: [100, 110], caption: 'extra' }] };
    const r = await sodaC([v], exactMatchScorer, { variant: 'fujiso', rawSpans: true });
    expect(r.precision).toBeCloseTo((2 * nearlyOne) / 3, 12);
    expect(r.recall).toBeCloseTo(nearlyOne, 12);
    expect(r.f1).toBeCloseTo((2 * r.precision * r.recall) / (r.precision + r.recall), 12);
  });

  it('videos without predictions: TimeChat scores them 0, SODA v1.1 drops them; empty lists score 0', async () => {
    const good: SodaVideo = { id: 'g', gold: segments(2), preds: segments(2) };
    const missing: SodaVideo = { id: 'm', gold: segments(2), preds: null };
    const empty: SodaVideo = { id: 'e', gold: segments(2), preds: [] };
    const fj = await sodaC([good, missing, empty], exactMatchScorer, { variant: 'fujiso', rawSpans: true });
    expect(fj.videos.map((v) => v.id)).toEqual(['g', 'e']);
    expect(fj.f1).toBeCloseTo(nearlyOne / 2, 12);
    expect(fj.counts).toMatchObject({ missing_videos_dropped: 1, empty_prediction_videos: 1 });
    const tc = await sodaC([good, missing, empty], exactMatchScorer, { variant: 'timechat', rawSpans: false });
    expect(tc.f1).toBeCloseTo(nearlyOne / 3, 12);
  });

  it('SODA_d matches on IoU alone', async () => {
    const v: SodaVideo = { id: 'v', gold: segments(2), preds: [{ span: [0, 5], caption: 'zzz' }] };
    const d = await sodaD([v], { variant: 'fujiso', rawSpans: true });
    const iou = 5 / (10 + 1e-8);
    expect(d.precision).toBeCloseTo(iou, 12);
    expect(d.recall).toBeCloseTo(iou / 2, 12);
  });
});
