/**
 * YouCook2 dense video captioning (benchmarks.md §1, metrics.md §2). Reads the gold and prediction
 * files, converts predictions to segments, and computes detection P/R/F1, caption metrics, SODA_c
 * and paragraph metrics under the chosen protocol. Every quirk that changed a number is reported in
 * `notes` with a count.
 */
import type { BenchmarkModule, BenchmarkScore, MetricValue, ScoreRequest } from '../types.js';
import { InputError } from '../../errors.js';
import { GOLD_FORMATS, mmduetGoldCaptions, readGold, type GoldSet } from './gold.js';
import { PREDICTION_FORMATS, readPredictions, type PredictionSet } from './predictions.js';
import { cachedTokenizer, CAPTION_METRICS, DVC_TIOUS, evaluateDenseCaptions, selectVideos, type CaptionToolkit, type DvcVideo } from '../../metrics/densecap.js';
import { sodaC, sodaD, type SodaResult, type SodaVideo } from '../../metrics/soda.js';
import { paragraphScores } from '../../metrics/paragraph.js';
import { ptbTokenize } from '../../metrics/ptb-tokenizer.js';
import { bleu } from '../../metrics/bleu.js';
import { rougeL } from '../../metrics/rouge.js';
import { ciderScorer } from '../../metrics/cider.js';
import { meteorFromParams } from '../meteor-params.js';
import type { Conventions } from '../conventions.js';
import { stringParam as str } from '../params.js';

/** Gold caption handling: the MMDuet scorer's (". " → ", ", "." appended) or the captions as given. */
export type GoldCaptionHandling = 'mmduet' | 'raw';

const NON_ASCII = /[^\x00-\x7f]/;
const pct = (x: number | null): MetricValue => (x === null ? null : x * 100);

/** The evaluator's view of the gold captions; TimeChat-format captions already are. */
function goldForEvaluator(gold: GoldSet, handling: GoldCaptionHandling): { videos: GoldSet['videos']; replaced: number } {
  if (gold.format === 'timechat' || handling === 'raw') return { videos: gold.videos, replaced: 0 };
  let replaced = 0;
  const videos = gold.videos.map((v) => {
    const r = mmduetGoldCaptions(v.segments.map((s) => s.caption));
    replaced += r.replaced;
    return { ...v, segments: v.segments.map((s, i) => ({ span: s.span, caption: r.captions[i]! })) };
  });
  return { videos, replaced };
}

function joinVideos(gold: GoldSet['videos'], preds: PredictionSet): { videos: DvcVideo[]; unknownIds: number; outOfRange: number; goldWithoutSegments: number } {
  const goldIds = new Set(gold.map((g) => g.id));
  const unknownIds = [...preds.videos.keys()].filter((id) => !goldIds.has(id)).length;
  let outOfRange = 0;
  const withSegments = gold.filter((g) => g.segments.length > 0);
  const videos = withSegments.map((g) => {
    const p = preds.videos.get(g.id) ?? null;
    for (const s of p ?? []) {
      const lo = Math.min(s.span[0], s.span[1]);
      const hi = Math.max(s.span[0], s.span[1]);
      if (lo < 0 || (g.duration !== null && hi > g.duration)) outOfRange++;
    }
    return { id: g.id, gold: g.segments, preds: p };
  });
  return { videos, unknownIds, outOfRange, goldWithoutSegments: gold.length - withSegments.length };
}


async function buildToolkit(req: ScoreRequest): Promise<{ tk: CaptionToolkit; meteorReason?: string; meteorDescription?: string }> {
  const m = await meteorFromParams(req.params);
  return {
    tk: { tokenize: ptbTokenize, bleu, rougeL, cider: ciderScorer, meteor: m.scorer },
    meteorReason: m.scorer ? undefined : (m.reason ?? 'unavailable'),
    meteorDescription: m.scorer?.description,
  };
}

/** Everything read and joined from the files, before any metric runs. */
export interface PreparedYouCook2 {
  c: Conventions;
  handling: GoldCaptionHandling;
  gold: GoldSet;
  preds: PredictionSet;
  goldCaptionsReplaced: number;
  /** Gold videos (with segments) joined with their predictions (null = no prediction entry). */
  videos: DvcVideo[];
  /** The videos that are averaged, after the missing-video rule. */
  scored: DvcVideo[];
  unknownIds: number;
  outOfRange: number;
  goldWithoutSegments: number;
}

/** Reads both files, converts predictions to segments and joins them with the gold videos. */
export function prepareYouCook2(req: ScoreRequest): PreparedYouCook2 {
  const c: Conventions = req.conventions.conventions;
  const handling = (str(req.params.goldCaptions) ?? (req.conventions.protocol === 'mmduet' ? 'mmduet' : 'raw')) as GoldCaptionHandling;
  if (handling !== 'mmduet' && handling !== 'raw') throw new InputError(`youcook2: goldCaptions must be "mmduet" or "raw", found ${JSON.stringify(handling)}`);
  const gold = readGold(req.goldPath, req.goldFormat);
  const preds = readPredictions(req.predictionsPath, req.predictionsFormat, { baselineFormat: str(req.params.baselineFormat), firstCaption: c.dvcFirstCaption, parseMode: req.conventions.protocol });
  const g = goldForEvaluator(gold, handling);
  const { videos, unknownIds, outOfRange, goldWithoutSegments } = joinVideos(g.videos, preds);
  const { scored } = selectVideos(videos, c.missingVideos);
  if (scored.length === 0 || scored.every((v) => v.preds === null)) {
    const gid = videos[0]?.id;
    const pid = [...preds.videos.keys()][0];
    throw new InputError(
      `${req.predictionsPath}: no prediction matches a gold video of ${req.goldPath} (gold ids look like ${JSON.stringify(gid)}, prediction ids like ${JSON.stringify(pid)})`,
    );
  }
  return { c, handling, gold, preds, goldCaptionsReplaced: g.replaced, videos, scored, unknownIds, outOfRange, goldWithoutSegments };
}

export async function scoreYouCook2(req: ScoreRequest): Promise<BenchmarkScore> {
  const prepared = prepareYouCook2(req);
  const { tk, meteorReason, meteorDescription } = await buildToolkit(req);
  try {
    return await scoreWithToolkit(req, prepared, tk, meteorReason, meteorDescription);
  } finally {
    await tk.meteor?.close?.();
  }
}

/** All metrics of prepared inputs with the given caption tools (a null METEOR is reported as unavailable). */
export async function scoreWithToolkit(req: ScoreRequest, p: PreparedYouCook2, toolkit: CaptionToolkit, meteorReason?: string, meteorDescription?: string): Promise<BenchmarkScore> {
  const { c, handling, gold, preds, videos, scored, unknownIds, outOfRange, goldWithoutSegments } = p;
  // One tokenizer cache for the caption metrics and SODA: each distinct caption is tokenized once.
  const tokenized = cachedTokenizer(toolkit, c.stripNonAscii);
  const tk: CaptionToolkit = { ...toolkit, tokenize: (text) => tokenized(text) };
  const notes: string[] = [];
  if (tk.meteor) notes.push(`METEOR computed with ${tk.meteor.name}: ${meteorDescription}`);
  const dc = await evaluateDenseCaptions(videos, tk, { tious: DVC_TIOUS, rawSpans: c.rawSpans, stripNonAscii: c.stripNonAscii, missingVideos: c.missingVideos, f1: c.f1 });

  // SODA_c and SODA_d see the same videos and tokenized captions as the caption metrics.
  const tok = tokenized;
  const sodaVideos: SodaVideo[] = scored.map((v) => ({
    id: v.id,
    gold: v.gold.map((s) => ({ span: s.span, caption: tok(s.caption) })),
    preds: v.preds === null ? null : v.preds.map((s) => ({ span: s.span, caption: tok(s.caption) })),
  }));
  const sodaScorer = c.sodaScorer === 'cider' ? tk.cider! : tk.meteor;
  const soda: SodaResult | null = sodaScorer ? await sodaC(sodaVideos, sodaScorer, { variant: c.sodaVariant, rawSpans: c.rawSpans }) : null;
  const sodaDist = await sodaD(sodaVideos, { variant: c.sodaVariant, rawSpans: c.rawSpans });
  const para = await paragraphScores(
    scored.map((v) => ({ id: v.id, goldCaptions: v.gold.map((s) => s.caption), predCaptions: v.preds === null ? null : v.preds.map((s) => s.caption) })),
    { cider: tk.cider, meteor: tk.meteor },
  );

  const metrics: Record<string, MetricValue> = {
    SODA_c: soda ? pct(soda.f1) : null,
    CIDEr: pct(dc.captionMeans.CIDEr),
    METEOR: pct(dc.captionMeans.METEOR),
    BLEU_1: pct(dc.captionMeans.BLEU_1),
    BLEU_2: pct(dc.captionMeans.BLEU_2),
    BLEU_3: pct(dc.captionMeans.BLEU_3),
    BLEU_4: pct(dc.captionMeans.BLEU_4),
    ROUGE_L: pct(dc.captionMeans.ROUGE_L),
    Precision: pct(dc.precision),
    Recall: pct(dc.recall),
    F1: pct(dc.f1),
  };
  dc.tious.forEach((t, k) => {
    metrics[`Precision@${t}`] = pct(dc.perTiou.Precision[k]!);
    metrics[`Recall@${t}`] = pct(dc.perTiou.Recall[k]!);
  });
  metrics.Para_CIDEr = pct(para.cider);
  metrics.Para_METEOR = pct(para.meteor);
  metrics.n_preds = dc.nPredsMean;

  const counts: Record<string, number> = {
    ...gold.counts,
    ...preds.counts,
    ...dc.counts,
    gold_videos_without_segments: goldWithoutSegments,
    unknown_prediction_ids: unknownIds,
    out_of_range_pred_spans: outOfRange,
    gold_captions_period_replaced: p.goldCaptionsReplaced,
    soda_videos_scored: soda?.counts.videos_scored ?? sodaDist.counts.videos_scored,
    soda_misaligned_videos: c.sodaVariant === 'timechat' ? sodaDist.counts.misaligned_videos : 0,
    paragraph_pairs: para.pairs,
    paragraph_misaligned_pairs: para.misaligned,
    gold_captions_scored: scored.reduce((k, v) => k + v.gold.length, 0),
    non_ascii_captions: scored.reduce((k, v) => k + [...v.gold, ...(v.preds ?? [])].filter((x) => NON_ASCII.test(x.caption)).length, 0),
  };
  pushNotes(notes, { c, counts, preds, gold, meteorReason, sodaAvailable: soda !== null, handling });

  const perItem: Record<string, Record<string, number>> = {};
  const sodaById = new Map((soda?.videos ?? []).map((v) => [v.id, v]));
  for (const v of dc.videos) {
    const row: Record<string, number> = { Precision: v.precisionMean * 100, Recall: v.recallMean * 100, F1: v.f1 * 100, n_preds: v.nPreds };
    for (const m of CAPTION_METRICS) if (v.captionMeans[m] !== null) row[m] = v.captionMeans[m]! * 100;
    const s = sodaById.get(v.id);
    if (s) row.SODA_c = s.f1 * 100;
    perItem[v.id] = row;
  }

  return {
    metrics,
    counts,
    notes,
    perItem,
    details: {
      goldFormat: gold.format,
      predictionFormat: preds.format,
      denseCaptions: { tious: dc.tious, perTiou: dc.perTiou, f1PerVideo: dc.f1PerVideo, f1OfMeans: dc.f1OfMeans, videos: dc.videos },
      sodaC: soda && { scorer: sodaScorer!.name, variant: c.sodaVariant, precision: soda.precision, recall: soda.recall, f1: soda.f1, videos: soda.videos },
      sodaD: { variant: c.sodaVariant, precision: sodaDist.precision, recall: sodaDist.recall, f1: sodaDist.f1 },
      paragraph: para,
      meteor: meteorDescription ?? null,
    },
    params: { baselineFormat: req.params.baselineFormat, goldCaptions: handling, sodaScorer: c.sodaScorer, sodaVariant: c.sodaVariant, tious: dc.tious },
  };
}

interface NoteContext {
  c: Conventions;
  counts: Record<string, number>;
  preds: PredictionSet;
  gold: GoldSet;
  meteorReason?: string;
  sodaAvailable: boolean;
  handling: GoldCaptionHandling;
}

/** One note per quirk or drop that changed a number (with its count), and per unavailable metric. */
function pushNotes(notes: string[], x: NoteContext): void {
  const { c, counts } = x;
  const n = (k: string) => counts[k] ?? 0;
  if (n('gold_videos_other_subsets') > 0) notes.push(`${n('gold_videos_other_subsets')} gold videos outside the validation subset skipped`);
  if (n('gold_videos_without_segments') > 0) notes.push(`${n('gold_videos_without_segments')} gold videos without segments skipped (the references divide by zero on them)`);
  if (n('missing_videos') > 0) {
    notes.push(
      c.missingVideos === 'drop'
        ? `${n('missing_videos')} gold videos have no prediction line and were dropped (MMDuet pre-filter; --missing-videos zero scores them 0)`
        : `${n('missing_videos')} gold videos have no prediction line and score 0 (--missing-videos zero)`,
    );
  }
  if (n('unknown_prediction_ids') > 0) notes.push(`${n('unknown_prediction_ids')} prediction ids are not in the gold file and were ignored`);
  if (n('videos_first_caption_dropped') > 0) {
    notes.push(`quirk Q8: the first distinct caption was dropped in ${n('videos_first_caption_dropped')} video(s) (--dvc-first-caption keep keeps it from 0 s)`);
  }
  if (n('videos_single_caption_no_segment') > 0) notes.push(`quirk Q8: ${n('videos_single_caption_no_segment')} videos with a single distinct caption yield no segment and score 0`);
  if (n('videos_no_response') > 0) notes.push(`${n('videos_no_response')} prediction lines have no assistant response and score 0`);
  if (n('turns_out_of_time_order') > 0) notes.push(`${n('turns_out_of_time_order')} assistant/user turns are out of time order; they were walked in file order as the released scorer does`);
  if (n('baseline_lines_without_segment') > 0) {
    notes.push(`${n('baseline_lines_without_segment')} baseline responses matched no ${x.preds.format === 'baseline' ? 'timestamp' : ''} pattern and yield no segment (score 0)`);
  }
  if (n('empty_prediction_videos') > 0) {
    notes.push(
      `${n('empty_prediction_videos')} videos have an empty prediction list and score 0` +
        (c.sodaVariant === 'fujiso' ? ' (public SODA v1.1 raises on them; counted as 0 here)' : ''),
    );
  }
  if (n('reversed_pred_spans') > 0) {
    notes.push(
      c.rawSpans
        ? `${n('reversed_pred_spans')} predicted spans have end < start and were used as given, as densevid/SODA do (negative length, IoU 0; --no-raw-spans sorts them)`
        : `${n('reversed_pred_spans')} predicted spans have end < start; their endpoints were sorted as TimeChat does (--raw-spans uses them as given)`,
    );
  }
  if (n('out_of_range_pred_spans') > 0) notes.push(`${n('out_of_range_pred_spans')} predicted spans reach outside [0, duration]; used as given (no reference clips them)`);
  if (n('gold_captions_period_replaced') > 0) notes.push(`MMDuet gold handling: ". " replaced by ", " in ${n('gold_captions_period_replaced')} gold captions`);
  if (x.handling === 'mmduet' && x.gold.format !== 'timechat') {
    notes.push(`MMDuet gold handling: "." appended to each of the ${n('gold_captions_scored')} gold captions (TimeChat re-split)`);
  }
  if (n('filler_items') > 0) notes.push(`${n('filler_items')} caption items paired an unmatched prediction with a random filler reference (scores 0, counts in the item total)`);
  if (n('soda_misaligned_videos') > 0) {
    notes.push(`quirk: ${n('soda_misaligned_videos')} videos have >= 11 predictions, so TimeChat's SODA_c reads their caption scores misaligned (sorted string keys); --soda-variant fujiso aligns them`);
  }
  if (n('paragraph_misaligned_pairs') > 0) notes.push(`quirk: ${n('paragraph_misaligned_pairs')} paragraph pairs compare different videos (TimeChat pairs paragraphs by position)`);
  if (c.stripNonAscii && n('non_ascii_captions') > 0) {
    notes.push(`${n('non_ascii_captions')} captions contain non-ASCII characters, replaced by spaces before tokenization (densevid/SODA; TimeChat keeps them)`);
  }
  if (x.meteorReason) {
    notes.push(`METEOR and Para_METEOR unavailable: ${x.meteorReason}`);
    if (!x.sodaAvailable) notes.push('SODA_c unavailable because its caption scorer is METEOR; use --soda-scorer cider for SODA_c with CIDEr-D');
  }
}

export const youcook2: BenchmarkModule = {
  name: 'youcook2',
  aliases: ['yc2'],
  summary: 'YouCook2 dense video captioning (val): SODA_c, CIDEr, F1, METEOR, BLEU, ROUGE-L, P/R@tIoU, paragraph metrics',
  defaults: {},
  goldFormats: [...GOLD_FORMATS],
  predictionFormats: [...PREDICTION_FORMATS],
  score: scoreYouCook2,
};
