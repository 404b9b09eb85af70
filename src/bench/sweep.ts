/**
 * Sweep figures: a w sweep over 0..14 on a synthetic QVHighlights-size run (1550 queries, 150 frames
 * each), as the CLI does it (one scoreToResult per value, then the PNG); and, with a fake engine,
 * how many responses a 5-value s sweep generates compared with five separate runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../report/prng.js';
import { writeSweep } from '../sweep/output.js';
import { rescoreSweep } from '../sweep/rescore.js';
import { sweepResponses, type FrameScores, type SweepItem } from '../sweep/responses.js';
import { writeSyntheticQvhRun } from '../sweep/synthetic.js';

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

    // 5-value s sweep with a fake engine (YouCook2-like: 200 frames per video at 0.5 fps, 100 videos).
    const rand = mulberry32(3);
    const items: (SweepItem & { frames: FrameScores[] })[] = Array.from({ length: 100 }, (_, i) => ({
      questionId: String(i),
      videoDuration: 400,
      userTurns: [{ time: 0, content: 'describe' }],
      frames: Array.from({ length: 200 }, (_, k) => ({ time: 2 * k, informative: rand() * 0.6, relevance: 0 })),
    }));
    const s = await sweepResponses(items, { scoreItem: async (it) => it.frames, generateAt: async () => 'x' }, { param: 's', values: [1, 1.5, 2, 2.5, 3], removePreviousResponses: true });
    return {
      sweep_w_qvh_queries: 1550,
      sweep_w_values: values.length,
      sweep_w_seconds: (t1 - t0) / 1000,
      sweep_w_seconds_per_value: (t1 - t0) / 1000 / values.length,
      sweep_w_write_and_plot_seconds: (t2 - t1) / 1000,
      sweep_s_fake_engine_scoring_passes: s.stats.scoringPasses,
      sweep_s_fake_engine_generations: s.stats.generations,
      sweep_s_separate_runs_generations: s.stats.responsesAllValues,
      sweep_s_separate_runs_scoring_passes: 5 * items.length,
      sweep_s_engine_timing: 'not measured: src/engine has no score-once / generate-at API yet',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
