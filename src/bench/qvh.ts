/**
 * Benchmark figures for the QVHighlights and Charades scorers: full QVH val scoring of the real
 * Moment-DETR submission (1550 queries, HL + MR), and the Charades frame-level w × τ grid on a
 * synthetic 3720-query set (2 fps, ~30 s videos).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveConventions } from '../benchmarks/conventions.js';
import { scoreQvhighlights } from '../benchmarks/qvhighlights/index.js';
import { frameGroundingGrid, type FrameGroundingQuery } from '../metrics/grounding.js';
import { mulberry32 } from '../util/prng.js';

export function syntheticCharades(n = 3720, seed = 7): FrameGroundingQuery[] {
  const r = mulberry32(seed); // deterministic: the same synthetic set on every run
  return Array.from({ length: n }, (_, i) => {
    const frames = 40 + Math.floor(r() * 40);
    const times = Array.from({ length: frames }, (_, k) => k * 0.5);
    const s = r() * times[frames - 1]! * 0.7;
    const e = s + 2 + r() * 10;
    const scores = times.map((t) => Math.round((t >= s && t <= e ? 0.5 : 0.1) * 1000 + r() * 400) / 1000);
    return { id: String(i), times, scores, gold: [[s, e]] };
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const shared = process.env.MMDUET_SHARED ?? resolve(process.cwd(), '..', 'shared');
  const dir = join(shared, 'data', 'qvhighlights');
  if (existsSync(join(dir, 'highlight_val_release.jsonl'))) {
    const req = {
      goldPath: join(dir, 'highlight_val_release.jsonl'),
      predictionsPath: join(dir, 'moment_detr_sample_val_preds.jsonl'),
      conventions: resolveConventions('mmduet', {}),
      params: {},
    };
    await scoreQvhighlights(req); // warm-up (JIT, file cache)
    const t0 = performance.now();
    const res = await scoreQvhighlights(req);
    out.qvh_val_full_score_ms = performance.now() - t0;
    out.qvh_val_queries = res.counts.gold_scored;
  } else out.qvh_val_full_score_ms = null;
  const queries = syntheticCharades();
  const t1 = performance.now();
  const grid = frameGroundingGrid(queries);
  out.charades_grid_ms = performance.now() - t1;
  out.charades_grid_queries = queries.length;
  out.charades_grid_cells = grid.cells.length;
  return out;
}
