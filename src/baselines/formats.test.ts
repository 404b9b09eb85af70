import { describe, expect, it } from 'vitest';
import { sequenceRatio } from './difflib.js';
import {
  baselineFormatParam,
  formatSeconds,
  mergeSimilarCaptions,
  parseAtLine,
  parseGroundingSpan,
  parseTimedAnswers,
  parseTimedCaptions,
  renderGroundingSpan,
  renderTimedCaptions,
  spanToClipScores,
  timeInstruction,
} from './formats.js';

describe('TC dense captions', () => {
  it('mmduet: the released regex, decimal points required, "." stops at a line break', () => {
    const text = '0.0 - 5.0 seconds, a man drives.\n10.0 seconds, cut vegetables.\n3 - 7 seconds, stir the pot';
    const mm = parseTimedCaptions(text, 'tc', null);
    expect(mm.events).toEqual([{ start: 0, end: 5, text: 'a man drives.' }]);
    expect(mm.unparsedLines).toEqual(['10.0 seconds, cut vegetables.', '3 - 7 seconds, stir the pot']);
  });

  it('standard (TimeChat format_dvc type 1): any "n - m", captions are the lower-cased text between, paired by index', () => {
    const std = parseTimedCaptions('0.0 - 5.0 seconds, A man drives.\n10.0 seconds, cut vegetables.\n3 - 7 seconds, stir the pot', 'tc', null, 'standard');
    // Texts between the two spans: " , a man drives.\n10.0 , cut vegetables." splits into two captions, so the
    // second span takes the second of them (the reference pairs by index).
    expect(std.events).toEqual([
      { start: 0, end: 5, text: 'a man drives.' },
      { start: 3, end: 7, text: '10.0 , cut vegetables.' },
    ]);
    expect(std.unparsedLines).toEqual(['10.0 seconds, cut vegetables.']);
  });

  it('standard: a header line longer than 5 characters shifts every caption (reference quirk)', () => {
    const std = parseTimedCaptions('Steps:\n0.0 - 5.0 seconds, crack eggs\n5.0 - 9.0 seconds, whisk them', 'tc', null, 'standard');
    expect(std.events).toEqual([
      { start: 0, end: 5, text: 'steps:' },
      { start: 5, end: 9, text: 'crack eggs' },
    ]);
  });

  it('standard: a caption of 5 characters or fewer is dropped, and its span with it', () => {
    expect(parseTimedCaptions('3 - 7 seconds, x', 'tc', null, 'standard').events).toEqual([]);
  });

  it('standard type 1b: "start time: / end time: / description:" lists', () => {
    const std = parseTimedCaptions('Start time: 3.5 seconds\nEnd time: 9 seconds\nDescription: Mix the flour', 'tc', null, 'standard');
    expect(std.events).toEqual([{ start: 3.5, end: 9, text: 'mix the flour' }]);
  });

  it('standard type 2: only the first line with a time is kept; one time becomes a ±20 s window', () => {
    const std = parseTimedCaptions('10.0 seconds, cut vegetables.\n34.0 seconds, prepare seasoning.', 'tc', null, 'standard');
    expect(std.events).toEqual([{ start: 10, end: 50, text: 'cut vegetables.' }]);
    expect(std.unparsedLines).toEqual(['34.0 seconds, prepare seasoning.']);
    expect(parseTimedCaptions('34.0 seconds, prepare seasoning.\nend', 'tc', null, 'standard').events).toEqual([{ start: 14, end: 54, text: 'prepare seasoning.' }]);
    // Without a line break the reference splits on "." instead: "34" is too short, "0 seconds, ..." gives 0 -> [0, 40].
    expect(parseTimedCaptions('34.0 seconds, prepare seasoning.', 'tc', null, 'standard').events).toEqual([{ start: 0, end: 40, text: 'prepare seasoning.' }]);
    // mm:ss: a window around it; the caption is the whole piece plus the "." the split removed.
    expect(parseTimedCaptions('01:05, stir the pot', 'tc', null, 'standard').events).toEqual([{ start: 45, end: 85, text: '01:05, stir the pot.' }]);
    expect(parseTimedCaptions('* Using a wok (from 1:09 to 1:20)', 'tc', null, 'standard').events).toEqual([{ start: 69, end: 80, text: '* Using a wok (from 1:09 to 1:20).' }]);
  });
});

describe('VT dense captions', () => {
  const text = 'From 00 to 31, prepare the ingredients.\nFrom 31 to 42, prepare the dressing.';

  it('mmduet: a/100·D, b/100·D', () => {
    expect(parseTimedCaptions(text, 'vt', 200).events).toEqual([
      { start: 0, end: 62, text: 'prepare the ingredients.' },
      { start: 62, end: 84, text: 'prepare the dressing.' },
    ]);
    expect(() => parseTimedCaptions(text, 'vt', null)).toThrow(/duration is required/);
    // No match: the duration is not needed.
    expect(parseTimedCaptions('nothing', 'vt', null)).toEqual({ events: [], unparsedLines: ['nothing'] });
  });

  it('standard (VTimeLLM metric.py): end+1, near-duplicate merging within 1 %', () => {
    expect(parseTimedCaptions(text, 'vt', 200, 'standard').events[0]).toEqual({ start: 0, end: 64, text: 'prepare the ingredients.' });
    const dup = 'From 00 to 10, a man drives.\nFrom 10 to 20, a man drives.\nFrom 21 to 30, he stops.\nFrom 32 to 40, he stops.';
    expect(parseTimedCaptions(dup, 'vt', 100, 'standard').events).toEqual([
      { start: 0, end: 21, text: 'a man drives.' },
      { start: 21, end: 31, text: 'he stops.' },
      { start: 32, end: 41, text: 'he stops.' },
    ]);
    expect(parseTimedCaptions(dup, 'vt', 100).events).toHaveLength(4);
  });

  it('standard: the one-line JSON list VTimeLLM itself writes', () => {
    const json = 'Sure. [{"event": "cut", "timestamps": "from 05 to 42"}, {"event": "fry", "timestamps": "from 42 to 99"}, {"event": "x", "timestamps": "from a to b"}]';
    expect(parseTimedCaptions(json, 'vt', 200, 'standard').events).toEqual([
      { start: 10, end: 86, text: 'cut' },
      { start: 84, end: 200, text: 'fry' },
    ]);
  });

  it('merging uses difflib ratio > 0.98 (values from Python difflib)', () => {
    expect(sequenceRatio('abcd', 'bcde')).toBe(0.75);
    expect(sequenceRatio('the cat sat on the mat', 'the cat sat on a mat')).toBeCloseTo(0.9047619047619048, 15);
    expect(sequenceRatio('prepare the dressing.', 'prepare the dressing')).toBeCloseTo(0.975609756097561, 15);
    // autojunk (b of 200+ characters): popular characters leave the index.
    expect(sequenceRatio('a'.repeat(150) + 'b'.repeat(100), 'b'.repeat(100) + 'a'.repeat(150))).toBe(0);
    const s = 'add salt and pepper to the bowl and mix well ';
    expect(sequenceRatio(s.repeat(5), s.replace('well ', 'well. ').repeat(5))).toBeCloseTo(0.1934065934065934, 15);
    expect(mergeSimilarCaptions([{ start: 0, end: 10, text: 'prepare the dressing.' }, { start: 10, end: 20, text: 'prepare the dressing' }])).toHaveLength(2);
  });
});

describe('grounding spans', () => {
  it('mmduet: exactly two numbers; VT percentages when "from" and "to" appear', () => {
    expect(parseGroundingSpan('12.5 - 20.0 seconds, the person opens a door', 30)).toEqual({ span: [12.5, 20], vtimellm: false });
    expect(parseGroundingSpan('From 10 to 50, a person opens a door', 30)).toEqual({ span: [3, 15], vtimellm: true });
    expect(parseGroundingSpan('at 3 then 4 then 5', 30)).toEqual({ span: null, vtimellm: false, reason: 'found 3 numbers, expected exactly 2' });
    expect(() => parseGroundingSpan('From 10 to 50', null)).toThrow(/duration is required/);
  });

  it('standard TC (TimeChat format_tvg): first "n - m", sorted; else keyword sentences in pairs', () => {
    expect(parseGroundingSpan('The event happens in 12.5 - 20 seconds. Also 40 - 45.', 30, 'standard').span).toEqual([12.5, 20]);
    expect(parseGroundingSpan('30 - 10 seconds', 30, 'standard').span).toEqual([10, 30]);
    expect(parseGroundingSpan('It starts at 5 seconds.\nIt ends at 9.5 seconds.', 30, 'standard').span).toEqual([5, 9.5]);
    // One keyword sentence gives one number (the first): no pair.
    expect(parseGroundingSpan('The start time is 5 seconds and the end time is 9 seconds.', 30, 'standard').span).toBeNull();
    // hh:mm:ss is reached only if no keyword sentence has a number; "00" is a number, so this reads [0, 0].
    expect(parseGroundingSpan('It starts at 00:00:18\nand ends at 00:00:23', 30, 'standard').span).toEqual([0, 0]);
  });

  it('standard VT (VTimeLLM eval.py): the first "dd to dd" or "dd and dd"', () => {
    expect(parseGroundingSpan('From 10 to 50.', 30, 'standard')).toEqual({ span: [3, 15], vtimellm: true });
    expect(parseGroundingSpan('between 10 and 50', 30, 'standard', 'vt').span).toEqual([3, 15]);
    expect(parseGroundingSpan('between 10 and 50', 30, 'standard').span).toBeNull(); // no "from": read as TC
    expect(parseGroundingSpan('From 5 to 50', 30, 'standard')).toEqual({ span: null, vtimellm: true, reason: 'no "dd to dd" found (VTimeLLM eval)' });
  });

  it('clip scores are 1 strictly inside the span', () => {
    expect(spanToClipScores([2, 8], 11)).toEqual([0, 0, 1, 1, 0, 0]);
  });
});

describe('MAGQA answers', () => {
  it('VT then TC midpoints, else one untimed answer', () => {
    expect(parseTimedAnswers('From 00 to 10, a man drives.', 50)).toEqual([{ time: 2.5, text: 'a man drives.' }]);
    expect(parseTimedAnswers('0.0 - 5.0 seconds, A man is driving.', 50)).toEqual([{ time: 2.5, text: 'A man is driving.' }]);
    expect(parseTimedAnswers('He is driving.', 50)).toEqual([{ time: -1, text: 'He is driving.' }]);
  });
});

describe('render -> parse round trips, four benchmarks x two formats', () => {
  const D = 200;
  const steps = [
    { start: 0, end: 12.5, text: 'crack the eggs' },
    { start: 20, end: 50, text: 'whisk the eggs' },
  ];

  it('dense captions (YouCook2)', () => {
    expect(renderTimedCaptions(steps, 'tc', D)).toBe('0.0 - 12.5 seconds, crack the eggs\n20.0 - 50.0 seconds, whisk the eggs');
    expect(parseTimedCaptions(renderTimedCaptions(steps, 'tc', D), 'tc', D).events).toEqual(steps);
    // VT keeps whole percents: 12.5 s of 200 s is 6.25 % -> "06" -> 12 s.
    expect(renderTimedCaptions(steps, 'vt', D)).toBe('From 00 to 06, crack the eggs\nFrom 10 to 25, whisk the eggs');
    expect(parseTimedCaptions(renderTimedCaptions(steps, 'vt', D), 'vt', D).events).toEqual([
      { start: 0, end: 12, text: 'crack the eggs' },
      { start: 20, end: 50, text: 'whisk the eggs' },
    ]);
    // Standard: end+1 percent.
    expect(parseTimedCaptions(renderTimedCaptions(steps, 'vt', D), 'vt', D, 'standard').events.map((e) => e.end)).toEqual([14, 52]);
  });

  it('grounding spans (Charades-STA) under both modes', () => {
    for (const mode of ['mmduet', 'standard'] as const) {
      expect(parseGroundingSpan(renderGroundingSpan([12.5, 20], 'tc', 30), 30, mode, 'tc').span).toEqual([12.5, 20]);
      expect(parseGroundingSpan(renderGroundingSpan([3, 15], 'vt', 30), 30, mode, 'vt').span).toEqual([3, 15]);
    }
    expect(renderGroundingSpan([3, 15], 'vt', 30)).toBe('From 10 to 50.');
  });

  it('highlight clip scores (QVHighlights)', () => {
    for (const format of ['tc', 'vt'] as const) {
      const parsed = parseGroundingSpan(renderGroundingSpan([30, 60], format, 150), 150);
      expect(spanToClipScores(parsed.span!, 150).flatMap((v, i) => (v ? [i] : []))).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    }
  });

  it('timed answers (MAGQA)', () => {
    expect(parseTimedAnswers(renderTimedCaptions(steps, 'tc', D), D).map((a) => a.time)).toEqual([6.25, 35]);
    expect(parseTimedAnswers(renderTimedCaptions(steps, 'vt', D), D).map((a) => a.time)).toEqual([6, 35]);
  });

  it('seconds keep a decimal point; percents are two digits, 100 % written 99', () => {
    expect([formatSeconds(12), formatSeconds(12.25), formatSeconds(0)]).toEqual(['12.0', '12.25', '0.0']);
    expect(renderGroundingSpan([0, 30], 'vt', 30)).toBe('From 00 to 99.');
  });
});

describe('helpers', () => {
  it('renders the time instructions of protocol.md §10', () => {
    expect(timeInstruction('vt', 10, [0, 2, 4])).toBe('This is a video with 3 frames.');
    expect(timeInstruction('tc', 5, [0, 2, 4])).toBe(
      'The video lasts for 5.00 seconds, and 3 frames are uniformly sampled from it. These frames are located at 0.00s,2.00s,4.00s.Please answer the following questions related to this video.',
    );
  });

  it('names the file and line of a missing duration; checks --baseline-format', () => {
    expect(() => parseAtLine('p.jsonl', 3, () => parseTimedCaptions('From 1 to 2, x', 'vt', null))).toThrow('p.jsonl: line 3: video_duration: expected a duration');
    expect(baselineFormatParam(undefined)).toBeUndefined();
    expect(() => baselineFormatParam('xx')).toThrow('--baseline-format: expected tc or vt, found "xx"');
  });
});
