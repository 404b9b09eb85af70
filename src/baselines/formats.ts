/**
 * The whole-video baselines' text-timestamp formats (protocol.md §10, benchmarks.md §1–§4):
 * TimeChat style ("TC": "12.0 - 20.5 seconds, caption") and VTimeLLM style ("VT": "From 12 to 34,
 * caption", numbers in percent of the video). Prompts, renderers and parsers live together so a
 * round trip render -> parse is testable.
 *
 * Parsing reproduces the MMDuet evaluation regexes by default (`mode: 'mmduet'`); `mode: 'standard'`
 * also accepts the looser forms of the original TimeChat / VTimeLLM evaluators.
 */
export type BaselineFormat = 'tc' | 'vt';
export type ParseMode = 'mmduet' | 'standard';

export interface TimedText {
  start: number;
  end: number;
  text: string;
}

export interface ParseOutcome<T> {
  events: T[];
  /** Non-empty lines of the response that produced no event: counted and shown, never dropped silently. */
  unparsedLines: string[];
}

// The released scorer's regexes, verbatim. Run over the whole response as Python's re.findall does
// (`.` stops at a line break, `\s` does not).
const TC_SPAN = /(\d+\.\d+) - (\d+\.\d+)\s*seconds,\s*(.*)/g;
const VT_SPAN = /From (\d+) to (\d+), (.*)/g;
// Looser forms accepted by the original evaluators (standard mode only).
const TC_SINGLE = /(?:^|\n)\s*(\d+(?:\.\d+)?)\s*seconds?,\s*(.*)/g;
const MMSS_SPAN = /(\d{1,2}):(\d{2})\s*(?:-|to)\s*(\d{1,2}):(\d{2})\s*,?\s*(.*)/g;
const START_END = /start time:\s*(\d+(?:\.\d+)?)\s*,?\s*end time:\s*(\d+(?:\.\d+)?)\s*,?\s*(.*)/gi;

interface Collected {
  events: TimedText[];
  /** Start offsets of the matches in the text. */
  starts: number[];
}

function collect(re: RegExp, text: string, toEvent: (m: RegExpExecArray) => TimedText): Collected {
  const events: TimedText[] = [];
  const starts: number[] = [];
  for (const m of text.matchAll(re)) {
    events.push(toEvent(m as RegExpExecArray));
    starts.push(m.index!);
  }
  return { events, starts };
}

/** Non-empty lines in which no match starts. */
function unmatchedLines(text: string, starts: readonly number[]): string[] {
  const out: string[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const end = offset + line.length;
    if (line.trim() !== '' && !starts.some((s) => s >= offset && s <= end)) out.push(line.trim());
    offset = end + 1;
  }
  return out;
}

/**
 * Dense captions from a baseline response. `duration` converts VT percentages. Under `standard`, the
 * VTimeLLM evaluator's end+1 convention applies to VT (`(b+1)/100·D`) and the looser TC forms are read.
 */
export function parseTimedCaptions(text: string, format: BaselineFormat, duration: number | null, mode: ParseMode = 'mmduet'): ParseOutcome<TimedText> {
  if (format === 'vt') {
    if (duration === null) throw new Error('VTimeLLM-style times are percentages: the video duration is required');
    const endShift = mode === 'standard' ? 1 : 0;
    const r = collect(VT_SPAN, text, (m) => ({ start: (Number(m[1]) / 100) * duration, end: ((Number(m[2]) + endShift) / 100) * duration, text: m[3]! }));
    return { events: r.events, unparsedLines: unmatchedLines(text, r.starts) };
  }
  const r = collect(TC_SPAN, text, (m) => ({ start: Number(m[1]), end: Number(m[2]), text: m[3]! }));
  if (mode === 'mmduet') return { events: r.events, unparsedLines: unmatchedLines(text, r.starts) };
  // Standard mode: lines the MMDuet regex missed get the looser forms, in this order, first match wins.
  const events = [...r.events];
  const unparsed: string[] = [];
  for (const line of unmatchedLines(text, r.starts)) {
    const extra = [
      collect(MMSS_SPAN, line, (m) => ({ start: Number(m[1]) * 60 + Number(m[2]), end: Number(m[3]) * 60 + Number(m[4]), text: m[5]! })),
      collect(START_END, line, (m) => ({ start: Number(m[1]), end: Number(m[2]), text: m[3]! })),
      // A single time ("10.0 seconds, cut vegetables.") is a zero-length event at that time.
      collect(TC_SINGLE, line, (m) => ({ start: Number(m[1]), end: Number(m[1]), text: m[2]! })),
    ].find((c) => c.events.length > 0);
    if (extra) events.push(...extra.events);
    else unparsed.push(line);
  }
  return { events, unparsedLines: unparsed };
}

/**
 * One span from a grounding answer (QVHighlights / Charades-STA, benchmarks.md §2–§3): every number
 * `\d+\.?\d*` in the text; unless there are exactly two the query is skipped (null). If the lowercase
 * text contains both "from" and "to" the numbers are VTimeLLM percentages of `duration`.
 */
export function parseGroundingSpan(text: string, duration: number | null): { span: [number, number] | null; reason?: string } {
  const nums = [...text.matchAll(/\d+\.?\d*/g)].map((m) => Number(m[0]));
  if (nums.length !== 2) return { span: null, reason: `found ${nums.length} numbers, expected exactly 2` };
  const lower = text.toLowerCase();
  if (lower.includes('from') && lower.includes('to')) {
    if (duration === null) return { span: null, reason: 'VTimeLLM percentages need the video duration' };
    return { span: [(nums[0]! / 100) * duration, (nums[1]! / 100) * duration] };
  }
  return { span: [nums[0]!, nums[1]!] };
}

/**
 * MAGQA answers from a baseline response (benchmarks.md §4): VT matches (time = midpoint), then TC
 * matches (midpoint); if neither matched, the whole response as one untimed answer (time −1, which
 * pairs with every gold answer).
 */
export function parseTimedAnswers(text: string, duration: number | null): { time: number; text: string }[] {
  const out: { time: number; text: string }[] = [];
  if (duration !== null) {
    for (const m of text.matchAll(VT_SPAN)) out.push({ time: ((Number(m[1]) / 100) * duration + (Number(m[2]) / 100) * duration) / 2, text: m[3]! });
  }
  for (const m of text.matchAll(TC_SPAN)) out.push({ time: (Number(m[1]) + Number(m[2])) / 2, text: m[3]! });
  if (out.length === 0) out.push({ time: -1, text });
  return out;
}

/** Highlight clip scores from one span: 1 strictly inside, 0 outside, for clip times 0, 2, 4, … below int(D). */
export function spanToClipScores(span: readonly [number, number], duration: number): number[] {
  const scores: number[] = [];
  for (let t = 0; t < Math.trunc(duration); t += 2) scores.push(span[0] < t && t < span[1] ? 1 : 0);
  return scores;
}

/** Two-digit percentage of the video, as VTimeLLM writes it ("From 05 to 42"). */
function percent(t: number, duration: number): string {
  const p = Math.min(99, Math.max(0, Math.round((t / duration) * 100)));
  return String(p).padStart(2, '0');
}

/** Renders timed events in a baseline format, one per line. */
export function renderTimedCaptions(events: readonly TimedText[], format: BaselineFormat, duration: number): string {
  return events
    .map((e) => (format === 'tc' ? `${e.start.toFixed(1)} - ${e.end.toFixed(1)} seconds, ${e.text}` : `From ${percent(e.start, duration)} to ${percent(e.end, duration)}, ${e.text}`))
    .join('\n');
}

/** The time instruction each baseline receives before the question (protocol.md §10). */
export function timeInstruction(format: BaselineFormat, duration: number, frameTimes: readonly number[], nominalTimes: readonly number[] = frameTimes): string {
  if (format === 'vt') return `This is a video with ${frameTimes.length} frames.`;
  // quirk: the time list has all nominal times even when the frame cap cut the frames.
  const list = nominalTimes.map((t) => `${t.toFixed(2)}s`).join(',');
  return `The video lasts for ${duration.toFixed(2)} seconds, and ${frameTimes.length} frames are uniformly sampled from it. These frames are located at ${list}.Please answer the following questions related to this video.`;
}
