/**
 * Sweep figures: a w sweep over 0..14 on a synthetic QVHighlights-size run (1550 queries, 150 frames
 * each), as the CLI does it (one scoreToResult per value, then the PNG); and a 5-value s sweep on the
 * tiny fixture model and the generated demo videos, timed against one `mmduet eval` of the same items
 * (target: under 1.5x one eval).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureDemo } from '../engine/demo-material.js';
import { probeFfmpeg } from '../engine/doctor.js';
import { runEval } from '../run/eval.js';
import { runEngineSweep } from '../sweep/engine-sweep.js';
import { writeSweep } from '../sweep/output.js';
import { rescoreSweep } from '../sweep/rescore.js';
import { writeSyntheticQvhRun } from '../sweep/synthetic.js';

async function engineSweepFigures(dir: string): Promise<Record<string, unknown>> {
  if (!probeFfmpeg().ok) return { sweep_s_engine: 'skipped: no ffmpeg to make the demo videos' };
  const demo = await ensureDemo(join(dir, 'demo'));
  // Eight YouCook2 items on the 60-s cook video (30 frames at 0.5 fps), queries at 0 s and later (Q2/Q3 paths).
  const base = (JSON.parse(readFileSync(demo.annotations.youcook2, 'utf8')) as Array<Record<string, unknown>>)[0]!;
  const items = Array.from({ length: 8 }, (_, i) => ({ ...base, question_id: `cook-${i}`, conversation: [{ role: 'user', content: 'Narrate.', time: i * 3 }] }));
  const data = join(dir, 'yc2.json');
  writeFileSync(data, JSON.stringify(items));
  const common = { benchmark: 'youcook2', modelDir: demo.modelDir, dataPath: data, videosDir: demo.videosDir, device: 'cpu' as const, cacheDir: join(dir, 'frames'), log: () => {}, progress: false };
  // Warm the embedding cache and the process (both timed runs then read embeddings from the cache).
  await runEval({ ...common, outDir: join(dir, 'warm') });
  const t0 = performance.now();
  await runEval({ ...common, outDir: join(dir, 'eval') });
  const t1 = performance.now();
  const { sweep } = await runEngineSweep({ ...common, param: 's', values: [1, 1.5, 2, 2.5, 3], outDir: join(dir, 'sweep') });
  const t2 = performance.now();
  await runEngineSweep({ ...common, param: 's', values: [1, 1.5, 2, 2.5, 3], outDir: join(dir, 'sweep') });
  const t3 = performance.now();
  return {
    sweep_s_engine_items: items.length,
    sweep_s_engine_one_eval_seconds: (t1 - t0) / 1000,
    sweep_s_engine_5_values_seconds: (t2 - t1) / 1000,
    sweep_s_engine_relative_to_one_eval: (t2 - t1) / (t1 - t0),
    sweep_s_engine_rerun_seconds: (t3 - t2) / 1000,
    // Model work of the sweep (scoring passes + generation); the rest is model loading and scoring 5 prediction files.
    sweep_s_engine_model_seconds: Number(sweep.source.scoring_seconds) + Number(sweep.source.generation_seconds),
    sweep_s_engine_scoring_passes: sweep.model_calls.scoring_passes,
    sweep_s_engine_generations: sweep.model_calls.generations,
    sweep_s_engine_responses_all_values: sweep.rows.reduce((n, r) => n + (r.counts.responses ?? 0), 0),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  try {
    const synthetic = writeSyntheticQvhRun(dir, 1550);
    const values = Array.from({ length: 15 }, (_, i) => i);
    const t0 = performance.now();
    const sweep = await rescoreSweep({ benchmark: 'qvhighlights', param: 'w', values, goldPath: synthetic.goldPath, predictionsPath: synthetic.predictionsPath });
    const t1 = performance.now();
    await writeSweep(join(dir, 'out'), sweep);
    const t2 = performance.now();
    return {
      sweep_w_qvh_queries: 1550,
      sweep_w_values: values.length,
      sweep_w_seconds: (t1 - t0) / 1000,
      sweep_w_seconds_per_value: (t1 - t0) / 1000 / values.length,
      sweep_w_write_and_plot_seconds: (t2 - t1) / 1000,
      ...(await engineSweepFigures(dir)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
