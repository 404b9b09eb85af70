import { join } from 'node:path';
import { describe, expect, it, afterAll } from 'vitest';
import { goldenCases, hasShared, readJsonFile, expectClose } from './helpers/golden.js';
import { resolveConventions } from '../src/benchmarks/conventions.js';
import { scoreQvhighlights, readQvhGold, readQvhSubmission } from '../src/benchmarks/qvhighlights/index.js';
import { evaluateHighlight, SALIENCY_LEVELS } from '../src/metrics/highlight.js';
import { evaluateMomentRetrieval, flattenTree } from '../src/metrics/retrieval.js';


const cases = goldenCases('qvh');
const tally: Record<string, number> = {};

describe.skipIf(!hasShared)('golden qvh (Moment-DETR standalone evaluator)', () => {
  it('has the six cases', () => expect(cases.length).toBe(6));
  afterAll(() => console.log(`golden qvh: ${Object.keys(tally).length} cases, values matched: ${JSON.stringify(tally)} (total ${Object.values(tally).reduce((a, b) => a + b, 0)})`));

  for (const c of cases) {
    it(c.name, async () => {
      const ref = readJsonFile(join(c.dir, 'expected.json')).references.moment_detr;
      const gt = join(c.dir, 'gt.jsonl');
      const pred = join(c.dir, 'pred.jsonl');
      const res = await scoreQvhighlights({ goldPath: gt, predictionsPath: pred, conventions: resolveConventions('standard', {}), params: {} });
      let n = 0;
      // Reference values are float(f"{100 v:.2f}"): our unrounded percent must lie within 0.005.
      const ours = new Map(flattenTree(res.details));
      const theirs = flattenTree(ref.metrics);
      expect(ours.size).toBe(theirs.length);
      for (const [p, e] of theirs) {
        const a = ours.get(p);
        expect(typeof a, p).toBe('number');
        expect(Math.abs(a! - e!), `${p}: ${a} vs ${e}`).toBeLessThanOrEqual(0.005 + 1e-9);
        n++;
      }
      for (const [k, v] of Object.entries(ref.brief as Record<string, number>)) {
        expect(Math.abs(res.metrics[k]! - v), k).toBeLessThanOrEqual(0.005 + 1e-9);
        n++;
      }
      expect(Object.keys(res.metrics).sort()).toEqual(Object.keys(ref.brief).sort());
      // Unrounded values: per query and their means, to 1e-6.
      for (const [k, v] of Object.entries((ref.unrounded_from_per_query ?? {}) as Record<string, number>)) {
        expectClose(res.metrics[k], v, 1e-6, `${c.name} ${k}`);
        n++;
      }
      const gold = new Map(readQvhGold(gt).items.map((g) => [g.qid, g]));
      const sub = readQvhSubmission(pred);
      const hl = evaluateHighlight(sub.map((s) => ({ qid: s.qid, gold: { ...gold.get(s.qid)!, duration: gold.get(s.qid)!.duration! }, predScores: s.saliency! })));
      const mr = sub[0]!.windows ? evaluateMomentRetrieval(sub.map((s) => ({ qid: s.qid, gold: gold.get(s.qid)!.windows!, pred: s.windows! }))) : null;
      for (const [qid, e] of Object.entries(ref.per_query_unrounded as Record<string, Record<string, number[]>>)) {
        for (const level of SALIENCY_LEVELS) {
          const exp = e[`HL-${level.name}-AP_per_annotator`]!;
          exp.forEach((v, a) => {
            expectClose(hl.perQuery[qid]![level.name].ap[a], v, 1e-6, `${c.name} ${qid} ${level.name} annotator ${a}`);
            n++;
          });
        }
        const mrExp = e['MR-full-AP@0.5:0.05:0.95'];
        if (mrExp) {
          mrExp.forEach((v, t) => {
            expectClose(mr!.perQueryAP[qid]![t], v, 1e-6, `${c.name} ${qid} AP@${t}`);
            n++;
          });
        }
      }
      tally[c.name] = n;
      expect(n).toBeGreaterThan(20);
    });
  }
});

describe('qvhighlights module: MMDuet streaming and baseline predictions', () => {
  it('clip score = sum of the smoothed frames of each 2-s clip; qid join counted; MR omitted with a note', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'qvh-'));
    const gold = { qid: 1, duration: 6, relevant_windows: [[2, 4]], relevant_clip_ids: [1], saliency_scores: [[4, 4, 1]] };
    writeFileSync(join(dir, 'gt.jsonl'), [gold, { ...gold, qid: 2 }].map((o) => JSON.stringify(o)).join('\n'));
    const frames = (s: number[]) => s.map((v, i) => ({ time: i, informative_score: 0.1, relevance_score: v }));
    writeFileSync(
      join(dir, 'pred.jsonl'),
      [
        { question_id: 1, model_response_list: [], debug_data: frames([0.1, 0.2, 0.6, 0.5, 0.2, 0.1]) }, // clips 0.3, 1.1, 0.3
        { question_id: 7, model_response_list: [], debug_data: frames([0.1, 0.2]) },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const res = await scoreQvhighlights({ goldPath: join(dir, 'gt.jsonl'), predictionsPath: join(dir, 'pred.jsonl'), conventions: resolveConventions('mmduet', {}), params: { w: 0 } });
    expect(res.metrics['HL-min-VeryGood-Hit1']).toBe(100);
    expect(res.metrics['HL-min-VeryGood-mAP']).toBeCloseTo((100 * (1 + 1 + 0)) / 3, 12);
    expect(res.metrics['MR-full-mAP']).toBeUndefined();
    expect(res.counts).toMatchObject({ gold_queries: 2, gold_scored: 1, predictions_without_gold: 1, gold_without_prediction: 1 });
    expect(res.notes.join(' ')).toMatch(/MR metrics omitted/);
    await expect(
      scoreQvhighlights({ goldPath: join(dir, 'gt.jsonl'), predictionsPath: join(dir, 'pred.jsonl'), conventions: resolveConventions('mmduet', { qvhStrict: true }), params: {} }),
    ).rejects.toThrow(/qvh-strict/);

    // Baseline: "from 20 to 60" = 1.2 s .. 3.6 s of a 6 s video -> clips at t = 0, 2, 4: [0, 1, 0].
    writeFileSync(join(dir, 'base.jsonl'), JSON.stringify({ question_id: 1, model_response: ['From 20 to 60.'], video_duration: 6 }));
    const b = await scoreQvhighlights({ goldPath: join(dir, 'gt.jsonl'), predictionsPath: join(dir, 'base.jsonl'), conventions: resolveConventions('mmduet', {}), params: {} });
    expect(b.metrics['HL-min-VeryGood-Hit1']).toBe(100);
    expect(b.metrics['HL-min-Good-mAP']).toBeCloseTo(100 * (2 / 3), 12);
  });
});
