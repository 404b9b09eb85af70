/**
 * Plain caption metrics on COCO-style files, exactly as pycocoevalcap computes them
 * (metrics.md §2.4–2.8): PTB tokenization + punctuation filter, BLEU-1..4, ROUGE-L, CIDEr-D and
 * METEOR (when available). Like COCOEvalCap, only ids that have a prediction are scored; the
 * others are counted and reported.
 */
import { InputError } from '../../errors.js';
import { jsonPath, readJson, Shape } from '../../io/files.js';
import type { BenchmarkModule, BenchmarkScore, MetricValue, ScoreRequest } from '../types.js';
import type { CaptionItem } from '../../metrics/caption-types.js';
import { ptbTokenize } from '../../metrics/ptb-tokenizer.js';
import { bleu } from '../../metrics/bleu.js';
import { rougeL } from '../../metrics/rouge.js';
import { ciderD } from '../../metrics/cider.js';
import { meteorFromParams } from '../meteor-params.js';

export const CAPTION_GOLD_FORMATS = ['coco-refs', 'coco-annotations'] as const;
export const CAPTION_PREDICTION_FORMATS = ['coco-results', 'id-map'] as const;
export type CaptionGoldFormat = (typeof CAPTION_GOLD_FORMATS)[number];
export type CaptionPredictionFormat = (typeof CAPTION_PREDICTION_FORMATS)[number];

export interface CaptionGold {
  format: CaptionGoldFormat;
  /** id -> raw reference captions, in file order. */
  refs: Map<string, string[]>;
}

export interface CaptionPredictions {
  format: CaptionPredictionFormat;
  /** id -> raw caption (the first one given for the id), in file order. */
  captions: Map<string, string>;
  /** Further captions given for an id that already had one (ignored, counted). */
  duplicates: number;
}

function checkFormat<T extends string>(file: string, given: string | undefined, allowed: readonly T[]): T | undefined {
  if (given === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(given)) throw InputError.at(file, undefined, `format ${allowed.join(' or ')}`, `"${given}"`);
  return given as T;
}

/** Gold: `{id: [refs]}` or COCO `{annotations: [{image_id, caption}]}`. */
export function readCaptionGold(file: string, format?: string): CaptionGold {
  const shape = new Shape(file);
  const root = shape.object(readJson(file), '$');
  const forced = checkFormat(file, format, CAPTION_GOLD_FORMATS);
  const fmt: CaptionGoldFormat = forced ?? (Array.isArray(root.annotations) && root.annotations.every((a) => a !== null && typeof a === 'object' && !Array.isArray(a)) ? 'coco-annotations' : 'coco-refs');
  const refs = new Map<string, string[]>();
  if (fmt === 'coco-annotations') {
    shape.array(root.annotations, '$.annotations').forEach((a, i) => {
      const path = `$.annotations[${i}]`;
      const o = shape.object(a, path);
      const id = shape.id(o.image_id, `${path}.image_id`);
      const caption = shape.string(o.caption, `${path}.caption`);
      refs.set(id, [...(refs.get(id) ?? []), caption]);
    });
  } else {
    for (const [id, v] of Object.entries(root)) {
      const path = jsonPath('$', id);
      const list = shape.array(v, path);
      if (list.length === 0) shape.fail(path, 'at least one reference caption', v);
      refs.set(id, list.map((c, i) => shape.string(c, `${path}[${i}]`)));
    }
  }
  if (refs.size === 0) throw InputError.at(file, '$', 'at least one id with reference captions', 'none');
  return { format: fmt, refs };
}

/** Predictions: COCO results `[{image_id, caption}]`, or `{id: caption}` / `{id: [caption]}`. */
export function readCaptionPredictions(file: string, format?: string): CaptionPredictions {
  const shape = new Shape(file);
  const root = readJson(file);
  const forced = checkFormat(file, format, CAPTION_PREDICTION_FORMATS);
  const fmt: CaptionPredictionFormat = forced ?? (Array.isArray(root) ? 'coco-results' : 'id-map');
  const captions = new Map<string, string>();
  let duplicates = 0;
  const add = (id: string, caption: string) => {
    if (captions.has(id)) duplicates++;
    else captions.set(id, caption);
  };
  if (fmt === 'coco-results') {
    shape.array(root, '$').forEach((r, i) => {
      const o = shape.object(r, `$[${i}]`);
      add(shape.id(o.image_id, `$[${i}].image_id`), shape.string(o.caption, `$[${i}].caption`));
    });
  } else {
    for (const [id, v] of Object.entries(shape.object(root, '$'))) {
      const path = jsonPath('$', id);
      if (typeof v === 'string') {
        add(id, v);
        continue;
      }
      const list = shape.array(v, path);
      if (list.length === 0) shape.fail(path, 'a caption or a non-empty list of captions', v);
      list.forEach((c, i) => add(id, shape.string(c, `${path}[${i}]`)));
    }
  }
  return { format: fmt, captions, duplicates };
}

/** Unrounded fraction -> percent. */
const pct = (x: number): number => x * 100;

async function scoreCaptions(req: ScoreRequest): Promise<BenchmarkScore> {
  const gold = readCaptionGold(req.goldPath, req.goldFormat);
  const preds = readCaptionPredictions(req.predictionsPath, req.predictionsFormat);
  const stripNonAscii = req.conventions.conventions.stripNonAscii;
  const tok = (s: string) => ptbTokenize(s, { stripNonAscii });

  // COCOEvalCap scores the ids of the results file, in its order.
  const items: CaptionItem[] = [];
  let predictionsNotInGold = 0;
  for (const [id, caption] of preds.captions) {
    const refs = gold.refs.get(id);
    if (!refs) {
      predictionsNotInGold++;
      continue;
    }
    items.push({ id, candidate: tok(caption), references: refs.map(tok) });
  }
  if (items.length === 0) {
    throw new InputError(`${req.predictionsPath}: no prediction id matches an id of ${req.goldPath} (${preds.captions.size} predictions, ${gold.refs.size} gold ids)`);
  }
  const goldWithoutPrediction = gold.refs.size - items.length;

  const b = bleu(items);
  const r = rougeL(items);
  const c = ciderD(items);
  const notes: string[] = [];
  const meteor = await meteorFromParams(req.params);
  let meteorScore: { corpus: number; perItem: number[] } | null = null;
  if (meteor.scorer) {
    notes.push(`METEOR computed with ${meteor.scorer.name}: ${meteor.scorer.description}`);
    try {
      meteorScore = await meteor.scorer.score(items);
    } finally {
      await meteor.scorer.close?.();
    }
  } else {
    notes.push(`METEOR: not computed (${meteor.reason ?? 'unavailable'})`);
  }

  const metrics: Record<string, MetricValue> = {};
  b.corpus.forEach((v, k) => (metrics[`BLEU_${k + 1}`] = pct(v)));
  metrics.ROUGE_L = pct(r.corpus);
  metrics.CIDEr = pct(c.corpus);
  metrics.METEOR = meteorScore ? pct(meteorScore.corpus) : null;

  const perItem: Record<string, Record<string, number>> = {};
  items.forEach((it, i) => {
    const row: Record<string, number> = {};
    b.perItem.forEach((vals, k) => (row[`BLEU_${k + 1}`] = pct(vals[i]!)));
    row.ROUGE_L = pct(r.perItem[i]!);
    row.CIDEr = pct(c.perItem[i]!);
    if (meteorScore) row.METEOR = pct(meteorScore.perItem[i]!);
    perItem[it.id] = row;
  });

  const emptyCandidates = items.filter((it) => it.candidate === '').length;
  if (predictionsNotInGold > 0) notes.push(`${predictionsNotInGold} prediction id(s) not in the gold file: ignored`);
  if (goldWithoutPrediction > 0) notes.push(`${goldWithoutPrediction} gold id(s) without a prediction: not scored (as COCOEvalCap, which scores the ids of the results)`);
  if (preds.duplicates > 0) notes.push(`${preds.duplicates} extra caption(s) for ids that already had one: only the first caption per id is scored`);
  if (emptyCandidates > 0) notes.push(`${emptyCandidates} prediction(s) empty after PTB tokenization and punctuation removal: scored as empty captions`);
  if (items.length === 1) notes.push('only one scored item: CIDEr-D idf is log(1) - log(df) = 0, so CIDEr is 0');
  notes.push(`tokenization: PTB 3.4.1 port + coco-caption punctuation filter${stripNonAscii ? ', non-ASCII characters replaced by spaces first' : ''}`);

  return {
    metrics,
    counts: {
      gold_ids: gold.refs.size,
      references: [...gold.refs.values()].reduce((s, l) => s + l.length, 0),
      predictions: preds.captions.size + preds.duplicates,
      scored: items.length,
      predictions_not_in_gold: predictionsNotInGold,
      gold_without_prediction: goldWithoutPrediction,
      duplicate_predictions: preds.duplicates,
      empty_candidates: emptyCandidates,
    },
    notes,
    details: { meteor: meteor.scorer ? meteor.scorer.description : null },
    perItem,
    params: { goldFormat: gold.format, predictionsFormat: preds.format, stripNonAscii },
  };
}

export const captions: BenchmarkModule = {
  name: 'captions',
  aliases: ['coco'],
  summary: 'Plain caption metrics (BLEU-1..4, ROUGE-L, CIDEr-D, METEOR) on COCO-style files, as pycocoevalcap computes them',
  defaults: {},
  goldFormats: [...CAPTION_GOLD_FORMATS],
  predictionFormats: [...CAPTION_PREDICTION_FORMATS],
  score: scoreCaptions,
};
