import { describe, expect, it } from 'vitest';
import { exactMatchScorer } from '../../test/helpers/fake-scorers.js';
import { detectionPR, evaluateDenseCaptions, fillerGenerator, iouMatrix, matchCaptions, denseCapIou, DVC_TIOUS, type CaptionToolkit, type DenseCapOptions, type DvcVideo } from './densecap.js';


const tokenizerCalls: { text: string; strip: boolean }[] = [];
const fakeToolkit: CaptionToolkit = {
  tokenize(text, opts) {
    tokenizerCalls.push({ text, strip: opts.stripNonAscii === true });
    return text.toLowerCase();
  },
  cider: exactMatchScorer,
};

const OPTS: DenseCapOptions = { rawSpans: false, stripNonAscii: false, missingVideos: 'drop', f1: 'per-video' };
const seg = (s: number, e: number, caption = 'x') => ({ span: [s, e] as [number, number], caption });

describe('detection P/R (variant A IoU, strict >)', () => {
  it('an IoU of exactly 0.5 fails > 0.5 because of the 1e-8 in the denominator', () => {
    const ious = iouMatrix([[0, 10]], [[0, 5]], denseCapIou(false));
    expect(ious[0]![0]).toBeLessThan(0.5);
    expect(ious[0]![0]).toBeCloseTo(0.5, 8);
    const { precision, recall } = detectionPR(ious, 1, 1, DVC_TIOUS);
    expect(precision).toEqual([1, 0, 0, 0]);
    expect(recall).toEqual([1, 0, 0, 0]);
  });

  it('an empty prediction list has precision 0 (denominator max(#pred, 1)) and recall 0', () => {
    expect(detectionPR([[]], 0, 1, DVC_TIOUS)).toEqual({ precision: [0, 0, 0, 0], recall: [0, 0, 0, 0] });
  });

  it('precision and recall count covered predictions and covered gold separately', () => {
    // Two predictions on the same gold segment: both covered, one gold of two covered.
    const ious = iouMatrix([[0, 10], [20, 30]], [[0, 10], [1, 10]], denseCapIou(false));
    const { precision, recall } = detectionPR(ious, 2, 2, [0.5]);
    expect(precision).toEqual([1]);
    expect(recall).toEqual([0.5]);
  });
});

describe('caption matching (IoU >= t, filler for unmatched predictions)', () => {
  it('forms one item per matching pair and one filler item per unmatched prediction', () => {
    const ious = iouMatrix([[0, 10], [10, 20]], [[0, 10], [15, 25]], denseCapIou(false));
    const { items, fillers } = matchCaptions(ious, ['a b', 'c d'], ['a b', 'c d'], [0.3, 0.5], fillerGenerator(1));
    expect(items[0]!.map((i) => i.references[0])).toEqual(['a b', 'c d']);
    expect(items[1]![0]!.references).toEqual(['a b']);
    expect(items[1]![1]!.references[0]).toMatch(/^[a-z]{10,20}$/);
    expect(fillers).toBe(1);
  });

  it('the filler generator is deterministic for a seed and draws 10-20 lowercase letters', () => {
    const a = fillerGenerator(42);
    const b = fillerGenerator(42);
    const xs = Array.from({ length: 200 }, () => a());
    expect(xs).toEqual(Array.from({ length: 200 }, () => b()));
    for (const x of xs) expect(x).toMatch(/^[a-z]{10,20}$/);
    expect(new Set(xs.map((x) => x.length)).size).toBe(11);
  });
});

describe('evaluateDenseCaptions', () => {
  const videoA: DvcVideo = { id: 'A', gold: [seg(0, 10, 'A B'), seg(10, 20, 'c d')], preds: [seg(0, 10, 'a b'), seg(15, 25, 'c d')] };

  it('averages per-video caption scores over tIoUs, then over videos', async () => {
    const r = await evaluateDenseCaptions([videoA], fakeToolkit, OPTS);
    // t=0.3: both pairs match exactly (1, 1); t>=0.5: the second prediction only has a filler (1, 0).
    expect(r.perTiou.CIDEr).toEqual([1, 0.5, 0.5, 0.5]);
    expect(r.captionMeans.CIDEr).toBe(0.625);
    expect(r.counts.filler_items).toBe(3);
    expect(r.counts.caption_items).toBe(8);
    // Unavailable scorers are null, never 0.
    expect(r.captionMeans.METEOR).toBeNull();
    expect(r.captionMeans.BLEU_1).toBeNull();
    expect(r.perTiou.ROUGE_L).toEqual([null, null, null, null]);
  });

  it('F1: per-video mean (TimeChat) differs from the F1 of the means (PDVC)', async () => {
    const videoB: DvcVideo = { id: 'B', gold: [seg(0, 10)], preds: [seg(0, 10), seg(50, 60)] };
    const videoC: DvcVideo = { id: 'C', gold: [seg(0, 10)], preds: [seg(0, 10)] };
    const per = await evaluateDenseCaptions([videoB, videoC], fakeToolkit, OPTS);
    expect(per.precision).toBeCloseTo(0.75, 12);
    expect(per.recall).toBe(1);
    expect(per.f1).toBeCloseTo((2 / 3 + 1) / 2, 12);
    const ofMeans = await evaluateDenseCaptions([videoB, videoC], fakeToolkit, { ...OPTS, f1: 'of-means' });
    expect(ofMeans.f1).toBeCloseTo((2 * 0.75) / 1.75, 12);
  });

  it('missing videos: dropped (MMDuet) or scored 0 (densevid/TimeChat)', async () => {
    const missing: DvcVideo = { id: 'M', gold: [seg(0, 10)], preds: null };
    const perfect: DvcVideo = { id: 'P', gold: [seg(0, 10, 'q')], preds: [seg(0, 10, 'q')] };
    const drop = await evaluateDenseCaptions([perfect, missing], fakeToolkit, OPTS);
    expect(drop.videos.map((v) => v.id)).toEqual(['P']);
    expect(drop.counts.missing_videos_dropped).toBe(1);
    expect(drop.precision).toBe(1);
    const zero = await evaluateDenseCaptions([perfect, missing], fakeToolkit, { ...OPTS, missingVideos: 'zero' });
    expect(zero.videos.map((v) => v.id)).toEqual(['P', 'M']);
    expect(zero.precision).toBe(0.5);
    expect(zero.captionMeans.CIDEr).toBe(0.5);
    expect(zero.nPredsMean).toBe(0.5);
  });

  it('reversed spans: sorted by default (TimeChat), raw with rawSpans (densevid)', async () => {
    const v: DvcVideo = { id: 'R', gold: [seg(0, 10)], preds: [seg(10, 0)] };
    const sorted = await evaluateDenseCaptions([v], fakeToolkit, OPTS);
    expect(sorted.perTiou.Precision).toEqual([1, 1, 1, 1]);
    expect(sorted.counts.reversed_pred_spans).toBe(1);
    const raw = await evaluateDenseCaptions([v], fakeToolkit, { ...OPTS, rawSpans: true });
    expect(raw.perTiou.Precision).toEqual([0, 0, 0, 0]);
  });

  it('passes the non-ASCII option to the tokenizer', async () => {
    tokenizerCalls.length = 0;
    await evaluateDenseCaptions([videoA], fakeToolkit, { ...OPTS, stripNonAscii: true });
    expect(tokenizerCalls.length).toBe(3); // distinct captions tokenized once each
    expect(tokenizerCalls.every((c) => c.strip)).toBe(true);
  });
});
