/**
 * QVHighlights highlight detection (benchmarks.md §2, metrics.md §3): gold = the official val
 * JSONL (or the MMDuetIT list); predictions = a Moment-DETR submission, MMDuet's streaming output,
 * or a text baseline. Scored exactly as Moment-DETR's evaluator with `match_number=false`.
 */
import { InputError } from '../../errors.js';
import { readJson, readText, parseJsonlText, Shape, looksLikeJsonl } from '../../io/files.js';
import type { BenchmarkModule, BenchmarkScore, MetricValue, ScoreRequest } from '../types.js';
import { readPredictionJsonl, round3, type MMDuetPrediction, type BaselinePrediction } from '../predictions.js';
import { evaluateHighlight, SALIENCY_LEVELS, type HighlightGold, type HighlightResult } from '../../metrics/highlight.js';
import { bucketTree, BUCKETS, evaluateMomentRetrieval, retrievalBrief, type RetrievalResult, type ScoredWindow } from '../../metrics/retrieval.js';
import { smoothScores } from '../../metrics/smoothing.js';
import { baselineFormatParam, parseAtLine, parseGroundingSpan, spanToClipScores, type BaselineFormat, type ParseMode } from '../../baselines/formats.js';
import type { Span } from '../../metrics/iou.js';
import { numberParam } from '../params.js';

/** Paper setting: w = 2 for QVHighlights (benchmarks.md §2). */
const DEFAULTS = { w: 2 };

export interface QvhGoldItem extends Omit<HighlightGold, 'duration'> {
  qid: string;
  /** null when the gold file has none (MMDuetIT list); then taken from the prediction's video_duration. */
  duration: number | null;
  /** null when the gold file has none (MMDuetIT list): moment retrieval cannot be scored. */
  windows: Span[] | null;
}

export interface QvhSubmissionItem {
  qid: string;
  /** Where the record is in its file ("line N" or "$[i]"), for error messages. */
  place: string;
  saliency?: number[];
  windows?: ScoredWindow[];
  /** From an MMDuet/baseline line, used when the gold has no durations. */
  videoDuration?: number | null;
}

interface SourceRecord {
  /** "line N" (JSONL) or "$[i]" (JSON list). */
  place: string;
  value: unknown;
}

function records(file: string): SourceRecord[] {
  const text = readText(file);
  if (looksLikeJsonl(text) && !text.trimStart().startsWith('[')) return parseJsonlText(text, file).map((r) => ({ place: `line ${r.line}`, value: r.value }));
  const v = readJson(file);
  if (!Array.isArray(v)) throw InputError.at(file, undefined, 'JSON Lines or a JSON list of records', 'another JSON value');
  return v.map((value, i) => ({ place: `$[${i}]`, value }));
}

/** Official QVH JSONL (`qid`, `duration`, `relevant_windows`, ...) or the MMDuetIT list (`question_id`, `answer`). */
export function readQvhGold(file: string, format?: string): { format: 'qvh-jsonl' | 'mmduetit'; items: QvhGoldItem[] } {
  const recs = records(file);
  if (recs.length === 0) throw new InputError(`${file}: expected at least one gold query, found none`);
  const shape = new Shape(file);
  const first = shape.object(recs[0]!.value, recs[0]!.place);
  const detected = format ?? ('qid' in first ? 'qvh-jsonl' : 'question_id' in first && 'answer' in first ? 'mmduetit' : undefined);
  if (detected !== 'qvh-jsonl' && detected !== 'mmduetit') {
    throw InputError.at(file, recs[0]!.place, 'a QVHighlights gold record (qid, duration, relevant_clip_ids, saliency_scores) or an MMDuetIT record (question_id, answer)', `keys ${Object.keys(first).slice(0, 6).join(', ')}`);
  }
  const seen = new Set<string>();
  const items = recs.map((r) => {
    const where = r.place;
    const o = shape.object(r.value, where);
    const isOfficial = detected === 'qvh-jsonl';
    const qid = shape.id(isOfficial ? o.qid : o.question_id, `${where}: ${isOfficial ? 'qid' : 'question_id'}`);
    if (seen.has(qid)) throw new InputError(`${file}: ${where}: duplicate qid ${JSON.stringify(qid)}`);
    seen.add(qid);
    const src = isOfficial ? o : shape.object(o.answer, `${where}: answer`);
    const ids = shape.array(src.relevant_clip_ids, `${where}: relevant_clip_ids`).map((c, i) => shape.number(c, `${where}: relevant_clip_ids[${i}]`));
    const sal = shape.array(src.saliency_scores, `${where}: saliency_scores`).map((t, i) => {
      const a = shape.array(t, `${where}: saliency_scores[${i}]`);
      if (a.length !== 3) shape.fail(`${where}: saliency_scores[${i}]`, 'three annotator scores', t);
      return a.map((x, k) => shape.number(x, `${where}: saliency_scores[${i}][${k}]`));
    });
    if (ids.length !== sal.length) shape.fail(`${where}: saliency_scores`, `one triple per relevant clip (${ids.length})`, sal);
    const d = o.duration ?? o.video_duration;
    const duration = d === undefined || d === null ? null : shape.numeric(d, `${where}: duration`);
    if (isOfficial && duration === null) shape.fail(`${where}: duration`, 'the video duration in seconds', d);
    const windows = isOfficial && o.relevant_windows !== undefined ? shape.array(o.relevant_windows, `${where}: relevant_windows`).map((w, i) => shape.span(w, `${where}: relevant_windows[${i}]`)) : null;
    return { qid, duration, windows, relevantClipIds: ids, saliencyScores: sal };
  });
  return { format: detected, items };
}


/** A Moment-DETR submission (JSONL or a JSON list): `qid`, `pred_saliency_scores`, `pred_relevant_windows`. */
export function readQvhSubmission(file: string): QvhSubmissionItem[] {
  const shape = new Shape(file);
  const seen = new Set<string>();
  return records(file).map((r) => {
    const where = r.place;
    const o = shape.object(r.value, where);
    const qid = shape.id(o.qid, `${where}: qid`);
    if (seen.has(qid)) throw new InputError(`${file}: ${where}: duplicate qid ${JSON.stringify(qid)}`);
    seen.add(qid);
    const item: QvhSubmissionItem = { qid, place: r.place };
    if (o.pred_saliency_scores !== undefined) item.saliency = shape.array(o.pred_saliency_scores, `${where}: pred_saliency_scores`).map((x, i) => shape.number(x, `${where}: pred_saliency_scores[${i}]`));
    if (o.pred_relevant_windows !== undefined) {
      item.windows = shape.array(o.pred_relevant_windows, `${where}: pred_relevant_windows`).map((w, i) => {
        const a = shape.array(w, `${where}: pred_relevant_windows[${i}]`);
        if (a.length < 3) shape.fail(`${where}: pred_relevant_windows[${i}]`, '[start, end, score]', w);
        return [0, 1, 2].map((k) => shape.number(a[k], `${where}: pred_relevant_windows[${i}][${k}]`)) as unknown as ScoredWindow;
      });
    }
    return item;
  });
}

export interface ClipScoreOptions {
  w: number;
  rounding: '3' | 'none';
  clipScore: 'sum' | 'minmax';
}

/**
 * MMDuet frame relevance -> per-clip scores (benchmarks.md §2): 3-decimal rounding, smoothing w,
 * `m = int(2 / (t1 − t0))` frames per clip, clip score = Python `sum` of its smoothed frames
 * (`minmax`: those sums min-max scaled to [0, 1] per query; all-equal -> all 0, flagged).
 * Returns null when there are fewer than 2 frames (the reference crashes on such a line).
 */
export function mmduetClipScores(pred: MMDuetPrediction, opts: ClipScoreOptions): { scores: number[]; degenerate: boolean } | null {
  if (pred.frames.length < 2) return null;
  const interval = pred.frames[1]!.time - pred.frames[0]!.time;
  const m = Math.trunc(2 / interval);
  if (!(m >= 1) || !Number.isFinite(m)) {
    throw new InputError(`line ${pred.line}: debug_data: expected frames less than 2 s apart, found ${interval} s between the first two`);
  }
  const raw = pred.frames.map((f) => (opts.rounding === '3' ? round3(f.relevance) : f.relevance));
  const s = smoothScores(raw, opts.w);
  const scores: number[] = [];
  for (let i = 0; i < s.length; i += m) {
    let sum = 0;
    for (let k = i; k < Math.min(i + m, s.length); k++) sum += s[k]!;
    scores.push(sum);
  }
  if (opts.clipScore === 'sum') return { scores, degenerate: false };
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  if (hi === lo) return { scores: scores.map(() => 0), degenerate: true };
  return { scores: scores.map((v) => (v - lo) / (hi - lo)), degenerate: false };
}

/**
 * A baseline's one span -> clip scores `1 if start < t < end else 0` for t = 0, 2, … < int(D); null when
 * unparsable (parser: src/baselines/formats.ts; `format` only matters under the standard mode).
 */
export function baselineClipScores(pred: BaselinePrediction, file: string, mode: ParseMode = 'mmduet', format?: BaselineFormat): number[] | null {
  if (pred.videoDuration === null) throw InputError.at(file, `line ${pred.line}: video_duration`, 'the video duration (needed for the clip grid and VTimeLLM percentages)', 'none');
  const parsed = parseAtLine(file, pred.line, () => parseGroundingSpan(pred.response, pred.videoDuration, mode, format));
  return parsed.span ? spanToClipScores(parsed.span, pred.videoDuration) : null;
}

/** The evaluator's result object (percent, unrounded): `brief`, `HL-min-*`, then the MR buckets, keys sorted. */
export function evaluatorTree(hl: HighlightResult | null, mr: RetrievalResult | null): Record<string, unknown> {
  const brief: Record<string, MetricValue> = {};
  const rest: Record<string, unknown> = {};
  if (mr) {
    const b = retrievalBrief(mr);
    for (const k of Object.keys(b).sort()) brief[k] = b[k]!;
    for (const name of BUCKETS) rest[name] = mr.buckets[name] ? bucketTree(mr.buckets[name]!) : null;
  }
  if (hl) {
    for (const level of SALIENCY_LEVELS) {
      const r = hl.levels[level.name];
      brief[`HL-min-${level.name}-mAP`] = 100 * r.mAP;
      brief[`HL-min-${level.name}-Hit1`] = 100 * r.hit1;
      rest[`HL-min-${level.name}`] = { 'HL-mAP': 100 * r.mAP, 'HL-Hit1': 100 * r.hit1 };
    }
  }
  const tree: Record<string, unknown> = { brief };
  for (const k of Object.keys(rest).sort()) tree[k] = rest[k];
  return tree;
}

export async function scoreQvhighlights(req: ScoreRequest): Promise<BenchmarkScore> {
  const c = req.conventions.conventions;
  const w = numberParam('qvhighlights', 'w', req.params.w, { nonNegativeInteger: true }) ?? DEFAULTS.w;
  const gold = readQvhGold(req.goldPath, req.goldFormat);
  const counts: Record<string, number> = { gold_queries: gold.items.length };
  const notes: string[] = [];
  const params: Record<string, unknown> = { goldFormat: gold.format };

  let submission: QvhSubmissionItem[];
  const fmt = req.predictionsFormat ?? detectPredictionFormat(req.predictionsPath);
  params.predictionsFormat = fmt;
  if (fmt === 'moment-detr') submission = readQvhSubmission(req.predictionsPath);
  else if (fmt === 'mmduet' || fmt === 'baseline') {
    const file = readPredictionJsonl(req.predictionsPath, fmt);
    submission = [];
    let tooFew = 0;
    let unparsed = 0;
    let degenerate = 0;
    if (file.kind === 'mmduet') {
      Object.assign(params, { w, scoreRounding: c.scoreRounding, qvhClipScore: c.qvhClipScore });
      for (const p of file.items) {
        const r = mmduetClipScores(p, { w, rounding: c.scoreRounding, clipScore: c.qvhClipScore });
        if (!r) tooFew++;
        else {
          if (r.degenerate) degenerate++;
          submission.push({ qid: p.questionId, place: `line ${p.line}`, saliency: r.scores, videoDuration: p.videoDuration });
        }
      }
      counts.predictions_fewer_than_2_frames = tooFew;
      if (tooFew) notes.push(`${tooFew} MMDuet prediction lines have fewer than 2 frames and were not scored (the reference crashes on them)`);
      if (c.qvhClipScore === 'minmax') {
        counts.minmax_all_equal = degenerate;
        notes.push(`clip score: min-max normalised clip sums (paper wording), not the released code's sum of ${'m'} smoothed frames; ${degenerate} queries had all-equal scores (set to 0)`);
      } else notes.push(`clip score: sum of the smoothed frames of each 2-s clip (released code), smoothing w = ${w}`);
      if (c.scoreRounding === '3') notes.push('relevance scores rounded to 3 decimals before smoothing (reference writer, Q5)');
    } else {
      const mode = req.conventions.protocol;
      const format = baselineFormatParam(req.params.baselineFormat);
      Object.assign(params, { baselineParse: mode, baselineFormat: format ?? null });
      for (const p of file.items) {
        const s = baselineClipScores(p, req.predictionsPath, mode, format);
        if (!s) unparsed++;
        else submission.push({ qid: p.questionId, place: `line ${p.line}`, saliency: s, videoDuration: p.videoDuration });
      }
      counts.baseline_unparsed = unparsed;
      notes.push(
        mode === 'mmduet'
          ? `baseline: ${unparsed} responses without exactly two numbers were skipped (released scorer quirk: they leave the denominator)`
          : `baseline: spans read as the original evaluators do (TimeChat format_tvg / VTimeLLM eval${format ? `, --baseline-format ${format}` : ', format by the "from"/"to" test'}); ${unparsed} responses without a span were skipped`,
      );
    }
  } else throw new InputError(`--pred-format: expected one of ${qvhighlights.predictionFormats.join(', ')}, found ${JSON.stringify(fmt)}`);
  counts.predictions = submission.length;

  // qid join (match_number=false keeps the intersection; strict requires equal sets).
  const goldById = new Map(gold.items.map((g) => [g.qid, g]));
  const predIds = new Set(submission.map((s) => s.qid));
  const withoutGold = submission.filter((s) => !goldById.has(s.qid)).length;
  const goldUnscored = gold.items.filter((g) => !predIds.has(g.qid)).length;
  counts.predictions_without_gold = withoutGold;
  counts.gold_without_prediction = goldUnscored;
  if (c.qvhStrict && (withoutGold || goldUnscored)) {
    throw new InputError(`${req.predictionsPath}: expected the same qids as ${req.goldPath} (--qvh-strict), found ${withoutGold} predictions without gold and ${goldUnscored} gold queries without prediction`);
  }
  const joined = submission.filter((s) => goldById.has(s.qid));
  counts.gold_scored = joined.length;
  if (joined.length === 0) throw new InputError(`${req.predictionsPath}: expected predictions for qids of ${req.goldPath}, found none in common`);
  if (!c.qvhStrict) notes.push(`qid join match_number=false: ${joined.length} of ${gold.items.length} gold queries scored, ${withoutGold} predictions without gold ignored`);

  const hasSal = joined[0]!.saliency !== undefined;
  const hasWin = joined[0]!.windows !== undefined;
  for (const s of joined) {
    if ((s.saliency !== undefined) !== hasSal || (s.windows !== undefined) !== hasWin) {
      throw InputError.at(req.predictionsPath, s.place, `the same keys as the first record (pred_saliency_scores: ${hasSal}, pred_relevant_windows: ${hasWin})`, 'a record that differs');
    }
  }

  let hl: HighlightResult | null = null;
  if (hasSal) {
    let durationsFromPred = 0;
    hl = evaluateHighlight(
      joined.map((s) => {
        const g = goldById.get(s.qid)!;
        let duration = g.duration;
        if (duration === null) {
          if (s.videoDuration === undefined || s.videoDuration === null) throw InputError.at(req.goldPath, `qid ${s.qid}`, 'a duration (the MMDuetIT list has none, and the prediction line has no video_duration)', 'none');
          duration = s.videoDuration;
          durationsFromPred++;
        }
        return { qid: s.qid, gold: { duration, relevantClipIds: g.relevantClipIds, saliencyScores: g.saliencyScores }, predScores: s.saliency! };
      }),
    );
    if (durationsFromPred) {
      counts.durations_from_predictions = durationsFromPred;
      notes.push(`${durationsFromPred} gold durations taken from the predictions' video_duration (the MMDuetIT gold has none; the official scorer uses highlight_val_release.jsonl)`);
    }
  } else notes.push('HL metrics omitted: the predictions have no pred_saliency_scores');

  let mr: RetrievalResult | null = null;
  if (hasWin) {
    const usable = joined.filter((s) => (goldById.get(s.qid)!.windows ?? []).length > 0);
    counts.gold_without_windows = joined.length - usable.length;
    if (usable.length === 0) notes.push('MR metrics omitted: the gold has no relevant_windows (MMDuetIT gold carries clip scores only)');
    else {
      if (counts.gold_without_windows) notes.push(`${counts.gold_without_windows} queries without gold windows left out of MR (the reference divides by zero on them)`);
      mr = evaluateMomentRetrieval(usable.map((s) => ({ qid: s.qid, gold: goldById.get(s.qid)!.windows!, pred: s.windows! })));
      counts.empty_window_lists = mr.emptyPredictions;
      if (mr.emptyPredictions) notes.push(`${mr.emptyPredictions} empty pred_relevant_windows: R1 misses (the reference crashes), left out of MR-mAP as the reference does`);
      for (const b of BUCKETS) if (!mr.buckets[b]) notes.push(`MR bucket "${b}" is empty: its values are null (Moment-DETR crashes there)`);
    }
  } else notes.push('MR metrics omitted: the predictions have no pred_relevant_windows (MMDuet outputs clip scores only)');

  const tree = evaluatorTree(hl, mr);
  const metrics = { ...(tree.brief as Record<string, MetricValue>) };
  if (hl) notes.push('headline: HL-min-VeryGood-mAP / HL-min-VeryGood-Hit1 (paper does not name the label threshold); all three reported');
  return { metrics, counts, notes, details: tree, perItem: perItemValues(hl, mr), params };
}

/**
 * Per-query values stored under the names of the metrics they average to (HL mAP = mean of the
 * per-query mean of the 3 annotators' APs; HIT@1 = mean of hits; MR-full-mAP = mean of the per-query
 * AP averaged over tIoU thresholds), so that `mmduet report` gives those metrics a bootstrap CI.
 */
function perItemValues(hl: HighlightResult | null, mr: RetrievalResult | null): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  if (hl) {
    for (const [qid, e] of Object.entries(hl.perQuery)) {
      const row: Record<string, number> = {};
      for (const level of SALIENCY_LEVELS) {
        const v = e[level.name];
        row[`HL-min-${level.name}-mAP`] = 100 * ((v.ap[0] + v.ap[1] + v.ap[2]) / 3);
        row[`HL-min-${level.name}-Hit1`] = 100 * v.hit;
      }
      out[qid] = row;
    }
  }
  if (mr) for (const [qid, ap] of Object.entries(mr.perQueryAP)) (out[qid] ??= {})['MR-full-mAP'] = (100 * ap.reduce((a, b) => a + b, 0)) / ap.length;
  return out;
}

function detectPredictionFormat(file: string): string {
  const recs = records(file);
  const first = recs[0]?.value;
  if (first && typeof first === 'object') {
    if ('model_response_list' in first) return 'mmduet';
    if ('model_response' in first) return 'baseline';
    if ('qid' in first) return 'moment-detr';
  }
  throw InputError.at(file, 'line 1', 'a Moment-DETR submission (qid, pred_saliency_scores), an MMDuet line (model_response_list) or a baseline line (model_response)', 'another record');
}

export const qvhighlights: BenchmarkModule = {
  name: 'qvhighlights',
  aliases: ['qvh'],
  summary: 'QVHighlights highlight detection (val): HL-mAP / HIT@1, and moment retrieval for window predictions',
  defaults: DEFAULTS,
  goldFormats: ['qvh-jsonl', 'mmduetit'],
  predictionFormats: ['moment-detr', 'mmduet', 'baseline'],
  score: scoreQvhighlights,
};
