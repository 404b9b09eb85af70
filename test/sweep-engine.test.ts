import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemo, type DemoMaterial } from '../src/engine/demo-material.js';
import { probeFfmpeg } from '../src/engine/doctor.js';
import * as engine from '../src/engine/index.js';
import { runEval } from '../src/run/eval.js';
import { runEngineSweep, runSweepCommand, formatSweepTable, type SweepEngineApi } from '../src/sweep/index.js';

const hasFfmpeg = probeFfmpeg().ok;
const quiet = () => {};

/** The real engine, counting scoring passes (per item), decoder calls and generated keys. */
function countingEngine() {
  const calls = { loads: 0, scorePasses: new Map<string, number>(), branches: new Map<string, number>(), generated: [] as string[], decoderCalls: 0 };
  const api: SweepEngineApi = {
    loadModel: async (o) => {
      calls.loads++;
      return engine.loadModel(o);
    },
    scoreVideo: async (m, req) => {
      calls.scorePasses.set(req.questionId, (calls.scorePasses.get(req.questionId) ?? 0) + 1);
      const scored = await engine.scoreVideo(m, req);
      calls.branches.set(req.questionId, scored.branches);
      calls.decoderCalls += scored.decoderCalls;
      return scored;
    },
    generateAt: async (scored, keys, o) => {
      calls.generated.push(...keys.map((k) => `${scored.questionId}@${k}`));
      return engine.generateAt(scored, keys, o);
    },
  };
  return { api, calls };
}

const timeFree = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith('time_per_example')));

describe.skipIf(!hasFfmpeg)('s and t sweeps on the tiny model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-engine-'));
  let demo: DemoMaterial;
  let yc2Data: string;
  beforeAll(async () => {
    demo = await ensureDemo(join(dir, 'demo'));
    // Two items on the cook video: the demo's query at 0 s, and one at 17 s (consumed at frame 9, 18 s) right after
    // the second marker frame (16 s), which triggers for s = 1 and 1.5 but not for s >= 2: quirk Q3 splits the pass.
    const base = (JSON.parse(readFileSync(demo.annotations.youcook2, 'utf8')) as Array<Record<string, unknown>>)[0]!;
    const late = { ...base, question_id: 'demo-cook-late', conversation: [{ role: 'user', content: 'Narrate.', time: 17 }] };
    yc2Data = join(dir, 'yc2.json');
    writeFileSync(yc2Data, JSON.stringify([base, late]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('s sweep over 5 values: one scoring pass per video, each distinct trigger generated once, metrics = 5 separate evals', async () => {
    const values = [1, 1.5, 2, 2.5, 3];
    const cacheDir = join(dir, 'frames');
    const common = { benchmark: 'youcook2', modelDir: demo.modelDir, dataPath: yc2Data, videosDir: demo.videosDir, device: 'cpu' as const, cacheDir, log: quiet, progress: false };
    const { api, calls } = countingEngine();
    const out = join(dir, 'sweep-s');
    const { sweep } = await runEngineSweep({ ...common, param: 's', values, outDir: out }, api);
    expect(calls.loads).toBe(1);
    expect(Object.fromEntries(calls.scorePasses)).toEqual({ 'demo-cook': 1, 'demo-cook-late': 1 });
    expect(Object.fromEntries(calls.branches)).toEqual({ 'demo-cook': 1, 'demo-cook-late': 2 });
    // Hand-derived (marker frames 7-9, 17-19, 27-29 score ~0.997, the rest ~0; the sum carries over between runs):
    // s = 1 and 1.5 fire at 8, 17 (0.997 left from 9, + 17), 19, 28; s = 2 and 2.5 at 9, 19, 29; s = 3 at 17 (3.99), 28.
    expect(calls.generated.filter((g) => g.startsWith('demo-cook@'))).toEqual(['demo-cook@8', 'demo-cook@17', 'demo-cook@19', 'demo-cook@28', 'demo-cook@9', 'demo-cook@29']);
    expect(new Set(calls.generated).size).toBe(calls.generated.length);
    // demo-cook-late: after the unclosed query (Q3) the keys of s = 1 and 1.5 carry the path.
    // demo-cook-late: s = 1 and 1.5 fire at frame 8, so the query at frame 9 is rendered unclosed (Q3) and their later
    // prefixes are another token sequence (own keys); s = 2..3 continue on the other branch.
    expect(calls.generated.filter((g) => g.startsWith('demo-cook-late@')).map((g) => g.slice('demo-cook-late@'.length))).toEqual(['8', '17@q3:9', '19@q3:9', '28@q3:9', '9', '19', '29', '17', '28']);
    expect(sweep.model_calls).toEqual({ scoring_passes: 2, generations: calls.generated.length });
    expect(sweep.rows.map((r) => r.counts.q3_affected_items)).toEqual([1, 1, 0, 0, 0]);

    // Five separate `mmduet eval` runs (runDuet per value, chunked, Q3 resolved inline).
    for (const [i, s] of values.entries()) {
      const separate = await runEval({ ...common, s, outDir: join(dir, `eval-s${s}`) });
      const row = sweep.rows[i]!;
      expect(row.value).toBe(s);
      expect(timeFree(row.metrics)).toEqual(separate.result.metrics);
      const preds = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model_response_list: unknown; debug_data: unknown });
      const mine = preds(join(out, `predictions-s=${s}.jsonl`));
      const theirs = preds(join(dir, `eval-s${s}`, 'predictions.jsonl'));
      expect(mine.map((p) => p.model_response_list)).toEqual(theirs.map((p) => p.model_response_list));
      expect(mine.map((p) => p.debug_data)).toEqual(theirs.map((p) => p.debug_data));
    }
    // The metrics move with s (so the equality above is not between constant tables).
    expect(new Set(sweep.rows.map((r) => r.counts.responses)).size).toBeGreaterThan(1);

    // A rerun in the same directory is free: no scoring pass, no generation, same rows.
    const rerun = countingEngine();
    const again = await runEngineSweep({ ...common, param: 's', values, outDir: out }, rerun.api);
    expect(rerun.calls.scorePasses.size).toBe(0);
    expect(rerun.calls.generated).toEqual([]);
    expect(again.sweep.rows.map((r) => r.metrics)).toEqual(sweep.rows.map((r) => r.metrics));
    expect(formatSweepTable(sweep).split('\n')[0]).toMatch(/^\s*s\s+SODA_c\s+CIDEr\s+F1\s+s\/example\s+responses\s+Q3 items$/);
  }, 180_000);

  it('t sweep on MAGQA with the lexical judge: Table 4 columns, one pass, time relative to a reference run', async () => {
    const cacheDir = join(dir, 'frames');
    const refDir = join(dir, 'eval-magqa');
    const common = { benchmark: 'magqa', modelDir: demo.modelDir, dataPath: demo.annotations.magqa, videosDir: demo.videosDir, device: 'cpu' as const, cacheDir, log: quiet, progress: false };
    const scoring = { params: { judge: 'lexical' }, overrides: { numExamples: 1 } };
    const reference = await runEval({ ...common, ...scoring, outDir: refDir });
    const { sweep, written } = await runSweepCommand({
      benchmark: 'magqa',
      param: 't',
      values: '0.3:0.6:0.1',
      outDir: join(dir, 'sweep-t'),
      ...scoring,
      inference: { modelDir: demo.modelDir, dataPath: demo.annotations.magqa, videosDir: demo.videosDir, device: 'cpu', cacheDir, log: quiet },
      timeReference: refDir,
    });
    expect(sweep.rows.map((r) => r.value)).toEqual([0.3, 0.4, 0.5, 0.6]);
    expect(sweep.model_calls.scoring_passes).toBe(1);
    const t05 = sweep.rows[2]!;
    expect(timeFree(t05.metrics)).toEqual(reference.result.metrics);
    // demo-qa (2 fps): marker frames 16-19 and 36-39, red frames 40-47 respond at every t in 0.3..0.6 → 16 turns.
    expect(t05.metrics.turns).toBe(16);
    expect(t05.metrics.time_per_example_relative).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(written.json, 'utf8')).rows).toHaveLength(4);
    expect(formatSweepTable(sweep).split('\n')[0]).toMatch(/in-span\s+turns\s+turns \(dedup\)\s+s\/example\s+relative time/);
  }, 180_000);

  it('refuses --param s on MAGQA and asks for the model inputs', async () => {
    await expect(runEngineSweep({ benchmark: 'magqa', param: 's', values: [1], modelDir: 'm', dataPath: 'd', videosDir: 'v', outDir: join(dir, 'x') })).rejects.toThrow(/--param s: expected t for magqa/);
    await expect(runSweepCommand({ benchmark: 'youcook2', param: 's', values: '1,2', outDir: join(dir, 'y') })).rejects.toThrow(/--model: expected a path/);
  });
});
