/**
 * The whole-video baselines' text-timestamp formats (protocol.md §10, benchmarks.md §1–§4):
 * TimeChat style ("TC": "12.0 - 20.5 seconds, caption") and VTimeLLM style ("VT": "From 12 to 34,
 * caption", numbers in percent of the video). Prompts, renderers and parsers live together so a
 * round trip render -> parse is testable. This is the one parser of baseline responses: every
 * benchmark module calls it.
 *
 * Parse modes:
 * - `mmduet` (default): the MMDuet evaluation regexes, verbatim.
 * - `standard`: what the original evaluators accept. TC dense captions follow TimeChat's
 *   `utils/format_dvc.py`, TC grounding its `utils/format_tvg.py`; VT dense captions follow
 *   VTimeLLM's `eval/metric.py` (end+1 percent, near-duplicate merge), VT grounding its `eval/eval.py`.
 */
import { InputError } from '../errors.js';
import { pyRound } from '../benchmarks/predictions.js';
import { sequenceRatio } from './difflib.js';

export type BaselineFormat = 'tc' | 'vt';
export type ParseMode = 'mmduet' | 'standard';
export const BASELINE_FORMATS: readonly BaselineFormat[] = ['tc', 'vt'];

export function isBaselineFormat(x: unknown): x is BaselineFormat {
  return x === 'tc' || x === 'vt';
}

export interface TimedText {
  start: number;
  end: number;
  text: string;
}

export interface ParseOutcome<T> {
  events: T[];
  /** Non-empty lines of the response from which no time was read: counted and shown, never dropped silently. */
  unparsedLines: string[];
}

/** The `baselineFormat` benchmark parameter (--baseline-format): undefined when not given. */
export function baselineFormatParam(v: unknown): BaselineFormat | undefined {
  if (v === undefined) return undefined;
  if (!isBaselineFormat(v)) throw new InputError(`--baseline-format: expected tc or vt, found ${JSON.stringify(v)}`);
  return v;
}

/** Thrown when VTimeLLM percentages must be converted but the line has no video_duration. */
export class DurationRequiredError extends Error {
  constructor() {
    super('VTimeLLM-style times are percentages: the video duration is required');
  }
}

/** Runs a parse for one prediction line, turning a missing duration into a one-line InputError. */
export function parseAtLine<T>(file: string, line: number, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof DurationRequiredError) throw InputError.at(file, `line ${line}: video_duration`, 'a duration (VTimeLLM times are percentages of it)', 'none');
    throw e;
  }
}

function need(duration: number | null): number {
  if (duration === null) throw new DurationRequiredError();
  return duration;
}

// The released MMDuet scorer's regexes. Python's `.` stops only at "\n" (JavaScript's also at "\r",
// U+2028, U+2029), so the caption group is [^\n]*; `\s` crosses line breaks in both.
const TC_SPAN = /(\d+\.\d+) - (\d+\.\d+)\s*seconds,\s*([^\n]*)/g;
const VT_SPAN = /From (\d+) to (\d+), ([^\n]*)/g;

interface Located<T> {
  value: T;
  /** Offset in the text where the time was read. */
  at: number;
}

function matches<T>(re: RegExp, text: string, toValue: (m: RegExpMatchArray) => T): Located<T>[] {
  return [...text.matchAll(re)].map((m) => ({ value: toValue(m), at: m.index! }));
}

/** Non-empty lines (trimmed) in which no time was read. */
function linesWithout(text: string, offsets: readonly number[]): string[] {
  const out: string[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const end = offset + line.length;
    if (line.trim() !== '' && !offsets.some((s) => s >= offset && s <= end)) out.push(line.trim());
    offset = end + 1;
  }
  return out;
}

function outcome<T>(text: string, found: Located<T>[]): ParseOutcome<T> {
  return { events: found.map((f) => f.value), unparsedLines: linesWithout(text, found.map((f) => f.at)) };
}

// ---------------------------------------------------------------- dense captions

function mmduetCaptions(text: string, format: BaselineFormat, duration: number | null): ParseOutcome<TimedText> {
  if (format === 'tc') return outcome(text, matches(TC_SPAN, text, (m) => ({ start: Number(m[1]), end: Number(m[2]), text: m[3]! })));
  const found = matches(VT_SPAN, text, (m) => ({ a: Number(m[1]), b: Number(m[2]), text: m[3]! }));
  if (found.length === 0) return outcome(text, []);
  const d = need(duration);
  return outcome(text, found.map((f) => ({ at: f.at, value: { start: (f.value.a / 100) * d, end: (f.value.b / 100) * d, text: f.value.text } })));
}

/** Python's `s.strip(chars)`. */
function stripChars(s: string, chars: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && chars.includes(s[i]!)) i++;
  while (j > i && chars.includes(s[j - 1]!)) j--;
  return s.slice(i, j);
}

/** Python's `float(x)`, NaN where Python raises. */
function pyFloat(x: string): number {
  const t = x.trim();
  return /^(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : NaN;
}

const TC_LOOSE_SPAN = /(\d+\.*\d*)\s*-\s*(\d+\.*\d*)/g;
// TimeChat's fallback window around a single time, in seconds.
const RADIUS = 20;

/** TimeChat `extract_time_part`: the time string of one caption line, as "s - e". */
function timechatTimePart(part: string): string | null {
  const span = part.match(/\d+\.*\d*\s*-\s*\d+\.*\d*/);
  if (span) return span[0];
  const clock = [...part.matchAll(/\d+\.*\d*:\d+\.*\d*/g)].map((m) => m[0]);
  const colons = part.split(':').length - 1;
  const toSeconds = (t: string): number => {
    const [m, s] = t.split(':');
    // Python int() of "05.5" raises: the line is skipped.
    if (!/^\d+$/.test(m!) || !/^\d+$/.test(s!)) throw new Error('not an integer');
    return Number(m) * 60 + Number(s);
  };
  const window = (t: number): string => (t > RADIUS ? `${t - RADIUS} - ${t + RADIUS}` : `${t} - ${t + 2 * RADIUS}`);
  if (colons === 1) {
    if (clock.length === 0) throw new Error('no clock time');
    return window(toSeconds(clock[0]!));
  }
  if (colons === 2) {
    if (clock.length !== 2) throw new Error('not two clock times');
    return `${toSeconds(clock[0]!)} - ${toSeconds(clock[1]!)}`;
  }
  const nums = [...part.matchAll(/\d+\.*\d*(?!\.)/g)].map((m) => m[0]);
  if (nums.length === 1) return window(pyFloat(nums[0]!));
  if (nums.length === 2) return `${nums[0]} - ${nums[1]}`;
  return null;
}

/**
 * TimeChat `format_dvc_output`. Type 1: every "n - m" in the lower-cased paragraph; captions are the
 * text between them, paired by index. Type 1b: "start time: / end time:" lists. Type 2 (nothing found):
 * line by line, but only the FIRST line that yields a time is kept (the reference's loop tests
 * `len(timestamps) == 0`), a single time becoming a ±20 s window.
 */
function timechatCaptions(text: string): ParseOutcome<TimedText> {
  const lower = text.toLowerCase();
  let times: [number, number][] = [];
  let captions: string[] = [];
  const spans = [...lower.matchAll(TC_LOOSE_SPAN)];
  let usedAt: number[] = spans.map((m) => m.index!);
  if (spans.length > 0) {
    times = spans.map((m) => [pyFloat(m[1]!), pyFloat(m[2]!)]);
    let rest = lower;
    for (const m of spans) rest = rest.split(m[0]).join('\n');
    captions = rest.split('seconds').join('').split('\n');
  } else {
    const starts = [...lower.matchAll(/start(?:ing)? time: (\d+\.*\d*)(?:s| seconds)?/g)];
    const ends = [...lower.matchAll(/end(?:ing)? time: (\d+\.*\d*)(?:s| seconds)?/g)];
    if (starts.length > 0 && ends.length > 0) {
      const n = Math.min(starts.length, ends.length);
      times = starts.slice(0, n).map((s, i) => [pyFloat(s[1]!), pyFloat(ends[i]![1]!)]);
      usedAt = [...starts, ...ends].map((m) => m.index!);
      captions = [...lower.matchAll(/description: ([^\n]*)/g)].map((m) => m[1]!);
      if (captions.length === 0) captions = [...lower.matchAll(/\*\s*([^\n]*)/g)].map((m) => m[1]!);
    }
    // (The reference's third form, "start time X, end time Y", stops in a debugger: not reproduced.)
  }
  if (times.length > 0) {
    captions = captions.filter((c) => c.length > 5).map((c) => stripChars(c.trim(), ', ').trimEnd());
    const n = Math.min(times.length, captions.length);
    const found = times.slice(0, n).map((t, i) => ({ value: { start: t[0], end: t[1], text: captions[i]! }, at: usedAt[i]! }));
    // A NaN time is a line where Python's float() raises: the reference crashes; we count it unparsed.
    return outcome(text, found.filter((f) => Number.isFinite(f.value.start) && Number.isFinite(f.value.end)));
  }
  // Type 2, on the original (not lower-cased) text.
  const pieces = text.includes('\n') ? text.split('\n').filter((c) => c.length > 7) : text.split('.').filter((c) => c.length > 7).map((c) => c + '.');
  for (const piece of pieces) {
    try {
      const parts = piece.split('seconds').map((p) => stripChars(p, ','));
      const part = timechatTimePart(parts[0]!);
      if (part === null) continue;
      const [s, e] = part.split('-');
      const start = pyFloat(s!);
      const end = pyFloat(e ?? '');
      if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
      const at = text.indexOf(piece.replace(/\.$/, ""));
      return outcome(text, [{ value: { start: pyRound(start, 2), end: pyRound(end, 2), text: parts[parts.length - 1]!.trim() }, at }]);
    } catch {
      continue;
    }
  }
  return outcome(text, []);
}

/** VTimeLLM `merge_similar_sentences`, on percent timestamps: near-identical (ratio > 0.98) adjacent captions within 1 % merge. */
export function mergeSimilarCaptions(items: readonly TimedText[]): TimedText[] {
  if (items.length === 0) return [];
  const merged: TimedText[] = [];
  let cur = { ...items[0]! };
  for (const next of items.slice(1)) {
    const gap = next.start - cur.end;
    if (sequenceRatio(cur.text, next.text) > 0.98 && gap >= -1 && gap <= 1) cur = { start: cur.start, end: next.end, text: cur.text };
    else {
      merged.push(cur);
      cur = { ...next };
    }
  }
  merged.push(cur);
  return merged;
}

/**
 * VTimeLLM dense captions: its evaluator reads a one-line JSON list `[{"event", "timestamps": "from
 * 05 to 42"}]` (characters 5–7 and the last two); the MMDuet-trained baselines write "From a to b,
 * caption" lines, read with the MMDuet regex. Then near-duplicate merging, and `a·D/100`,
 * `(b+1)·D/100`.
 */
function vtimellmCaptions(text: string, duration: number | null): ParseOutcome<TimedText> {
  let found: Located<TimedText>[] = matches(VT_SPAN, text, (m) => ({ start: Number(m[1]), end: Number(m[2]), text: m[3]! }));
  const json = text.match(/\[[^\n]*\]/);
  if (found.length === 0 && json) {
    found = [];
    try {
      for (const item of JSON.parse(json[0]) as { timestamps: string; event: string }[]) {
        const ts = item.timestamps;
        const a = ts.slice(5, 7);
        const b = ts.slice(-2);
        // Python int() accepts surrounding spaces, not other characters; the reference stops at the first bad item.
        if (!/^\s*\d+\s*$/.test(a) || !/^\s*\d+\s*$/.test(b) || typeof item.event !== 'string') break;
        found.push({ value: { start: Number(a), end: Number(b), text: item.event }, at: json.index! });
      }
    } catch {
      // Not JSON: the reference prints the error and keeps what it had (nothing).
    }
  }
  if (found.length === 0) return outcome(text, []);
  const d = need(duration);
  const events = mergeSimilarCaptions(found.map((f) => f.value)).map((e) => ({ start: (e.start * d) / 100, end: ((e.end + 1) * d) / 100, text: e.text }));
  return { events, unparsedLines: linesWithout(text, found.map((f) => f.at)) };
}

/**
 * Dense captions from a baseline response (YouCook2, benchmarks.md §1). `duration` converts VT
 * percentages (throws DurationRequiredError when needed and null).
 */
export function parseTimedCaptions(text: string, format: BaselineFormat, duration: number | null, mode: ParseMode = 'mmduet'): ParseOutcome<TimedText> {
  if (mode === 'mmduet') return mmduetCaptions(text, format, duration);
  return format === 'tc' ? timechatCaptions(text) : vtimellmCaptions(text, duration);
}

// ---------------------------------------------------------------- grounding spans

export interface GroundingParse {
  span: [number, number] | null;
  /** The numbers were read as VTimeLLM percentages of the duration. */
  vtimellm: boolean;
  /** Why span is null. */
  reason?: string;
}

function mmduetGrounding(text: string, duration: number | null): GroundingParse {
  const nums = [...text.matchAll(/\d+\.?\d*/g)].map((m) => Number(m[0]));
  const lower = text.toLowerCase();
  const vtimellm = lower.includes('from') && lower.includes('to');
  if (nums.length !== 2) return { span: null, vtimellm, reason: `found ${nums.length} numbers, expected exactly 2` };
  if (!vtimellm) return { span: [nums[0]!, nums[1]!], vtimellm };
  const d = need(duration);
  return { span: [(nums[0]! / 100) * d, (nums[1]! / 100) * d], vtimellm };
}

/** TimeChat `extract_time` (format_tvg.py): first "n - m", else keyword sentences' numbers in pairs, else hh:mm:ss pairs; sorted. */
function timechatGrounding(text: string): GroundingParse {
  const lower = text.toLowerCase();
  const keywords = ['starts', 'ends', 'happens in', 'start time', 'end time', 'start', 'end', 'happen'];
  const candidates = lower.split(/[!?\n]/).filter((s) => keywords.some((k) => s.includes(k)));
  let pairs: [number, number][] = [...lower.matchAll(TC_LOOSE_SPAN)].map((m) => [pyFloat(m[1]!), pyFloat(m[2]!)]);
  const pairUp = (times: number[]): [number, number][] => {
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < times.length; i += 2) out.push([times[i]!, times[i + 1]!]);
    return out;
  };
  if (pairs.length === 0) {
    pairUp(
      candidates.flatMap((s) => {
        const m = s.match(/\b(\d+\.\d+\b|\b\d+)\b/);
        return m ? [Number(m[1])] : [];
      }),
    ).forEach((p) => pairs.push(p));
  }
  if (pairs.length === 0) {
    pairs = pairUp(
      candidates.flatMap((s) => {
        const m = s.match(/\b(\d{1,2}):(\d{2}):(\d{2})\b/);
        return m ? [Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])] : [];
      }),
    );
  }
  const first = pairs[0];
  if (!first) return { span: null, vtimellm: false, reason: 'no time span found (TimeChat format_tvg)' };
  if (!Number.isFinite(first[0]) || !Number.isFinite(first[1])) return { span: null, vtimellm: false, reason: 'unreadable number (the reference raises)' };
  return { span: first[1] > first[0] ? [first[0], first[1]] : [first[1], first[0]], vtimellm: false };
}

/** VTimeLLM `iou()` (eval.py): the first "dd to dd" / "dd and dd", percentages of the duration. */
function vtimellmGrounding(text: string, duration: number | null): GroundingParse {
  const m = text.match(/(\d{2}) (to|and) (\d{2})/);
  if (!m) return { span: null, vtimellm: true, reason: 'no "dd to dd" found (VTimeLLM eval)' };
  const d = need(duration);
  return { span: [(Number(m[1]) / 100) * d, (Number(m[3]) / 100) * d], vtimellm: true };
}

/**
 * One span from a grounding answer (QVHighlights / Charades-STA, benchmarks.md §2–§3).
 * mmduet: every number `\d+\.?\d*`; unless there are exactly two the query is skipped (null). If the
 * lowercase text contains both "from" and "to" the numbers are VTimeLLM percentages of `duration`.
 * standard: the original evaluator of the format (given, or by the same "from"/"to" test).
 */
export function parseGroundingSpan(text: string, duration: number | null, mode: ParseMode = 'mmduet', format?: BaselineFormat): GroundingParse {
  if (mode === 'mmduet') return mmduetGrounding(text, duration);
  const lower = text.toLowerCase();
  const fmt = format ?? (lower.includes('from') && lower.includes('to') ? 'vt' : 'tc');
  return fmt === 'vt' ? vtimellmGrounding(text, duration) : timechatGrounding(text);
}

/** Highlight clip scores from one span: 1 strictly inside, 0 outside, for clip times 0, 2, 4, … below int(D). */
export function spanToClipScores(span: readonly [number, number], duration: number): number[] {
  const scores: number[] = [];
  for (let t = 0; t < Math.trunc(duration); t += 2) scores.push(span[0] < t && t < span[1] ? 1 : 0);
  return scores;
}

// ---------------------------------------------------------------- MAGQA answers

export const UNTIMED_ANSWER = -1;

export interface TimedAnswer {
  /** Seconds; UNTIMED_ANSWER (−1) pairs with every gold answer. */
  time: number;
  text: string;
}

/**
 * MAGQA answers from a baseline response (benchmarks.md §4): VT matches (time = midpoint), then TC
 * matches (midpoint); if neither matched, the whole response as one untimed answer. MAGQA is
 * MMDuet's own benchmark: its scorer is the only reference, so both protocols parse this way.
 */
export function parseTimedAnswers(text: string, duration: number | null): TimedAnswer[] {
  const vt = [...text.matchAll(VT_SPAN)].map((m) => {
    const d = need(duration);
    return { time: ((Number(m[1]) / 100) * d + (Number(m[2]) / 100) * d) / 2, text: m[3]! };
  });
  const tc = [...text.matchAll(TC_SPAN)].map((m) => ({ time: (Number(m[1]) + Number(m[2])) / 2, text: m[3]! }));
  const out = [...vt, ...tc];
  return out.length > 0 ? out : [{ time: UNTIMED_ANSWER, text }];
}

// ---------------------------------------------------------------- rendering

/** Seconds with a decimal point (the TC regex needs one), exact otherwise: 12 -> "12.0", 12.25 -> "12.25". */
export function formatSeconds(t: number): string {
  if (Number.isInteger(t)) return t.toFixed(1);
  const s = String(t);
  return s.includes('e') ? t.toFixed(6) : s;
}

/** Two-digit whole percentage of the video, as VTimeLLM writes it ("From 05 to 42"); 100 % is written 99. */
export function formatPercent(t: number, duration: number): string {
  const p = Math.min(99, Math.max(0, Math.round((t / duration) * 100)));
  return String(p).padStart(2, '0');
}

function renderTime(start: number, end: number, format: BaselineFormat, duration: number | null): string {
  if (format === 'tc') return `${formatSeconds(start)} - ${formatSeconds(end)} seconds`;
  const d = need(duration);
  return `From ${formatPercent(start, d)} to ${formatPercent(end, d)}`;
}

/** Timed events in a baseline format, one per line (dense captions, MAGQA answers). */
export function renderTimedCaptions(events: readonly TimedText[], format: BaselineFormat, duration: number | null): string {
  return events.map((e) => `${renderTime(e.start, e.end, format, duration)}, ${e.text}`).join('\n');
}

/** One grounding span as a baseline answers it: exactly two numbers. */
export function renderGroundingSpan(span: readonly [number, number], format: BaselineFormat, duration: number | null): string {
  return `${renderTime(span[0], span[1], format, duration)}.`;
}

/** The time instruction each baseline receives before the question (protocol.md §10). */
export function timeInstruction(format: BaselineFormat, duration: number, frameTimes: readonly number[], nominalTimes: readonly number[] = frameTimes): string {
  if (format === 'vt') return `This is a video with ${frameTimes.length} frames.`;
  // quirk: the time list has all nominal times even when the frame cap cut the frames.
  const list = nominalTimes.map((t) => `${t.toFixed(2)}s`).join(',');
  return `The video lasts for ${duration.toFixed(2)} seconds, and ${frameTimes.length} frames are uniformly sampled from it. These frames are located at ${list}.Please answer the following questions related to this video.`;
}
