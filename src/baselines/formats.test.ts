import { describe, expect, it } from 'vitest';
import { parseGroundingSpan, parseTimedAnswers, parseTimedCaptions, renderTimedCaptions, spanToClipScores, timeInstruction } from './formats.js';

describe('TC / VT dense-caption parsing', () => {
  it('reads TimeChat spans and leaves single-time lines to standard mode', () => {
    const text = '0.0 - 5.0 seconds, a man drives.\n10.0 seconds, cut vegetables.\nnothing here';
    const mm = parseTimedCaptions(text, 'tc', null);
    expect(mm.events).toEqual([{ start: 0, end: 5, text: 'a man drives.' }]);
    expect(mm.unparsedLines).toEqual(['10.0 seconds, cut vegetables.', 'nothing here']);
    const std = parseTimedCaptions(text, 'tc', null, 'standard');
    expect(std.events).toEqual([
      { start: 0, end: 5, text: 'a man drives.' },
      { start: 10, end: 10, text: 'cut vegetables.' },
    ]);
    expect(std.unparsedLines).toEqual(['nothing here']);
  });

  it('requires a decimal point in MMDuet TC numbers', () => {
    expect(parseTimedCaptions('3 - 7 seconds, x', 'tc', null).events).toEqual([]);
  });

  it('reads mm:ss and "start time" forms in standard mode', () => {
    const std = parseTimedCaptions('01:05 - 01:30, stir\nstart time: 3.5, end time: 9, mix', 'tc', null, 'standard');
    expect(std.events).toEqual([
      { start: 65, end: 90, text: 'stir' },
      { start: 3.5, end: 9, text: 'mix' },
    ]);
  });

  it('scales VTimeLLM percentages by the duration, with end+1 under standard', () => {
    const text = 'From 00 to 31, prepare the ingredients.\nFrom 31 to 42, prepare the dressing.';
    expect(parseTimedCaptions(text, 'vt', 200).events).toEqual([
      { start: 0, end: 62, text: 'prepare the ingredients.' },
      { start: 62, end: 84, text: 'prepare the dressing.' },
    ]);
    expect(parseTimedCaptions(text, 'vt', 200, 'standard').events[0]).toEqual({ start: 0, end: 64, text: 'prepare the ingredients.' });
    expect(() => parseTimedCaptions(text, 'vt', null)).toThrow(/duration is required/);
  });

  it('round-trips render -> parse in both formats', () => {
    const events = [
      { start: 0, end: 12.5, text: 'crack the eggs' },
      { start: 20, end: 50, text: 'whisk the eggs' },
    ];
    expect(parseTimedCaptions(renderTimedCaptions(events, 'tc', 100), 'tc', 100).events).toEqual(events);
    // VT keeps whole percents: 12.5 s of 100 s renders as 13 (Math.round), so compare at that resolution.
    expect(parseTimedCaptions(renderTimedCaptions(events, 'vt', 100), 'vt', 100).events).toEqual([
      { start: 0, end: 13, text: 'crack the eggs' },
      { start: 20, end: 50, text: 'whisk the eggs' },
    ]);
  });
});

describe('grounding and MAGQA answers', () => {
  it('takes exactly two numbers, VT percentages when "from" and "to" appear', () => {
    expect(parseGroundingSpan('12.5 - 20.0 seconds, the person opens a door', 30)).toEqual({ span: [12.5, 20] });
    expect(parseGroundingSpan('From 10 to 50, a person opens a door', 30)).toEqual({ span: [3, 15] });
    expect(parseGroundingSpan('at 3 then 4 then 5', 30)).toEqual({ span: null, reason: 'found 3 numbers, expected exactly 2' });
  });

  it('answers: VT then TC midpoints, else one untimed answer', () => {
    expect(parseTimedAnswers('From 00 to 10, a man drives.', 50)).toEqual([{ time: 2.5, text: 'a man drives.' }]);
    expect(parseTimedAnswers('0.0 - 5.0 seconds, A man is driving.', 50)).toEqual([{ time: 2.5, text: 'A man is driving.' }]);
    expect(parseTimedAnswers('He is driving.', 50)).toEqual([{ time: -1, text: 'He is driving.' }]);
  });

  it('clip scores are 1 strictly inside the span', () => {
    expect(spanToClipScores([2, 8], 11)).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('renders the time instructions of protocol.md §10', () => {
    expect(timeInstruction('vt', 10, [0, 2, 4])).toBe('This is a video with 3 frames.');
    expect(timeInstruction('tc', 5, [0, 2, 4])).toBe(
      'The video lasts for 5.00 seconds, and 3 frames are uniformly sampled from it. These frames are located at 0.00s,2.00s,4.00s.Please answer the following questions related to this video.',
    );
  });
});
