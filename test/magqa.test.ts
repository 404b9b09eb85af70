import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(r.counts.missing_replies).toBe(0);
  });

  it('judge and saved judgements report the same self-explanatory count names', async () => {
    const d = tmp();
    const files = writeMagqaFiles(d, [...GOLD, goldExample('e3', 'Empty?', [])], [...preds, { question_id: 'e3', model_response: ['From 0 to 1, x.'], video_duration: 10 }]);
    const judged = await judgeMagqa({ ...files, judge: 'lexical', outDir: join(d, 'run') });
    const shared = ['gold_examples', 'examples_with_predictions', 'missing_predictions', 'predictions_not_in_gold', 'judged_pairs', 'unparsable', 'missing_replies', 'scored', 'n_padded',
      'examples_truncated', 'examples_without_gold', 'examples_skipped_untimed', 'gold_answers_with_empty_span', 'unjudged_cells', 'failed_cells', 'failed_cells_scored_1',
      'failed_cells_excluded', 'gold_answers_excluded', 'examples_excluded'];
    expect(Object.keys(judged.counts).sort()).toEqual([...shared, 'cells_before_dedup', 'cache_hits', 'asked', 'dropped_cache_tail_bytes'].sort());
    expect([judged.counts.cache_hits, judged.counts.asked, judged.counts.judged_pairs, judged.counts.examples_without_gold]).toEqual([0, 3, 3, 1]);
    const rerun = await judgeMagqa({ ...files, judge: 'lexical', outDir: join(d, 'run') });
    expect([rerun.counts.cache_hits, rerun.counts.asked]).toEqual([3, 0]);
    const r = await magqa.score(request(files, { judgments: join(d, 'run') }));
    expect(Object.keys(r.counts).sort()).toEqual([...shared, 'saved_judgements_used', 'saved_judgements_in_file'].sort());
    for (const k of shared) expect(r.counts[k], k).toBe(judged.counts[k]);
    expect([r.counts.saved_judgements_used, r.counts.saved_judgements_in_file]).toEqual([3, 3]);
  });

  it('saved judgements that lack a needed pair: incomplete unless --allow-missing-judgements (then 1 under mmduet, excluded and guarded under standard)', async () => {
    const d = tmp();
    const files = writeMagqaFiles(d, GOLD, preds);
    await judgeMagqa({ ...files, judge: 'lexical', outDir: join(d, 'run') });
    const more = writeMagqaFiles(join(d, 'more'), GOLD, [preds[0], { ...preds[1], model_response: ['From 0 to 10, a cat.'] }]);
    await expect(magqa.score(request(more, { judgments: join(d, 'run') }, 'mmduet', 2))).rejects.toThrow(
      /^magqa: 1 of 3 pairs have no saved judgement in .*judge-cache\.jsonl \(judge lexical-token-f1-v1 @ local\): run "mmduet judge magqa".*, or pass --allow-missing-judgements to score them 1$/,
    );
    await expect(magqa.score(request(more, { judgments: join(d, 'run', 'magqa-judged.json'), allowMissingJudgements: true }, 'standard'))).rejects.toThrow(
      /INVALID: 1 of 3 judged pairs failed/,
    );
    const r = await magqa.score(request(more, { judgments: join(d, 'run'), allowMissingJudgements: true }, 'mmduet', 2));
    expect(r.metrics.in_span_score).toBeCloseTo((2.5 + 1) / 2, 12);
    expect([r.counts.missing_replies, r.counts.saved_judgements_used, r.counts.failed_cells_scored_1]).toEqual([1, 2, 1]);
    expect(r.notes.join('\n')).toMatch(/1 of 3 judged pair\(s\) got no reply: scored 1 \(legacy, --allow-missing-judgements\)/);
  });

  it('saved raw replies are re-parsed under the current parse mode, not their stored status', async () => {
    const d = tmp();
    const files = writeMagqaFiles(d, GOLD, preds);
    await judgeMagqa({ ...files, judge: 'lexical', outDir: join(d, 'run') });
    // Rewrite the saved cache as if an API judge had answered under first-char parsing: "5 - correct" stored as ok/5.
    const cacheFile = join(d, 'run', 'judge-cache.jsonl');
    const recs = readFileSync(cacheFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const edited = recs.map((x) => ({ ...x, route: 'chat', replies: [x.gold === 'a dog' ? '5 - correct' : String(x.score)] }));
    writeFileSync(cacheFile, edited.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const lenient = await magqa.score(request(files, { judgments: join(d, 'run'), parse: 'first-char' }, 'mmduet', 2));
    expect(lenient.metrics.in_span_score).toBeCloseTo((2.5 + 5) / 2, 12);
    await expect(magqa.score(request(files, { judgments: join(d, 'run') }, 'mmduet', 2))).rejects.toThrow(/1 of 3 judged pairs got an unparsable reply/);
    const strict = await magqa.score(request(files, { judgments: join(d, 'run'), maxUnparsableRate: 0.5 }, 'mmduet', 2));
    expect(strict.metrics.in_span_score).toBeCloseTo((2.5 + 1) / 2, 12);
    expect(strict.counts.unparsable).toBe(1);
  });

  it('asks for judgements or a judge, not both and not neither', async () => {
    const files = writeMagqaFiles(tmp(), GOLD, preds);
    await expect(magqa.score(request(files, {}))).rejects.toThrow(/expected params.judgments/);
    await expect(magqa.score(request(files, { judge: 'lexical', judgments: 'x' }))).rejects.toThrow(/found both/);
    await expect(magqa.score(request(files, { judge: 'gpt-4o' }))).rejects.toThrow(/expected params.judgeRunDir/);
  });
});
