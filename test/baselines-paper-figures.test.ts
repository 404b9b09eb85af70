import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTimedAnswers, parseTimedCaptions } from '../src/baselines/formats.js';
import { hasShared, readJsonFile, sharedDir } from './helpers/golden.js';

interface Figure {
  figure: number;
  task: string;
  llava_ov_tc: string[];
  llava_ov_vt: string[];
}

// The paper gives no durations; with D = 100 s a VT percentage reads directly as seconds.
const D = 100;

describe.skipIf(!hasShared)('baseline outputs printed in the paper (figures 7-11)', () => {
  const figures = hasShared ? readJsonFile<{ figures: Figure[] }>(join(sharedDir, 'data', 'paper', 'figure_outputs.json')).figures : [];

  it('has the 61 transcribed lines', () => {
    expect(figures.reduce((n, f) => n + f.llava_ov_tc.length + f.llava_ov_vt.length, 0)).toBe(61);
  });

  const dense = figures.filter((x) => x.task === 'dense_captioning');
  const magqa = figures.filter((x) => x.task === 'magqa');

  it('dense captioning TC lines are single times: MMDuet reads none; TimeChat format_dvc keeps only the first, as a 40 s window', () => {
    expect(dense.map((f) => f.figure)).toEqual([7, 8]);
    const expected = [
      { start: 10, end: 50, text: 'cut vegetables.' },
      { start: 10, end: 50, text: 'Intro.' },
    ];
    dense.forEach((f, i) => {
      const text = f.llava_ov_tc.join('\n');
      const mm = parseTimedCaptions(text, 'tc', D);
      expect(mm.events, `figure ${f.figure}`).toEqual([]);
      expect(mm.unparsedLines).toEqual(f.llava_ov_tc);
      const std = parseTimedCaptions(text, 'tc', D, 'standard');
      expect(std.events).toEqual([expected[i]]);
      expect(std.unparsedLines).toEqual(f.llava_ov_tc.slice(1));
    });
  });

  it('MAGQA TC span lines: same times under both protocols (standard lower-cases captions, as TimeChat does)', () => {
    const mm = magqa.flatMap((f) => parseTimedCaptions(f.llava_ov_tc.join('\n'), 'tc', D).events);
    expect(mm.map((e) => [e.start, e.end])).toEqual([
      [0, 5],
      [5, 6.5],
      [6.5, 10],
      [10, 16.5],
      [8.7, 11],
      [0, 5],
      [5, 18],
    ]);
    expect(mm[0]!.text).toBe('A man is driving a black convertible car with a child in the back seat.');
    const std = magqa.flatMap((f) => parseTimedCaptions(f.llava_ov_tc.join('\n'), 'tc', D, 'standard').events);
    expect(std).toEqual(mm.map((e) => ({ ...e, text: e.text.toLowerCase() })));
    // As MAGQA answers: midpoints.
    expect(magqa.flatMap((f) => parseTimedAnswers(f.llava_ov_tc.join('\n'), D).map((a) => a.time))).toEqual([2.5, 5.75, 8.25, 13.25, 9.85, 2.5, 11.5]);
  });

  it('every VT line parses under MMDuet; VTimeLLM merging leaves 13 events (values from Python difflib)', () => {
    const all = figures.flatMap((f) => f.llava_ov_vt);
    expect(all).toHaveLength(28);
    const mm = figures.flatMap((f) => parseTimedCaptions(f.llava_ov_vt.join('\n'), 'vt', D));
    expect(mm.flatMap((r) => r.unparsedLines)).toEqual([]);
    expect(mm.flatMap((r) => r.events)).toHaveLength(28);
    expect(mm[0]!.events[0]).toEqual({ start: 0, end: 31, text: 'prepare the ingredients.' });
    const std = figures.map((f) => parseTimedCaptions(f.llava_ov_vt.join('\n'), 'vt', D, 'standard').events);
    expect(std.map((e) => e.length)).toEqual([4, 2, 2, 2, 3]);
    expect(std.flat().map((e) => [e.start, e.end])).toEqual([
      [0, 32],
      [31, 43],
      [42, 57],
      [56, 79],
      [0, 32],
      [31, 43],
      [0, 32],
      [31, 95],
      [0, 51],
      [50, 97],
      [16, 28],
      [27, 43],
      [42, 95],
    ]);
  });

  it('as MAGQA answers, VT lines come before TC lines and need no format flag', () => {
    const f9 = magqa[0]!;
    const answers = parseTimedAnswers([...f9.llava_ov_tc, ...f9.llava_ov_vt].join('\n'), D);
    expect(answers).toHaveLength(f9.llava_ov_tc.length + f9.llava_ov_vt.length);
    expect(answers[0]).toEqual({ time: 5, text: 'A man is driving a black convertible car with the top down.' });
    expect(answers[f9.llava_ov_vt.length]!.time).toBe(2.5);
  });
});
