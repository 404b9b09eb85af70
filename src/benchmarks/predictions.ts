/**
 * Readers for the two prediction files every benchmark shares: MMDuet's streaming output JSONL
 * (protocol.md §8) and the whole-video baselines' JSONL (§10). Both spellings of the per-frame score
 * log are accepted (quirk Q6): `time` or `video_time`, scalar scores or `[p0, p1]` lists.
 */
import { InputError } from '../errors.js';
import { readJsonl, Shape, jsonPath } from '../io/files.js';

export interface Turn {
  role: 'user' | 'assistant';
  time: number;
  content: string;
}

export interface FrameScore {
  time: number;
  informative: number;
  relevance: number;
}

export interface MMDuetPrediction {
  questionId: string;
  line: number;
  turns: Turn[];
  videoDuration: number | null;
  frames: FrameScore[];
}

export interface BaselinePrediction {
  questionId: string;
  line: number;
  /** The first element of `model_response` (or the string itself), as the released scorers read it. */
  response: string;
  videoDuration: number | null;
  question?: string;
}

export type PredictionFile =
  | { kind: 'mmduet'; items: MMDuetPrediction[] }
  | { kind: 'baseline'; items: BaselinePrediction[] };

function scoreValue(shape: Shape, v: unknown, path: string): number {
  // The released evaluator expects [p0, p1] and reads index 1; the inference writes a scalar.
  if (Array.isArray(v)) {
    if (v.length < 2) shape.fail(path, 'a score or a [p0, p1] list', v);
    return shape.number(v[1], `${path}[1]`);
  }
  return shape.number(v, path);
}

export function parseMMDuetRecord(shape: Shape, value: unknown, line: number): MMDuetPrediction {
  const where = `line ${line}`;
  const o = shape.object(value, where);
  const questionId = shape.id(o.question_id, `${where}: question_id`);
  const list = shape.array(o.model_response_list, `${where}: model_response_list`);
  const turns: Turn[] = list.map((t, i) => {
    const p = `${where}: model_response_list[${i}]`;
    const r = shape.object(t, p);
    const role = r.role;
    if (role !== 'user' && role !== 'assistant') shape.fail(`${p}.role`, '"user" or "assistant"', role);
    const time = shape.numeric(r.time ?? r.video_time, `${p}.time`);
    const content = shape.string(r.content ?? '', `${p}.content`);
    return { role, time, content };
  });
  let videoDuration: number | null = null;
  if (o.video_duration !== undefined && o.video_duration !== null) videoDuration = shape.numeric(o.video_duration, `${where}: video_duration`);
  const frames: FrameScore[] = [];
  if (o.debug_data !== undefined && o.debug_data !== null) {
    const dd = shape.array(o.debug_data, `${where}: debug_data`);
    dd.forEach((f, i) => {
      const p = `${where}: debug_data[${i}]`;
      const r = shape.object(f, p);
      const t = r.time ?? r.video_time;
      frames.push({
        time: shape.numeric(t, `${p}.time`),
        informative: r.informative_score === undefined ? 0 : scoreValue(shape, r.informative_score, `${p}.informative_score`),
        relevance: r.relevance_score === undefined ? 0 : scoreValue(shape, r.relevance_score, `${p}.relevance_score`),
      });
    });
  }
  return { questionId, line, turns, videoDuration, frames };
}

export function parseBaselineRecord(shape: Shape, value: unknown, line: number): BaselinePrediction {
  const where = `line ${line}`;
  const o = shape.object(value, where);
  const questionId = shape.id(o.question_id, `${where}: question_id`);
  const mr = o.model_response;
  let response: string;
  if (typeof mr === 'string') response = mr;
  else if (Array.isArray(mr)) response = mr.length === 0 ? '' : shape.string(mr[0], `${where}: model_response[0]`);
  else shape.fail(`${where}: model_response`, 'a string or a list of strings', mr);
  let videoDuration: number | null = null;
  if (o.video_duration !== undefined && o.video_duration !== null) videoDuration = shape.numeric(o.video_duration, `${where}: video_duration`);
  const question = typeof o.question === 'string' ? o.question : undefined;
  return { questionId, line, response, videoDuration, question };
}

/**
 * Reads an MMDuet or baseline prediction JSONL, detecting which from the first record
 * (`model_response_list` vs `model_response`). Duplicate question ids are an error: they would be
 * double-counted silently otherwise.
 */
export function readPredictionJsonl(file: string, force?: 'mmduet' | 'baseline'): PredictionFile {
  const records = readJsonl(file);
  if (records.length === 0) throw new InputError(`${file}: expected at least one prediction line, found an empty file`);
  const shape = new Shape(file);
  const first = shape.object(records[0]!.value, `line ${records[0]!.line}`);
  const kind = force ?? ('model_response_list' in first ? 'mmduet' : 'model_response' in first ? 'baseline' : undefined);
  if (!kind) {
    throw InputError.at(file, `line ${records[0]!.line}`, 'an MMDuet record (model_response_list) or a baseline record (model_response)', `keys ${Object.keys(first).slice(0, 6).join(', ')}`);
  }
  const seen = new Map<string, number>();
  const check = (id: string, line: number) => {
    const prev = seen.get(id);
    if (prev !== undefined) throw new InputError(`${file}: line ${line}: duplicate question_id ${JSON.stringify(id)} (first seen on line ${prev})`);
    seen.set(id, line);
  };
  if (kind === 'mmduet') {
    const items = records.map((r) => parseMMDuetRecord(shape, r.value, r.line));
    items.forEach((it) => check(it.questionId, it.line));
    return { kind, items };
  }
  const items = records.map((r) => parseBaselineRecord(shape, r.value, r.line));
  items.forEach((it) => check(it.questionId, it.line));
  return { kind, items };
}

/** Rounds to 3 decimals exactly as the reference writer's Python `round(x, 3)` does (quirk Q5). */
export function round3(x: number): number {
  return pyRound(x, 3);
}

/**
 * Python's `round(x, n)`: rounds the exact binary value of x, ties (exact in binary) to even. The
 * fast path is exact unless x·10^n lies next to a .5 boundary; then the exact decimal expansion decides.
 */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x)) return x;
  const scaled = x * 10 ** n;
  const r = Math.round(scaled);
  // Exact-tie detection on the binary value: compare using the exact decimal expansion.
  if (Math.abs(scaled - Math.trunc(scaled)) !== 0.5 && Math.abs(Math.abs(scaled - r) - 0.5) > 1e-9) {
    return Number((r / 10 ** n).toFixed(n));
  }
  const exact = exactDecimal(x);
  const [intPart, frac = ''] = exact.replace('-', '').split('.');
  const keep = frac.padEnd(n + 1, '0');
  const digit = Number(keep[n]);
  const rest = keep.slice(n + 1).replace(/0+$/, '');
  let base = BigInt((intPart ?? '0') + keep.slice(0, n));
  const lastEven = base % 2n === 0n;
  if (digit > 5 || (digit === 5 && (rest.length > 0 || !lastEven))) base += 1n;
  const s = base.toString().padStart(n + 1, '0');
  const v = Number(`${s.slice(0, s.length - n)}.${s.slice(s.length - n)}`);
  return x < 0 ? -v : v;
}

/** The exact decimal expansion of a double (every double is a finite binary fraction). */
function exactDecimal(x: number): string {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const sign = bits >> 63n ? '-' : '';
  const exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e2: number;
  if (exp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = exp - 1075;
  }
  if (e2 >= 0) return sign + (mant << BigInt(e2)).toString();
  // mant / 2^-e2 = mant * 5^-e2 / 10^-e2
  const k = -e2;
  const digits = (mant * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
  const ip = digits.slice(0, digits.length - k);
  const fp = digits.slice(digits.length - k).replace(/0+$/, '');
  return sign + ip + (fp ? '.' + fp : '');
}

export { jsonPath };
