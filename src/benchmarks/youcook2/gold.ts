/**
 * YouCook2 gold readers (benchmarks.md §0–§1). Four formats, auto-detected from the JSON shape or
 * forced by name:
 *  - `mmduetit`: MMDuetIT `val-random_prompt.json`, a list of {question_id, answer: [{content, time}]}.
 *  - `activitynet`: densevid/ActivityNet style {vid: {duration, timestamps, sentences}}.
 *  - `youcook2`: official {database: {vid: {duration, subset, annotations: [{segment, sentence}]}}}
 *    (validation subset only; other subsets are counted and skipped).
 *  - `timechat`: TimeChat {annotations: [{image_id, segments, pure_cap}]}; captions are `pure_cap`
 *    split on ". " exactly as TimeChat's `eval_with_files` does, each with "." appended.
 */
import { InputError } from '../../errors.js';
import { jsonPath, readJson, Shape } from '../../io/files.js';
import type { DvcSegment } from '../../metrics/densecap.js';

export const GOLD_FORMATS = ['mmduetit', 'activitynet', 'youcook2', 'timechat'] as const;
export type GoldFormat = (typeof GOLD_FORMATS)[number];

export interface GoldVideo {
  id: string;
  duration: number | null;
  segments: DvcSegment[];
}

export interface GoldSet {
  format: GoldFormat;
  videos: GoldVideo[];
  counts: Record<string, number>;
}

export function detectGoldFormat(file: string, data: unknown): GoldFormat {
  if (Array.isArray(data)) return 'mmduetit';
  if (data !== null && typeof data === 'object') {
    const o = data as Record<string, unknown>;
    if ('database' in o) return 'youcook2';
    if (Array.isArray(o.annotations)) return 'timechat';
    const first = Object.values(o)[0];
    if (first && typeof first === 'object' && 'timestamps' in first && 'sentences' in first) return 'activitynet';
  }
  throw InputError.at(
    file,
    '$',
    'a YouCook2 gold file: a MMDuetIT list, {vid: {timestamps, sentences}}, {database: {...}} or {annotations: [...]}',
    Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data === 'object' ? `an object with keys ${Object.keys(data as object).slice(0, 5).join(', ')}` : typeof data,
  );
}

function segmentsFrom(shape: Shape, spans: unknown[], captions: string[], path: string): DvcSegment[] {
  if (spans.length !== captions.length) {
    shape.fail(path, `as many captions as segments (${spans.length})`, `${captions.length} captions`);
  }
  return spans.map((s, i) => ({ span: shape.span(s, `${path}[${i}]`), caption: captions[i]! }));
}

function optionalDuration(shape: Shape, v: unknown, path: string): number | null {
  return v === undefined || v === null ? null : shape.numeric(v, path);
}

function readMmduetIt(shape: Shape, data: unknown): GoldVideo[] {
  return shape.array(data, '$').map((e, i) => {
    const p = `$[${i}]`;
    const o = shape.object(e, p);
    const id = shape.id(o.question_id, `${p}.question_id`);
    const answer = shape.array(o.answer, `${p}.answer`);
    const captions = answer.map((a, k) => shape.string(shape.object(a, `${p}.answer[${k}]`).content, `${p}.answer[${k}].content`));
    const spans = answer.map((a) => (a as Record<string, unknown>).time);
    const segments = segmentsFrom(shape, spans, captions, `${p}.answer[].time`);
    return { id, duration: optionalDuration(shape, o.duration ?? o.video_duration, `${p}.duration`), segments };
  });
}

function readActivityNet(shape: Shape, data: unknown): GoldVideo[] {
  return Object.entries(shape.object(data, '$')).map(([vid, v]) => {
    const p = jsonPath('$', vid);
    const o = shape.object(v, p);
    const sentences = shape.array(o.sentences, `${p}.sentences`).map((s, k) => shape.string(s, `${p}.sentences[${k}]`));
    const segments = segmentsFrom(shape, shape.array(o.timestamps, `${p}.timestamps`), sentences, `${p}.timestamps`);
    return { id: vid, duration: optionalDuration(shape, o.duration, `${p}.duration`), segments };
  });
}

function readOfficial(shape: Shape, data: unknown, counts: Record<string, number>): GoldVideo[] {
  const db = shape.object(shape.object(data, '$').database, '$.database');
  const out: GoldVideo[] = [];
  counts.gold_videos_other_subsets = 0;
  for (const [vid, v] of Object.entries(db)) {
    const p = jsonPath('$.database', vid);
    const o = shape.object(v, p);
    if (o.subset !== 'validation') {
      counts.gold_videos_other_subsets++;
      continue;
    }
    const anns = shape.array(o.annotations, `${p}.annotations`).map((a, k) => shape.object(a, `${p}.annotations[${k}]`));
    const segments = anns.map((a, k) => ({
      span: shape.span(a.segment, `${p}.annotations[${k}].segment`),
      caption: shape.string(a.sentence, `${p}.annotations[${k}].sentence`),
    }));
    out.push({ id: vid, duration: optionalDuration(shape, o.duration, `${p}.duration`), segments });
  }
  return out;
}

function readTimeChat(shape: Shape, data: unknown): GoldVideo[] {
  const anns = shape.array(shape.object(data, '$').annotations, '$.annotations');
  return anns.map((a, i) => {
    const p = `$.annotations[${i}]`;
    const o = shape.object(a, p);
    const id = shape.string(o.image_id, `${p}.image_id`).split('/').pop()!;
    if (o.pure_cap === undefined) shape.fail(`${p}.pure_cap`, 'a pure_cap string (the ActivityNet "caption" variant is not supported)', undefined);
    const captions = shape
      .string(o.pure_cap, `${p}.pure_cap`)
      .split('. ')
      .map((c) => c + '.');
    const segments = segmentsFrom(shape, shape.array(o.segments, `${p}.segments`), captions, `${p}.segments`);
    return { id, duration: optionalDuration(shape, o.duration, `${p}.duration`), segments };
  });
}

export function readGold(file: string, force?: string): GoldSet {
  if (force !== undefined && !(GOLD_FORMATS as readonly string[]).includes(force)) {
    throw new InputError(`unknown YouCook2 gold format "${force}": expected one of ${GOLD_FORMATS.join(', ')}`);
  }
  const data = readJson(file);
  const format = (force as GoldFormat | undefined) ?? detectGoldFormat(file, data);
  const shape = new Shape(file);
  const counts: Record<string, number> = {};
  const videos =
    format === 'mmduetit' ? readMmduetIt(shape, data) : format === 'activitynet' ? readActivityNet(shape, data) : format === 'youcook2' ? readOfficial(shape, data, counts) : readTimeChat(shape, data);
  const seen = new Set<string>();
  for (const v of videos) {
    if (seen.has(v.id)) throw new InputError(`${file}: duplicate gold video id ${JSON.stringify(v.id)}`);
    seen.add(v.id);
  }
  counts.gold_videos_read = videos.length;
  return { format, videos, counts };
}

/**
 * The MMDuet scorer's gold caption handling (benchmarks.md §1): every ". " inside a caption becomes
 * ", ", the captions are joined with ". " and TimeChat splits them again on ". " and appends ".".
 * Returns the captions as the evaluator sees them and how many were changed by the replacement.
 */
export function mmduetGoldCaptions(captions: readonly string[]): { captions: string[]; replaced: number } {
  const replacedCaps = captions.map((c) => c.split('. ').join(', '));
  const replaced = replacedCaps.filter((c, i) => c !== captions[i]).length;
  const split = replacedCaps.join('. ').split('. ');
  if (split.length !== captions.length) {
    // Cannot happen after the replacement; kept as a guard because TimeChat asserts it.
    throw new Error(`gold caption re-split changed the caption count (${captions.length} -> ${split.length})`);
  }
  return { captions: split.map((c) => c + '.'), replaced };
}
