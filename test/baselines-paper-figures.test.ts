import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTimedCaptions } from '../src/baselines/formats.js';
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

  it('MMDuet regexes miss the single-time TC lines of the dense-captioning figures; standard mode reads them', () => {
    for (const f of figures.filter((x) => x.figure === 7 || x.figure === 8)) {
      const text = f.llava_ov_tc.join('\n');
      const mm = parseTimedCaptions(text, 'tc', D);
      expect(mm.events, `figure ${f.figure}`).toEqual([]);
      expect(mm.unparsedLines).toEqual(f.llava_ov_tc);
      const std = parseTimedCaptions(text, 'tc', D, 'standard');
      expect(std.unparsedLines).toEqual([]);
      expect(std.events.map((e) => [e.start, e.end])).toEqual(f.llava_ov_tc.map((l) => [parseFloat(l), parseFloat(l)]));
    }
    const fig7 = parseTimedCaptions(figures[0]!.llava_ov_tc.join('\n'), 'tc', D, 'standard');
    expect(fig7.events[0]).toEqual({ start: 10, end: 10, text: 'cut vegetables.' });
  });

  it('TC span lines of the MAGQA figures parse under both protocols', () => {
    const magqa = figures.filter((x) => x.task === 'magqa');
    const events = magqa.flatMap((f) => parseTimedCaptions(f.llava_ov_tc.join('\n'), 'tc', D).events);
    expect(events).toHaveLength(7);
    expect(events[0]).toEqual({ start: 0, end: 5, text: 'A man is driving a black convertible car with a child in the back seat.' });
    expect(events[1]!.start).toBe(5);
    expect(events[1]!.end).toBe(6.5);
    const std = magqa.flatMap((f) => parseTimedCaptions(f.llava_ov_tc.join('\n'), 'tc', D, 'standard').events);
    expect(std).toEqual(events);
  });

  it('every VT line parses; standard mode applies the end+1 convention', () => {
    const all = figures.flatMap((f) => f.llava_ov_vt);
    expect(all).toHaveLength(28);
    const mm = parseTimedCaptions(all.join('\n'), 'vt', D);
    expect(mm.unparsedLines).toEqual([]);
    expect(mm.events).toHaveLength(28);
    expect(mm.events[0]).toEqual({ start: 0, end: 31, text: 'prepare the ingredients.' });
    const std = parseTimedCaptions(all.join('\n'), 'vt', D, 'standard');
    expect(std.events[0]).toEqual({ start: 0, end: 32, text: 'prepare the ingredients.' });
  });
});
