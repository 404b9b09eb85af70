import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { magqa } from '../src/benchmarks/magqa/index.js';
import { baselineTurns, loadMagqaInputs, readMagqaGold } from '../src/benchmarks/magqa/data.js';
import { resolveConventions, type Protocol } from '../src/benchmarks/conventions.js';
import { judgeMagqa } from '../src/judge/index.js';
import { goldExample, mmduetLine, writeMagqaFiles } from '../src/judge/synthetic.js';
import { InputError } from '../src/errors.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mmduet-magqa-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const GOLD = [
  goldExample('e1', 'What happens?', [
    ['a man cuts onions', 0, 10],
    ['he fries them', 10, 20],
  ]),
  goldExample('e2', 'What is shown?', [['a dog', 0, 5]]),
];

const base = (response: string, duration: number | null = 100) => ({ questionId: 'x', line: 1, response, videoDuration: duration });

describe('MAGQA inputs', () => {
  it('reads the MMDuetIT gold file', () => {
    const d = tmp();
    const { goldPath } = writeMagqaFiles(d, GOLD, []);
    const g = readMagqaGold(goldPath);
    expect(g[0]).toEqual({ id: 'e1', question: 'What happens?', answers: [{ text: 'a man cuts onions', start: 0, end: 10 }, { text: 'he fries them', start: 10, end: 20 }] });
  });

  it('names the JSON path of a malformed gold example', () => {
    const d = tmp();
    const file = join(d, 'bad.json');
    writeFileSync(file, JSON.stringify([{ question_id: 1, conversation: [{ content: 'q' }], answer: [{ content: 'a', time: [1] }] }]));
    expect(() => readMagqaGold(file)).toThrow(InputError);
    expect(() => readMagqaGold(file)).toThrow(`${file}: $[0].answer[0].time: expected a [start, end] pair`);
    writeFileSync(file, JSON.stringify([GOLD[0], GOLD[0]]));
    expect(() => readMagqaGold(file)).toThrow(/question_id: expected unique question ids/);
  });

  it('converts baseline answers: VTimeLLM, then TimeChat, else one untimed turn', () => {
    expect(baselineTurns(base('From 10 to 30, a man cooks.\nFrom 50 to 70, he eats.'), 'f')).toEqual([
      { time: 20, text: 'a man cooks.' },
      { time: 60, text: 'he eats.' },
    ]);
    expect(baselineTurns(base('12.0 - 14.5 seconds, a dog runs. 20.0 - 22.0 seconds,it stops'), 'f')).toEqual([
      { time: 13.25, text: 'a dog runs. 20.0 - 22.0 seconds,it stops' },
    ]);
    expect(baselineTurns(base('1.0 - 3.0 seconds, b\nFrom 0 to 10, a', 50), 'f')).toEqual([
      { time: 2.5, text: 'a' },
      { time: 2, text: 'b' },
    ]);
    expect(baselineTurns(base('A man cooks.'), 'f')).toEqual([{ time: -1, text: 'A man cooks.' }]);
    expect(() => baselineTurns(base('From 1 to 2, x', null), 'preds.jsonl')).toThrow('preds.jsonl: line 1: video_duration: expected a duration');
  });

  it('joins predictions to gold by question id and counts what does not join', () => {
    const d = tmp();
    const files = writeMagqaFiles(d, GOLD, [mmduetLine('e1', 'What happens?', [['x', 1]]), mmduetLine('zz', 'q', [])]);
    const inp = loadMagqaInputs(files.goldPath, files.predictionsPath);
    expect(inp.examples.map((e) => e.id)).toEqual(['e1']);
    expect(inp.examples[0]!.turns).toEqual([{ text: 'x', time: 1 }]);
    expect([inp.missingPredictions, inp.unknownPredictions]).toEqual([1, 1]);
  });
});

function request(files: { goldPath: string; predictionsPath: string }, params: Record<string, string | number | boolean | undefined>, protocol: Protocol = 'mmduet', numExamples?: number) {
  return { ...files, conventions: resolveConventions(protocol, { numExamples }), params };
}

describe('magqa BenchmarkModule', () => {
  // Baseline e1 answer without timestamp pairs with both gold answers. Lexical judge:
  //   "a man cuts onions" vs 10 pred tokens: common {a, man, onions} -> P 3/10, R 3/4, F1 3/7 -> 1 + round(12/7) = 3
  //   "he fries them": common {them} -> P 1/10, R 1/3, F1 2/13 -> 1 + round(8/13) = 2      -> e1 = 2.5
  // e2 "From 0 to 10, a dog." with D 40 -> time 2 in [0,5]; "a dog" vs "a dog" -> 5.
  const preds = [
    { question_id: 'e1', model_response: ['The video shows a man cutting onions and frying them.'], video_duration: 30 },
    { question_id: 'e2', model_response: ['From 0 to 10, a dog.'], video_duration: 40 },
  ];

  it('runs the lexical judge and says it is not the paper metric', async () => {
    const files = writeMagqaFiles(tmp(), GOLD, preds);
    const r = await magqa.score(request(files, { judge: 'lexical' }, 'mmduet', 4));
    expect(r.metrics.in_span_score).toBeCloseTo((2.5 + 5 + 1 + 1) / 4, 12);
    expect(r.metrics.turns).toBe(2 / 4);
    expect(r.counts.n_padded).toBe(2);
    expect(r.counts.judged_pairs).toBe(3);
    expect(r.notes.join('\n')).toMatch(/not the paper's metric/);
    expect(r.notes.join('\n')).toMatch(/1–5 \(not percent\)/);
    expect(r.notes.join('\n')).toMatch(/1 baseline response\(s\) had no parsable timestamp/);
    expect(r.perItem?.e1?.in_span_score).toBe(2.5);
  });

  it('reads saved judgements from a run directory and matches the judge run', async () => {
    const d = tmp();
    const files = writeMagqaFiles(d, GOLD, preds);
    const judged = await judgeMagqa({ ...files, judge: 'lexical', outDir: join(d, 'run'), protocol: 'standard' });
    expect(judged.metrics.in_span_score).toBeCloseTo((2.5 + 5) / 2, 12);
    const r = await magqa.score(request(files, { judgments: join(d, 'run') }, 'standard'));
    expect(r.metrics.in_span_score).toBe(judged.metrics.in_span_score);
    expect(r.counts.n_padded).toBe(0);
    expect(r.counts.judged_pairs).toBe(3);
    expect(r.counts.missing).toBe(0);
  });

  it('saved judgements that lack a needed pair: failure under standard, counted 1 under mmduet', async () => {
    const d = tmp();
    const files = writeMagqaFiles(d, GOLD, preds);
    await judgeMagqa({ ...files, judge: 'lexical', outDir: join(d, 'run') });
    const more = writeMagqaFiles(join(d, 'more'), GOLD, [preds[0], { ...preds[1], model_response: ['From 0 to 10, a cat.'] }]);
    await expect(magqa.score(request(more, { judgments: join(d, 'run', 'magqa-judged.json') }, 'standard'))).rejects.toThrow(/1 of 3 judged pairs failed/);
    const r = await magqa.score(request(more, { judgments: join(d, 'run') }, 'mmduet', 2));
    expect(r.metrics.in_span_score).toBeCloseTo((2.5 + 1) / 2, 12);
    expect(r.counts.missing).toBe(1);
    expect(r.notes.join('\n')).toMatch(/1 needed pair\(s\) have no judgement/);
  });

  it('asks for judgements or a judge, not both and not neither', async () => {
    const files = writeMagqaFiles(tmp(), GOLD, preds);
    await expect(magqa.score(request(files, {}))).rejects.toThrow(/expected params.judgments/);
    await expect(magqa.score(request(files, { judge: 'lexical', judgments: 'x' }))).rejects.toThrow(/found both/);
    await expect(magqa.score(request(files, { judge: 'gpt-4o' }))).rejects.toThrow(/expected params.judgeRunDir/);
  });
});
