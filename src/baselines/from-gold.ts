/**
 * `mmduet baseline <tc|vt> <benchmark> --from-gold`: the gold annotations written as a baseline would
 * answer them, in its text-timestamp format, as baseline JSONL (`{question_id, model_response: [text],
 * question, video_duration}`). Scoring it is an upper-bound sanity check of the whole baseline path:
 * what it loses is what the format and the scorer's quirks lose (VT whole percents, the strict clip
 * inequality, the "+1" IoU), never a parsing accident.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { readJson, Shape, writeFileAtomic } from '../io/files.js';
import { inferBenchmark, type InferBenchmark } from '../run/defaults.js';
import { readGold } from '../benchmarks/youcook2/gold.js';
import { readQvhGold } from '../benchmarks/qvhighlights/index.js';
import { readCharadesGold } from '../benchmarks/charades/index.js';
import { readMagqaGold } from '../benchmarks/magqa/data.js';
import { isBaselineFormat, renderGroundingSpan, renderTimedCaptions, type BaselineFormat } from './formats.js';

export interface BaselineRecord {
  question_id: string;
  model_response: [string];
  question?: string;
  video_duration: number | null;
}

export interface FromGoldOptions {
  format: string;
  benchmark: string;
  goldPath: string;
  goldFormat?: string;
  /** Optional JSON object {question_id: seconds} for gold files without durations (VT needs them). */
  durationsPath?: string;
}

export interface FromGoldResult {
  benchmark: InferBenchmark;
  format: BaselineFormat;
  records: BaselineRecord[];
  counts: Record<string, number>;
  notes: string[];
}

export function parseFormatArg(v: string): BaselineFormat {
  if (!isBaselineFormat(v)) throw new InputError(`baseline format: expected tc (TimeChat) or vt (VTimeLLM), found ${JSON.stringify(v)}`);
  return v;
}

function readDurations(file: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!file) return out;
  const shape = new Shape(file);
  for (const [k, v] of Object.entries(shape.object(readJson(file), '$'))) out.set(k, shape.numeric(v, `$.${k}`));
  return out;
}

interface GoldItem {
  id: string;
  duration: number | null;
  question?: string;
  /** Renders the answer given the resolved duration. */
  render: (format: BaselineFormat, duration: number | null) => string;
}

function goldItems(benchmark: InferBenchmark, goldPath: string, goldFormat: string | undefined, notes: string[]): GoldItem[] {
  switch (benchmark) {
    case 'youcook2':
      return readGold(goldPath, goldFormat).videos.map((v) => ({
        id: v.id,
        duration: v.duration,
        render: (f, d) => renderTimedCaptions(v.segments.map((s) => ({ start: s.span[0], end: s.span[1], text: s.caption })), f, d),
      }));
    case 'qvhighlights':
      notes.push('QVHighlights: the first relevant window of each query is written as the one span a baseline outputs');
      return readQvhGold(goldPath, goldFormat).items.map((q) => {
        const w = q.windows?.[0];
        if (!w) throw InputError.at(goldPath, `qid ${q.qid}: relevant_windows`, 'at least one window (use the official highlight_val_release.jsonl)', q.windows === null ? 'none' : 'an empty list');
        return { id: q.qid, duration: q.duration, render: (f, d) => renderGroundingSpan(w, f, d) };
      });
    case 'charades-sta':
      return readCharadesGold(goldPath, goldFormat).items.map((g) => ({ id: g.id, duration: null, question: g.query, render: (f, d) => renderGroundingSpan(g.spans[0]!, f, d) }));
    case 'magqa':
      return readMagqaGold(goldPath).map((g) => ({
        id: g.id,
        duration: null,
        question: g.question,
        render: (f, d) => renderTimedCaptions(g.answers.map((a) => ({ start: a.start, end: a.end, text: a.text })), f, d),
      }));
  }
}

/** Gold annotations -> baseline records in the given format. */
export function goldToBaselineRecords(opts: FromGoldOptions): FromGoldResult {
  const format = parseFormatArg(opts.format);
  const benchmark = inferBenchmark(opts.benchmark);
  const durations = readDurations(opts.durationsPath);
  const notes: string[] = [];
  const items = goldItems(benchmark, opts.goldPath, opts.goldFormat, notes);
  let fromDurationsFile = 0;
  let withoutDuration = 0;
  const records = items.map((it): BaselineRecord => {
    let d = it.duration;
    if (d === null && durations.has(it.id)) {
      d = durations.get(it.id)!;
      fromDurationsFile++;
    }
    if (d === null) {
      if (format === 'vt') throw InputError.at(opts.goldPath, `question ${it.id}`, 'a video duration (VTimeLLM times are percentages; pass --durations FILE)', 'none');
      withoutDuration++;
    }
    const rec: BaselineRecord = { question_id: it.id, model_response: [it.render(format, d)], video_duration: d };
    if (it.question !== undefined) rec.question = it.question;
    return rec;
  });
  if (withoutDuration) notes.push(`${withoutDuration} records have no video_duration (the gold file has none; TC answers do not need it)`);
  if (format === 'vt') notes.push('VT times are whole percents of the duration (rounded half up, 100 % written 99): spans move by up to D/200');
  return { benchmark, format, records, counts: { records: records.length, durations_from_file: fromDurationsFile, without_duration: withoutDuration }, notes };
}

/** `--out`: a directory (existing, or written with a trailing "/") gets `<benchmark>-<format>-from-gold.jsonl`. */
export function outputFile(out: string, benchmark: InferBenchmark, format: BaselineFormat): string {
  const isDir = out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory());
  return isDir ? join(out, `${benchmark}-${format}-from-gold.jsonl`) : out;
}

export function writeBaselineJsonl(file: string, records: readonly BaselineRecord[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, records.map((r) => JSON.stringify(r) + '\n').join(''));
}
