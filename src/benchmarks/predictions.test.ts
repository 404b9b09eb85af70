import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pyRound, readPredictionJsonl, round3 } from './predictions.js';

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmduet-pred-'));
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('pyRound (Python round semantics)', () => {
  it('rounds on the exact binary value, ties to even', () => {
    // 2.675 is 2.67499999... in binary: Python gives 2.67; 0.125 is exact: ties to even -> 0.12.
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(0.375, 2)).toBe(0.38);
    expect(round3(0.0005)).toBe(0.001); // 0.0005 is slightly above the tie in binary
    expect(round3(0.1235)).toBe(0.123); // 0.12349999... in binary
    expect(round3(-1.2345)).toBe(-1.234);
    expect(round3(0.9995)).toBe(1); // 0.99950000000000005 in binary
  });
});

describe('readPredictionJsonl', () => {
  it('reads MMDuet records with either score-log spelling (quirk Q6)', () => {
    const f = tmpFile(
      'p.jsonl',
      [
        JSON.stringify({
          question_id: 7,
          model_response_list: [
            { role: 'user', time: 0, content: 'q' },
            { role: 'assistant', time: 2, content: 'a' },
          ],
          video_duration: 10,
          debug_data: [
            { time: 0, informative_score: 0.25, relevance_score: 0.5 },
            { video_time: 1, informative_score: [0.9, 0.1], relevance_score: [0.3, 0.7] },
          ],
        }),
        '',
      ].join('\n'),
    );
    const p = readPredictionJsonl(f);
    expect(p.kind).toBe('mmduet');
    if (p.kind !== 'mmduet') return;
    expect(p.items[0]!.questionId).toBe('7');
    expect(p.items[0]!.frames).toEqual([
      { time: 0, informative: 0.25, relevance: 0.5 },
      { time: 1, informative: 0.1, relevance: 0.7 },
    ]);
    expect(p.items[0]!.turns.map((t) => t.role)).toEqual(['user', 'assistant']);
  });

  it('reads baseline records and takes the first response', () => {
    const f = tmpFile('b.jsonl', JSON.stringify({ question_id: 'a', model_response: ['0.0 - 5.0 seconds, x', 'ignored'], video_duration: 30 }) + '\n');
    const p = readPredictionJsonl(f);
    expect(p.kind).toBe('baseline');
    if (p.kind === 'baseline') expect(p.items[0]!.response).toBe('0.0 - 5.0 seconds, x');
  });

  it('names the file and line of a wrong type', () => {
    const f = tmpFile('w.jsonl', JSON.stringify({ question_id: 1, model_response_list: [] }) + '\n' + JSON.stringify({ question_id: 2, model_response_list: 'oops' }) + '\n');
    expect(() => readPredictionJsonl(f)).toThrow(`${f}: line 2: model_response_list: expected an array, found the string "oops"`);
  });

  it('refuses duplicate question ids and empty files', () => {
    const rec = JSON.stringify({ question_id: 1, model_response_list: [] });
    const dup = tmpFile('d.jsonl', `${rec}\n${rec}\n`);
    expect(() => readPredictionJsonl(dup)).toThrow(/line 2: duplicate question_id "1" \(first seen on line 1\)/);
    const empty = tmpFile('e.jsonl', '\n');
    expect(() => readPredictionJsonl(empty)).toThrow(/expected at least one prediction line, found an empty file/);
  });
});
