/**
 * Charades-STA temporal grounding (benchmarks.md §3, metrics.md §4). Gold: the official
 * `VID s e##sentence` text (query id = 0-based line index, as the TimeChat and Moment-DETR-style
 * conversions number them), a Moment-DETR-style JSONL, TimeChat's gt JSON, or the MMDuetIT list.
 * Predictions: MMDuet streaming output (frame-level grounding), Moment-DETR-style windows, TimeChat
 * grounding JSON, or text baselines.
 */
import { InputError } from '../../errors.js';
import { readJson, readJsonl, readText, Shape } from '../../io/files.js';
import type { BenchmarkModule, BenchmarkScore, MetricValue, ScoreRequest } from '../types.js';
import { readPredictionJsonl, round3 } from '../predictions.js';
import { iouPlusOne, type Span } from '../../metrics/iou.js';
import { baselineFormatParam, parseAtLine, parseGroundingSpan, type GroundingParse } from '../../baselines/formats.js';
import {
  frameGrounding,
  frameGroundingGrid,
  FRAME_THRESHOLDS,
  summarizeIoUs,
  timechatR1,
  type FrameGroundingQuery,
  type GroundingSummary,
} from '../../metrics/grounding.js';
import { bucketTree, BUCKETS, evaluateMomentRetrieval, retrievalBrief, type ScoredWindow } from '../../metrics/retrieval.js';
import { numberParam } from '../params.js';

/** w = 6 is the paper's; τ = 0.5 is a toolkit choice (the paper does not state it; benchmarks.md §3). */
const DEFAULTS = { w: 6, threshold: 0.5 };

export interface CharadesGoldItem {
  id: string;
  spans: Span[];
  vid?: string;
  query?: string;
}

export type CharadesGoldFormat = 'txt' | 'moment-detr' | 'timechat' | 'mmduetit';

/** Reads any of the four gold forms; ids are strings. */
export function readCharadesGold(file: string, format?: string): { format: CharadesGoldFormat; items: CharadesGoldItem[] } {
  const text = readText(file);
  const trimmed = text.trimStart();
  const fmt = (format ?? (trimmed.startsWith('[') ? 'mmduetit' : trimmed.startsWith('{') ? (/^\{\s*"annotations"/.test(trimmed) ? 'timechat' : 'moment-detr') : 'txt')) as CharadesGoldFormat;
  const shape = new Shape(file);
  let items: CharadesGoldItem[];
  if (fmt === 'txt') {
    items = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '') return;
      const cut = line.indexOf('##');
      const head = (cut < 0 ? line : line.slice(0, cut)).trim().split(/\s+/);
      const s = Number(head[1]);
      const e = Number(head[2]);
      if (cut < 0 || head.length !== 3 || !Number.isFinite(s) || !Number.isFinite(e)) throw InputError.at(file, `line ${i + 1}`, '"VIDEO start end##sentence"', JSON.stringify(line.slice(0, 60)));
      items.push({ id: String(items.length), spans: [[s, e]], vid: head[0], query: line.slice(cut + 2) });
    });
  } else if (fmt === 'moment-detr') {
    items = readJsonl(file).map((r) => {
      const o = shape.object(r.value, `line ${r.line}`);
      const w = shape.array(o.relevant_windows, `line ${r.line}: relevant_windows`).map((x, i) => shape.span(x, `line ${r.line}: relevant_windows[${i}]`));
      return { id: shape.id(o.qid, `line ${r.line}: qid`), spans: w, vid: typeof o.vid === 'string' ? o.vid : undefined };
    });
  } else if (fmt === 'timechat') {
    const root = shape.object(readJson(file), '$');
    items = shape.array(root.annotations, '$.annotations').map((a, i) => {
      const o = shape.object(a, `$.annotations[${i}]`);
      return { id: shape.id(o.id, `$.annotations[${i}].id`), spans: [shape.span(o.timestamp, `$.annotations[${i}].timestamp`)], vid: typeof o.image_id === 'string' ? o.image_id : undefined };
    });
  } else if (fmt === 'mmduetit') {
    items = shape.array(readJson(file), '$').map((a, i) => {
      const o = shape.object(a, `$[${i}]`);
      const ts = shape.array(o.timestamps, `$[${i}].timestamps`).map((x, k) => shape.span(x, `$[${i}].timestamps[${k}]`));
      return { id: shape.id(o.question_id, `$[${i}].question_id`), spans: ts };
    });
  } else throw new InputError(`--gold-format: expected one of ${charades.goldFormats.join(', ')}, found ${JSON.stringify(format)}`);
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.id)) throw new InputError(`${file}: duplicate query id ${JSON.stringify(it.id)}`);
    if (it.spans.length === 0) throw new InputError(`${file}: query ${it.id}: expected at least one gold span, found none`);
    seen.add(it.id);
  }
  return { format: fmt, items };
}

/** Window predictions: Moment-DETR-style JSONL (`qid`, `pred_relevant_windows`) or TimeChat JSON (`{id: {timestamp}}`). */
export function readWindowPredictions(file: string, format: 'moment-detr' | 'timechat'): { scored: boolean; items: Map<string, ScoredWindow[]> } {
  const shape = new Shape(file);
  const items = new Map<string, ScoredWindow[]>();
  if (format === 'timechat') {
    const root = shape.object(readJson(file), '$');
    for (const [k, v] of Object.entries(root)) {
      const o = shape.object(v, `$[${JSON.stringify(k)}]`);
      const ts = shape.array(o.timestamp, `$[${JSON.stringify(k)}].timestamp`);
      // No confidences: rank order stands in for the score (only used by the UniVTG-style extras).
      items.set(k, ts.map((x, i) => [...shape.span(x, `$[${JSON.stringify(k)}].timestamp[${i}]`), -i] as const));
    }
    return { scored: false, items };
  }
  for (const r of readJsonl(file)) {
    const where = `line ${r.line}`;
    const o = shape.object(r.value, where);
    const id = shape.id(o.qid, `${where}: qid`);
    if (items.has(id)) throw new InputError(`${file}: ${where}: duplicate qid ${JSON.stringify(id)}`);
    const ws = shape.array(o.pred_relevant_windows, `${where}: pred_relevant_windows`).map((w, i) => {
      const a = shape.array(w, `${where}: pred_relevant_windows[${i}]`);
      if (a.length < 3) shape.fail(`${where}: pred_relevant_windows[${i}]`, '[start, end, score]', w);
      return [0, 1, 2].map((k) => shape.number(a[k], `${where}: pred_relevant_windows[${i}][${k}]`)) as unknown as ScoredWindow;
    });
    items.set(id, ws);
  }
  return { scored: true, items };
}

const pct = (v: number) => 100 * v;

function summaryMetrics(s: GroundingSummary): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const [k, v] of Object.entries(s.recall)) out[k] = s.n === 0 ? null : pct(v);
  out.mIoU = s.n === 0 ? null : pct(s.mIoU);
  return out;
}

/** The grid's own float64 τ when the requested one names a grid column (0.50 -> 0.5000000000000002), else τ itself. */
export function gridThreshold(tau: number): number {
  return FRAME_THRESHOLDS.find((t) => Number(t.toFixed(2)) === Number(tau.toFixed(12))) ?? tau;
}

function detectPredictionFormat(file: string): string {
  const text = readText(file).trimStart();
  if (text.startsWith('{') && /^\{\s*"[^"]*"\s*:\s*\{/.test(text) && !text.split('\n', 1)[0]!.trim().endsWith('}')) return 'timechat';
  const firstLine = text.split('\n', 1)[0]!;
  if (firstLine.includes('"model_response_list"')) return 'mmduet';
  if (firstLine.includes('"model_response"')) return 'baseline';
  if (firstLine.includes('"pred_relevant_windows"')) return 'moment-detr';
  if (text.startsWith('{') && !firstLine.trim().endsWith('}')) return 'timechat';
  throw InputError.at(file, 'line 1', 'an MMDuet line (model_response_list), a baseline line (model_response), a Moment-DETR-style line (pred_relevant_windows) or a TimeChat grounding JSON', JSON.stringify(firstLine.slice(0, 60)));
}

export async function scoreCharades(req: ScoreRequest): Promise<BenchmarkScore> {
  const c = req.conventions.conventions;
  const gold = readCharadesGold(req.goldPath, req.goldFormat);
  const goldById = new Map(gold.items.map((g) => [g.id, g]));
  const fmt = req.predictionsFormat ?? detectPredictionFormat(req.predictionsPath);
  const counts: Record<string, number> = { gold_queries: gold.items.length };
  const notes: string[] = [];
  const params: Record<string, unknown> = { goldFormat: gold.format, predictionsFormat: fmt };
  if (gold.format === 'txt') notes.push('gold ids are the 0-based line numbers of the text file (as the TimeChat / Moment-DETR-style conversions number them)');

  if (fmt === 'mmduet' || fmt === 'baseline') {
    const file = readPredictionJsonl(req.predictionsPath, fmt);
    const withGold = <T extends { questionId: string }>(items: T[]): T[] => {
      const known = items.filter((p) => goldById.has(p.questionId));
      counts.predictions = items.length;
      counts.predictions_without_gold = items.length - known.length;
      if (counts.predictions_without_gold) notes.push(`${counts.predictions_without_gold} prediction lines have no gold query and were ignored (the reference raises on them)`);
      return known;
    };
    if (file.kind === 'mmduet') {
      const known = withGold(file.items);
      const w = numberParam('charades-sta', 'w', req.params.w, { nonNegativeInteger: true }) ?? DEFAULTS.w;
      const tauAsked = numberParam('charades-sta', 'threshold', req.params.threshold) ?? DEFAULTS.threshold;
      const tau = gridThreshold(tauAsked);
      Object.assign(params, { w, threshold: tauAsked, thresholdUsed: tau, scoreRounding: c.scoreRounding });
      const queries: FrameGroundingQuery[] = known.map((p) => ({
        id: p.questionId,
        times: p.frames.map((f) => f.time),
        scores: p.frames.map((f) => (c.scoreRounding === '3' ? round3(f.relevance) : f.relevance)),
        gold: goldById.get(p.questionId)!.spans,
      }));
      counts.scored = queries.length;
      counts.predictions_without_frames = queries.filter((q) => q.times.length === 0).length;
      const head = frameGrounding(queries, w, tau);
      counts.all_equal_scores = head.allEqual;
      const grid = frameGroundingGrid(queries);
      notes.push(`headline: frame-level grounding at w = ${w}, τ = ${tauAsked} — a toolkit choice (the paper does not state τ); the full w × τ grid and the per-query oracle are in details`);
      if (tau !== tauAsked) notes.push(`τ = ${tauAsked} is applied as the released grid's float64 value ${tau} (np.arange accumulation), so the headline equals its grid cell`);
      if (head.allEqual) notes.push(`${head.allEqual} queries have all-equal smoothed scores: min-max gives NaN and their IoU is 0`);
      if (counts.predictions_without_frames) notes.push(`${counts.predictions_without_frames} prediction lines have no frame scores: IoU 0`);
      if (c.scoreRounding === '3') notes.push('relevance scores rounded to 3 decimals before smoothing (reference writer, Q5)');
      const cell = (s: GroundingSummary) => ({ n: s.n, mIoU: pct(s.mIoU), ...Object.fromEntries(Object.entries(s.recall).map(([k, v]) => [k, pct(v)])) });
      return {
        metrics: summaryMetrics(head),
        counts,
        notes,
        details: {
          grid: grid.cells.map((g) => ({ w: g.w, threshold: g.tau, ...cell(g) })),
          oracle_best_among_all_thresholds: grid.oracle.map((o) => ({ w: o.w, ...cell(o) })),
          all_equal_scores_per_w: grid.allEqual,
        },
        perItem: groundingPerItem(head.perQuery),
        params,
      };
    }
    // Text baselines: one parser (src/baselines/formats.ts), its mode set by the protocol.
    const known = withGold(file.items);
    const mode = req.conventions.protocol;
    const format = baselineFormatParam(req.params.baselineFormat);
    Object.assign(params, { charadesBaselineMetric: c.charadesBaselineMetric, baselineParse: mode, baselineFormat: format ?? null });
    const parse = (p: (typeof known)[number]): GroundingParse => parseAtLine(req.predictionsPath, p.line, () => parseGroundingSpan(p.response, p.videoDuration, mode, format));
    const byId = new Map(known.map((p) => [p.questionId, parse(p)]));
    const unparsed = [...byId.values()].filter((s) => !s.span).length;
    counts.baseline_unparsed = unparsed;
    counts.vtimellm_percentages = [...byId.values()].filter((s) => s.span && s.vtimellm).length;
    if (c.charadesBaselineMetric === 'mmduet') {
      // MMDuet's scorer: unparsable responses leave the denominator (quirk); IoU variant D against the first gold span.
      const perQuery: Record<string, number> = {};
      for (const [id, s] of byId) if (s.span) perQuery[id] = iouPlusOne(s.span, goldById.get(id)!.spans[0]!);
      const r = summarizeIoUs(Object.values(perQuery));
      counts.scored = r.n;
      notes.push(`MMDuet baseline scorer: ${unparsed} responses ${mode === 'mmduet' ? 'without exactly two numbers' : 'without a span (original evaluators\' parsing)'} left the denominator (quirk); IoU variant D ("+1") against the first gold span`);
      if (r.n === 0) notes.push('no response could be parsed: every metric is null');
      return { metrics: summaryMetrics(r), counts, notes, perItem: Object.fromEntries(Object.entries(perQuery).map(([k, v]) => [k, { IoU: pct(v) }])), params };
    }
    const r = timechatR1(
      gold.items.map((g) => {
        const s = byId.get(g.id);
        if (!s) return { id: g.id, gold: g.spans[0]!, pred: null };
        return { id: g.id, gold: g.spans[0]!, pred: s.span ? [s.span] : [] };
      }),
    );
    Object.assign(counts, { scored: r.n, missing_predictions: r.missingPredictions, same_point: r.samePoint });
    notes.push(`standard R@1 (TimeChat): ${unparsed} unparsable responses and ${r.missingPredictions} missing predictions count as misses over all ${r.n} gold queries`);
    if (mode === 'standard') notes.push(`baseline spans read as the original evaluators do (TimeChat format_tvg / VTimeLLM eval${format ? `, --baseline-format ${format}` : ', format by the "from"/"to" test'})`);
    return { metrics: summaryMetrics(r), counts, notes, params };
  }

  if (fmt !== 'moment-detr' && fmt !== 'timechat') throw new InputError(`--pred-format: expected one of ${charades.predictionFormats.join(', ')}, found ${JSON.stringify(fmt)}`);
  const preds = readWindowPredictions(req.predictionsPath, fmt);
  counts.predictions = preds.items.size;
  counts.predictions_without_gold = [...preds.items.keys()].filter((k) => !goldById.has(k)).length;
  const tc = timechatR1(gold.items.map((g) => ({ id: g.id, gold: g.spans[0]!, pred: preds.items.get(g.id)?.map((w): Span => [w[0], w[1]]) ?? null })));
  Object.assign(counts, { scored: tc.n, empty_predictions: tc.emptyPredictions, missing_predictions: tc.missingPredictions, same_point: tc.samePoint });
  const metrics = summaryMetrics(tc);
  notes.push(`R1@m (TimeChat eval_tvg): first window, IoU ≥ m without epsilon, over all ${tc.n} gold queries; ${tc.emptyPredictions} empty and ${tc.missingPredictions} missing prediction lists count as misses`);
  if (tc.samePoint) notes.push(`${tc.samePoint} first windows are the same single point as the gold (the reference divides 0 by 0): IoU 0`);
  if (counts.predictions_without_gold) notes.push(`${counts.predictions_without_gold} predictions have no gold query and were ignored`);

  // UniVTG-style extras on the queries with a non-empty prediction list.
  const both = gold.items.filter((g) => (preds.items.get(g.id) ?? []).length > 0);
  let details: unknown;
  if (both.length > 0) {
    const mr = evaluateMomentRetrieval(both.map((g) => ({ qid: g.id, gold: g.spans, pred: preds.items.get(g.id)! })), 'univtg');
    const brief = retrievalBrief(mr);
    metrics['R5@0.3'] = brief['MR-full-R5@0.3-key']!;
    metrics['R5@0.5'] = brief['MR-full-R5@0.5-key']!;
    metrics['R5@0.7'] = brief['MR-full-R5@0.7-key']!;
    if (preds.scored) {
      metrics.mAP = brief['MR-full-mAP-key']!;
      metrics['mAP@0.5'] = brief['MR-full-mAP@0.5-key']!;
      metrics['mAP@0.75'] = brief['MR-full-mAP@0.75-key']!;
    } else notes.push('TimeChat predictions carry no confidences: mAP is not reported (details use rank order as the score)');
    const tree: Record<string, unknown> = { brief };
    for (const b of [...BUCKETS].sort()) tree[b] = mr.buckets[b] ? bucketTree(mr.buckets[b]!) : null;
    details = { univtg: tree };
    notes.push(`R5 / mAP: UniVTG evaluator on the ${both.length} queries with predictions${mr.bucketFallbacks.length ? `; length bucket(s) ${mr.bucketFallbacks.join(', ')} have no query, so UniVTG scores all queries there instead` : ''}`);
  }
  return { metrics, counts, notes, details, perItem: groundingPerItem(tc.perQuery), params };
}

export const charades: BenchmarkModule = {
  name: 'charades-sta',
  aliases: ['charades'],
  summary: 'Charades-STA temporal grounding (test): R1@0.3/0.5/0.7 and mIoU',
  defaults: DEFAULTS,
  goldFormats: ['txt', 'moment-detr', 'timechat', 'mmduetit'],
  predictionFormats: ['mmduet', 'moment-detr', 'timechat', 'baseline'],
  score: scoreCharades,
};

/**
 * Per-query values named after the headline metrics, so that each metric is the mean of its per-item
 * values (what `mmduet report` bootstraps): mIoU = the query's IoU, R1@m = 100 on a hit, else 0.
 */
function groundingPerItem(perQuery: Record<string, number>): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(perQuery).map(([k, iou]) => [k, { mIoU: pct(iou), 'R1@0.3': iou >= 0.3 ? 100 : 0, 'R1@0.5': iou >= 0.5 ? 100 : 0, 'R1@0.7': iou >= 0.7 ? 100 : 0 }]),
  );
}
