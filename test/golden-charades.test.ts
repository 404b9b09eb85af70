import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose, goldenCases, hasShared, readJsonFile } from './helpers/golden.js';
import { resolveConventions } from '../src/benchmarks/conventions.js';
import { scoreCharades } from '../src/benchmarks/charades/index.js';
import { flattenTree } from '../src/metrics/retrieval.js';

const cases = goldenCases('charades');
const tally: Record<string, number> = {};
const score = (dir: string, gold: string, pred: string) =>
  scoreCharades({ goldPath: join(dir, gold), predictionsPath: join(dir, pred), conventions: resolveConventions('standard', {}), params: {} });

describe.skipIf(!hasShared)('golden charades (TimeChat eval_tvg, UniVTG)', () => {
  it('has the four cases', () => expect(cases.length).toBe(4));
  afterAll(() => console.log(`golden charades: values matched ${JSON.stringify(tally)} (total ${Object.values(tally).reduce((a, b) => a + b, 0)})`));

  for (const c of cases) {
    it(c.name, async () => {
      const refs = readJsonFile(join(c.dir, 'expected.json')).references;
      let n = 0;
      // TimeChat: the same R1 from the TimeChat files and from the original text + Moment-DETR-style predictions.
      for (const [gold, pred] of [
        ['gt_timechat.json', 'pred_timechat.json'],
        ['charades_sta_test.txt', 'pred.jsonl'],
        ['gt.jsonl', 'pred.jsonl'],
      ] as const) {
        const res = await score(c.dir, gold, pred);
        for (const [k, v] of Object.entries(refs.timechat_tvg.metrics as Record<string, number>)) {
          expectClose(res.metrics[k], v, 1e-6, `${c.name} ${gold} ${k}`);
          n++;
        }
      }
      // UniVTG: every value of its nested result (2-decimal rounded reference) within 0.005.
      const res = await score(c.dir, 'gt.jsonl', 'pred.jsonl');
      const ours = new Map(flattenTree((res.details as { univtg: unknown }).univtg));
      const theirs = flattenTree(refs.univtg.metrics);
      expect(ours.size).toBe(theirs.length);
      for (const [p, e] of theirs) {
        const a = ours.get(p);
        expect(typeof a, p).toBe('number');
        expect(Math.abs(a! - e!), `${c.name} ${p}: ${a} vs ${e}`).toBeLessThanOrEqual(0.005 + 1e-9);
        n++;
      }
      const brief = refs.univtg.metrics.brief as Record<string, number>;
      for (const [ours, theirs] of [['mIoU', 'MR-full-mIoU-key'], ['R5@0.5', 'MR-full-R5@0.5-key'], ['mAP', 'MR-full-mAP-key']] as const) {
        expect(Math.abs(res.metrics[ours]! - brief[theirs]!), `${c.name} ${ours}`).toBeLessThanOrEqual(0.005 + 1e-9);
        n++;
      }
      tally[c.name] = n;
    });
  }
});

describe('charades module: MMDuet streaming predictions (frame-level) and baselines', () => {
  it('scores a frame log against the original text gold at w = 0, τ = 0.5 and reports the grid', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'charades-'));
    writeFileSync(join(dir, 'gold.txt'), 'AAA 1.0 2.0##a person sits.\nBBB 0.0 1.0##a person stands.\n');
    const frames = (scores: number[]) => scores.map((s, i) => ({ video_time: i * 0.5, informative_score: [0.5, 0.5], relevance_score: [1 - s, s] }));
    writeFileSync(
      join(dir, 'pred.jsonl'),
      [
        { question_id: '0', model_response_list: [], debug_data: frames([0, 0, 0.9, 0.9, 0.9, 0]) }, // frames 2..4 = [1, 2] s: IoU 1
        { question_id: '1', model_response_list: [], debug_data: frames([0.9, 0.1, 0.1, 0.1, 0.1, 0.1]) }, // pred {0}, gold {0,1,2}: 1/3
        { question_id: '9', model_response_list: [], debug_data: frames([0, 1]) },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const res = await scoreCharades({ goldPath: join(dir, 'gold.txt'), predictionsPath: join(dir, 'pred.jsonl'), conventions: resolveConventions('mmduet', {}), params: { w: 0 } });
    expect(res.metrics).toEqual({ 'R1@0.3': 100, 'R1@0.5': 50, 'R1@0.7': 50, mIoU: (100 * (1 + 1 / 3)) / 2 });
    expect(res.counts.predictions_without_gold).toBe(1);
    expect(res.counts.scored).toBe(2);
    expect((res.details as { grid: unknown[] }).grid).toHaveLength(315);
    expect(res.notes.join(' ')).toMatch(/toolkit choice/);

    writeFileSync(join(dir, 'base.jsonl'), [{ question_id: '0', model_response: ['From 10 to 20.'], video_duration: 10 }, { question_id: '1', model_response: ['no'], video_duration: 10 }].map((o) => JSON.stringify(o)).join('\n'));
    const b = await scoreCharades({ goldPath: join(dir, 'gold.txt'), predictionsPath: join(dir, 'base.jsonl'), conventions: resolveConventions('mmduet', {}), params: {} });
    // [1, 2] vs gold [1, 2] with the "+1" IoU: 1; the unparsable line leaves the denominator.
    expect(b.metrics).toEqual({ 'R1@0.3': 100, 'R1@0.5': 100, 'R1@0.7': 100, mIoU: 100 });
    expect(b.counts.baseline_unparsed).toBe(1);
    const s = await scoreCharades({ goldPath: join(dir, 'gold.txt'), predictionsPath: join(dir, 'base.jsonl'), conventions: resolveConventions('standard', {}), params: {} });
    expect(s.metrics['R1@0.5']).toBe(50);
  });
});
