/**
 * YouCook2 prediction readers and the prediction → segment conversions (benchmarks.md §1):
 *  - `mmduet`: MMDuet streaming-output JSONL; assistant turns become segments by the released
 *    scorer's "previous response time" rule, including quirk Q8 (first distinct caption dropped).
 *  - `baseline`: text-timestamp baselines' JSONL; one segment per regex match of the TimeChat (tc)
 *    or VTimeLLM (vt) format, which must be named (`params.baselineFormat`).
 *  - `activitynet`: densevid submission {results: {vid: [{sentence, timestamp}]}}.
 *  - `timechat`: TimeChat {vid: [{timestamp, caption}]} (what the MMDuet scorer writes for TimeChat).
 */
import { InputError } from '../../errors.js';
import { jsonPath, parseJsonText, readText, Shape } from '../../io/files.js';
import type { DvcSegment } from '../../metrics/densecap.js';
import { readPredictionJsonl, type Turn } from '../predictions.js';
import { isBaselineFormat, parseAtLine, parseTimedCaptions, type BaselineFormat, type ParseMode } from '../../baselines/formats.js';

export const PREDICTION_FORMATS = ['mmduet', 'baseline', 'activitynet', 'timechat'] as const;
export type PredictionFormat = (typeof PREDICTION_FORMATS)[number];
export type { BaselineFormat };

export interface PredictionSet {
  format: PredictionFormat;
  /** Video id -> segments, in file order. */
  videos: Map<string, DvcSegment[]>;
  counts: Record<string, number>;
}

export interface PredictionOptions {
  baselineFormat?: string;
  firstCaption: 'drop' | 'keep';
  /** How baseline responses are read: the MMDuet regexes or the original evaluators' forms (the protocol). */
  parseMode?: ParseMode;
}

/**
 * MMDuet turns → segments, as the released scorer: walk the assistant turns (file order, which the
 * writer sorts by time); a caption group spans from the time of the last response of the previous
 * group to the time of its own last response; only adjacent identical texts merge. With 'drop'
 * (quirk Q8) the first group has no start and is never emitted; 'keep' starts it at 0 s.
 */
export function turnsToSegments(turns: readonly Turn[], firstCaption: 'drop' | 'keep'): { segments: DvcSegment[]; groups: number } {
  const segments: DvcSegment[] = [];
  let prev: string | null = null;
  let start: number | null = null;
  let end: number | null = null;
  let groups = 0;
  for (const t of turns) {
    if (t.role !== 'assistant') continue;
    if (t.content !== prev) {
      if (start !== null) segments.push({ span: [start, end!], caption: prev! });
      start = groups === 0 && firstCaption === 'keep' ? 0 : end;
      prev = t.content;
      end = t.time;
      groups++;
    } else {
      end = t.time;
    }
  }
  if (start !== null) segments.push({ span: [start, end!], caption: prev! });
  return { segments, groups };
}

/** One segment per parsed event of a baseline response (benchmarks.md §1; parser in src/baselines/formats.ts). */
export function parseBaselineResponse(response: string, format: BaselineFormat, duration: number | null, mode: ParseMode = 'mmduet'): DvcSegment[] {
  return baselineSegments(response, format, duration, mode).segments;
}

function baselineSegments(response: string, format: BaselineFormat, duration: number | null, mode: ParseMode): { segments: DvcSegment[]; unparsedLines: number } {
  const r = parseTimedCaptions(response, format, duration, mode);
  return { segments: r.events.map((e) => ({ span: [e.start, e.end], caption: e.text })), unparsedLines: r.unparsedLines.length };
}

function readJsonlPredictions(file: string, kind: 'mmduet' | 'baseline' | undefined, opts: PredictionOptions): PredictionSet {
  const pf = readPredictionJsonl(file, kind);
  const videos = new Map<string, DvcSegment[]>();
  const counts: Record<string, number> = { prediction_lines: pf.items.length };
  if (pf.kind === 'mmduet') {
    Object.assign(counts, { videos_first_caption_dropped: 0, videos_single_caption_no_segment: 0, videos_no_response: 0, turns_out_of_time_order: 0 });
    for (const it of pf.items) {
      const { segments, groups } = turnsToSegments(it.turns, opts.firstCaption);
      if (groups === 0) counts.videos_no_response++;
      else if (opts.firstCaption === 'drop') {
        counts.videos_first_caption_dropped++;
        if (groups === 1) counts.videos_single_caption_no_segment++;
      }
      it.turns.forEach((t, i) => {
        if (i > 0 && t.time < it.turns[i - 1]!.time) counts.turns_out_of_time_order++;
      });
      videos.set(it.questionId, segments);
    }
    return { format: 'mmduet', videos, counts };
  }
  const format = opts.baselineFormat;
  if (!isBaselineFormat(format)) {
    throw new InputError(
      `${file}: baseline predictions need --baseline-format tc (TimeChat "a - b seconds, caption") or vt (VTimeLLM "From a to b, caption"), found ${format === undefined ? 'none' : JSON.stringify(format)}`,
    );
  }
  const mode = opts.parseMode ?? 'mmduet';
  Object.assign(counts, { baseline_lines_without_segment: 0, baseline_unparsed_response_lines: 0 });
  for (const it of pf.items) {
    const r = parseAtLine(file, it.line, () => baselineSegments(it.response, format, it.videoDuration, mode));
    if (r.segments.length === 0) counts.baseline_lines_without_segment++;
    counts.baseline_unparsed_response_lines += r.unparsedLines;
    videos.set(it.questionId, r.segments);
  }
  return { format: 'baseline', videos, counts };
}

function readSegmentLists(shape: Shape, lists: Record<string, unknown>, base: string, captionKey: 'sentence' | 'caption'): Map<string, DvcSegment[]> {
  const videos = new Map<string, DvcSegment[]>();
  for (const [vid, list] of Object.entries(lists)) {
    const p = jsonPath(base, vid);
    const segs = shape.array(list, p).map((e, i) => {
      const o = shape.object(e, `${p}[${i}]`);
      return { span: shape.span(o.timestamp, `${p}[${i}].timestamp`), caption: shape.string(o[captionKey], `${p}[${i}].${captionKey}`) };
    });
    videos.set(vid, segs);
  }
  return videos;
}

/** Detects the format from the content: a whole-file JSON object is a densevid or TimeChat file. */
function detectFormat(file: string, text: string): { format: PredictionFormat | 'jsonl'; data?: unknown } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { format: 'jsonl' };
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const o = data as Record<string, unknown>;
    if ('question_id' in o) return { format: 'jsonl' }; // a one-line JSONL file
    if ('results' in o) return { format: 'activitynet', data };
    if (Object.values(o).every((v) => Array.isArray(v))) return { format: 'timechat', data };
  }
  throw InputError.at(file, '$', 'YouCook2 predictions: MMDuet/baseline JSONL, {results: {vid: [...]}} or {vid: [{timestamp, caption}]}', Array.isArray(data) ? 'a JSON array' : 'another JSON value');
}

export function readPredictions(file: string, force: string | undefined, opts: PredictionOptions): PredictionSet {
  if (force !== undefined && !(PREDICTION_FORMATS as readonly string[]).includes(force)) {
    throw new InputError(`unknown YouCook2 prediction format "${force}": expected one of ${PREDICTION_FORMATS.join(', ')}`);
  }
  if (force === 'mmduet' || force === 'baseline') return readJsonlPredictions(file, force, opts);
  const text = readText(file);
  const detected = force ? { format: force as PredictionFormat, data: parseJsonText(text, file) } : detectFormat(file, text);
  if (detected.format === 'jsonl') return readJsonlPredictions(file, undefined, opts);
  const shape = new Shape(file);
  const root = shape.object(detected.data, '$');
  const videos =
    detected.format === 'activitynet'
      ? readSegmentLists(shape, shape.object(root.results, '$.results'), '$.results', 'sentence')
      : readSegmentLists(shape, root, '$', 'caption');
  return { format: detected.format as PredictionFormat, videos, counts: { prediction_videos: videos.size } };
}
