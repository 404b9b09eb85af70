/**
 * Dense video captioning metrics (metrics.md §2.1–§2.3, §2.11): detection precision/recall at tIoU
 * thresholds, F1 (per-video mean or F1 of the means), caption matching with the random filler
 * reference, and per-video caption scores averaged over tIoUs and then over videos. This is the
 * computation densevid_eval and TimeChat's copy (the one MMDuet calls) share; the conventions that
 * differ between them are options.
 *
 * Pure functions over plain data. Caption scorers and the tokenizer are parameters, so tests can use
 * fakes and SODA/METEOR stay pluggable.
 */
import type { CaptionItem, CaptionScorer, CorpusScore } from './caption-types.js';
import { iouDenseCap, sortedSpan, type Span } from './iou.js';
import { mulberry32 } from '../util/prng.js';

export const DVC_TIOUS: readonly number[] = [0.3, 0.5, 0.7, 0.9];

/** Caption metric names as reported (fractions internally). */
export const BLEU_KEYS = ['BLEU_1', 'BLEU_2', 'BLEU_3', 'BLEU_4'] as const;
export type CaptionMetric = (typeof BLEU_KEYS)[number] | 'ROUGE_L' | 'CIDEr' | 'METEOR';
export const CAPTION_METRICS: readonly CaptionMetric[] = [...BLEU_KEYS, 'ROUGE_L', 'CIDEr', 'METEOR'];

export interface DvcSegment {
  span: Span;
  /** Raw caption text (tokenized inside the evaluation). */
  caption: string;
}

export interface DvcVideo {
  id: string;
  gold: DvcSegment[];
  /** null: the video has no prediction entry at all; []: an entry with no segment. */
  preds: DvcSegment[] | null;
}

/** The caption tools: a PTB tokenizer and the scorers. A missing scorer reports null, never 0. */
export interface CaptionToolkit {
  tokenize(text: string, opts: { stripNonAscii?: boolean }): string;
  bleu?: ((items: CaptionItem[]) => { corpus: number[] }) | null;
  rougeL?: ((items: CaptionItem[]) => CorpusScore) | null;
  cider?: CaptionScorer | null;
  meteor?: CaptionScorer | null;
}

export interface DenseCapOptions {
  tious?: readonly number[];
  /** densevid/SODA use spans as given (a reversed span has negative length); TimeChat sorts endpoints. */
  rawSpans: boolean;
  stripNonAscii: boolean;
  /** Videos whose `preds` is null: dropped (MMDuet pre-filter) or scored 0 (densevid/TimeChat). */
  missingVideos: 'drop' | 'zero';
  f1: 'per-video' | 'of-means';
  /** Seed of the filler-reference generator (default FILLER_SEED). */
  fillerSeed?: number;
}

export interface DvcVideoResult {
  id: string;
  nPreds: number;
  /** Per tIoU, in `tious` order. */
  precision: number[];
  recall: number[];
  precisionMean: number;
  recallMean: number;
  /** 2PR/(P+R) of this video's tIoU-averaged P and R (0 when P + R = 0). */
  f1: number;
  /** Per metric, one value per tIoU; null when the scorer is unavailable. */
  captions: Record<CaptionMetric, number[] | null>;
  captionMeans: Record<CaptionMetric, number | null>;
}

export interface DenseCapResult {
  tious: number[];
  videos: DvcVideoResult[];
  /** Means over videos at each tIoU (fractions); caption metrics null when unavailable. */
  perTiou: Record<'Precision' | 'Recall' | CaptionMetric, (number | null)[]>;
  precision: number;
  recall: number;
  /** Mean of per-video F1 (TimeChat/MMDuet). */
  f1PerVideo: number;
  /** 2PR/(P+R) of the averaged P and R (PDVC/Vid2Seq papers). */
  f1OfMeans: number;
  /** The F1 the options ask for. */
  f1: number;
  captionMeans: Record<CaptionMetric, number | null>;
  nPredsMean: number;
  counts: {
    gold_videos: number;
    videos_scored: number;
    missing_videos: number;
    missing_videos_dropped: number;
    missing_videos_zeroed: number;
    empty_prediction_videos: number;
    reversed_pred_spans: number;
    reversed_gold_spans: number;
    caption_items: number;
    filler_items: number;
  };
}

/**
 * Default seed of the filler generator. The references draw 10–20 random lowercase letters with
 * Python's unseeded `random`; the filler is always exactly one token that (in practice) matches no
 * candidate token, so its letters never change a score — only its length in tokens (1) does, and
 * that is fixed. Seeding makes our runs reproducible bit for bit. For the same reason two item sets
 * that differ only in their fillers' letters score identically, which lets a video's identical
 * tIoU item sets be scored once.
 */
export const FILLER_SEED = 0x5eed;

/** A generator of filler references: 10–20 random lowercase letters, as densevid's `random_string`. */
export function fillerGenerator(seed = FILLER_SEED): () => string {
  const rand = mulberry32(seed);
  return () => {
    const len = 10 + Math.floor(rand() * 11);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(97 + Math.floor(rand() * 26));
    return s;
  };
}

/** IoU variant A, with TimeChat's endpoint sorting unless `rawSpans`. */
export function denseCapIou(rawSpans: boolean): (a: Span, b: Span) => number {
  return rawSpans ? iouDenseCap : (a, b) => iouDenseCap(sortedSpan(a), sortedSpan(b));
}

/** IoU matrix [gold][pred]. */
export function iouMatrix(gold: readonly Span[], preds: readonly Span[], iou: (a: Span, b: Span) => number): number[][] {
  return gold.map((g) => preds.map((p) => iou(p, g)));
}

/**
 * Detection P/R of one video at each tIoU (§2.1): a prediction (gold segment) is covered when its
 * IoU with some gold segment (prediction) is strictly greater than t. Precision divides by
 * max(#pred, 1), so an empty prediction list gives P = 0 rather than a division by zero.
 */
export function detectionPR(ious: number[][], nPreds: number, nGold: number, tious: readonly number[]): { precision: number[]; recall: number[] } {
  const precision: number[] = [];
  const recall: number[] = [];
  for (const t of tious) {
    const predCovered = new Set<number>();
    const goldCovered = new Set<number>();
    ious.forEach((row, g) =>
      row.forEach((v, p) => {
        if (v > t) {
          predCovered.add(p);
          goldCovered.add(g);
        }
      }),
    );
    precision.push(predCovered.size / Math.max(nPreds, 1));
    recall.push(nGold === 0 ? 0 : goldCovered.size / nGold);
  }
  return { precision, recall };
}

export function harmonicF1(p: number, r: number): number {
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

export function meanOf(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Caption matching of one video at each tIoU (§2.3): every (gold, prediction) pair with IoU ≥ t is
 * one item (the prediction is the candidate); a prediction with no such pair forms one item whose
 * reference is a filler. Captions here are already tokenized. `keys[k]` identifies the item set of
 * tIoU k with every filler written as one marker: sets with equal keys score identically (see
 * FILLER_SEED), so each distinct set is scored once.
 */
export function matchCaptions(
  ious: number[][],
  goldCaptions: readonly string[],
  predCaptions: readonly string[],
  tious: readonly number[],
  filler: () => string,
): { items: CaptionItem[][]; keys: string[]; fillers: number } {
  const items: CaptionItem[][] = tious.map(() => []);
  const keys: string[] = [];
  let fillers = 0;
  tious.forEach((t, k) => {
    const key: number[] = [];
    predCaptions.forEach((cand, p) => {
      let added = false;
      goldCaptions.forEach((ref, g) => {
        if (ious[g]![p]! >= t) {
          items[k]!.push({ id: String(items[k]!.length), candidate: cand, references: [ref] });
          key.push(p, g);
          added = true;
        }
      });
      if (!added) {
        items[k]!.push({ id: String(items[k]!.length), candidate: cand, references: [filler()] });
        key.push(p, -1);
        fillers++;
      }
    });
    keys.push(key.join(','));
  });
  return { items, keys, fillers };
}

/** NaN becomes 0, as TimeChat's `np.nan_to_num` does. */
function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** One video's caption scores at one tIoU; a video with no items scores 0 (both references do). */
async function scoreItems(items: CaptionItem[], tk: CaptionToolkit): Promise<Record<CaptionMetric, number | null>> {
  const out = {} as Record<CaptionMetric, number | null>;
  const empty = items.length === 0;
  const bleu = tk.bleu ? (empty ? [0, 0, 0, 0] : tk.bleu(items).corpus) : null;
  BLEU_KEYS.forEach((k, i) => (out[k] = bleu ? finite(bleu[i]!) : null));
  out.ROUGE_L = tk.rougeL ? (empty ? 0 : finite(tk.rougeL(items).corpus)) : null;
  out.CIDEr = tk.cider ? (empty ? 0 : finite((await tk.cider.score(items)).corpus)) : null;
  out.METEOR = tk.meteor ? (empty ? 0 : finite((await tk.meteor.score(items)).corpus)) : null;
  return out;
}

/** Whether the toolkit can compute metric `m` (otherwise it is reported as null). */
export function metricAvailable(tk: CaptionToolkit, m: CaptionMetric): boolean {
  if (m === 'ROUGE_L') return !!tk.rougeL;
  if (m === 'CIDEr') return !!tk.cider;
  if (m === 'METEOR') return !!tk.meteor;
  return !!tk.bleu;
}

/** Tokenizes each distinct caption once. */
export function cachedTokenizer(tk: CaptionToolkit, stripNonAscii: boolean): (text: string) => string {
  const cache = new Map<string, string>();
  return (text) => {
    let t = cache.get(text);
    if (t === undefined) {
      t = tk.tokenize(text, { stripNonAscii });
      cache.set(text, t);
    }
    return t;
  };
}

/** The videos that are averaged, after the missing-video rule (§2.11). */
export function selectVideos(videos: readonly DvcVideo[], missingVideos: 'drop' | 'zero'): { scored: DvcVideo[]; missing: number } {
  const missing = videos.filter((v) => v.preds === null).length;
  const scored = missingVideos === 'drop' ? videos.filter((v) => v.preds !== null) : [...videos];
  return { scored, missing };
}

function countReversed(segs: readonly DvcSegment[]): number {
  return segs.filter((s) => s.span[1] < s.span[0]).length;
}

/** The whole dense-captioning evaluation (§2.1–§2.3, §2.11). */
export async function evaluateDenseCaptions(videos: readonly DvcVideo[], tk: CaptionToolkit, opts: DenseCapOptions): Promise<DenseCapResult> {
  const tious = [...(opts.tious ?? DVC_TIOUS)];
  const iou = denseCapIou(opts.rawSpans);
  const tok = cachedTokenizer(tk, opts.stripNonAscii);
  const filler = fillerGenerator(opts.fillerSeed ?? FILLER_SEED);
  const { scored, missing } = selectVideos(videos, opts.missingVideos);
  const counts: DenseCapResult['counts'] = {
    gold_videos: videos.length,
    videos_scored: scored.length,
    missing_videos: missing,
    missing_videos_dropped: opts.missingVideos === 'drop' ? missing : 0,
    missing_videos_zeroed: opts.missingVideos === 'zero' ? missing : 0,
    empty_prediction_videos: videos.filter((v) => v.preds !== null && v.preds.length === 0).length,
    reversed_pred_spans: 0,
    reversed_gold_spans: 0,
    caption_items: 0,
    filler_items: 0,
  };

  const results: DvcVideoResult[] = [];
  for (const v of scored) {
    const preds = v.preds ?? [];
    counts.reversed_pred_spans += countReversed(preds);
    counts.reversed_gold_spans += countReversed(v.gold);
    const ious = iouMatrix(
      v.gold.map((g) => g.span),
      preds.map((p) => p.span),
      iou,
    );
    const { precision, recall } = detectionPR(ious, preds.length, v.gold.length, tious);
    const { items, keys, fillers } = matchCaptions(
      ious,
      v.gold.map((g) => tok(g.caption)),
      preds.map((p) => tok(p.caption)),
      tious,
      filler,
    );
    counts.filler_items += fillers;
    counts.caption_items += items.reduce((s, x) => s + x.length, 0);
    const byKey = new Map<string, Record<CaptionMetric, number | null>>();
    const perT = [];
    for (let k = 0; k < items.length; k++) {
      let scores = byKey.get(keys[k]!);
      if (!scores) {
        scores = await scoreItems(items[k]!, tk);
        byKey.set(keys[k]!, scores);
      }
      perT.push(scores);
    }
    const captions = {} as DvcVideoResult['captions'];
    const captionMeans = {} as DvcVideoResult['captionMeans'];
    for (const m of CAPTION_METRICS) {
      const vals = perT.map((s) => s[m]);
      captions[m] = vals.some((x) => x === null) ? null : (vals as number[]);
      captionMeans[m] = captions[m] === null ? null : meanOf(captions[m]);
    }
    const precisionMean = meanOf(precision);
    const recallMean = meanOf(recall);
    results.push({ id: v.id, nPreds: preds.length, precision, recall, precisionMean, recallMean, f1: harmonicF1(precisionMean, recallMean), captions, captionMeans });
  }

  const overVideos = (f: (r: DvcVideoResult) => number) => meanOf(results.map(f));
  const perTiou = {} as DenseCapResult['perTiou'];
  perTiou.Precision = tious.map((_, k) => overVideos((r) => r.precision[k]!));
  perTiou.Recall = tious.map((_, k) => overVideos((r) => r.recall[k]!));
  const captionMeans = {} as DenseCapResult['captionMeans'];
  for (const m of CAPTION_METRICS) {
    const available = metricAvailable(tk, m);
    perTiou[m] = tious.map((_, k) => (available ? overVideos((r) => r.captions[m]![k]!) : null));
    captionMeans[m] = available ? overVideos((r) => r.captionMeans[m]!) : null;
  }
  const precision = overVideos((r) => r.precisionMean);
  const recall = overVideos((r) => r.recallMean);
  const f1PerVideo = overVideos((r) => r.f1);
  const f1OfMeans = harmonicF1(precision, recall);
  return {
    tious,
    videos: results,
    perTiou,
    precision,
    recall,
    f1PerVideo,
    f1OfMeans,
    f1: opts.f1 === 'per-video' ? f1PerVideo : f1OfMeans,
    captionMeans,
    nPredsMean: overVideos((r) => r.nPreds),
    counts,
  };
}
